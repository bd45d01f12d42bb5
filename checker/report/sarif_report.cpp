#include "lim/report/sarif_report.hpp"

#include <algorithm>
#include <map>
#include <string_view>

#include <fmt/format.h>

namespace lim::report {
namespace {

using nlohmann::json;

constexpr std::string_view kSchema =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

// What each rule checks, as the SARIF viewer shows it next to a result.
std::string_view description(std::string_view rule) {
  static const std::map<std::string_view, std::string_view> kDescriptions = {
      {"safety", "Every message a role may send is one its partner accepts (mpstk's safety)."},
      {"deadlock-freedom", "Whenever no interaction is possible, every role has reached end."},
      {"termination", "Deadlock free, and every run ends."},
      {"never-termination", "Every reachable configuration can interact."},
      {"liveness", "Every pending input and output can be fulfilled on some continuation."},
      {"liveness+", "Every pending input and output is fulfilled whatever the roles choose."},
      {"liveness++", "Every pending input and output is fulfilled on every run."},
      {"csa", "Each automaton is deterministic and has no mixed states (communicating session automata)."},
      {"directedness", "Each state sends to, or receives from, one partner only."},
      {"k-obi", "k-output bounded independence (CAV 2019)."},
      {"k-sibi", "k-strong input bounded independence (CAV 2019)."},
      {"k-cibi", "k-channel input bounded independence (kmc)."},
      {"k-exhaustivity", "Every send a role offers can become enabled within the queue bound."},
      {"k-safety", "Every queued message is eventually received and every waiting role can receive."},
      {"k-mc", "k-multiparty compatibility: k-exhaustive and k-safe (CAV 2019)."},
      {"async-deadlock-freedom", "With bounded queues, a configuration without moves has every role final and "
                                 "every queue empty."},
      {"orphan-messages", "No run ends with messages left in a queue."},
      {"guards-satisfiable", "Every guarded branch can be taken by some message and state."},
      {"guards-disjoint", "No message is accepted by two branches of one offer."},
      {"guards-exhaustive", "Every message of a guarded label is accepted by some branch."},
      {"input-error", "The file could not be read or is not a valid spec."},
      {"non-determinism", "Two transitions of a state have the same action."},
      {"mixed-state", "A state both sends and receives."},
      {"wildcard", "What a wildcard branch absorbs."},
      {"unhandled", "Environment messages a role does not handle."},
  };
  const auto found = kDescriptions.find(rule);
  if (found != kDescriptions.end()) return found->second;
  if (rule.starts_with("guard-")) return "A guard check could not be decided or failed (see the message).";
  return "A property checked by lim.";
}

json region(const SourceLocation& location) {
  return {{"startLine", location.line}, {"startColumn", std::max<std::uint32_t>(location.column, 1)}};
}

json physical(const std::string& file, const SourceLocation& location) {
  json physical = {{"artifactLocation", {{"uri", file}}}};
  if (location.known()) physical["region"] = region(location);
  return physical;
}

json located_message(const std::string& file, const SourceLocation& location, const std::string& text) {
  json result = {{"message", {{"text", text}}}};
  if (location.known()) result["physicalLocation"] = physical(file, location);
  return result;
}

// Where the violation shows in the spec: the state of the role it is about,
// else of the first role not at `end`, else the last step taken.
SourceLocation focus(const Counterexample& counterexample) {
  for (const auto& role : counterexample.at.roles)
    if (role.role == counterexample.role && role.location.known()) return role.location;
  for (const auto& role : counterexample.at.roles)
    if (role.type != "end" && role.location.known()) return role.location;
  for (auto step = counterexample.prefix.rbegin(); step != counterexample.prefix.rend(); ++step)
    if (step->location.known()) return step->location;
  return {};
}

json code_flow(const std::string& file, const Counterexample& counterexample) {
  json locations = json::array();
  const auto add = [&](const TraceStep& step, const std::string& prefix) {
    locations.push_back({{"location", located_message(file, step.location, prefix + step.text)}});
  };
  for (const auto& step : counterexample.prefix) add(step, "");
  locations.push_back({{"location", located_message(file, focus(counterexample), "▸ " + counterexample.explanation)},
                       {"importance", "essential"}});
  for (const auto& step : counterexample.continuation) add(step, "then: ");
  for (const auto& step : counterexample.cycle) add(step, "↻ ");
  return {{"message", {{"text", "a shortest run to the violation"}}},
          {"threadFlows", json::array({{{"locations", locations}}})}};
}

class Rules {
 public:
  std::size_t index(const std::string& id) {
    const auto found = std::find(ids_.begin(), ids_.end(), id);
    if (found != ids_.end()) return static_cast<std::size_t>(found - ids_.begin());
    ids_.push_back(id);
    return ids_.size() - 1;
  }
  json descriptors() const {
    json rules = json::array();
    for (const auto& id : ids_)
      rules.push_back({{"id", id}, {"shortDescription", {{"text", std::string(description(id))}}}});
    return rules;
  }

 private:
  std::vector<std::string> ids_;
};

}  // namespace

json render_sarif(const std::vector<FileReport>& reports, const std::vector<FileError>& errors,
                  const SarifOptions& options) {
  Rules rules;
  json results = json::array();
  const auto result = [&](const std::string& rule, const std::string& kind, const std::string& text,
                          const std::string& file, const SourceLocation& location) {
    json entry = {{"ruleId", rule}, {"ruleIndex", rules.index(rule)}, {"kind", kind}, {"message", {{"text", text}}}};
    // SARIF: a level other than "none" only for kind "fail".
    entry["level"] = kind == "fail" ? "error" : "none";
    if (!file.empty()) entry["locations"] = json::array({{{"physicalLocation", physical(file, location)}}});
    return entry;
  };
  for (const auto& error : errors) {
    if (error.diagnostic.severity != Severity::Error || error.file.empty()) continue;
    results.push_back(result("input-error", "fail", error.diagnostic.message, error.file, error.diagnostic.location));
  }
  for (const auto& report : reports) {
    for (const auto& property : report.results) {
      if (property.verdict == Verdict::Holds) continue;
      std::string text = fmt::format("{}: {}{}", property.property, to_string(property.verdict),
                                     property.detail.empty() ? "" : " (" + property.detail + ")");
      SourceLocation location;
      if (property.counterexample) {
        text += ": " + property.counterexample->explanation;
        location = focus(*property.counterexample);
      }
      // Violated and unknown fail the gate (exit code 1); inconclusive is
      // undecided (exit code 3).
      auto entry = result(property.property, property.verdict == Verdict::Inconclusive ? "open" : "fail", text,
                          report.file, location);
      if (property.counterexample) entry["codeFlows"] = json::array({code_flow(report.file, *property.counterexample)});
      results.push_back(std::move(entry));
    }
    for (const auto& finding : report.findings)
      results.push_back(result(finding.kind, "informational", finding.message, report.file, finding.location));
  }
  json notifications = json::array();
  for (const auto& error : errors) {
    if (!error.file.empty()) continue;
    notifications.push_back({{"level", "error"}, {"message", {{"text", error.diagnostic.message}}}});
  }
  json invocation = {{"executionSuccessful", options.execution_successful}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  json driver = {{"name", "lim"}, {"rules", rules.descriptors()}};
  if (!options.tool_version.empty()) driver["version"] = options.tool_version;
  return {{"$schema", std::string(kSchema)},
          {"version", "2.1.0"},
          {"runs", json::array({{{"tool", {{"driver", driver}}},
                                 {"invocations", json::array({invocation})},
                                 {"results", results}}})}};
}

}  // namespace lim::report
