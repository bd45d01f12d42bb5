#include "lim/runtime/endpoint/session_error.hpp"

#include <fmt/format.h>

namespace lim::runtime {

std::string_view to_string(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::ConnectionLost: return "connection lost";
    case TransportFailure::PeerDied: return "peer died";
    case TransportFailure::PeerFinished: return "peer finished";
    case TransportFailure::MalformedFrame: return "malformed frame";
    case TransportFailure::HandshakeFailed: return "handshake failed";
    case TransportFailure::ConnectTimeout: return "connect timeout";
    case TransportFailure::PeerUnresponsive: return "peer unresponsive";
    case TransportFailure::Overflow: return "overflow";
  }
  return "transport failure";
}

std::optional<TransportFailure> transport_failure_named(std::string_view name) {
  for (const auto failure :
       {TransportFailure::ConnectionLost, TransportFailure::PeerDied, TransportFailure::PeerFinished,
        TransportFailure::MalformedFrame, TransportFailure::HandshakeFailed, TransportFailure::ConnectTimeout,
        TransportFailure::PeerUnresponsive, TransportFailure::Overflow})
    if (to_string(failure) == name) return failure;
  return std::nullopt;
}

TransportError::TransportError(TransportFailure failure, std::string peer, const std::string& detail)
    : SessionError(peer.empty() ? fmt::format("{}: {}", to_string(failure), detail)
                                : fmt::format("{} ({}): {}", to_string(failure), peer, detail)),
      failure_(failure),
      peer_(std::move(peer)) {}

SessionAborted::SessionAborted(std::string origin, std::string reason)
    : SessionError(fmt::format("session aborted by {}: {}", origin, reason)),
      origin_(std::move(origin)),
      reason_(std::move(reason)) {}

}  // namespace lim::runtime
