// Every spec of issue 5 (specs/tcp, specs/timeouts) with all its verdicts
// pinned: the seven synchronous properties and the three guard properties.
// Each row was reasoned out by hand (see the comment at the top of each
// spec) and must not change silently.
#include <array>
#include <cctype>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

// 'y' holds, 'n' violated, '-' not reported (the spec has no guards).
struct PinnedVerdicts {
  const char* file;
  // safety, deadlock-freedom, termination, never-termination, liveness, liveness+, liveness++,
  // guards-satisfiable, guards-disjoint, guards-exhaustive
  const char* verdicts;
};

// ctest lists a parameterised test with its parameter: show the file, not bytes.
void PrintTo(const PinnedVerdicts& pinned, std::ostream* out) { *out << pinned.file; }

constexpr std::array<const char*, 10> kProperties{
    "safety",   "deadlock-freedom", "termination",        "never-termination", "liveness",
    "liveness+", "liveness++",      "guards-satisfiable", "guards-disjoint",   "guards-exhaustive"};

constexpr PinnedVerdicts kSpecs[] = {
    // The network may flood the receiver with acknowledgements forever, so
    // nothing terminates and the application's wait can be postponed.
    {"specs/tcp/acceptability.lim", "yynyynnyyy"},
    {"specs/tcp/broken/acceptability-overlap.lim", "yynyynnynn"},
    // Unsafe: segments fall through (see environment_tcp_test.cpp).
    {"specs/tcp/broken/dissertation-server.lim", "nynnynnyyy"},
    // The corrected server can close (so it is not never-terminating) and
    // can run forever; the user's waits can be postponed by the network.
    {"specs/tcp/call-and-response-server.lim", "yynnynnyyy"},
    {"specs/timeouts/broken/late-reply.lim", "ynnnnnn---"},
    // The sender's waits end by an acknowledgement or by the timeout.
    {"specs/timeouts/retransmission.lim", "yynyyyyyyy"},
};

class RefineSpecs : public ::testing::TestWithParam<PinnedVerdicts> {};

TEST_P(RefineSpecs, MatchPinnedVerdicts) {
  const auto& pinned = GetParam();
  auto spec = pipeline::load_spec_file((testing::source_dir() / pinned.file).string());
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  const auto report = pipeline::check_synchronous(pinned.file, *spec.system, {});
  for (std::size_t i = 0; i < kProperties.size(); ++i) {
    const report::PropertyResult* found = nullptr;
    for (const auto& result : report.results)
      if (result.property == kProperties[i]) found = &result;
    const char expected = pinned.verdicts[i];
    if (expected == '-') {
      EXPECT_EQ(found, nullptr) << pinned.file << ": " << kProperties[i];
      continue;
    }
    ASSERT_NE(found, nullptr) << pinned.file << ": " << kProperties[i];
    EXPECT_EQ(found->verdict, expected == 'y' ? report::Verdict::Holds : report::Verdict::Violated)
        << pinned.file << ": " << kProperties[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, RefineSpecs, ::testing::ValuesIn(kSpecs), [](const auto& info) {
  std::string name = info.param.file;
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

}  // namespace
}  // namespace lim
