#pragma once
// Decoding what RQ stores about a job's outcome, without executing anything: the entries
// of the rq:results:<id> stream (RQ >= 1.12 on Redis >= 5; rq/results.py), the legacy
// `result` / `exc_info` hash fields (Redis < 5), and the serialized `data`/`meta` fields.
// Pickles go through decode::read_pickle (data only); zlib is inflated with a cap.

#include "decode/detect.hpp"
#include "job/rq/record.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rctl::job::rq {

// Largest traceback shown (inflated); longer ones are cut, with a note.
inline constexpr std::size_t k_max_traceback_bytes = 1024 * 1024;
// Largest inflated `data` field decoded to show a job's function and arguments.
inline constexpr std::size_t k_max_job_data_bytes = 16 * 1024 * 1024;

// Result.Type: 1 successful, 2 failed, 3 stopped; RQ 2.x adds 4 retried, 5 max retries.
const char* result_type_name(int code);

// One stored outcome of a run.
struct JobResult {
  std::string source;  // "stream" or "hash" (legacy fields)
  std::string entry_id;  // stream entry id ("1700000000000-0")
  std::optional<std::int64_t> created_at_ms;  // from the entry id
  int type_code = 0;  // 0 when unknown (legacy failure/success guessed)
  std::string type;  // "successful", "failed", ...
  std::optional<decode::DecodedValue> return_value;  // absent: the function returned None
  std::optional<std::string> exc_string;  // the traceback text
  std::vector<std::pair<std::string, std::string>> extra;  // other fields (2.x worker_name, ...)
  std::vector<std::string> problems;  // what could not be decoded, for people
};

// Decodes one stream entry (field/value pairs as XRANGE returns them).
JobResult decode_result_entry(std::string_view entry_id, const std::vector<std::pair<std::string, std::string>>& fields,
                              Serializer serializer);

// The legacy outcome kept in the job hash (`result` = serializer.dumps(value), `exc_info` =
// zlib(traceback)), or nullopt when neither field has a value.
std::optional<JobResult> decode_legacy_result(std::string_view result_field, std::string_view exc_info_field,
                                              Serializer serializer);

// A value RQ serialized with `serializer` (return values, meta), decoded as that format;
// values that are not that format fall back to auto-detection, with the reason in `note`.
decode::DecodedValue decode_serialized(std::string_view bytes, Serializer serializer);

// The text of a zlib-compressed traceback (RQ stores exc_info/exc_string this way);
// uncompressed bytes are taken as they are, as RQ does. Invalid UTF-8 becomes U+FFFD.
std::string traceback_text(std::string_view bytes, std::vector<std::string>& problems);

// The job's `data` field: (func_name, instance, args, kwargs) and the serializer that wrote it.
struct JobCall {
  std::optional<Serializer> serializer;  // nullopt: neither pickle nor JSON
  std::string func_name;
  nlohmann::ordered_json instance;  // null for plain functions
  nlohmann::ordered_json args = nlohmann::ordered_json::array();
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
  std::string problem;  // why it could not be decoded, if it could not
};

// Inflates (capped; RQ also reads uncompressed data) and reads the job tuple.
JobCall decode_job_data(std::string_view data);

}  // namespace rctl::job::rq
