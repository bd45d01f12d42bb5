#pragma once
// Interning of role names, labels and payload sorts: the engine handles small
// integers, reports turn them back into the user's spelling.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lim::automata {

class NameTable {
 public:
  std::uint32_t intern(std::string_view name);
  // The id of `name`, or size() when it was never interned.
  std::uint32_t find(std::string_view name) const;
  const std::string& name(std::uint32_t id) const { return names_.at(id); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(names_.size()); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint32_t> ids_;
};

}  // namespace lim::automata
