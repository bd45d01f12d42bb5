#pragma once
// The CFSM format of kmc's `--fsm` mode and of GMC/ChorGram (REFERENCE §5):
// one block per machine, machines numbered 0, 1, 2, … in file order.
//
//   .outputs
//   .state graph
//   q0 1 ! req q1        state, partner index, ! or ?, label[<payload>], next state
//   .marking q0          initial state
//   .end
//
// `--` and `/* */` comments. `.outputs NAME` (on one line) names the role;
// otherwise roles are named by their index, as kmc does.
//
// Located errors for what kmc accepts silently: a partner index that is not
// a machine of the file, a machine sending to itself, an initial state that
// occurs in no transition. A machine without transitions, which kmc's
// grammar rejects, is an error too.
#include <optional>

#include "lim/automata/system.hpp"
#include "lim/syntax/diagnostic.hpp"
#include "lim/syntax/source.hpp"

namespace lim::formats {

std::optional<automata::System> read_gmc_fsm(const SourceFile& file, Diagnostics& diagnostics);

}  // namespace lim::formats
