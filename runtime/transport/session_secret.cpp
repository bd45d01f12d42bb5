#include "lim/runtime/transport/session_secret.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace lim::runtime {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

SessionSecret SessionSecret::generate() {
  SessionSecret secret;
  if (RAND_bytes(secret.bytes_.data(), static_cast<int>(secret.bytes_.size())) != 1)
    throw std::runtime_error("the random generator failed to make a session secret");
  return secret;
}

SessionSecret SessionSecret::from_hex(std::string_view hex) {
  SessionSecret secret;
  if (hex.size() != 2 * secret.bytes_.size())
    throw std::invalid_argument(fmt::format("a session secret is {} hexadecimal digits, not {} characters",
                                            2 * secret.bytes_.size(), hex.size()));
  for (std::size_t i = 0; i < secret.bytes_.size(); ++i) {
    const int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) throw std::invalid_argument("a session secret is hexadecimal digits only");
    secret.bytes_[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return secret;
}

SessionSecret SessionSecret::read_file(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0)
    throw std::invalid_argument(fmt::format("cannot read the session secret {}", path.string()));
  if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw std::invalid_argument(fmt::format("the session secret {} is accessible to other users (chmod 600 it)",
                                            path.string()));
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::invalid_argument(fmt::format("cannot read the session secret {}", path.string()));
  auto content = text.str();
  const auto first = content.find_first_not_of(" \t\r\n");
  const auto last = content.find_last_not_of(" \t\r\n");
  try {
    return from_hex(first == std::string::npos ? "" : std::string_view(content).substr(first, last - first + 1));
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("{}: {}", path.string(), error.what()));
  }
}

std::optional<SessionSecret> SessionSecret::from_environment(const char* variable) {
  const char* value = std::getenv(variable);
  if (!value || !*value) return std::nullopt;
  try {
    return from_hex(value);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("${}: {}", variable, error.what()));
  }
}

std::string SessionSecret::hex() const {
  std::string text;
  for (const auto byte : bytes_) text += fmt::format("{:02x}", byte);
  return text;
}

SessionSecret::Key SessionSecret::derive(std::string_view purpose, std::string_view context) const {
  const std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), EVP_KDF_free);
  const std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context_(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr,
                                                                           EVP_KDF_CTX_free);
  if (!context_) throw std::runtime_error("OpenSSL has no HKDF");
  char digest[] = "SHA256";
  auto key = bytes_;
  std::string salt(purpose), info(context);
  const OSSL_PARAM parameters[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end()};
  Key derived{};
  if (EVP_KDF_derive(context_.get(), derived.data(), derived.size(), parameters) != 1)
    throw std::runtime_error("HKDF failed");
  return derived;
}

}  // namespace lim::runtime
