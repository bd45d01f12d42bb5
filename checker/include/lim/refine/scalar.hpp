#pragma once
// The fixed-width scalar types of guards (docs/language.md §13): u8, u16,
// u32, u64 with modular (wrap-around) arithmetic, and bool. A width of 1
// stands for bool everywhere in refine/.
#include <cstdint>
#include <optional>
#include <string_view>

namespace lim::refine {

enum class Scalar : std::uint8_t { Bool, U8, U16, U32, U64 };

constexpr unsigned width(Scalar scalar) {
  switch (scalar) {
    case Scalar::Bool: return 1;
    case Scalar::U8: return 8;
    case Scalar::U16: return 16;
    case Scalar::U32: return 32;
    case Scalar::U64: return 64;
  }
  return 64;
}

// The mask of a width's values: 0x1, 0xFF, …, all ones for 64.
constexpr std::uint64_t mask(unsigned width) {
  return width >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width) - 1;
}

constexpr std::string_view name(Scalar scalar) {
  switch (scalar) {
    case Scalar::Bool: return "bool";
    case Scalar::U8: return "u8";
    case Scalar::U16: return "u16";
    case Scalar::U32: return "u32";
    case Scalar::U64: return "u64";
  }
  return "?";
}

// "u8" … "u64", "bool" or "Bool"; nullopt for anything else.
std::optional<Scalar> parse_scalar(std::string_view name);
std::optional<Scalar> scalar_of_width(unsigned width);

}  // namespace lim::refine
