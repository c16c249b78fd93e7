// RQ's timestamps (rq/utils.py utcformat/utcparse), parse_timeout, and --schedule-at times.

#include "job/rq/time.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

using namespace rctl;
using namespace rctl::job;
using namespace rctl::job::rq;
using namespace std::chrono;

TEST_CASE("job time: RQ timestamps", "[ops][job][time]") {
  const SystemTime t = SystemTime(seconds(1795317149)) + microseconds(967737);
  CHECK(rq_timestamp(t) == "2026-11-22T03:12:29.967737Z");
  CHECK(rq_timestamp(SystemTime(seconds(0))) == "1970-01-01T00:00:00.000000Z");
  CHECK(rq_timestamp(SystemTime(seconds(1795317149)) + nanoseconds(999)) == "2026-11-22T03:12:29.000000Z");
  CHECK(parse_rq_timestamp("2026-11-22T03:12:29.967737Z") == t);
  CHECK(parse_rq_timestamp("2026-11-22T03:12:29Z") == SystemTime(seconds(1795317149)));  // utcparse's fallback
  CHECK(parse_rq_timestamp("2026-11-22T03:12:29.5Z") == SystemTime(seconds(1795317149)) + milliseconds(500));
  CHECK_FALSE(parse_rq_timestamp(""));
  CHECK_FALSE(parse_rq_timestamp("2026-11-22T03:12:29.967737"));
  CHECK_FALSE(parse_rq_timestamp("2026-11-22T03:12:29.9677371Z"));
  CHECK_FALSE(parse_rq_timestamp("2026-02-30T00:00:00Z"));
  CHECK_FALSE(parse_rq_timestamp("2026-11-22 03:12:29Z"));
}

TEST_CASE("job time: RQ's parse_timeout", "[ops][job][time]") {
  CHECK(parse_rq_seconds("180", "--timeout").value() == 180);
  CHECK(parse_rq_seconds("-1", "--timeout").value() == -1);
  CHECK(parse_rq_seconds("+5", "--timeout").value() == 5);
  CHECK(parse_rq_seconds("10m", "--timeout").value() == 600);
  CHECK(parse_rq_seconds("2H", "--timeout").value() == 7200);
  CHECK(parse_rq_seconds("1d", "--timeout").value() == 86400);
  CHECK(parse_rq_seconds("30s", "--timeout").value() == 30);
  for (const char* bad : {"", "m", "1.5", "1h30m", "10x", "ten", "99999999999999999999d"}) {
    INFO(bad);
    auto r = parse_rq_seconds(bad, "--ttl");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::usage);
    CHECK_THAT(r.error().message, Catch::StartsWith("--ttl:"));
  }
}

TEST_CASE("job time: --schedule-at", "[ops][job][time]") {
  CHECK(parse_schedule_time("2026-11-22T03:12:29Z", "--schedule-at").value() == 1795317149);
  CHECK(parse_schedule_time("2026-11-22T03:12:29.9Z", "--schedule-at").value() == 1795317149);  // truncated
  CHECK(parse_schedule_time("2026-11-22T05:12:29+02:00", "--schedule-at").value() == 1795317149);
  CHECK(parse_schedule_time("2026-11-21T22:12:29-0500", "--schedule-at").value() == 1795317149);
  CHECK(parse_schedule_time("2026-11-22 03:12Z", "--schedule-at").value() == 1795317149 - 29);
  // Without an offset: local time, as RQ reads a naive datetime.
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "Europe/Berlin", 1);
  tzset();
  CHECK(parse_schedule_time("2026-11-22T04:12:29", "--schedule-at").value() == 1795317149);  // CET, UTC+1
  CHECK(parse_schedule_time("2026-07-01T02:00:00", "--schedule-at").value() == 1782864000);  // CEST, UTC+2
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  for (const char* bad : {"", "tomorrow", "2026-11-22", "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z",
                          "2026-11-22T03:12:29+2", "2026-11-22T03:12:29 UTC"}) {
    INFO(bad);
    auto r = parse_schedule_time(bad, "--schedule-at");
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == ErrorKind::usage);
  }
}
