// The JSON contract of `job retry`/`job purge` and of the multi-system `job queues` table.

#include "job/render_bulk.hpp"
#include "job/render_summary.hpp"
#include "output/printer.hpp"

#include <catch2/catch.hpp>

using namespace rctl;
using namespace rctl::job;
using Json = nlohmann::ordered_json;

TEST_CASE("render_bulk: selection figures first, then the jobs with past-tense outcomes") {
  BulkReport r;
  r.system = "celery";
  r.verb = "retry";
  r.queue = "celery";
  r.state = "failed";
  r.filter = "boom";
  r.total = 5;
  r.not_retryable = 1;
  r.actions = {{"t1", "celery", "FAILURE", rq::ActionOutcome::done, ""},
               {"t2", "celery", "FAILURE", rq::ActionOutcome::refused, "no longer failed (status SUCCESS)"}};
  auto doc = render_bulk(r);
  CHECK(doc.json["system"] == "celery");
  CHECK(doc.json["filter"] == "boom");
  CHECK(doc.json["total"] == 5);
  CHECK(doc.json["not_retryable"] == 1);
  CHECK(doc.json["count"] == 1);
  CHECK(doc.json["jobs"][0]["outcome"] == "retried");
  CHECK(doc.json["jobs"][1]["outcome"] == "refused");
  auto text = output::render_table(doc, false);
  CHECK(text.find("retried 1 of 2 jobs") != std::string::npos);
  CHECK(text.find("3 of 5 failed jobs matched --filter 'boom'") != std::string::npos);

  r.verb = "purge";
  r.filter.clear();
  r.apply = rq::Apply::dry_run;
  r.actions = {{"j1", "q", "queued", rq::ActionOutcome::would_do, ""}};
  doc = render_bulk(r);
  CHECK(doc.json["filter"].is_null());
  CHECK(doc.json["dry_run"] == true);
  CHECK(doc.json["jobs"][0]["outcome"] == "would_do");
}

TEST_CASE("render_queue_summaries: null for figures a system does not keep, escaped names") {
  job::QueueSummary rq_row;
  rq_row.system = "rq";
  rq_row.name = "default";
  rq_row.waiting = 3;
  rq_row.oldest_waiting_age_s = 1.5;
  rq_row.active = 1;
  rq_row.failed = 2;
  rq_row.workers = 1;
  job::QueueSummary celery_row;
  celery_row.system = "celery";
  celery_row.name = "evil\x1b[2J";
  celery_row.waiting = 7;
  celery_row.active = 0;
  auto doc = render_queue_summaries({"rq", "celery"}, {rq_row, celery_row});
  CHECK(doc.json["systems"] == Json::array({"rq", "celery"}));
  const auto& rows = doc.json["queues"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["oldest_waiting_age_s"] == 1.5);
  CHECK(rows[0]["retry"].is_null());
  CHECK(rows[1]["failed"].is_null());
  CHECK(rows[1]["oldest_waiting_age_s"].is_null());
  CHECK(rows[1]["active"] == 0);
  auto text = output::render_table(doc, false);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("SYSTEM") != std::string::npos);
}
