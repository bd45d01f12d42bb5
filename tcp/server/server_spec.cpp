#include "lim/tcp/server/server_spec.hpp"

#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lim/refine/refinements.hpp"
#include "lim/tcp/server/builtin_specs.hpp"

namespace lim::tcp::server {
namespace {

automata::RoleId role_of(const runtime::Protocol& protocol, std::string_view name, bool environment) {
  const auto role = protocol.find_role(name);
  if (!role || protocol.system().is_environment(*role) != environment)
    throw std::invalid_argument(fmt::format("{}: the TCP server needs {} '{}'", protocol.spec_path(),
                                            environment ? "an environment role" : "a role", name));
  return *role;
}

// Every label the server may play with `peer` must be one it knows.
void check_labels(const runtime::Protocol& protocol, automata::RoleId role, automata::RoleId peer,
                  automata::Direction direction, const std::set<std::string>& known) {
  for (const auto& transition : protocol.system().machines[role].transitions()) {
    const auto& action = transition.action;
    if (action.peer != peer || action.direction != direction) continue;
    const auto& label = protocol.label_name(action.label);
    if (!known.contains(label))
      throw std::invalid_argument(fmt::format("{}: the TCP server cannot {} '{}' {} {} (it knows {})",
                                              protocol.location_text(transition.location),
                                              direction == automata::Direction::Send ? "send" : "receive", label,
                                              direction == automata::Direction::Send ? "to" : "from",
                                              protocol.role_name(peer), fmt::join(known, ", ")));
  }
}

}  // namespace

const std::string& builtin_server_spec() {
  static const std::string text(kServerSpecText);
  return text;
}

const std::string& builtin_closed_spec() {
  static const std::string text(kClosedSpecText);
  return text;
}

const std::string& builtin_syn_cookies_spec() {
  static const std::string text(kSynCookiesSpecText);
  return text;
}

ServerSpec load_server_spec(const runtime::VerificationGate& gate, const std::string& name, const std::string& text) {
  ServerSpec spec;
  spec.protocol = gate.verify_text(name, text);
  const auto& protocol = *spec.protocol;
  spec.roles = {role_of(protocol, "system", false), role_of(protocol, "user", false), role_of(protocol, "reader", false),
                role_of(protocol, "net", true)};
  // The deployment of docs/tcp.md: 1-bounded in-process channels.
  protocol.require(runtime::Requirement{1, false});
  const std::set<std::string> segments = {"syn", "syn_ack", "ack", "fin_ack", "rst"};
  const auto& r = spec.roles;
  check_labels(protocol, r.system, r.net, automata::Direction::Send, segments);
  check_labels(protocol, r.system, r.net, automata::Direction::Receive, segments);
  check_labels(protocol, r.system, r.user, automata::Direction::Receive, {"open", "data", "close", "abort"});
  check_labels(protocol, r.system, r.user, automata::Direction::Send, {"tcb_created"});
  check_labels(protocol, r.system, r.reader, automata::Direction::Send, {"connected", "data", "fin", "reset", "error_report"});
  const auto& machine = protocol.system().machines[r.system];
  for (const auto& transition : machine.transitions()) {
    const auto& action = transition.action;
    if (action.peer == r.reader && action.direction == automata::Direction::Send &&
        protocol.label_name(action.label) == "error_report")
      spec.reports_errors = true;
    if (action.peer != r.net && action.peer != r.user && action.peer != r.reader)
      throw std::invalid_argument(fmt::format("{}: the TCP server's system talks only to net, user and reader, not {}",
                                              protocol.location_text(transition.location),
                                              protocol.role_name(action.peer)));
  }
  // State variables the server sets, if the spec declares any.
  if (const auto& refinements = protocol.system().refinements) {
    const std::set<std::string> known = {"rcv_nxt",   "rcv_wnd",   "snd_una",         "snd_nxt", "max_snd_wnd",
                                         "fin_sent",  "throttled", "ts_recent", "ts_recent_valid", "timer"};
    for (const auto& variable : refinements->state_of(r.system)) {
      if (!known.contains(variable.name))
        throw std::invalid_argument(fmt::format("{}: the TCP server cannot give the state variable '{}' a value (it "
                                                "sets {})",
                                                protocol.spec_path(), variable.name, fmt::join(known, ", ")));
      spec.variables.insert(variable.name);
    }
  }
  // hears_network: backwards from the states with a receive from net.
  spec.hears_network.assign(machine.state_count(), false);
  bool changed = true;
  for (const auto& transition : machine.transitions())
    if (transition.action.direction == automata::Direction::Receive && transition.action.peer == r.net)
      spec.hears_network[transition.source] = true;
  while (changed) {
    changed = false;
    for (const auto& transition : machine.transitions())
      if (spec.hears_network[transition.target] && !spec.hears_network[transition.source]) {
        spec.hears_network[transition.source] = true;
        changed = true;
      }
  }
  return spec;
}

namespace {

ResponderSpec load_responder(const runtime::VerificationGate& gate, const std::string& name, const std::string& text,
                             std::string_view role) {
  ResponderSpec spec;
  spec.protocol = gate.verify_text(name, text);
  spec.role = role_of(*spec.protocol, role, false);
  spec.net = role_of(*spec.protocol, "net", true);
  spec.protocol->require(runtime::Requirement{1, false});
  return spec;
}

}  // namespace

StatelessSpecs load_stateless_specs(const runtime::VerificationGate& gate) {
  return {load_responder(gate, "specs/tcp/closed.lim", builtin_closed_spec(), "closed"),
          load_responder(gate, "specs/tcp/syn-cookies.lim", builtin_syn_cookies_spec(), "cookies")};
}

}  // namespace lim::tcp::server
