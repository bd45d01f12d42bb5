#include "lim/automata/from_local_types.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "lim/automata/payload_subtyping.hpp"
#include "lim/syntax/printer.hpp"

namespace lim::automata {
namespace {

using syntax::Context;
using syntax::PayloadSort;
using syntax::TypeId;
using syntax::TypeKind;

std::string role_key(const std::string& session, const std::string& role) {
  return session + "[" + role + "]";
}

class Translation {
 public:
  explicit Translation(const Context& context) : context_(context) {}

  System run() {
    std::set<std::string> sessions;
    for (const auto& entry : context_.entries) sessions.insert(entry.session);
    const bool qualify = sessions.size() > 1;
    for (const auto& entry : context_.entries) {
      roles_.emplace(role_key(entry.session, entry.role), static_cast<RoleId>(roles_.size()));
      system_.role_names.push_back(qualify ? fmt::format("{}[{}]", entry.session, entry.role)
                                           : entry.role);
      system_.role_locations.push_back(entry.location);
    }
    for (const auto& entry : context_.entries) system_.machines.push_back(translate(entry));
    relate_sorts();
    system_.freeze();
    return std::move(system_);
  }

 private:
  Cfsm translate(const syntax::RoleEntry& entry) {
    Cfsm machine;
    std::unordered_map<TypeId, StateId> states;
    std::vector<TypeId> worklist;
    auto state_of = [&](TypeId type) {
      const TypeId head = syntax::unfold(context_, type);
      auto [it, inserted] = states.try_emplace(head, 0);
      if (inserted) {
        it->second = machine.add_state(
            {fmt::format("q{}", states.size() - 1), context_.node(head).location});
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
      const RoleId peer = roles_.at(role_key(entry.session, node.name));
      for (const auto& choice : node.choices) {
        const Action action{direction, peer, system_.labels.intern(choice.label),
                            sort_of(choice.payload)};
        const StateId target = state_of(choice.continuation);
        machine.add_transition(source, target, {action, choice.location});
      }
    }
    return machine;
  }

  SortId sort_of(const PayloadSort& payload) {
    // Ground sorts are identified by name, session payloads by their node:
    // equal-looking session types stay distinct sorts but are related by
    // subtyping both ways, which is all the semantics asks.
    const std::string key = payload.kind == PayloadSort::Kind::Ground
                                ? "ground:" + payload.ground
                                : fmt::format("session:{}", payload.session);
    auto [it, inserted] = sorts_.try_emplace(key, 0);
    if (inserted) {
      const bool implicit_end =
          payload.kind == PayloadSort::Kind::Session && payload.session == syntax::kNoType;
      it->second = system_.sorts.add(implicit_end ? std::string() : syntax::print_payload(context_, payload));
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
  System system_;
  std::map<std::string, RoleId> roles_;
  std::map<std::string, SortId> sorts_;
  std::vector<PayloadSort> payloads_;  // index = SortId
};

}  // namespace

System system_from_context(const Context& context) { return Translation(context).run(); }

}  // namespace lim::automata
