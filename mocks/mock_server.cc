// Mock server: cpp-httplib parses requests, and our own stream records raw bytes and writes exact responses.
#include "mocks/mock_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "protocol/challenge.h"

namespace loginspec::mocks {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string serialize_response(const Response& response, bool head_request) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " ";
  out += response.reason.empty() ? std::string(reason_phrase(response.status)) : response.reason;
  out += "\r\n";
  for (const auto& header : response.headers) {
    out += header.name;
    out += ": ";
    out += header.value;
    out += "\r\n";
  }

  bool has_length = find_header(response.headers, "Content-Length") != nullptr;
  bool has_transfer_coding = find_header(response.headers, "Transfer-Encoding") != nullptr;
  if (response.chunked && !has_transfer_coding) {
    out += "Transfer-Encoding: chunked\r\n";
  } else if (!response.chunked && !has_length && !has_transfer_coding) {
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  if (response.close_connection && find_header(response.headers, "Connection") == nullptr) {
    out += "Connection: close\r\n";
  }
  out += "\r\n";
  if (head_request) return out;

  if (!response.chunked) {
    out += response.body;
    return out;
  }
  // Small chunks on purpose, so a client's chunked decoder really has to loop (RFC 9112 §7.1).
  constexpr std::size_t kChunk = 64;
  char size_line[32];
  for (std::size_t at = 0; at < response.body.size(); at += kChunk) {
    std::size_t n = std::min(kChunk, response.body.size() - at);
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    out += size_line;
    out.append(response.body, at, n);
    out += "\r\n";
  }
  out += "0\r\n\r\n";
  return out;
}

namespace {

constexpr int kMaxRequestsPerConnection = 100;
constexpr std::size_t kWorkerThreads = 4;

// Splits the head of a raw request into header fields, keeping order and spelling.
HeaderList parse_raw_headers(std::string_view raw) {
  HeaderList headers;
  std::size_t end = raw.find("\r\n\r\n");
  if (end == std::string_view::npos) end = raw.find("\n\n");
  std::string_view head = raw.substr(0, end);

  bool first_line = true;
  while (!head.empty()) {
    std::size_t newline = head.find('\n');
    std::string_view line = head.substr(0, newline);
    head = newline == std::string_view::npos ? std::string_view{} : head.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first_line) {
      first_line = false;
      continue;
    }
    if (line.empty()) break;

    auto trim = [](std::string_view text) {
      while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
      return std::string(text);
    };
    // obs-fold (RFC 9112 §5.2): a continuation line joins the previous value with one space.
    if ((line.front() == ' ' || line.front() == '\t') && !headers.empty()) {
      headers.back().value += " " + trim(line);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.push_back({std::string(line.substr(0, colon)), trim(line.substr(colon + 1))});
  }
  return headers;
}

bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd entry{fd, events, 0};
  int ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
  return ready > 0 && (entry.revents & (events | POLLHUP | POLLERR)) != 0;
}

bool send_all(int fd, SSL* ssl, const char* data, std::size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    ssize_t n = ssl != nullptr ? SSL_write(ssl, data + sent, static_cast<int>(size - sent))
                               : ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string format_peer(const std::string& address, int port) {
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

// One accepted connection: records every byte read and replaces httplib's response with the scripted one.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, std::chrono::milliseconds timeout)
      : fd_(fd), ssl_(ssl), timeout_(timeout) {}

  bool is_readable() const override { return wait_readable(timeout_); }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, timeout_); }

  bool wait_readable(std::chrono::milliseconds timeout) const {
    if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
    return wait_for(fd_, POLLIN, timeout);
  }

  ssize_t read(char* ptr, std::size_t size) override {
    if (!wait_readable(timeout_)) return -1;
    ssize_t n = ssl_ != nullptr ? SSL_read(ssl_, ptr, static_cast<int>(size)) : ::recv(fd_, ptr, size, 0);
    if (n > 0) raw_.append(ptr, static_cast<std::size_t>(n));
    return n;
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    if (!answer_ready_) {
      // httplib's own output (a 100 Continue or an error for an unparsable request) passes through.
      return send_all(fd_, ssl_, ptr, size) ? static_cast<ssize_t>(size) : -1;
    }
    send_answer();
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(false, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(true, ip, port); }
  socket_t socket() const override { return fd_; }

  void begin_request() {
    raw_.clear();
    answer_ready_ = false;
    answer_sent_ = false;
    handled_ = false;
  }

  void set_answer(std::string bytes, const Fault& fault) {
    answer_ = std::move(bytes);
    fault_ = fault;
    answer_ready_ = true;
    handled_ = true;
  }

  // Sends the scripted response once, applying its transport fault.
  void send_answer() {
    if (answer_sent_) return;
    answer_sent_ = true;
    switch (fault_.kind) {
      case Fault::Kind::kNone:
        if (!send_all(fd_, ssl_, answer_.data(), answer_.size())) close_after_ = true;
        break;
      case Fault::Kind::kClose:
        close_after_ = true;
        break;
      case Fault::Kind::kReset:
        close_after_ = true;
        reset_ = true;
        break;
      case Fault::Kind::kGarbage:
        send_all(fd_, ssl_, fault_.garbage.data(), fault_.garbage.size());
        close_after_ = true;
        break;
      case Fault::Kind::kTruncate: {
        std::size_t head = answer_.find("\r\n\r\n");
        std::size_t keep = head == std::string::npos ? answer_.size() : head + 4 + fault_.truncate_body_at;
        keep = std::min(keep, answer_.size());
        send_all(fd_, ssl_, answer_.data(), keep);
        close_after_ = true;
        break;
      }
    }
  }

  void mark_close_after() { close_after_ = true; }
  const std::string& raw() const { return raw_; }
  bool handled() const { return handled_; }
  bool answer_pending() const { return answer_ready_ && !answer_sent_; }
  bool close_after() const { return close_after_; }
  bool reset() const { return reset_; }
  SSL* ssl() const { return ssl_; }

 private:
  void address_of(bool local, std::string& ip, int& port) const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int rc = local ? ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length)
                   : ::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    if (rc != 0) return;
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET6) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
      ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
      port = ntohs(v6->sin6_port);
    } else {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
      ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
      port = ntohs(v4->sin_port);
    }
    ip = text;
  }

  int fd_;
  SSL* ssl_;
  std::chrono::milliseconds timeout_;
  std::string raw_;
  std::string answer_;
  Fault fault_;
  bool answer_ready_ = false;
  bool answer_sent_ = false;
  bool handled_ = false;
  bool close_after_ = false;
  bool reset_ = false;
};

thread_local ConnectionStream* current_connection = nullptr;

}  // namespace

class MockServer::Impl {
 public:
  Impl(ServerOptions options, std::shared_ptr<Transcript> transcript, Responder responder)
      : options_(std::move(options)),
        transcript_(std::move(transcript)),
        responder_(std::move(responder)),
        http_(*this) {
    if (options_.tls) ssl_ctx_ = make_server_context(*options_.tls);
  }

  ~Impl() { stop(); }

  void start() {
    auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      handle(request, response);
    };
    http_.Get(".*", handler);
    http_.Post(".*", handler);
    http_.Put(".*", handler);
    http_.Patch(".*", handler);
    http_.Delete(".*", handler);
    http_.Options(".*", handler);
    http_.set_payload_max_length(64 * 1024 * 1024);
    // A login uses a handful of connections, and four workers serve them. Starting and joining
    // cpp-httplib's default eight threads per server was most of the cost of a scenario.
    http_.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };

    port_ = http_.bind_to_any_port(options_.host);
    if (port_ <= 0) {
      throw std::runtime_error("cannot listen on " + options_.host + " (port 0) for mock server \"" +
                               options_.name + "\"");
    }
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    for (int i = 0; i < 2000 && !http_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }

  void stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    stop_signal_.notify_all();
    http_.stop();
    {
      std::lock_guard lock(sockets_mutex_);
      for (int fd : open_sockets_) ::shutdown(fd, SHUT_RDWR);
    }
    thread_.join();
  }

  // Runs one accepted connection to the end; called on httplib's worker threads.
  bool serve_connection(int fd) {
    {
      std::lock_guard lock(sockets_mutex_);
      open_sockets_.insert(fd);
    }
    serve(fd);
    {
      std::lock_guard lock(sockets_mutex_);
      open_sockets_.erase(fd);
    }
    ::close(fd);
    return true;
  }

  ServerOptions options_;
  std::shared_ptr<Transcript> transcript_;
  Responder responder_;
  int port_ = 0;

 private:
  class HttpServer final : public httplib::Server {
   public:
    explicit HttpServer(Impl& owner) : owner_(owner) {}

   private:
    bool process_and_close_socket(socket_t sock) override { return owner_.serve_connection(sock); }
    friend class Impl;
    bool run_request(httplib::Stream& stream, bool last, bool& connection_closed) {
      return process_request(stream, last, connection_closed, [](httplib::Request&) {});
    }
    Impl& owner_;
  };

  void serve(int fd) {
    if (!wait_for(fd, POLLIN, options_.read_timeout)) return;
    unsigned char first = 0;
    if (::recv(fd, &first, 1, MSG_PEEK) != 1) return;

    // A TLS record starts with content type 22, handshake (RFC 8446 §5.1).
    bool looks_like_tls = first == 0x16;
    if (!ssl_ctx_ && looks_like_tls) {
      refuse_wrong_protocol(fd, RequestKind::kTlsOnPlainPort,
                            "This port speaks plain HTTP, but a TLS handshake arrived.\n");
      return;
    }
    if (ssl_ctx_ && !looks_like_tls) {
      refuse_wrong_protocol(fd, RequestKind::kPlainOnTlsPort,
                            "This port speaks HTTPS, but a plain-HTTP request arrived.\n");
      return;
    }

    SSL* ssl = nullptr;
    if (ssl_ctx_) {
      ssl = accept_tls(fd);
      if (ssl == nullptr) return;
    }

    ConnectionStream stream(fd, ssl, options_.read_timeout);
    current_connection = &stream;
    for (int i = 0; i < kMaxRequestsPerConnection && !stopping_; ++i) {
      if (i > 0 && !stream.wait_readable(options_.read_timeout)) break;
      stream.begin_request();
      bool connection_closed = false;
      bool ok = http_.run_request(stream, i + 1 == kMaxRequestsPerConnection, connection_closed);
      if (stream.answer_pending()) stream.send_answer();
      if (!stream.handled() && !stream.raw().empty()) record_malformed(stream, ssl != nullptr);
      if (!ok || connection_closed || stream.close_after()) break;
    }
    current_connection = nullptr;

    if (stream.reset()) {
      linger hard_close{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard_close, sizeof hard_close);
    } else if (ssl != nullptr) {
      SSL_shutdown(ssl);
    }
    if (ssl != nullptr) SSL_free(ssl);
  }

  SSL* accept_tls(int fd) {
    SSL* ssl = SSL_new(ssl_ctx_.get());
    SSL_set_fd(ssl, fd);
    timeval timeout{static_cast<time_t>(options_.read_timeout.count() / 1000),
                    static_cast<suseconds_t>((options_.read_timeout.count() % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    ERR_clear_error();
    if (SSL_accept(ssl) == 1) return ssl;

    RecordedRequest record = base_record(fd, true);
    record.kind = RequestKind::kTlsHandshakeFailed;
    record.detail = openssl_errors();
    if (record.detail.empty()) record.detail = "the client closed the connection during the TLS handshake";
    transcript_->add(std::move(record));
    SSL_free(ssl);
    return nullptr;
  }

  void refuse_wrong_protocol(int fd, RequestKind kind, const std::string& message) {
    char bytes[64];
    ssize_t n = ::recv(fd, bytes, sizeof bytes, 0);
    RecordedRequest record = base_record(fd, ssl_ctx_ != nullptr);
    record.kind = kind;
    record.tls = false;
    record.detail = protocol::visible(std::string_view(bytes, n > 0 ? static_cast<std::size_t>(n) : 0), 48);
    record.status = 400;
    transcript_->add(std::move(record));

    std::string answer = "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         "Connection: close\r\nContent-Length: " +
                         std::to_string(message.size()) + "\r\n\r\n" + message;
    send_all(fd, nullptr, answer.data(), answer.size());
  }

  RecordedRequest base_record(int fd, bool tls) const {
    RecordedRequest record;
    record.server = options_.name;
    record.tls = tls;
    ConnectionStream probe(fd, nullptr, options_.read_timeout);
    std::string ip;
    int port = 0;
    probe.get_remote_ip_and_port(ip, port);
    record.peer = format_peer(ip, port);
    return record;
  }

  void record_malformed(const ConnectionStream& stream, bool tls) {
    RecordedRequest record = base_record(stream.socket(), tls);
    record.kind = RequestKind::kMalformed;
    record.detail = protocol::visible(stream.raw(), 120);
    transcript_->add(std::move(record));
  }

  void handle(const httplib::Request& request, httplib::Response& response) {
    ConnectionStream* stream = current_connection;
    RecordedRequest record;
    record.server = options_.name;
    record.kind = RequestKind::kHttp;
    record.tls = stream != nullptr && stream->ssl() != nullptr;
    if (record.tls) {
      record.tls_version = SSL_get_version(stream->ssl());
      record.client_certificate = SSL_get0_peer_certificate(stream->ssl()) != nullptr;
    }
    record.peer = format_peer(request.remote_addr, request.remote_port);
    record.method = request.method;
    record.target = request.target;
    std::size_t question = request.target.find('?');
    record.path = request.target.substr(0, question);
    if (question != std::string::npos) record.query = parse_query(std::string_view(request.target).substr(question + 1));
    if (stream != nullptr) record.headers = parse_raw_headers(stream->raw());
    record.body = request.body;
    const std::string* coding = find_header(record.headers, "Transfer-Encoding");
    record.chunked = coding != nullptr && coding->find("chunked") != std::string::npos;

    std::size_t sequence = transcript_->add(record);
    record.sequence = sequence;

    Response answer;
    if (++request_count_ > options_.max_requests) {
      // The cap keeps a looping client from running forever; checks read it from the transcript.
      answer.status = 503;
      answer.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
      answer.body = "loginspec: request cap reached for this scenario\n";
      answer.close_connection = true;
    } else {
      try {
        answer = responder_(record);
      } catch (const std::exception& error) {
        answer = Response{};
        answer.status = 500;
        answer.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
        answer.body = std::string("loginspec mock failed to build an answer: ") + error.what() + "\n";
      }
    }

    if (answer.fault.delay.count() > 0) {
      std::unique_lock lock(stop_mutex_);
      stop_signal_.wait_for(lock, answer.fault.delay, [this] { return stopping_.load(); });
    }

    bool answered = answer.fault.kind == Fault::Kind::kNone || answer.fault.kind == Fault::Kind::kTruncate;
    transcript_->set_status(sequence, answered ? answer.status : 0);
    if (stream != nullptr) {
      stream->set_answer(serialize_response(answer, request.method == "HEAD"), answer.fault);
      if (answer.close_connection) stream->mark_close_after();
    }
    response.status = answer.status;
  }

  HttpServer http_;
  SslCtxPtr ssl_ctx_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> request_count_{0};
  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  std::mutex sockets_mutex_;
  std::set<int> open_sockets_;
};

MockServer::MockServer(ServerOptions options, std::shared_ptr<Transcript> transcript, Responder responder)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(transcript), std::move(responder))) {}

MockServer::~MockServer() = default;

void MockServer::start() { impl_->start(); }
void MockServer::stop() { impl_->stop(); }
int MockServer::port() const { return impl_->port_; }
bool MockServer::tls() const { return impl_->options_.tls.has_value(); }
const ServerOptions& MockServer::options() const { return impl_->options_; }

std::string MockServer::authority() const {
  const std::string& host = impl_->options_.host;
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(impl_->port_);
}

std::string MockServer::url() const { return (tls() ? "https://" : "http://") + authority(); }

}  // namespace loginspec::mocks
