// Transcript storage and the small parsing helpers recorded requests need.
#include "mocks/transcript.h"

#include <cctype>

#include "protocol/challenge.h"

namespace loginspec::mocks {

const std::string* find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (protocol::iequals(header.name, name)) return &header.value;
  }
  return nullptr;
}

std::vector<std::string> find_headers(const HeaderList& headers, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& header : headers) {
    if (protocol::iequals(header.name, name)) values.push_back(header.value);
  }
  return values;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

const std::string* find_pair(const std::vector<std::pair<std::string, std::string>>& pairs, std::string_view key) {
  for (const auto& [name, value] : pairs) {
    if (name == key) return &value;
  }
  return nullptr;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    std::size_t eq = item.find('=');
    std::string key = percent_decode(item.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1), true);
    pairs.emplace_back(std::move(key), std::move(value));
  }
  return pairs;
}

std::string_view to_string(RequestKind kind) {
  switch (kind) {
    case RequestKind::kHttp: return "http";
    case RequestKind::kTlsOnPlainPort: return "tls-on-plain-port";
    case RequestKind::kPlainOnTlsPort: return "plain-on-tls-port";
    case RequestKind::kTlsHandshakeFailed: return "tls-handshake-failed";
    case RequestKind::kMalformed: return "malformed";
  }
  return "unknown";
}

const std::string* RecordedRequest::query_value(std::string_view key) const { return find_pair(query, key); }

std::vector<std::pair<std::string, std::string>> RecordedRequest::form() const {
  return parse_query(body);
}

Transcript::Transcript() : start_(std::chrono::steady_clock::now()) {}

std::size_t Transcript::add(RecordedRequest request) {
  std::lock_guard lock(mutex_);
  request.sequence = requests_.size();
  request.at_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  requests_.push_back(std::move(request));
  changed_.notify_all();
  return requests_.size() - 1;
}

void Transcript::set_status(std::size_t sequence, int status) {
  std::lock_guard lock(mutex_);
  if (sequence < requests_.size()) requests_[sequence].status = status;
}

std::vector<RecordedRequest> Transcript::snapshot() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t Transcript::size() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

bool Transcript::wait_for_count(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

}  // namespace loginspec::mocks
