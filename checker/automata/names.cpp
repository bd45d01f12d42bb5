#include "lim/automata/names.hpp"

namespace lim::automata {

std::uint32_t NameTable::intern(std::string_view name) {
  auto [it, inserted] = ids_.try_emplace(std::string(name), size());
  if (inserted) names_.emplace_back(name);
  return it->second;
}

std::uint32_t NameTable::find(std::string_view name) const {
  auto it = ids_.find(std::string(name));
  return it == ids_.end() ? size() : it->second;
}

}  // namespace lim::automata
