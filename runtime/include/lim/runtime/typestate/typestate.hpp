#pragma once
// Support for the typestate API that `lim gen cpp` generates: one class per
// automaton state, whose methods consume the object and return the next
// state. The compiler rejects any action the state does not offer; what it
// cannot see — a state object used twice, or dropped without acting — is
// caught here at run time (and the first also by clang-tidy's
// bugprone-use-after-move).
#include <string_view>
#include <type_traits>
#include <utility>

#include "lim/runtime/endpoint/endpoint.hpp"

namespace lim::runtime::typestate {

// The generated code was made for another protocol or role, or the
// endpoint has already moved on.
class BindingError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Checks that `endpoint` runs the protocol and role the generated API was
// made from, and has not acted yet.
void check_binding(const Endpoint& endpoint, std::string_view role, std::string_view fingerprint);

class State {
 public:
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  State(State&& other) noexcept : endpoint_(std::exchange(other.endpoint_, nullptr)), state_(other.state_) {}
  State& operator=(State&& other) noexcept {
    if (this != &other) {
      drop();
      endpoint_ = std::exchange(other.endpoint_, nullptr);
      state_ = other.state_;
    }
    return *this;
  }
  ~State() { drop(); }

  // Whether the object still holds its state: false once it was used for its
  // action or moved from.
  bool valid() const noexcept { return endpoint_ != nullptr; }
  // The endpoint's metadata, e.g. for logging; the object must be valid.
  EndpointMetadata metadata() const { return use().metadata(); }

 protected:
  State(Endpoint& endpoint, automata::StateId state) noexcept : endpoint_(&endpoint), state_(state) {}
  // The endpoint, or ConsumedState when this object was used up already.
  Endpoint& use() const {
    if (!endpoint_) throw_consumed();
    return *endpoint_;
  }
  automata::StateId state() const noexcept { return state_; }
  // Called once the action succeeded: the object is used up.
  void release() noexcept { endpoint_ = nullptr; }

 private:
  [[noreturn]] void throw_consumed() const;
  // An object dropped while still holding a non-final state abandons the
  // session: its peers would otherwise wait forever.
  void drop() noexcept {
    if (endpoint_) abandon();
  }
  void abandon() noexcept;

  Endpoint* endpoint_ = nullptr;
  automata::StateId state_ = 0;
};

// An arithmetic argument whose type a payload of type T cannot hold
// unchanged — a double for an Int, an int for a u8 (even a small one: the
// rule goes by type), an int for a bool —, by the language's rule for
// list-initialisation. Generated send methods delete their overload for such
// arguments, so that narrowing does not compile.
template <class P, class T>
concept narrowing = std::is_arithmetic_v<std::remove_cvref_t<P>> && !requires(P&& value) { T{std::forward<P>(value)}; };

// A payload read as the C++ type the API promises; a peer whose payload does
// not decode (an opaque sort with a user type) violates the protocol.
template <class T>
T decode(Endpoint& endpoint, Endpoint::Step& step) {
  if constexpr (std::is_same_v<T, Payload>) {
    return std::move(step.payload);
  } else {
    try {
      return step.payload.template get<T>();
    } catch (const nlohmann::json::exception& error) {
      endpoint.reject_payload(step, error.what());
    }
  }
}

// The engine took a transition the generated switch does not know: the
// generated code does not match the protocol (cannot happen after
// check_binding, hence an internal error).
[[noreturn]] void unexpected_step(const Endpoint& endpoint, const Endpoint::Step& step);

}  // namespace lim::runtime::typestate
