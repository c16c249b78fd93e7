#pragma once
// A password or token. It has no formatter and no stream operator, so it cannot end up in
// output, logs or error messages by accident; code that needs the bytes calls reveal().

#include <string>
#include <utility>

namespace rctl::util {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : m_value(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  ~Secret() { wipe(); }

  // The secret bytes, for the one place that sends them (AUTH/HELLO).
  const std::string& reveal() const { return m_value; }
  bool empty() const { return m_value.empty(); }

 private:
  // Best effort: overwrite the buffer before it is freed.
  void wipe() {
    volatile char* p = m_value.data();
    for (std::size_t i = 0; i < m_value.size(); ++i) p[i] = 0;
  }
  std::string m_value;
};

}  // namespace rctl::util
