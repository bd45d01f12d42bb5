#pragma once
// The verified protocols the server runs, checked once at start: the server
// system's spec (specs/tcp/server.lim or --spec) and the stateless
// responders' specs (the closed port, SYN cookies).
// A spec that fails verification is refused with the checker's
// counterexample; one that verifies but lacks the roles, labels or state
// variables the server plays is refused with what is missing.
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/gate/verification_gate.hpp"

namespace lim::tcp::server {

struct SystemRoles {
  automata::RoleId system = 0;
  automata::RoleId user = 0;
  automata::RoleId reader = 0;
  automata::RoleId net = 0;
};

struct ServerSpec {
  std::shared_ptr<const runtime::Protocol> protocol;
  SystemRoles roles;
  // Per state of the system's automaton: whether a receive from the network
  // is still reachable. Once it is not, the connection's 4-tuple is released.
  std::vector<bool> hears_network;
  // The state variables the spec declares, of those the server sets.
  std::set<std::string> variables;
  // The system tells the reader "error_report" somewhere: the TCB may report
  // R1 (a spec without it gets no reports, rather than a monitor violation).
  bool reports_errors = false;
};

// A spec of one role that answers each segment from the environment `net`
// with at most one, keeping no connection: closed.lim, syn-cookies.lim.
struct ResponderSpec {
  std::shared_ptr<const runtime::Protocol> protocol;
  automata::RoleId role = 0;
  automata::RoleId net = 0;
};

// The responders of segments no connection takes: the closed port's
// (specs/tcp/closed.lim) and the SYN cookies' (specs/tcp/syn-cookies.lim).
struct StatelessSpecs {
  ResponderSpec closed;
  ResponderSpec syn_cookies;
};

// The specs compiled into lim: the texts of specs/tcp/server.lim,
// closed.lim and syn-cookies.lim at build time.
const std::string& builtin_server_spec();
const std::string& builtin_closed_spec();
const std::string& builtin_syn_cookies_spec();

// Verifies through the gate and checks that the spec is one the server can
// play: roles system, user, reader and an environment net; the labels it
// sends and receives; the state variables it sets. Throws
// runtime::VerificationFailed (with the counterexample) or
// std::invalid_argument (saying what is missing).
ServerSpec load_server_spec(const runtime::VerificationGate& gate, const std::string& name, const std::string& text);
StatelessSpecs load_stateless_specs(const runtime::VerificationGate& gate);

}  // namespace lim::tcp::server
