#pragma once
// Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4), as the spec's
// seq_lt … builtins define it: a < b when (a - b), read as a signed 32-bit
// number, is negative.
#include <cstdint>

namespace lim::tcp::tcb {

inline bool seq_lt(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
inline bool seq_le(std::uint32_t a, std::uint32_t b) { return a == b || seq_lt(a, b); }
inline bool seq_gt(std::uint32_t a, std::uint32_t b) { return seq_lt(b, a); }
inline bool seq_ge(std::uint32_t a, std::uint32_t b) { return seq_le(b, a); }

}  // namespace lim::tcp::tcb
