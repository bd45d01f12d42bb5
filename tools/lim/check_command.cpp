// `lim check FILE|DIR|-… [--props p1,p2|all] [--k N | --k A..B] [--from kmc|fsm|lim]
//            [--format text|json|sarif|junit|csv] [--max-states N] [--max-memory SIZE]
//            [--timeout DURATION] [--color auto|always|never] [--quiet]`
//
// Without --k, the synchronous semantics and mpstk's properties; with --k,
// the k-bounded asynchronous semantics and the k-MC properties (one bound,
// or kmc's least-k search over a range). Without --props, what a correct
// protocol has: safety, deadlock freedom and liveness, or k-MC and
// deadlock freedom with --k. Input files are lim/mpstk contexts, kmc
// session types or kmc/GMC fsm machines, recognised from their content;
// --from overrides (it is not --format, which names the output). Each file
// has its own budget: --timeout and --max-memory bound the whole check of
// one file, from loading it to the last Z3 query.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>
#include <variant>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/pipeline/check_async.hpp"
#include "lim/report/csv_report.hpp"
#include "lim/report/json_report.hpp"
#include "lim/report/junit_report.hpp"
#include "lim/report/sarif_report.hpp"
#include "lim/report/text_report.hpp"
#include "lim/support/budget.hpp"
#include "progress.hpp"

namespace lim::cli {
namespace {

struct CheckArguments {
  std::vector<std::string> files;
  std::vector<std::string> properties;
  std::string format = "text";
  std::string bound;  // --k
  std::string from;   // --from
  // Given or not: an empty value is an error, not the default.
  std::optional<std::string> max_states;
  std::optional<std::string> max_memory;
  std::optional<std::string> timeout;
  std::string color = "auto";
  std::string store = "auto";  // --store
  std::string por = "off";     // --por
  // --threads: both cores where there are two; the exploration turns
  // parallel only once it is large (explore::ExploreOptions::parallel_from).
  unsigned threads = std::thread::hardware_concurrency() >= 2 ? 2 : 1;
  bool quiet = false;
};

std::string known_properties() {
  std::string known = "all";
  for (const auto candidate : properties::all_sync_properties())
    known += fmt::format(", {}", properties::name(candidate));
  known += "; with --k: all";
  for (const auto candidate : properties::all_async_properties())
    known += fmt::format(", {}", properties::name(candidate));
  return known;
}

// What a correct protocol has (docs/ci.md): every good spec passes these.
const std::vector<properties::SyncProperty>& default_sync_properties() {
  static const std::vector<properties::SyncProperty> defaults = {
      properties::SyncProperty::Safety, properties::SyncProperty::DeadlockFreedom, properties::SyncProperty::Liveness};
  return defaults;
}
const std::vector<properties::AsyncProperty>& default_async_properties() {
  static const std::vector<properties::AsyncProperty> defaults = {properties::AsyncProperty::KMc,
                                                                  properties::AsyncProperty::DeadlockFreedom};
  return defaults;
}

// The properties asked for, all of one semantics; an error message otherwise.
struct Selection {
  std::vector<properties::SyncProperty> sync;
  std::vector<properties::AsyncProperty> async;
};

std::variant<Selection, std::string> select_properties(const std::vector<std::string>& names, bool bounded) {
  Selection selection;
  if (names.empty()) {
    if (bounded)
      selection.async = default_async_properties();
    else
      selection.sync = default_sync_properties();
    return selection;
  }
  for (const auto& name : names) {
    if (name == "all") {
      if (bounded)
        selection.async.insert(selection.async.end(), properties::all_async_properties().begin(),
                               properties::all_async_properties().end());
      else
        selection.sync.insert(selection.sync.end(), properties::all_sync_properties().begin(),
                              properties::all_sync_properties().end());
    } else if (const auto property = properties::parse_sync_property(name)) {
      if (bounded)
        return fmt::format("'{}' is a property of the synchronous semantics, but --k selects the asynchronous one "
                           "(did you mean {}?)",
                           name, name == "safety" ? "k-safety" : name == "deadlock-freedom" ? "async-deadlock-freedom"
                                                                                             : "to drop --k");
      selection.sync.push_back(*property);
    } else if (const auto async = properties::parse_async_property(name)) {
      if (!bounded && properties::depends_on_k(*async))
        return fmt::format("'{}' is a property of the k-bounded asynchronous semantics: give a bound with --k N "
                           "or a least-k search with --k A..B",
                           name);
      selection.async.push_back(*async);
    } else {
      return fmt::format("unknown property '{}' (known: {})", name, known_properties());
    }
  }
  if (!selection.sync.empty() && !selection.async.empty())
    return std::string("synchronous and asynchronous properties cannot be checked in one run");
  // Each property once, in the order first asked.
  const auto dedupe = [](auto& list) {
    for (std::size_t i = 0; i < list.size(); ++i)
      for (std::size_t j = list.size(); j-- > i + 1;)
        if (list[j] == list[i]) list.erase(list.begin() + static_cast<std::ptrdiff_t>(j));
  };
  dedupe(selection.sync);
  dedupe(selection.async);
  return selection;
}

// --color auto colours a terminal unless NO_COLOR is set (no-color.org).
std::optional<bool> use_color(const std::string& choice) {
  if (choice == "always") return true;
  if (choice == "never") return false;
  if (choice != "auto") return std::nullopt;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return isatty(STDOUT_FILENO) != 0;
}

// A file whose check ran out of budget before it was even loaded (Z3
// expands wildcards while translating): every property asked is undecided.
report::FileReport out_of_budget(const std::string& file, const Selection& selection, const BudgetExhausted& spent) {
  report::FileReport report;
  report.file = file;
  report.semantics = selection.async.empty() ? "synchronous" : "asynchronous";
  report.exploration = spent.what();
  const auto add = [&](std::string_view property) {
    report::PropertyResult result;
    result.property = std::string(property);
    result.verdict = report::Verdict::Inconclusive;
    result.detail = fmt::format("{} while loading the spec", spent.what());
    report.results.push_back(std::move(result));
  };
  for (const auto property : selection.sync) add(properties::name(property));
  for (const auto property : selection.async) add(properties::name(property));
  return report;
}

int run_check(const CheckArguments& arguments) {
  const auto format = parse_output_format(arguments.format);
  if (!format)
    return command_line_error(
        fmt::format("--format '{}': expected text, json, sarif, junit or csv", arguments.format), OutputFormat::Text);
  const auto fail = [&](const std::string& message) { return command_line_error(message, *format); };
  const auto color = use_color(arguments.color);
  if (!color) return fail(fmt::format("--color '{}': expected auto, always or never", arguments.color));
  std::optional<pipeline::BoundRange> bounds;
  if (!arguments.bound.empty()) {
    bounds = pipeline::parse_bound_range(arguments.bound);
    if (!bounds)
      return fail(fmt::format("--k '{}' is not a bound N or a range A..B with 1 ≤ A ≤ B ≤ {}", arguments.bound,
                              pipeline::kMaxBound));
  }
  std::optional<formats::InputFormat> from;
  if (!arguments.from.empty()) {
    from = formats::parse_input_format(arguments.from);
    if (!from) return fail(fmt::format("--from '{}': expected lim, kmc or fsm", arguments.from));
  }
  const auto chosen = select_properties(arguments.properties, bounds.has_value());
  if (const auto* message = std::get_if<std::string>(&chosen)) return fail(*message);
  const auto& selection = std::get<Selection>(chosen);
  const bool asynchronous = !selection.async.empty();

  explore::Limits limits;
  if (arguments.max_states) {
    const auto parsed = parse_count("--max-states", *arguments.max_states);
    if (const auto* message = std::get_if<std::string>(&parsed)) return fail(*message);
    limits.max_states = std::get<std::uint64_t>(parsed);
  }
  limits.max_memory_bytes = default_memory_limit();
  if (arguments.max_memory) {
    const auto parsed = parse_bytes("--max-memory", *arguments.max_memory);
    if (const auto* message = std::get_if<std::string>(&parsed)) return fail(*message);
    limits.max_memory_bytes = std::get<std::uint64_t>(parsed);
  }
  if (arguments.timeout) {
    const auto parsed = parse_seconds("--timeout", *arguments.timeout);
    if (const auto* message = std::get_if<std::string>(&parsed)) return fail(*message);
    limits.timeout_seconds = std::get<double>(parsed);
  }

  ProgressLine progress(isatty(STDERR_FILENO) != 0 && !arguments.quiet);
  pipeline::CheckOptions sync_options;
  sync_options.properties = selection.sync;
  sync_options.explore.limits.max_states = limits.max_states;
  pipeline::AsyncCheckOptions async_options;
  async_options.properties = selection.async;
  async_options.bounds = bounds.value_or(pipeline::BoundRange{});
  async_options.explore.limits.max_states = limits.max_states;
  const auto storage = properties::parse_state_storage(arguments.store);
  if (!storage) return fail(fmt::format("--store '{}' is not auto, graph or compact", arguments.store));
  async_options.explore.storage = *storage;
  sync_options.explore.storage = *storage;
  if (arguments.por != "on" && arguments.por != "off")
    return fail(fmt::format("--por '{}' is not on or off", arguments.por));
  async_options.explore.partial_order = arguments.por == "on";
  if (arguments.threads < 1 || arguments.threads > 2) return fail(fmt::format("--threads {} is not 1 or 2", arguments.threads));
  async_options.explore.threads = arguments.threads;
  sync_options.explore.threads = arguments.threads;
  if (progress.enabled()) {
    sync_options.explore.progress = [&](const properties::SyncComponentProgress& report) {
      progress.exploring("", report.component, report.components, report.exploration);
    };
    async_options.explore.progress = [&](const properties::AsyncProgress& report) {
      progress.exploring(fmt::format("k={}", report.k), report.component, report.components, report.exploration);
    };
  }

  auto inputs = expand_inputs(arguments.files);
  std::vector<report::FileReport> reports;
  auto& errors = inputs.errors;
  for (const auto& error : errors) std::cerr << fmt::format("{}: error: {}\n", error.file, error.diagnostic.message);
  for (std::size_t index = 0; index < inputs.files.size(); ++index) {
    const auto& file = inputs.files[index];
    // One budget per file, from loading it to its last Z3 query.
    Budget budget({limits.timeout_seconds, limits.max_memory_bytes});
    const BudgetScope scope(budget);
    if (progress.enabled()) {
      progress.start_file(file == "-" ? "<stdin>" : file, index, inputs.files.size());
      budget.on_tick = [&](const Budget& state) { progress.tick(state); };
    }
    try {
      budget.set_phase("loading");
      auto spec = pipeline::load_spec_file(file, from);
      const auto& name = spec.source.path();
      if (!spec.ok()) {
        progress.clear();
        print_diagnostics(spec);
        for (const auto& diagnostic : spec.diagnostics.all()) errors.push_back({name, diagnostic});
        continue;
      }
      if (asynchronous)
        reports.push_back(pipeline::check_asynchronous(name, *spec.system, async_options));
      else
        reports.push_back(pipeline::check_synchronous(name, *spec.system, sync_options));
    } catch (const BudgetExhausted& spent) {
      reports.push_back(out_of_budget(file == "-" ? "<stdin>" : file, selection, spent));
    }
    progress.clear();
  }

  const int exit_code = report::summarize(reports, errors).exit_code;
  switch (*format) {
    case OutputFormat::Text:
      return write_report(report::render_text(reports, {*color, true}, errors), exit_code);
    case OutputFormat::Json: return write_report(report::render_json(reports, errors).dump(2) + "\n", exit_code);
    case OutputFormat::Sarif:
      return write_report(report::render_sarif(reports, errors, {kVersion, true}).dump(2) + "\n", exit_code);
    case OutputFormat::Junit: return write_report(report::render_junit(reports, errors), exit_code);
    case OutputFormat::Csv: return write_report(report::render_csv(reports, errors), exit_code);
  }
  return exit_code;
}

}  // namespace

Subcommand add_check_command(CLI::App& app) {
  auto arguments = std::make_shared<CheckArguments>();
  auto* command = app.add_subcommand("check", "check properties of typing contexts and communicating automata");
  command
      ->add_option("files", arguments->files,
                   "spec files (.lim / mpstk .ctx, kmc session types, kmc/GMC fsm), directories to search for "
                   "them, or - for standard input")
      ->required();
  command
      ->add_option("--props", arguments->properties,
                   "comma-separated properties, or all (default: safety, deadlock-freedom, liveness; with --k: "
                   "k-mc, async-deadlock-freedom). Synchronous: safety, deadlock-freedom, termination, "
                   "never-termination, liveness, liveness+, liveness++. Asynchronous (--k): csa, directedness, "
                   "k-obi, k-sibi, k-cibi, k-exhaustivity, k-safety, k-mc, async-deadlock-freedom, orphan-messages")
      ->delimiter(',')
      // One value per occurrence (repeatable): otherwise the option would
      // take the spec files that follow it as property names.
      ->allow_extra_args(false);
  command->add_option("--k", arguments->bound,
                      "asynchronous semantics with queues bounded by N (--k N), or kmc's least-k search (--k A..B)");
  command->add_option("--from", arguments->from, "input format, instead of recognising it: lim, kmc or fsm");
  command->add_option("--format", arguments->format, "output format: text, json, sarif, junit or csv");
  command->add_option("--max-states", arguments->max_states,
                      "stop each exploration (each independent component) after this many configurations");
  command->add_option("--max-memory", arguments->max_memory,
                      "memory the check of one file may use, e.g. 512M or 4G (default: 3/4 of this machine's)");
  command->add_option("--timeout", arguments->timeout,
                      "time the check of one file may take, e.g. 30, 0.5 or 2min (default: none)");
  command->add_option("--color", arguments->color, "colour the table: auto (a terminal, unless NO_COLOR), always, never");
  command->add_option("--store", arguments->store,
                      "how explorations store configurations: auto (the compact store, without edges, when every "
                      "property asked is one of reachable configurations: safety, deadlock-freedom, "
                      "never-termination; with --k, k-obi, orphan-messages, async-deadlock-freedom without "
                      "environments; else the graph), graph, or compact (where it applies)");
  command->add_option("--por", arguments->por,
                      "with --k: partial-order reduction, on or off (default off). It applies to the properties of "
                      "reachable configurations (k-obi, orphan-messages, async-deadlock-freedom without "
                      "environments) on the compact store, keeps their verdicts, and may report a longer "
                      "counterexample than the shortest; with any other property it is not applied (JSON: "
                      "\"reduction\")");
  command->add_option("--threads", arguments->threads,
                      "threads of an exploration into the compact store: 2 (the default on a machine with two "
                      "cores or more) pipelines a large one on two cores, with the same results; 1");
  command->add_flag("--quiet,-q", arguments->quiet, "no progress display");
  return {command, [arguments] { return run_check(*arguments); }};
}

const CommandRegistration check_registration{"check", add_check_command};

}  // namespace lim::cli
