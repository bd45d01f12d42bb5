#include "lim/properties/synchronous_properties.hpp"

#include <array>

namespace lim::properties {
namespace {

constexpr std::array<std::pair<SyncProperty, std::string_view>, 7> kNames{{
    {SyncProperty::Safety, "safety"},
    {SyncProperty::DeadlockFreedom, "deadlock-freedom"},
    {SyncProperty::Termination, "termination"},
    {SyncProperty::NeverTermination, "never-termination"},
    {SyncProperty::Liveness, "liveness"},
    {SyncProperty::LivenessPlus, "liveness+"},
    {SyncProperty::LivenessPlusPlus, "liveness++"},
}};

}  // namespace

const std::vector<SyncProperty>& all_sync_properties() {
  static const std::vector<SyncProperty> all = [] {
    std::vector<SyncProperty> properties;
    for (const auto& [property, spelling] : kNames) properties.push_back(property);
    return properties;
  }();
  return all;
}

std::string_view name(SyncProperty property) {
  for (const auto& [candidate, spelling] : kNames)
    if (candidate == property) return spelling;
  return "?";
}

std::optional<SyncProperty> parse_sync_property(std::string_view text) {
  for (const auto& [property, spelling] : kNames)
    if (spelling == text) return property;
  // mpstk's own aliases on its command line
  if (text == "deadlock-free" || text == "deadlock") return SyncProperty::DeadlockFreedom;
  if (text == "safe") return SyncProperty::Safety;
  if (text == "live") return SyncProperty::Liveness;
  if (text == "live+") return SyncProperty::LivenessPlus;
  if (text == "live++") return SyncProperty::LivenessPlusPlus;
  return std::nullopt;
}

bool is_reachability_property(SyncProperty property) {
  return property == SyncProperty::Safety || property == SyncProperty::DeadlockFreedom ||
         property == SyncProperty::NeverTermination;
}

StateStorage storage_for(StateStorage requested, const std::vector<SyncProperty>& properties) {
  if (requested == StateStorage::Graph) return StateStorage::Graph;
  for (const auto property : properties)
    if (!is_reachability_property(property)) return StateStorage::Graph;
  return StateStorage::Compact;
}

report::PropertyResult check(SyncProperty property, const SynchronousSemantics& semantics,
                             const explore::StateSpace& space) {
  switch (property) {
    case SyncProperty::Safety: return check_safety(semantics, space);
    case SyncProperty::DeadlockFreedom: return check_deadlock_freedom(semantics, space);
    case SyncProperty::Termination: return check_termination(semantics, space);
    case SyncProperty::NeverTermination: return check_never_termination(semantics, space);
    case SyncProperty::Liveness:
    case SyncProperty::LivenessPlus:
    case SyncProperty::LivenessPlusPlus: return check_liveness(semantics, space, property);
  }
  return {};
}

}  // namespace lim::properties
