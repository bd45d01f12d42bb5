#include "lim/formats/lim_writer.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lim/syntax/parser.hpp"

namespace lim::formats {
namespace {

using automata::Direction;
using automata::RoleId;
using automata::StateId;

// Beyond this, sharing in the automaton has made the unfolded type blow up.
constexpr std::size_t kMaxTypeBytes = std::size_t{64} << 20;

bool is_identifier(const std::string& text) {
  if (text.empty()) return false;
  const auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(text[0])) return false;
  for (const char c : text)
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

bool is_reserved(const std::string& text) { return text == "end" || text == "rec" || text == "sort"; }

// Gives every name of one kind a lim identifier, injectively.
class Renaming {
 public:
  explicit Renaming(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& operator()(const std::string& name) {
    auto [it, inserted] = chosen_.try_emplace(name);
    if (!inserted) return it->second;
    std::string candidate = name;
    if (!is_identifier(name) || is_reserved(name)) {
      candidate = prefix_;
      for (const char c : name) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        candidate += keep ? c : '_';
      }
    }
    for (std::string base = candidate; !used_.insert(candidate).second;)
      candidate = fmt::format("{}_{}", base, used_.size());
    if (candidate != name) renamed_.emplace_back(name, candidate);
    it->second = candidate;
    return it->second;
  }
  const std::vector<std::pair<std::string, std::string>>& renamed() const { return renamed_; }

 private:
  std::string prefix_;
  std::map<std::string, std::string> chosen_;
  std::set<std::string> used_;
  std::vector<std::pair<std::string, std::string>> renamed_;
};

class Writer {
 public:
  Writer(const automata::System& system, Diagnostics& diagnostics) : system_(system), diagnostics_(diagnostics) {}

  std::optional<std::string> run() {
    check_expressible();
    if (failed_) return std::nullopt;
    // Roles first, so that role names keep their spelling where possible.
    for (RoleId role = 0; role < system_.role_count(); ++role) roles_(system_.role_names[role]);
    std::string entries;
    for (RoleId role = 0; role < system_.role_count(); ++role) {
      if (system_.is_environment(role)) {
        entries += fmt::format("env {}: {}\n", roles_(system_.role_names[role]), alphabet(role));
        continue;
      }
      auto type = unfold(role);
      if (!type) return std::nullopt;
      entries += fmt::format("{}: {}\n", roles_(system_.role_names[role]), *type);
    }
    std::string text = "// Exported by lim (lim export --to lim).\n";
    for (const auto* renaming : {&roles_, &labels_, &sorts_})
      for (const auto& [from, to] : renaming->renamed()) text += fmt::format("// '{}' is written {}\n", from, to);
    for (const auto& sort : declared_sorts_) text += fmt::format("sort {};\n", sort);
    return text + entries;
  }

 private:
  const SourceLocation& role_location(RoleId role) const {
    static const SourceLocation unknown;
    return role < system_.role_locations.size() ? system_.role_locations[role] : unknown;
  }

  // An environment is given by what it may send: `env net: a⊕{x, y} | b⊕z`.
  std::string alphabet(RoleId role) {
    std::map<RoleId, std::vector<std::string>> sends;
    for (const auto& transition : system_.machines[role].transitions())
      if (transition.action.direction == Direction::Send) {
        auto& labels = sends[transition.action.peer];
        const auto message = labels_(system_.labels.name(transition.action.label)) + payload(transition.action.payload);
        if (std::find(labels.begin(), labels.end(), message) == labels.end()) labels.push_back(message);
      }
    if (sends.empty()) return "end";
    std::string text;
    for (const auto& [peer, labels] : sends) {
      if (!text.empty()) text += " | ";
      text += roles_(system_.role_names[peer]) + "⊕" +
              (labels.size() == 1 ? labels.front() : fmt::format("{{{}}}", fmt::join(labels, ", ")));
    }
    return text;
  }

  void check_expressible() {
    for (RoleId role = 0; role < system_.role_count(); ++role) {
      if (system_.is_environment(role)) continue;  // written as its alphabet
      const auto& machine = system_.machines[role];
      for (StateId state = 0; state < machine.state_count(); ++state) {
        const auto outgoing = machine.outgoing(state);
        std::set<automata::LabelId> labels;
        for (const auto& transition : outgoing) {
          const auto& first = outgoing.front().action;
          const auto& action = transition.action;
          std::string problem;
          if (action.direction == Direction::Timeout)
            problem = "has a timeout, which export does not write (the spec itself is lim)";
          else if (action.guard != automata::kNoGuard)
            problem = "has guarded branches, which export does not write (the spec itself is lim)";
          else if (action.direction != first.direction)
            problem = "both sends and receives";
          else if (action.peer != first.peer)
            problem = action.direction == Direction::Send ? "sends to several roles" : "receives from several roles";
          else if (!labels.insert(action.label).second)
            problem = fmt::format("offers the label '{}' twice", system_.labels.name(action.label));
          else if (system_.sorts.is_session(action.payload) && system_.sorts.session_type(action.payload).empty())
            problem = "has a session-type payload too large to write as a closed type";
          if (problem.empty()) continue;
          diagnostics_.error(transition.location.known() ? transition.location : role_location(role),
                             fmt::format("cannot write role '{}' as a local type: its state {} {} ({})",
                                         system_.role_names[role], machine.graph[state].name, problem,
                                         system_.describe_state(role, state)));
          failed_ = true;
          break;
        }
      }
    }
  }

  std::string payload(automata::SortId sort) {
    const std::string& display = system_.sorts.display(sort);
    if (display.empty()) return "";
    // A session type, closed (closed_payload.hpp): `m(t)` under `μ(t)` is
    // the recursive type, not a sort named t.
    if (system_.sorts.is_session(sort)) return "(" + system_.sorts.session_type(sort) + ")";
    if (!syntax::builtin_sort(display).empty()) return "(" + display + ")";
    const std::string& name = sorts_(display);
    if (declared_set_.insert(name).second) declared_sorts_.push_back(name);
    return "(" + name + ")";
  }

  // The machine's unfolding from its initial state, depth first, with an
  // explicit stack: machines of 10^5 states must not exhaust the C++ stack.
  // A state on the current path closes a loop and binds `rec` where it was
  // opened, which is only known once its subtree is done; the walk is made
  // twice, once to learn which openings bind `rec` and once to write the
  // text front to back, so that the time is linear in the text's length.
  std::optional<std::string> unfold(RoleId role) {
    std::vector<char> binds;  // per opening, in walk order: does a loop return to it?
    std::size_t size = 0;
    walk(role, binds, nullptr, size);
    if (size > kMaxTypeBytes) {
      diagnostics_.error(role_location(role),
                         fmt::format("the local type of role '{}' unfolds to more than {} MiB: its automaton "
                                     "shares too many states to be written as a type",
                                     system_.role_names[role], kMaxTypeBytes >> 20));
      return std::nullopt;
    }
    std::string text;
    text.reserve(size);
    walk(role, binds, &text, size);
    return text;
  }

  // One walk of the unfolding: records `binds` (first walk, `out` null) or
  // writes the text (second walk), adding the bytes to `size` (first walk);
  // the first walk stops once `size` passes kMaxTypeBytes.
  void walk(RoleId role, std::vector<char>& binds, std::string* out, std::size_t& size) {
    const auto& machine = system_.machines[role];
    struct Frame {
      StateId state;
      std::size_t opening;  // index into binds
      std::size_t next = 0;
    };
    std::vector<Frame> stack;
    std::vector<std::int64_t> on_path(machine.state_count(), -1);
    std::size_t openings = 0;
    const auto emit = [&](std::string_view piece) {
      if (out) out->append(piece);
      else size += piece.size();
    };
    const auto open = [&](StateId state) {
      if (on_path[state] >= 0) {
        if (!out) binds[stack[static_cast<std::size_t>(on_path[state])].opening] = 1;
        emit(fmt::format("t{}", state));
        return;
      }
      const auto outgoing = machine.outgoing(state);
      if (outgoing.empty()) {
        emit("end");
        return;
      }
      if (!out) binds.push_back(0);
      const auto& head = outgoing.front().action;
      if (binds[openings]) emit(fmt::format("rec t{} . ", state));
      emit(roles_(system_.role_names[head.peer]));
      emit(head.direction == Direction::Send ? "⊕" : "&");
      if (outgoing.size() > 1) emit("{ ");
      on_path[state] = static_cast<std::int64_t>(stack.size());
      stack.push_back(Frame{state, openings++, 0});
    };
    open(machine.initial);
    while (!stack.empty() && (out || size <= kMaxTypeBytes)) {
      Frame& frame = stack.back();
      const auto outgoing = machine.outgoing(frame.state);
      if (frame.next < outgoing.size()) {
        const auto& transition = outgoing[frame.next];
        if (frame.next > 0) emit(", ");
        emit(labels_(system_.labels.name(transition.action.label)));
        emit(payload(transition.action.payload));
        emit(" . ");
        ++frame.next;
        open(transition.target);  // may push: `frame` is not used after this
        continue;
      }
      if (outgoing.size() > 1) emit(" }");
      on_path[frame.state] = -1;
      stack.pop_back();
    }
  }

  const automata::System& system_;
  Diagnostics& diagnostics_;
  bool failed_ = false;
  Renaming roles_{"p"};
  Renaming labels_{"l"};
  Renaming sorts_{"S"};
  std::vector<std::string> declared_sorts_;
  std::set<std::string> declared_set_;
};

}  // namespace

std::optional<std::string> write_lim(const automata::System& system, Diagnostics& diagnostics) {
  return Writer(system, diagnostics).run();
}

}  // namespace lim::formats
