// `lim gen cpp` and `lim run`: the runtime's command-line face, on the real binary.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cli_support.hpp"
#include "runtime_test_support.hpp"

namespace lim::testing {
namespace {

class RuntimeCli : public ::testing::Test {
 protected:
  // Verdicts stay out of the user's cache directory.
  void SetUp() override { ::setenv("LIM_CACHE_DIR", "off", 1); }
};

TEST_F(RuntimeCli, GenCppWritesTheTypestateApiOfARole) {
  const auto result = run_lim("gen cpp specs/two-buyer.lim --role seller");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("namespace lim_generated::two_buyer::seller {"), std::string::npos);
  EXPECT_NE(result.out.find("class q3 final : public ::lim::runtime::typestate::State"), std::string::npos);
  EXPECT_NE(result.out.find("using Branch = std::variant<ok, quit>;"), std::string::npos);
  EXPECT_NE(result.out.find("[[nodiscard]] q2 send_quote(buyer1_t, std::int64_t payload) &&;"), std::string::npos);
  EXPECT_NE(result.out.find("// q3 — specs/two-buyer.lim:15:9: buyer2&{ok, quit}"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("kFingerprint"), std::string::npos);
}

TEST_F(RuntimeCli, GenCppRefusesAnUnverifiedSpecWithItsCounterexample) {
  const auto result = run_lim("gen cpp specs/broken/amazon-prime-video-deadlock.lim --role server");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty());
  EXPECT_NE(result.err.find("no code for an unverified protocol"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("authenticator → client: rejected"), std::string::npos) << result.err;
}

TEST_F(RuntimeCli, GenCppInputErrors) {
  auto result = run_lim("gen cpp specs/two-buyer.lim --role nobody");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("has no role 'nobody'"), std::string::npos) << result.err;
  result = run_lim("gen cpp specs/amazon-prime-video.lim --role server --sort Video");
  EXPECT_EQ(result.exit_code, 2);
  result = run_lim("gen cpp specs/two-buyer.lim --role seller --sort Video=app::Video");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no payload of sort Video"), std::string::npos) << result.err;
}

TEST_F(RuntimeCli, GenCppBindsOpaqueSortsAndWritesOnlyWhenChanged) {
  const TemporaryDirectory directory;
  const auto header = (directory.path() / "server.hpp").string();
  const auto arguments = "gen cpp specs/amazon-prime-video.lim --role server --sort Video=app::Video "
                         "--include app/video.hpp -o '" + header + "'";
  ASSERT_EQ(run_lim(arguments).exit_code, 0);
  const auto text = read_file(header);
  EXPECT_NE(text.find("using Video = app::Video;"), std::string::npos) << text;
  EXPECT_NE(text.find("#include \"app/video.hpp\""), std::string::npos);
  const auto written = std::filesystem::last_write_time(header);
  std::filesystem::last_write_time(header, written - std::chrono::hours(1));
  ASSERT_EQ(run_lim(arguments).exit_code, 0);
  EXPECT_EQ(std::filesystem::last_write_time(header), written - std::chrono::hours(1));  // untouched
}

TEST_F(RuntimeCli, RunExecutesAVerifiedProtocol) {
  const auto result = run_lim("run specs/two-buyer.lim --seed 7");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("buyer1 → seller         title("), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("seller   complete after"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("buyer2   complete after"), std::string::npos) << result.out;
}

TEST_F(RuntimeCli, RunStopsAnEndlessProtocolAtTheStepLimit) {
  const auto result = run_lim("run specs/two-buyer-recursive.lim --max-steps 3 --seed 1");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("after"), std::string::npos) << result.out;
}

// Issue 11: `lim gen cpp --namespace "bad ns"` wrote a header that did not compile.
TEST_F(RuntimeCli, GenCppRefusesANamespaceThatIsNotOne) {
  for (const auto* bad : {"'bad ns'", "a::", "::a", "class", "a::2b"}) {
    const auto result = run_lim(std::string("gen cpp specs/two-buyer.lim --role seller --namespace ") + bad);
    EXPECT_EQ(result.exit_code, 2) << bad;
    EXPECT_NE(result.err.find("is not a C++ namespace"), std::string::npos) << result.err;
  }
  EXPECT_EQ(run_lim("gen cpp specs/two-buyer.lim --role seller --namespace shop::v2").exit_code, 0);
}

// Issue 11: a u64 payload made `lim run` die with SIGILL (`% 0`).
TEST_F(RuntimeCli, RunDrawsSixtyFourBitPayloads) {
  const TemporaryDirectory directory;
  const auto spec = (directory.path() / "wide.lim").string();
  std::ofstream(spec) << "a: b⊕n(u64) . end\nb: a&n(u64) . end\n";
  const auto result = run_lim("run '" + spec + "'");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("b   complete after 1 operations"), std::string::npos) << result.out;
}

// Issue 11: `lim run` refused every spec with an environment role, so no
// spec with a timeout could be run from the command line.
TEST_F(RuntimeCli, RunPlaysEnvironmentRolesAndTimeouts) {
  const auto result = run_lim("run specs/timeouts/retransmission.lim --k 0 --max-steps 8 --seed 3");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("sender → net"), std::string::npos) << result.out;
}

TEST_F(RuntimeCli, RunOverTcpStartsAProcessPerRole) {
  const auto result = run_lim("run specs/two-buyer.lim --transport tcp --seed 7");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.out.find("launcher: buyer1 (pid"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("unbounded channels at k=1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("seller   complete after"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("buyer2   complete after"), std::string::npos) << result.out;
}

// A timeout is outside CAV 2019's theorem: over the network it runs on
// channels bounded at k, on a real clock.
TEST_F(RuntimeCli, RunsATimeoutOverBoundedTcpChannels) {
  const auto result = run_lim("run runtime/tests/specs/watchdog.lim --transport tcp");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.out.find("bounded channels at k=1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("watcher   complete after"), std::string::npos) << result.out;
}

TEST_F(RuntimeCli, RunOverMqttWithABrokerOfItsOwn) {
  const auto result = run_lim("run specs/amazon-prime-video.lim --transport mqtt --spawn-broker --seed 5");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.out.find("launcher: mosquitto (pid"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("client   complete after"), std::string::npos) << result.out;
}

TEST_F(RuntimeCli, RunOneRoleNeedsItsSessionAndSecret) {
  auto result = run_lim("run specs/two-buyer.lim --transport tcp --role buyer1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--role needs --session"), std::string::npos) << result.err;
  ::unsetenv("LIM_SESSION_SECRET");
  result = run_lim("run specs/two-buyer.lim --transport tcp --role buyer1 --session s");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("secret"), std::string::npos) << result.err;
}

TEST_F(RuntimeCli, RunRefusesAnUnverifiedSpec) {
  const auto result = run_lim("run specs/broken/amazon-prime-video-deadlock.lim");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("deadlock-freedom violated"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace lim::testing
