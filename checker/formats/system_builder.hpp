#pragma once
// Assembling a System from a foreign format: role table, interned labels and
// payload sorts. The kmc formats have no payload subtyping, so every sort is
// related only to itself and the empty payload is the unit-like sort "".
// Private to checker/formats/.
#include <string>
#include <string_view>
#include <unordered_map>

#include "lim/automata/system.hpp"

namespace lim::formats {

class SystemBuilder {
 public:
  automata::RoleId add_role(std::string name, SourceLocation location);
  automata::Action action(automata::Direction direction, automata::RoleId peer, std::string_view label,
                          std::string_view payload);
  automata::Cfsm& machine(automata::RoleId role) { return system_.machines[role]; }
  const automata::System& system() const { return system_; }
  // Freezes the machines and hands the system over.
  automata::System finish();

 private:
  automata::System system_;
  std::unordered_map<std::string, automata::SortId> sorts_;
};

}  // namespace lim::formats
