#pragma once
// Which receives of a role are enabled in a configuration: the first clause
// of k-SIBI and k-CIBI and the starting point of their second clauses.
// Private to checker/properties/.
#include <vector>

#include "async_support.hpp"

namespace lim::properties {

struct ReceiveOption {
  std::uint32_t global = 0;   // transition
  std::uint32_t channel = 0;  // the queue it reads
};

class ReceiveTable {
 public:
  explicit ReceiveTable(const ComponentSpace& component);

  // Receives of the role at `local` in machine state `state` that read an
  // existing queue (a receive from a role that never sends here never fires).
  // None for an environment role, which owes no input independence.
  const std::vector<ReceiveOption>& options(std::uint32_t local, automata::StateId state) const {
    return options_[local][state];
  }
  bool enabled(const FieldReader& read, explore::StateIndex state, const ReceiveOption& option) const {
    return read.length(state, option.channel) > 0 &&
           semantics_.accepts(option.global, read.head(state, option.channel));
  }
  // The enabled receives of a role, one per distinct message (kmc compares
  // labels, so duplicated transitions count once; guarded copies of one
  // receive count once too, see same_message). Empty for an environment.
  std::vector<ReceiveOption> enabled_actions(const FieldReader& read, explore::StateIndex state,
                                             std::uint32_t local) const;

 private:
  const semantics::AsynchronousSemantics& semantics_;
  std::vector<std::vector<std::vector<ReceiveOption>>> options_;
};

}  // namespace lim::properties
