#include "decode/zlib_inflate.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

#include <fmt/format.h>
#include <zlib.h>

namespace rctl::decode {

namespace {

// Output is produced in slices of this size so the cap is checked before memory grows.
constexpr std::size_t k_chunk = 64 * 1024;

// z_stream counts in uInt; feed input in pieces that fit.
constexpr std::size_t k_max_input_piece = UINT_MAX / 2;

// Ends the inflate stream on every return path.
struct InflateGuard {
  z_stream* stream;
  ~InflateGuard() { inflateEnd(stream); }
};

}  // namespace

Expected<std::string> inflate_capped(std::string_view compressed, std::size_t max_output) {
  z_stream zs{};
  // 15 + 32: 32 KiB window, detect zlib or gzip from the header.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) {
    return fail(ErrorKind::internal, "zlib: cannot initialise inflate");
  }
  InflateGuard guard{&zs};

  std::string out;
  std::size_t in_pos = 0;
  char buffer[k_chunk];
  for (;;) {
    if (zs.avail_in == 0 && in_pos < compressed.size()) {
      const std::size_t piece = std::min(compressed.size() - in_pos, k_max_input_piece);
      // zlib's API takes a non-const pointer but never writes through next_in.
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + in_pos));
      zs.avail_in = static_cast<uInt>(piece);
      in_pos += piece;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = static_cast<uInt>(k_chunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = k_chunk - zs.avail_out;
    if (produced > max_output - out.size()) {
      return fail(ErrorKind::protocol, fmt::format("inflated size exceeds {} bytes", max_output));
    }
    out.append(buffer, produced);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && in_pos == compressed.size()) {
      // No progress possible and no input left: the stream stops before its end.
      return fail(ErrorKind::protocol, "zlib: truncated input");
    }
    if (rc == Z_NEED_DICT) return fail(ErrorKind::protocol, "zlib: stream needs a preset dictionary");
    if (rc == Z_MEM_ERROR) return fail(ErrorKind::internal, "zlib: out of memory");
    return fail(ErrorKind::protocol,
                fmt::format("zlib: corrupt input ({})", zs.msg != nullptr ? zs.msg : "data error"));
  }
  const std::size_t trailing = zs.avail_in + (compressed.size() - in_pos);
  if (trailing != 0) {
    return fail(ErrorKind::protocol, fmt::format("zlib: {} trailing bytes after the end of the stream", trailing));
  }
  return out;
}

std::string deflate(std::string_view data) {
  z_stream zs{};
  if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK) return {};
  std::string out;
  std::size_t in_pos = 0;
  char buffer[k_chunk];
  int rc = Z_OK;
  do {
    if (zs.avail_in == 0 && in_pos < data.size()) {
      const std::size_t piece = std::min(data.size() - in_pos, k_max_input_piece);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + in_pos));
      zs.avail_in = static_cast<uInt>(piece);
      in_pos += piece;
    }
    const int flush = in_pos == data.size() ? Z_FINISH : Z_NO_FLUSH;
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = static_cast<uInt>(k_chunk);
    rc = ::deflate(&zs, flush);
    out.append(buffer, k_chunk - zs.avail_out);
  } while (rc == Z_OK || rc == Z_BUF_ERROR);
  deflateEnd(&zs);
  return out;
}

bool looks_like_zlib(std::string_view bytes) {
  if (bytes.size() < 2) return false;
  const auto cmf = static_cast<unsigned char>(bytes[0]);
  const auto flg = static_cast<unsigned char>(bytes[1]);
  const bool fdict = (flg & 0x20u) != 0;
  return cmf == 0x78 && !fdict && (cmf * 256u + flg) % 31u == 0;
}

bool looks_like_gzip(std::string_view bytes) {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b && bytes[2] == 0x08;
}

}  // namespace rctl::decode
