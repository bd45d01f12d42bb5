#include "lim/runtime/transport/mqtt/wire.hpp"

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include <fmt/format.h>

namespace lim::runtime::mqtt {
namespace {

constexpr std::uint8_t kVersion = 3;

void put(std::vector<std::uint8_t>& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint64_t get(const std::uint8_t*& at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | *at++;
  return value;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// Fetched once: EVP_aes_256_gcm() would have OpenSSL look the cipher up in
// its providers again for every message.
const EVP_CIPHER* aes_256_gcm() {
  static const std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr), EVP_CIPHER_free);
  if (!cipher) throw std::runtime_error("OpenSSL offers no AES-256-GCM");
  return cipher.get();
}

// The GCM nonce: the sender's message counter, never used twice with a key.
std::array<std::uint8_t, 12> nonce_of(std::uint64_t counter) {
  std::array<std::uint8_t, 12> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(counter >> (56 - 8 * i));
  return nonce;
}

// A context per thread and direction, keyed once per key: a message then
// costs only its nonce, not an allocation and a key schedule.
class CachedContext {
 public:
  CachedContext() = default;
  CachedContext(const CachedContext&) = delete;
  CachedContext& operator=(const CachedContext&) = delete;
  ~CachedContext() { OPENSSL_cleanse(key_.data(), key_.size()); }
  EVP_CIPHER_CTX* get(bool encrypt, const SessionSecret::Key& key, const std::array<std::uint8_t, 12>& nonce) {
    if (!context_) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    const bool same_key = keyed_ && key_ == key;
    const auto* cipher = same_key ? nullptr : aes_256_gcm();
    const auto* new_key = same_key ? nullptr : key.data();
    const int done = encrypt ? EVP_EncryptInit_ex(context_.get(), cipher, nullptr, new_key, nonce.data())
                             : EVP_DecryptInit_ex(context_.get(), cipher, nullptr, new_key, nonce.data());
    keyed_ = done == 1;
    if (!keyed_) return nullptr;
    key_ = key;
    return context_.get();
  }

 private:
  CipherContext context_{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
  SessionSecret::Key key_{};
  bool keyed_ = false;
};

EVP_CIPHER_CTX* cipher_context(bool encrypt, const SessionSecret::Key& key, const std::array<std::uint8_t, 12>& nonce) {
  thread_local CachedContext sealing, opening;
  return (encrypt ? sealing : opening).get(encrypt, key, nonce);
}

bool add_associated(EVP_CIPHER_CTX* context, bool encrypt, std::span<const std::uint8_t> header,
                    std::string_view topic) {
  int length = 0;
  const auto* topic_bytes = reinterpret_cast<const unsigned char*>(topic.data());
  return encrypt ? EVP_EncryptUpdate(context, nullptr, &length, header.data(), static_cast<int>(header.size())) == 1 &&
                       EVP_EncryptUpdate(context, nullptr, &length, topic_bytes, static_cast<int>(topic.size())) == 1
                 : EVP_DecryptUpdate(context, nullptr, &length, header.data(), static_cast<int>(header.size())) == 1 &&
                       EVP_DecryptUpdate(context, nullptr, &length, topic_bytes, static_cast<int>(topic.size())) == 1;
}

}  // namespace

ParticipantId random_participant() {
  ParticipantId participant{};
  if (RAND_bytes(participant.data(), static_cast<int>(participant.size())) != 1)
    throw std::runtime_error("the random generator failed");
  return participant;
}

std::string to_hex(const ParticipantId& participant) {
  std::string text;
  for (const auto byte : participant) text += fmt::format("{:02x}", byte);
  return text;
}

Codec::Codec(std::optional<SessionSecret> secret, std::string session)
    : secret_(std::move(secret)), session_(std::move(session)) {}

std::string Codec::session_level() const {
  if (!secret_) return session_;
  // Only the secret's holders know where the session's topics are.
  const auto id = secret_->derive("lim mqtt topics v1", session_);
  std::string text = session_ + "-";
  for (std::size_t i = 0; i < 12; ++i) text += fmt::format("{:02x}", id[i]);
  return text;
}

SessionSecret::Key Codec::key(std::string_view role, const ParticipantId& participant) const {
  if (!secret_) return {};
  std::string context = session_;
  context += '\0';
  context += role;
  context += '\0';
  context.append(participant.begin(), participant.end());
  return secret_->derive("lim mqtt message key v1", context);
}

std::vector<std::uint8_t> Codec::seal(const Header& header, std::span<const std::uint8_t> body,
                                      std::string_view topic, const SessionSecret::Key* key) const {
  std::vector<std::uint8_t> out;
  out.reserve(kHeaderBytes + body.size() + kTagBytes);
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(header.kind));
  put(out, header.from, 2);
  put(out, header.to, 2);
  out.insert(out.end(), header.participant.begin(), header.participant.end());
  put(out, header.epoch, 4);
  put(out, header.counter, 8);
  put(out, header.seq, 8);
  if (!secret_) {
    out.insert(out.end(), body.begin(), body.end());
    return out;
  }
  if (!key) throw std::logic_error("Codec::seal: an authenticated session needs the sender's key");
  const auto nonce = nonce_of(header.counter);
  out.resize(kHeaderBytes + body.size() + kTagBytes);
  int length = 0;
  auto* context = cipher_context(true, *key, nonce);
  if (!context || !add_associated(context, true, std::span(out.data(), kHeaderBytes), topic) ||
      (!body.empty() && EVP_EncryptUpdate(context, out.data() + kHeaderBytes, &length, body.data(),
                                          static_cast<int>(body.size())) != 1) ||
      EVP_EncryptFinal_ex(context, out.data() + kHeaderBytes + body.size(), &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, kTagBytes, out.data() + kHeaderBytes + body.size()) != 1)
    throw std::runtime_error("AES-GCM encryption failed");
  return out;
}

std::optional<Header> Codec::peek(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes || bytes[0] != kVersion) return std::nullopt;
  Header header;
  const std::uint8_t* at = bytes.data() + 1;
  const auto kind = *at++;
  if (kind < 1 || kind > static_cast<std::uint8_t>(Kind::Refuse)) return std::nullopt;
  header.kind = static_cast<Kind>(kind);
  header.from = static_cast<std::uint16_t>(get(at, 2));
  header.to = static_cast<std::uint16_t>(get(at, 2));
  std::copy(at, at + header.participant.size(), header.participant.begin());
  at += header.participant.size();
  header.epoch = static_cast<std::uint32_t>(get(at, 4));
  header.counter = get(at, 8);
  header.seq = get(at, 8);
  return header;
}

std::optional<Message> Codec::open(std::span<const std::uint8_t> bytes, std::string_view topic,
                                   const SessionSecret::Key* key) const {
  auto header = peek(bytes);
  if (!header) return std::nullopt;
  Message message{*header, {}};
  if (!secret_) {
    message.body.assign(bytes.begin() + kHeaderBytes, bytes.end());
    return message;
  }
  if (!key || bytes.size() < kHeaderBytes + kTagBytes) return std::nullopt;
  const auto body_size = bytes.size() - kHeaderBytes - kTagBytes;
  message.body.resize(body_size);
  const auto nonce = nonce_of(header->counter);
  int length = 0;
  std::array<std::uint8_t, kTagBytes> tag{};
  std::copy(bytes.end() - kTagBytes, bytes.end(), tag.begin());
  auto* context = cipher_context(false, *key, nonce);
  if (!context || !add_associated(context, false, bytes.first(kHeaderBytes), topic) ||
      (body_size > 0 && EVP_DecryptUpdate(context, message.body.data(), &length, bytes.data() + kHeaderBytes,
                                          static_cast<int>(body_size)) != 1) ||
      EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(context, message.body.data() + body_size, &length) != 1)
    return std::nullopt;  // forged, altered, or sealed for another topic
  return message;
}

}  // namespace lim::runtime::mqtt
