#include "lim/runtime/endpoint/protocol_violation.hpp"

#include <fmt/format.h>

namespace lim::runtime {
namespace {

std::string message(const ProtocolViolation::Details& details) {
  std::string where = details.state;
  if (details.location.known())
    where += fmt::format(" ({}:{}:{})", details.spec, details.location.line, details.location.column);
  std::string text = fmt::format("protocol violation: {} in state {} of {}", details.attempted, where, details.role);
  if (!details.state_type.empty()) text += fmt::format(", which is {}", details.state_type);
  if (details.expected.empty()) {
    text += "; the role has completed the protocol and allows no further action";
  } else {
    text += "; expected: ";
    for (std::size_t i = 0; i < details.expected.size(); ++i)
      text += (i ? ", " : "") + details.expected[i];
  }
  return text;
}

}  // namespace

ProtocolViolation::ProtocolViolation(Details details)
    : SessionError(message(details)), details_(std::move(details)) {}

}  // namespace lim::runtime
