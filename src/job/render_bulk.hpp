#pragma once
// The document of `job retry` and `job purge`, every system: the per-job lines of
// render_actions plus what was selected and what was left (JSON fields in the README).
// Only render_bulk.cpp defines it, so the domain's logic never includes output code.

#include "job/rq/admin.hpp"
#include "output/document.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rctl::job {

struct BulkReport {
  std::string system, verb, queue, state, filter;  // verb: "retry" or "purge"
  std::int64_t total = 0;  // entries in the state's list/registry (Celery failed: metas scanned)
  bool capped = false;  // more than one run reads: the rest waits for the next run
  std::int64_t not_retryable = 0;  // matched but cannot be retried (Celery without result_extended)
  std::vector<rq::JobAction> actions;
  rq::Apply apply = rq::Apply::write;
};

output::Document render_bulk(const BulkReport& report);

}  // namespace rctl::job
