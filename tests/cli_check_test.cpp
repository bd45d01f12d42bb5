// `lim check` and `lim graph` as a user runs them: exit codes, the table,
// counterexamples, located errors, JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace lim {
namespace {

using testing::run_lim;
using testing::temp_spec;

TEST(CliCheck, AllRequestedPropertiesHoldExitsZero) {
  const auto result = run_lim("check --props safety,deadlock-freedom,liveness specs/two-buyer.lim");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("specs/two-buyer.lim"), std::string::npos);
  EXPECT_NE(result.out.find("deadlock-freedom"), std::string::npos);
  EXPECT_NE(result.out.find("✓"), std::string::npos);
  EXPECT_EQ(result.out.find("✗"), std::string::npos);
}

// --props takes one comma-separated value per occurrence: files may follow
// it, and it may be repeated.
TEST(CliCheck, PropsListMayComeBeforeTheFilesAndRepeat) {
  auto result = run_lim("check --props safety,liveness specs/two-buyer.lim specs/oauth2.lim");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("specs/oauth2.lim"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("liveness"), std::string::npos) << result.out;
  result = run_lim("check --props safety --props termination specs/two-buyer-recursive.lim");
  EXPECT_EQ(result.exit_code, 1) << result.out;  // the recursive two-buyer never terminates
  EXPECT_NE(result.out.find("termination violated"), std::string::npos) << result.out;
}

// Findings point at their place as every diagnostic does: file:line:col.
TEST(CliCheck, NotesAreLocatedFileLineColumn) {
  const auto result = run_lim("check --props safety specs/tcp/broken/dissertation-server.lim");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("specs/tcp/broken/dissertation-server.lim:39:3: note: system in state"), std::string::npos)
      << result.out;
}

// Nothing to verify is an input error, in every format, not a row of ✓.
TEST(CliCheck, SpecWithoutRolesIsAnInputError) {
  for (const auto& [name, text] : {std::pair{"empty.lim", "// only a comment\n"}, std::pair{"empty.txt", ""},
                                   std::pair{"blank.ctx", "\n\n"}}) {
    const auto path = temp_spec(name, text);
    const auto result = run_lim("check " + path);
    EXPECT_EQ(result.exit_code, 2) << name << "\n" << result.out;
    EXPECT_NE(result.err.find(path + ":1:1: error: the spec defines no role"), std::string::npos) << result.err;
  }
}

TEST(CliCheck, ViolationExitsOneAndPrintsTheTrace) {
  const auto result = run_lim("check specs/broken/amazon-prime-video-deadlock.lim");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("deadlock-freedom violated"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("client → authenticator: id(Int)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("authenticator → client: rejected"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("server waits at authenticator&{request(String), close}"), std::string::npos)
      << result.out;
}

TEST(CliCheck, SyntaxErrorIsLocatedAndExitsTwo) {
  const auto path = temp_spec("bad.lim", "alice: bob⊕hello(Int) .\nbob: alice&hello(Int) . end\n");
  const auto result = run_lim("check " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path + ":2:"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("error:"), std::string::npos);
  EXPECT_NE(result.err.find("^"), std::string::npos);
}

TEST(CliCheck, UnknownRoleIsLocated) {
  const auto path = temp_spec("unknown-role.lim", "alice: carol⊕hello . end\nbob: end\n");
  const auto result = run_lim("check " + path);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path + ":1:8: error:"), std::string::npos) << result.err;
}

TEST(CliCheck, InputErrorWinsOverViolations) {
  const auto bad = temp_spec("bad2.lim", "alice: bob⊕{ a . end, a . end }\nbob: alice&a\n");
  const auto result = run_lim("check specs/broken/two-buyer-unsafe.lim " + bad);
  EXPECT_EQ(result.exit_code, 2);
  // The good file is still reported.
  EXPECT_NE(result.out.find("two-buyer-unsafe.lim"), std::string::npos);
}

TEST(CliCheck, BadOptionsExitTwo) {
  EXPECT_EQ(run_lim("check --props safety,bogus specs/two-buyer.lim").exit_code, 2);
  EXPECT_EQ(run_lim("check --format xml specs/two-buyer.lim").exit_code, 2);
  EXPECT_EQ(run_lim("check does-not-exist.lim").exit_code, 2);
  EXPECT_EQ(run_lim("check --max-memory lots specs/two-buyer.lim").exit_code, 2);
  EXPECT_EQ(run_lim("").exit_code, 2);
}

TEST(CliCheck, ResourceLimitExitsThree) {
  const auto result = run_lim("check --props safety --max-states 3 specs/map-reduce.lim");
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_NE(result.out.find("inconclusive"), std::string::npos) << result.out;
}

TEST(CliCheck, JsonOutputFollowsTheSchema) {
  const auto result = run_lim("check --props all --format json specs/two-buyer.lim specs/broken/starving-logger.lim");
  EXPECT_EQ(result.exit_code, 1);
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["schema"], 2);
  ASSERT_EQ(json["files"].size(), 2u);
  const auto& good = json["files"][0];
  EXPECT_EQ(good["file"], "specs/two-buyer.lim");
  EXPECT_EQ(good["semantics"], "synchronous");
  EXPECT_GT(good["states"].get<int>(), 5);
  ASSERT_EQ(good["properties"].size(), 7u);
  EXPECT_EQ(good["properties"][0]["property"], "safety");
  EXPECT_EQ(good["properties"][0]["verdict"], "holds");
  EXPECT_TRUE(good["properties"][0]["counterexample"].is_null());
  const auto& bad = json["files"][1];
  const auto& liveness = bad["properties"][4];
  EXPECT_EQ(liveness["property"], "liveness");
  EXPECT_EQ(liveness["verdict"], "violated");
  const auto& counterexample = liveness["counterexample"];
  EXPECT_FALSE(counterexample["explanation"].get<std::string>().empty());
  ASSERT_EQ(counterexample["cycle"].size(), 2u);
  EXPECT_EQ(counterexample["cycle"][0]["from"], "client");
  EXPECT_EQ(counterexample["cycle"][0]["to"], "server");
  EXPECT_EQ(counterexample["cycle"][0]["label"], "request");
  EXPECT_EQ(counterexample["cycle"][0]["payload"], "Int");
  EXPECT_EQ(counterexample["cycle"][0]["location"]["line"], 4);
  EXPECT_EQ(counterexample["cycle"][0]["location"]["column"], 27);
  EXPECT_EQ(counterexample["at"]["roles"].size(), 3u);
  EXPECT_TRUE(json["errors"].empty());
}

TEST(CliCheck, JsonReportsInputErrors) {
  const auto path = temp_spec("dup.lim", "alice: bob⊕hi\nalice: end\nbob: alice&hi\n");
  const auto result = run_lim("check --format json " + path);
  EXPECT_EQ(result.exit_code, 2);
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_FALSE(json["errors"].empty());
  EXPECT_EQ(json["errors"][0]["line"], 2);
  EXPECT_EQ(json["errors"][0]["severity"], "error");
}

TEST(CliGraph, PrintsDotForOneRoleOrAll) {
  const auto all = run_lim("graph specs/two-buyer.lim");
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_EQ(all.out.rfind("digraph", 0), 0u);
  EXPECT_NE(all.out.find("label=\"buyer1\""), std::string::npos);
  EXPECT_NE(all.out.find("[label=\"seller!title(String)\"]"), std::string::npos) << all.out;
  const auto one = run_lim("graph specs/two-buyer.lim --role seller");
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_EQ(one.out.find("label=\"buyer1\""), std::string::npos);
  EXPECT_EQ(run_lim("graph specs/two-buyer.lim --role nobody").exit_code, 2);
}

}  // namespace
}  // namespace lim
