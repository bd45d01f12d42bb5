#pragma once
// A whole session inside one process: an endpoint per role, joined by
// bounded FIFO queues, one per ordered pair of roles. A queue holds at most
// k messages and a send blocks while its queue is full, so the session runs
// exactly the k-bounded asynchronous semantics lim verified (k-MC at k);
// k = 0 makes every send a rendezvous with its receive, the synchronous
// semantics.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lim/runtime/endpoint/endpoint.hpp"

namespace lim::runtime {

namespace detail {
class InProcessHub;
}

struct InProcessOptions {
  InProcessOptions() = default;
  explicit InProcessOptions(unsigned k_, EndpointOptions endpoint_ = {}) : k(k_), endpoint(std::move(endpoint_)) {}
  unsigned k = 1;            // queue capacity; 0: rendezvous
  EndpointOptions endpoint;  // the clock, for every role (variables go below)
  // Initial state variables per role: variables["sender"]["rto"] = 200.
  std::map<std::string, Payload, std::less<>> variables;
};

class InProcessSession {
 public:
  // Throws VerificationFailed unless the protocol is verified for k.
  explicit InProcessSession(std::shared_ptr<const Protocol> protocol, InProcessOptions options = {});
  ~InProcessSession();
  InProcessSession(const InProcessSession&) = delete;
  InProcessSession& operator=(const InProcessSession&) = delete;

  // Each endpoint is to be driven by one thread at a time, usually its own.
  Endpoint& endpoint(std::string_view role);
  Endpoint& endpoint(automata::RoleId role) { return *endpoints_.at(role); }
  const Protocol& protocol() const { return *protocol_; }

  // Runs each body on its own thread with its role's endpoint and joins them
  // all. A body that throws, or returns before its role is complete, ends the
  // session for the others; after every thread has joined, the first such
  // exception (in role order) is rethrown.
  using RoleBody = std::function<void(Endpoint&)>;
  void run(const std::map<std::string, RoleBody, std::less<>>& bodies);

 private:
  std::shared_ptr<const Protocol> protocol_;
  std::shared_ptr<detail::InProcessHub> hub_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

}  // namespace lim::runtime
