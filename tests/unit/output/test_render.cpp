#include "decode/bytes.hpp"
#include "output/printer.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

using namespace std::string_literals;
using namespace rctl;
using output::Cell;
using output::Document;
using output::Fields;
using output::RawBytes;
using output::Table;
using output::Text;
using output::Tone;

namespace {

// Bytes a hostile server could put in a key, a value or an INFO field.
const std::string k_hostile[] = {
    "\x1b[31mred\x1b[0m"s,
    "carriage\rreturn"s,
    "nul\0byte"s,
    "bad\xf0utf8"s,
    "line\nbreak"s,
    "bell\x07"s,
    "del\x7f"s,
    "c1\xc2\x9b"s,
    "bidi\xe2\x80\xae"
    "evil"s,
    "tab\tx"s,
};

// The text with colour codes (ESC [ digits/; m) removed.
std::string strip_sgr(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      auto j = i + 2;
      while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == ';')) ++j;
      if (j < text.size() && text[j] == 'm') {
        i = j;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void check_terminal_safe(const std::string& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto c = static_cast<unsigned char>(out[i]);
    INFO("byte " << i << " = " << static_cast<int>(c));
    CHECK((c >= 0x20 || c == '\n'));
    CHECK(c != 0x7f);
  }
  CHECK(decode::is_valid_utf8(out));
  CHECK(out.find("\xc2\x9b") == std::string::npos);
  CHECK(out.find("\xe2\x80\xae") == std::string::npos);
}

Document hostile_document(const std::string& bad) {
  Document doc;
  Fields fields;
  fields.title = "title " + bad;
  fields.add("key " + bad, Cell("value " + bad, Tone::bad));
  fields.add("plain", "ok");
  doc.blocks.emplace_back(fields);
  Table table;
  table.title = "table " + bad;
  table.columns = {"name " + bad, "n"};
  table.numeric = {false, true};
  table.rows = {{Cell(bad), Cell("1")}, {Cell("x"), Cell(bad, Tone::warn)}};
  doc.blocks.emplace_back(table);
  doc.blocks.emplace_back(Text{"text " + bad, Tone::dim});
  return doc;
}

Document table_doc(Table table) {
  Document doc;
  doc.blocks.emplace_back(std::move(table));
  return doc;
}

}  // namespace

TEST_CASE("output render: every block type escapes what a terminal would act on") {
  for (const auto& bad : k_hostile) {
    INFO("input: " << decode::escape_for_terminal(bad));
    auto doc = hostile_document(bad);
    auto plain = output::render_table(doc, false);
    check_terminal_safe(plain);
    // Three lines of fields (title, two items), blank, title, header, two rows, blank-less text.
    CHECK(std::count(plain.begin(), plain.end(), '\n') == 3 + 1 + 4 + 1);
    // With colour, the only ESC bytes are our own colour codes.
    auto colored = output::render_table(doc, true);
    CHECK(colored != plain);
    CHECK(strip_sgr(colored) == plain);
    check_terminal_safe(strip_sgr(colored));
  }
}

TEST_CASE("output render: escaped forms") {
  struct Case {
    std::string raw;
    std::string shown;
  };
  const Case cases[] = {
      {"\x1b[31mred"s, "\\x1b[31mred"}, {"a\rb", "a\\rb"}, {"nul\0x"s, "nul\\x00x"}, {"\xf0"s, "\\xf0"},
      {"bad\xf0utf8"s, "bad\\xf0utf8"}, {"a\nb", "a\\nb"}, {"a\\b", "a\\\\b"},       {"\x7f", "\\x7f"},
      {"ключ 日本 ✓", "ключ 日本 ✓"},
  };
  for (const auto& c : cases) {
    INFO("shown: " << c.shown);
    Document doc;
    doc.blocks.emplace_back(Text{c.raw});
    CHECK(output::render_table(doc, false) == c.shown + "\n");
  }
}

TEST_CASE("output render: glob patterns keep their backslashes, nothing else raw") {
  // `a\*b:*` is what redis-cli needs to match a literal star; doubling the backslash would
  // show a different pattern. Control bytes are still escaped.
  Document doc;
  Fields f;
  f.add("pattern", Cell::pattern("SCAN MATCH a\\*b\x1b:*"));
  doc.blocks.emplace_back(f);
  Table t;
  t.columns = {"PATTERN", "TEXT"};
  t.numeric = {false, false};
  t.rows.push_back({Cell::pattern("[\\:\\s]*"), Cell("a\\b")});
  doc.blocks.emplace_back(t);
  doc.blocks.emplace_back(Text{"scanned x\\?\r", Tone::dim, false, true});
  CHECK(output::render_table(doc, false) ==
        "pattern: SCAN MATCH a\\*b\\x1b:*\n\n"
        "PATTERN  TEXT\n"
        "[\\:\\s]*  a\\\\b\n"
        "scanned x\\?\\r\n");
}

TEST_CASE("output render: fields and tables line up") {
  Document doc;
  Fields server;
  server.title = "Server";
  server.add("version", "7.0.15");
  server.add("uptime_in_seconds", "6");
  doc.blocks.emplace_back(server);
  Table t;
  t.title = "Commands";
  t.columns = {"name", "calls", "note"};
  t.numeric = {false, true, false};
  t.rows = {{"get", "2", "x"}, {"set", "21", ""}, {"ключ", "1000", "日本"}, {"日本語", "7"}};
  doc.blocks.emplace_back(t);
  doc.blocks.emplace_back(Text{"done"});
  CHECK(output::render_table(doc, false) ==
        "Server\n"
        "  version:           7.0.15\n"
        "  uptime_in_seconds: 6\n"
        "\n"
        "Commands\n"
        "name    calls  note\n"
        "get         2  x\n"
        "set        21  \n"
        "ключ     1000  日本\n"
        "日本語      7  \n"
        "done\n");

  Fields untitled;
  untitled.add("a", "1");
  untitled.add("long", "2");
  Document f;
  f.blocks.emplace_back(untitled);
  CHECK(output::render_table(f, false) == "a:    1\nlong: 2\n");
}

TEST_CASE("output render: column widths count escaped header names") {
  Table t;
  t.columns = {"a\tb", "n"};
  t.rows = {{"x", "1"}};
  CHECK(output::render_table(table_doc(t), false) == "a\\tb  n\nx     1\n");
}

TEST_CASE("output render: long cells are cut with an ellipsis") {
  struct Case {
    std::string cell;
    std::string shown;
  };
  std::string ascii_119(119, 'a'), cyrillic_119;
  for (int i = 0; i < 119; ++i) cyrillic_119 += "ж";
  std::string wide_59;
  for (int i = 0; i < 59; ++i) wide_59 += "日";
  std::string wide_200;
  for (int i = 0; i < 100; ++i) wide_200 += "日";
  std::string cyrillic_200;
  for (int i = 0; i < 200; ++i) cyrillic_200 += "ж";
  const Case cases[] = {
      {std::string(120, 'a'), std::string(120, 'a')},  // exactly the width: kept
      {std::string(121, 'a'), ascii_119 + "…"},
      {std::string(500, 'a'), ascii_119 + "…"},
      {cyrillic_200, cyrillic_119 + "…"},
      {wide_200, wide_59 + "…"},  // 118 columns + 1: never wider than the limit
  };
  for (const auto& c : cases) {
    INFO("cell of " << c.cell.size() << " bytes");
    Table t;
    t.columns = {"v"};
    t.rows = {{Cell(c.cell)}};
    CHECK(output::render_table(table_doc(t), false, 120) == "v\n" + c.shown + "\n");
    // Without a width (off a TTY, --wide) nothing is cut (issue 17 item 8).
    CHECK(output::render_table(table_doc(t), false) == "v\n" + c.cell + "\n");
  }
  // Fields and Text are never cut.
  Document doc;
  Fields f;
  f.add("k", std::string(300, 'b'));
  doc.blocks.emplace_back(f);
  doc.blocks.emplace_back(Text{std::string(300, 'c')});
  CHECK(output::render_table(doc, false) == "k: " + std::string(300, 'b') + "\n" + std::string(300, 'c') + "\n");
}

TEST_CASE("output render: colour only when asked") {
  Document doc;
  Fields f;
  f.title = "T";
  f.add("state", Cell("down", Tone::bad));
  f.add("plain", Cell("p"));
  doc.blocks.emplace_back(f);
  auto plain = output::render_table(doc, false);
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(plain == "T\n  state: down\n  plain: p\n");
  auto colored = output::render_table(doc, true);
  CHECK(colored == "\x1b[1mT\x1b[0m\n  state: \x1b[31;1mdown\x1b[0m\n  plain: p\n");

  Table t;
  t.columns = {"n", "s"};
  t.numeric = {true, false};
  t.rows = {{Cell("5", Tone::good), Cell("ok", Tone::good)}, {Cell("100"), Cell("x")}};
  CHECK(output::render_table(table_doc(t), true) ==
        "\x1b[2m  n  s\x1b[0m\n  \x1b[32m5\x1b[0m  \x1b[32mok\x1b[0m\n100  x\n");
}

TEST_CASE("output render: RawBytes pass through unchanged") {
  const std::string raw = "\x1b[31m\0\xff\r\nend"s;
  Document doc;
  doc.blocks.emplace_back(RawBytes{raw});
  CHECK(output::render_table(doc, false) == raw);
  CHECK(output::render_table(doc, true) == raw);
  doc.blocks.emplace_back(Text{"after"});
  CHECK(output::render_table(doc, false) == raw + "after\n");
}

TEST_CASE("output render: JSON stays valid for any bytes") {
  nlohmann::ordered_json j;
  j["value"] = "bad\xf0utf8"s;
  j["bad\xc3key"s] = 1;
  j["control"] = "\x1b[31m\0\r\n"s;
  j["bytes"] = decode::json_bytes(
      "\xf0"
      "e");
  j["text"] = decode::json_bytes("héllo");
  auto text = output::render_json(j);
  CHECK(text.back() == '\n');
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(decode::is_valid_utf8(text));
  nlohmann::json parsed;
  REQUIRE_NOTHROW(parsed = nlohmann::json::parse(text));
  CHECK(parsed["control"] == "\x1b[31m\0\r\n"s);
  CHECK(parsed["value"] == "bad\xef\xbf\xbdutf8");  // U+FFFD, the document stays parseable
  CHECK(parsed["bytes"] == nlohmann::json{{"base64", "8GU="}});
  CHECK(parsed["text"] == "héllo");
}

TEST_CASE("output render: JSON escapes C1 controls and bidi overrides") {
  nlohmann::ordered_json j;
  // U+009B (CSI), U+0085 (NEL), U+0080, U+009F, U+202A, U+202E, U+2066, U+2069.
  j["c1"] =
      "a\xc2\x9b"
      "31m\xc2\x85\xc2\x80\xc2\x9f"s;
  j["bidi"] =
      "\xe2\x80\xaa\xe2\x80\xae"
      "cod.exe\xe2\x81\xa6\xe2\x81\xa9"s;
  // Neighbours stay as they are: U+00A0, U+2029, U+202F, U+2065, U+206A, and é.
  j["kept"] = "\xc2\xa0\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xc3\xa9"s;
  auto text = output::render_json(j);
  CHECK(text.find("a\\u009b31m\\u0085\\u0080\\u009f") != std::string::npos);
  CHECK(text.find("\\u202a\\u202ecod.exe\\u2066\\u2069") != std::string::npos);
  CHECK(text.find("\xc2\x9b") == std::string::npos);
  CHECK(text.find("\xe2\x80\xae") == std::string::npos);
  auto parsed = nlohmann::json::parse(text);
  CHECK(parsed["c1"] == j["c1"]);
  CHECK(parsed["bidi"] == j["bidi"]);
  CHECK(parsed["kept"] == j["kept"]);
  CHECK(text.find("\xc2\xa0\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa\xc3\xa9") != std::string::npos);
}

TEST_CASE("output render: json_bytes keeps valid UTF-8 as a string") {
  struct Case {
    std::string bytes;
    nlohmann::json json;
  };
  const Case cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"ключ ✓ 😀", "ключ ✓ 😀"},
      {"nul\0"s, "nul\0"s},  // valid UTF-8; JSON escapes it
      {"\xf0"s, {{"base64", "8A=="}}},
      {"\xc0\xaf"s, {{"base64", "wK8="}}},  // overlong '/'
      {"\xed\xa0\x80"s, {{"base64", "7aCA"}}},  // a UTF-16 surrogate
      {"\xff\xfe\xfd\xfc"s, {{"base64", "//79/A=="}}},
  };
  for (const auto& c : cases) {
    INFO("bytes: " << decode::escape_for_terminal(c.bytes));
    CHECK(decode::json_bytes(c.bytes) == c.json);
  }
}

TEST_CASE("output render: parse_format") {
  using output::Format;
  for (auto f : {Format::table, Format::json, Format::nagios, Format::prometheus})
    CHECK(output::parse_format(output::to_string(f)) == f);
  CHECK(output::parse_format("json") == Format::json);
  for (const char* bad : {"", "JSON", "yaml", "table ", "csv"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(output::parse_format(bad).has_value());
  }
}

TEST_CASE("output render: a table fits the width by shortening its widest column") {
  Table t;
  t.columns = {"KEY", "TYPE", "TTL"};
  t.numeric = {false, false, true};
  t.rows = {{Cell(std::string(60, 'k')), Cell("string"), Cell("1h")}, {Cell("short"), Cell("hash"), Cell("-")}};
  // KEY 60 + 2 + TYPE 6 + 2 + TTL 3 = 73 columns; fitted to 40, KEY gives up 33.
  auto fitted = output::render_table(table_doc(t), false, 40);
  CHECK(fitted == "KEY                          TYPE    TTL\n" + std::string(26, 'k') +
                      "…  string   1h\n"
                      "short                        hash      -\n");
  for (std::size_t start = 0, end; (end = fitted.find('\n', start)) != std::string::npos; start = end + 1)
    CHECK(std::string_view(fitted).substr(start, end - start).size() <= 40 + 2);  // "…" is 3 bytes, 1 column
  // Wide enough: unchanged.
  CHECK(output::render_table(table_doc(t), false, 200) == output::render_table(table_doc(t), false));
  // Too narrow to fit: columns stop at 10 (or their header) instead of vanishing.
  auto narrow = output::render_table(table_doc(t), false, 5);
  CHECK(narrow.find(std::string(9, 'k') + "…") != std::string::npos);
}
