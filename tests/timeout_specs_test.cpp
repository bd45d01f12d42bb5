// The timeout examples in specs/timeouts, with their verdicts pinned.
#include <gtest/gtest.h>

#include "lim/explore/explorer.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/semantics/synchronous.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using report::Verdict;

report::FileReport check(const std::string& file) {
  auto spec = pipeline::load_spec_file((testing::source_dir() / file).string());
  EXPECT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  if (!spec.ok()) return {};
  return pipeline::check_synchronous(file, *spec.system, {});
}

const report::PropertyResult& result(const report::FileReport& report, const std::string& property) {
  for (const auto& result : report.results)
    if (result.property == property) return result;
  static const report::PropertyResult missing{"missing", Verdict::Unknown, std::nullopt, {}, std::nullopt};
  ADD_FAILURE() << "no result for " << property;
  return missing;
}

TEST(TimeoutSpecs, TheLateReplyDeadlocks) {
  const auto report = check("specs/timeouts/broken/late-reply.lim");
  EXPECT_EQ(result(report, "safety").verdict, Verdict::Holds);
  const auto& deadlock = result(report, "deadlock-freedom");
  ASSERT_EQ(deadlock.verdict, Verdict::Violated);
  ASSERT_TRUE(deadlock.counterexample);
  const auto& prefix = deadlock.counterexample->prefix;
  ASSERT_EQ(prefix.size(), 2u);
  EXPECT_EQ(prefix[0].text, "client → server: request");
  EXPECT_EQ(prefix[1].kind, report::TraceStep::Kind::Internal);
  EXPECT_EQ(prefix[1].text, "client: timeout(2000ms) fired, waiting for server");
  EXPECT_EQ(deadlock.counterexample->explanation,
            "deadlock: no interaction is possible, but server waits at client⊕{reply(u32)}");
}

TEST(TimeoutSpecs, StopAndWaitRetransmissionIsSafe) {
  const auto report = check("specs/timeouts/retransmission.lim");
  for (const char* property : {"safety", "deadlock-freedom", "never-termination", "liveness", "guards-satisfiable",
                               "guards-disjoint", "guards-exhaustive"})
    EXPECT_EQ(result(report, property).verdict, Verdict::Holds) << property;
  const auto& termination = result(report, "termination");
  ASSERT_EQ(termination.verdict, Verdict::Violated);
}

TEST(TimeoutSpecs, TheRetransmissionTimeoutIsAStepOfTheStateSpace) {
  auto spec = pipeline::load_spec_file((testing::source_dir() / "specs/timeouts/retransmission.lim").string());
  ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  const semantics::SynchronousSemantics semantics(*spec.system);
  const auto space = explore::explore(semantics);
  std::size_t timeouts = 0;
  for (std::size_t edge = 0; edge < space.edge_count(); ++edge) {
    const auto interaction = semantics.interaction(space.move(edge));
    if (!interaction.internal) continue;
    ++timeouts;
    EXPECT_EQ(spec.system->role_names[interaction.to], "sender");
    EXPECT_EQ(spec.system->role_names[interaction.from], "net");
  }
  EXPECT_EQ(timeouts, 1u);
}

}  // namespace
}  // namespace lim
