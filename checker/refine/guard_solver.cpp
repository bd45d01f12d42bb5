#include "lim/refine/guard_solver.hpp"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "lim/support/budget.hpp"
#include "solver_watchdog.hpp"
#include "z3_encoding.hpp"

namespace lim::refine {

std::string Witness::text() const {
  std::string out;
  for (const auto& [name, value] : shown) out += fmt::format("{}{}={}", out.empty() ? "" : " ", name, value);
  return out.empty() ? "any values" : out;
}

namespace {

// Pops what a query pushed however the query ends: a Z3 exception must not
// leave assertions behind for the next query.
class Scope {
 public:
  explicit Scope(z3::solver& solver) : solver_(solver) { solver_.push(); }
  ~Scope() { solver_.pop(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  z3::solver& solver_;
};

}  // namespace

struct GuardSolver::Z3State {
  explicit Z3State(const Refinements& refinements) : encoder(context, refinements), solver(context) {}
  z3::context context;
  Z3Encoder encoder;
  z3::solver solver;
  std::vector<std::optional<z3::expr>> guards;  // encoded on first use, by GuardId
  struct Cached {
    z3::expr formula;  // held so that its id is not recycled
    QueryResult result;
    bool readable_tried = false;  // make_readable has run on `result`
  };
  std::unordered_map<unsigned, Cached> cache;  // by the formula's AST id
};

GuardSolver::GuardSolver(const Refinements& refinements, std::chrono::milliseconds per_query)
    : refinements_(refinements), per_query_(per_query), z3_(std::make_unique<Z3State>(refinements)) {}

// Each call may take `per_query`, and no call may outlast the check's
// deadline (support/budget.hpp): past it, the query is not asked at all.
void GuardSolver::arm_timeout() {
  auto milliseconds = static_cast<std::uint64_t>(per_query_.count());
  if (auto* budget = current_budget()) {
    budget->check();
    if (const auto remaining = budget->remaining_seconds())
      milliseconds = std::min(milliseconds, static_cast<std::uint64_t>(*remaining * 1000.0) + 1);
  }
  const auto value = static_cast<unsigned>(std::min<std::uint64_t>(milliseconds, ~0U));
  if (value == armed_) return;
  z3::params parameters(z3_->context);
  parameters.set("timeout", value);
  z3_->solver.set(parameters);
  armed_ = value;
}

GuardSolver::~GuardSolver() = default;

QueryResult::Answer GuardSolver::run_check() {
  // Z3's timer should answer Unknown after armed_ ms; past that and a grace
  // period the watchdog interrupts the check, which Z3 also answers with
  // Unknown. An interrupted context is not trusted with later queries (its
  // cancellation may persist): the next query starts a fresh one.
  if (!watchdog_) watchdog_ = std::make_unique<SolverWatchdog>();
  const auto timeout = std::chrono::milliseconds(armed_);
  watchdog_->arm(z3_->context, SolverWatchdog::Clock::now() + timeout + timeout / 4 + std::chrono::milliseconds(100));
  z3::check_result answer = z3::unknown;
  try {
    answer = z3_->solver.check();
  } catch (...) {
    interrupted_ = watchdog_->disarm() || interrupted_;
    throw;
  }
  interrupted_ = watchdog_->disarm() || interrupted_;
  if (answer == z3::sat) return QueryResult::Answer::Satisfiable;
  return answer == z3::unsat ? QueryResult::Answer::Unsatisfiable : QueryResult::Answer::Unknown;
}

QueryResult GuardSolver::check(std::span<const GuardId> all, std::span<const GuardId> none, bool readable) {
  ++statistics_.queries;
  if (all.empty() && none.empty()) return {QueryResult::Answer::Satisfiable, Witness{}, {}};
  if (interrupted_) {
    // Every expression of the old context is gone with the last query.
    z3_ = std::make_unique<Z3State>(refinements_);
    armed_ = 0;
    interrupted_ = false;
  }
  const Guard& first = refinements_.guards.at(all.empty() ? none.front() : all.front());
  try {
    const auto encoded = [&](GuardId id) -> const z3::expr& {
      if (z3_->guards.size() <= id) z3_->guards.resize(id + 1);
      auto& slot = z3_->guards[id];
      if (!slot) {
        const Guard& guard = refinements_.guards.at(id);
        if (guard.role != first.role || !(guard.payload == first.payload))
          throw std::invalid_argument("guards of one query must share their role and payload");
        slot = z3_->encoder.encode(guard.program, guard.role, guard.payload);
      }
      return *slot;
    };
    z3::expr formula = z3_->context.bool_val(true);
    for (const GuardId id : all) formula = formula && encoded(id);
    for (const GuardId id : none) formula = formula && !encoded(id);
    auto hit = z3_->cache.find(formula.id());
    if (hit != z3_->cache.end() && (!readable || hit->second.readable_tried ||
                                    hit->second.result.answer != QueryResult::Answer::Satisfiable)) {
      ++statistics_.cache_hits;
    } else {
      if (hit == z3_->cache.end()) {
        hit = z3_->cache.emplace(formula.id(), Z3State::Cached{formula, solve(formula, first), false}).first;
      }
      if (readable && hit->second.result.answer == QueryResult::Answer::Satisfiable) {
        hit->second.readable_tried = true;
        make_readable(formula, all, none, first, hit->second.result);
      }
    }
    QueryResult result = hit->second.result;
    if (result.witness) result.witness->shown = shown_values(all, none, *result.witness);
    return result;
  } catch (const z3::exception& error) {
    return {QueryResult::Answer::Unknown, std::nullopt, error.msg()};
  }
}

QueryResult GuardSolver::solve(const z3::expr& formula, const Guard& first) {
  ++statistics_.solver_calls;
  const auto start = std::chrono::steady_clock::now();
  QueryResult result;
  {
    const Scope scope(z3_->solver);
    z3_->solver.add(formula);
    arm_timeout();
    result.answer = run_check();
    if (result.answer == QueryResult::Answer::Satisfiable)
      result.witness = witness_of(z3_->solver.get_model(), first);
    else if (result.answer == QueryResult::Answer::Unknown)
      result.reason = z3_->solver.reason_unknown();
  }
  statistics_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

Witness GuardSolver::witness_of(const z3::model& model, const Guard& first) {
  Witness witness;
  const std::size_t fields = refinements_.size(first.payload);
  for (std::uint32_t field = 0; field < fields; ++field)
    witness.payload.push_back(z3_->encoder.value(model, z3_->encoder.payload(first.payload, field)));
  const auto& variables = refinements_.state_of(first.role);
  for (std::uint32_t variable = 0; variable < variables.size(); ++variable)
    witness.state.push_back(z3_->encoder.value(model, z3_->encoder.state(first.role, variable)));
  return witness;
}

// Z3's first model is correct but often unreadable (rcv_wnd=3468591104).
// People read counterexamples, so a violation's witness is searched again,
// greedily: each variable the guards read in turn is asked to lie close to 0
// modulo its width — non-negative first, then also just below 0 (which keeps
// 4294967295, i.e. -1, available: wrap-around is often the point) — within
// 16, then within 65536, keeping every request the solver can meet. A variable that must be large stays large
// (a segment at distance 2^31 from RCV.NXT), the others become small.
void GuardSolver::make_readable(const z3::expr& formula, std::span<const GuardId> all, std::span<const GuardId> none,
                                const Guard& first, QueryResult& result) {
  std::vector<z3::expr> variables;
  std::vector<unsigned> seen;
  const auto consider = [&](const z3::expr& variable) {
    if (!variable.is_bv() || std::find(seen.begin(), seen.end(), variable.id()) != seen.end()) return;
    seen.push_back(variable.id());
    variables.push_back(variable);
  };
  for (const auto group : {all, none}) {
    for (const GuardId id : group) {
      const Guard& guard = refinements_.guards.at(id);
      for (const auto field : guard.program.payload_fields()) consider(z3_->encoder.payload(first.payload, field));
      for (const auto variable : guard.program.state_variables()) consider(z3_->encoder.state(first.role, variable));
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const Scope query(z3_->solver);
  z3_->solver.add(formula);
  std::vector<std::unique_ptr<Scope>> kept;  // the requests met so far
  std::optional<z3::model> model;
  for (const auto& variable : variables) {
    const unsigned bits = variable.get_sort().bv_size();
    // Small and non-negative first (a length of 2 reads better than -8).
    struct Range {
      std::uint64_t below;  // values in [-below, 0)
      std::uint64_t above;  // values in [0, above]
    };
    for (const Range range : {Range{0, 16}, Range{16, 16}, Range{0, 65536}, Range{65536, 65536}}) {
      if (bits < 64 && range.below + range.above >= (std::uint64_t{1} << bits) - 1) break;  // no constraint
      auto request = std::make_unique<Scope>(z3_->solver);
      z3_->solver.add(z3::ule(variable + z3_->context.bv_val(range.below, bits),
                              z3_->context.bv_val(range.below + range.above, bits)));
      ++statistics_.solver_calls;
      arm_timeout();
      if (run_check() == QueryResult::Answer::Satisfiable) {
        model = z3_->solver.get_model();
        kept.push_back(std::move(request));
        break;
      }
    }
  }
  if (model) result.witness = witness_of(*model, first);
  // Innermost first, so that each Scope pops its own push.
  while (!kept.empty()) kept.pop_back();
  statistics_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<std::pair<std::string, std::uint64_t>> GuardSolver::shown_values(std::span<const GuardId> all,
                                                                             std::span<const GuardId> none,
                                                                             const Witness& witness) const {
  // The variables the guards read, named as the spec names them: payload
  // fields through the first binder given, then state variables.
  std::vector<std::uint32_t> fields;
  std::vector<std::uint32_t> variables;
  const Guard* named = nullptr;
  for (const auto group : {all, none}) {
    for (const GuardId id : group) {
      const Guard& guard = refinements_.guards.at(id);
      if (named == nullptr || (named->binder.empty() && !guard.binder.empty())) named = &guard;
      for (const auto field : guard.program.payload_fields()) fields.push_back(field);
      for (const auto variable : guard.program.state_variables()) variables.push_back(variable);
    }
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  std::sort(variables.begin(), variables.end());
  variables.erase(std::unique(variables.begin(), variables.end()), variables.end());
  std::vector<std::pair<std::string, std::uint64_t>> shown;
  for (const auto field : fields) shown.emplace_back(refinements_.payload_name(*named, field), witness.payload.at(field));
  const auto& state = refinements_.state_of(named->role);
  for (const auto variable : variables) shown.emplace_back(state.at(variable).name, witness.state.at(variable));
  return shown;
}

}  // namespace lim::refine
