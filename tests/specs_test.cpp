// The protocols in specs/ with their verdicts pinned. Each row was reasoned
// out by hand (see the comment at the top of each spec) and must not change
// silently.
#include <array>
#include <cctype>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

struct PinnedVerdicts {
  const char* file;
  // safety, deadlock-freedom, termination, never-termination, liveness, liveness+, liveness++
  std::array<bool, 7> holds;
};

// ctest lists a parameterised test with its parameter: show the file, not bytes.
void PrintTo(const PinnedVerdicts& pinned, std::ostream* out) { *out << pinned.file; }

constexpr PinnedVerdicts kSpecs[] = {
    {"specs/two-buyer.lim", {true, true, true, false, true, true, true}},
    {"specs/two-buyer-recursive.lim", {true, true, false, false, true, false, false}},
    {"specs/amazon-prime-video.lim", {true, true, false, false, true, true, true}},
    {"specs/oauth2.lim", {true, true, true, false, true, true, true}},
    {"specs/map-reduce.lim", {true, true, false, false, true, true, true}},
    {"specs/broken/two-buyer-unsafe.lim", {false, false, false, false, false, false, false}},
    {"specs/broken/amazon-prime-video-deadlock.lim", {true, false, false, false, false, false, false}},
    {"specs/broken/starving-logger.lim", {true, true, false, true, false, false, false}},
};

class SpecsVerdicts : public ::testing::TestWithParam<PinnedVerdicts> {};

TEST_P(SpecsVerdicts, MatchPinnedVerdicts) {
  const auto& pinned = GetParam();
  auto spec = pipeline::load_spec_file((testing::source_dir() / pinned.file).string());
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  const auto report = pipeline::check_synchronous(pinned.file, *spec.system, {});
  ASSERT_EQ(report.results.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) {
    const auto& result = report.results[i];
    EXPECT_EQ(result.verdict == report::Verdict::Holds, pinned.holds[i]) << pinned.file << ": " << result.property;
    EXPECT_EQ(result.counterexample.has_value(), !pinned.holds[i]) << pinned.file << ": " << result.property;
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, SpecsVerdicts, ::testing::ValuesIn(kSpecs), [](const auto& info) {
  std::string name = info.param.file;
  for (auto& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

TEST(SpecsCounterexamples, AmazonDeadlockShowsTheRejectedClient) {
  auto spec = pipeline::load_spec_file((testing::source_dir() / "specs/broken/amazon-prime-video-deadlock.lim").string());
  ASSERT_TRUE(spec.ok());
  pipeline::CheckOptions options;
  options.properties = {properties::SyncProperty::DeadlockFreedom};
  const auto report = pipeline::check_synchronous("amazon", *spec.system, options);
  const auto& counterexample = report.results.at(0).counterexample;
  ASSERT_TRUE(counterexample);
  ASSERT_EQ(counterexample->prefix.size(), 2u);
  EXPECT_EQ(counterexample->prefix[0].text, "client → authenticator: id(Int)");
  EXPECT_EQ(counterexample->prefix[1].text, "authenticator → client: rejected");
  EXPECT_EQ(counterexample->at.roles[2].type, "authenticator&{request(String), close}");
}

}  // namespace
}  // namespace lim
