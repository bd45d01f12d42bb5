#include "lim/runtime/gate/verification_failed.hpp"

#include <fmt/format.h>

namespace lim::runtime {

VerificationFailed::VerificationFailed(Reason reason, std::string spec, const std::string& summary,
                                       std::string report)
    : std::runtime_error(report.empty() ? fmt::format("{}: {}", spec, summary)
                                        : fmt::format("{}: {}\n{}", spec, summary, report)),
      reason_(reason),
      spec_(std::move(spec)),
      report_(std::move(report)) {}

}  // namespace lim::runtime
