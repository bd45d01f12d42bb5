// Safety (mpstk): whenever p can send to q and q can receive from p, every
// message p may send is one q accepts (label and payload subtyping).
#include <fmt/format.h>

#include "lim/properties/synchronous_properties.hpp"
#include "lim/properties/synchronous_trace.hpp"
#include "lim/support/budget.hpp"

namespace lim::properties {
namespace {

using automata::Direction;
using automata::RoleId;

// The first unmatched send at this configuration: the explanation and the
// receiver that refuses it; nothing when every send is matched.
std::optional<std::pair<std::string, RoleId>> unmatched_send(const SynchronousSemantics& semantics, const std::vector<std::uint32_t>& configuration) {
  const auto& system = semantics.system();
  for (const RoleId sender : semantics.roles()) {
    for (const auto& send : system.machines[sender].outgoing(semantics.state_of(configuration, sender))) {
      if (send.action.direction != Direction::Send) continue;
      const RoleId receiver = send.action.peer;
      bool receives_from_sender = false;
      bool accepted = false;
      std::string accepted_labels;
      for (const auto& receive : system.machines[receiver].outgoing(semantics.state_of(configuration, receiver))) {
        if (receive.action.direction != Direction::Receive || receive.action.peer != sender) continue;
        receives_from_sender = true;
        accepted = accepted || semantics.matches(sender, send.action, receive.action);
        accepted_labels += (accepted_labels.empty() ? "" : ", ") + system.describe_label(receive.action);
      }
      if (receives_from_sender && !accepted)
        return std::pair(fmt::format("{} may send {} to {}, but {} only accepts {{{}}} from {} here",
                                     system.role_names[sender], system.describe_label(send.action),
                                     system.role_names[receiver], system.role_names[receiver], accepted_labels,
                                     system.role_names[sender]),
                         receiver);
    }
  }
  return std::nullopt;
}

// Looks only at configurations: the same on either store.
template <class Space>
report::PropertyResult check_safety_in(const SynchronousSemantics& semantics, const Space& space) {
  // Every stored configuration is known, expanded or not, and index order is
  // BFS order: the first violation found has a shortest trace.
  for (explore::StateIndex state = 0; state < space.size(); ++state) {
    poll_budget();
    auto unmatched = unmatched_send(semantics, space.configuration(state));
    if (!unmatched) continue;
    report::PropertyResult result;
    result.property = "safety";
    result.verdict = report::Verdict::Violated;
    result.counterexample = counterexample_at(semantics, space, state, std::move(unmatched->first));
    result.counterexample->role = semantics.system().role_names[unmatched->second];
    return result;
  }
  return no_violation_found("safety", space);
}

}  // namespace

report::PropertyResult check_safety(const SynchronousSemantics& semantics, const explore::StateSpace& space) {
  return check_safety_in(semantics, space);
}

report::PropertyResult check_safety(const SynchronousSemantics& semantics, const explore::CompactSpace& space) {
  return check_safety_in(semantics, space);
}

}  // namespace lim::properties
