#include "lim/report/verdict.hpp"

namespace lim::report {

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::Holds: return "holds";
    case Verdict::Violated: return "violated";
    case Verdict::Inconclusive: return "inconclusive";
    case Verdict::Unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace lim::report
