#pragma once
// The TCB's send and receive buffers (RFC 9293 §3.8.6, §3.10.7.4's
// "segment text"): bounded, so that a peer or an application can never make
// a connection grow past them. Not synchronised: the connection holds one
// lock around both, shared by the application's calls and the system.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

namespace lim::tcp::tcb {

// A fixed-capacity FIFO of bytes.
class ByteRing {
 public:
  // The storage is taken at the first push and never zero-filled: an idle
  // connection costs its TCB, not its buffers' capacity.
  explicit ByteRing(std::size_t capacity) : capacity_(capacity) {}
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  std::size_t free() const { return capacity_ - size_; }
  // Appends as much of `data` as fits; returns how much.
  std::size_t push(std::span<const std::uint8_t> data);
  // Copies `out.size()` bytes starting `offset` bytes from the front.
  void copy(std::size_t offset, std::span<std::uint8_t> out) const;
  void pop(std::size_t count);

 private:
  std::size_t capacity_;
  std::unique_ptr<std::uint8_t[]> bytes_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Data the user handed over and the peer has not acknowledged, from the
// first octet at SND.UNA on.
using SendBuffer = ByteRing;

// In-order data the user has not read, plus out-of-order segments held until
// the hole before them is filled (SHLD-31), trimmed of what overlaps.
// Positions are stream offsets: octets since the connection's first.
class ReceiveBuffer {
 public:
  explicit ReceiveBuffer(std::size_t capacity) : ready_(capacity) {}
  // The stream offset of RCV.NXT: everything before it is in order.
  std::uint64_t next() const { return next_; }
  // Takes `data` found at stream offset `at` (at >= next(), and it must fit
  // the window the caller advertised); returns how many octets became in
  // order.
  std::size_t insert(std::uint64_t at, std::span<const std::uint8_t> data);
  std::size_t readable() const { return ready_.size(); }
  std::size_t read(std::span<std::uint8_t> out);
  // Room for in-order data: what the window may offer.
  std::size_t free() const { return ready_.free(); }
  std::size_t capacity() const { return ready_.capacity(); }
  bool has_holes() const { return !held_.empty(); }
  std::size_t held_segments() const { return held_.size(); }
  std::size_t held_bytes() const { return held_bytes_; }
  // The held data as runs of adjacent octets: [begin, end) stream offsets,
  // lowest first (what a SACK option reports, RFC 2018).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> held_ranges() const;

 private:
  ByteRing ready_;
  std::map<std::uint64_t, std::vector<std::uint8_t>> held_;  // by stream offset, non-overlapping
  std::size_t held_bytes_ = 0;
  std::uint64_t next_ = 0;
};

}  // namespace lim::tcp::tcb
