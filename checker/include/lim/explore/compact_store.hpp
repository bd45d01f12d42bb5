#pragma once
// The set of visited configurations without their vectors: each word of a
// packed configuration (PackedLayout) cut into two halves at the middle of
// the bits its fields use, and the halves combined pairwise, level by level, into a binary tree whose every
// node lives in a TreeTable of its own. A configuration is then the id of
// its root pair: the tables below hold each distinct half, quarter, ...
// once, however many configurations share it, which is what makes a
// product of independent parts (most protocols) cost little more than the
// root level. Lossless: a configuration is rebuilt from its index.
//
// Cutting at the middle of the used bits rather than at bit 32 matters: a
// 42-bit configuration cut 32 + 10 has nearly as many distinct low halves
// as configurations, and 21 + 21 about the square root of that.
//
// Index order is insertion order, as in StateStore, so that the BFS that
// fills it numbers configurations by distance.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lim/explore/packed_layout.hpp"
#include "lim/explore/state_store.hpp"
#include "lim/explore/tree_table.hpp"

namespace lim::explore {

class CompactStore {
 public:
  // Each word cut at bit 32.
  explicit CompactStore(std::size_t words_per_state = 1);
  // Each word cut at the middle of the bits the layout uses in it.
  explicit CompactStore(const PackedLayout& layout);

  // A configuration's root pair, its subtrees already interned: what a
  // caller keeps between prepare() and insert() to prefetch the root slots
  // of a batch of configurations before inserting them.
  struct Root {
    std::uint32_t left;
    std::uint32_t right;
    std::uint64_t hash;
  };
  Root prepare(std::span<const std::uint64_t> words);
  // A stored configuration with the ids of its tree's nodes, as get()
  // rebuilds it. A successor differs from its source in a few fields (a
  // move changes a role and one queue), hence in one or two halves: given
  // its source as a base, prepare() re-interns only the nodes whose halves
  // differ and takes the others' ids from the base, as LTSmin's incremental
  // tree compression does. Ids are those of a set of pairs, so a node whose
  // children's ids are the base's has the base's id: the Root is the same.
  class Base {
   public:
    std::span<const std::uint64_t> words() const { return words_; }

   private:
    friend class CompactStore;
    std::vector<std::uint64_t> words_;
    std::vector<std::uint32_t> ids_;  // per node
  };
  // One sized for this store, to be filled by get().
  Base base() const;
  void get(StateIndex index, Base& base) const;
  Root prepare(std::span<const std::uint64_t> words, const Base& base);
  // The slots prepare(words, base) will probe first in the leaves whose
  // halves differ from the base's, so that a batch's leaf lookups overlap.
  void prefetch_leaves(std::span<const std::uint64_t> words, const Base& base) const {
    for (const auto leaf : leaves_) {
      const auto& node = nodes_[leaf];
      const std::uint32_t value = half(words, node.first);
      if (value != half(base.words_, node.first)) node.table.prefetch(TreeTable::hash(value, 0));
    }
  }
  void prefetch(const Root& root) const { nodes_.back().table.prefetch(root.hash); }
  void make_room(std::size_t additional) { nodes_.back().table.make_room(additional); }
  StateStore::Insertion insert(const Root& root);
  StateStore::Insertion insert(std::span<const std::uint64_t> words) { return insert(prepare(words)); }
  std::optional<StateIndex> find(const Root& root) const;
  std::optional<StateIndex> find(std::span<const std::uint64_t> words) const;
  // The packed words of configuration `index`.
  void get(StateIndex index, std::span<std::uint64_t> words) const;
  std::size_t size() const { return nodes_.back().table.size(); }
  std::size_t words_per_state() const { return width_; }
  std::size_t memory_bytes() const;
  // Each node of the tree, children before parents and the root last: which
  // halves it covers, how many distinct pairs it holds and what it costs.
  // What shows whether the cut keeps the halves independent (few pairs below
  // the root) or not (children nearly as large as the root).
  struct NodeFigures {
    std::uint32_t first, last;
    std::size_t pairs, bytes;
  };
  std::vector<NodeFigures> node_figures() const;
  // Per word: the bits of its low half.
  std::span<const std::uint8_t> cuts() const { return cut_; }

 private:
  // A node covers the halves [first, last); a leaf (one half) interns the
  // pair (half, 0), an inner node the ids of its two children. Children
  // precede their parent, the root is last.
  struct Node {
    TreeTable table;
    std::uint32_t first, last;
    std::int32_t left = -1, right = -1;  // child nodes; -1 for a leaf
  };
  std::uint32_t build(std::uint32_t first, std::uint32_t last);
  // Fills `ids` (per node) top-down from the root id `index`.
  void rebuild(StateIndex index, std::span<std::uint64_t> words, std::span<std::uint32_t> ids) const;
  void build_tree();
  // Half `index` of the words: the low or high part of word index / 2.
  std::uint32_t half(std::span<const std::uint64_t> words, std::uint32_t index) const {
    const std::uint64_t word = words[index / 2];
    const unsigned cut = cut_[index / 2];
    return static_cast<std::uint32_t>(index % 2 == 0 ? (cut == 0 ? 0 : word & (~std::uint64_t{0} >> (64 - cut)))
                                                     : (cut == 64 ? 0 : word >> cut));
  }

  std::size_t width_;
  std::vector<std::uint8_t> cut_;  // per word: the bits of its low half
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> leaves_;  // the nodes that are leaves
  mutable std::vector<std::uint32_t> ids_;  // per node, scratch for one configuration
};

}  // namespace lim::explore
