// The transcript: every request the mock servers received, exactly as it arrived.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loginspec::mocks {

struct Header {
  std::string name;   // spelling as sent
  std::string value;  // leading and trailing whitespace removed (RFC 9110 §5.5)
  bool operator==(const Header&) const = default;
};
using HeaderList = std::vector<Header>;

// Returns the first header named `name` (case-insensitive), or nullptr.
const std::string* find_header(const HeaderList& headers, std::string_view name);
// Returns every value of headers named `name`, in order.
std::vector<std::string> find_headers(const HeaderList& headers, std::string_view name);

// Splits a raw query string into percent-decoded pairs, keeping order and repeated keys.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
std::string percent_decode(std::string_view text, bool plus_is_space);
// Percent-encodes every byte outside the RFC 3986 unreserved set (ALPHA DIGIT - . _ ~).
std::string percent_encode(std::string_view text);

// Returns the value of the first pair named `key`, or nullptr.
const std::string* find_pair(const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view key);

// Replaces every occurrence of `from` in text with `to`, scanning past each replacement.
void replace_all(std::string& text, std::string_view from, std::string_view to);

enum class RequestKind {
  kHttp,                // a complete HTTP request
  kTlsOnPlainPort,      // a TLS ClientHello arrived on a plain-HTTP port
  kPlainOnTlsPort,      // plain bytes arrived on a TLS port
  kTlsHandshakeFailed,  // the TLS handshake failed (often: the client rejected our certificate)
  kMalformed,           // bytes that did not parse as an HTTP request
};
std::string_view to_string(RequestKind kind);

struct RecordedRequest {
  std::string server;         // "registry", "auth", ...
  std::size_t sequence = 0;   // order across all servers sharing the transcript
  double at_ms = 0;           // since the transcript was made
  RequestKind kind = RequestKind::kHttp;
  bool tls = false;
  std::string tls_version;    // e.g. "TLSv1.3"; empty on plain connections
  bool client_certificate = false;
  std::string peer;           // "127.0.0.1:40112"
  std::string method;
  std::string target;         // request-target as sent
  std::string path;           // target before '?', not decoded
  std::vector<std::pair<std::string, std::string>> query;
  HeaderList headers;         // in order and spelling as sent
  std::string body;           // decoded: chunked transfer coding removed
  bool chunked = false;
  int status = 0;             // status the mock sent back; 0 when it sent none
  std::string detail;         // non-HTTP kinds: first bytes seen or the TLS error

  const std::string* header(std::string_view name) const { return find_header(headers, name); }
  // Returns the first query value for key, or nullptr.
  const std::string* query_value(std::string_view key) const;
  // Parses an application/x-www-form-urlencoded body into pairs.
  std::vector<std::pair<std::string, std::string>> form() const;
};

// Thread-safe list of recorded requests shared by the servers of one scenario.
class Transcript {
 public:
  Transcript();

  // Stores the request, setting its sequence and time; returns the sequence.
  std::size_t add(RecordedRequest request);
  void set_status(std::size_t sequence, int status);

  std::vector<RecordedRequest> snapshot() const;
  std::size_t size() const;

  // Waits until `count` requests are recorded; false on timeout.
  [[nodiscard]] bool wait_for_count(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<RecordedRequest> requests_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace loginspec::mocks
