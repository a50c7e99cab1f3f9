// Docker config.json and containers auth.json readers.
#include "harness/credential_store.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "protocol/basic.h"

namespace loginspec::harness {

StoredCredentials read_auths_file(const std::filesystem::path& file, const std::vector<std::string>& keys) {
  StoredCredentials stored;
  stored.file = file;
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return stored;
  stored.mode = info.st_mode & 07777;

  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  stored.raw = text.str();

  nlohmann::json document;
  try {
    document = nlohmann::json::parse(stored.raw);
  } catch (const nlohmann::json::parse_error& error) {
    throw std::runtime_error("credential file " + file.string() + " is not valid JSON: " + error.what());
  }
  auto auths = document.find("auths");
  if (auths == document.end() || !auths->is_object()) return stored;

  for (const auto& key : keys) {
    auto entry = auths->find(key);
    if (entry == auths->end() || !entry->is_object()) continue;
    stored.entry_found = true;
    if (auto auth = entry->find("auth"); auth != entry->end() && auth->is_string()) {
      auto decoded = protocol::base64_decode(auth->get<std::string>());
      if (decoded) {
        std::size_t colon = decoded->find(':');
        stored.username = decoded->substr(0, colon);
        if (colon != std::string::npos) stored.password = decoded->substr(colon + 1);
      }
    }
    if (auto user = entry->find("username"); user != entry->end() && user->is_string() && stored.username.empty()) {
      stored.username = user->get<std::string>();
    }
    if (auto pass = entry->find("password"); pass != entry->end() && pass->is_string() && stored.password.empty()) {
      stored.password = pass->get<std::string>();
    }
    if (auto token = entry->find("identitytoken"); token != entry->end() && token->is_string()) {
      stored.identity_token = token->get<std::string>();
    }
    break;
  }
  return stored;
}

}  // namespace loginspec::harness
