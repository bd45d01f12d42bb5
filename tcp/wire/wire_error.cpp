#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::wire {

std::string_view describe(WireError error) {
  switch (error) {
    case WireError::TooShort: return "shorter than its header";
    case WireError::NotIpv4: return "not IPv4";
    case WireError::BadHeaderLength: return "bad IPv4 header length";
    case WireError::BadTotalLength: return "bad IPv4 total length";
    case WireError::BadIpChecksum: return "bad IPv4 header checksum";
    case WireError::Fragment: return "an IPv4 fragment";
    case WireError::NotTcp: return "not TCP";
    case WireError::BadDataOffset: return "bad TCP data offset";
    case WireError::BadTcpChecksum: return "bad TCP checksum";
    case WireError::BadOptionLength: return "a TCP option's length is malformed";
    case WireError::BadOptionValue: return "a TCP option has the wrong length for its kind";
    case WireError::BadAddress: return "a source address no host may use";
  }
  return "malformed";
}

}  // namespace lim::tcp::wire
