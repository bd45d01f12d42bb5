#pragma once
// What every harness shares: the input as text, and a check that fails the
// run the way libFuzzer reports a crash (abort, with the reason on stderr).
// A harness asserts lim's own promises about an input — it loads, or it is
// rejected with located errors; what loads prints back to what loads —
// beyond "does not crash", which the sanitizers watch.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lim/syntax/diagnostic.hpp"

namespace lim::fuzz {

inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

[[noreturn]] inline void broken_promise(std::string_view what, std::string_view input) {
  std::fprintf(stderr, "lim fuzz: %.*s\ninput:\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(input.size() > 4000 ? 4000 : input.size()), input.data());
  std::abort();
}

// A rejected input has at least one error, and every error is located within
// the file or concerns the file as a whole.
inline void expect_located_errors(const SourceFile& file, const Diagnostics& diagnostics, std::string_view input) {
  if (!diagnostics.has_errors()) broken_promise("rejected without an error", input);
  for (const auto& diagnostic : diagnostics.all()) {
    if (diagnostic.message.empty()) broken_promise("an empty error message", input);
    if (diagnostic.location.line > file.line_count() + 1) broken_promise("an error beyond the last line", input);
  }
  (void)format_diagnostics(file, diagnostics);  // quoting the line must work too
}

}  // namespace lim::fuzz
