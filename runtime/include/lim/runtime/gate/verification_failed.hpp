#pragma once
// The gate's refusal: the spec does not parse, cannot run, or lim could not
// verify it. `report()` is what `lim check` would print about it, with the
// counterexample when there is one.
#include <stdexcept>
#include <string>

namespace lim::runtime {

class VerificationFailed : public std::runtime_error {
 public:
  enum class Reason {
    InvalidSpec,    // unreadable, or the spec has errors
    NotExecutable,  // verified or not, the runtime cannot monitor it (e.g. a non-deterministic role)
    Violated,       // a required property does not hold
    Inconclusive,   // a resource limit stopped the check: fail closed
    Unprovable,     // no theorem lim applies covers the requirement (e.g. unbounded channels with timeouts)
  };
  VerificationFailed(Reason reason, std::string spec, const std::string& summary, std::string report);
  Reason reason() const { return reason_; }
  const std::string& spec() const { return spec_; }
  const std::string& report() const { return report_; }

 private:
  Reason reason_;
  std::string spec_;
  std::string report_;
};

}  // namespace lim::runtime
