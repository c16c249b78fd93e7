#pragma once
// A password or token. It has no formatter and no stream operator, so it cannot end up in
// output, logs or error messages by accident; code that needs the bytes calls reveal().

#include <string>
#include <utility>

namespace rctl::util {

// Overwrites the bytes of `s` (best effort: the compiler may not drop the volatile stores),
// for buffers that held a secret on its way to the server.
inline void wipe(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
}

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
  void wipe() { util::wipe(m_value); }
  std::string m_value;
};

}  // namespace rctl::util
