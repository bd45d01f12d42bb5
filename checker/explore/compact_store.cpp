#include "lim/explore/compact_store.hpp"

#include <algorithm>
#include <optional>

namespace lim::explore {

CompactStore::CompactStore(std::size_t words_per_state)
    : width_(std::max<std::size_t>(1, words_per_state)), cut_(width_, 32) {
  build_tree();
}

CompactStore::CompactStore(const PackedLayout& layout)
    : width_(std::max<std::size_t>(1, layout.word_count())), cut_(width_) {
  // At the field boundary nearest the middle of the used bits, so that no
  // field is split; each half holds 32 bits at most.
  for (std::size_t word = 0; word < width_; ++word) {
    const unsigned used = layout.used_bits(word);
    const auto distance = [&](unsigned c) { return c > used / 2 ? c - used / 2 : used / 2 - c; };
    std::optional<unsigned> cut;
    for (const unsigned start : layout.field_starts(word))
      if (start <= 32 && used - start <= 32 && (!cut || distance(start) < distance(*cut))) cut = start;
    cut_[word] = static_cast<std::uint8_t>(cut.value_or((used + 1) / 2));
  }
  build_tree();
}

void CompactStore::build_tree() {
  nodes_.reserve(4 * width_);
  build(0, static_cast<std::uint32_t>(2 * width_));
  ids_.resize(nodes_.size());
  for (std::uint32_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].left < 0) leaves_.push_back(i);
}

std::uint32_t CompactStore::build(std::uint32_t first, std::uint32_t last) {
  Node node;
  node.first = first;
  node.last = last;
  if (last - first > 1) {
    const std::uint32_t middle = first + (last - first) / 2;
    node.left = static_cast<std::int32_t>(build(first, middle));
    node.right = static_cast<std::int32_t>(build(middle, last));
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
    ids_[i] = node.left < 0 ? node.table.insert(half(words, node.first), 0).id
                            : node.table.insert(ids_[node.left], ids_[node.right]).id;
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
  return base;
}

void CompactStore::get(StateIndex index, Base& base) const { rebuild(index, base.words_, base.ids_); }

CompactStore::Root CompactStore::prepare(std::span<const std::uint64_t> words, const Base& base) {
  const std::size_t root = nodes_.size() - 1;
  for (std::size_t i = 0; i < root; ++i) {
    auto& node = nodes_[i];
    if (node.left < 0) {
      const std::uint32_t value = half(words, node.first);
      ids_[i] = value == half(base.words_, node.first) ? base.ids_[i] : node.table.insert(value, 0).id;
    } else {
      const std::uint32_t left = ids_[node.left], right = ids_[node.right];
      ids_[i] = left == base.ids_[node.left] && right == base.ids_[node.right] ? base.ids_[i]
                                                                               : node.table.insert(left, right).id;
    }
  }
  const auto& top = nodes_[root];
  const std::uint32_t left = ids_[top.left], right = ids_[top.right];
  return {left, right, TreeTable::hash(left, right)};
}

StateStore::Insertion CompactStore::insert(const Root& root) {
  const auto insertion = nodes_.back().table.insert(root.left, root.right, root.hash);
  return {insertion.id, insertion.inserted};
}

std::optional<StateIndex> CompactStore::find(const Root& root) const {
  return nodes_.back().table.find(root.left, root.right, root.hash);
}

std::optional<StateIndex> CompactStore::find(std::span<const std::uint64_t> words) const {
  const std::size_t root = nodes_.size() - 1;
  for (std::size_t i = 0; i < root; ++i) {
    const auto& node = nodes_[i];
    const std::uint32_t left = node.left < 0 ? half(words, node.first) : ids_[node.left];
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

void CompactStore::rebuild(StateIndex index, std::span<std::uint64_t> words, std::span<std::uint32_t> ids) const {
  std::fill(words.begin(), words.end(), 0);
  // Top-down: a node's id names its children's ids.
  ids.back() = index;
  for (std::size_t i = nodes_.size(); i-- > 0;) {
    const auto& node = nodes_[i];
    const std::uint32_t id = ids[i];
    if (node.left < 0) {
      const std::uint64_t value = node.table.left(id);
      const unsigned cut = cut_[node.first / 2];
      if (node.first % 2 == 0)
        words[node.first / 2] |= value;
      else if (cut < 64)
        words[node.first / 2] |= value << cut;
      continue;
    }
    ids[node.left] = node.table.left(id);
    ids[node.right] = node.table.right(id);
  }
}

std::size_t CompactStore::memory_bytes() const {
  std::size_t bytes = (ids_.capacity() + leaves_.capacity()) * sizeof(std::uint32_t) + nodes_.capacity() * sizeof(Node);
  for (const auto& node : nodes_) bytes += node.table.memory_bytes();
  return bytes;
}

std::vector<CompactStore::NodeFigures> CompactStore::node_figures() const {
  std::vector<NodeFigures> figures;
  for (const auto& node : nodes_) figures.push_back({node.first, node.last, node.table.size(), node.table.memory_bytes()});
  return figures;
}

}  // namespace lim::explore
