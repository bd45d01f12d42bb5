// libFuzzer: lim's spec language (lexer, type machine, expressions, static
// checks, printer). A spec that loads prints back to a spec that loads with
// the same roles; one that does not load gets located errors.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "lim/syntax/parser.hpp"
#include "lim/syntax/printer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = lim::fuzz::text_of(data, size);
  const lim::SourceFile file("fuzz.lim", input);
  lim::Diagnostics diagnostics;
  const auto context = lim::syntax::load_context(file, diagnostics);
  if (!context) {
    lim::fuzz::expect_located_errors(file, diagnostics, input);
    return 0;
  }
  const auto printed = lim::syntax::print_context(*context);
  const lim::SourceFile again("printed.lim", printed);
  lim::Diagnostics second;
  const auto reread = lim::syntax::load_context(again, second);
  if (!reread) lim::fuzz::broken_promise("a loaded spec printed to one that does not load:\n" + printed, input);
  if (reread->entries.size() != context->entries.size())
    lim::fuzz::broken_promise("printing changed the number of roles:\n" + printed, input);
  return 0;
}
