#include "keys/render.hpp"

#include "output/printer.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace rctl::keys;

namespace {

KeyRecord keys_out_record(std::string key) {
  KeyRecord r;
  r.key = std::move(key);
  r.type = "hash";
  r.encoding = "listpack";
  r.bytes = 120;
  r.elements = 4;
  r.ttl_ms = 5000;
  return r;
}

}  // namespace

TEST_CASE("keys-out CSV: quoting, empty fields, invalid UTF-8 as base64", "[keys][render]") {
  CHECK(keys_out_csv_header() == "key,key_base64,node,type,encoding,bytes,elements,ttl_ms\r\n");
  CHECK(keys_out_csv_row(keys_out_record("user:1"), "127.0.0.1:6379") ==
        "user:1,,127.0.0.1:6379,hash,listpack,120,4,5000\r\n");
  CHECK(keys_out_csv_row(keys_out_record("a,\"b\"\nc"), "n") == "\"a,\"\"b\"\"\nc\",,n,hash,listpack,120,4,5000\r\n");
  auto r = keys_out_record(std::string("\xff\x00k", 3));
  r.bytes.reset();
  r.ttl_ms.reset();
  r.encoding.clear();
  CHECK(keys_out_csv_row(r, "n") == ",/wBr,n,hash,,,4,\r\n");
}

TEST_CASE("keys-out JSON Lines: one object per line, bytes safe", "[keys][render]") {
  auto line = keys_out_json_line(keys_out_record("user:1"), "n");
  CHECK(line ==
        "{\"key\":\"user:1\",\"node\":\"n\",\"type\":\"hash\",\"encoding\":\"listpack\",\"bytes\":120,"
        "\"elements\":4,\"ttl_ms\":5000}\n");
  auto binary = keys_out_json_line(keys_out_record(std::string("\xff", 1)), "n");
  CHECK(binary.find("{\"base64\":\"/w==\"}") != std::string::npos);
}

TEST_CASE("analyze document: JSON figures and escaped key names in tables", "[keys][render]") {
  AnalyzeOptions o;
  AnalyzeReport report(o);
  report.nodes.resize(1);
  report.nodes[0].address = "127.0.0.1:6379";
  report.nodes[0].scanned = 2;
  report.nodes[0].analyzed = 2;
  report.nodes[0].complete = true;
  auto evil = keys_out_record("evil:\x1b[31m");
  evil.bytes = 1000;
  report.agg.add(evil);
  report.agg.add(keys_out_record("user:7:profile"));
  auto doc = render_analyze(report);
  CHECK(doc.json["complete"] == true);
  CHECK(doc.json["totals"]["keys"] == 2);
  CHECK(doc.json["totals"]["bytes"] == 1120);
  CHECK(doc.json["top_by_bytes"][0]["bytes"] == 1000);
  CHECK(doc.json["prefixes"]["groups"][0]["prefix"] == "evil");
  CHECK(doc.json["estimate"]["is_estimate"] == false);
  auto text = rctl::output::render_table(doc, false);
  CHECK(text.find("\x1b[31m") == std::string::npos);
  CHECK(text.find("evil:\\x1b[31m") != std::string::npos);
  CHECK(text.find("user:*:profile") != std::string::npos);
  CHECK(text.find("\u2588") != std::string::npos);  // a bar chart
}
