#include "lim/refine/program.hpp"

#include <algorithm>

namespace lim::refine {

namespace {

std::vector<std::uint32_t> operands_of(const Program& program, Opcode op) {
  std::vector<std::uint32_t> found;
  for (const Instruction& instruction : program.code)
    if (instruction.op == op) found.push_back(instruction.a);
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

}  // namespace

unsigned operand_count(Opcode op) {
  switch (op) {
    case Opcode::Constant:
    case Opcode::Payload:
    case Opcode::State: return 0;
    case Opcode::Not:
    case Opcode::Negate:
    case Opcode::Complement:
    case Opcode::Extend:
    case Opcode::Truncate: return 1;
    default: return 2;
  }
}

std::vector<std::uint32_t> Program::payload_fields() const { return operands_of(*this, Opcode::Payload); }

std::vector<std::uint32_t> Program::state_variables() const { return operands_of(*this, Opcode::State); }

Program none_of(std::span<const Program* const> guards) {
  Program combined;
  std::uint32_t any = 0;
  bool first = true;
  for (const Program* guard : guards) {
    // Append the guard's code, moving its operand references past what is
    // already there.
    const auto offset = static_cast<std::uint32_t>(combined.code.size());
    for (Instruction instruction : guard->code) {
      const unsigned operands = operand_count(instruction.op);
      if (operands >= 1) instruction.a += offset;
      if (operands == 2) instruction.b += offset;
      combined.code.push_back(instruction);
    }
    const std::uint32_t result = combined.result();
    any = first ? result : combined.emit({Opcode::Or, 1, any, result, 0});
    first = false;
  }
  if (first) {
    combined.emit({Opcode::Constant, 1, 0, 0, 1});
    return combined;
  }
  combined.emit({Opcode::Not, 1, any, 0, 0});
  return combined;
}

std::string_view to_string(Opcode op) {
  switch (op) {
    case Opcode::Constant: return "const";
    case Opcode::Payload: return "payload";
    case Opcode::State: return "state";
    case Opcode::Not: return "not";
    case Opcode::And: return "and";
    case Opcode::Or: return "or";
    case Opcode::Equal: return "eq";
    case Opcode::NotEqual: return "ne";
    case Opcode::Less: return "ult";
    case Opcode::LessEqual: return "ule";
    case Opcode::Greater: return "ugt";
    case Opcode::GreaterEqual: return "uge";
    case Opcode::SeqLess: return "seq_lt";
    case Opcode::SeqLessEqual: return "seq_le";
    case Opcode::SeqGreater: return "seq_gt";
    case Opcode::SeqGreaterEqual: return "seq_ge";
    case Opcode::Negate: return "neg";
    case Opcode::Complement: return "not.bits";
    case Opcode::Add: return "add";
    case Opcode::Subtract: return "sub";
    case Opcode::Multiply: return "mul";
    case Opcode::Divide: return "udiv";
    case Opcode::Remainder: return "urem";
    case Opcode::BitAnd: return "and.bits";
    case Opcode::BitOr: return "or.bits";
    case Opcode::BitXor: return "xor.bits";
    case Opcode::ShiftLeft: return "shl";
    case Opcode::ShiftRight: return "lshr";
    case Opcode::Extend: return "zext";
    case Opcode::Truncate: return "trunc";
  }
  return "?";
}

}  // namespace lim::refine
