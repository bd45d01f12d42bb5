#pragma once
// The set of visited configurations without their vectors: the bits a
// packed configuration's fields use (PackedLayout), taken as one sequence
// across its words, cut in two at the field boundary nearest the middle,
// each part cut again until it holds 32 bits at most (a leaf), and the
// parts combined pairwise, level by level, into the binary tree of those
// cuts, whose every node lives in a TreeTable of its own. A configuration
// is then the id of its root pair: the tables below hold each distinct
// half, quarter, ... once, however many configurations share it, which is
// what makes a product of independent parts (most protocols) cost little
// more than the root level. Lossless: a configuration is rebuilt from its
// index.
//
// Cutting at the middle of the used bits rather than at bit 32 matters: a
// 42-bit configuration cut 32 + 10 has nearly as many distinct low halves
// as configurations, and 21 + 21 about the square root of that. Cutting
// the sequence as a whole rather than word by word matters as much: a
// 66-bit configuration cut word by word (61 + 5 bits) gets a subtree for
// its 5 bits and above both a second table with a pair per configuration,
// twice the root's bytes and lookups; cut 33 + 33 it keeps one.
//
// Index order is insertion order, as in StateStore, so that the BFS that
// fills it numbers configurations by distance.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "lim/explore/packed_layout.hpp"
#include "lim/explore/pair_cache.hpp"
#include "lim/explore/state_store.hpp"
#include "lim/explore/tree_table.hpp"

namespace lim::explore {

class CompactStore {
 public:
  // Every bit of each word used, as two fields of 32 bits.
  explicit CompactStore(std::size_t words_per_state = 1);
  // The bits the layout's fields use, cut between fields.
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
    std::vector<std::uint32_t> ids_;     // per node
    std::vector<std::uint32_t> values_;  // per node: a leaf's bits, taken from words_ once for all successors
  };
  // One sized for this store, to be filled by get() or base_of().
  Base base() const;
  void get(StateIndex index, Base& base) const;
  // The nodes below the root interned in two runs, [0, handover) and
  // [handover, below_root_nodes()): the order in which prepare() interns
  // them puts children before parents, so the first run needs nothing of
  // the second. A pipelined exploration's generator interns the first and
  // its inserter the second and the root (pipelined_compact_explorer.hpp),
  // each table written by one thread and read by no other; where the
  // handover lies is what balances the two. prepare_nodes() writes the ids
  // of nodes [first, last) into `ids` (one per node below the root), and
  // root_of(ids) is the root once all of them are there.
  void prepare_nodes(std::span<const std::uint64_t> words, const Base& base, std::size_t first, std::size_t last,
                     std::span<std::uint32_t> ids) {
    intern(first, last, words, base, ids);
  }
  void prefetch_leaves(std::span<const std::uint64_t> words, const Base& base, std::size_t first,
                       std::size_t last) const {
    for (const auto leaf : leaves_)
      if (leaf >= first && leaf < last) prefetch_leaf(leaf, words, base);
  }
  Root root_of(std::span<const std::uint32_t> ids) const {
    const auto& top = nodes_.back();
    return root_of(ids[top.left], ids[top.right]);
  }
  static Root root_of(std::uint32_t left, std::uint32_t right) { return {left, right, TreeTable::hash(left, right)}; }
  // The handover that splits the tree at the root: the root's left child's
  // subtree, then its right child's.
  std::size_t root_split() const { return split_; }
  // A base put together from a configuration's words and the ids of its
  // nodes below the root: what the pipelined exploration expands from,
  // without reading the root table or looking a node up.
  std::size_t below_root_nodes() const { return root_; }
  void base_of(std::span<const std::uint64_t> words, std::span<const std::uint32_t> ids, Base& base) const {
    std::copy(words.begin(), words.end(), base.words_.begin());
    std::copy(ids.begin(), ids.end(), base.ids_.begin());
    for (const auto leaf : leaves_) base.values_[leaf] = nodes_[leaf].extract(words);
  }
  // The ids below the root of the base get() filled.
  static std::span<const std::uint32_t> below_root_ids(const Base& base) {
    return std::span<const std::uint32_t>(base.ids_).first(base.ids_.size() - 1);
  }
  Root prepare(std::span<const std::uint64_t> words, const Base& base) {
    // The left side's nodes precede the right side's: one pass interns
    // both in the order prepare(words) does.
    intern(0, root_, words, base, ids_);
    const auto& top = nodes_.back();
    return root_of(ids_[top.left], ids_[top.right]);
  }
  // The nodes below the root (bit i for node i) whose bits overlap bits
  // [shift, shift + width) of word `word`: the ones to intern again for a
  // successor whose move may write that field. Every node where there are
  // more than 64 below the root.
  std::uint64_t nodes_over(std::uint32_t word, unsigned shift, unsigned width) const;
  // prepare(words, base) for words that differ from the base's only in
  // fields whose nodes_over() are all in `changed`: the other nodes keep
  // the base's ids without a look at their bits. A move writes two or three
  // fields, which lie in one or two of the leaves.
  Root prepare(std::span<const std::uint64_t> words, const Base& base, std::uint64_t changed) {
    if (root_ > 64) return prepare(words, base);
    intern_changed(changed, words, base);
    const auto& top = nodes_.back();
    return root_of(ids_[top.left], ids_[top.right]);
  }
  // The slots prepare(words, base) will probe first in the leaves whose
  // halves differ from the base's, so that a batch's leaf lookups overlap.
  void prefetch_leaves(std::span<const std::uint64_t> words, const Base& base) const {
    for (const auto leaf : leaves_) prefetch_leaf(leaf, words, base);
  }
  void prefetch(const Root& root) const { nodes_.back().table.prefetch(root.hash); }
  void prefetch_pair(const Root& root) const { nodes_.back().table.prefetch_pair(root.hash); }
  void make_room(std::size_t additional) { nodes_.back().table.make_room(additional); }
  StateStore::Insertion insert(const Root& root) {
    const auto insertion = nodes_.back().table.insert(root.left, root.right, root.hash);
    return {insertion.id, insertion.inserted};
  }
  StateStore::Insertion insert(std::span<const std::uint64_t> words) { return insert(prepare(words)); }
  std::optional<StateIndex> find(const Root& root) const;
  std::optional<StateIndex> find(std::span<const std::uint64_t> words) const;
  // The packed words of configuration `index`.
  void get(StateIndex index, std::span<std::uint64_t> words) const;
  std::size_t size() const { return nodes_.back().table.size(); }
  std::size_t words_per_state() const { return width_; }
  std::size_t memory_bytes() const;
  // By part, for a pipelined exploration whose threads each count what
  // they write: the root's table, nodes [first, last)'s tables, and the
  // rest (the tree's shape, fixed once built).
  std::size_t root_memory_bytes() const { return nodes_.back().table.memory_bytes(); }
  // What the root table's next growth will first touch, when it is near
  // (TreeTable::next_growth_region): the one table that grows by hundreds
  // of megabytes at a time.
  std::pair<void*, std::size_t> root_growth_region() const { return nodes_.back().table.next_growth_region(); }
  // And the next `words` words of its pairs (TreeTable::pairs_growth_region).
  std::pair<void*, std::size_t> root_pairs_growth_region(std::size_t words) const {
    return nodes_.back().table.pairs_growth_region(words);
  }
  std::size_t nodes_memory_bytes(std::size_t first, std::size_t last) const;
  std::size_t fixed_memory_bytes() const;
  // Each node of the tree, children before parents and the root last: which
  // bits of the used-bit sequence it covers, how many distinct pairs it
  // holds and what it costs. What shows whether the cut keeps the halves
  // independent (few pairs below the root) or not (children nearly as
  // large as the root).
  struct NodeFigures {
    std::uint32_t first, last;
    std::size_t pairs, bytes;
    bool leaf;
  };
  std::vector<NodeFigures> node_figures() const;

 private:
  // A field as the tree sees it: where its bits are, in placement order.
  struct Field {
    std::uint32_t word;
    std::uint8_t shift, width;
  };
  // A node covers the bits [first, last) of the used-bit sequence. A leaf
  // holds 32 of them at most, so it touches two words at most (every word
  // but the last uses more than 32 bits: a field of 32 at most did not fit
  // in it), a piece of each; it interns the pair (bits, 0). An inner node
  // interns the ids of its two children. Children precede their parent,
  // the root is last.
  // Apart, one per cache line at least: in a pipelined exploration the
  // root and the nodes below it are written by different threads.
  struct alignas(64) Node {
    TreeTable table;
    std::uint32_t first = 0, last = 0;
    std::int32_t left = -1, right = -1;  // child nodes; -1 for a leaf
    // A leaf's pieces: bits [shift, shift + width) of word `word`, the
    // second above the first. A width of 0 is no piece.
    std::uint32_t word[2] = {0, 0};
    std::uint8_t shift[2] = {0, 0};
    std::uint8_t width[2] = {0, 0};
    std::uint64_t mask[2] = {0, 0};
    std::uint32_t extract(std::span<const std::uint64_t> words) const {
      return static_cast<std::uint32_t>((words[word[0]] >> shift[0] & mask[0]) |
                                        (words[word[1]] >> shift[1] & mask[1]) << width[0]);
    }
    void deposit(std::uint64_t value, std::span<std::uint64_t> words) const {
      words[word[0]] |= (value & mask[0]) << shift[0];
      words[word[1]] |= (value >> width[0] & mask[1]) << shift[1];
    }
    // The id of pair (left, right), interned if new: through the cache
    // first (pair_cache.hpp). Not for the root, whose pairs are one per
    // configuration and would not stay cached.
    std::uint32_t intern(std::uint32_t left, std::uint32_t right) {
      const std::uint64_t hash = TreeTable::hash(left, right);
      const std::uint32_t cached = cache.find(left, right, hash);
      if (cached != PairCache::kAbsent) return cached;
      const std::uint32_t id = table.insert(left, right, hash).id;
      cache.put(left, right, hash, id, table.size());
      return id;
    }
    std::size_t memory_bytes() const { return table.memory_bytes() + cache.memory_bytes(); }
    PairCache cache;
  };
  void prefetch_leaf(std::uint32_t leaf, std::span<const std::uint64_t> words, const Base& base) const {
    const auto& node = nodes_[leaf];
    const std::uint32_t value = node.extract(words);
    if (value != base.values_[leaf]) node.table.prefetch(TreeTable::hash(value, 0));
  }
  // Interns nodes [first, last) of `words` against `base` into `ids` (per
  // node): a node whose halves are the base's keeps the base's id. Inline,
  // with the tables' lookups: it runs for every successor.
  void intern(std::size_t first, std::size_t last, std::span<const std::uint64_t> words, const Base& base,
              std::span<std::uint32_t> ids) {
    for (std::size_t i = first; i < last; ++i) intern_node(i, words, base, ids);
  }
  // Out of line, as intern() is: inlined, it pushed the successor function
  // out of the explorer's loop.
  [[gnu::noinline]] void intern_changed(std::uint64_t changed, std::span<const std::uint64_t> words, const Base& base) {
    for (std::size_t i = 0; i < root_; ++i) ids_[i] = base.ids_[i];
    // Post-order: a node's bit comes after its children's.
    for (std::uint64_t left = changed & below_root_mask_; left != 0; left &= left - 1)
      intern_node(static_cast<std::size_t>(std::countr_zero(left)), words, base, ids_);
  }
  void intern_node(std::size_t i, std::span<const std::uint64_t> words, const Base& base,
                   std::span<std::uint32_t> ids) {
    auto& node = nodes_[i];
    if (node.left < 0) {
      const std::uint32_t value = node.extract(words);
      ids[i] = value == base.values_[i] ? base.ids_[i] : node.intern(value, 0);
    } else {
      const std::uint32_t left = ids[node.left], right = ids[node.right];
      ids[i] = left == base.ids_[node.left] && right == base.ids_[node.right] ? base.ids_[i]
                                                                             : node.intern(left, right);
    }
  }
  // The node of fields [first, last) of fields_; the root must be inner.
  std::uint32_t build(std::size_t first, std::size_t last, bool root);
  std::uint32_t leaf(std::size_t first, std::size_t last);
  // Fills `ids` (per node) top-down from the root id `index`, and a leaf's
  // bits into `values` (per node) too unless it is empty.
  void rebuild(StateIndex index, std::span<std::uint64_t> words, std::span<std::uint32_t> ids,
               std::span<std::uint32_t> values = {}) const;
  void build_tree();

  std::size_t width_;
  std::vector<Field> fields_;           // of nonzero width, in placement order
  std::vector<std::uint32_t> starts_;   // per field, its first bit in the sequence; one more at the end
  std::vector<Node> nodes_;
  std::size_t root_ = 0;      // the root's node, the last: nodes_.size() - 1 without a division by sizeof(Node)
  std::uint64_t below_root_mask_ = 0;  // bits [0, root_) when root_ <= 64
  std::uint32_t split_ = 0;  // nodes [0, split_) are the root's left subtree, [split_, root) its right
  std::vector<std::uint32_t> leaves_;  // the nodes that are leaves
  mutable std::vector<std::uint32_t> ids_;  // per node, scratch for one configuration
};

}  // namespace lim::explore
