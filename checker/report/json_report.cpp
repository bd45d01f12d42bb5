#include "lim/report/json_report.hpp"

namespace lim::report {
namespace {

using nlohmann::json;

json location_json(const SourceLocation& location) {
  if (!location.known()) return nullptr;
  return {{"line", location.line}, {"column", location.column}};
}

std::string kind_name(TraceStep::Kind kind) {
  switch (kind) {
    case TraceStep::Kind::Interaction: return "interaction";
    case TraceStep::Kind::Send: return "send";
    case TraceStep::Kind::Receive: return "receive";
    case TraceStep::Kind::Internal: return "internal";
  }
  return "unknown";
}

json steps_json(const std::vector<TraceStep>& steps) {
  json array = json::array();
  for (const auto& step : steps)
    array.push_back({{"kind", kind_name(step.kind)},
                     {"from", step.from},
                     {"to", step.to},
                     {"label", step.label},
                     {"payload", step.payload},
                     {"text", step.text},
                     {"location", location_json(step.location)}});
  return array;
}

}  // namespace

json to_json(const Counterexample& counterexample) {
  json roles = json::array();
  for (const auto& role : counterexample.at.roles)
    roles.push_back({{"role", role.role},
                     {"state", role.state},
                     {"type", role.type},
                     {"location", location_json(role.location)}});
  json queues = json::array();
  for (const auto& queue : counterexample.at.queues)
    queues.push_back({{"from", queue.from}, {"to", queue.to}, {"messages", queue.messages}});
  return {{"explanation", counterexample.explanation},
          {"role", counterexample.role},
          {"prefix", steps_json(counterexample.prefix)},
          {"continuation", steps_json(counterexample.continuation)},
          {"cycle", steps_json(counterexample.cycle)},
          {"at", {{"roles", roles}, {"queues", queues}}}};
}

json to_json(const PropertyResult& result) {
  json object = {{"property", result.property}, {"verdict", to_string(result.verdict)}};
  object["holds"] = result.verdict == Verdict::Holds;
  if (!result.detail.empty()) object["detail"] = result.detail;
  if (result.k) object["k"] = *result.k;
  object["seconds"] = result.seconds;
  object["counterexample"] = result.counterexample ? to_json(*result.counterexample) : json(nullptr);
  return object;
}

json to_json(const FileReport& report) {
  json findings = json::array();
  for (const auto& finding : report.findings)
    findings.push_back(
        {{"kind", finding.kind}, {"message", finding.message}, {"location", location_json(finding.location)}});
  json properties = json::array();
  for (const auto& result : report.results) properties.push_back(to_json(result));
  return {{"file", report.file},
          {"semantics", report.semantics},
          {"roles", report.roles},
          {"components", report.components},
          {"states", report.states},
          {"transitions", report.transitions},
          {"seconds", report.seconds},
          {"exploration", report.exploration},
          {"reduction", report.reduction},
          {"findings", findings},
          {"properties", properties}};
}

json to_json(const FileError& error) {
  const auto& diagnostic = error.diagnostic;
  return {{"file", error.file.empty() ? json(nullptr) : json(error.file)},
          {"severity", diagnostic.severity == Severity::Error     ? "error"
                       : diagnostic.severity == Severity::Warning ? "warning"
                                                                  : "note"},
          {"line", diagnostic.location.line},
          {"column", diagnostic.location.column},
          {"message", diagnostic.message}};
}

json to_json(const Summary& summary) {
  return {{"files", summary.files},         {"hold", summary.hold},
          {"violated", summary.violated},   {"unknown", summary.unknown},
          {"inconclusive", summary.inconclusive}, {"errors", summary.errors},
          {"exit_code", summary.exit_code}};
}

json render_json(const std::vector<FileReport>& reports, const std::vector<FileError>& errors) {
  json files = json::array();
  for (const auto& report : reports) files.push_back(to_json(report));
  json error_array = json::array();
  for (const auto& error : errors) error_array.push_back(to_json(error));
  return {{"schema", kJsonSchemaVersion},
          {"tool", "lim"},
          {"files", files},
          {"errors", error_array},
          {"summary", to_json(summarize(reports, errors))}};
}

}  // namespace lim::report
