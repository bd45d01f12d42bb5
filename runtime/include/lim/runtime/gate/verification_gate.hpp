#pragma once
// The verification gate: the only way to a Protocol, hence to a session.
//
// verify_* parses the spec, refuses what the runtime cannot monitor (a
// non-deterministic role, a mixed state, a session-typed payload), and runs
// lim's synchronous check of safety and deadlock freedom; a violation fails
// with the checker's report, counterexample included. Transports then
// require k-MC at their k through Protocol::require. Verdicts that hold are
// cached by content hash, in memory and optionally on disk.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "lim/explore/explorer.hpp"
#include "lim/formats/format_detection.hpp"
#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/gate/verification_failed.hpp"

namespace lim::runtime {

struct GateOptions {
  // Where verdicts persist between processes; nullopt keeps them in memory.
  std::optional<std::filesystem::path> cache_directory;
  // Bounds on each check. A check stopped by one fails closed
  // (VerificationFailed::Reason::Inconclusive): an undecided spec never runs.
  explore::Limits limits{50'000'000, std::uint64_t{4} << 30, 600.0};
  // TCP and MQTT need safety for unbounded queues, which k-MC gives by CAV
  // 2019's Theorem 1 for deterministic automata without internal moves.
  // Timeouts and guarded copies of one receive are local moves outside the
  // theorem as published; setting this accepts them on the assumption that
  // the theorem extends to local moves (it does not extend to environment
  // roles, which are always refused). Off: such specs are refused.
  bool local_moves_over_unbounded_channels = false;
};

struct GateStatistics {
  std::size_t checks = 0;       // state-space checks actually run
  std::size_t memory_hits = 0;  // verdicts found in the in-memory cache
  std::size_t disk_hits = 0;    // verdicts found in the cache directory
};

class VerificationGate {
 public:
  explicit VerificationGate(GateOptions options = {});

  std::shared_ptr<const Protocol> verify_file(const std::filesystem::path& path,
                                              std::optional<formats::InputFormat> format = std::nullopt) const;
  // `name` stands for the file in messages (and decides the format for
  // .lim/.ctx names, as for files).
  std::shared_ptr<const Protocol> verify_text(std::string name, std::string text,
                                              std::optional<formats::InputFormat> format = std::nullopt) const;

  // A system built by a program rather than read from a spec (it must be
  // frozen). Its content hash is its fingerprint.
  std::shared_ptr<const Protocol> verify_system(std::string name, automata::System system) const;

  GateStatistics statistics() const;
  const GateOptions& options() const { return options_; }

 private:
  GateOptions options_;
  std::shared_ptr<detail::GateState> state_;
};

// The process-wide gate behind the free functions. Its cache directory is
// $LIM_CACHE_DIR, else $XDG_CACHE_HOME/lim, else $HOME/.cache/lim;
// LIM_CACHE_DIR=off keeps verdicts in memory only.
VerificationGate& default_gate();
std::shared_ptr<const Protocol> verify_file(const std::filesystem::path& path);
std::shared_ptr<const Protocol> verify_text(std::string name, std::string text);

}  // namespace lim::runtime
