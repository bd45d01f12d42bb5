// libFuzzer: guards — the fuzzer writes the expression of one guarded
// branch (and what may precede it: constants, predicates); lim types it,
// compiles it, and evaluates it on a few payloads and states, which must
// never fail however the values wrap, shift or divide.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "lim/refine/compile.hpp"
#include "lim/refine/evaluate.hpp"
#include "lim/syntax/parser.hpp"

namespace {

// The spec around the fuzzer's text: a record payload `s`, state variables,
// and the text as the guard of the first branch. Text after a line `%%` goes
// before the roles (declarations: const, pred).
std::string spec_around(const std::string& input) {
  std::string declarations, guard = input;
  if (const auto split = input.find("\n%%\n"); split != std::string::npos) {
    guard = input.substr(split + 4);
    declarations = input.substr(0, split);
  }
  return "record segment { seq: u32, ack: u32, len: u16, flags: u8, ok: bool }\n"
         "state r { nxt: u32, wnd: u16, open: bool, count: u64 }\n" +
         declarations + "\nenv net: r⊕m(segment)\nr: rec t . net&{ m(s: segment) if " + guard +
         "\n . t, _ . t }\n";
}

const std::uint64_t kValues[] = {0, 1, 2, 7, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFFull};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = lim::fuzz::text_of(data, size);
  const auto text = spec_around(input);
  const lim::SourceFile file("guards.lim", text);
  lim::Diagnostics diagnostics;
  const auto context = lim::syntax::load_context(file, diagnostics);
  if (!context) {
    lim::fuzz::expect_located_errors(file, diagnostics, text);
    return 0;
  }
  const auto refinements = lim::refine::compile_refinements(*context, diagnostics);
  if (!refinements) {
    lim::fuzz::expect_located_errors(file, diagnostics, text);
    return 0;
  }
  for (const auto& guard : refinements->guards) {
    const auto fields = refinements->size(guard.payload);
    const auto variables = refinements->state_of(guard.role).size();
    for (const auto value : kValues)
      for (const auto other : kValues) {
        std::vector<std::uint64_t> payload(fields, value), state(variables, other);
        if (!payload.empty()) payload.back() = other;
        (void)lim::refine::evaluate(guard.program, payload, state);
      }
  }
  return 0;
}
