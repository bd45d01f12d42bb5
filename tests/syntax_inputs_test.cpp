// Inputs a CI job meets that are not quite specs (issue 10): old line ends,
// other encodings, global types, generated files with huge names or long
// alias chains, fsm files with one mistake. Each gets one located message
// that says what to do, and nothing false besides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using ::testing::HasSubstr;

std::string messages(const pipeline::LoadedSpec& spec) { return format_diagnostics(spec.source, spec.diagnostics); }

TEST(SyntaxInputs, CarriageReturnOnlyLineEndsAreLineEnds) {
  const auto spec = pipeline::load_spec_text("mac.lim", "// two roles\ralice: bob⊕hi . end\rbob: alice&hi . end\r");
  ASSERT_TRUE(spec.ok()) << messages(spec);
  EXPECT_EQ(spec.system->role_count(), 2u);
  const auto bad = pipeline::load_spec_text("mac.lim", "// two roles\ralice: bob⊕hi .\rbob: alice&hi . end\r");
  EXPECT_THAT(messages(bad), HasSubstr("mac.lim:3:"));  // located on the line it is on
  // CRLF keeps working, and a lone '\r' among CRLFs ends its line too.
  EXPECT_TRUE(pipeline::load_spec_text("dos.lim", "alice: bob⊕hi . end\r\nbob: alice&hi . end\r\n").ok());
  EXPECT_TRUE(pipeline::load_spec_text("mixed.lim", "# x\ralice: bob⊕hi . end\r\nbob: alice&hi . end\n").ok());
}

TEST(SyntaxInputs, Utf16SaysToConvert) {
  std::string utf16 = "\xFF\xFE";
  for (const char c : std::string("alice: end\n")) {
    utf16 += c;
    utf16 += '\0';
  }
  for (const auto& input : {utf16, utf16.substr(2)}) {
    const auto spec = pipeline::load_spec_text("windows.lim", input);
    EXPECT_FALSE(spec.ok());
    EXPECT_THAT(messages(spec), HasSubstr("UTF-16"));
    EXPECT_THAT(messages(spec), HasSubstr("iconv -f UTF-16 -t UTF-8"));
  }
  const auto binary = pipeline::load_spec_text("a.out", std::string("\x7F" "ELF\x02\x01\x01\0\0\0\0", 11));
  EXPECT_THAT(messages(binary), HasSubstr("the file is not text"));
}

TEST(SyntaxInputs, GlobalTypesGetAHint) {
  const auto path = testing::shared_dir() / "corpus" / "mpstk" / "examples" / "two-buyers.global";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "../shared/corpus/mpstk is absent";
  const auto spec = pipeline::load_spec_file(path.string());
  EXPECT_FALSE(spec.ok());
  EXPECT_THAT(messages(spec), HasSubstr("this looks like a global type"));
  // The same text under another name.
  const auto renamed = pipeline::load_spec_text("protocol.lim", testing::read_file(path));
  EXPECT_THAT(messages(renamed), HasSubstr("this looks like a global type"));
  // A local type never gets the hint.
  EXPECT_THAT(messages(pipeline::load_spec_text("bad.lim", "alice: bob⊕ .\n")), ::testing::Not(HasSubstr("global")));
}

TEST(SyntaxInputs, HugeNamesAreShortenedInMessages) {
  const std::string name(100000, 'x');
  const auto spec = pipeline::load_spec_text("huge.lim", "alice: " + name + "⊕hi . end\n");
  EXPECT_FALSE(spec.ok());
  const auto& message = spec.diagnostics.all().at(0).message;
  EXPECT_LT(message.size(), 300u) << message.substr(0, 300);
  EXPECT_THAT(message, HasSubstr("'" + std::string(40, 'x') + "…' (100000 characters)"));
}

TEST(SyntaxInputs, LongSortAliasChainsResolve) {
  // 10^5 links used to take seconds (each alias walked its whole chain).
  std::string text;
  constexpr int kLinks = 100000;
  for (int i = 0; i < kLinks; ++i) text += "sort s" + std::to_string(i) + " = s" + std::to_string(i + 1) + ";\n";
  text += "sort s" + std::to_string(kLinks) + " = Int;\nalice: bob⊕m(s0) . end\nbob: alice&m(Int) . end\n";
  const auto spec = pipeline::load_spec_text("aliases.lim", text);
  ASSERT_TRUE(spec.ok()) << messages(spec).substr(0, 2000);
  // s0 is Int: the message matches the receive.
  const auto report = pipeline::check_synchronous("aliases.lim", *spec.system, {});
  EXPECT_EQ(report.results.at(0).verdict, report::Verdict::Holds);
  // A cycle is still one error per sort on it, and those leading into it are not.
  const auto cycle = pipeline::load_spec_text("cycle.lim", "sort a = b;\nsort b = c;\nsort c = b;\nx: end\n");
  EXPECT_THAT(messages(cycle), HasSubstr("cycle.lim:2:6: error: sort 'b' is an alias of itself"));
  EXPECT_THAT(messages(cycle), HasSubstr("cycle.lim:3:6: error: sort 'c' is an alias of itself"));
  EXPECT_THAT(messages(cycle), ::testing::Not(HasSubstr("sort 'a' is an alias")));
}

TEST(SyntaxInputs, OneBadPartnerInAnFsmFileIsOneError) {
  const auto spec = pipeline::load_spec_text(
      "range.fsm", ".outputs\n.state graph\nq0 3 ! a q1\n.marking q0\n.end\n"
                   ".outputs\n.state graph\nq0 0 ? b q0\n.marking q0\n.end\n");
  EXPECT_FALSE(spec.ok());
  ASSERT_EQ(spec.diagnostics.all().size(), 1u) << messages(spec);
  EXPECT_THAT(messages(spec), HasSubstr("range.fsm:3:4: error: machine 3 does not exist"));
}

}  // namespace
}  // namespace lim
