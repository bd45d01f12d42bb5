#pragma once
// A snapshot of an endpoint, for logs and dashboards: where in the protocol
// it is (with the spec location of that state), how far it got, how it ended.
#include <cstdint>
#include <string>
#include <vector>

#include "lim/syntax/source.hpp"

namespace lim::runtime {

struct EndpointMetadata {
  std::string role;
  std::string transport;
  std::string state;       // automaton state, e.g. "q3"
  std::string state_type;  // what it offers, e.g. "client&{request(String), close}", or "end"
  std::string spec;        // spec file
  SourceLocation location;  // where the state's type starts in the spec
  std::string location_text;  // "spec:line:col"
  std::vector<std::string> expected;  // the actions the state allows
  std::uint64_t operations = 0;       // sends, receives and timeouts done
  bool complete = false;              // reached a final state
  bool failed = false;
  std::string failure;  // why, when failed
};

}  // namespace lim::runtime
