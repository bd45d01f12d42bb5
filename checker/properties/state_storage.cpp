#include "lim/properties/state_storage.hpp"

namespace lim::properties {

std::string_view name(StateStorage storage) {
  switch (storage) {
    case StateStorage::Automatic: return "auto";
    case StateStorage::Graph: return "graph";
    case StateStorage::Compact: return "compact";
  }
  return "?";
}

std::optional<StateStorage> parse_state_storage(std::string_view text) {
  for (const auto storage : {StateStorage::Automatic, StateStorage::Graph, StateStorage::Compact})
    if (name(storage) == text) return storage;
  return std::nullopt;
}

}  // namespace lim::properties
