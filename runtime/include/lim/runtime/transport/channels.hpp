#pragma once
// What a network transport's channels are, hence what the protocol must have
// been verified for (docs/runtime.md §1):
//
//   Unbounded  FIFO channels of any length, as TCP and MQTT naturally are:
//              k-MC at the configured k with kmc's side conditions, which
//              implies safety for unbounded queues (CAV 2019, Theorem 1) —
//              for specs without environment roles, timeouts or guarded
//              copies of one receive.
//   Bounded    every channel holds at most k messages the receiver has not
//              yet taken: a send waits for credit from the receiver (k = 0: a
//              rendezvous — the send completes when the receiver takes the
//              message). The runtime then runs exactly the k-bounded
//              semantics the in-process transport runs, and needs exactly
//              what it needs: k-MC and asynchronous deadlock freedom at k
//              (k ≥ 1), or nothing beyond the synchronous check (k = 0) —
//              which environment roles and timeouts can have.
#include "lim/runtime/gate/requirement.hpp"

namespace lim::runtime {

enum class Channels { Unbounded, Bounded };

inline Requirement requirement_of(Channels channels, unsigned k) { return {k, channels == Channels::Unbounded}; }

}  // namespace lim::runtime
