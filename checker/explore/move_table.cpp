#include "lim/explore/move_table.hpp"

namespace lim::explore {

std::uint32_t MoveTable::add(Move move, std::size_t slot) {
  const auto id = static_cast<std::uint32_t>(moves_.size());
  moves_.push_back(move);
  slots_[slot] = id + 1;
  // At most half full, so that probes stay short.
  if (moves_.size() * 2 > slots_.size()) {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (std::uint32_t placed = 0; placed < moves_.size(); ++placed) {
      std::size_t at = hash(key_of(moves_[placed])) & mask_;
      while (slots_[at] != 0) at = (at + 1) & mask_;
      slots_[at] = placed + 1;
    }
  }
  return id;
}

}  // namespace lim::explore
