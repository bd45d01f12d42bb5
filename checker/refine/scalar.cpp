#include "lim/refine/scalar.hpp"

namespace lim::refine {

std::optional<Scalar> parse_scalar(std::string_view name) {
  if (name == "bool" || name == "Bool") return Scalar::Bool;
  if (name == "u8") return Scalar::U8;
  if (name == "u16") return Scalar::U16;
  if (name == "u32") return Scalar::U32;
  if (name == "u64") return Scalar::U64;
  return std::nullopt;
}

std::optional<Scalar> scalar_of_width(unsigned width) {
  switch (width) {
    case 1: return Scalar::Bool;
    case 8: return Scalar::U8;
    case 16: return Scalar::U16;
    case 32: return Scalar::U32;
    case 64: return Scalar::U64;
    default: return std::nullopt;
  }
}

}  // namespace lim::refine
