#pragma once
// Questions about guards, answered by Z3 over fixed-width bit-vectors:
// "is there a payload and a state of the role in which these guards hold
// and those do not?" — which is all that satisfiability, disjointness and
// exhaustiveness need. One solver is reused for every query (each query is
// pushed, checked and popped), and answers are cached by the query's
// formula, which Z3 shares structurally: a predicate used in many states of
// a spec is decided once.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lim/refine/refinements.hpp"

namespace z3 {
class expr;
class model;
}  // namespace z3

namespace lim::refine {

class SolverWatchdog;

// Values that make a query true, for the user and for replaying: `payload`
// and `state` hold every field and state variable (in declaration order),
// `shown` only those the query's guards read, with the spec's names.
struct Witness {
  std::vector<std::uint64_t> payload;
  std::vector<std::uint64_t> state;
  std::vector<std::pair<std::string, std::uint64_t>> shown;
  // `s.seq=4294967295 rcv_nxt=0 rcv_wnd=10`
  std::string text() const;
};

struct QueryResult {
  enum class Answer { Satisfiable, Unsatisfiable, Unknown };
  Answer answer = Answer::Unknown;
  std::optional<Witness> witness;  // when Satisfiable
  std::string reason;              // when Unknown (Z3's reason, e.g. "timeout")
};

struct SolverStatistics {
  std::size_t queries = 0;
  std::size_t cache_hits = 0;
  std::size_t solver_calls = 0;
  double seconds = 0;  // time spent in the solver
};

class GuardSolver {
 public:
  // `per_query` bounds each solver call; an answer that takes longer is
  // Unknown. The check's budget in force (support/budget.hpp) bounds every
  // call too, and a query asked past its deadline throws BudgetExhausted. The solver keeps a reference to `refinements`, whose guards it
  // encodes once each: guards may be appended, never changed or removed.
  explicit GuardSolver(const Refinements& refinements,
                       std::chrono::milliseconds per_query = std::chrono::milliseconds(10000));
  ~GuardSolver();
  GuardSolver(const GuardSolver&) = delete;
  GuardSolver& operator=(const GuardSolver&) = delete;

  // Some payload and state make every guard of `all` true and every guard of
  // `none` false. All guards must belong to one role and read one payload
  // shape (they are branches of one label in one state). With `readable`, a
  // witness is searched with small values first (a few more solver calls,
  // worth it for counterexamples people read).
  QueryResult check(std::span<const GuardId> all, std::span<const GuardId> none = {}, bool readable = false);

  const SolverStatistics& statistics() const { return statistics_; }

 private:
  struct Z3State;
  QueryResult solve(const z3::expr& formula, const Guard& first);
  Witness witness_of(const z3::model& model, const Guard& first);
  void make_readable(const z3::expr& formula, std::span<const GuardId> all, std::span<const GuardId> none,
                     const Guard& first, QueryResult& result);
  std::vector<std::pair<std::string, std::uint64_t>> shown_values(std::span<const GuardId> all,
                                                                  std::span<const GuardId> none,
                                                                  const Witness& witness) const;

  void arm_timeout();
  // The solver's check, under the watchdog.
  QueryResult::Answer run_check();

  const Refinements& refinements_;
  std::chrono::milliseconds per_query_;
  unsigned armed_ = 0;  // the timeout the solver has, in ms (0: none set yet)
  std::unique_ptr<Z3State> z3_;
  std::unique_ptr<SolverWatchdog> watchdog_;  // started by the first solver call
  bool interrupted_ = false;  // the watchdog interrupted z3_'s context: replace it
  SolverStatistics statistics_;
};

}  // namespace lim::refine
