#pragma once
// The compact exploration on two cores, as a pipeline of two threads that
// keeps the single thread's order: a generator expands the configurations
// in index order — successors generated, packed and interned in the tree's
// first nodes below the root (CompactStore::prepare_nodes up to the
// handover) — and an inserter interns them, in that same order, in the
// other nodes and inserts their roots, numbering the new ones and handing
// their words back to the generator as its next sources. Each table has one
// writer at a time and the other thread does not read it, so no table is
// shared and none needs a lock; the threads meet only at batches.
//
// Where the handover lies balances the two: how much the successor
// function costs against the root's lookups depends on the system and on
// how large the root has grown. Each thread times its work on a batch, and
// every few batches the generator moves the handover one node towards the
// busier thread's side, unless that side was measured slower there. A node
// passes to the inserter at any batch (the generator stops writing it from
// that batch on, and the inserter takes it up after the generator's last
// write, in batch order); it passes back only once every batch in flight
// is inserted. Because every table sees the same sequence of pairs as in
// one thread, and the root the same sequence of roots, every id, index,
// BFS layer and counterexample is the one thread's
// (tests/explore_parallel_test.cpp compares them).
//
// The generator reads its sources from what the inserter passed on (the
// frontier, a few layers' worth at most): the words of each new
// configuration and the ids of its nodes below the root, which the
// two threads found when they prepared it. So it neither rebuilds a source from
// the tree, whose root it may not read, nor looks its nodes up again.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "lim/explore/compact_space.hpp"
#include "lim/explore/prefaulter.hpp"

namespace lim::explore {

// Continues an exploration whose configurations [state, size) are not
// expanded yet, until it is complete, the state cap is reached, or
// `limits_reached(expanded, memory_bytes)` says to stop (it sets the
// completion). The handover may move every `balance_every` batches.
// `memory_ceiling` is the least memory limit in force, if any: the root
// table's next growth is faulted in ahead (prefaulter.hpp) only where it
// fits under it. Returns after both threads are done.
template <class Semantics, class LimitsReached>
void explore_compact_pipelined(const Semantics& semantics, CompactSpace& space, StateIndex state,
                               std::uint64_t state_cap, std::size_t balance_every, LimitsReached&& limits_reached,
                               std::optional<std::size_t> memory_ceiling = std::nullopt) {
  const std::size_t width = space.layout.word_count();
  const std::size_t fields = space.layout.field_count();
  const std::size_t nodes = space.states.below_root_nodes();
  // Sources per batch: large enough that the threads meet rarely, small
  // enough that a narrow first layer already feeds both.
  constexpr std::size_t kBatch = 256;
  constexpr std::size_t kInFlight = 4;  // batches generated ahead of the inserter
  struct Batch {
    StateIndex first = 0;                   // sources first, first + 1, ...
    std::size_t handover = 0;               // the generator interned nodes [0, handover)
    std::vector<std::size_t> ends;          // per source: the end of its successors
    std::vector<std::uint64_t> base_words;  // per source, what its successors are interned against
    std::vector<std::uint32_t> base_ids;
    // Per successor, [0, successors) of them: its width words and the ids
    // of its nodes below the root, sized to the most a batch has held (a
    // vector cleared and grown again per batch zero-filled it every time);
    // and its root, when the generator interned every node below the root.
    std::size_t successors = 0;
    std::vector<std::uint64_t> words;
    std::vector<std::uint32_t> ids;
    std::vector<CompactStore::Root> roots;
    std::size_t bytes() const {
      return (base_words.size() + words.size()) * sizeof(std::uint64_t) +
             (base_ids.size() + ids.size()) * sizeof(std::uint32_t) + roots.capacity() * sizeof(CompactStore::Root);
    }
  };
  using Clock = std::chrono::steady_clock;
  const auto nanoseconds_since = [](Clock::time_point since) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count());
  };
  struct Chunk {  // consecutive new configurations
    std::vector<std::uint64_t> words;
    std::vector<std::uint32_t> ids;
    std::size_t bytes() const { return words.size() * sizeof(std::uint64_t) + ids.size() * sizeof(std::uint32_t); }
  };

  std::mutex mutex;
  std::condition_variable to_generator, to_inserter;
  // Each thread waits for the other's next batch, tens of microseconds
  // away, as long as a futex sleep and wake-up take: it spins a while
  // first, watching `changes` (bumped after every change to what the two
  // share, under `mutex`), and only then sleeps.
  std::atomic<std::uint64_t> changes{0};
  const auto signal = [&](std::condition_variable& wake) {
    changes.fetch_add(1, std::memory_order_release);
    wake.notify_one();
  };
  const auto await = [&](std::condition_variable& wake, std::unique_lock<std::mutex>& lock, auto&& ready) {
    const auto deadline = Clock::now() + std::chrono::microseconds(200);
    while (!ready()) {
      const std::uint64_t seen = changes.load(std::memory_order_acquire);
      lock.unlock();
      bool changed = false;
      for (unsigned spin = 1;; ++spin) {
        if (changes.load(std::memory_order_acquire) != seen) {
          changed = true;
          break;
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (spin % 64 == 0 && Clock::now() > deadline) break;
      }
      lock.lock();
      if (!changed) {
        wake.wait(lock, ready);
        return;
      }
    }
  };
  std::deque<Chunk> frontier;  // after the generator's own sources, in index order
  std::size_t frontier_bytes = 0;
  std::deque<std::unique_ptr<Batch>> full, spare;
  std::size_t in_flight = 0;   // batches generated and not yet inserted
  bool abort = false;          // set by the inserter: stop generating
  bool done = false;           // set by the generator: nothing more will come
  std::exception_ptr failure;  // the generator's
  // The generator's handover and its tables' bytes, as it last reported
  // them, and the inserter's busy time in all.
  std::size_t reported_handover = space.states.root_split();
  std::size_t generator_bytes = space.states.nodes_memory_bytes(0, reported_handover);
  std::uint64_t inserter_busy = 0;
  std::uint64_t handover_moves = 0;  // the generator's count, once it is done
  const std::size_t fixed_bytes = space.states.fixed_memory_bytes();

  {
    Chunk first;
    auto base = space.states.base();
    for (StateIndex i = state; i < space.states.size(); ++i) {
      space.states.get(i, base);
      first.words.insert(first.words.end(), base.words().begin(), base.words().end());
      const auto ids = space.states.below_root_ids(base);
      first.ids.insert(first.ids.end(), ids.begin(), ids.end());
    }
    frontier_bytes = first.bytes();
    frontier.push_back(std::move(first));
  }

  const auto generate = [&] {
    try {
      std::vector<std::uint32_t> current(fields), scratch(fields);
      std::vector<CompactStore::Base> bases(kBatch, space.states.base());
      std::deque<Chunk> sources;  // taken from the frontier
      std::size_t at = 0;         // next configuration in sources.front()
      StateIndex next = state;
      std::size_t handover = reported_handover;
      // Balancing: per handover, the busier thread's time per source over
      // its last epoch (0: not measured), and this epoch's figures.
      // Taking a node back drains the pipeline, so the handover moves
      // only at a clear imbalance, at most once an epoch.
      std::vector<double> cost(nodes + 1, 0);
      std::uint64_t epoch_generator = 0, epoch_inserter_from = 0;
      std::size_t epoch_batches = 0, epoch_sources = 0, epochs = 0;
      bool take_back = false;  // the handover moves up once nothing is in flight
      std::uint64_t moves = 0;
      // Told however the generator leaves.
      struct Moves {
        std::uint64_t& count;
        std::mutex& mutex;
        std::uint64_t& into;
        ~Moves() {
          std::lock_guard lock(mutex);
          into = count;
        }
      } told{moves, mutex, handover_moves};
      for (;;) {
        std::unique_ptr<Batch> batch;
        {
          std::unique_lock lock(mutex);
          const auto have = [&] { return !sources.empty() || !frontier.empty(); };
          await(to_generator, lock, [&] {
            return abort || (have() && in_flight < kInFlight && (!take_back || in_flight == 0)) ||
                   (!have() && in_flight == 0);
          });
          if (abort) return;
          if (take_back) {
            // Every batch in flight is inserted: the inserter is done with
            // node `handover`, and its writes are seen from here.
            take_back = false;
            ++handover;
          }
          if (epoch_batches == balance_every) {
            // The epoch's busier side gets one node less, unless the
            // handover it moves to was measured slower than this one.
            const std::uint64_t inserted = inserter_busy - epoch_inserter_from;
            const double here =
                static_cast<double>(std::max(epoch_generator, inserted)) / static_cast<double>(epoch_sources);
            cost[handover] = here;
            const bool generator_busier = epoch_generator > inserted;
            const std::uint64_t busier = std::max(epoch_generator, inserted), other = std::min(epoch_generator, inserted);
            std::size_t to = generator_busier ? handover - (handover > 0 ? 1 : 0) : handover + (handover < nodes ? 1 : 0);
            if (busier * 10 < other * 11) to = handover;
            if (to != handover && (cost[to] == 0 || cost[to] < here * 0.97)) {
              ++moves;
              if (to < handover)
                handover = to;
              else
                take_back = true;
            }
            // The costs drift as the tables grow: measured again now and then.
            if (++epochs % 32 == 0) std::fill(cost.begin(), cost.end(), 0);
            epoch_generator = 0;
            epoch_inserter_from = inserter_busy;
            epoch_batches = 0;
            epoch_sources = 0;
            if (take_back && in_flight != 0) continue;
            if (take_back) {
              take_back = false;
              ++handover;
            }
          }
          if (!have()) {
            // Every batch is inserted and none found a new configuration.
            done = true;
            lock.unlock();
            signal(to_inserter);
            return;
          }
          for (auto& chunk : frontier) {
            frontier_bytes -= chunk.bytes();
            sources.push_back(std::move(chunk));
          }
          frontier.clear();
          if (!spare.empty()) {
            batch = std::move(spare.front());
            spare.pop_front();
          }
          ++in_flight;
        }
        if (!batch) batch = std::make_unique<Batch>();
        const auto started = Clock::now();
        batch->first = next;
        batch->handover = handover;
        batch->ends.clear();
        batch->roots.clear();
        batch->base_words.clear();
        batch->base_ids.clear();
        std::size_t words_end = 0;
        std::size_t count = 0;
        for (; count < kBatch && !sources.empty(); ++count, ++next) {
          const auto& chunk = sources.front();
          auto& base = bases[count];
          const std::span<const std::uint64_t> source_words(chunk.words.data() + at * width, width);
          const std::span<const std::uint32_t> source_ids(chunk.ids.data() + at * nodes, nodes);
          if (handover < nodes) {  // the inserter interns against the base too
            for (const auto word : source_words) batch->base_words.push_back(word);
            for (const auto id : source_ids) batch->base_ids.push_back(id);
          }
          space.states.base_of(source_words, source_ids, base);
          ++at;
          if (at * width == chunk.words.size()) {
            sources.pop_front();
            at = 0;
          }
          space.layout.unpack(base.words(), current);
          const auto keep = [&](Move move, std::span<const std::uint32_t> successor) {
            const std::size_t offset = words_end;
            // Grown by hand: a resize() per successor was a call.
            if (offset + width > batch->words.size()) batch->words.resize(2 * (offset + width));
            words_end = offset + width;
            const std::span<std::uint64_t> packed(batch->words.data() + offset, width);
            if constexpr (requires { semantics.written_fields(move); })
              space.layout.repack(current, base.words(), successor, semantics.written_fields(move), packed);
            else
              space.layout.pack(successor, packed);
            if (handover > 0) space.states.prefetch_leaves(packed, base, 0, handover);
          };
          if constexpr (requires { semantics.for_each_ample_successor(current, scratch, keep); })
            static_cast<void>(semantics.for_each_ample_successor(std::span<const std::uint32_t>(current),
                                                                 std::span<std::uint32_t>(scratch), keep));
          else
            semantics.for_each_successor(std::span<const std::uint32_t>(current), std::span<std::uint32_t>(scratch),
                                         keep);
          batch->ends.push_back(words_end / width);
        }
        batch->successors = words_end / width;
        if (batch->ids.size() < batch->successors * nodes) batch->ids.resize(2 * batch->successors * nodes);
        for (std::size_t successor = 0, source = 0; source < count && handover > 0; ++source)
          for (; successor < batch->ends[source]; ++successor) {
            const std::span<std::uint32_t> ids(batch->ids.data() + successor * nodes, nodes);
            space.states.prepare_nodes(std::span<const std::uint64_t>(batch->words.data() + successor * width, width),
                                       bases[source], 0, handover, ids);
            // The root's pair and hash too, when every node below it is
            // this thread's: the inserter, the busier thread, then only
            // looks it up.
            if (handover == nodes) batch->roots.push_back(space.states.root_of(ids));
          }
        const std::size_t bytes = space.states.nodes_memory_bytes(0, handover);
        epoch_generator += nanoseconds_since(started);
        ++epoch_batches;
        epoch_sources += count;
        {
          std::lock_guard lock(mutex);
          reported_handover = handover;
          generator_bytes = bytes;
          full.push_back(std::move(batch));
        }
        signal(to_inserter);
      }
    } catch (...) {
      {
        std::lock_guard lock(mutex);
        failure = std::current_exception();
        done = true;
      }
      signal(to_inserter);
    }
  };

  std::thread generator(generate);
  // However the inserter leaves (a limit, an exception), the generator is
  // stopped and joined first.
  struct Join {
    std::thread& thread;
    std::mutex& mutex;
    std::condition_variable& wake;
    std::atomic<std::uint64_t>& changes;
    bool& abort;
    ~Join() {
      {
        std::lock_guard lock(mutex);
        abort = true;
      }
      changes.fetch_add(1, std::memory_order_release);
      wake.notify_one();
      thread.join();
    }
  };
  {
    Join join{generator, mutex, to_generator, changes, abort};
    std::size_t since_check = 0;
    std::vector<CompactStore::Base> bases(kBatch, space.states.base());
    std::vector<CompactStore::Root> roots;
    // The root table is this thread's, and its growth the one large first
    // touch of memory: faulted in ahead on the machine's idle time, started
    // with the first growth that is near.
    std::optional<Prefaulter> prefaulter;
    void* prefaulted = nullptr;           // the last slots' region asked for
    std::uintptr_t pairs_prefaulted = 0;  // the end of the pairs' regions asked for
    for (;;) {
      std::unique_ptr<Batch> batch;
      std::size_t pending_bytes = 0, generator_handover = 0, generator_tables = 0;
      {
        std::unique_lock lock(mutex);
        await(to_inserter, lock, [&] { return !full.empty() || done; });
        if (full.empty()) break;
        batch = std::move(full.front());
        full.pop_front();
        pending_bytes = frontier_bytes;
        for (const auto& waiting : full) pending_bytes += waiting->bytes();
        generator_handover = reported_handover;
        generator_tables = generator_bytes;
      }
      const auto started = Clock::now();
      // The inserter's nodes of every successor first, each root's slot
      // prefetched as soon as it is known: the batch's other preparations
      // then hide its miss.
      roots.clear();
      space.states.make_room(batch->successors);
      const std::size_t handover = batch->handover;
      if (handover == nodes) {
        for (const auto& root : batch->roots) space.states.prefetch(root);
        roots.swap(batch->roots);
      }
      for (std::size_t successor = 0, i = 0; i < batch->ends.size() && handover < nodes; ++i) {
        auto& base = bases[i];
        space.states.base_of(std::span<const std::uint64_t>(batch->base_words.data() + i * width, width),
                             std::span<const std::uint32_t>(batch->base_ids.data() + i * nodes, nodes), base);
        for (; successor < batch->ends[i]; ++successor) {
          const std::span<std::uint32_t> ids(batch->ids.data() + successor * nodes, nodes);
          space.states.prepare_nodes(std::span<const std::uint64_t>(batch->words.data() + successor * width, width),
                                     base, handover, nodes, ids);
          const auto root = space.states.root_of(ids);
          space.states.prefetch(root);
          roots.push_back(root);
        }
      }
      // And then each root's stored pair, where its slot's fingerprint
      // matches: the inserter is the busier thread, and its comparisons
      // waited on these misses one after another.
      for (const auto& root : roots) space.states.prefetch_pair(root);
      const StateIndex batch_first = batch->first;
      Chunk found;
      bool capped = false;
      std::size_t successor = 0;
      StateIndex source = batch->first;
      for (std::size_t i = 0; i < batch->ends.size() && !capped; ++i, ++source) {
        if (source == space.layer_start.back()) space.layer_start.push_back(static_cast<StateIndex>(space.states.size()));
        const std::size_t first = successor;
        for (; successor < batch->ends[i]; ++successor) {
          const auto& root = roots[successor];
          if (space.states.size() >= state_cap) {
            if (!space.states.find(root)) {
              capped = true;
              break;
            }
            continue;
          }
          if (space.states.insert(root).inserted) {
            // One word and two ids, most often: a range insert was a call
            // to memmove for each.
            const std::uint64_t* words = batch->words.data() + successor * width;
            for (std::size_t k = 0; k < width; ++k) found.words.push_back(words[k]);
            const std::uint32_t* ids = batch->ids.data() + successor * nodes;
            for (std::size_t k = 0; k < nodes; ++k) found.ids.push_back(ids[k]);
          }
        }
        if (capped) break;
        space.edges += successor - first;
        space.mark_expanded(source, successor != first);
      }
      // The memory a limit is checked against, from what this thread may
      // read. Nodes [generator_handover, nodes) are this thread's, or were
      // the generator's until its report; counted while this batch is in
      // flight, as the generator takes a node back only when none is.
      const auto counted_memory = [&] {
        return space.states.root_memory_bytes() + generator_tables + fixed_bytes +
               space.states.nodes_memory_bytes(generator_handover, nodes) + space.bookkeeping_bytes() + pending_bytes;
      };
      {
        const auto fits = [&](std::size_t bytes) { return !memory_ceiling || counted_memory() + bytes <= *memory_ceiling; };
        const auto ask = [&](void* address, std::size_t bytes) {
          if (!prefaulter) prefaulter.emplace();
          prefaulter->request({address, bytes});
        };
        if (const auto [address, bytes] = space.states.root_growth_region(); address != nullptr && address != prefaulted) {
          if (fits(bytes)) ask(address, bytes);
          prefaulted = address;
        }
        // The pairs grow a few bytes per configuration: asked for an eighth
        // of their size ahead (a huge page at least), again once half of
        // that is used.
        const std::size_t ahead = std::max<std::size_t>(std::size_t{1} << 18, space.states.size() / 16);
        if (const auto [address, bytes] = space.states.root_pairs_growth_region(ahead); address != nullptr) {
          const auto from = reinterpret_cast<std::uintptr_t>(address), to = from + bytes;
          if (to > pairs_prefaulted + bytes / 2 && fits(bytes)) {
            const std::uintptr_t start = std::max(from, pairs_prefaulted);
            ask(reinterpret_cast<void*>(start), to - start);
            pairs_prefaulted = to;
          }
        }
      }
      since_check += source - batch_first;
      const bool check = since_check >= 4096;
      const std::size_t memory = check ? counted_memory() : 0;
      const std::uint64_t busy = nanoseconds_since(started);
      {
        std::lock_guard lock(mutex);
        if (!found.words.empty()) {
          frontier_bytes += found.bytes();
          frontier.push_back(std::move(found));
        }
        --in_flight;
        inserter_busy += busy;
        spare.push_back(std::move(batch));
      }
      signal(to_generator);
      if (capped) {
        space.completion = Completion::StateLimit;
        break;
      }
      if (check) {
        since_check = 0;
        if (limits_reached(source, memory)) break;
      }
    }
  }
  space.handover_moves = handover_moves;
  if (failure) std::rethrow_exception(failure);
}

}  // namespace lim::explore
