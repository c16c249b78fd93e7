#include "output/bar.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace rctl::output {

std::string bar(double fraction, std::size_t width, bool pad) {
  // Index n: a block n/8 of a column wide (0 unused).
  static constexpr std::array<const char*, 9> k_eighths = {"",       "\u258f", "\u258e", "\u258d", "\u258c",
                                                           "\u258b", "\u258a", "\u2589", "\u2588"};
  if (!(fraction > 0)) return pad ? std::string(width, ' ') : std::string();
  fraction = std::min(fraction, 1.0);
  auto eighths = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(width) * 8.0));
  eighths = std::clamp<std::size_t>(eighths, 1, width * 8);
  std::string out;
  for (std::size_t i = 0; i < eighths / 8; ++i) out += k_eighths[8];
  if (eighths % 8) out += k_eighths[eighths % 8];
  if (pad) out.append(width - (eighths + 7) / 8, ' ');
  return out;
}

}  // namespace rctl::output
