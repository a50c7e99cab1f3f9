// Makes RSA keys, X.509 certificates and server SSL_CTXs with the OpenSSL 3 C API.
#include "mocks/tls_material.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace loginspec::mocks {
namespace {

// Validity of a CA made by CertificateAuthority::create or create_intermediate. It is longer
// than the default 30-day leaf validity so that a CA outlives leaves issued with defaults.
constexpr long kCaValiditySeconds = 365L * 24 * 3600;

// Security level 2 requires 112 bits of security, so OpenSSL 3.0 rejects RSA keys under 2048
// bits and SHA-1 signatures there. Debian builds OpenSSL with level 2 as the default.
constexpr int kLevelTwoSecurityBits = 112;

struct BioDeleter { void operator()(BIO* bio) const { BIO_free(bio); } };
struct BignumDeleter { void operator()(BIGNUM* bn) const { BN_free(bn); } };
struct GeneralNamesDeleter { void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); } };
struct ExtensionDeleter { void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); } };
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, BignumDeleter>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, ExtensionDeleter>;

[[noreturn]] void throw_openssl_failure(const std::string& action) {
  std::string message = action + " failed";
  std::string details = openssl_errors();
  if (!details.empty()) message += ": " + details;
  throw std::runtime_error(message);
}

std::shared_ptr<EVP_PKEY> generate_rsa_key(int bits) {
  if (bits < 512) {
    throw std::invalid_argument("RSA key size " + std::to_string(bits) +
                                " bits is invalid: OpenSSL makes RSA keys of 512 bits or more");
  }
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  if (key == nullptr) throw_openssl_failure("generating a " + std::to_string(bits) + "-bit RSA key");
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// RFC 5280 section 4.1.2.2: the serial number is a positive integer of at most 20 octets that
// is unique per issuer. 128 random bits make a repeat negligibly likely and fit, because DER
// adds a leading zero octet only when the top bit is set, which makes 17 octets at most.
void set_random_serial(X509* certificate) {
  BignumPtr number(BN_new());
  if (!number) throw_openssl_failure("BN_new for a serial number");
  do {
    if (BN_rand(number.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      throw_openssl_failure("BN_rand for a serial number");
    }
  } while (BN_is_zero(number.get()));

  if (BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) == nullptr) {
    throw_openssl_failure("BN_to_ASN1_INTEGER for a serial number");
  }
}

void set_subject_common_name(X509* certificate, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(certificate);
  auto bytes = reinterpret_cast<const unsigned char*>(common_name.c_str());
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, bytes, -1, -1, 0) != 1) {
    throw_openssl_failure("setting the subject common name \"" + common_name + "\"");
  }
}

// X509_time_adj_ex takes the offset from now in seconds, so negative offsets give times in
// the past. That is how expired and not-yet-valid certificates are made.
void set_validity(X509* certificate, long not_before_offset_seconds, long not_after_offset_seconds) {
  if (not_after_offset_seconds < not_before_offset_seconds) {
    throw std::invalid_argument("notAfter offset " + std::to_string(not_after_offset_seconds) +
                                " s is before notBefore offset " +
                                std::to_string(not_before_offset_seconds) + " s");
  }
  if (X509_time_adj_ex(X509_getm_notBefore(certificate), 0, not_before_offset_seconds, nullptr) == nullptr) {
    throw_openssl_failure("setting notBefore");
  }
  if (X509_time_adj_ex(X509_getm_notAfter(certificate), 0, not_after_offset_seconds, nullptr) == nullptr) {
    throw_openssl_failure("setting notAfter");
  }
}

void add_extension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value));
  if (!extension) {
    throw_openssl_failure(std::string("making extension ") + OBJ_nid2sn(nid) + " = " + value);
  }
  if (X509_add_ext(certificate, extension.get(), -1) != 1) {
    throw_openssl_failure(std::string("adding extension ") + OBJ_nid2sn(nid));
  }
}

void add_dns_name(GENERAL_NAMES* names, const std::string& dns_name) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  if (name == nullptr || text == nullptr ||
      ASN1_STRING_set(text, dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
    GENERAL_NAME_free(name);
    ASN1_IA5STRING_free(text);
    throw_openssl_failure("making the dNSName entry \"" + dns_name + "\"");
  }
  GENERAL_NAME_set0_value(name, GEN_DNS, text);
  if (sk_GENERAL_NAME_push(names, name) <= 0) {
    GENERAL_NAME_free(name);
    throw_openssl_failure("adding the dNSName entry \"" + dns_name + "\"");
  }
}

void add_ip_address(GENERAL_NAMES* names, const std::string& ip_address) {
  // a2i_IPADDRESS parses both IPv4 and IPv6 text into the 4 or 16 octets that RFC 5280
  // section 4.2.1.6 puts in an iPAddress entry.
  ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip_address.c_str());
  if (octets == nullptr) {
    ERR_clear_error();
    throw std::invalid_argument("subjectAltName IP address \"" + ip_address +
                                "\" is invalid: expected IPv4 or IPv6 text such as 127.0.0.1 or ::1");
  }
  GENERAL_NAME* name = GENERAL_NAME_new();
  if (name == nullptr) {
    ASN1_OCTET_STRING_free(octets);
    throw_openssl_failure("making the iPAddress entry \"" + ip_address + "\"");
  }
  GENERAL_NAME_set0_value(name, GEN_IPADD, octets);
  if (sk_GENERAL_NAME_push(names, name) <= 0) {
    GENERAL_NAME_free(name);
    throw_openssl_failure("adding the iPAddress entry \"" + ip_address + "\"");
  }
}

void add_subject_alt_name(X509* certificate, const CertificateSpec& spec) {
  // RFC 5280 section 4.2.1.6 forbids an empty subjectAltName, so a spec without names gets
  // no extension at all, the same as include_subject_alt_name = false.
  if (!spec.include_subject_alt_name || (spec.dns_names.empty() && spec.ip_addresses.empty())) return;

  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) throw_openssl_failure("allocating subjectAltName entries");
  for (const std::string& dns_name : spec.dns_names) add_dns_name(names.get(), dns_name);
  for (const std::string& ip_address : spec.ip_addresses) add_ip_address(names.get(), ip_address);

  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    throw_openssl_failure("adding subjectAltName");
  }
}

const char* extended_key_usage_value(CertificateSpec::Usage usage) {
  switch (usage) {
    case CertificateSpec::Usage::kServer: return "serverAuth";
    case CertificateSpec::Usage::kClient: return "clientAuth";
    // RFC 5280 section 4.2.1.12 limits a certificate with this extension to the purposes it
    // lists, and codeSigning is neither TLS server nor client authentication.
    case CertificateSpec::Usage::kWrongUsage: return "codeSigning";
  }
  throw std::invalid_argument("unknown CertificateSpec::Usage value");
}

// Adds the v3 extensions. The issuer must already carry its subjectKeyIdentifier, which
// authorityKeyIdentifier copies. A self-signed certificate is its own issuer.
void add_v3_extensions(X509* certificate, X509* issuer, const CertificateSpec& spec) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);

  add_extension(certificate, &context, NID_basic_constraints,
                spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(certificate, &context, NID_key_usage,
                spec.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
  // A CA here carries no extendedKeyUsage, because on a CA it would limit every certificate
  // below it to that usage.
  if (!spec.is_ca) {
    add_extension(certificate, &context, NID_ext_key_usage, extended_key_usage_value(spec.usage));
  }
  add_extension(certificate, &context, NID_subject_key_identifier, "hash");
  add_extension(certificate, &context, NID_authority_key_identifier, "keyid:always");
  add_subject_alt_name(certificate, spec);
}

// Builds and signs one certificate. A null issuer makes it self-signed with subject_key.
std::shared_ptr<X509> build_certificate(const CertificateSpec& spec, EVP_PKEY* subject_key,
                                        X509* issuer, EVP_PKEY* issuer_key) {
  const EVP_MD* digest = EVP_get_digestbyname(spec.digest.c_str());
  if (digest == nullptr) {
    throw std::invalid_argument("signing digest \"" + spec.digest +
                                "\" is not known to OpenSSL: use a name such as sha256 or sha1");
  }

  std::shared_ptr<X509> certificate(X509_new(), X509_free);
  if (!certificate) throw_openssl_failure("X509_new");
  X509* raw = certificate.get();

  if (X509_set_version(raw, X509_VERSION_3) != 1) throw_openssl_failure("setting version 3");
  set_random_serial(raw);
  set_subject_common_name(raw, spec.common_name);
  X509* signer = issuer != nullptr ? issuer : raw;
  if (X509_set_issuer_name(raw, X509_get_subject_name(signer)) != 1) throw_openssl_failure("setting the issuer name");
  set_validity(raw, spec.not_before_offset_seconds, spec.not_after_offset_seconds);
  if (X509_set_pubkey(raw, subject_key) != 1) throw_openssl_failure("setting the public key");

  add_v3_extensions(raw, signer, spec);

  EVP_PKEY* signing_key = issuer_key != nullptr ? issuer_key : subject_key;
  // X509_sign ignores security levels in OpenSSL 3.0, so SHA-1 and 1024-bit certificates can
  // be made. Levels apply when a certificate is loaded into an SSL_CTX or verified.
  if (X509_sign(raw, signing_key, digest) <= 0) {
    throw_openssl_failure("signing \"" + spec.common_name + "\" with " + spec.digest);
  }
  return certificate;
}

CertificateSpec ca_spec(const std::string& common_name, int rsa_bits) {
  CertificateSpec spec;
  spec.common_name = common_name;
  spec.include_subject_alt_name = false;
  spec.not_after_offset_seconds = kCaValiditySeconds;
  spec.rsa_bits = rsa_bits;
  spec.is_ca = true;
  return spec;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// Returns whether the certificate's key or signature gives fewer than 112 bits of security,
// so that OpenSSL rejects it at security level 2.
bool is_weaker_than_level_two(const KeyPair& pair) {
  if (!pair.certificate) return false;
  EVP_PKEY* public_key = X509_get0_pubkey(pair.certificate.get());
  if (public_key != nullptr && EVP_PKEY_get_security_bits(public_key) < kLevelTwoSecurityBits) return true;
  int signature_bits = -1;
  if (X509_get_signature_info(pair.certificate.get(), nullptr, nullptr, &signature_bits, nullptr) == 1 &&
      signature_bits >= 0 && signature_bits < kLevelTwoSecurityBits) {
    return true;
  }
  return false;
}

void configure_protocol_versions(SSL_CTX* ctx, const ServerTlsOptions& options) {
  std::optional<int> min_version = options.min_version;
  // A server capped below TLS 1.2 gets TLS 1.0 as its floor when none is given, so that a
  // system-wide MinProtocol setting cannot leave it with no version at all.
  if (!min_version && options.max_version && *options.max_version < TLS1_2_VERSION) {
    min_version = TLS1_VERSION;
  }
  if (min_version && SSL_CTX_set_min_proto_version(ctx, *min_version) != 1) {
    throw_openssl_failure("setting minimum protocol version " + std::to_string(*min_version));
  }
  if (options.max_version && SSL_CTX_set_max_proto_version(ctx, *options.max_version) != 1) {
    throw_openssl_failure("setting maximum protocol version " + std::to_string(*options.max_version));
  }
}

bool allows_version_below_tls12(const ServerTlsOptions& options) {
  if (options.max_version && *options.max_version < TLS1_2_VERSION) return true;
  if (options.min_version && *options.min_version < TLS1_2_VERSION) return true;
  return false;
}

// OpenSSL 3.0 allows TLS 1.0 and 1.1, whose handshake signatures use MD5 and SHA-1, only at
// security level 0. The server also drops to level 0 for a certificate that level 2 rejects,
// because the point of such a server is to see whether the client under test accepts it.
void lower_security_level_if_needed(SSL_CTX* ctx, const ServerTlsOptions& options) {
  bool weak_material = is_weaker_than_level_two(options.leaf);
  for (const KeyPair& intermediate : options.chain) weak_material = weak_material || is_weaker_than_level_two(intermediate);
  if (!allows_version_below_tls12(options) && !weak_material) return;

  SSL_CTX_set_security_level(ctx, 0);
  if (SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0") != 1) {
    throw_openssl_failure("setting cipher list DEFAULT:@SECLEVEL=0");
  }
}

void configure_client_verification(SSL_CTX* ctx, const ServerTlsOptions& options) {
  bool require = options.require_client_certificate;
  if (!options.request_client_certificate && !require) return;

  // NOTE: with client_cas empty the server still requests a certificate but trusts none,
  // so every client certificate fails verification.
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const KeyPair& ca : options.client_cas) {
    if (X509_STORE_add_cert(store, ca.certificate.get()) != 1) throw_openssl_failure("adding a client CA to the trust store");
    // The CertificateRequest message lists these names so that a client can pick a matching certificate.
    if (SSL_CTX_add_client_CA(ctx, ca.certificate.get()) != 1) throw_openssl_failure("adding a client CA name");
  }

  int mode = SSL_VERIFY_PEER;
  if (require) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);

  // Resuming a session on a server that verifies clients fails without a session id context.
  static const unsigned char kSessionIdContext[] = "loginspec-mock";
  if (SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1) != 1) {
    throw_openssl_failure("setting the session id context");
  }
}

}  // namespace

std::string KeyPair::certificate_pem() const {
  if (!certificate) throw std::logic_error("KeyPair has no certificate");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate.get()) != 1) throw_openssl_failure("PEM_write_bio_X509");
  return bio_text(bio.get());
}

std::string KeyPair::key_pem() const {
  if (!key) throw std::logic_error("KeyPair has no key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  // Unencrypted PKCS#8, the form servers and clients load without a passphrase.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_openssl_failure("PEM_write_bio_PrivateKey");
  }
  return bio_text(bio.get());
}

CertificateAuthority CertificateAuthority::create(const std::string& common_name, int rsa_bits) {
  CertificateAuthority authority;
  authority.own_.key = generate_rsa_key(rsa_bits);
  authority.own_.certificate =
      build_certificate(ca_spec(common_name, rsa_bits), authority.own_.key.get(), nullptr, nullptr);
  return authority;
}

CertificateAuthority CertificateAuthority::create_with_key(const std::string& common_name,
                                                           std::shared_ptr<EVP_PKEY> key) {
  CertificateAuthority authority;
  authority.own_.key = std::move(key);
  authority.own_.certificate = build_certificate(ca_spec(common_name, EVP_PKEY_get_bits(authority.own_.key.get())),
                                                 authority.own_.key.get(), nullptr, nullptr);
  return authority;
}

CertificateAuthority CertificateAuthority::create_intermediate(const std::string& common_name) const {
  CertificateAuthority intermediate;
  CertificateSpec spec = ca_spec(common_name, EVP_PKEY_get_bits(own_.key.get()));
  if (EVP_PKEY_get_base_id(own_.key.get()) == EVP_PKEY_EC) spec.key = make_ec_key();
  intermediate.own_ = issue(spec);
  return intermediate;
}

std::shared_ptr<EVP_PKEY> make_rsa_key(int bits) { return generate_rsa_key(bits); }

std::shared_ptr<EVP_PKEY> make_ec_key() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key == nullptr) throw_openssl_failure("generating a P-256 EC key");
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

KeyPair CertificateAuthority::issue(const CertificateSpec& spec) const {
  KeyPair pair;
  pair.key = spec.key ? spec.key : generate_rsa_key(spec.rsa_bits);
  pair.certificate = build_certificate(spec, pair.key.get(), own_.certificate.get(), own_.key.get());
  return pair;
}

KeyPair CertificateAuthority::self_signed(const CertificateSpec& spec) {
  KeyPair pair;
  pair.key = spec.key ? spec.key : generate_rsa_key(spec.rsa_bits);
  pair.certificate = build_certificate(spec, pair.key.get(), nullptr, nullptr);
  return pair;
}

void write_file(const std::filesystem::path& path, const std::string& text, unsigned mode) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());

  // The text goes to a temporary file in the same folder, which is then renamed over the
  // target, so a reader sees either the old file or the whole new one.
  std::string temporary = path.string() + ".tmp-XXXXXX";
  int fd = mkstemp(temporary.data());
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "creating a temporary file for " + path.string());

  auto fail = [&](const std::string& action) {
    int error = errno;
    close(fd);
    unlink(temporary.c_str());
    throw std::system_error(error, std::generic_category(), action + " " + temporary);
  };

  size_t written = 0;
  while (written < text.size()) {
    ssize_t count = ::write(fd, text.data() + written, text.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) fail("writing");
    written += static_cast<size_t>(count);
  }
  // fchmod after the write sets the mode exactly, whatever the process umask is.
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0) fail("setting the mode of");
  if (fsync(fd) != 0) fail("flushing");
  if (close(fd) != 0) {
    int error = errno;
    unlink(temporary.c_str());
    throw std::system_error(error, std::generic_category(), "closing " + temporary);
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    int error = errno;
    unlink(temporary.c_str());
    throw std::system_error(error, std::generic_category(), "renaming " + temporary + " to " + path.string());
  }
}

SslCtxPtr make_server_context(const ServerTlsOptions& options) {
  if (!options.leaf.certificate || !options.leaf.key) {
    throw std::invalid_argument("ServerTlsOptions.leaf needs both a certificate and a key");
  }

  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) throw_openssl_failure("SSL_CTX_new");

  configure_protocol_versions(ctx.get(), options);
  // The level must drop before the certificate is loaded, because SSL_CTX_use_certificate
  // checks the key size and signature against the level in force.
  lower_security_level_if_needed(ctx.get(), options);

  if (SSL_CTX_use_certificate(ctx.get(), options.leaf.certificate.get()) != 1) {
    throw_openssl_failure("loading the server certificate");
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), options.leaf.key.get()) != 1) throw_openssl_failure("loading the server key");
  if (SSL_CTX_check_private_key(ctx.get()) != 1) {
    throw_openssl_failure("checking that the server key matches its certificate");
  }
  for (const KeyPair& intermediate : options.chain) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), intermediate.certificate.get()) != 1) {
      throw_openssl_failure("adding a chain certificate");
    }
  }

  configure_client_verification(ctx.get(), options);
  return ctx;
}

std::string openssl_errors() {
  std::string line;
  const char* data = nullptr;
  int flags = 0;
  unsigned long code = 0;
  while ((code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!line.empty()) line += "; ";
    line += buffer;
    if (data != nullptr && (flags & ERR_TXT_STRING) != 0 && *data != '\0') {
      line += " (";
      line += data;
      line += ")";
    }
  }
  return line;
}

}  // namespace loginspec::mocks
