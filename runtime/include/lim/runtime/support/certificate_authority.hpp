#pragma once
// A certificate authority made on the spot, for the tests, the examples and
// the benchmark: role certificates for the TCP transport's certificate mode
// and a broker certificate for MQTT over TLS. Keys are P-256, certificates
// valid for a day; everything is written as PEM files into a directory the
// caller owns (a TemporaryDirectory).
#include <filesystem>
#include <string>

namespace lim::runtime::support {

class CertificateAuthority {
 public:
  struct Issued {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
  };

  // Writes `<directory>/<file_stem>.pem` (the CA certificate) and its key.
  explicit CertificateAuthority(std::filesystem::path directory, std::string file_stem = "ca");
  ~CertificateAuthority();
  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  const std::filesystem::path& certificate() const { return certificate_; }
  // A certificate naming `name` as its subject CN and DNS name (a role, or
  // "localhost"), also valid for the address 127.0.0.1.
  Issued issue(const std::string& name) const;

 private:
  std::filesystem::path directory_;
  std::filesystem::path certificate_;
  void* key_ = nullptr;   // EVP_PKEY
  void* x509_ = nullptr;  // X509
};

}  // namespace lim::runtime::support
