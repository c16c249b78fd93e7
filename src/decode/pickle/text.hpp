#pragma once
// Internal to the pickle reader: the arguments of the text opcodes of protocol 0
// (STRING, UNICODE, FLOAT, GET/PUT indexes, GLOBAL names).

#include <cstdint>
#include <string>
#include <string_view>

namespace rctl::decode::pickle {

// Sets `out` (reusing its buffer) to "module.name" for a GLOBAL/STACK_GLOBAL/INST, with the
// Python 2 module names Python 3 maps on load (__builtin__ and exceptions -> builtins,
// copy_reg -> copyreg).
void assign_qualified_name(std::string& out, std::string_view module, std::string_view name);

// The STRING argument: a quoted Python 2 literal ('...' or "...") with backslash escapes
// (\\ \' \" \n \t \r \a \b \f \v \xhh, octal, backslash-newline). False if it is not quoted
// or an escape is malformed. `out` receives raw bytes.
bool unquote_string_literal(std::string_view line, std::string& out);

// The UNICODE argument: Python's raw-unicode-escape (bytes are Latin-1 code points,
// \uXXXX and \UXXXXXXXX escapes after an odd run of backslashes; surrogate pairs are
// joined). False on a malformed escape. `out` is UTF-8, except that a lone surrogate is
// kept in the 3-byte form BINUNICODE carries it in (repaired later, like BINUNICODE's).
bool decode_raw_unicode_escape(std::string_view raw, std::string& out);

// The FLOAT argument, as Python's float() reads it: decimal or exponent form, optional
// sign, "nan", "inf", "infinity" (any case). False for anything else.
bool parse_float_text(std::string_view text, double& out);

// A GET/PUT memo index: decimal digits only. False otherwise or on overflow.
bool parse_index(std::string_view text, std::uint64_t& out);

}  // namespace rctl::decode::pickle
