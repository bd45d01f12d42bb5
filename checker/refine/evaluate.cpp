#include "lim/refine/evaluate.hpp"

#include <stdexcept>
#include <vector>

#include "lim/refine/scalar.hpp"

namespace lim::refine {

namespace {

// (a - b) mod 2^width read as a signed number is negative: its top bit.
bool sequence_less(std::uint64_t a, std::uint64_t b, unsigned width) {
  return (((a - b) & mask(width)) >> (width - 1)) != 0;
}

}  // namespace

std::uint64_t evaluate(const Program& program, std::span<const std::uint64_t> payload,
                       std::span<const std::uint64_t> state) {
  if (program.code.empty()) throw std::invalid_argument("an empty guard program has no value");
  // Every value is kept reduced to its instruction's width, so each step
  // only has to cut its own result.
  std::vector<std::uint64_t> values(program.code.size());
  for (std::size_t i = 0; i < program.code.size(); ++i) {
    const Instruction& in = program.code[i];
    const std::uint64_t m = mask(in.width);
    const auto operand = [&](std::uint32_t index) { return values.at(index); };
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    const unsigned operands = operand_count(in.op);
    if (operands >= 1) a = operand(in.a);
    if (operands == 2) b = operand(in.b);
    // The operands' width, for the comparisons (whose result is a bool).
    const unsigned operand_width =
        in.op >= Opcode::Equal && in.op <= Opcode::SeqGreaterEqual ? program.code.at(in.a).width : in.width;
    std::uint64_t result = 0;
    switch (in.op) {
      case Opcode::Constant: result = in.value; break;
      case Opcode::Payload:
        if (in.a >= payload.size()) throw std::out_of_range("the guard reads a payload field the message lacks");
        result = payload[in.a];
        break;
      case Opcode::State:
        if (in.a >= state.size()) throw std::out_of_range("the guard reads a state variable that was not given");
        result = state[in.a];
        break;
      case Opcode::Not: result = a == 0 ? 1 : 0; break;
      case Opcode::And: result = (a != 0 && b != 0) ? 1 : 0; break;
      case Opcode::Or: result = (a != 0 || b != 0) ? 1 : 0; break;
      case Opcode::Equal: result = a == b; break;
      case Opcode::NotEqual: result = a != b; break;
      case Opcode::Less: result = a < b; break;
      case Opcode::LessEqual: result = a <= b; break;
      case Opcode::Greater: result = a > b; break;
      case Opcode::GreaterEqual: result = a >= b; break;
      case Opcode::SeqLess: result = sequence_less(a, b, operand_width); break;
      case Opcode::SeqLessEqual: result = a == b || sequence_less(a, b, operand_width); break;
      case Opcode::SeqGreater: result = sequence_less(b, a, operand_width); break;
      case Opcode::SeqGreaterEqual: result = a == b || sequence_less(b, a, operand_width); break;
      case Opcode::Negate: result = ~a + 1; break;
      case Opcode::Complement: result = ~a; break;
      case Opcode::Add: result = a + b; break;
      case Opcode::Subtract: result = a - b; break;
      case Opcode::Multiply: result = a * b; break;
      case Opcode::Divide: result = b == 0 ? m : a / b; break;
      case Opcode::Remainder: result = b == 0 ? a : a % b; break;
      case Opcode::BitAnd: result = a & b; break;
      case Opcode::BitOr: result = a | b; break;
      case Opcode::BitXor: result = a ^ b; break;
      case Opcode::ShiftLeft: result = b >= in.width ? 0 : a << b; break;
      case Opcode::ShiftRight: result = b >= in.width ? 0 : a >> b; break;
      case Opcode::Extend:
      case Opcode::Truncate: result = a; break;
    }
    values[i] = result & m;
  }
  return values.back();
}

}  // namespace lim::refine
