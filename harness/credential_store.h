// Reads back what a client stored: the "auths" JSON layout shared by Docker and containers tools.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/adapter.h"

namespace loginspec::harness {

// Reads `file` and finds the entry for the registry under any of `keys` (e.g. "127.0.0.1:5000"
// and "https://127.0.0.1:5000"). A missing file gives entry_found == false; a file that is not
// valid JSON throws std::runtime_error naming the file.
StoredCredentials read_auths_file(const std::filesystem::path& file, const std::vector<std::string>& keys);

}  // namespace loginspec::harness
