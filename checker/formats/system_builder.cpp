#include "system_builder.hpp"

namespace lim::formats {

automata::RoleId SystemBuilder::add_role(std::string name, SourceLocation location) {
  system_.role_names.push_back(std::move(name));
  system_.role_locations.push_back(location);
  system_.machines.emplace_back();
  return static_cast<automata::RoleId>(system_.machines.size() - 1);
}

automata::Action SystemBuilder::action(automata::Direction direction, automata::RoleId peer, std::string_view label,
                                       std::string_view payload) {
  auto [it, inserted] = sorts_.try_emplace(std::string(payload), 0);
  if (inserted) it->second = system_.sorts.add(std::string(payload));
  return {direction, peer, system_.labels.intern(label), it->second};
}

automata::System SystemBuilder::finish() {
  system_.freeze();
  return std::move(system_);
}

}  // namespace lim::formats
