#include "lim/tcp/server/segment_codec.hpp"

#include "lim/tcp/wire/ipv4.hpp"
#include "lim/tcp/wire/tcp_header.hpp"

namespace lim::tcp::server {

wire::Parsed<tcb::Segment> parse_packet(const link::Packet& packet) {
  const auto ip = wire::Ipv4View::parse(packet);
  if (!ip) return ip.error();
  if (ip->protocol() != wire::kProtocolTcp) return wire::WireError::NotTcp;
  if (ip->source().is_unusable_source()) return wire::WireError::BadAddress;
  const auto tcp = wire::TcpView::parse(ip->payload(), ip->source(), ip->destination());
  if (!tcp) return tcp.error();
  tcb::Segment segment;
  segment.tuple = {ip->destination(), tcp->destination_port(), ip->source(), tcp->source_port()};
  segment.seq = tcp->seq();
  segment.ack = tcp->ack();
  segment.flags = tcp->flags();
  segment.window = tcp->window();
  segment.options = tcp->options();
  segment.payload.assign(tcp->payload().begin(), tcp->payload().end());
  segment.ttl = ip->ttl();
  segment.diffserv = static_cast<std::uint8_t>(ip->type_of_service() >> 2);
  return segment;
}

runtime::Payload segment_record(const tcb::Segment& segment) {
  // Built field by field, in the map's order, rather than from an
  // initializer list, which nlohmann::json copies element by element and
  // inspects to tell an object from an array: this runs two or three times
  // per segment.
  runtime::Payload record(runtime::Payload::value_t::object);
  auto& fields = record.get_ref<runtime::Payload::object_t&>();
  fields.emplace_hint(fields.end(), "ack", segment.ack);
  fields.emplace_hint(fields.end(), "flags", segment.flags);
  fields.emplace_hint(fields.end(), "len", segment.length());
  fields.emplace_hint(fields.end(), "seq", segment.seq);
  fields.emplace_hint(fields.end(), "tsopt", segment.options.timestamps.has_value());
  fields.emplace_hint(fields.end(), "tsval", segment.options.timestamps ? segment.options.timestamps->value : 0);
  fields.emplace_hint(fields.end(), "wnd", segment.window);
  return record;
}

link::Packet to_packet(const tcb::OutSegment& segment, std::uint16_t ip_identification) {
  wire::TcpSegmentFields fields;
  fields.source = segment.tuple.local;
  fields.destination = segment.tuple.remote;
  fields.source_port = segment.tuple.local_port;
  fields.destination_port = segment.tuple.remote_port;
  fields.seq = segment.seq;
  fields.ack = segment.ack;
  fields.flags = segment.flags;
  fields.window = segment.window;
  fields.options = segment.options;
  fields.payload = segment.payload;
  fields.ip_identification = ip_identification;
  fields.ttl = segment.ttl;
  fields.diffserv = segment.diffserv;
  return wire::build_ipv4_tcp(fields);
}

}  // namespace lim::tcp::server
