#pragma once
// kmc's session-type syntax (REFERENCE §5), one local type per role:
//
//   C: rec x . S!req; S!data<int>; {S?ko; x, S?ok; end}
//
// `p!l<pl>;` sends label l (payload pl) to p, `p?l;` receives, `{T, …}` is
// a choice (its branches start with actions), `rec x . T` / `x` recursion,
// `end`; `--` and `/* */` comments. Unlike kmc, role names may be lower case
// and contain digits (`worker1: master?job; end`).
//
// Translation to CFSMs gives every syntactic position its own state: kmc
// names states by concatenating labels and so merges distinct paths whose
// label strings happen to coincide (REFERENCE §3); lim never does.
//
// Files kmc accepts but that mean nothing sensible are located errors here:
// a partner that is not a role of the file, a role talking to itself,
// unguarded recursion, a choice branch that is `end` or a bare variable.
// A role declared `B: end` is kept: kmc's own tests use such roles as
// partners that never answer, and the verdicts then report what goes wrong.
#include <optional>

#include "lim/automata/system.hpp"
#include "lim/syntax/diagnostic.hpp"
#include "lim/syntax/source.hpp"

namespace lim::formats {

std::optional<automata::System> read_kmc_session_types(const SourceFile& file, Diagnostics& diagnostics);

}  // namespace lim::formats
