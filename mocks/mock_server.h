// A recording HTTP(S) server on loopback that responds with exact, scripted bytes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mocks/tls_material.h"
#include "mocks/transcript.h"

namespace loginspec::mocks {

// Transport faults applied to one response.
struct Fault {
  enum class Kind {
    kNone,
    kClose,     // close the connection without responding
    kReset,     // close with a TCP reset (SO_LINGER 0)
    kGarbage,   // send `garbage` instead of a response, then close
    kTruncate,  // send the head and `truncate_body_at` body bytes, then close
  };
  Kind kind = Kind::kNone;
  std::chrono::milliseconds delay{0};  // wait before answering
  std::size_t truncate_body_at = 0;
  std::string garbage;
};

struct Response {
  int status = 200;
  std::string reason;        // empty: the standard reason phrase for status
  HeaderList headers;        // sent in this order and spelling
  std::string body;
  bool chunked = false;      // send the body with Transfer-Encoding: chunked
  bool close_connection = false;
  Fault fault;
};

// Serialises a response head and body exactly: headers as listed, plus Content-Length at the
// end when neither Content-Length nor Transfer-Encoding is listed. HEAD answers omit the body.
std::string serialize_response(const Response& response, bool head_request);
std::string_view reason_phrase(int status);

using Responder = std::function<Response(const RecordedRequest&)>;

struct ServerOptions {
  std::string name = "server";       // recorded with each request ("registry", "auth")
  std::string host = "127.0.0.1";    // listen address; loopback unless the caller says otherwise
  std::optional<ServerTlsOptions> tls;
  std::size_t max_requests = 200;    // past this cap every request gets 503 and a closed connection
  std::chrono::milliseconds read_timeout{5000};
};

class MockServer {
 public:
  MockServer(ServerOptions options, std::shared_ptr<Transcript> transcript, Responder responder);
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds an ephemeral port and starts serving; throws std::runtime_error on failure.
  void start();
  // Stops listening, cuts open connections and joins every thread. Safe to call twice.
  void stop();

  int port() const;
  std::string authority() const;  // "127.0.0.1:40123" or "[::1]:40123"
  std::string url() const;        // "http://127.0.0.1:40123" or "https://..."
  bool tls() const;
  const ServerOptions& options() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loginspec::mocks
