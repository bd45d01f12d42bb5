#pragma once
// The data-aware parts of `lim check`: the guard checks as three properties
// (guards-satisfiable, guards-disjoint, guards-exhaustive) with one finding
// per violation, what each wildcard absorbs, and the environment messages a
// role leaves unhandled. Semantics-independent pieces take a System only, so
// the asynchronous pipeline can add them too.
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/properties/environment_gaps.hpp"
#include "lim/refine/guard_checks.hpp"
#include "lim/report/verdict.hpp"

namespace lim::pipeline {

// The three guard properties, and findings for their violations; nothing
// when the system has no guards.
void add_guard_checks(const automata::System& system, report::FileReport& report);
// The same from an already computed check (lim guards prints it too).
void add_guard_checks(const refine::GuardCheckReport& checks, report::FileReport& report);

// One finding per wildcard: the messages it absorbs in its state.
std::vector<report::Finding> wildcard_findings(const automata::System& system);

// One finding per role state that leaves environment messages unhandled.
std::vector<report::Finding> environment_findings(const automata::System& system,
                                                  const std::vector<properties::EnvironmentGap>& gaps);

}  // namespace lim::pipeline
