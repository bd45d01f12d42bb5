#pragma once
// An action outside the role's automaton, by this program or by a peer.
#include <string>
#include <vector>

#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/syntax/source.hpp"

namespace lim::runtime {

class ProtocolViolation : public SessionError {
 public:
  enum class Culprit {
    Local,  // this endpoint's program tried it; nothing was sent, the state is unchanged
    Peer,   // a peer sent it; the session is aborted
  };
  struct Details {
    Culprit culprit = Culprit::Local;
    std::string role;       // the endpoint's role
    std::string peer;       // the other role involved, if any
    std::string attempted;  // e.g. "buyer1 sends share(Int) to buyer2"
    std::vector<std::string> expected;  // what the state allows, e.g. "receive quote(Int) from seller"
    std::string state;       // the automaton state, e.g. "q1"
    std::string state_type;  // what it offers in local-type notation, e.g. "seller&{quote(Int)}"
    std::string spec;        // the spec file
    SourceLocation location;  // where that state's type starts in the spec
  };

  explicit ProtocolViolation(Details details);
  const Details& details() const { return details_; }
  Culprit culprit() const { return details_.culprit; }
  const std::vector<std::string>& expected() const { return details_.expected; }

 private:
  Details details_;
};

}  // namespace lim::runtime
