#include "lim/runtime/gate/requirement.hpp"

#include <fmt/format.h>

namespace lim::runtime {

std::string describe(const Requirement& requirement) {
  if (requirement.k == 0) return "synchronous communication";
  if (requirement.unbounded) return fmt::format("unbounded FIFO channels (verified at k={})", requirement.k);
  return fmt::format("{}-bounded FIFO channels", requirement.k);
}

}  // namespace lim::runtime
