#include "lim/runtime/support/certificate_authority.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace lim::runtime::support {
namespace {

EVP_PKEY* new_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("cannot make a P-256 key");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension || X509_add_ext(certificate, extension, -1) != 1)
    throw std::runtime_error("cannot add a certificate extension");
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `name`, signed by `issuer_key` (itself when
// issuer is null).
X509* make_certificate(EVP_PKEY* key, const std::string& name, X509* issuer, EVP_PKEY* issuer_key, bool authority) {
  static std::atomic<long> serial{1};
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), serial++);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600);
  X509_set_pubkey(certificate, key);
  X509_NAME* subject = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(certificate, issuer ? X509_get_subject_name(issuer) : subject);
  X509* signer = issuer ? issuer : certificate;
  if (authority) {
    add_extension(certificate, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(certificate, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(certificate, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(certificate, signer, NID_subject_alt_name, ("DNS:" + name + ",IP:127.0.0.1").c_str());
    add_extension(certificate, signer, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_extension(certificate, signer, NID_subject_key_identifier, "hash");
  if (X509_sign(certificate, issuer_key, EVP_sha256()) == 0) throw std::runtime_error("cannot sign a certificate");
  return certificate;
}

void write_pem(const std::filesystem::path& path, X509* certificate, EVP_PKEY* key) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "w"), std::fclose);
  if (!file) throw std::runtime_error("cannot write " + path.string());
  if (certificate ? PEM_write_X509(file.get(), certificate) != 1
                  : PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

CertificateAuthority::CertificateAuthority(std::filesystem::path directory, std::string file_stem)
    : directory_(std::move(directory)), certificate_(directory_ / (file_stem + ".pem")) {
  auto* key = new_key();
  key_ = key;
  auto* x509 = make_certificate(key, "lim " + file_stem, nullptr, key, true);
  x509_ = x509;
  write_pem(certificate_, x509, nullptr);
}

CertificateAuthority::~CertificateAuthority() {
  X509_free(static_cast<X509*>(x509_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

CertificateAuthority::Issued CertificateAuthority::issue(const std::string& name) const {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(new_key(), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      make_certificate(key.get(), name, static_cast<X509*>(x509_), static_cast<EVP_PKEY*>(key_), false), X509_free);
  const auto stem = certificate_.stem().string() + "-" + name;
  Issued issued{directory_ / (stem + ".pem"), directory_ / (stem + "-key.pem")};
  write_pem(issued.certificate, certificate.get(), nullptr);
  write_pem(issued.private_key, nullptr, key.get());
  return issued;
}

}  // namespace lim::runtime::support
