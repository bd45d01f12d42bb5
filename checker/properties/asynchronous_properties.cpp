// Names of the asynchronous properties, spelled like mpstk's synchronous
// ones (REFERENCE §6), and which of them the compact store can decide.
#include "lim/properties/asynchronous_properties.hpp"

namespace lim::properties {

const std::vector<AsyncProperty>& all_async_properties() {
  static const std::vector<AsyncProperty> all = {
      AsyncProperty::Csa,           AsyncProperty::Directedness, AsyncProperty::KObi,
      AsyncProperty::KSibi,         AsyncProperty::KCibi,        AsyncProperty::KExhaustivity,
      AsyncProperty::KSafety,       AsyncProperty::KMc,          AsyncProperty::DeadlockFreedom,
      AsyncProperty::OrphanMessages};
  return all;
}

const std::vector<AsyncProperty>& default_async_properties() {
  static const std::vector<AsyncProperty> defaults = {
      AsyncProperty::Csa,     AsyncProperty::Directedness, AsyncProperty::KObi,
      AsyncProperty::KSibi,   AsyncProperty::KExhaustivity, AsyncProperty::KSafety,
      AsyncProperty::KMc,     AsyncProperty::DeadlockFreedom, AsyncProperty::OrphanMessages};
  return defaults;
}

std::string_view name(AsyncProperty property) {
  switch (property) {
    case AsyncProperty::Csa: return "csa";
    case AsyncProperty::Directedness: return "directedness";
    case AsyncProperty::KObi: return "k-obi";
    case AsyncProperty::KSibi: return "k-sibi";
    case AsyncProperty::KCibi: return "k-cibi";
    case AsyncProperty::KExhaustivity: return "k-exhaustivity";
    case AsyncProperty::KSafety: return "k-safety";
    case AsyncProperty::KMc: return "k-mc";
    case AsyncProperty::DeadlockFreedom: return "async-deadlock-freedom";
    case AsyncProperty::OrphanMessages: return "orphan-messages";
  }
  return "?";
}

std::optional<AsyncProperty> parse_async_property(std::string_view text) {
  for (const auto property : all_async_properties())
    if (name(property) == text) return property;
  // kmc's and the papers' other spellings.
  if (text == "basic" || text == "directed") return AsyncProperty::Directedness;
  if (text == "k-exhaustive") return AsyncProperty::KExhaustivity;
  if (text == "k-safe") return AsyncProperty::KSafety;
  return std::nullopt;
}

bool is_reachability_property(AsyncProperty property, const automata::System& system) {
  switch (property) {
    case AsyncProperty::Csa:
    case AsyncProperty::Directedness:
    case AsyncProperty::KObi:
    case AsyncProperty::OrphanMessages: return true;
    case AsyncProperty::DeadlockFreedom:
      for (automata::RoleId role = 0; role < system.role_count(); ++role)
        if (system.is_environment(role)) return false;
      return true;
    default: return false;
  }
}

StateStorage storage_for(StateStorage requested, const std::vector<AsyncProperty>& properties,
                         const automata::System& system) {
  if (requested == StateStorage::Graph) return StateStorage::Graph;
  for (const auto property : properties)
    if (!is_reachability_property(property, system)) return StateStorage::Graph;
  return StateStorage::Compact;
}

bool depends_on_k(AsyncProperty property) {
  return property != AsyncProperty::Csa && property != AsyncProperty::Directedness;
}

}  // namespace lim::properties
