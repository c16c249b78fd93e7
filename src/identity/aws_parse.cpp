// The parsers of what credential sources answer: JSON (credential_process, ECS, IMDS), the
// STS AssumeRole XML, ISO 8601 times; and the signing clock.
#include "identity/aws_credentials.hpp"

#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cstdlib>

namespace rctl::identity {

namespace {

// The text of the first <tag>...</tag> in `xml` (entities decoded), or nullopt. STS replies
// are flat enough for this: no attributes on these elements, no CDATA.
std::optional<std::string> xml_element(std::string_view xml, std::string_view tag) {
  auto open = fmt::format("<{}>", tag);
  auto close = fmt::format("</{}>", tag);
  auto start = xml.find(open);
  if (start == std::string_view::npos) return std::nullopt;
  start += open.size();
  auto end = xml.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  auto raw = xml.substr(start, end - start);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    static constexpr std::pair<std::string_view, char> k_entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool known = false;
    for (auto [name, c] : k_entities)
      if (raw.substr(i).starts_with(name)) {
        out.push_back(c);
        i += name.size() - 1;
        known = true;
        break;
      }
    if (!known) out.push_back('&');
  }
  return out;
}

std::optional<int> digits_at(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_iso8601(std::string_view t) {
  using namespace std::chrono;
  // YYYY-MM-DDTHH:MM:SS then optional .fff, then Z or +00:00
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto Y = digits_at(t, 0, 4), M = digits_at(t, 5, 2), D = digits_at(t, 8, 2);
  auto h = digits_at(t, 11, 2), m = digits_at(t, 14, 2), s = digits_at(t, 17, 2);
  if (!Y || !M || !D || !h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  auto rest = t.substr(19);
  if (rest.starts_with(".")) {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    rest.remove_prefix(i);
  }
  if (rest != "Z" && rest != "z" && rest != "+00:00") return std::nullopt;
  year_month_day date{year{*Y}, month{static_cast<unsigned>(*M)}, day{static_cast<unsigned>(*D)}};
  if (!date.ok()) return std::nullopt;
  return sys_days{date} + hours{*h} + minutes{*m} + seconds{*s};
}

Expected<AwsCredentials> parse_credentials_json(std::string_view json, const std::string& what) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  // The reply may hold a secret: it is never quoted in an error.
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorKind::auth, fmt::format("{}: the reply is not JSON", what));
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (auto code = text("Code"); code && *code != "Success")
    return fail(ErrorKind::auth, fmt::format("{}: the endpoint answered {}", what, *code));
  auto key_id = text("AccessKeyId");
  auto secret = text("SecretAccessKey");
  if (!key_id || !secret || key_id->empty() || secret->empty())
    return fail(ErrorKind::auth, fmt::format("{}: no AccessKeyId and SecretAccessKey in the reply", what));
  AwsCredentials c;
  c.access_key_id = *key_id;
  c.secret_access_key = util::Secret(std::move(*secret));
  if (auto token = text("Token")) c.session_token = util::Secret(std::move(*token));
  else if (auto session = text("SessionToken")) c.session_token = util::Secret(std::move(*session));
  if (auto expiration = text("Expiration")) {
    c.expiration = parse_iso8601(*expiration);
    if (!c.expiration) return fail(ErrorKind::auth, fmt::format("{}: Expiration is not an ISO 8601 time", what));
  }
  return c;
}

Expected<AwsCredentials> parse_assume_role_reply(std::string_view xml, int http_status) {
  if (auto error = xml_element(xml, "Error"); error || http_status != 200) {
    auto code = error ? xml_element(*error, "Code") : std::nullopt;
    auto message = error ? xml_element(*error, "Message") : std::nullopt;
    return fail(ErrorKind::auth,
                fmt::format("STS AssumeRole refused (HTTP {}): {}{}", http_status, code.value_or("no error code"),
                            message ? ": " + std::string(util::trim(*message)) : ""));
  }
  auto credentials = xml_element(xml, "Credentials");
  if (!credentials) return fail(ErrorKind::auth, "STS AssumeRole: no Credentials in the reply");
  auto key_id = xml_element(*credentials, "AccessKeyId");
  auto secret = xml_element(*credentials, "SecretAccessKey");
  auto token = xml_element(*credentials, "SessionToken");
  auto expiration = xml_element(*credentials, "Expiration");
  if (!key_id || !secret || !token) return fail(ErrorKind::auth, "STS AssumeRole: incomplete Credentials in the reply");
  AwsCredentials c;
  c.access_key_id = *key_id;
  c.secret_access_key = util::Secret(std::move(*secret));
  c.session_token = util::Secret(std::move(*token));
  if (expiration) c.expiration = parse_iso8601(*expiration);
  return c;
}

std::chrono::sys_seconds signing_time(const config::Environment& env) {
#ifdef RCTL_TEST_HOOKS
  // Test builds only (CMake defines RCTL_TEST_HOOKS with RCTL_BUILD_TESTS): a frozen clock
  // so that tests can compute the same token with botocore.
  if (auto fixed = env("RCTL_TEST_NOW"); fixed && fixed->size() == 16) {
    auto iso = fmt::format("{}-{}-{}T{}:{}:{}Z", fixed->substr(0, 4), fixed->substr(4, 2), fixed->substr(6, 2),
                           fixed->substr(9, 2), fixed->substr(11, 2), fixed->substr(13, 2));
    if (auto t = parse_iso8601(iso)) return *t;
  }
#else
  (void)env;
#endif
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace rctl::identity
