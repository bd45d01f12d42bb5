// `lim tcp serve` as a user runs it: the spec is verified first, and a spec
// that fails is refused with the checker's counterexample before anything
// touches the network; bad options are located errors with exit 2.
#include <string>

#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace lim {
namespace {

TEST(TcpCli, TheDissertationsServerIsRefusedWithItsCounterexample) {
  const auto result = testing::run_lim("tcp serve --tun limnotused0 --spec specs/tcp/broken/dissertation-server.lim");
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("does not verify; refusing to start"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("safety violated"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("net may send syn_ack(segment) to system"), std::string::npos) << result.err;
}

TEST(TcpCli, AVerifiedSpecTheServerCannotPlayIsRefusedSayingWhy) {
  const auto result = testing::run_lim("tcp serve --spec specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("the TCP server needs a role 'system'"), std::string::npos) << result.err;
  // The call-and-response server verifies too, but has no reader role.
  const auto call = testing::run_lim("tcp serve --spec specs/tcp/call-and-response-server.lim");
  EXPECT_EQ(call.exit_code, 2) << call.err;
  EXPECT_NE(call.err.find("needs a role 'reader'"), std::string::npos) << call.err;
}

TEST(TcpCli, BadOptionsAreInputErrors) {
  for (const char* arguments :
       {"tcp serve --address 300.1.2.3", "tcp serve --address ::1", "tcp serve --port 0", "tcp serve --port 70000",
        "tcp serve --app chargen", "tcp serve --impair loss=2", "tcp serve --impair jitter=3",
        "tcp serve --max-connections 0", "tcp serve --kernel-address 198.18.0.1/40", "tcp serve --spec no-such.lim",
        "tcp serve --msl 0", "tcp serve --ttl 0", "tcp serve --ttl 256", "tcp"}) {
    const auto result = testing::run_lim(arguments);
    EXPECT_NE(result.exit_code, 0) << arguments;
    EXPECT_NE(result.exit_code, 1) << arguments;  // not "violated": an input error
    EXPECT_FALSE(result.err.empty()) << arguments;
  }
}

}  // namespace
}  // namespace lim
