#pragma once
// INFO reply parsing: "# Section" headers and "key:value" lines, plus the comma lists inside
// some values (db0:keys=1,expires=0 / cmdstat_get:calls=2,usec=5 / slave0:ip=...).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rctl::server {

// Limits: INFO text is untrusted input like any reply.
inline constexpr std::size_t k_max_info_bytes = 16 * 1024 * 1024;
inline constexpr std::size_t k_max_info_fields = 100'000;

class Info {
 public:
  // Parses INFO text. Lines that are neither headers nor key:value are ignored; input beyond
  // the limits is ignored too (INFO is advisory, never a reason to fail a health check).
  static Info parse(std::string_view text);

  // The value of `key` in any section (keys are unique across sections in practice).
  std::optional<std::string_view> get(std::string_view key) const;
  std::string_view get_or(std::string_view key, std::string_view fallback) const;
  std::optional<std::int64_t> integer(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;

  // Keys of a section in order ("Keyspace" -> db0, db1...); section names are case-insensitive.
  std::vector<std::string_view> keys_in(std::string_view section) const;

  // Keys starting with `prefix` in order (e.g. "cmdstat_", "slave").
  std::vector<std::string_view> keys_with_prefix(std::string_view prefix) const;

  bool empty() const { return m_fields.empty(); }

 private:
  struct Field {
    std::string section;  // lower-case
    std::string key;
    std::string value;
  };
  std::vector<Field> m_fields;
  std::map<std::string, std::size_t, std::less<>> m_index;
};

// Parses "a=1,b=x" into ordered pairs. Values may contain '=' (kept whole after the first).
std::vector<std::pair<std::string, std::string>> parse_kv_list(std::string_view text);

// Looks up `key` in a parsed list.
std::optional<std::string_view> kv_get(const std::vector<std::pair<std::string, std::string>>& list,
                                       std::string_view key);

}  // namespace rctl::server
