#pragma once
// How the TCP transport's connections are protected. Every connection of a
// session is TLS 1.3 (OpenSSL), authenticated one of two ways:
//
//   psk           the session secret (SessionSecret), shared by every role:
//                 a peer without it cannot finish the handshake, and learns
//                 nothing. The key is derived from the secret and the session
//                 name, so sessions with one secret still cannot meet.
//   certificates  each role has a certificate of the session's CA that names
//                 the role (its subject CN or a DNS subject-alternative name):
//                 both ends prove who they are, and a role cannot pose as
//                 another.
//
// plaintext is no protection at all — anyone who can reach a listening port
// can try to join — and exists for trusted networks and for measuring what
// TLS costs. It must be asked for: a Config without security is refused.
#include <filesystem>
#include <optional>

#include "lim/runtime/transport/session_secret.hpp"

namespace lim::runtime::tcp {

struct Security {
  enum class Mode { Unset, Plaintext, Psk, Certificates };
  Mode mode = Mode::Unset;
  std::optional<SessionSecret> secret;  // Psk
  std::filesystem::path ca_file;           // Certificates: the CA that issued every role's certificate
  std::filesystem::path certificate_file;  // this role's certificate (PEM, chain allowed)
  std::filesystem::path private_key_file;  // its key (PEM)

  static Security plaintext() { return Security{Mode::Plaintext, std::nullopt, {}, {}, {}}; }
  static Security psk(SessionSecret secret) { return Security{Mode::Psk, secret, {}, {}, {}}; }
  static Security certificates(std::filesystem::path ca, std::filesystem::path certificate,
                               std::filesystem::path key) {
    return Security{Mode::Certificates, std::nullopt, std::move(ca), std::move(certificate), std::move(key)};
  }
};

}  // namespace lim::runtime::tcp
