// Tests for MockServer: real sockets on loopback, exact recording, TLS, faults.
#include "mocks/mock_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace loginspec::mocks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Connects to 127.0.0.1:port and returns the socket, or -1.
int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

// Sends raw bytes and reads until the server closes the connection.
std::string exchange(int port, const std::string& bytes) {
  int fd = connect_loopback(port);
  if (fd < 0) return "<connect failed>";
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string answer;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

Response fixed(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json; charset=utf-8"},
                      {"Docker-Distribution-Api-Version", "registry/2.0"}};
  response.body = std::move(body);
  return response;
}

TEST(MockServerTest, RecordsHeadersInOrderAndSpelling) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({.name = "registry"}, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();

  std::string answer = exchange(server.port(),
                                "GET /v2/?b=2&a=1&b=3 HTTP/1.1\r\nHost: x\r\nzeta: 1\r\nAUTHORIZATION: Bearer t\r\n"
                                "Accept: */*\r\nConnection: close\r\n\r\n");
  server.stop();

  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 200 OK\r\n"));
  auto requests = transcript->snapshot();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.server, "registry");
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/v2/?b=2&a=1&b=3");
  EXPECT_EQ(request.path, "/v2/");
  EXPECT_THAT(request.query, ElementsAre(Pair("b", "2"), Pair("a", "1"), Pair("b", "3")));
  ASSERT_EQ(request.headers.size(), 5u);
  EXPECT_EQ(request.headers[0], (Header{"Host", "x"}));
  EXPECT_EQ(request.headers[1], (Header{"zeta", "1"}));
  EXPECT_EQ(request.headers[2], (Header{"AUTHORIZATION", "Bearer t"}));
  EXPECT_EQ(request.status, 200);
}

TEST(MockServerTest, AnswersWithHeadersExactlyAsScripted) {
  auto transcript = std::make_shared<Transcript>();
  Response scripted;
  scripted.status = 401;
  scripted.headers = {{"Content-Type", "application/json; charset=utf-8"},
                      {"Www-Authenticate", "Bearer realm=\"http://a/token\",service=\"s\""},
                      {"x-lower", "v"},
                      {"Content-Length", "2"}};
  scripted.body = "{}";
  MockServer server({}, transcript, [&](const RecordedRequest&) { return scripted; });
  server.start();
  std::string answer = exchange(server.port(), "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  server.stop();

  EXPECT_EQ(answer,
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\n"
            "Www-Authenticate: Bearer realm=\"http://a/token\",service=\"s\"\r\nx-lower: v\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(MockServerTest, DecodesChunkedRequestBody) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({.name = "auth"}, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();
  exchange(server.port(),
           "POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
           "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
           "a\r\ngrant_type\r\n9\r\n=password\r\n0\r\n\r\n");
  server.stop();

  auto requests = transcript->snapshot();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].chunked);
  EXPECT_EQ(requests[0].body, "grant_type=password");
  EXPECT_THAT(requests[0].form(), ElementsAre(Pair("grant_type", "password")));
}

TEST(MockServerTest, KeepsServingAfterTlsClientHelloOnPlainPort) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({}, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();

  std::string hello("\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03", 11);
  std::string refused = exchange(server.port(), hello);
  std::string answer = exchange(server.port(), "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  server.stop();

  EXPECT_THAT(refused, HasSubstr("400 Bad Request"));
  EXPECT_THAT(answer, HasSubstr("200 OK"));
  auto requests = transcript->snapshot();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].kind, RequestKind::kTlsOnPlainPort);
  EXPECT_THAT(requests[0].detail, HasSubstr("\\x16\\x03\\x01"));
  EXPECT_EQ(requests[1].kind, RequestKind::kHttp);
}

TEST(MockServerTest, AnswersHeadWithoutBody) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({}, transcript, [](const RecordedRequest&) { return fixed(200, "{\"a\":1}"); });
  server.start();
  std::string answer = exchange(server.port(), "HEAD /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  server.stop();
  EXPECT_THAT(answer, HasSubstr("Content-Length: 7\r\n\r\n"));
  EXPECT_EQ(answer.substr(answer.size() - 4), "\r\n\r\n");
}

TEST(MockServerTest, TruncateFaultCutsTheBody) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({}, transcript, [](const RecordedRequest&) {
    Response response = fixed(200, "{\"token\":\"abcdef\"}");
    response.fault.kind = Fault::Kind::kTruncate;
    response.fault.truncate_body_at = 5;
    return response;
  });
  server.start();
  std::string answer = exchange(server.port(), "GET /token HTTP/1.1\r\nHost: x\r\n\r\n");
  server.stop();
  EXPECT_THAT(answer, HasSubstr("Content-Length: 18\r\n\r\n{\"tok"));
  EXPECT_EQ(answer.substr(answer.size() - 5), "{\"tok");
}

TEST(MockServerTest, GarbageFaultSendsBytesInsteadOfResponse) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({}, transcript, [](const RecordedRequest&) {
    Response response;
    response.fault.kind = Fault::Kind::kGarbage;
    response.fault.garbage = "NOT HTTP\x01";
    return response;
  });
  server.start();
  std::string answer = exchange(server.port(), "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
  server.stop();
  EXPECT_EQ(answer, "NOT HTTP\x01");
  EXPECT_EQ(transcript->snapshot().at(0).status, 0);
}

TEST(MockServerTest, ChunkedAnswerUsesSmallChunks) {
  Response response = fixed(200, std::string(70, 'x'));
  response.chunked = true;
  std::string bytes = serialize_response(response, false);
  EXPECT_THAT(bytes, HasSubstr("Transfer-Encoding: chunked\r\n\r\n40\r\n"));
  EXPECT_THAT(bytes, HasSubstr("\r\n6\r\nxxxxxx\r\n0\r\n\r\n"));
}

TEST(MockServerTest, RequestCapAnswers503) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({.max_requests = 2}, transcript, [](const RecordedRequest&) { return fixed(401, "{}"); });
  server.start();
  std::string request = "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  exchange(server.port(), request);
  exchange(server.port(), request);
  std::string third = exchange(server.port(), request);
  server.stop();
  EXPECT_THAT(third, HasSubstr("503 Service Unavailable"));
  EXPECT_EQ(transcript->size(), 3u);
}

TEST(MockServerTest, ListensOnIpv6Loopback) {
  auto transcript = std::make_shared<Transcript>();
  MockServer server({.host = "::1"}, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();
  EXPECT_EQ(server.url(), "http://[::1]:" + std::to_string(server.port()));

  int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons(static_cast<uint16_t>(server.port()));
  address.sin6_addr = in6addr_loopback;
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  std::string request = "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[512];
  ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
  ::close(fd);
  server.stop();
  ASSERT_GT(n, 0);
  EXPECT_THAT(std::string(buffer, static_cast<std::size_t>(n)), HasSubstr("200 OK"));
  EXPECT_THAT(transcript->snapshot().at(0).peer, HasSubstr("[::1]:"));
}

class MockServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = std::make_unique<CertificateAuthority>(CertificateAuthority::create("loginspec test CA"));
    CertificateSpec spec;
    spec.ip_addresses = {"127.0.0.1"};
    leaf_ = ca_->issue(spec);
  }

  // Connects with an OpenSSL client that trusts the CA, sends one request, returns the answer.
  std::string https_exchange(int port, bool trust_ca, std::string& verify_error) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (trust_ca) X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca_->own().certificate.get());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int fd = connect_loopback(port);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    std::string answer;
    if (SSL_connect(ssl) == 1) {
      std::string request = "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      SSL_write(ssl, request.data(), static_cast<int>(request.size()));
      char buffer[1024];
      int n;
      while ((n = SSL_read(ssl, buffer, sizeof buffer)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
    } else {
      verify_error = X509_verify_cert_error_string(SSL_get_verify_result(ssl));
    }
    SSL_free(ssl);
    ::close(fd);
    SSL_CTX_free(ctx);
    return answer;
  }

  std::unique_ptr<CertificateAuthority> ca_;
  KeyPair leaf_;
};

TEST_F(MockServerTlsTest, ServesHttpsAndRecordsTlsVersion) {
  auto transcript = std::make_shared<Transcript>();
  ServerOptions options;
  options.tls = ServerTlsOptions{.leaf = leaf_};
  MockServer server(options, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();
  std::string error;
  std::string answer = https_exchange(server.port(), true, error);
  server.stop();

  EXPECT_THAT(answer, HasSubstr("200 OK"));
  auto requests = transcript->snapshot();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].tls);
  EXPECT_EQ(requests[0].tls_version, "TLSv1.3");
}

TEST_F(MockServerTlsTest, RecordsHandshakeRejectedByClient) {
  auto transcript = std::make_shared<Transcript>();
  ServerOptions options;
  options.tls = ServerTlsOptions{.leaf = leaf_};
  MockServer server(options, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();
  std::string error;
  std::string answer = https_exchange(server.port(), false, error);
  ASSERT_TRUE(transcript->wait_for_count(1, std::chrono::seconds(5)));
  server.stop();

  EXPECT_EQ(answer, "");
  EXPECT_EQ(error, "unable to get local issuer certificate");
  auto requests = transcript->snapshot();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].kind, RequestKind::kTlsHandshakeFailed);
  EXPECT_THAT(requests[0].detail, HasSubstr("alert"));
}

TEST_F(MockServerTlsTest, AnswersPlainHttpOnTlsPort) {
  auto transcript = std::make_shared<Transcript>();
  ServerOptions options;
  options.tls = ServerTlsOptions{.leaf = leaf_};
  MockServer server(options, transcript, [](const RecordedRequest&) { return fixed(200, "{}"); });
  server.start();
  std::string answer = exchange(server.port(), "GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n");
  server.stop();

  EXPECT_THAT(answer, HasSubstr("400 Bad Request"));
  auto requests = transcript->snapshot();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].kind, RequestKind::kPlainOnTlsPort);
  EXPECT_THAT(requests[0].detail, HasSubstr("GET /v2/"));
}

}  // namespace
}  // namespace loginspec::mocks
