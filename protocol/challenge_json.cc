// Conversion of WWW-Authenticate parse results to JSON.
#include "protocol/challenge_json.h"

namespace loginspec::protocol {

nlohmann::json challenges_to_json(const ChallengeParse& parse) {
  if (parse.error) {
    const ChallengeError& error = *parse.error;
    return nlohmann::json{{"error",
                           {{"id", std::string(error.id_name())},
                            {"code", static_cast<int>(error.id)},
                            {"offset", error.offset},
                            {"message", error.message}}}};
  }

  nlohmann::json challenges = nlohmann::json::array();
  for (const Challenge& challenge : parse.challenges) {
    nlohmann::json params = nlohmann::json::array();
    for (const AuthParam& param : challenge.params) {
      params.push_back({{"name", param.name}, {"value", param.value}, {"quoted", param.quoted}});
    }
    nlohmann::json entry = {{"scheme", challenge.scheme}};
    if (challenge.token68) entry["token68"] = *challenge.token68;
    entry["params"] = std::move(params);
    challenges.push_back(std::move(entry));
  }
  return nlohmann::json{{"challenges", std::move(challenges)}};
}

}  // namespace loginspec::protocol
