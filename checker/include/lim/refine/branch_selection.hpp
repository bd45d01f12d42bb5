#pragma once
// The guard evaluator the runtime uses: which transition a received message
// takes. It runs the very programs refine/guard_checks proved satisfiable,
// disjoint and exhaustive, so the branch the runtime picks is the branch
// the checker reasoned about — there is no hand-written "picker".
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lim/automata/system.hpp"
#include "lim/refine/refinements.hpp"

namespace lim::refine {

// The receive transition (an index into the role's transitions) that a
// message `label` from `peer` takes in `state`: the unguarded one, or the
// guarded one whose guard holds for `payload` (the payload's values, in
// declaration order) and `state_values` (the role's state variables, in
// declaration order). std::nullopt when the state takes no such message —
// for a peer that follows the protocol, the exhaustiveness check rules that
// out. Throws std::out_of_range when the values are too few for a guard.
std::optional<std::uint32_t> select_branch(const automata::System& system, automata::RoleId role,
                                           automata::StateId state, automata::RoleId peer, automata::LabelId label,
                                           std::span<const std::uint64_t> payload,
                                           std::span<const std::uint64_t> state_values);

// A payload as guards see it, from its JSON form at run time: an object with
// one member per record field, a number for u8…u64, a boolean for bool.
// Values must fit their declared width. Returns std::nullopt and explains in
// `error` otherwise. A sort with no fixed width (Int, String, …) has no
// values: the result is empty whatever the JSON.
std::optional<std::vector<std::uint64_t>> payload_values(const Refinements& refinements, const PayloadShape& shape,
                                                         const nlohmann::json& payload, std::string& error);

// A role's state variables from a JSON object { "rcv_nxt": 5, … }, in
// declaration order; every variable must be present and fit its width.
std::optional<std::vector<std::uint64_t>> state_values(const Refinements& refinements, std::uint32_t role,
                                                       const nlohmann::json& values, std::string& error);

}  // namespace lim::refine
