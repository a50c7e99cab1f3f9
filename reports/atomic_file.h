// Writing a report file so that readers see the old file or the whole new one, never a part.
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>

namespace loginspec::reports {

// Calls write(stream) and puts what it wrote at path: the text goes to a new temporary file
// in the same folder (".<name>.tmp-<pid>-<n>"), which is flushed to disk with fsync and then
// renamed over path. The new file gets mode 0666 less the umask.
// On failure the temporary file is removed and std::runtime_error is thrown, naming path and
// the errno text. An exception from write() propagates unchanged, and in every failure case
// an existing file at path is left as it was.
// NOTE: write() fills a memory buffer first, so a report needs as much memory as its size.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

}  // namespace loginspec::reports
