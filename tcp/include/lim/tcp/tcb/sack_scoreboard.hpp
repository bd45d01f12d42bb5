#pragma once
// The sender's SACK scoreboard (RFC 2018, RFC 6675 §3): which octets between
// SND.UNA and SND.NXT the receiver reported holding, so that loss recovery
// retransmits only the holes.
#include <cstdint>
#include <utility>
#include <vector>

#include "lim/tcp/wire/tcp_options.hpp"

namespace lim::tcp::tcb {

class SackScoreboard {
 public:
  // The blocks of an arriving ACK; those outside (SND.UNA, SND.NXT] are
  // ignored (old, or for data never sent: never trusted). True when the
  // scoreboard learnt something.
  bool update(const wire::TcpOptions& options, std::uint32_t snd_una, std::uint32_t snd_nxt);
  // Everything below SND.UNA is acknowledged: forget it.
  void acknowledged(std::uint32_t snd_una);
  void clear() { ranges_.clear(); }
  bool empty() const { return ranges_.empty(); }

  // Whether `seq` lies in a SACKed block.
  bool holds(std::uint32_t seq) const;
  // The first octet at or after `from` that is not SACKed.
  std::uint32_t skip(std::uint32_t from) const;
  // Where the data not SACKed that starts at `from` ends: the next SACKed
  // block's left edge, or `limit`.
  std::uint32_t hole_end(std::uint32_t from, std::uint32_t limit) const;
  // The highest octet SACKed, plus one (RFC 6675's HighACK side): holes lie below it.
  std::uint32_t highest() const { return ranges_.empty() ? 0 : ranges_.back().second; }
  // RFC 6675 §4 IsLost, by octets: at least `threshold` octets SACKed above `seq`.
  bool lost(std::uint32_t seq, std::uint32_t threshold) const;
  std::size_t blocks() const { return ranges_.size(); }

 private:
  // [left, right) in sequence space, sorted, disjoint, not adjacent.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges_;
};

}  // namespace lim::tcp::tcb
