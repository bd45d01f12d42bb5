#pragma once
// Helpers shared by the test files: paths into the source tree and ../shared,
// and a one-call "spec text → system".
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"

namespace lim::testing {

inline std::filesystem::path source_dir() { return LIM_SOURCE_DIR; }
inline std::filesystem::path shared_dir() { return LIM_SHARED_DIR; }

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file the corpus tests load (../shared/corpus, without its verdict
// tables and notes), and every spec, in a stable order.
inline std::vector<std::filesystem::path> corpus_and_specs() {
  std::vector<std::filesystem::path> files;
  for (const auto& root : {shared_dir() / "corpus", source_dir() / "specs"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
      if (entry.is_regular_file() && entry.path().extension() != ".tsv" && entry.path().extension() != ".md")
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Loads spec text and fails the test (with the diagnostics) if it has errors.
inline automata::System system_of(const std::string& text, const std::string& path = "test.lim") {
  auto spec = pipeline::load_spec_text(path, text);
  if (!spec.ok()) {
    ADD_FAILURE() << format_diagnostics(spec.source, spec.diagnostics);
    return {};
  }
  return std::move(*spec.system);
}

}  // namespace lim::testing
