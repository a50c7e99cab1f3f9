// Certificates and keys made at run time with the OpenSSL 3 API, and server TLS contexts.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/ssl.h>

namespace loginspec::mocks {

// Description of a leaf (or CA) certificate. Every field maps to one fault a scenario can
// request, so a bad certificate is always made on purpose.
struct CertificateSpec {
  std::string common_name = "loginspec test server";
  std::vector<std::string> dns_names;     // subjectAltName dNSName entries
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries ("127.0.0.1", "::1")
  bool include_subject_alt_name = true;   // false: common name only, no SAN extension
  long not_before_offset_seconds = -3600; // relative to now; negative is in the past
  long not_after_offset_seconds = 30L * 24 * 3600;
  int rsa_bits = 2048;                    // 1024 for the weak-key case
  std::string digest = "sha256";          // "sha1" for the SHA-1 signature case
  enum class Usage { kServer, kClient, kWrongUsage } usage = Usage::kServer;  // extendedKeyUsage
  bool is_ca = false;
  // Key to certify instead of making a new one; its size overrides rsa_bits. Making RSA keys
  // is the slow part of building certificates, so callers that need many reuse one key.
  std::shared_ptr<EVP_PKEY> key;
};

// A certificate with its private key, both owned; PEM text ready to write.
struct KeyPair {
  std::shared_ptr<X509> certificate;
  std::shared_ptr<EVP_PKEY> key;
  std::string certificate_pem() const;
  std::string key_pem() const;
};

class CertificateAuthority {
 public:
  // Makes a self-signed CA (basicConstraints CA:TRUE, keyCertSign).
  static CertificateAuthority create(const std::string& common_name, int rsa_bits = 2048);
  // Makes a self-signed CA around an existing key (for example a fast-to-make EC key).
  static CertificateAuthority create_with_key(const std::string& common_name, std::shared_ptr<EVP_PKEY> key);
  // Makes an intermediate CA signed by this one.
  CertificateAuthority create_intermediate(const std::string& common_name) const;

  // Issues a certificate signed by this CA.
  KeyPair issue(const CertificateSpec& spec) const;
  // Makes a certificate that signs itself (not from any CA).
  static KeyPair self_signed(const CertificateSpec& spec);

  const KeyPair& own() const { return own_; }

 private:
  KeyPair own_;
};

// Makes an RSA private key of `bits` bits; throws std::runtime_error on failure.
std::shared_ptr<EVP_PKEY> make_rsa_key(int bits);
// Makes an ECDSA P-256 private key: about a thousand times faster to make than RSA 2048.
std::shared_ptr<EVP_PKEY> make_ec_key();

// Writes text to path with the given mode (0600 for keys), creating parent folders.
// The text goes to a temporary file that is renamed over path. Throws std::system_error.
void write_file(const std::filesystem::path& path, const std::string& text, unsigned mode = 0644);

struct ServerTlsOptions {
  KeyPair leaf;
  std::vector<KeyPair> chain;             // intermediates sent after the leaf, in order
  std::optional<int> min_version;         // TLS1_VERSION ... TLS1_3_VERSION; nullopt: OpenSSL default
  std::optional<int> max_version;
  bool request_client_certificate = false;
  bool require_client_certificate = false;
  std::vector<KeyPair> client_cas;        // trusted issuers of client certificates
};

struct SslCtxDeleter { void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); } };
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

// Builds a server-side SSL_CTX. Throws std::runtime_error with OpenSSL's error text on failure.
// Old protocol versions (TLS 1.0/1.1) need security level 0; the context sets it when asked for them.
// It also sets level 0 when the leaf or a chain certificate gives under 112 bits of security
// (an RSA key under 2048 bits or a SHA-1 signature), so that the server can still present it.
SslCtxPtr make_server_context(const ServerTlsOptions& options);

// OpenSSL's queued errors as one line, then clears the queue.
std::string openssl_errors();

}  // namespace loginspec::mocks
