// HTTP Basic credentials (RFC 7617): encode and decode "Authorization: Basic ...".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loginspec::protocol {

struct BasicCredentials {
  std::string username;
  std::string password;
  bool operator==(const BasicCredentials&) const = default;
};

enum class BasicErrorId {
  kNotBasic = 1,       // scheme is not "Basic" (case-insensitive)
  kMissingToken,       // "Basic" with nothing after it
  kInvalidBase64,      // not valid base64 (RFC 4648 §4, padding required)
  kMissingColon,       // decoded text has no ':' between user-id and password
};

struct BasicError {
  BasicErrorId id;
  std::size_t offset = 0;  // byte offset into the header value
  std::string message;
};

struct BasicParse {
  std::optional<BasicCredentials> credentials;
  std::optional<BasicError> error;
};

// Decodes an Authorization field value such as "Basic dXNlcjpwYXNz".
BasicParse parse_basic_authorization(std::string_view header_value);

// Returns "Basic " + base64(username ":" password).
std::string basic_authorization(const BasicCredentials& credentials);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace loginspec::protocol
