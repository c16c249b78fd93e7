// rctl --version: which rctl this is and how it was built, for bug reports and for checking
// what a package or CI image installed (-o json for scripts).

#include "build_info.hpp"
#include "context.hpp"

#include "net/stream.hpp"

#include <string>

namespace rctl::commands {

namespace {

// The compiler that built this file, which built the whole program (one CMake toolchain).
std::string compiler_name() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "GCC " __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

output::Document version_document() {
  output::Document doc;
  auto tls = net::tls_library_version();
  doc.json["version"] = RCTL_VERSION;
  doc.json["git_revision"] = build_revision();
  doc.json["build_type"] = build_type();
  doc.json["compiler"] = compiler_name();
  doc.json["openssl"] = tls;
  output::Fields fields;
  fields.title = std::string("rctl ") + RCTL_VERSION;
  fields.add("git revision", build_revision());
  fields.add("build type", build_type());
  fields.add("compiler", compiler_name());
  fields.add("openssl", tls);
  doc.blocks.push_back(std::move(fields));
  return doc;
}

}  // namespace rctl::commands
