// `lim gen cpp` and `lim run`: the runtime's command-line face, on the real binary.
#include <cstdlib>
#include <filesystem>

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

TEST_F(RuntimeCli, RunRefusesAnUnverifiedSpec) {
  const auto result = run_lim("run specs/broken/amazon-prime-video-deadlock.lim");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("deadlock-freedom violated"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace lim::testing
