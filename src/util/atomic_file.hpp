#pragma once
// Replacing a file so that a reader (node_exporter's textfile collector, say) sees either the
// old content or the new, never a half-written file.

#include "util/error.hpp"

#include <string>
#include <string_view>

namespace rctl::util {

// Writes `content` to a temporary file in `path`'s directory (a rename is atomic only within
// one file system), flushes it to disk and renames it over `path`. The new file is readable
// as the umask allows (0666 & ~umask), like a file the shell would create. On failure the
// temporary file is removed and `path` is left as it was.
Expected<void> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace rctl::util
