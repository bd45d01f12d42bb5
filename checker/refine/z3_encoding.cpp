#include "z3_encoding.hpp"

#include <stdexcept>
#include <vector>

namespace lim::refine {

z3::expr Z3Encoder::variable(const std::string& name, Scalar type) {
  if (type == Scalar::Bool) return context_.bool_const(name.c_str());
  return context_.bv_const(name.c_str(), width(type));
}

z3::expr Z3Encoder::payload(const PayloadShape& shape, std::uint32_t field) {
  const Scalar type = refinements_.payload_type(shape, field);
  const std::string owner = shape.record ? refinements_.records.at(*shape.record).name : std::string(name(type));
  return variable("payload:" + owner + "." + std::to_string(field) + ":" + std::string(name(type)), type);
}

z3::expr Z3Encoder::state(std::uint32_t role, std::uint32_t index) {
  const Field& field = refinements_.state_of(role).at(index);
  return variable("state:" + field.name + ":" + std::string(name(field.type)), field.type);
}

std::uint64_t Z3Encoder::value(const z3::model& model, const z3::expr& variable) {
  const z3::expr value = model.eval(variable, true);
  if (value.is_bool()) return value.is_true() ? 1 : 0;
  return value.get_numeral_uint64();
}

z3::expr Z3Encoder::encode(const Program& program, std::uint32_t role, const PayloadShape& shape) {
  if (program.code.empty()) throw std::invalid_argument("an empty guard program has no meaning");
  std::vector<z3::expr> terms;
  terms.reserve(program.code.size());
  for (const Instruction& in : program.code) {
    const auto operand = [&](std::uint32_t index) -> const z3::expr& { return terms.at(index); };
    const z3::expr* a = nullptr;
    const z3::expr* b = nullptr;
    const unsigned operands = operand_count(in.op);
    if (operands >= 1) a = &operand(in.a);
    if (operands == 2) b = &operand(in.b);
    const auto zero = [&](const z3::expr& like) { return context_.bv_val(0, like.get_sort().bv_size()); };
    switch (in.op) {
      case Opcode::Constant:
        terms.push_back(in.width == 1 ? context_.bool_val(in.value != 0) : context_.bv_val(in.value, in.width));
        break;
      case Opcode::Payload: terms.push_back(payload(shape, in.a)); break;
      case Opcode::State: terms.push_back(state(role, in.a)); break;
      case Opcode::Not: terms.push_back(!*a); break;
      case Opcode::And: terms.push_back(*a && *b); break;
      case Opcode::Or: terms.push_back(*a || *b); break;
      case Opcode::Equal: terms.push_back(*a == *b); break;
      case Opcode::NotEqual: terms.push_back(*a != *b); break;
      case Opcode::Less: terms.push_back(z3::ult(*a, *b)); break;
      case Opcode::LessEqual: terms.push_back(z3::ule(*a, *b)); break;
      case Opcode::Greater: terms.push_back(z3::ugt(*a, *b)); break;
      case Opcode::GreaterEqual: terms.push_back(z3::uge(*a, *b)); break;
      case Opcode::SeqLess: terms.push_back(z3::slt(*a - *b, zero(*a))); break;
      case Opcode::SeqLessEqual: terms.push_back(*a == *b || z3::slt(*a - *b, zero(*a))); break;
      case Opcode::SeqGreater: terms.push_back(z3::slt(*b - *a, zero(*a))); break;
      case Opcode::SeqGreaterEqual: terms.push_back(*a == *b || z3::slt(*b - *a, zero(*a))); break;
      case Opcode::Negate: terms.push_back(-*a); break;
      case Opcode::Complement: terms.push_back(~*a); break;
      case Opcode::Add: terms.push_back(*a + *b); break;
      case Opcode::Subtract: terms.push_back(*a - *b); break;
      case Opcode::Multiply: terms.push_back(*a * *b); break;
      case Opcode::Divide: terms.push_back(z3::udiv(*a, *b)); break;
      case Opcode::Remainder: terms.push_back(z3::urem(*a, *b)); break;
      case Opcode::BitAnd: terms.push_back(*a & *b); break;
      case Opcode::BitOr: terms.push_back(*a | *b); break;
      case Opcode::BitXor: terms.push_back(*a ^ *b); break;
      case Opcode::ShiftLeft: terms.push_back(z3::shl(*a, *b)); break;
      case Opcode::ShiftRight: terms.push_back(z3::lshr(*a, *b)); break;
      case Opcode::Extend: terms.push_back(z3::zext(*a, in.width - a->get_sort().bv_size())); break;
      case Opcode::Truncate: terms.push_back(a->extract(in.width - 1, 0)); break;
    }
  }
  return terms.back();
}

}  // namespace lim::refine
