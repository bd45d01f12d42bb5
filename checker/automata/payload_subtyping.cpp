#include "lim/automata/payload_subtyping.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace lim::automata {
namespace {

using syntax::Choice;
using syntax::Context;
using syntax::kNoType;
using syntax::PayloadSort;
using syntax::TypeId;
using syntax::TypeKind;

// The choice of `label` (to or from `peer`, in a several-peer node).
const Choice* find_choice(const std::vector<Choice>& choices, const Choice& like) {
  auto it = std::find_if(choices.begin(), choices.end(), [&](const Choice& choice) {
    return choice.label == like.label && choice.peer == like.peer && choice.kind == like.kind;
  });
  return it == choices.end() ? nullptr : &*it;
}

// Subtyping here is a conjunction of obligations (no rule offers
// alternatives), so the greatest fixpoint is: assume every pair met so far,
// fail on the first pair whose head constructors disagree.
class SubtypingCheck {
 public:
  explicit SubtypingCheck(const Context& context) : context_(context) {}

  bool holds(const PayloadSort& sub, const PayloadSort& super) {
    if (!relate(sub, super)) return false;
    while (!pending_.empty()) {
      auto [left, right] = pending_.back();
      pending_.pop_back();
      if (!step(left, right)) return false;
    }
    return true;
  }

 private:
  // Ground sorts are compared at once; session payloads become obligations.
  bool relate(const PayloadSort& sub, const PayloadSort& super) {
    if (sub.kind != super.kind) return false;
    if (sub.kind == PayloadSort::Kind::Ground) return sub.ground == super.ground;
    obligate(sub.session, super.session);
    return true;
  }

  void obligate(TypeId sub, TypeId super) {
    auto pair = std::make_pair(head(sub), head(super));
    if (assumed_.insert(pair).second) pending_.push_back(pair);
  }

  // kNoType (the implicit `end` payload) maps to itself and means `end`.
  TypeId head(TypeId type) const { return type == kNoType ? kNoType : syntax::unfold(context_, type); }
  TypeKind kind(TypeId type) const { return type == kNoType ? TypeKind::End : context_.node(type).kind; }

  bool step(TypeId sub, TypeId super) {
    const auto sub_kind = kind(sub);
    if (sub_kind != kind(super)) return false;
    if (sub_kind == TypeKind::End) return true;
    const auto& left = context_.node(sub);
    const auto& right = context_.node(super);
    if (left.name != right.name) return false;
    const bool branch = sub_kind == TypeKind::Branch;
    // Branch: the subtype offers fewer inputs; select: it makes more outputs.
    const auto& fewer = branch ? left.choices : right.choices;
    const auto& more = branch ? right.choices : left.choices;
    for (const auto& choice : fewer) {
      const Choice* match = find_choice(more, choice);
      if (match == nullptr) return false;
      const Choice& sub_choice = branch ? choice : *match;
      const Choice& super_choice = branch ? *match : choice;
      // Payloads are covariant in inputs, contravariant in outputs.
      const bool payloads_related = branch ? relate(sub_choice.payload, super_choice.payload)
                                           : relate(super_choice.payload, sub_choice.payload);
      if (!payloads_related) return false;
      obligate(sub_choice.continuation, super_choice.continuation);
    }
    return true;
  }

  const Context& context_;
  std::set<std::pair<TypeId, TypeId>> assumed_;
  std::vector<std::pair<TypeId, TypeId>> pending_;
};

}  // namespace

bool is_payload_subtype(const Context& context, const PayloadSort& sub, const PayloadSort& super) {
  return SubtypingCheck(context).holds(sub, super);
}

}  // namespace lim::automata
