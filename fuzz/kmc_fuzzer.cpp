// libFuzzer: kmc's session-type syntax (`A: rec x . B!a; {B?b; x, B?c; end}`).
// What loads is a system with one machine per role; what does not gets
// located errors.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "lim/formats/kmc_session_types.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = lim::fuzz::text_of(data, size);
  const lim::SourceFile file("fuzz.txt", input);
  lim::Diagnostics diagnostics;
  const auto system = lim::formats::read_kmc_session_types(file, diagnostics);
  if (!system || diagnostics.has_errors()) {
    lim::fuzz::expect_located_errors(file, diagnostics, input);
    return 0;
  }
  if (system->role_names.size() != system->machines.size())
    lim::fuzz::broken_promise("roles and machines differ in number", input);
  for (const auto& machine : system->machines)
    if (machine.initial >= machine.state_count()) lim::fuzz::broken_promise("an initial state out of range", input);
  return 0;
}
