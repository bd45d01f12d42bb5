#pragma once
// The pipeline behind `lim check`: file → context → automata → state space →
// verdicts. The CLI and the runtime's verification gate both go through here.
#include <optional>
#include <string>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/explore/explorer.hpp"
#include "lim/formats/format_detection.hpp"
#include "lim/properties/synchronous_analysis.hpp"
#include "lim/properties/synchronous_properties.hpp"
#include "lim/report/verdict.hpp"
#include "lim/syntax/diagnostic.hpp"
#include "lim/syntax/source.hpp"

namespace lim::pipeline {

// A spec file turned into automata, or the errors that prevented it.
struct LoadedSpec {
  SourceFile source;
  std::optional<automata::System> system;
  Diagnostics diagnostics;
  formats::InputFormat format = formats::InputFormat::Lim;  // what it was read as
  bool ok() const { return system.has_value() && !diagnostics.has_errors(); }
};

// The format is detected from the content (formats::detect_format) unless
// given: lim/mpstk contexts, kmc session types, kmc/GMC fsm machines.
LoadedSpec load_spec_text(std::string path, std::string text,
                          std::optional<formats::InputFormat> format = std::nullopt);
// The largest spec lim reads: generated specs of 10^6 branches are a few
// megabytes; /dev/zero is not a spec.
inline constexpr std::size_t kMaxSpecBytes = std::size_t{64} << 20;
// Reads the file ("-": standard input, named <stdin>); an unreadable file,
// a directory, one larger than kMaxSpecBytes or one that is not UTF-8 text
// (UTF-16, binary) is a diagnostic with the reason, not an exception.
LoadedSpec load_spec_file(const std::string& path, std::optional<formats::InputFormat> format = std::nullopt);

struct CheckOptions {
  std::vector<properties::SyncProperty> properties = properties::all_sync_properties();
  properties::SyncExploreOptions explore;
};

// Facts about the automata: non-determinism, mixed states.
std::vector<report::Finding> automata_findings(const automata::System& system);

report::FileReport check_synchronous(const std::string& file, const automata::System& system,
                                     const CheckOptions& options);

}  // namespace lim::pipeline
