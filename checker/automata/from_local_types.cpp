#include "lim/automata/from_local_types.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "lim/automata/payload_subtyping.hpp"
#include "lim/refine/compile.hpp"
#include "lim/refine/guard_solver.hpp"
#include "lim/syntax/closed_payload.hpp"
#include "lim/syntax/printer.hpp"

namespace lim::automata {
namespace {

using syntax::Context;
using syntax::PayloadSort;
using syntax::TypeId;
using syntax::TypeKind;

static_assert(kNoGuard == refine::kNoGuard, "Action::guard holds refine's guard ids");

std::string role_key(const std::string& session, const std::string& role) {
  return session + "[" + role + "]";
}

class Translation {
 public:
  Translation(const Context& context, refine::Refinements refinements)
      : context_(context), refinements_(std::move(refinements)) {}

  System run() {
    std::set<std::string> sessions;
    for (const auto& entry : context_.entries) sessions.insert(entry.session);
    const bool qualify = sessions.size() > 1;
    for (const auto& entry : context_.entries) {
      roles_.emplace(role_key(entry.session, entry.role), static_cast<RoleId>(roles_.size()));
      system_.role_names.push_back(qualify ? fmt::format("{}[{}]", entry.session, entry.role) : entry.role);
      system_.role_locations.push_back(entry.location);
      system_.environment.push_back(entry.environment);
    }
    for (RoleId role = 0; role < context_.entries.size(); ++role) {
      const auto& entry = context_.entries[role];
      system_.machines.push_back(entry.environment ? environment(entry) : translate(entry));
    }
    receive_anything();
    expand_wildcards();
    relate_sorts();
    const bool refined = !refinements_.guards.empty() || !refinements_.records.empty() ||
                         !refinements_.constants.empty() || !refinements_.choice_timeouts.empty() ||
                         std::any_of(refinements_.state.begin(), refinements_.state.end(),
                                     [](const auto& variables) { return !variables.empty(); });
    if (refined) system_.refinements = std::make_shared<const refine::Refinements>(std::move(refinements_));
    system_.freeze();
    return std::move(system_);
  }

 private:
  // A `_ . T` waiting for the peer's other messages to be known.
  struct PendingWildcard {
    RoleId role;
    StateId state;
    TypeId node;
    RoleId peer;
    StateId target;
    SourceLocation location;
  };

  Cfsm translate(const syntax::RoleEntry& entry) {
    const auto role = static_cast<RoleId>(system_.machines.size());
    Cfsm machine;
    std::unordered_map<TypeId, StateId> states;
    std::vector<TypeId> worklist;
    auto state_of = [&](TypeId type) {
      const TypeId head = syntax::unfold(context_, type);
      auto [it, inserted] = states.try_emplace(head, 0);
      if (inserted) {
        it->second = machine.add_state({fmt::format("q{}", states.size() - 1), context_.node(head).location});
        worklist.push_back(head);
      }
      return it->second;
    };
    machine.initial = state_of(entry.type);
    while (!worklist.empty()) {
      const TypeId head = worklist.back();
      worklist.pop_back();
      const StateId source = states.at(head);
      const auto& node = context_.node(head);
      if (node.kind == TypeKind::End) continue;
      const auto direction = node.kind == TypeKind::Select ? Direction::Send : Direction::Receive;
      // A timeout waits for every peer of the state; its action names the
      // first (as a single-peer branch names its one).
      const auto named = std::find_if(node.choices.begin(), node.choices.end(),
                                      [&](const syntax::Choice& choice) { return !syntax::peer_of(node, choice).empty(); });
      const RoleId first_peer =
          named == node.choices.end() ? role : roles_.at(role_key(entry.session, syntax::peer_of(node, *named)));
      for (std::uint32_t index = 0; index < node.choices.size(); ++index) {
        const auto& choice = node.choices[index];
        const std::string& peer_name = syntax::peer_of(node, choice);
        const RoleId peer = peer_name.empty() ? first_peer : roles_.at(role_key(entry.session, peer_name));
        const StateId target = state_of(choice.continuation);
        switch (choice.kind) {
          case syntax::ChoiceKind::Message: {
            const auto guard = refinements_.choice_guards.find({head, index});
            const Action action{direction, peer, system_.labels.intern(choice.label), sort_of(choice.payload),
                                guard == refinements_.choice_guards.end() ? kNoGuard : guard->second};
            machine.add_transition(source, target, {action, choice.location});
            break;
          }
          case syntax::ChoiceKind::Timeout: {
            const auto& duration = refinements_.choice_timeouts.at({head, index});
            system_.timeouts.push_back({duration.milliseconds, duration.name, duration.location});
            const Action action{Direction::Timeout, peer, static_cast<LabelId>(system_.timeouts.size() - 1), 0,
                                kNoGuard};
            machine.add_transition(source, target, {action, choice.location});
            break;
          }
          case syntax::ChoiceKind::Wildcard:
            wildcards_.push_back({role, source, head, peer, target, choice.location});
            break;
        }
      }
    }
    return machine;
  }

  // The most general behaviour within an alphabet: one state that can send
  // each message of the alphabet at any time (and, once every role's sends
  // are known, receive anything sent to it).
  Cfsm environment(const syntax::RoleEntry& entry) {
    Cfsm machine;
    machine.initial = machine.add_state({"any", entry.location});
    for (const TypeId sends : entry.alphabet) {
      const auto& node = context_.node(sends);
      const RoleId peer = roles_.at(role_key(entry.session, node.name));
      for (const auto& choice : node.choices) {
        const Action action{Direction::Send, peer, system_.labels.intern(choice.label), sort_of(choice.payload),
                            kNoGuard};
        machine.add_transition(machine.initial, machine.initial, {action, choice.location});
      }
    }
    return machine;
  }

  // Messages `role` may be sent: every send of another machine addressed to
  // it, as (label, payload) with the location of one such send.
  std::map<std::pair<LabelId, SortId>, SourceLocation> sent_to(RoleId role, std::optional<RoleId> only_from) const {
    std::map<std::pair<LabelId, SortId>, SourceLocation> messages;
    for (RoleId from = 0; from < system_.machines.size(); ++from) {
      if (only_from && from != *only_from) continue;
      const auto& graph = system_.machines[from].graph;
      for (auto [edge, end] = boost::edges(graph); edge != end; ++edge) {
        const auto& action = graph[*edge].action;
        if (action.direction == Direction::Send && action.peer == role)
          messages.try_emplace({action.label, action.payload}, graph[*edge].location);
      }
    }
    return messages;
  }

  void receive_anything() {
    for (RoleId role = 0; role < system_.machines.size(); ++role) {
      if (!system_.is_environment(role)) continue;
      auto& machine = system_.machines[role];
      for (RoleId from = 0; from < system_.machines.size(); ++from)
        for (const auto& [message, location] : sent_to(role, from))
          machine.add_transition(machine.initial, machine.initial,
                                 {Action{Direction::Receive, from, message.first, message.second, kNoGuard}, location});
    }
  }

  // `_ . T` receives every message the peer may send to the role that the
  // branch does not name; for a label the branch names with guards, the
  // messages none of those guards accepts (when there are any: Z3 decides).
  void expand_wildcards() {
    for (const PendingWildcard& wildcard : wildcards_) {
      const auto& node = context_.node(wildcard.node);
      WildcardUse use{wildcard.role, wildcard.state, wildcard.peer, wildcard.location, {}};
      for (const auto& [message, location] : sent_to(wildcard.role, wildcard.peer)) {
        const auto [label, payload] = message;
        std::vector<refine::GuardId> guards;
        bool named = false;
        for (std::uint32_t index = 0; index < node.choices.size(); ++index) {
          const auto& choice = node.choices[index];
          if (choice.kind != syntax::ChoiceKind::Message || choice.label != system_.labels.name(label) ||
              !from_peer(wildcard, node, choice))
            continue;
          named = true;
          const auto guard = refinements_.choice_guards.find({wildcard.node, index});
          if (guard == refinements_.choice_guards.end()) {
            guards.clear();  // an unguarded branch takes the whole label
            break;
          }
          guards.push_back(guard->second);
        }
        GuardId residual = kNoGuard;
        if (named) {
          if (guards.empty()) continue;
          const auto made = residual_guard(wildcard, label, guards);
          if (!made) continue;  // the guards leave nothing for the wildcard
          residual = *made;
        }
        const Action action{Direction::Receive, wildcard.peer, label, payload, residual};
        system_.machines[wildcard.role].add_transition(wildcard.state, wildcard.target, {action, wildcard.location});
        use.absorbed.push_back({label, payload, residual});
      }
      system_.wildcards.push_back(std::move(use));
    }
  }

  // Whether `choice` of the wildcard's state receives from the wildcard's peer.
  bool from_peer(const PendingWildcard& wildcard, const syntax::TypeNode& node, const syntax::Choice& choice) const {
    const std::string& peer = syntax::peer_of(node, choice);
    if (peer.empty()) return false;  // the timeout of a several-peer branch
    return roles_.at(role_key(context_.entries[wildcard.role].session, peer)) == wildcard.peer;
  }

  // ¬(g1 ∨ … ∨ gn) as a guard of its own, unless Z3 proves that no message
  // falls outside the guards (then the wildcard takes nothing of the label).
  std::optional<GuardId> residual_guard(const PendingWildcard& wildcard, LabelId label,
                                        const std::vector<refine::GuardId>& guards) {
    if (!solver_) solver_ = std::make_unique<refine::GuardSolver>(refinements_);
    if (solver_->check({}, guards).answer == refine::QueryResult::Answer::Unsatisfiable) return std::nullopt;
    std::vector<const refine::Program*> programs;
    for (const auto id : guards) programs.push_back(&refinements_.guards[id].program);
    const refine::Guard& model = refinements_.guards[guards.front()];
    refine::Guard residual;
    residual.program = refine::none_of(programs);
    residual.role = model.role;
    residual.payload = model.payload;
    residual.binder = model.binder;
    residual.text = fmt::format("none of the other '{}' branches", system_.labels.name(label));
    residual.location = wildcard.location;
    refinements_.guards.push_back(std::move(residual));
    return static_cast<GuardId>(refinements_.guards.size() - 1);
  }

  SortId sort_of(const PayloadSort& payload) {
    // Ground sorts are identified by name, session payloads by their node:
    // equal-looking session types stay distinct sorts but are related by
    // subtyping both ways, which is all the semantics asks.
    const std::string key = payload.kind == PayloadSort::Kind::Ground ? "ground:" + payload.ground
                                                                       : fmt::format("session:{}", payload.session);
    auto [it, inserted] = sorts_.try_emplace(key, 0);
    if (inserted) {
      const bool implicit_end = payload.kind == PayloadSort::Kind::Session && payload.session == syntax::kNoType;
      std::optional<std::string> session;
      if (payload.kind == PayloadSort::Kind::Session && !implicit_end)
        session = syntax::print_closed_payload(context_, payload).value_or("");
      it->second =
          system_.sorts.add(implicit_end ? std::string() : syntax::print_payload(context_, payload), std::move(session));
      payloads_.push_back(payload);
    }
    return it->second;
  }

  void relate_sorts() {
    for (SortId sub = 0; sub < payloads_.size(); ++sub)
      for (SortId super = 0; super < payloads_.size(); ++super)
        if (sub != super && is_payload_subtype(context_, payloads_[sub], payloads_[super]))
          system_.sorts.set_subsort(sub, super);
  }

  const Context& context_;
  refine::Refinements refinements_;
  System system_;
  std::map<std::string, RoleId> roles_;
  std::map<std::string, SortId> sorts_;
  std::vector<PayloadSort> payloads_;  // index = SortId
  std::vector<PendingWildcard> wildcards_;
  std::unique_ptr<refine::GuardSolver> solver_;  // made on the first residual guard
};

}  // namespace

std::optional<System> system_from_context(const Context& context, Diagnostics& diagnostics) {
  std::optional<refine::Refinements> refinements = refine::compile_refinements(context, diagnostics);
  if (!refinements) return std::nullopt;
  return Translation(context, std::move(*refinements)).run();
}

System system_from_context(const Context& context) {
  Diagnostics diagnostics;
  std::optional<System> system = system_from_context(context, diagnostics);
  if (!system) {
    std::string messages;
    for (const auto& diagnostic : diagnostics.all())
      messages += fmt::format("\n{}:{}: {}", diagnostic.location.line, diagnostic.location.column, diagnostic.message);
    throw std::invalid_argument("the context's guards, constants or timeouts are ill-typed:" + messages);
  }
  return std::move(*system);
}

}  // namespace lim::automata
