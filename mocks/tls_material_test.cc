// Tests for run-time TLS material: certificate contents, key files, and real loopback handshakes.
#include "mocks/tls_material.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace loginspec::mocks {
namespace {

constexpr char kGreeting[] = "ok";
constexpr int kSocketTimeoutSeconds = 5;
constexpr long kOneDaySeconds = 24L * 3600;

// A spec for a server leaf that matches every loopback name a test connects with.
CertificateSpec loopback_server_spec() {
  CertificateSpec spec;
  spec.common_name = "loopback registry";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  return spec;
}

void set_socket_timeouts(int fd) {
  timeval timeout{};
  timeout.tv_sec = kSocketTimeoutSeconds;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

// The loopback address of the family with the given port (0 lets the kernel choose).
sockaddr_storage loopback_address(int family, uint16_t port, socklen_t* length) {
  sockaddr_storage storage{};
  if (family == AF_INET6) {
    auto* address = reinterpret_cast<sockaddr_in6*>(&storage);
    address->sin6_family = AF_INET6;
    address->sin6_addr = in6addr_loopback;
    address->sin6_port = htons(port);
    *length = sizeof(sockaddr_in6);
  } else {
    auto* address = reinterpret_cast<sockaddr_in*>(&storage);
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address->sin_port = htons(port);
    *length = sizeof(sockaddr_in);
  }
  return storage;
}

// Server-side record of one connection.
struct ServerHandshake {
  bool accepted = false;
  bool peer_sent_certificate = false;
  std::string error;
};

// A TLS server on loopback that accepts connections one at a time on its own thread,
// completes the handshake, sends kGreeting and closes.
class LoopbackTlsServer {
 public:
  LoopbackTlsServer(SslCtxPtr context, int family) : context_(std::move(context)) {
    // A client that has already given up makes the server write to a closed socket, which
    // must fail with EPIPE instead of ending the test process.
    std::signal(SIGPIPE, SIG_IGN);

    listen_fd_ = socket(family, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket() failed for the loopback server");
    socklen_t length = 0;
    sockaddr_storage address = loopback_address(family, 0, &length);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(listen_fd_, 8) != 0) {
      close(listen_fd_);
      throw std::runtime_error("bind() or listen() failed on the loopback address");
    }
    length = sizeof address;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                               : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    thread_ = std::thread([this] { accept_loop(); });
  }

  LoopbackTlsServer(const LoopbackTlsServer&) = delete;
  LoopbackTlsServer& operator=(const LoopbackTlsServer&) = delete;

  ~LoopbackTlsServer() { stop(); }

  uint16_t port() const { return port_; }

  // Stops accepting and joins the thread, so the records of every connection are complete.
  void stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    // On Linux, shutdown() on a listening socket wakes the thread blocked in accept().
    shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
  }

  std::vector<ServerHandshake> handshakes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return handshakes_;
  }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        if (errno == EINTR && !stopping_) continue;
        return;
      }
      ServerHandshake record = serve(fd);
      close(fd);
      std::lock_guard<std::mutex> lock(mutex_);
      handshakes_.push_back(record);
    }
  }

  ServerHandshake serve(int fd) {
    set_socket_timeouts(fd);
    ServerHandshake record;
    SSL* ssl = SSL_new(context_.get());
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      record.accepted = true;
      X509* peer = SSL_get0_peer_certificate(ssl);
      record.peer_sent_certificate = peer != nullptr;
      SSL_write(ssl, kGreeting, sizeof kGreeting - 1);
      SSL_shutdown(ssl);
    }
    record.error = openssl_errors();
    SSL_free(ssl);
    return record;
  }

  SslCtxPtr context_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<ServerHandshake> handshakes_;
  std::thread thread_;
};

struct ClientOptions {
  std::vector<KeyPair> trusted;        // trust anchors of the client's X509_STORE
  std::string expected_name;           // IP literal, DNS name, or empty for no name check
  unsigned int host_flags = 0;         // X509_CHECK_FLAG_* for a DNS name check
  std::optional<int> security_level;   // nullopt: whatever SSL_CTX_new gives
  std::optional<int> min_version;
  std::string cipher_list;             // empty: OpenSSL default
  std::optional<KeyPair> certificate;  // client certificate to offer
};

struct ClientOutcome {
  bool handshake_completed = false;
  bool received_greeting = false;
  long verify_result = X509_V_OK;
  int version = 0;
  std::string error;
};

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

// Connects an OpenSSL client that verifies the server (SSL_VERIFY_PEER, purpose sslserver)
// and reads the greeting, which is where a TLS 1.3 client learns that the server rejected it.
ClientOutcome connect_client(int family, uint16_t port, const ClientOptions& options) {
  ClientOutcome outcome;
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) throw std::runtime_error("SSL_CTX_new failed: " + openssl_errors());
  if (options.security_level) SSL_CTX_set_security_level(ctx.get(), *options.security_level);
  if (options.min_version) SSL_CTX_set_min_proto_version(ctx.get(), *options.min_version);
  if (!options.cipher_list.empty()) SSL_CTX_set_cipher_list(ctx.get(), options.cipher_list.c_str());

  X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
  for (const KeyPair& anchor : options.trusted) X509_STORE_add_cert(store, anchor.certificate.get());
  SSL_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (options.certificate) {
    SSL_CTX_use_certificate(ctx.get(), options.certificate->certificate.get());
    SSL_CTX_use_PrivateKey(ctx.get(), options.certificate->key.get());
  }

  int fd = socket(family, SOCK_STREAM, 0);
  set_socket_timeouts(fd);
  socklen_t length = 0;
  sockaddr_storage address = loopback_address(family, port, &length);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    close(fd);
    outcome.error = "connect() to the loopback server failed";
    return outcome;
  }

  SSL* ssl = SSL_new(ctx.get());
  SSL_set_fd(ssl, fd);
  if (is_ip_literal(options.expected_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), options.expected_name.c_str());
  } else if (!options.expected_name.empty()) {
    SSL_set_hostflags(ssl, options.host_flags);
    SSL_set1_host(ssl, options.expected_name.c_str());
    SSL_set_tlsext_host_name(ssl, options.expected_name.c_str());
  }

  if (SSL_connect(ssl) == 1) {
    outcome.handshake_completed = true;
    outcome.version = SSL_version(ssl);
    char buffer[16] = {};
    int count = SSL_read(ssl, buffer, sizeof buffer - 1);
    outcome.received_greeting = count > 0 && std::string(buffer, count) == kGreeting;
    if (outcome.received_greeting) SSL_shutdown(ssl);
  }
  outcome.verify_result = SSL_get_verify_result(ssl);
  outcome.error = openssl_errors();
  SSL_free(ssl);
  close(fd);
  return outcome;
}

// Runs one server context against one client and returns what the client saw.
ClientOutcome run_handshake(const ServerTlsOptions& server_options, const ClientOptions& client_options,
                            int family = AF_INET) {
  LoopbackTlsServer server(make_server_context(server_options), family);
  return connect_client(family, server.port(), client_options);
}

std::vector<std::string> subject_alt_names(X509* certificate) {
  std::vector<std::string> entries;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return entries;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      auto* text = reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName));
      entries.push_back("DNS:" + std::string(text, ASN1_STRING_length(name->d.dNSName)));
    } else if (name->type == GEN_IPADD) {
      int octet_count = ASN1_STRING_length(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(octet_count == 16 ? AF_INET6 : AF_INET, ASN1_STRING_get0_data(name->d.iPAddress), text, sizeof text);
      entries.push_back(std::string("IP:") + text);
    }
  }
  GENERAL_NAMES_free(names);
  return entries;
}

// Seconds from now to the given time; negative for a time in the past.
long seconds_from_now(const ASN1_TIME* time) {
  int days = 0;
  int seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, time);
  return days * kOneDaySeconds + seconds;
}

bool has_critical_extension(X509* certificate, int nid) {
  int critical = -1;
  void* value = X509_get_ext_d2i(certificate, nid, &critical, nullptr);
  bool found = value != nullptr;
  if (nid == NID_basic_constraints) BASIC_CONSTRAINTS_free(static_cast<BASIC_CONSTRAINTS*>(value));
  if (nid == NID_key_usage) ASN1_BIT_STRING_free(static_cast<ASN1_BIT_STRING*>(value));
  return found && critical == 1;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream buffer;
  buffer << input.rdbuf();
  return buffer.str();
}

class CertificateAuthorityTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { root_ = CertificateAuthority::create("loginspec test root"); }
  static void TearDownTestSuite() { root_.reset(); }
  static inline std::optional<CertificateAuthority> root_;
};

TEST_F(CertificateAuthorityTest, RootHasCaExtensions) {
  X509* ca = root_->own().certificate.get();

  EXPECT_EQ(X509_get_version(ca), X509_VERSION_3);
  EXPECT_EQ(X509_check_ca(ca), 1);
  EXPECT_TRUE(has_critical_extension(ca, NID_basic_constraints));
  EXPECT_TRUE(has_critical_extension(ca, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(ca), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(X509_get_ext_by_NID(ca, NID_ext_key_usage, -1), -1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)), 0);
  ASSERT_NE(X509_get0_subject_key_id(ca), nullptr);
  ASSERT_NE(X509_get0_authority_key_id(ca), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(ca), X509_get0_authority_key_id(ca)), 0);
  EXPECT_EQ(X509_verify(ca, root_->own().key.get()), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(root_->own().key.get()), 2048);
}

TEST_F(CertificateAuthorityTest, LeafCarriesRequestedNamesAndUsage) {
  KeyPair leaf = root_->issue(loopback_server_spec());
  X509* certificate = leaf.certificate.get();

  EXPECT_EQ(X509_get_version(certificate), X509_VERSION_3);
  EXPECT_EQ(X509_check_ca(certificate), 0);
  EXPECT_TRUE(has_critical_extension(certificate, NID_basic_constraints));
  EXPECT_TRUE(has_critical_extension(certificate, NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(certificate), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_EQ(X509_get_extended_key_usage(certificate), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(subject_alt_names(certificate),
            (std::vector<std::string>{"DNS:localhost", "IP:127.0.0.1", "IP:::1"}));
  ASSERT_NE(X509_get0_authority_key_id(certificate), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(certificate),
                                  X509_get0_subject_key_id(root_->own().certificate.get())),
            0);
  ASSERT_NE(X509_get0_subject_key_id(certificate), nullptr);
  EXPECT_EQ(X509_verify(certificate, root_->own().key.get()), 1);
  EXPECT_EQ(X509_get_signature_nid(certificate), NID_sha256WithRSAEncryption);
}

TEST_F(CertificateAuthorityTest, CommonNameIsSetAsRequested) {
  CertificateSpec spec = loopback_server_spec();
  spec.common_name = "registry.test";
  KeyPair leaf = root_->issue(spec);

  char text[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(leaf.certificate.get()), NID_commonName, text, sizeof text);
  EXPECT_STREQ(text, "registry.test");
}

TEST_F(CertificateAuthorityTest, SerialNumbersAreRandom128Bit) {
  KeyPair first = root_->issue(loopback_server_spec());
  KeyPair second = root_->issue(loopback_server_spec());

  BIGNUM* first_serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(first.certificate.get()), nullptr);
  BIGNUM* second_serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(second.certificate.get()), nullptr);
  EXPECT_LE(BN_num_bytes(first_serial), 16);
  EXPECT_GE(BN_num_bytes(first_serial), 8);
  EXPECT_FALSE(BN_is_negative(first_serial));
  EXPECT_FALSE(BN_is_zero(first_serial));
  EXPECT_NE(BN_cmp(first_serial, second_serial), 0);
  BN_free(first_serial);
  BN_free(second_serial);
}

TEST_F(CertificateAuthorityTest, SubjectAltNameCanBeLeftOut) {
  CertificateSpec spec = loopback_server_spec();
  spec.include_subject_alt_name = false;
  KeyPair leaf = root_->issue(spec);

  EXPECT_EQ(X509_get_ext_by_NID(leaf.certificate.get(), NID_subject_alt_name, -1), -1);
}

TEST_F(CertificateAuthorityTest, ValidityFollowsOffsetsIntoThePast) {
  CertificateSpec spec = loopback_server_spec();
  spec.not_before_offset_seconds = -2 * kOneDaySeconds;
  spec.not_after_offset_seconds = -kOneDaySeconds;
  KeyPair leaf = root_->issue(spec);

  EXPECT_NEAR(seconds_from_now(X509_get0_notBefore(leaf.certificate.get())), -2 * kOneDaySeconds, 60);
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(leaf.certificate.get())), -kOneDaySeconds, 60);
}

TEST_F(CertificateAuthorityTest, ValidityFollowsOffsetsIntoTheFuture) {
  CertificateSpec spec = loopback_server_spec();
  spec.not_before_offset_seconds = kOneDaySeconds;
  spec.not_after_offset_seconds = 2 * kOneDaySeconds;
  KeyPair leaf = root_->issue(spec);

  EXPECT_NEAR(seconds_from_now(X509_get0_notBefore(leaf.certificate.get())), kOneDaySeconds, 60);
  EXPECT_NEAR(seconds_from_now(X509_get0_notAfter(leaf.certificate.get())), 2 * kOneDaySeconds, 60);
}

TEST_F(CertificateAuthorityTest, NotAfterBeforeNotBeforeIsRejected) {
  CertificateSpec spec = loopback_server_spec();
  spec.not_before_offset_seconds = kOneDaySeconds;
  spec.not_after_offset_seconds = -kOneDaySeconds;

  EXPECT_THROW(root_->issue(spec), std::invalid_argument);
}

TEST_F(CertificateAuthorityTest, UsageSelectsExtendedKeyUsage) {
  CertificateSpec client_spec = loopback_server_spec();
  client_spec.usage = CertificateSpec::Usage::kClient;
  CertificateSpec wrong_spec = loopback_server_spec();
  wrong_spec.usage = CertificateSpec::Usage::kWrongUsage;

  KeyPair client = root_->issue(client_spec);
  KeyPair wrong = root_->issue(wrong_spec);

  EXPECT_EQ(X509_get_extended_key_usage(client.certificate.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_extended_key_usage(wrong.certificate.get()), static_cast<uint32_t>(XKU_CODE_SIGN));
}

TEST_F(CertificateAuthorityTest, Sha1DigestSignsCertificate) {
  CertificateSpec spec = loopback_server_spec();
  spec.digest = "sha1";
  KeyPair leaf = root_->issue(spec);

  EXPECT_EQ(X509_get_signature_nid(leaf.certificate.get()), NID_sha1WithRSAEncryption);
  EXPECT_EQ(X509_verify(leaf.certificate.get(), root_->own().key.get()), 1);
}

TEST_F(CertificateAuthorityTest, WeakKeyHas1024Bits) {
  CertificateSpec spec = loopback_server_spec();
  spec.rsa_bits = 1024;
  KeyPair leaf = root_->issue(spec);

  EXPECT_EQ(EVP_PKEY_get_bits(leaf.key.get()), 1024);
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(leaf.certificate.get())), 1024);
}

TEST_F(CertificateAuthorityTest, UnknownDigestIsRejected) {
  CertificateSpec spec = loopback_server_spec();
  spec.digest = "no-such-digest";

  EXPECT_THROW(root_->issue(spec), std::invalid_argument);
}

TEST_F(CertificateAuthorityTest, InvalidIpAddressIsRejected) {
  CertificateSpec spec = loopback_server_spec();
  spec.ip_addresses = {"127.0.0.300"};

  EXPECT_THROW(root_->issue(spec), std::invalid_argument);
}

TEST_F(CertificateAuthorityTest, IntermediateIsCaSignedByRoot) {
  CertificateAuthority intermediate = root_->create_intermediate("loginspec test intermediate");
  X509* certificate = intermediate.own().certificate.get();

  EXPECT_EQ(X509_check_ca(certificate), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(certificate), X509_get_subject_name(root_->own().certificate.get())), 0);
  EXPECT_EQ(X509_verify(certificate, root_->own().key.get()), 1);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(certificate),
                                  X509_get0_subject_key_id(root_->own().certificate.get())),
            0);
}

TEST_F(CertificateAuthorityTest, SelfSignedLeafIsItsOwnIssuer) {
  KeyPair leaf = CertificateAuthority::self_signed(loopback_server_spec());

  EXPECT_EQ(X509_check_ca(leaf.certificate.get()), 0);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(leaf.certificate.get()), X509_get_issuer_name(leaf.certificate.get())), 0);
  EXPECT_EQ(X509_verify(leaf.certificate.get(), leaf.key.get()), 1);
}

TEST_F(CertificateAuthorityTest, PemTextReadsBackAsSameMaterial) {
  KeyPair leaf = root_->issue(loopback_server_spec());
  std::string certificate_pem = leaf.certificate_pem();
  std::string key_pem = leaf.key_pem();

  EXPECT_EQ(certificate_pem.rfind("-----BEGIN CERTIFICATE-----\n", 0), 0u);
  EXPECT_EQ(key_pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);

  BIO* certificate_bio = BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size()));
  X509* certificate = PEM_read_bio_X509(certificate_bio, nullptr, nullptr, nullptr);
  BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  ASSERT_NE(certificate, nullptr);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_cmp(certificate, leaf.certificate.get()), 0);
  EXPECT_EQ(EVP_PKEY_eq(key, leaf.key.get()), 1);
  EXPECT_EQ(X509_check_private_key(certificate, key), 1);
  X509_free(certificate);
  EVP_PKEY_free(key);
  BIO_free(certificate_bio);
  BIO_free(key_bio);
}

class WriteFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    folder_ = std::filesystem::temp_directory_path() /
              ("loginspec-write-file-" + std::to_string(getpid()) + "-" + std::to_string(random()));
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::filesystem::path folder_;
};

TEST_F(WriteFileTest, KeyFileGetsMode0600InNewFolders) {
  std::filesystem::path path = folder_ / "certs" / "registry" / "client.key";

  write_file(path, "key text\n", 0600);

  struct stat status {};
  ASSERT_EQ(stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  EXPECT_EQ(read_text(path), "key text\n");
}

TEST_F(WriteFileTest, ModeIsExactDespiteUmask) {
  std::filesystem::path path = folder_ / "ca.crt";
  mode_t previous = umask(0077);

  write_file(path, "certificate text\n", 0644);
  umask(previous);

  struct stat status {};
  ASSERT_EQ(stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0644u);
}

TEST_F(WriteFileTest, RewriteReplacesTextAndMode) {
  std::filesystem::path path = folder_ / "server.key";
  write_file(path, "first version, longer than the second\n", 0644);

  write_file(path, "second\n", 0600);

  struct stat status {};
  ASSERT_EQ(stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  EXPECT_EQ(read_text(path), "second\n");
}

TEST_F(WriteFileTest, LeavesNoTemporaryFiles) {
  write_file(folder_ / "a.pem", "a\n", 0600);
  write_file(folder_ / "a.pem", "b\n", 0600);

  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder_)) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"a.pem"});
}

class ServerContextTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = CertificateAuthority::create("loginspec handshake root");
    client_root_ = CertificateAuthority::create("loginspec client root");
  }
  static void TearDownTestSuite() {
    root_.reset();
    client_root_.reset();
  }

  static ServerTlsOptions server_with(const KeyPair& leaf) {
    ServerTlsOptions options;
    options.leaf = leaf;
    return options;
  }
  static ClientOptions client_expecting(const std::string& name) {
    ClientOptions options;
    options.trusted = {root_->own()};
    options.expected_name = name;
    return options;
  }
  static KeyPair leaf_with(void (*change)(CertificateSpec&)) {
    CertificateSpec spec = loopback_server_spec();
    change(spec);
    return root_->issue(spec);
  }

  static inline std::optional<CertificateAuthority> root_;
  static inline std::optional<CertificateAuthority> client_root_;
};

TEST_F(ServerContextTest, TrustedLeafVerifiesByIpv4Address) {
  ClientOutcome outcome = run_handshake(server_with(root_->issue(loopback_server_spec())), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.handshake_completed) << outcome.error;
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, TrustedLeafVerifiesOnIpv6Loopback) {
  ClientOutcome outcome =
      run_handshake(server_with(root_->issue(loopback_server_spec())), client_expecting("::1"), AF_INET6);

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, Ipv4OnlyLeafFailsOnIpv6Loopback) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.ip_addresses = {"127.0.0.1"}; });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("::1"), AF_INET6);

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, TrustedLeafVerifiesByDnsName) {
  ClientOutcome outcome = run_handshake(server_with(root_->issue(loopback_server_spec())), client_expecting("localhost"));

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, ExpiredLeafIsRejected) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) {
    spec.not_before_offset_seconds = -2 * kOneDaySeconds;
    spec.not_after_offset_seconds = -kOneDaySeconds;
  });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, NotYetValidLeafIsRejected) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) {
    spec.not_before_offset_seconds = kOneDaySeconds;
    spec.not_after_offset_seconds = 2 * kOneDaySeconds;
  });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, SelfSignedLeafIsRejected) {
  KeyPair leaf = CertificateAuthority::self_signed(loopback_server_spec());

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, SelfSignedLeafVerifiesWhenTrustedDirectly) {
  KeyPair leaf = CertificateAuthority::self_signed(loopback_server_spec());
  ClientOptions client = client_expecting("127.0.0.1");
  client.trusted = {leaf};

  ClientOutcome outcome = run_handshake(server_with(leaf), client);

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, LeafFromUnknownCaIsRejected) {
  CertificateAuthority stranger = CertificateAuthority::create("untrusted root");

  ClientOutcome outcome = run_handshake(server_with(stranger.issue(loopback_server_spec())), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, IpAddressMismatchIsRejected) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) {
    spec.dns_names = {};
    spec.ip_addresses = {"127.0.0.2"};
  });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, DnsNameMismatchIsRejected) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.dns_names = {"registry.test"}; });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("localhost"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_FALSE(outcome.handshake_completed);
}

// RFC 6125 section 6.4.4 allows a common-name fallback only for DNS domain names, and
// X509_check_ip in OpenSSL 3.0 compares iPAddress entries alone.
TEST_F(ServerContextTest, CommonNameOnlyLeafFailsIpCheck) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) {
    spec.common_name = "127.0.0.1";
    spec.include_subject_alt_name = false;
  });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH);
  EXPECT_FALSE(outcome.handshake_completed);
}

// OpenSSL 3.0 by default still matches a DNS name against the common name when the
// certificate has no subjectAltName, as RFC 6125 section 6.4.4 allows as a last resort.
// Go's crypto/x509 stopped doing so in Go 1.15.
TEST_F(ServerContextTest, CommonNameOnlyLeafPassesDefaultDnsCheck) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) {
    spec.common_name = "localhost";
    spec.include_subject_alt_name = false;
  });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("localhost"));

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
}

TEST_F(ServerContextTest, CommonNameOnlyLeafFailsStrictDnsCheck) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) {
    spec.common_name = "localhost";
    spec.include_subject_alt_name = false;
  });
  ClientOptions client = client_expecting("localhost");
  client.host_flags = X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;

  ClientOutcome outcome = run_handshake(server_with(leaf), client);

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, WrongExtendedKeyUsageIsRejected) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.usage = CertificateSpec::Usage::kWrongUsage; });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_INVALID_PURPOSE);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, ClientUsageLeafIsRejectedAsServer) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.usage = CertificateSpec::Usage::kClient; });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_INVALID_PURPOSE);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, Sha1LeafIsRejectedAtDefaultLevel) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.digest = "sha1"; });

  ClientOutcome outcome = run_handshake(server_with(leaf), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_CA_MD_TOO_WEAK);
  EXPECT_FALSE(outcome.handshake_completed);
}

// OpenSSL 3.0 rates a SHA-1 signature at under 80 bits, so even level 1 rejects it.
TEST_F(ServerContextTest, Sha1LeafIsRejectedAtLevelOne) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.digest = "sha1"; });
  ClientOptions client = client_expecting("127.0.0.1");
  client.security_level = 1;

  ClientOutcome outcome = run_handshake(server_with(leaf), client);

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_CA_MD_TOO_WEAK);
  EXPECT_FALSE(outcome.handshake_completed);
}

TEST_F(ServerContextTest, Sha1LeafIsAcceptedAtLevelZero) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.digest = "sha1"; });
  ClientOptions client = client_expecting("127.0.0.1");
  client.security_level = 0;

  ClientOutcome outcome = run_handshake(server_with(leaf), client);

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, WeakKeyLeafIsRejectedAtLevelTwo) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.rsa_bits = 1024; });
  ClientOptions client = client_expecting("127.0.0.1");
  client.security_level = 2;

  ClientOutcome outcome = run_handshake(server_with(leaf), client);

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_EE_KEY_TOO_SMALL);
  EXPECT_FALSE(outcome.handshake_completed);
}

// Level 1 requires 80 bits of security, which a 1024-bit RSA key just gives. Debian builds
// OpenSSL 3 with level 2 as the default, so the test sets level 1 itself.
TEST_F(ServerContextTest, WeakKeyLeafPassesAtLevelOne) {
  KeyPair leaf = leaf_with([](CertificateSpec& spec) { spec.rsa_bits = 1024; });
  ClientOptions client = client_expecting("127.0.0.1");
  client.security_level = 1;

  ClientOutcome outcome = run_handshake(server_with(leaf), client);

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, ChainWithIntermediateVerifies) {
  CertificateAuthority intermediate = root_->create_intermediate("loginspec handshake intermediate");
  ServerTlsOptions server = server_with(intermediate.issue(loopback_server_spec()));
  server.chain = {intermediate.own()};

  ClientOutcome outcome = run_handshake(server, client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_OK) << X509_verify_cert_error_string(outcome.verify_result);
  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
}

TEST_F(ServerContextTest, MissingIntermediateIsRejected) {
  CertificateAuthority intermediate = root_->create_intermediate("loginspec handshake intermediate");

  ClientOutcome outcome = run_handshake(server_with(intermediate.issue(loopback_server_spec())), client_expecting("127.0.0.1"));

  EXPECT_EQ(outcome.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_FALSE(outcome.handshake_completed);
}

class ClientCertificateTest : public ServerContextTest {
 protected:
  static ServerTlsOptions server_requiring_client_certificate() {
    ServerTlsOptions options = server_with(root_->issue(loopback_server_spec()));
    options.require_client_certificate = true;
    options.client_cas = {client_root_->own()};
    return options;
  }
  static KeyPair client_certificate_from(const CertificateAuthority& issuer) {
    CertificateSpec spec;
    spec.common_name = "loginspec client";
    spec.usage = CertificateSpec::Usage::kClient;
    return issuer.issue(spec);
  }
};

TEST_F(ClientCertificateTest, RequiredCertificateMissingFailsHandshake) {
  LoopbackTlsServer server(make_server_context(server_requiring_client_certificate()), AF_INET);

  ClientOutcome outcome = connect_client(AF_INET, server.port(), client_expecting("127.0.0.1"));
  server.stop();

  EXPECT_FALSE(outcome.received_greeting);
  ASSERT_EQ(server.handshakes().size(), 1u);
  EXPECT_FALSE(server.handshakes()[0].accepted);
  EXPECT_NE(server.handshakes()[0].error.find("peer did not return a certificate"), std::string::npos)
      << server.handshakes()[0].error;
}

TEST_F(ClientCertificateTest, CertificateFromClientCaIsAccepted) {
  LoopbackTlsServer server(make_server_context(server_requiring_client_certificate()), AF_INET);
  ClientOptions client = client_expecting("127.0.0.1");
  client.certificate = client_certificate_from(*client_root_);

  ClientOutcome outcome = connect_client(AF_INET, server.port(), client);
  server.stop();

  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
  ASSERT_EQ(server.handshakes().size(), 1u);
  EXPECT_TRUE(server.handshakes()[0].accepted) << server.handshakes()[0].error;
  EXPECT_TRUE(server.handshakes()[0].peer_sent_certificate);
}

TEST_F(ClientCertificateTest, CertificateFromOtherCaIsRejected) {
  LoopbackTlsServer server(make_server_context(server_requiring_client_certificate()), AF_INET);
  ClientOptions client = client_expecting("127.0.0.1");
  client.certificate = client_certificate_from(*root_);

  ClientOutcome outcome = connect_client(AF_INET, server.port(), client);
  server.stop();

  EXPECT_FALSE(outcome.received_greeting);
  ASSERT_EQ(server.handshakes().size(), 1u);
  EXPECT_FALSE(server.handshakes()[0].accepted);
  EXPECT_NE(server.handshakes()[0].error.find("certificate verify failed"), std::string::npos)
      << server.handshakes()[0].error;
}

TEST_F(ClientCertificateTest, RequestedCertificateIsOptional) {
  ServerTlsOptions options = server_requiring_client_certificate();
  options.require_client_certificate = false;
  options.request_client_certificate = true;
  LoopbackTlsServer server(make_server_context(options), AF_INET);

  ClientOutcome outcome = connect_client(AF_INET, server.port(), client_expecting("127.0.0.1"));
  server.stop();

  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
  ASSERT_EQ(server.handshakes().size(), 1u);
  EXPECT_TRUE(server.handshakes()[0].accepted);
  EXPECT_FALSE(server.handshakes()[0].peer_sent_certificate);
}

// TLS 1.0 signs the ServerKeyExchange with MD5+SHA-1, which an OpenSSL 3.0 client
// rejects at any security level above 0.
TEST_F(ServerContextTest, Tls10ServerRejectsDefaultClient) {
  ServerTlsOptions server = server_with(root_->issue(loopback_server_spec()));
  server.min_version = TLS1_VERSION;
  server.max_version = TLS1_VERSION;

  ClientOutcome outcome = run_handshake(server, client_expecting("127.0.0.1"));

  EXPECT_FALSE(outcome.handshake_completed);
  EXPECT_EQ(outcome.verify_result, X509_V_OK);
  EXPECT_NE(outcome.error.find("legacy sigalg disallowed or unsupported"), std::string::npos) << outcome.error;
}

TEST_F(ServerContextTest, Tls10ServerAcceptsLegacyClient) {
  ServerTlsOptions server = server_with(root_->issue(loopback_server_spec()));
  server.min_version = TLS1_VERSION;
  server.max_version = TLS1_VERSION;
  ClientOptions client = client_expecting("127.0.0.1");
  client.min_version = TLS1_VERSION;
  client.cipher_list = "DEFAULT:@SECLEVEL=0";

  ClientOutcome outcome = run_handshake(server, client);

  EXPECT_TRUE(outcome.received_greeting) << outcome.error;
  EXPECT_EQ(outcome.version, TLS1_VERSION);
}

TEST_F(ServerContextTest, MismatchedKeyIsRejected) {
  ServerTlsOptions server = server_with(root_->issue(loopback_server_spec()));
  server.leaf.key = root_->issue(loopback_server_spec()).key;

  EXPECT_THROW(make_server_context(server), std::runtime_error);
}

TEST(OpenSslErrorsTest, ReturnsQueuedErrorsAndClearsQueue) {
  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf("not PEM text", -1);
  EXPECT_EQ(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr), nullptr);
  BIO_free(bio);

  std::string first = openssl_errors();
  std::string second = openssl_errors();

  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first.find('\n'), std::string::npos);
  EXPECT_TRUE(second.empty());
}

}  // namespace
}  // namespace loginspec::mocks
