// Fuzz target: any bytes as a session value read from Redis, through everything `rctl session`
// does with one before printing it (decode, store, user, last activity, secret masking, JSON
// dump), and the same bytes as a cookie value, with and without a secret.

#include "session/cookie.hpp"
#include "session/mask.hpp"
#include "session/scan.hpp"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rctl;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fields = session::default_user_fields();
  fields.push_back("user.id");
  auto record = session::make_session_record("session:fuzz", "session:", "node", bytes, 1000, fields);
  // What `session stats` reads (only the user fields' members of a pickle) must agree.
  const auto members = session::user_member_names(fields);
  auto light = session::make_session_record("session:fuzz", "session:", "node", bytes, 1000, fields, &members);
  if (light.store != record.store || light.decoded.format != record.decoded.format ||
      light.decoded.note != record.decoded.note || light.user.has_value() != record.user.has_value() ||
      (light.user && (light.user->id != record.user->id || light.user->field != record.user->field)))
    __builtin_trap();
  if (record.decoded.data) {
    auto data_copy = *record.decoded.data;
    (void)session::mask_secrets(data_copy);
    (void)data_copy.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  util::Secret secret("fuzz-secret");
  (void)session::session_from_cookie(bytes, &secret);
  (void)session::session_from_cookie(bytes, nullptr);
  return 0;
}
