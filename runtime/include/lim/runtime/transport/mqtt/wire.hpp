#pragma once
// lim's messages through an MQTT broker. Every message is
//
//   header (42 bytes, in clear)  body  [tag (16 bytes)]
//
//   header = version:u8 (3) kind:u8 from:u16 to:u16 participant:16 bytes
//            epoch:u32 counter:u64 seq:u64                 (big-endian)
//
// `participant` is a random identity the sender drew when it joined, `epoch`
// counts its connections to the broker, `counter` numbers all its messages
// (never twice the same), `seq` is the message's place in its channel (data
// and goodbyes, per pair of roles) or among the sender's control messages.
//
// With the session secret, the body is encrypted and the whole message
// authenticated with AES-256-GCM: the key is derived from the secret, the
// session name, the sender's role and its participant identity; the nonce is
// `counter`; the header and the topic are associated data. So neither the
// broker nor anyone subscribed can read a message, forge one, alter it, move
// it to another topic or pass it off as another participant's; a replay or
// a reordering shows in `seq`. Without the secret (Config::plaintext) the
// body is in clear and there is no tag: a broken or hostile message can then
// only be told from a broken peer by the frame checks.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lim/runtime/transport/session_secret.hpp"

namespace lim::runtime::mqtt {

enum class Kind : std::uint8_t {
  Hello = 1,    // control: I play `from` (CBOR: fingerprint, channels, k, window, keepalive)
  Ready = 2,    // control: everybody said hello; the roster as I know it (CBOR)
  Data = 3,     // channel: consumed:u64 (as in Credit, the other way), label:u32, the payload in CBOR
  Goodbye = 4,  // channel: the sender completed its role
  Credit = 5,   // channel (reverse): consumed:u64, the data messages taken so far
  Abort = 6,    // control: the sender ended the session (CBOR: reason)
  Failed = 7,   // control: the sender's session ended with a transport failure (CBOR)
  Died = 8,     // control: the last will the broker publishes for a lost client
  Beat = 9,     // control (QoS 0): alive; consumed counts from every peer (CBOR)
  Refuse = 10,  // control: to a latecomer claiming a role already taken (CBOR)
};

using ParticipantId = std::array<std::uint8_t, 16>;
constexpr std::uint16_t kEverybody = 0xffff;  // `to` of control messages

struct Header {
  Kind kind = Kind::Data;
  std::uint16_t from = 0;
  std::uint16_t to = kEverybody;
  ParticipantId participant{};
  std::uint32_t epoch = 0;
  std::uint64_t counter = 0;
  std::uint64_t seq = 0;
};
constexpr std::size_t kHeaderBytes = 42;
constexpr std::size_t kTagBytes = 16;

struct Message {
  Header header;
  std::vector<std::uint8_t> body;
};

// Seals and opens messages for one session, with or without its secret.
class Codec {
 public:
  Codec(std::optional<SessionSecret> secret, std::string session);

  bool authenticated() const { return secret_.has_value(); }
  // The topic level that the session's topics live under: random-looking
  // (derived from the secret) with a secret, the session name without.
  std::string session_level() const;
  // The key of a participant playing `role` (cache it: deriving costs a few µs).
  SessionSecret::Key key(std::string_view role, const ParticipantId& participant) const;

  std::vector<std::uint8_t> seal(const Header& header, std::span<const std::uint8_t> body, std::string_view topic,
                                 const SessionSecret::Key* key) const;
  // The header of a message, if it has one (not yet authenticated).
  static std::optional<Header> peek(std::span<const std::uint8_t> bytes);
  // The message, or nullopt when it is malformed or does not authenticate.
  std::optional<Message> open(std::span<const std::uint8_t> bytes, std::string_view topic,
                              const SessionSecret::Key* key) const;

 private:
  std::optional<SessionSecret> secret_;
  std::string session_;
};

ParticipantId random_participant();
std::string to_hex(const ParticipantId& participant);

}  // namespace lim::runtime::mqtt
