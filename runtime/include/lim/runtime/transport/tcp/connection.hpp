#pragma once
// One connection between two endpoints, plain or TLS 1.3, driven without
// blocking: the transport polls the descriptor and reads or writes when poll
// says so. Public so that tools speaking lim's frames by hand (the tests'
// misbehaving peers) use the very TLS set-up the transport uses.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "lim/runtime/transport/tcp/security.hpp"
#include "lim/runtime/transport/tcp/socket_address.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace lim::runtime::tcp {

// The TLS configuration shared by one endpoint's connections.
class TlsContext {
 public:
  // nullptr for Security::plaintext(); throws std::invalid_argument for an
  // unset mode, a missing secret or unusable certificate files.
  static std::shared_ptr<TlsContext> make(const Security& security, std::string_view session);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ssl_ctx_st* get() const { return context_; }
  bool certificates() const { return certificates_; }
  const SessionSecret::Key& psk() const { return psk_; }

 private:
  TlsContext() = default;
  ssl_ctx_st* context_ = nullptr;
  bool certificates_ = false;
  SessionSecret::Key psk_{};
};

enum class IoStatus {
  Ok,         // `bytes` moved (a handshake step: the handshake is done)
  WantRead,   // nothing can move until the socket is readable
  WantWrite,  // … or writable
  Closed,     // the peer ended the stream in order
  Reset,      // the peer's end reset the connection
  Failed,     // anything else: `error` says what
};

struct Io {
  std::size_t bytes = 0;
  IoStatus status = IoStatus::Ok;
  std::string error;
};

class Connection {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // Takes ownership of `fd`, a connected socket. With a TLS context, `client`
  // says which side of the handshake this end plays, and a client checks that
  // the server's certificate names `peer_role` (certificate mode).
  Connection(int fd, std::shared_ptr<TlsContext> tls, bool client, std::string peer_role = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects and shakes hands, blocking until `deadline`; throws
  // std::runtime_error when that fails. For tools and tests.
  static std::unique_ptr<Connection> open(const Address& address, std::shared_ptr<TlsContext> tls,
                                          std::string peer_role, Deadline deadline);

  int fd() const { return fd_; }
  bool secure() const { return ssl_ != nullptr; }
  // One step of the TLS handshake: Ok when it is complete (at once for plaintext).
  Io handshake();
  // Never block.
  Io read(std::span<std::uint8_t> into);
  // TLS: received bytes OpenSSL holds that poll(2) on the socket cannot
  // see, so a reader must not wait before taking them.
  bool holds_unread() const;
  // Waits until the socket is readable, at most `timeout` (negative: no
  // limit); false when the time passed first.
  bool wait_readable(std::chrono::milliseconds timeout) const;
  Io write(std::span<const std::uint8_t> bytes);
  // Plaintext only: waits in recv(2) itself, at most `timeout` (0: no limit);
  // WantRead when the time passed first.
  Io read_waiting(std::span<std::uint8_t> into, std::chrono::milliseconds timeout);
  // Blocking helpers for tools: false (or WantRead) when the deadline passed
  // or the connection failed.
  bool write_all(std::span<const std::uint8_t> bytes, Deadline deadline);
  Io read_some(std::span<std::uint8_t> into, Deadline deadline);
  // Certificate mode: whether the peer's certificate names `role`. True
  // without certificates.
  bool peer_certificate_names(std::string_view role) const;
  // Says goodbye at the TLS level (close_notify) and shuts the sending side.
  void close_write() noexcept;
  // Closes with a reset instead of an orderly end (tests of a peer that dies).
  void reset() noexcept;

 private:
  Io tls_result(int result, const char* what);

  int fd_ = -1;
  ssl_st* ssl_ = nullptr;
  std::shared_ptr<TlsContext> tls_;
  std::string peer_role_;
  bool client_ = false;
  bool handshaken_ = false;
  int receive_timeout_ms_ = -1;  // the SO_RCVTIMEO set last
};

}  // namespace lim::runtime::tcp
