#pragma once
// `lim gen cpp`: the typestate C++ API of one role of a verified protocol.
//
// The header has one class per automaton state (all final states share one
// `End` class). A sending state has one `[[nodiscard]]`, rvalue-qualified
// method per alternative, `send_<label>(peer, payload) &&`, returning the next
// state; a receiving state with a single alternative has
// `receive_<label>() &&`, returning {payload, next}; a receiving state with
// several (or a timeout branch) has `offer() &&`, returning a std::variant of
// one struct per alternative, so that a handler is one flat std::visit
// however many branches there are. An action the state does not offer is a
// compile error. Every method drives the monitored engine (Endpoint), so the
// peers are still checked at run time.
#include <map>
#include <string>
#include <vector>

#include "lim/runtime/gate/protocol.hpp"

namespace lim::runtime {

struct CppGeneratorOptions {
  std::string role;
  // Empty: lim_generated::<spec file stem>::<role>.
  std::string name_space;
  // The C++ type of each opaque sort (`sort Video;`); unbound ones are
  // lim::runtime::Payload (JSON). A bound type needs nlohmann to_json/from_json.
  std::map<std::string, std::string> sort_types;
  // Headers the bound types need (`"video.hpp"` or `<app/video.hpp>`).
  std::vector<std::string> includes;
  // How it was made, for the header's first comment.
  std::string command;
};

// Throws std::invalid_argument for an unknown role, or a sort binding for a
// sort the role does not use.
std::string generate_cpp(const Protocol& protocol, const CppGeneratorOptions& options);

}  // namespace lim::runtime
