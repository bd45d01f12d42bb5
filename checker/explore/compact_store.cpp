#include "lim/explore/compact_store.hpp"

#include <algorithm>
#include <optional>

namespace lim::explore {

CompactStore::CompactStore(std::size_t words_per_state) : width_(std::max<std::size_t>(1, words_per_state)) {
  for (std::uint32_t word = 0; word < width_; ++word) {
    fields_.push_back({word, 0, 32});
    fields_.push_back({word, 32, 32});
  }
  build_tree();
}

CompactStore::CompactStore(const PackedLayout& layout) : width_(std::max<std::size_t>(1, layout.word_count())) {
  // A word's fields lie back to back from bit 0 (PackedLayout::place), so
  // each one ends where the next starts and the last at the used bits.
  for (std::uint32_t word = 0; word < width_; ++word) {
    const auto starts = layout.field_starts(word);
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const unsigned end = i + 1 < starts.size() ? starts[i + 1] : layout.used_bits(word);
      if (end > starts[i])
        fields_.push_back({word, static_cast<std::uint8_t>(starts[i]), static_cast<std::uint8_t>(end - starts[i])});
    }
  }
  build_tree();
}

void CompactStore::build_tree() {
  starts_.assign(1, 0);
  for (const auto& field : fields_) starts_.push_back(starts_.back() + field.width);
  nodes_.reserve(2 * fields_.size() + 2);
  build(0, fields_.size(), true);
  ids_.resize(nodes_.size());
  // Post-order: the root's left subtree is every node up to its left child.
  root_ = nodes_.size() - 1;
  below_root_mask_ = root_ >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << root_) - 1;
  split_ = static_cast<std::uint32_t>(nodes_.back().left + 1);
  for (std::uint32_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].left < 0) leaves_.push_back(i);
}

std::uint32_t CompactStore::leaf(std::size_t first, std::size_t last) {
  Node node;
  node.first = starts_[first];
  node.last = starts_[last];
  int piece = -1;
  for (std::size_t i = first; i < last; ++i) {
    const auto& field = fields_[i];
    if (piece < 0 || node.word[piece] != field.word) {
      ++piece;  // at most 1: build() made the leaf so
      node.word[piece] = field.word;
      node.shift[piece] = field.shift;
    }
    node.width[piece] = static_cast<std::uint8_t>(node.width[piece] + field.width);
  }
  for (int p = 0; p < 2; ++p) node.mask[p] = (std::uint64_t{1} << node.width[p]) - 1;
  nodes_.push_back(std::move(node));
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

std::uint32_t CompactStore::build(std::size_t first, std::size_t last, bool root) {
  const std::uint32_t bits = starts_[last] - starts_[first];
  const bool two_words = last > first && fields_[last - 1].word > fields_[first].word + 1;
  if (!root && bits <= 32 && !two_words) return leaf(first, last);
  Node node;
  node.first = starts_[first];
  node.last = starts_[last];
  if (last - first < 2) {
    // One field or none, and the root: a leaf beside an empty one.
    node.left = static_cast<std::int32_t>(leaf(first, last));
    node.right = static_cast<std::int32_t>(leaf(last, last));
  } else {
    // At the field boundary nearest the middle of the bits.
    const std::uint32_t middle = starts_[first] + bits / 2;
    std::size_t cut = first + 1;
    for (std::size_t c = first + 1; c < last; ++c) {
      const auto distance = [&](std::size_t at) { return starts_[at] > middle ? starts_[at] - middle : middle - starts_[at]; };
      if (distance(c) < distance(cut)) cut = c;
    }
    node.left = static_cast<std::int32_t>(build(first, cut, false));
    node.right = static_cast<std::int32_t>(build(cut, last, false));
  }
  nodes_.push_back(std::move(node));
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

CompactStore::Root CompactStore::prepare(std::span<const std::uint64_t> words) {
  // Every level below the root is interned even when the configuration
  // turns out to be known: its subtrees are then known too, and found.
  const std::size_t root = nodes_.size() - 1;
  for (std::size_t i = 0; i < root; ++i) {
    auto& node = nodes_[i];
    ids_[i] = node.left < 0 ? node.intern(node.extract(words), 0) : node.intern(ids_[node.left], ids_[node.right]);
  }
  // The root covers two halves at least, so it is an inner node.
  const auto& top = nodes_[root];
  const std::uint32_t left = ids_[top.left], right = ids_[top.right];
  return {left, right, TreeTable::hash(left, right)};
}

CompactStore::Base CompactStore::base() const {
  Base base;
  base.words_.assign(width_, 0);
  base.ids_.assign(nodes_.size(), 0);
  base.values_.assign(nodes_.size(), 0);
  return base;
}

void CompactStore::get(StateIndex index, Base& base) const { rebuild(index, base.words_, base.ids_, base.values_); }

std::optional<StateIndex> CompactStore::find(const Root& root) const {
  return nodes_.back().table.find(root.left, root.right, root.hash);
}

std::optional<StateIndex> CompactStore::find(std::span<const std::uint64_t> words) const {
  const std::size_t root = nodes_.size() - 1;
  for (std::size_t i = 0; i < root; ++i) {
    const auto& node = nodes_[i];
    const std::uint32_t left = node.left < 0 ? node.extract(words) : ids_[node.left];
    const std::uint32_t right = node.left < 0 ? 0 : ids_[node.right];
    const auto id = node.table.find(left, right, TreeTable::hash(left, right));
    if (!id) return std::nullopt;
    ids_[i] = *id;
  }
  const auto& top = nodes_[root];
  const std::uint32_t left = ids_[top.left], right = ids_[top.right];
  return find(Root{left, right, TreeTable::hash(left, right)});
}

void CompactStore::get(StateIndex index, std::span<std::uint64_t> words) const { rebuild(index, words, ids_); }

void CompactStore::rebuild(StateIndex index, std::span<std::uint64_t> words, std::span<std::uint32_t> ids,
                           std::span<std::uint32_t> values) const {
  std::fill(words.begin(), words.end(), 0);
  // Top-down: a node's id names its children's ids.
  ids.back() = index;
  for (std::size_t i = nodes_.size(); i-- > 0;) {
    const auto& node = nodes_[i];
    const std::uint32_t id = ids[i];
    if (node.left < 0) {
      const std::uint32_t value = node.table.left(id);
      node.deposit(value, words);
      if (!values.empty()) values[i] = value;
      continue;
    }
    const auto halves = node.table.halves(id);
    ids[node.left] = halves.left;
    ids[node.right] = halves.right;
  }
}

std::uint64_t CompactStore::nodes_over(std::uint32_t word, unsigned shift, unsigned width) const {
  if (root_ > 64) return ~std::uint64_t{0};
  std::uint64_t nodes = 0;
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    const auto& field = fields_[k];
    if (field.word != word) continue;
    const unsigned low = std::max<unsigned>(shift, field.shift);
    const unsigned high = std::min<unsigned>(shift + width, field.shift + field.width);
    if (low >= high) continue;
    // The overlap's place in the used-bit sequence, which nodes cover.
    const std::uint32_t first = starts_[k] + (low - field.shift), last = starts_[k] + (high - field.shift);
    for (std::size_t i = 0; i < root_; ++i)
      if (nodes_[i].first < last && first < nodes_[i].last) nodes |= std::uint64_t{1} << i;
  }
  return nodes;
}

std::size_t CompactStore::memory_bytes() const {
  return fixed_memory_bytes() + nodes_memory_bytes(0, below_root_nodes()) + root_memory_bytes();
}

std::size_t CompactStore::fixed_memory_bytes() const {
  return (ids_.capacity() + leaves_.capacity() + starts_.capacity()) * sizeof(std::uint32_t) +
         nodes_.capacity() * sizeof(Node) + fields_.capacity() * sizeof(Field);
}

std::size_t CompactStore::nodes_memory_bytes(std::size_t first, std::size_t last) const {
  std::size_t bytes = 0;
  for (std::size_t i = first; i < last; ++i) bytes += nodes_[i].memory_bytes();
  return bytes;
}

std::vector<CompactStore::NodeFigures> CompactStore::node_figures() const {
  std::vector<NodeFigures> figures;
  for (const auto& node : nodes_) figures.push_back({node.first, node.last, node.table.size(), node.memory_bytes(), node.left < 0});
  return figures;
}

}  // namespace lim::explore
