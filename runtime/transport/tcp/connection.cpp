#include "lim/runtime/transport/tcp/connection.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "socket.hpp"

namespace lim::runtime::tcp {
namespace {

// The PSK's identity travels in clear in the ClientHello: it names nothing.
constexpr unsigned char kPskIdentity[] = {'l', 'i', 'm'};
// The context PSK sessions belong to (OpenSSL checks that they match).
constexpr unsigned char kSessionContext[] = {'l', 'i', 'm', '-', 't', 'c', 'p'};

std::string openssl_error() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += (text.empty() ? "" : "; ") + std::string(buffer);
  }
  return text.empty() ? "unknown TLS error" : text;
}

const TlsContext& context_of(SSL* ssl) {
  return *static_cast<const TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

// TLS 1.3 external PSK: a session made from the key, for TLS_AES_128_GCM_SHA256
// (the PSK's hash must be the suite's: the context offers no other suite).
SSL_SESSION* psk_session(SSL* ssl) {
  const unsigned char aes_128_gcm_sha256[] = {0x13, 0x01};
  const SSL_CIPHER* cipher = SSL_CIPHER_find(ssl, aes_128_gcm_sha256);
  if (!cipher) return nullptr;
  SSL_SESSION* session = SSL_SESSION_new();
  const auto& key = context_of(ssl).psk();
  if (!session || SSL_SESSION_set1_master_key(session, key.data(), key.size()) != 1 ||
      SSL_SESSION_set_cipher(session, cipher) != 1 || SSL_SESSION_set_protocol_version(session, TLS1_3_VERSION) != 1 ||
      SSL_SESSION_set1_id_context(session, kSessionContext, sizeof kSessionContext) != 1) {
    SSL_SESSION_free(session);
    return nullptr;
  }
  return session;
}

extern "C" int use_psk(SSL* ssl, const EVP_MD* md, const unsigned char** id, size_t* id_length,
                       SSL_SESSION** session) {
  *session = psk_session(ssl);
  if (!*session) return 0;
  if (md && md != SSL_CIPHER_get_handshake_digest(SSL_SESSION_get0_cipher(*session))) {
    SSL_SESSION_free(*session);
    *session = nullptr;
    return 1;
  }
  *id = kPskIdentity;
  *id_length = sizeof kPskIdentity;
  return 1;
}

extern "C" int find_psk(SSL* ssl, const unsigned char* id, size_t id_length, SSL_SESSION** session) {
  *session = nullptr;
  if (id_length != sizeof kPskIdentity || std::memcmp(id, kPskIdentity, id_length) != 0) return 1;
  *session = psk_session(ssl);
  return *session ? 1 : 0;
}

bool same(const ASN1_STRING* text, std::string_view role) {
  return text && static_cast<std::size_t>(ASN1_STRING_length(text)) == role.size() &&
         std::memcmp(ASN1_STRING_get0_data(text), role.data(), role.size()) == 0;
}

bool names(X509* certificate, std::string_view role) {
  bool found = false;
  if (auto* alternatives = static_cast<GENERAL_NAMES*>(
          X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr))) {
    for (int i = 0; i < sk_GENERAL_NAME_num(alternatives) && !found; ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(alternatives, i);
      found = name->type == GEN_DNS && same(name->d.dNSName, role);
    }
    GENERAL_NAMES_free(alternatives);
  }
  const X509_NAME* subject = X509_get_subject_name(certificate);
  for (int index = -1; !found;) {
    index = X509_NAME_get_index_by_NID(subject, NID_commonName, index);
    if (index < 0) break;
    found = same(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)), role);
  }
  return found;
}

// A socket BIO that never raises SIGPIPE: OpenSSL's own writes with
// write(2), and a peer that vanished would kill the process.
int socket_of(BIO* bio) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio))); }

extern "C" int bio_write(BIO* bio, const char* data, int length) {
  BIO_clear_retry_flags(bio);
  const auto sent = ::send(socket_of(bio), data, static_cast<std::size_t>(length), MSG_NOSIGNAL);
  if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(bio);
  return static_cast<int>(sent);
}

extern "C" int bio_read(BIO* bio, char* data, int length) {
  BIO_clear_retry_flags(bio);
  const auto received = ::recv(socket_of(bio), data, static_cast<std::size_t>(length), 0);
  if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
  if (received == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
  return static_cast<int>(received);
}

extern "C" long bio_control(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

extern "C" int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO* socket_bio(int fd) {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "lim socket");
    if (!made || BIO_meth_set_write(made, bio_write) != 1 || BIO_meth_set_read(made, bio_read) != 1 ||
        BIO_meth_set_ctrl(made, bio_control) != 1 || BIO_meth_set_create(made, bio_create) != 1)
      throw std::runtime_error("cannot make OpenSSL's socket BIO");
    return made;
  }();
  BIO* bio = BIO_new(method);
  if (!bio) throw std::runtime_error("BIO_new failed");
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  return bio;
}

Io from_errno(const char* what) {
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {0, IoStatus::WantRead, {}};
  if (errno == ECONNRESET || errno == EPIPE) return {0, IoStatus::Reset, std::strerror(errno)};
  return {0, IoStatus::Failed, fmt::format("{}: {}", what, std::strerror(errno))};
}

int poll_for(int fd, short events, Connection::Deadline deadline) {
  pollfd waiting{fd, events, 0};
  return ::poll(&waiting, 1, poll_timeout(deadline));
}

}  // namespace

std::shared_ptr<TlsContext> TlsContext::make(const Security& security, std::string_view session) {
  using Mode = Security::Mode;
  switch (security.mode) {
    case Mode::Unset:
      throw std::invalid_argument(
          "tcp::Config::security is not set: give the session secret (Security::psk), the role's certificate "
          "(Security::certificates), or ask for an unauthenticated session with Security::plaintext()");
    case Mode::Plaintext: return nullptr;
    case Mode::Psk:
      if (!security.secret) throw std::invalid_argument("tcp::Security::psk needs the session secret");
      break;
    case Mode::Certificates:
      if (security.ca_file.empty() || security.certificate_file.empty() || security.private_key_file.empty())
        throw std::invalid_argument("tcp::Security::certificates needs a CA file, a certificate and its key");
      break;
  }
  std::shared_ptr<TlsContext> context(new TlsContext());
  context->context_ = SSL_CTX_new(TLS_method());
  if (!context->context_) throw std::runtime_error("SSL_CTX_new: " + openssl_error());
  auto* ctx = context->context_;
  SSL_CTX_set_app_data(ctx, context.get());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  // Non-blocking writes may stop half-way and resume from a buffer that moved.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A stream that ends without close_notify is judged by lim's own Goodbye.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);  // sessions are never resumed
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext);  // OpenSSL wants one with PSKs
  // A record in one recv(2) instead of its header and then its body, and
  // the records that arrived together in the same one.
  SSL_CTX_set_read_ahead(ctx, 1);
  if (security.mode == Mode::Psk) {
    context->psk_ = security.secret->derive("lim tcp tls-psk v1", session);
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
    SSL_CTX_set_psk_use_session_callback(ctx, use_psk);
    SSL_CTX_set_psk_find_session_callback(ctx, find_psk);
    // Without the PSK no handshake can succeed: a server has no certificate
    // to fall back on, and a client accepts none (it trusts no CA).
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    context->certificates_ = true;
    if (SSL_CTX_use_certificate_chain_file(ctx, security.certificate_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, security.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
      throw std::invalid_argument(fmt::format("tcp::Security: cannot use the certificate {} with the key {}: {}",
                                              security.certificate_file.string(),
                                              security.private_key_file.string(), openssl_error()));
    if (SSL_CTX_load_verify_locations(ctx, security.ca_file.c_str(), nullptr) != 1)
      throw std::invalid_argument(
          fmt::format("tcp::Security: cannot read the CA file {}: {}", security.ca_file.string(), openssl_error()));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return context;
}

TlsContext::~TlsContext() {
  if (context_) SSL_CTX_free(context_);
}

Connection::Connection(int fd, std::shared_ptr<TlsContext> tls, bool client, std::string peer_role)
    : fd_(fd), tls_(std::move(tls)), peer_role_(std::move(peer_role)), client_(client) {
  if (!tls_) {
    handshaken_ = true;
    return;
  }
  set_nonblocking(fd_);
  ssl_ = SSL_new(tls_->get());
  if (!ssl_) {
    ::close(fd_);
    throw std::runtime_error("SSL_new: " + openssl_error());
  }
  BIO* bio = socket_bio(fd_);
  SSL_set_bio(ssl_, bio, bio);
  if (client_) SSL_set_connect_state(ssl_);
  else SSL_set_accept_state(ssl_);
}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<Connection> Connection::open(const Address& address, std::shared_ptr<TlsContext> tls,
                                             std::string peer_role, Deadline deadline) {
  auto fd = connect_to(address.host, address.port, deadline);
  if (!fd.valid()) throw std::runtime_error(fmt::format("nobody accepted at {}", address.to_string()));
  auto connection = std::make_unique<Connection>(fd.get(), std::move(tls), true, std::move(peer_role));
  (void)fd.release();
  while (true) {
    const auto step = connection->handshake();
    if (step.status == IoStatus::Ok) return connection;
    if (step.status != IoStatus::WantRead && step.status != IoStatus::WantWrite)
      throw std::runtime_error(fmt::format("the TLS handshake with {} failed: {}", address.to_string(), step.error));
    if (poll_for(connection->fd(), step.status == IoStatus::WantRead ? POLLIN : POLLOUT, deadline) <= 0)
      throw std::runtime_error(fmt::format("no TLS handshake with {} in time", address.to_string()));
  }
}

Io Connection::tls_result(int result, const char* what) {
  const int error = SSL_get_error(ssl_, result);
  switch (error) {
    case SSL_ERROR_WANT_READ: return {0, IoStatus::WantRead, {}};
    case SSL_ERROR_WANT_WRITE: return {0, IoStatus::WantWrite, {}};
    case SSL_ERROR_ZERO_RETURN: return {0, IoStatus::Closed, {}};
    case SSL_ERROR_SYSCALL:
      if (errno == ECONNRESET || errno == EPIPE) return {0, IoStatus::Reset, std::strerror(errno)};
      if (errno == 0) return {0, IoStatus::Closed, {}};
      return {0, IoStatus::Failed, fmt::format("{}: {}", what, std::strerror(errno))};
    default: return {0, IoStatus::Failed, fmt::format("{}: {}", what, openssl_error())};
  }
}

Io Connection::handshake() {
  if (handshaken_) return {};
  ERR_clear_error();
  errno = 0;
  const int result = SSL_do_handshake(ssl_);
  if (result != 1) {
    auto io = tls_result(result, "TLS handshake");
    if (io.status == IoStatus::Closed || io.status == IoStatus::Reset)
      io = {0, IoStatus::Failed, "the peer closed the connection during the TLS handshake"};
    return io;
  }
  if (client_ && tls_->certificates() && !peer_certificate_names(peer_role_))
    return {0, IoStatus::Failed, fmt::format("the peer's certificate does not name role {}", peer_role_)};
  handshaken_ = true;
  return {};
}

Io Connection::read(std::span<std::uint8_t> into) {
  if (!ssl_) {
    const auto received = ::recv(fd_, into.data(), into.size(), MSG_DONTWAIT);
    if (received > 0) return {static_cast<std::size_t>(received), IoStatus::Ok, {}};
    if (received == 0) return {0, IoStatus::Closed, {}};
    return from_errno("recv");
  }
  ERR_clear_error();
  errno = 0;
  std::size_t read = 0;
  const int result = SSL_read_ex(ssl_, into.data(), into.size(), &read);
  if (result == 1) return {read, IoStatus::Ok, {}};
  return tls_result(result, "TLS read");
}

bool Connection::holds_unread() const { return ssl_ && SSL_has_pending(ssl_) == 1; }

bool Connection::wait_readable(std::chrono::milliseconds timeout) const {
  pollfd waiting{fd_, POLLIN, 0};
  const int ready = ::poll(&waiting, 1, timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
  return ready > 0;
}

Io Connection::read_waiting(std::span<std::uint8_t> into, std::chrono::milliseconds timeout) {
  if (ssl_) throw std::logic_error("Connection::read_waiting is for plaintext connections");
  const int timeout_ms = static_cast<int>(timeout.count());
  if (timeout_ms != receive_timeout_ms_) {
    const timeval limit{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    receive_timeout_ms_ = timeout_ms;
  }
  const auto received = ::recv(fd_, into.data(), into.size(), 0);
  if (received > 0) return {static_cast<std::size_t>(received), IoStatus::Ok, {}};
  if (received == 0) return {0, IoStatus::Closed, {}};
  return from_errno("recv");
}

Io Connection::write(std::span<const std::uint8_t> bytes) {
  if (!ssl_) {
    const auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) return {static_cast<std::size_t>(sent), IoStatus::Ok, {}};
    auto io = from_errno("send");
    if (io.status == IoStatus::WantRead) io.status = IoStatus::WantWrite;
    return io;
  }
  ERR_clear_error();
  errno = 0;
  std::size_t written = 0;
  const int result = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written);
  if (result == 1) return {written, IoStatus::Ok, {}};
  return tls_result(result, "TLS write");
}

bool Connection::write_all(std::span<const std::uint8_t> bytes, Deadline deadline) {
  while (!bytes.empty()) {
    const auto io = write(bytes);
    if (io.status == IoStatus::Ok) {
      bytes = bytes.subspan(io.bytes);
    } else if (io.status == IoStatus::WantRead || io.status == IoStatus::WantWrite) {
      if (poll_for(fd_, io.status == IoStatus::WantRead ? POLLIN : POLLOUT, deadline) <= 0) return false;
    } else {
      return false;
    }
  }
  return true;
}

Io Connection::read_some(std::span<std::uint8_t> into, Deadline deadline) {
  while (true) {
    auto io = read(into);
    if (io.status != IoStatus::WantRead && io.status != IoStatus::WantWrite) return io;
    if (poll_for(fd_, io.status == IoStatus::WantRead ? POLLIN : POLLOUT, deadline) <= 0) return io;
  }
}

bool Connection::peer_certificate_names(std::string_view role) const {
  if (!ssl_ || !tls_->certificates()) return true;
  X509* certificate = SSL_get1_peer_certificate(ssl_);
  if (!certificate) return false;
  const bool named = SSL_get_verify_result(ssl_) == X509_V_OK && names(certificate, role);
  X509_free(certificate);
  return named;
}

void Connection::close_write() noexcept {
  if (ssl_ && handshaken_) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);  // one attempt: close_notify if the buffer takes it
  }
  ::shutdown(fd_, SHUT_WR);
}

void Connection::reset() noexcept {
  const linger abortive{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace lim::runtime::tcp
