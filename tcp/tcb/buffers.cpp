#include "lim/tcp/tcb/buffers.hpp"

#include <algorithm>

namespace lim::tcp::tcb {

std::size_t ByteRing::push(std::span<const std::uint8_t> data) {
  const std::size_t count = std::min(data.size(), free());
  if (count == 0) return 0;
  if (!bytes_) bytes_.reset(new std::uint8_t[capacity_]);
  std::size_t tail = (head_ + size_) % capacity_;
  std::size_t done = 0;
  while (done < count) {
    const std::size_t run = std::min(count - done, capacity_ - tail);
    std::copy_n(data.data() + done, run, bytes_.get() + tail);
    done += run;
    tail = (tail + run) % capacity_;
  }
  size_ += count;
  return count;
}

void ByteRing::copy(std::size_t offset, std::span<std::uint8_t> out) const {
  if (out.empty()) return;
  std::size_t from = (head_ + offset) % capacity_;
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t run = std::min(out.size() - done, capacity_ - from);
    std::copy_n(bytes_.get() + from, run, out.data() + done);
    done += run;
    from = (from + run) % capacity_;
  }
}

void ByteRing::pop(std::size_t count) {
  count = std::min(count, size_);
  if (count == 0) return;
  head_ = (head_ + count) % capacity_;
  size_ -= count;
  if (size_ == 0) head_ = 0;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> ReceiveBuffer::held_ranges() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [offset, bytes] : held_) {
    const std::uint64_t end = offset + bytes.size();
    if (!ranges.empty() && ranges.back().second == offset) ranges.back().second = end;
    else ranges.emplace_back(offset, end);
  }
  return ranges;
}

std::size_t ReceiveBuffer::insert(std::uint64_t at, std::span<const std::uint8_t> data) {
  if (data.empty() || at + data.size() <= next_) return 0;
  if (at < next_) {
    data = data.subspan(static_cast<std::size_t>(next_ - at));
    at = next_;
  }
  if (at > next_) {
    // Held: keep only the parts no held segment covers yet.
    std::uint64_t begin = at;
    const std::uint64_t end = at + data.size();
    auto it = held_.upper_bound(begin);
    if (it != held_.begin()) {
      const auto previous = std::prev(it);
      begin = std::max(begin, previous->first + previous->second.size());
    }
    while (begin < end) {
      const std::uint64_t stop = it == held_.end() ? end : std::min(end, it->first);
      if (stop > begin) {
        const auto first = data.begin() + static_cast<std::ptrdiff_t>(begin - at);
        held_.emplace_hint(it, begin, std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(stop - begin)));
        held_bytes_ += stop - begin;
      }
      if (it == held_.end()) break;
      begin = std::max(begin, it->first + it->second.size());
      ++it;
    }
    return 0;
  }
  std::size_t added = ready_.push(data);
  next_ += added;
  // Held segments that are now in order follow.
  while (!held_.empty() && held_.begin()->first <= next_ && added > 0) {
    auto first = held_.begin();
    const std::uint64_t offset = first->first;
    const auto& bytes = first->second;
    std::size_t pushed = 0;
    const auto skip = static_cast<std::size_t>(next_ - offset);
    if (offset + bytes.size() > next_) {
      pushed = ready_.push(std::span(bytes).subspan(skip));
      next_ += pushed;
      added += pushed;
    }
    const std::size_t rest = bytes.size() > skip + pushed ? bytes.size() - skip - pushed : 0;
    held_bytes_ -= bytes.size();
    if (rest > 0) {
      // Out of room (the window the peer overran): hold the rest.
      std::vector<std::uint8_t> tail(bytes.end() - static_cast<std::ptrdiff_t>(rest), bytes.end());
      held_.erase(first);
      held_bytes_ += tail.size();
      held_.emplace(next_, std::move(tail));
      break;
    }
    held_.erase(first);
  }
  return added;
}

std::size_t ReceiveBuffer::read(std::span<std::uint8_t> out) {
  const std::size_t count = std::min(out.size(), ready_.size());
  ready_.copy(0, out.first(count));
  ready_.pop(count);
  return count;
}

}  // namespace lim::tcp::tcb
