#pragma once
// What a transport needs a protocol to have been verified for.
//
// Every session needs synchronous safety and deadlock freedom. A transport
// with queues needs more: the in-process transport's queues hold at most k
// messages, so the runtime's executions are those of the k-bounded
// asynchronous semantics, and k-MC at that k (k-exhaustive and k-safe) plus
// asynchronous deadlock freedom is what makes them safe. TCP and MQTT
// channels hold any number of messages; for them the gate also requires the
// side conditions (basic, or k-OBI and k-SIBI/k-CIBI) under which k-MC implies
// safety for unbounded queues (Lange & Yoshida, CAV 2019).
#include <compare>
#include <string>

namespace lim::runtime {

struct Requirement {
  unsigned k = 0;          // 0: synchronous (rendezvous); k ≥ 1: queues of k messages
  bool unbounded = false;  // the transport's channels are FIFO of any length, verified at k
  friend auto operator<=>(const Requirement&, const Requirement&) = default;
};

// "synchronous", "1-bounded queues", "unbounded queues (verified at k=2)".
std::string describe(const Requirement& requirement);

}  // namespace lim::runtime
