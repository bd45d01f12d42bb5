#pragma once
// Between the wire and the spec: a packet becomes a TCB segment (or a typed
// rejection), a segment becomes the spec's `segment` record the monitor and
// the guards see, and an outgoing segment becomes a packet.
#include <cstdint>

#include "lim/runtime/endpoint/payload.hpp"
#include "lim/tcp/link/link.hpp"
#include "lim/tcp/tcb/tcb.hpp"
#include "lim/tcp/wire/wire_error.hpp"

namespace lim::tcp::server {

// An IPv4 packet carrying a TCP segment, checksums verified; the tuple is
// seen from the receiver (local = destination).
wire::Parsed<tcb::Segment> parse_packet(const link::Packet& packet);

// The spec's `record segment { seq: u32, ack: u32, len: u32, wnd: u16, flags: u8, tsval: u32, tsopt: bool }`
// (a spec whose record has fewer fields reads only those).
runtime::Payload segment_record(const tcb::Segment& segment);

link::Packet to_packet(const tcb::OutSegment& segment, std::uint16_t ip_identification);

}  // namespace lim::tcp::server
