// Verdicts stated by mpstk's authors (corpus/mpstk/expected.tsv) are facts:
// lim must reproduce every one of them.
#include <filesystem>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using testing::shared_dir;

struct ExpectedRow {
  std::string file;
  std::vector<std::string> verdicts;  // per column: "true", "false" or "-"
};

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, separator)) fields.push_back(field);
  return fields;
}

TEST(CorpusMpstk, ReproducesEveryPublishedVerdict) {
  const auto corpus = shared_dir() / "corpus" / "mpstk";
  if (!std::filesystem::exists(corpus / "expected.tsv")) GTEST_SKIP() << "../shared/corpus/mpstk is absent";
  std::stringstream table(testing::read_file(corpus / "expected.tsv"));
  std::string line;
  std::vector<std::string> columns;
  int checked = 0;
  while (std::getline(table, line)) {
    if (line.rfind("# file", 0) == 0) {
      columns = split(line.substr(2), '\t');
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto fields = split(line, '\t');
    ASSERT_EQ(fields.size(), columns.size()) << line;
    auto spec = pipeline::load_spec_file((corpus / fields[0]).string());
    ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
    const auto report = pipeline::check_synchronous(fields[0], *spec.system, {});
    for (std::size_t column = 1; column < columns.size(); ++column) {
      if (fields[column] == "-") continue;
      const auto property = properties::parse_sync_property(columns[column]);
      ASSERT_TRUE(property) << columns[column];
      const auto& result = report.results[static_cast<std::size_t>(*property)];
      ASSERT_EQ(result.property, properties::name(*property));
      const bool holds = result.verdict == report::Verdict::Holds;
      EXPECT_EQ(holds, fields[column] == "true") << fields[0] << " " << columns[column];
      if (!holds) {
        EXPECT_TRUE(result.counterexample.has_value()) << fields[0] << " " << columns[column];
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 30);
}

TEST(CorpusMpstk, EveryContextFileParses) {
  const auto examples = shared_dir() / "corpus" / "mpstk" / "examples";
  if (!std::filesystem::exists(examples)) GTEST_SKIP() << "../shared/corpus/mpstk is absent";
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (entry.path().extension() != ".ctx") continue;
    auto spec = pipeline::load_spec_file(entry.path().string());
    EXPECT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
    ++parsed;
  }
  EXPECT_GE(parsed, 10);
}

}  // namespace
}  // namespace lim
