#pragma once
// A communicating system: one CFSM per role plus the tables that give the
// integers in actions their names. Every later stage (semantics, properties,
// reports, runtime) works on a System, whatever file format it came from.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lim/automata/cfsm.hpp"
#include "lim/automata/names.hpp"

namespace lim::refine {
struct Refinements;
}

namespace lim::automata {

// Payload sorts with the subtyping relation the synchronous semantics uses
// (REFERENCE §1). Sorts from formats without subtyping are only related to
// themselves.
class SortTable {
 public:
  // A new sort, related only to itself. `session`: for a session-type
  // payload, the type as a closed local type in lim syntax, which is what
  // an export writes (the display may name a recursion variable bound
  // outside the payload, closed_payload.hpp).
  SortId add(std::string display, std::optional<std::string> session = std::nullopt);
  const std::string& display(SortId sort) const { return displays_.at(sort); }
  bool is_session(SortId sort) const { return sessions_.at(sort).has_value(); }
  const std::string& session_type(SortId sort) const { return *sessions_.at(sort); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(displays_.size()); }
  // Records sub ≤ super (reflexivity is implicit).
  void set_subsort(SortId sub, SortId super);
  bool is_subsort(SortId sub, SortId super) const;
  // The sort shown as "" in traces: the implicit `end` payload.
  bool is_unit_like(SortId sort) const { return display(sort).empty(); }

 private:
  std::vector<std::string> displays_;
  std::vector<std::optional<std::string>> sessions_;
  std::vector<std::vector<bool>> subsort_;  // subsort_[sub][super]
};

// The deadline of a timeout branch: a constant, or the name of a spec
// constant / state variable (e.g. an RTO) resolved at run time.
struct TimeoutDuration {
  std::optional<std::uint64_t> milliseconds;
  std::string variable;
  SourceLocation location;
};

// A wildcard branch `_ . T` after translation: the messages it absorbs in
// one state, each a receive transition to T. A label the state also handles
// by guarded branches is absorbed only where none of their guards holds
// (`guard` is then that residual condition).
struct WildcardUse {
  RoleId role = 0;
  StateId state = 0;
  RoleId peer = 0;
  SourceLocation location;  // of the '_'
  struct Absorbed {
    LabelId label = 0;
    SortId payload = 0;
    GuardId guard = kNoGuard;
  };
  std::vector<Absorbed> absorbed;
};

// A transition of one machine, addressed system-wide.
struct TransitionRef {
  RoleId role = 0;
  std::uint32_t index = 0;  // into machines[role].transitions()
};

struct System {
  std::vector<std::string> role_names;  // display names, index = RoleId
  std::vector<SourceLocation> role_locations;
  std::vector<Cfsm> machines;           // index = RoleId
  NameTable labels;
  SortTable sorts;
  std::vector<TimeoutDuration> timeouts;  // indexed by the label of Timeout actions
  // Roles declared `env`: untrusted, they may send any message of their
  // alphabet at any time and accept anything. Index = RoleId; roles beyond
  // the vector's end are ordinary.
  std::vector<bool> environment;
  // Records, state variables and compiled guards (nullptr when the spec has
  // none); Action::guard indexes its guards.
  std::shared_ptr<const refine::Refinements> refinements;
  std::vector<WildcardUse> wildcards;

  bool is_environment(RoleId role) const { return role < environment.size() && environment[role]; }

  std::size_t role_count() const { return machines.size(); }
  const Transition& transition(TransitionRef ref) const {
    return machines[ref.role].transitions()[ref.index];
  }
  // `alice → shop: query(Str)` for a send/receive pair, `alice!shop:query(Str)` style
  // for single actions.
  std::string describe_message(RoleId from, RoleId to, LabelId label, SortId payload) const;
  std::string describe_action(RoleId role, const Action& action) const;
  // What a machine state offers, in local-type notation: `shop&{price(Int)}`,
  // `bob⊕{yes, no}`, `end`.
  std::string describe_state(RoleId role, StateId state) const;
  // `timeout(500ms)` / `timeout(rto)`.
  std::string describe_timeout(std::uint32_t timeout) const;
  // `label(Sort)`, or just `label` for the implicit `end` payload; a guarded
  // receive adds its guard: `ack(segment) if acceptable(s)`.
  std::string describe_label(const Action& action) const;
  // Freezes every machine (see Cfsm::freeze).
  void freeze();
};

}  // namespace lim::automata
