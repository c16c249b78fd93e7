// fmt's implementation, compiled once for the whole program. In fmt's header-only mode every
// file that formats compiles all of it again (~3 s of compile per file, in half our files);
// here it is one object linked statically, so start-up still needs no libfmt.so.
// Without FMT_HEADER_ONLY, fmt/format.h declares these templates and expects the library to
// provide their instances for the types it uses; the linker names any that are missing.
#include <fmt/format-inl.h>

FMT_BEGIN_NAMESPACE
namespace detail {
template auto dragonbox::to_decimal(float x) noexcept -> dragonbox::decimal_fp<float>;
template auto dragonbox::to_decimal(double x) noexcept -> dragonbox::decimal_fp<double>;
template locale_ref::locale_ref(const std::locale& loc);
template auto locale_ref::get<std::locale>() const -> std::locale;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<char>;
template auto decimal_point_impl(locale_ref) -> char;
template auto thousands_sep_impl(locale_ref) -> thousands_sep_result<wchar_t>;
template auto decimal_point_impl(locale_ref) -> wchar_t;
}  // namespace detail
FMT_END_NAMESPACE
