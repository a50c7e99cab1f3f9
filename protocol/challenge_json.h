// JSON view of a WWW-Authenticate parse result, for the `parse` command and machine-readable reports.
#pragma once

#include <nlohmann/json.hpp>

#include "protocol/challenge.h"

namespace loginspec::protocol {

// Converts a parse result to
//   {"challenges":[{"scheme":"Bearer","token68":"abc==","params":[{"name":..,"value":..,"quoted":true}]}]}
// where "token68" appears only when the challenge has one, or, when parsing failed, to
//   {"error":{"id":"unterminated-quoted-string","code":5,"offset":37,"message":"..."}}.
// Strings are copied byte for byte, so a value with obs-text that is not UTF-8 makes
// nlohmann::json::dump() throw unless the caller picks an error handler such as
// nlohmann::json::error_handler_t::replace.
nlohmann::json challenges_to_json(const ChallengeParse& parse);

}  // namespace loginspec::protocol
