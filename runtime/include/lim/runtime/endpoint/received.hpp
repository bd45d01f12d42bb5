#pragma once
// What receive and offer return: the message taken, or the timeout branch.
#include <string_view>

#include "lim/automata/cfsm.hpp"
#include "lim/runtime/endpoint/payload.hpp"

namespace lim::runtime {

struct Received {
  automata::RoleId from = 0;
  std::string_view peer;   // the sender's role name (or the role waited for, on a timeout)
  std::string_view label;  // empty for the timeout branch
  automata::LabelId label_id = 0;
  Payload payload;         // null for messages without payload
  bool timed_out = false;  // the state's `timeout(d)` branch was taken

  bool is(std::string_view name) const { return !timed_out && label == name; }
};

}  // namespace lim::runtime
