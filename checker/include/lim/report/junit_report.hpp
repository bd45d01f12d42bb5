#pragma once
// JUnit XML, which GitLab, Jenkins and most CI dashboards show as test
// results: one test suite per file, one test case per property; a violated
// or unknown property is a <failure> carrying the counterexample, an
// inconclusive one (a resource limit) an <error>, and a file that did not
// load one test case in <error> with its diagnostics.
#include <string>
#include <vector>

#include "lim/report/summary.hpp"
#include "lim/report/verdict.hpp"

namespace lim::report {

std::string render_junit(const std::vector<FileReport>& reports, const std::vector<FileError>& errors);

}  // namespace lim::report
