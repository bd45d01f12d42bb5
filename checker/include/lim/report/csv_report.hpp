#pragma once
// CSV in the manner of mpstk's --output-csv, one row per file and property:
//   file,semantics,property,verdict,states,transitions,seconds,detail
// (RFC 4180 quoting). `seconds` is the property's own time, `states` and
// `transitions` the file's explored state space; a file that did not load
// is one row with the verdict `error` and the diagnostic as detail.
#include <string>
#include <vector>

#include "lim/report/summary.hpp"
#include "lim/report/verdict.hpp"

namespace lim::report {

std::string render_csv(const std::vector<FileReport>& reports, const std::vector<FileError>& errors);

}  // namespace lim::report
