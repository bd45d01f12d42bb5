// `lim check FILE… [--props p1,p2] [--k N | --k A..B] [--from kmc|fsm|lim] [--format text|json]`
//
// Without --k, the synchronous semantics and mpstk's properties; with --k,
// the k-bounded asynchronous semantics and the k-MC properties (one bound,
// or kmc's least-k search over a range). Input files are lim/mpstk
// contexts, kmc session types or kmc/GMC fsm machines, recognised from their
// content; --from overrides (it is not --format, which names the output).
#include <unistd.h>

#include <iostream>
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/pipeline/check_async.hpp"
#include "lim/report/json_report.hpp"
#include "lim/report/text_report.hpp"

namespace lim::cli {
namespace {

struct CheckArguments {
  std::vector<std::string> files;
  std::vector<std::string> properties;
  std::string format = "text";
  std::string bound;  // --k
  std::string from;   // --from
  std::optional<std::uint64_t> max_states;
  std::string max_memory;
  std::optional<double> timeout;
  bool quiet = false;
};

std::string known_properties() {
  std::string known;
  for (const auto candidate : properties::all_sync_properties())
    known += fmt::format("{}{}", known.empty() ? "" : ", ", properties::name(candidate));
  known += "; with --k: ";
  bool first = true;
  for (const auto candidate : properties::all_async_properties()) {
    known += fmt::format("{}{}", first ? "" : ", ", properties::name(candidate));
    first = false;
  }
  return known;
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
      selection.async = properties::default_async_properties();
    else
      selection.sync = properties::all_sync_properties();
    return selection;
  }
  for (const auto& name : names) {
    if (const auto property = properties::parse_sync_property(name)) {
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
  return selection;
}

void show_progress(const std::string& prefix, const explore::ProgressReport& progress) {
  std::cerr << fmt::format("\r\x1b[K  {}{} states  {:.0f} states/s  frontier {}  {:.1f} MiB", prefix, progress.states,
                           progress.seconds > 0 ? static_cast<double>(progress.states) / progress.seconds : 0.0,
                           progress.states - progress.expanded,
                           static_cast<double>(progress.memory_bytes) / (1024.0 * 1024.0))
            << std::flush;
}

int run_check(const CheckArguments& arguments) {
  std::optional<pipeline::BoundRange> bounds;
  if (!arguments.bound.empty()) {
    bounds = pipeline::parse_bound_range(arguments.bound);
    if (!bounds) {
      std::cerr << fmt::format("lim: error: --k '{}' is not a bound N or a range A..B with 1 ≤ A ≤ B ≤ {}\n",
                               arguments.bound, pipeline::kMaxBound);
      return kInputError;
    }
  }
  std::optional<formats::InputFormat> from;
  if (!arguments.from.empty()) from = formats::parse_input_format(arguments.from);
  const auto chosen = select_properties(arguments.properties, bounds.has_value());
  if (const auto* message = std::get_if<std::string>(&chosen)) {
    std::cerr << "lim: error: " << *message << "\n";
    return kInputError;
  }
  const auto& selection = std::get<Selection>(chosen);
  const bool asynchronous = !selection.async.empty();

  explore::Limits limits;
  limits.max_states = arguments.max_states;
  limits.timeout_seconds = arguments.timeout;
  if (!arguments.max_memory.empty()) {
    limits.max_memory_bytes = parse_size(arguments.max_memory);
    if (!limits.max_memory_bytes) {
      std::cerr << fmt::format("lim: error: --max-memory '{}' is not a size such as 512M or 4G\n",
                               arguments.max_memory);
      return kInputError;
    }
  }
  const bool terminal = isatty(STDERR_FILENO) != 0 && !arguments.quiet;

  pipeline::CheckOptions sync_options;
  sync_options.properties = selection.sync;
  sync_options.explore.limits = limits;
  if (terminal)
    sync_options.explore.progress = [](const explore::ProgressReport& progress) { show_progress("", progress); };

  pipeline::AsyncCheckOptions async_options;
  async_options.properties = selection.async;
  async_options.bounds = bounds.value_or(pipeline::BoundRange{});
  async_options.explore.limits = limits;
  if (terminal)
    async_options.explore.progress = [](const properties::AsyncProgress& progress) {
      show_progress(progress.components > 1 ? fmt::format("k={} component {}/{}  ", progress.k, progress.component + 1,
                                                          progress.components)
                                            : fmt::format("k={}  ", progress.k),
                    progress.exploration);
    };

  std::vector<report::FileReport> reports;
  std::vector<report::FileError> errors;
  for (const auto& file : arguments.files) {
    auto spec = pipeline::load_spec_file(file, from);
    if (!spec.ok()) {
      print_diagnostics(spec);
      for (const auto& diagnostic : spec.diagnostics.all()) errors.push_back({file, diagnostic});
      continue;
    }
    if (asynchronous) {
      async_options.explore.start = std::chrono::steady_clock::now();
      reports.push_back(pipeline::check_asynchronous(file, *spec.system, async_options));
    } else {
      reports.push_back(pipeline::check_synchronous(file, *spec.system, sync_options));
    }
    if (terminal) std::cerr << "\r\x1b[K" << std::flush;
  }

  if (arguments.format == "json") {
    std::cout << report::render_json(reports, errors).dump(2) << "\n";
  } else if (!reports.empty()) {
    std::cout << report::render_text(reports, {isatty(STDOUT_FILENO) != 0});
  }

  if (!errors.empty()) return kInputError;
  bool violated = false, inconclusive = false;
  for (const auto& file_report : reports)
    for (const auto& result : file_report.results) {
      // kmc's "I don't know" (no k of the range decides) counts as not established.
      violated = violated || result.verdict == report::Verdict::Violated ||
                 result.verdict == report::Verdict::Unknown;
      inconclusive = inconclusive || result.verdict == report::Verdict::Inconclusive;
    }
  if (violated) return kViolated;
  if (inconclusive) return kResourceLimit;
  return kAllHold;
}

}  // namespace

Subcommand add_check_command(CLI::App& app) {
  auto arguments = std::make_shared<CheckArguments>();
  auto* command = app.add_subcommand("check", "check properties of typing contexts and communicating automata");
  command->add_option("files", arguments->files, "spec files: .lim / mpstk .ctx, kmc session types, kmc/GMC fsm")
      ->required()
      ->check(CLI::ExistingFile);
  command
      ->add_option("--props", arguments->properties,
                   "comma-separated properties (default: all of the semantics). Synchronous: safety, "
                   "deadlock-freedom, termination, never-termination, liveness, liveness+, liveness++. "
                   "Asynchronous (--k): csa, directedness, k-obi, k-sibi, k-cibi, k-exhaustivity, k-safety, k-mc, "
                   "async-deadlock-freedom, orphan-messages")
      ->delimiter(',')
      // One value per occurrence (repeatable): otherwise the option would
      // take the spec files that follow it as property names.
      ->allow_extra_args(false);
  command->add_option("--k", arguments->bound,
                      "asynchronous semantics with queues bounded by N (--k N), or kmc's least-k search (--k A..B)");
  command->add_option("--from", arguments->from, "input format, instead of recognising it: lim, kmc or fsm")
      ->check(CLI::IsMember({"lim", "kmc", "fsm"}));
  command->add_option("--format", arguments->format, "output format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  command->add_option("--max-states", arguments->max_states, "stop exploring after this many configurations")
      ->check(CLI::PositiveNumber);
  command->add_option("--max-memory", arguments->max_memory, "stop exploring beyond this memory (e.g. 4G)");
  command->add_option("--timeout", arguments->timeout, "stop exploring after this many seconds")
      ->check(CLI::PositiveNumber);
  command->add_flag("--quiet,-q", arguments->quiet, "no progress display");
  return {command, [arguments] { return run_check(*arguments); }};
}

const CommandRegistration registration{"check", add_check_command};

}  // namespace lim::cli
