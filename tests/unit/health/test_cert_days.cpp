// Days to a TLS certificate's expiry, as `rctl health` judges them.
#include "health/health.hpp"

#include <catch2/catch.hpp>

TEST_CASE("health: cert_days_left counts fractional days and goes negative after expiry") {
  auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  using std::chrono::hours;
  CHECK(rctl::health::cert_days_left(now + hours(24 * 10), now) == 10.0);
  CHECK(rctl::health::cert_days_left(now + hours(36), now) == 1.5);
  CHECK(rctl::health::cert_days_left(now - hours(12), now) == -0.5);
}
