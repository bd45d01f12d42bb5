// libFuzzer: kmc/GMC fsm machines (`.outputs` … `.end`). What loads is a
// system whose transitions all name states and partners that exist; what
// does not gets located errors.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "lim/formats/gmc_fsm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = lim::fuzz::text_of(data, size);
  const lim::SourceFile file("fuzz.fsm", input);
  lim::Diagnostics diagnostics;
  const auto system = lim::formats::read_gmc_fsm(file, diagnostics);
  if (!system || diagnostics.has_errors()) {
    lim::fuzz::expect_located_errors(file, diagnostics, input);
    return 0;
  }
  for (const auto& machine : system->machines) {
    if (machine.initial >= machine.state_count()) lim::fuzz::broken_promise("an initial state out of range", input);
    for (const auto& transition : machine.transitions())
      if (transition.action.peer >= system->role_count() || transition.target >= machine.state_count())
        lim::fuzz::broken_promise("a transition out of range", input);
  }
  return 0;
}
