#pragma once
// Programs → Z3 terms over bit-vectors (bools stay Z3 bools). Private to
// refine/: the rest of lim sees the solver through GuardSolver only.
//
// Each instruction maps to the SMT-LIB bit-vector operation with the same
// meaning as the evaluator's (refine/evaluate.cpp): modular + - *, bvudiv /
// bvurem with their division-by-zero results, shifts that give 0 beyond the
// width, sequence comparisons as the sign of the difference.
#include <cstdint>
#include <string>

#include <z3++.h>

#include "lim/refine/program.hpp"
#include "lim/refine/refinements.hpp"

namespace lim::refine {

class Z3Encoder {
 public:
  Z3Encoder(z3::context& context, const Refinements& refinements) : context_(context), refinements_(refinements) {}

  // The guard's condition over the variables of its payload and role.
  z3::expr encode(const Program& program, std::uint32_t role, const PayloadShape& payload);

  // The variables. They are named after what they are, not after the guard
  // (payload fields by record and field, state variables by name and type),
  // so that the same condition in two places is the same term — which is
  // what makes the solver's cache hit.
  z3::expr payload(const PayloadShape& shape, std::uint32_t field);
  z3::expr state(std::uint32_t role, std::uint32_t variable);

  // A variable's value in a model (0 or 1 for bools); unconstrained
  // variables get a value too.
  std::uint64_t value(const z3::model& model, const z3::expr& variable);

 private:
  z3::expr variable(const std::string& name, Scalar type);

  z3::context& context_;
  const Refinements& refinements_;
};

}  // namespace lim::refine
