#pragma once
// `rctl cache` documents: get/set/del/ttl/persist/keys (invalidate's is in invalidate.hpp, which
// the scan-engine rewrite owns).
// Only the render*.cpp files of this folder define these, so the domain's logic never
// includes output code.

#include "cache/cache.hpp"
#include "output/document.hpp"

namespace rctl::cache {

// Renderers.
output::Document render_get(const std::vector<KeyValue>& values, bool show_raw_bytes);
output::Document render_keys(const KeyListing& listing);
// When nothing matched a prefix holding glob characters: that PREFIX is literal, and the form
// that lists what was meant. Empty otherwise.
std::string keys_glob_hint(const KeyListing& listing);
output::Document render_set(const std::string& key, bool written, std::size_t bytes, const SetOptions& options);
output::Document render_deleted(std::size_t requested, std::int64_t deleted);
output::Document render_ttl(const std::string& key, const std::optional<std::int64_t>& ttl_ms);
output::Document render_persist(const std::string& key, bool removed);

}  // namespace rctl::cache
