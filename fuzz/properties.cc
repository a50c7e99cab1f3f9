// Property checks for the protocol parsers, run by the fuzz targets and replayed by the regression tests.
#include "fuzz/properties.h"

#include <vector>

#include "protocol/basic.h"
#include "protocol/challenge.h"
#include "protocol/challenge_json.h"
#include "protocol/token_response.h"

namespace loginspec::fuzz {
namespace {

using protocol::ChallengeParse;

std::optional<std::string> check_challenge_parse(const ChallengeParse& parse, std::size_t input_size) {
  if (parse.error) {
    const protocol::ChallengeError& error = *parse.error;
    if (error.offset > input_size) {
      return "error offset " + std::to_string(error.offset) + " is past the input size " + std::to_string(input_size);
    }
    if (error.id_name() == "unknown") return "error id " + std::to_string(static_cast<int>(error.id)) + " has no name";
    if (error.message.empty()) return "error " + std::string(error.id_name()) + " has an empty message";
    return std::nullopt;
  }

  if (parse.challenges.empty()) return "a successful parse returned no challenge";
  const std::string serialized = protocol::serialize_challenges(parse.challenges);
  const ChallengeParse reparsed = protocol::parse_challenges(serialized);
  if (reparsed.error) {
    return "serialized field \"" + protocol::visible(serialized) + "\" failed to parse: " + reparsed.error->message;
  }
  if (reparsed.challenges != parse.challenges) {
    return "serialized field \"" + protocol::visible(serialized) + "\" parsed to different challenges";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_challenge_properties(std::string_view input) {
  const ChallengeParse parse = protocol::parse_challenges(input);
  if (auto failure = check_challenge_parse(parse, input.size())) return failure;

  // Converting to JSON must not throw. dump() replaces bytes that are not UTF-8, which
  // quoted-strings may carry as obs-text.
  const nlohmann::json json = protocol::challenges_to_json(parse);
  (void)json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t newline = input.find('\n', start);
    lines.emplace_back(input.substr(start, newline == std::string_view::npos ? std::string_view::npos : newline - start));
    if (newline == std::string_view::npos) break;
    start = newline + 1;
  }
  // Each '\n' becomes ", " in the joined text, one byte longer.
  const std::size_t joined_size = input.size() + lines.size() - 1;
  if (auto failure = check_challenge_parse(protocol::parse_challenge_lines(lines), joined_size)) {
    return "as field lines: " + *failure;
  }
  return std::nullopt;
}

std::optional<std::string> check_basic_properties(std::string_view input) {
  const std::string encoded = protocol::base64_encode(input);
  const std::optional<std::string> decoded = protocol::base64_decode(encoded);
  if (!decoded || *decoded != input) return "base64_decode(base64_encode(input)) differs from the input";

  if (const std::optional<std::string> bytes = protocol::base64_decode(input)) {
    if (protocol::base64_encode(*bytes) != input) return "base64 text accepted by the decoder is not canonical";
  }

  // RFC 7617 §2 forbids ':' in the user-id, so the user-id is the input up to its first colon.
  const std::size_t colon = input.find(':');
  protocol::BasicCredentials credentials;
  credentials.username = std::string(input.substr(0, colon));
  credentials.password = colon == std::string_view::npos ? "" : std::string(input.substr(colon + 1));
  const protocol::BasicParse round_trip = protocol::parse_basic_authorization(protocol::basic_authorization(credentials));
  if (!round_trip.credentials) return "basic_authorization() output failed to parse: " + round_trip.error->message;
  if (*round_trip.credentials != credentials) return "basic_authorization() output parsed to different credentials";

  const protocol::BasicParse parse = protocol::parse_basic_authorization(input);
  if (parse.credentials.has_value() == parse.error.has_value()) return "parse result has both or neither of credentials and error";
  if (parse.error) {
    if (parse.error->offset > input.size()) {
      return "error offset " + std::to_string(parse.error->offset) + " is past the input size " + std::to_string(input.size());
    }
    if (parse.error->message.empty()) return "error has an empty message";
    return std::nullopt;
  }
  const protocol::BasicParse reparsed = protocol::parse_basic_authorization(protocol::basic_authorization(*parse.credentials));
  if (!reparsed.credentials || *reparsed.credentials != *parse.credentials) {
    return "parsed credentials do not survive basic_authorization()";
  }
  return std::nullopt;
}

std::optional<std::string> check_token_response_properties(std::string_view input) {
  const protocol::TokenParse parse = protocol::parse_token_response(input);
  if (parse.response.has_value() == parse.error.has_value()) return "parse result has both or neither of response and error";
  if (parse.error) {
    if (parse.error->offset > input.size()) {
      return "error offset " + std::to_string(parse.error->offset) + " is past the body size " + std::to_string(input.size());
    }
    if (parse.error->message.empty()) return "error has an empty message";
    return std::nullopt;
  }

  const std::optional<std::string> token = parse.response->effective_token();
  if (!token || token->empty()) return "a successful parse has no effective token";
  if (parse.response->effective_lifetime_seconds() < 60) return "effective lifetime is below 60 seconds";
  return std::nullopt;
}

}  // namespace loginspec::fuzz
