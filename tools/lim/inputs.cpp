// What `lim check a.lim specs/ -` means: files as given, directories
// searched for specs, `-` for standard input; a path that cannot be used is
// an error of that path alone, so that the other files are still checked.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/formats/format_detection.hpp"

namespace lim::cli {
namespace {

report::FileError path_error(const std::string& path, std::string message) {
  Diagnostic diagnostic;
  diagnostic.severity = Severity::Error;
  diagnostic.message = std::move(message);
  return {path, diagnostic};
}

// In a directory: lim contexts by extension, kmc and fsm files by extension
// or, for .txt (kmc's corpus), by their content.
bool is_spec(const std::filesystem::path& path) {
  const auto extension = path.extension().string();
  if (extension == ".lim" || extension == ".ctx" || extension == ".kmc" || extension == ".fsm") return true;
  if (extension != ".txt") return false;
  std::ifstream in(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return formats::detect_format(head) != formats::InputFormat::Lim;
}

}  // namespace

Inputs expand_inputs(const std::vector<std::string>& arguments) {
  Inputs inputs;
  for (const auto& argument : arguments) {
    if (argument == "-") {
      inputs.files.push_back(argument);
      continue;
    }
    struct stat status {};
    if (::stat(argument.c_str(), &status) != 0) {
      inputs.errors.push_back(path_error(argument, fmt::format("cannot read file: {}", std::strerror(errno))));
      continue;
    }
    if (!S_ISDIR(status.st_mode)) {
      inputs.files.push_back(argument);
      continue;
    }
    std::vector<std::string> found;
    std::error_code error;
    std::filesystem::recursive_directory_iterator walk(argument, std::filesystem::directory_options::skip_permission_denied,
                                                       error);
    for (; !error && walk != std::filesystem::recursive_directory_iterator(); walk.increment(error)) {
      std::error_code type_error;
      if (walk->is_regular_file(type_error) && is_spec(walk->path())) found.push_back(walk->path().string());
    }
    if (error) {
      inputs.errors.push_back(path_error(argument, fmt::format("cannot read directory: {}", error.message())));
      continue;
    }
    if (found.empty()) {
      inputs.errors.push_back(
          path_error(argument, "the directory holds no spec (.lim, .ctx, .kmc, .fsm, or kmc .txt files)"));
      continue;
    }
    std::sort(found.begin(), found.end());
    inputs.files.insert(inputs.files.end(), found.begin(), found.end());
  }
  return inputs;
}

}  // namespace lim::cli
