// `lim gen cpp`'s generator on awkward specs: C++ keywords as labels,
// non-directed states, guarded copies — every name must be a valid, unique
// identifier. (That generated code compiles and runs is pinned by the
// targets in runtime/tests.)
#include <gtest/gtest.h>

#include "lim/runtime/codegen/cpp_generator.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

std::string generate(const std::string& text, const std::string& role, const std::string& name = "awkward.lim") {
  CppGeneratorOptions options;
  options.role = role;
  return generate_cpp(*testing::verified(text, name), options);
}

bool has(const std::string& text, const std::string& piece) { return text.find(piece) != std::string::npos; }

TEST(RuntimeCodegen, KeywordsBecomeIdentifiers) {
  const auto header = generate("a: b⊕{ class . end, delete(Int) . end }\nb: a&{ class . end, delete(Int) . end }\n",
                               "b");
  EXPECT_TRUE(has(header, "struct class_;")) << header;
  EXPECT_TRUE(has(header, "struct delete_;")) << header;
  EXPECT_TRUE(has(header, "using Branch = std::variant<class_, delete_>;")) << header;
  EXPECT_TRUE(has(header, "namespace lim_generated::awkward::b {"));
  const auto sender = generate("a: b⊕{ class . end, delete(Int) . end }\nb: a&{ class . end, delete(Int) . end }\n",
                               "a");
  EXPECT_TRUE(has(sender, "[[nodiscard]] End send_class_(b_t) &&;")) << sender;
  EXPECT_TRUE(has(sender, "[[nodiscard]] End send_delete_(b_t, std::int64_t payload) &&;")) << sender;
}

TEST(RuntimeCodegen, OneLabelFromTwoPeersSaysFromWhom) {
  // kmc's syntax allows a state receiving from two partners.
  const auto header = generate("A: {B?m; end, C?m; end}\nB: A!m; end\nC: end\n", "A", "nondirected.kmc");
  EXPECT_TRUE(has(header, "using Branch = std::variant<m_from_B, m_from_C>;")) << header;
}

TEST(RuntimeCodegen, GuardedCopiesAreNumberedAndDocumented) {
  const auto text = testing::read_file(testing::source_dir() / "runtime/tests/specs/threshold.lim");
  const auto header = generate(text, "monitor", "threshold.lim");
  EXPECT_TRUE(has(header, "using Branch = std::variant<reading_1, reading_2, stop>;")) << header;
  EXPECT_TRUE(has(header, "// reading(sample) if s.value <= limit\nstruct q0::reading_1 {")) << header;
  EXPECT_TRUE(has(header, "struct sample {\n  std::uint32_t value{};\n  std::uint8_t sensor{};")) << header;
  EXPECT_TRUE(has(header, "[[nodiscard]] End send_alarm(sensor_t, std::uint32_t payload) &&;")) << header;
}

TEST(RuntimeCodegen, OptionsAreChecked) {
  const auto protocol = testing::verified_spec("specs/amazon-prime-video.lim");
  CppGeneratorOptions options;
  options.role = "nobody";
  EXPECT_THROW((void)generate_cpp(*protocol, options), std::invalid_argument);
  options.role = "client";
  options.sort_types["Video"] = "app::Video";
  options.name_space = "app::api";
  const auto header = generate_cpp(*protocol, options);
  EXPECT_TRUE(has(header, "namespace app::api {"));
  EXPECT_TRUE(has(header, "using Video = app::Video;"));
  options.sort_types["Title"] = "app::Title";  // an alias of String: not opaque
  EXPECT_THROW((void)generate_cpp(*protocol, options), std::invalid_argument);
}

}  // namespace
}  // namespace lim::runtime
