#include "lim/tcp/tcb/sack_scoreboard.hpp"

#include <algorithm>

#include "lim/tcp/tcb/sequence.hpp"

namespace lim::tcp::tcb {
namespace {

// A bound on what one connection's scoreboard holds: a hostile receiver
// cannot make it grow (each block at least splits a hole, and holes are
// bounded by what is in flight anyway).
constexpr std::size_t kMaxRanges = 256;

}  // namespace

bool SackScoreboard::update(const wire::TcpOptions& options, std::uint32_t snd_una, std::uint32_t snd_nxt) {
  bool learnt = false;
  for (std::uint8_t i = 0; i < options.sack_blocks; ++i) {
    auto [left, right] = options.sack[i];
    if (!seq_lt(left, right) || !seq_lt(snd_una, right) || seq_gt(right, snd_nxt)) continue;
    if (seq_lt(left, snd_una)) left = snd_una;
    // Merge [left, right) into the sorted ranges.
    auto it = std::find_if(ranges_.begin(), ranges_.end(), [&](const auto& r) { return seq_ge(r.second, left); });
    if (it != ranges_.end() && seq_le(it->first, left) && seq_ge(it->second, right)) continue;  // known
    learnt = true;
    auto last = it;
    while (last != ranges_.end() && seq_le(last->first, right)) {
      if (seq_lt(last->first, left)) left = last->first;
      if (seq_gt(last->second, right)) right = last->second;
      ++last;
    }
    it = ranges_.erase(it, last);
    if (ranges_.size() < kMaxRanges) ranges_.insert(it, {left, right});
  }
  return learnt;
}

void SackScoreboard::acknowledged(std::uint32_t snd_una) {
  while (!ranges_.empty() && seq_le(ranges_.front().second, snd_una)) ranges_.erase(ranges_.begin());
  if (!ranges_.empty() && seq_lt(ranges_.front().first, snd_una)) ranges_.front().first = snd_una;
}

bool SackScoreboard::holds(std::uint32_t seq) const {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&](const auto& range) { return seq_le(range.first, seq) && seq_lt(seq, range.second); });
}

std::uint32_t SackScoreboard::skip(std::uint32_t from) const {
  for (const auto& [left, right] : ranges_)
    if (seq_le(left, from) && seq_lt(from, right)) return right;
  return from;
}

std::uint32_t SackScoreboard::hole_end(std::uint32_t from, std::uint32_t limit) const {
  for (const auto& range : ranges_)
    if (seq_gt(range.first, from)) return seq_lt(range.first, limit) ? range.first : limit;
  return limit;
}

bool SackScoreboard::lost(std::uint32_t seq, std::uint32_t threshold) const {
  std::uint64_t above = 0;
  for (const auto& [left, right] : ranges_)
    if (seq_gt(right, seq)) above += seq_gt(left, seq) ? right - left : right - seq;
  return above >= threshold;
}

}  // namespace lim::tcp::tcb
