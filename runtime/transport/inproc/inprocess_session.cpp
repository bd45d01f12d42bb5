#include "lim/runtime/transport/inproc/inprocess_session.hpp"

#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "inprocess_hub.hpp"

namespace lim::runtime {

InProcessSession::InProcessSession(std::shared_ptr<const Protocol> protocol, InProcessOptions options)
    : protocol_(std::move(protocol)) {
  if (!protocol_) throw std::invalid_argument("InProcessSession needs a protocol");
  protocol_->require({options.k, false});
  auto clock = options.endpoint.clock ? options.endpoint.clock : steady_clock();
  hub_ = std::make_shared<detail::InProcessHub>(protocol_, options.k, clock);
  hub_->watch_clock();
  if (!options.endpoint.variables.empty())
    throw std::invalid_argument("InProcessSession: give state variables per role, in InProcessOptions::variables");
  for (const auto& [role, values] : options.variables) (void)protocol_->role(role);  // a typo is an error
  for (automata::RoleId role = 0; role < protocol_->role_count(); ++role) {
    EndpointOptions endpoint_options;
    endpoint_options.clock = clock;
    if (const auto values = options.variables.find(protocol_->role_name(role)); values != options.variables.end())
      endpoint_options.variables = values->second;
    endpoints_.push_back(std::make_unique<Endpoint>(
        protocol_, role, std::make_unique<detail::InProcessTransport>(hub_, role), std::move(endpoint_options)));
  }
}

InProcessSession::~InProcessSession() = default;

Endpoint& InProcessSession::endpoint(std::string_view role) { return *endpoints_.at(protocol_->role(role)); }

void InProcessSession::run(const std::map<std::string, RoleBody, std::less<>>& bodies) {
  std::vector<std::pair<automata::RoleId, const RoleBody*>> roles;
  for (const auto& [name, body] : bodies) roles.emplace_back(protocol_->role(name), &body);
  std::vector<std::exception_ptr> errors(protocol_->role_count());
  std::vector<std::thread> threads;
  threads.reserve(roles.size());
  for (const auto& [role, body] : roles) {
    threads.emplace_back([this, role = role, body = body, &errors] {
      auto& endpoint = *endpoints_[role];
      try {
        (*body)(endpoint);
        if (!endpoint.complete() && !endpoint.failed())
          throw SessionAborted(endpoint.role_name(),
                               fmt::format("the body of {} returned in state {} before completing the role",
                                           endpoint.role_name(), endpoint.metadata().state));
      } catch (const std::exception& error) {
        errors[role] = std::current_exception();
        endpoint.abandon(fmt::format("{} failed: {}", endpoint.role_name(), error.what()));
      } catch (...) {
        errors[role] = std::current_exception();
        endpoint.abandon(fmt::format("{} failed", endpoint.role_name()));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // The cause, not its echo: prefer an error that is not the abort another
  // role's failure caused.
  std::exception_ptr first;
  for (automata::RoleId role = 0; role < errors.size(); ++role) {
    const auto& error = errors[role];
    if (!error) continue;
    if (!first) first = error;
    try {
      std::rethrow_exception(error);
    } catch (const SessionAborted& aborted) {
      if (aborted.origin() != protocol_->role_name(role)) continue;
    } catch (...) {
    }
    std::rethrow_exception(error);
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace lim::runtime
