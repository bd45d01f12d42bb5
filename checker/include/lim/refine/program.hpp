#pragma once
// A compiled guard: straight-line code over fixed-width values. The same
// program is what the Z3 encoding translates (refine/z3_encoding) and what
// the evaluator runs for the runtime (refine/evaluate) — one meaning, two
// readers, so the branch the runtime picks is the branch the checker proved
// things about.
//
// Instructions only refer to earlier instructions, and the last one is the
// result: evaluation and encoding are one forward loop each.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lim::refine {

enum class Opcode : std::uint8_t {
  Constant,  // `value`
  Payload,   // field `a` of the received payload (0 for a scalar payload)
  State,     // state variable `a` of the role
  // bool → bool
  Not,
  And,
  Or,
  // integers of one width → bool (Equal / NotEqual also on bools)
  Equal,
  NotEqual,
  Less,  // unsigned comparisons
  LessEqual,
  Greater,
  GreaterEqual,
  // RFC 9293 §3.4 sequence comparisons: a < b iff (a - b) mod 2^w, read as
  // a signed number, is negative; the others follow from it.
  SeqLess,
  SeqLessEqual,
  SeqGreater,
  SeqGreaterEqual,
  // integers of one width → that width, modulo 2^width
  Negate,
  Complement,
  Add,
  Subtract,
  Multiply,
  Divide,     // unsigned; x / 0 = all ones (as SMT-LIB's bvudiv)
  Remainder,  // unsigned; x % 0 = x      (as SMT-LIB's bvurem)
  BitAnd,
  BitOr,
  BitXor,
  ShiftLeft,   // a shift by the width or more gives 0
  ShiftRight,  // logical
  Extend,      // zero-extend operand `a` to `width`
  Truncate,    // the low `width` bits of operand `a`
};

// How many of an instruction's operands (`a`, then `b`) are earlier
// instructions: 0 for Constant, Payload and State (whose `a` is a field or a
// variable), 1 for the unary operations, 2 for the others. Every pass over
// a program — compiling, combining, evaluating, encoding — reads it here.
unsigned operand_count(Opcode op);

struct Instruction {
  Opcode op = Opcode::Constant;
  std::uint8_t width = 1;  // of the result: 1 (bool), 8, 16, 32 or 64
  std::uint32_t a = 0;     // operand, payload field or state variable
  std::uint32_t b = 0;     // second operand
  std::uint64_t value = 0;  // Constant
};

struct Program {
  std::vector<Instruction> code;  // never empty once compiled; the last is the result

  std::uint32_t emit(Instruction instruction) {
    code.push_back(instruction);
    return static_cast<std::uint32_t>(code.size() - 1);
  }
  std::uint32_t result() const { return static_cast<std::uint32_t>(code.size() - 1); }
  // The payload fields and state variables the program reads, each once, in
  // ascending order.
  std::vector<std::uint32_t> payload_fields() const;
  std::vector<std::uint32_t> state_variables() const;
};

// ¬(g1 ∨ … ∨ gn) over one payload and state: what a wildcard branch takes
// of a label whose other branches are guarded. `true` when `guards` is empty.
Program none_of(std::span<const Program* const> guards);

// Opcode names as the tests and debugging output print them.
std::string_view to_string(Opcode op);

}  // namespace lim::refine
