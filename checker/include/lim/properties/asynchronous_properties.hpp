#pragma once
// The asynchronous properties of k-multiparty compatibility (REFERENCE §4;
// Lange & Yoshida, CAV 2019, and kmc's CFSM.hs, whose definitions these
// follow one by one) and two of lim's own, over the k-bounded state space.
//
// Each per-component function returns the breadth-first-first violating
// configuration, so the run leading to it (BFS parent links) is a shortest
// one. BoundedAnalysis explores every independent component at one bound k
// and combines the component verdicts into the system's.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lim/explore/explorer.hpp"
#include "lim/properties/asynchronous_trace.hpp"
#include "lim/properties/graph_analysis.hpp"
#include "lim/properties/state_storage.hpp"
#include "lim/properties/violation_screen.hpp"
#include "lim/report/verdict.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace lim::properties {

enum class AsyncProperty {
  Csa,              // deterministic, no mixed states (kmc checks only the latter)
  Directedness,     // each state sends to / receives from one partner (kmc's "basic")
  KObi,             // k-output bounded independence
  KSibi,            // k-strong input bounded independence
  KCibi,            // k-channel input bounded independence (kmc's kinputindepChanSize)
  KExhaustivity,
  KSafety,          // eventual reception and progress
  KMc,              // k-exhaustive and k-safe; over a range of k, kmc's iterative rule
  DeadlockFreedom,  // no reachable configuration without moves unless all final with empty queues
  OrphanMessages,   // no reachable final configuration with messages left in queues
};

const std::vector<AsyncProperty>& all_async_properties();
// What `lim check --k …` checks without --props: all but k-cibi, whose
// kmc definition quantifies over paths and is only worth its cost on request.
const std::vector<AsyncProperty>& default_async_properties();
std::string_view name(AsyncProperty property);  // "csa", "k-safety", "async-deadlock-freedom", …
std::optional<AsyncProperty> parse_async_property(std::string_view name);
// csa and directedness are properties of the automata, whatever k.
bool depends_on_k(AsyncProperty property);

// ---- properties of the automata --------------------------------------------------
report::PropertyResult check_csa(const automata::System& system);
report::PropertyResult check_directedness(const automata::System& system);
// kmc's isBasic: directed and no mixed states. With it, k-MC needs no k-OBI
// or k-SIBI/k-CIBI side condition. Like csa and directedness, it does not
// look at environment roles (whose one state is mixed by design).
bool is_basic(const automata::System& system);
// Whether CAV 2019's Theorem 1 (k-MC with the side conditions ⇒ safety for
// unbounded queues) can speak about the system at all: it has no
// environment role, no guarded copies of one receive and no timeout. The side
// conditions above exempt environments and count copies as one receive, as
// the least-k rule needs; a caller that concludes safety for unbounded
// queues must ask this too (docs/asynchronous.md).
bool unbounded_theorem_applies(const automata::System& system);

// ---- one explored component -------------------------------------------------------
struct Violation {
  explore::StateIndex at = 0;                     // the violating configuration
  std::vector<explore::EdgeIndex> continuation;   // a run from `at` that shows it, if any
  std::string explanation;
};

std::optional<Violation> find_k_exhaustivity_violation(const ComponentSpace& component, const ReverseGraph& reverse);
std::optional<Violation> find_k_safety_violation(const ComponentSpace& component, const ReverseGraph& reverse);
std::optional<Violation> find_k_obi_violation(const ComponentSpace& component);
std::optional<Violation> find_k_sibi_violation(const ComponentSpace& component, const ReverseGraph& reverse);
std::optional<Violation> find_k_cibi_violation(const ComponentSpace& component);
// Whether each role's current receive (if any) is the only one enabled: the
// first clause of both k-SIBI and k-CIBI.
std::optional<Violation> find_input_race(const ComponentSpace& component);

// Configurations that end a run: `any` is the BFS-first one, `bad` the
// BFS-first one that violates the property (with its explanation).
struct TerminalConfigurations {
  std::optional<explore::StateIndex> any;
  std::optional<explore::StateIndex> bad;
  std::string explanation;
};
// Without moves; bad: not every role final with every queue empty.
// With environment roles: no non-environment role can move, there or after
// moves of the environments alone; bad: a non-environment role is not final,
// or a queue between two non-environment roles holds messages. `reverse` is
// used when the component has an environment (built if null).
TerminalConfigurations find_stuck_configurations(const ComponentSpace& component,
                                                 const ReverseGraph* reverse = nullptr);
// Every role final; bad: some queue still holds messages. Environments need
// not be final, and queues from or to them do not count.
TerminalConfigurations find_final_configurations(const ComponentSpace& component);

// ---- the whole system at one bound -------------------------------------------------
// The store (state_storage.hpp): the graph for k-safety, k-exhaustivity and
// k-sibi (what some path reaches from each configuration), k-cibi (paths
// searched) and deadlock freedom with an environment (what environment
// moves lead to); the compact one serves k-obi, orphan messages and
// deadlock freedom without environments.
// Whether the property is decided by which configurations are reachable
// (and whether they have moves), with no look at the edges.
bool is_reachability_property(AsyncProperty property, const automata::System& system);
// The store an exploration for these properties uses: Graph or Compact.
StateStorage storage_for(StateStorage requested, const std::vector<AsyncProperty>& properties,
                         const automata::System& system);

struct AsyncProgress {
  unsigned k = 0;
  std::size_t component = 0;   // 0-based
  std::size_t components = 1;
  explore::ProgressReport exploration;
};

struct AsyncExploreOptions {
  // max_states bounds each exploration; time and memory are the check's
  // budget (support/budget.hpp), made from these limits (the deadline
  // counted from `start`) unless one is in force already.
  explore::Limits limits;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::function<void(const AsyncProgress&)> progress;
  double progress_interval = 1.0;
  // Explore independent components separately (exact; see
  // independent_components.hpp). Off: one product state space.
  bool decompose = true;
  // Graph unless resolved by storage_for(): a BoundedAnalysis cannot tell
  // which properties will be asked of it. A screened analysis always keeps
  // the graph (its witnesses are graph states).
  StateStorage storage = StateStorage::Automatic;
  // Partial-order reduction (semantics/ample_sets.hpp, `lim check --por`):
  // whether it is wanted, and — resolved by reduction_for()
  // (partial_order.hpp) — the properties it must preserve. A reduced
  // analysis explores with the compact store and answers only those.
  // Off by default: a reduced exploration reaches every violation, but its
  // counterexamples are shortest only among the interleavings it keeps.
  bool partial_order = false;
  std::vector<AsyncProperty> reduce_for;  // Threads of a compact exploration (explore::ExploreOptions::threads):
  // 2 pipelines it on two cores once it is large, with the same results.
  unsigned threads = 1;
};

// What a BoundedAnalysis may stop early for (violation_screen.hpp): once
// every goal has one of its refutations, the remaining exploration is
// skipped (completion() == Stopped) and only refuted properties are decided.
struct Screening {
  Refutation watch = Refutation::None;
  std::vector<Refutation> goals;
};

class BoundedAnalysis {
 public:
  BoundedAnalysis(const automata::System& system, unsigned k, const AsyncExploreOptions& options,
                  const Screening& screening = {});
  ~BoundedAnalysis();
  BoundedAnalysis(const BoundedAnalysis&) = delete;
  BoundedAnalysis& operator=(const BoundedAnalysis&) = delete;

  unsigned bound() const { return k_; }
  // Complete unless a resource limit stopped some exploration.
  explore::Completion completion() const { return completion_; }
  bool complete() const { return completion_ == explore::Completion::Complete; }
  std::size_t component_count() const;
  std::size_t states() const;       // summed over components
  std::size_t transitions() const;
  double seconds() const { return seconds_; }
  // Whether the explorations were reduced (partial-order reduction).
  bool reduced() const { return !reduced_for_.empty(); }

  // The property at this k (Holds, Violated with a shortest counterexample,
  // or Inconclusive when the exploration is incomplete). Cached.
  report::PropertyResult check(AsyncProperty property);
  bool holds(AsyncProperty property) { return check(property).verdict == report::Verdict::Holds; }
  // kmc's side conditions for k-MC at this k: basic, or k-OBI and (k-SIBI or k-CIBI).
  bool side_conditions_hold();

 private:
  struct Component;
  report::PropertyResult conjunction(AsyncProperty property,
                                     const std::function<std::optional<Violation>(Component&)>& find);
  report::PropertyResult terminal(AsyncProperty property,
                                  const std::function<TerminalConfigurations(Component&)>& find);
  report::PropertyResult compute(AsyncProperty property);
  report::PropertyResult screened(AsyncProperty property);

  const automata::System& system_;
  unsigned k_;
  std::vector<std::unique_ptr<Component>> components_;
  explore::Completion completion_ = explore::Completion::Complete;
  double seconds_ = 0;
  std::size_t held_bytes_ = 0;  // counted against the check's memory budget
  std::vector<AsyncProperty> reduced_for_;  // empty: explored in full
  std::vector<std::optional<report::PropertyResult>> cache_;
};

// ---- least k ------------------------------------------------------------------------
// Every property is checked for k = from, from+1, …, to:
//  * k-mc follows kmc's iterative rule: at the first k where the side
//    conditions and k-exhaustivity hold, it is k-safety at that k (holds, or
//    violated "false@k"); with no such k it is Unknown ("I don't know").
//  * any other property reports the least k at which it holds, or its
//    counterexample at `to` when it holds for no k of the range.
// A resource limit makes what is still undecided Inconclusive.
struct LeastKReport {
  std::vector<report::PropertyResult> results;  // in the order asked
  unsigned last_k = 0;                           // the largest k explored
  std::size_t states = 0;                        // stored at the last k explored
  std::size_t transitions = 0;
  double seconds = 0;                            // exploring, over every k
  explore::Completion completion = explore::Completion::Complete;
  // The bounds explored, in order, and whether each exploration was reduced
  // (a screened bound keeps the graph and every interleaving).
  std::vector<std::pair<unsigned, bool>> reduced_at;
};
LeastKReport check_least_k(const automata::System& system, const std::vector<AsyncProperty>& properties,
                           unsigned from, unsigned to, const AsyncExploreOptions& options);

}  // namespace lim::properties
