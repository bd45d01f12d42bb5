#include "lim/runtime/gate/verification_gate.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>
#include <sstream>

#include <fmt/format.h>

#include "gate_state.hpp"
#include "lim/automata/csa.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/report/text_report.hpp"
#include "lim/runtime/gate/content_hash.hpp"

namespace lim::runtime {
namespace {

using Reason = VerificationFailed::Reason;

// What the monitor needs besides verification: a deterministic automaton per
// role (so that every action leads to one known state), no mixed states (a
// role either sends or waits), and payloads that are values.
void check_executable(const std::string& name, const automata::System& system) {
  std::vector<std::string> problems;
  for (const auto& found : automata::find_nondeterminism(system)) {
    const auto& machine = system.machines[found.role];
    const auto& transition = machine.transitions()[found.second];
    problems.push_back(fmt::format("{}:{}:{}: {} has two transitions {} from state {}: the runtime could not tell "
                                   "which state an action leads to",
                                   name, transition.location.line, transition.location.column,
                                   system.role_names[found.role], system.describe_action(found.role, transition.action),
                                   machine.graph[found.state].name));
  }
  for (const auto& found : automata::find_mixed_states(system)) {
    // An environment role may do anything at any time, by definition.
    if (system.is_environment(found.role)) continue;
    const auto& machine = system.machines[found.role];
    const auto location = machine.graph[found.state].location;
    problems.push_back(fmt::format("{}:{}:{}: {} both sends and receives in state {} ({})", name, location.line,
                                   location.column, system.role_names[found.role], machine.graph[found.state].name,
                                   system.describe_state(found.role, found.state)));
  }
  std::set<std::string> delegated;
  for (const auto& machine : system.machines)
    for (const auto& transition : machine.transitions())
      if (transition.action.direction != automata::Direction::Timeout &&
          payload_kind(system.sorts.display(transition.action.payload)) == PayloadKind::Session)
        delegated.insert(system.sorts.display(transition.action.payload));
  for (const auto& sort : delegated)
    problems.push_back(fmt::format("{}: the payload sort {} is a session type; the runtime does not delegate "
                                   "sessions",
                                   name, sort));
  if (problems.empty()) return;
  std::string report;
  for (const auto& problem : problems) report += problem + "\n";
  throw VerificationFailed(Reason::NotExecutable, name, "the runtime cannot execute this spec", report);
}

std::string synchronous_check_name() { return "synchronous: safety, deadlock-freedom"; }

void check_synchronous(detail::GateState& gate, const std::string& name, const automata::System& system) {
  pipeline::CheckOptions options;
  options.properties = {properties::SyncProperty::Safety, properties::SyncProperty::DeadlockFreedom};
  options.explore.limits = gate.limits;
  ++gate.checks;
  const auto report = pipeline::check_synchronous(name, system, options);
  std::vector<std::string> violated, undecided;
  for (const auto& result : report.results) {
    if (result.verdict == report::Verdict::Violated) violated.push_back(result.property);
    if (result.verdict == report::Verdict::Inconclusive) undecided.push_back(result.property);
  }
  if (!violated.empty())
    throw VerificationFailed(Reason::Violated, name, fmt::format("{} violated", fmt::join(violated, " and ")),
                             report::render_text({report}));
  if (!undecided.empty())
    throw VerificationFailed(Reason::Inconclusive, name,
                             fmt::format("{} could not be established within the gate's limits ({})",
                                         fmt::join(undecided, " and "), report.exploration),
                             report::render_text({report}));
}

std::filesystem::path default_cache_directory(bool& enabled) {
  enabled = true;
  if (const char* directory = std::getenv("LIM_CACHE_DIR"); directory && *directory) {
    if (std::string_view(directory) == "off") enabled = false;
    return directory;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "lim";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "lim";
  enabled = false;
  return {};
}

}  // namespace

namespace detail {

void establish(GateState& gate, const Protocol& protocol, const Requirement& requirement) {
  if (requirement.k == 0) return;  // the synchronous check is done when the protocol is made
  const auto& system = protocol.system();
  // k-MC at k implies safety for unbounded queues only by CAV 2019's
  // Theorem 1, whose automata have no environment, no internal move and no
  // data-chosen receive. Outside it lim has no proof, so it refuses — before
  // the cache, which may hold a verdict another gate reached by assumption.
  if (requirement.unbounded && !properties::unbounded_theorem_applies(system)) {
    bool environment = false;
    for (automata::RoleId role = 0; role < system.role_count(); ++role) environment |= system.is_environment(role);
    if (environment || !gate.local_moves_over_unbounded_channels)
      throw VerificationFailed(
          Reason::Unprovable, protocol.spec_path(),
          fmt::format("not verified for {}: k-MC does not imply safety with unbounded queues for {} (CAV 2019, "
                      "Theorem 1 covers deterministic automata without internal moves); use a transport with "
                      "bounded queues (in-process, k={}){}",
                      describe(requirement),
                      environment ? "an environment role" : "a timeout or guarded copies of one receive",
                      requirement.k,
                      environment ? "" : ", or accept the assumption with GateOptions::local_moves_over_unbounded_channels"),
          "");
  }
  const bool assumed = requirement.unbounded && !properties::unbounded_theorem_applies(system);
  const auto checked = fmt::format("asynchronous: k-mc, async-deadlock-freedom{}{} at k={}",
                                   requirement.unbounded ? ", unbounded side conditions" : "",
                                   assumed ? " (local moves assumed)" : "", requirement.k);
  const auto key = VerificationCache::key(protocol.content_hash(), protocol.format(), checked);
  switch (gate.cache.lookup(key)) {
    case VerificationCache::Hit::Memory: ++gate.memory_hits; return;
    case VerificationCache::Hit::Disk: ++gate.disk_hits; return;
    case VerificationCache::Hit::None: break;
  }
  ++gate.checks;
  const auto& name = protocol.spec_path();
  properties::AsyncExploreOptions options;
  options.limits = gate.limits;
  properties::BoundedAnalysis analysis(protocol.system(), requirement.k, options);

  std::vector<report::PropertyResult> results{analysis.check(properties::AsyncProperty::KMc),
                                              analysis.check(properties::AsyncProperty::DeadlockFreedom)};
  if (requirement.unbounded && !analysis.side_conditions_hold()) {
    // Say which side condition failed, with its counterexample.
    for (const auto property : {properties::AsyncProperty::Directedness, properties::AsyncProperty::KObi,
                                properties::AsyncProperty::KSibi, properties::AsyncProperty::KCibi})
      results.push_back(analysis.check(property));
  }
  std::vector<std::string> violated, undecided;
  std::string report;
  for (const auto& result : results) {
    if (result.verdict == report::Verdict::Holds) continue;
    (result.verdict == report::Verdict::Violated ? violated : undecided).push_back(result.property);
    report += fmt::format("{}: {}{}\n", result.property, report::to_string(result.verdict),
                          result.detail.empty() ? "" : " (" + result.detail + ")");
    if (result.counterexample) report += report::render_counterexample(*result.counterexample, name);
  }
  const bool side_conditions_fail = requirement.unbounded && !analysis.side_conditions_hold();
  if (!violated.empty()) {
    auto summary =
        fmt::format("not verified for {}: {} violated", describe(requirement), fmt::join(violated, ", "));
    if (side_conditions_fail)
      summary += fmt::format(
          "; without kmc's side conditions (directed, or k-OBI and k-SIBI or k-CIBI) k-MC at k={} does not imply "
          "safety for unbounded channels",
          requirement.k);
    throw VerificationFailed(Reason::Violated, name, summary, report);
  }
  if (!undecided.empty())
    throw VerificationFailed(Reason::Inconclusive, name,
                             fmt::format("not verified for {}: {} could not be established within the gate's "
                                         "limits",
                                         describe(requirement), fmt::join(undecided, ", ")),
                             report);
  gate.cache.record(key, checked);
}

}  // namespace detail

VerificationGate::VerificationGate(GateOptions options)
    : options_(std::move(options)),
      state_(std::make_shared<detail::GateState>(options_.cache_directory, options_.limits,
                                                 options_.local_moves_over_unbounded_channels)) {}

std::shared_ptr<const Protocol> VerificationGate::verify_file(const std::filesystem::path& path,
                                                              std::optional<formats::InputFormat> format) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw VerificationFailed(Reason::InvalidSpec, path.string(), "cannot read the file", "");
  std::ostringstream text;
  text << in.rdbuf();
  return verify_text(path.string(), text.str(), format);
}

std::shared_ptr<const Protocol> VerificationGate::verify_text(std::string name, std::string text,
                                                              std::optional<formats::InputFormat> format) const {
  const auto content_hash = sha256_hex(text);
  auto spec = pipeline::load_spec_text(name, std::move(text), format);
  if (!spec.ok())
    throw VerificationFailed(Reason::InvalidSpec, name, "the spec has errors",
                             format_diagnostics(spec.source, spec.diagnostics));
  check_executable(name, *spec.system);
  const std::string format_name(formats::name(spec.format));
  const auto key = VerificationCache::key(content_hash, format_name, synchronous_check_name());
  const auto hit = state_->cache.lookup(key);
  if (hit == VerificationCache::Hit::Memory) ++state_->memory_hits;
  if (hit == VerificationCache::Hit::Disk) ++state_->disk_hits;
  if (hit == VerificationCache::Hit::None) {
    check_synchronous(*state_, name, *spec.system);
    state_->cache.record(key, synchronous_check_name());
  }
  Protocol::Origin origin{name, format_name, content_hash, hit != VerificationCache::Hit::None};
  return std::make_shared<const Protocol>(Protocol::ConstructionKey{}, state_, std::move(origin),
                                          std::move(*spec.system));
}

std::shared_ptr<const Protocol> VerificationGate::verify_system(std::string name, automata::System system) const {
  for (const auto& machine : system.machines)
    if (!machine.frozen()) throw std::invalid_argument("verify_system: freeze the system first");
  check_executable(name, system);
  const auto content_hash = fingerprint(system);
  const auto key = VerificationCache::key(content_hash, "system", synchronous_check_name());
  const auto hit = state_->cache.lookup(key);
  if (hit == VerificationCache::Hit::Memory) ++state_->memory_hits;
  if (hit == VerificationCache::Hit::Disk) ++state_->disk_hits;
  if (hit == VerificationCache::Hit::None) {
    check_synchronous(*state_, name, system);
    state_->cache.record(key, synchronous_check_name());
  }
  Protocol::Origin origin{std::move(name), "system", content_hash, hit != VerificationCache::Hit::None};
  return std::make_shared<const Protocol>(Protocol::ConstructionKey{}, state_, std::move(origin), std::move(system));
}

GateStatistics VerificationGate::statistics() const {
  return {state_->checks.load(), state_->memory_hits.load(), state_->disk_hits.load()};
}

VerificationGate& default_gate() {
  static VerificationGate gate([] {
    GateOptions options;
    bool enabled = false;
    auto directory = default_cache_directory(enabled);
    if (enabled) options.cache_directory = std::move(directory);
    return options;
  }());
  return gate;
}

std::shared_ptr<const Protocol> verify_file(const std::filesystem::path& path) {
  return default_gate().verify_file(path);
}

std::shared_ptr<const Protocol> verify_text(std::string name, std::string text) {
  return default_gate().verify_text(std::move(name), std::move(text));
}

}  // namespace lim::runtime
