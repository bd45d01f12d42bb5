#pragma once
// Running a compiled guard on concrete values: what the runtime does with a
// received message. Values are unsigned integers of the declared widths
// (bools are 0 or 1); a value wider than its declaration is cut to its width,
// exactly as the modular semantics the checker proved things about.
#include <cstdint>
#include <span>

#include "lim/refine/program.hpp"

namespace lim::refine {

// `payload` holds the payload's fields in declaration order (one value for a
// scalar payload), `state` the role's state variables in declaration order.
// Throws std::out_of_range if the program reads beyond either.
std::uint64_t evaluate(const Program& program, std::span<const std::uint64_t> payload,
                       std::span<const std::uint64_t> state);

inline bool holds(const Program& program, std::span<const std::uint64_t> payload,
                  std::span<const std::uint64_t> state) {
  return evaluate(program, payload, state) != 0;
}

}  // namespace lim::refine
