#pragma once
// How this binary was built, for `rctl --version`. Defined in a file generated at build time
// (cmake/build_info.cmake), alone in its own library: a new commit recompiles that one
// small file, not the program. Includes nothing, to keep it small.

namespace rctl::commands {

// The git revision the binary was built from (12 hex digits, "-dirty" when tracked files had
// changes), or "unknown" outside a git checkout.
const char* build_revision();

// CMAKE_BUILD_TYPE at configure time ("Release", "RelWithDebInfo", ...), or "none".
const char* build_type();

}  // namespace rctl::commands
