#pragma once
// Helpers shared by the test files: paths into the source tree and ../shared,
// and a one-call "spec text → system".
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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
