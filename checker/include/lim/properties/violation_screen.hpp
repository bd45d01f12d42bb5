#pragma once
// On-the-fly refutation for the least-k search. kmc's rule only needs to
// know, at every k but the decisive one, that k-exhaustivity or a side
// condition fails; a single configuration can prove that:
//  * k-OBI and the input race of k-SIBI/k-CIBI are properties of one
//    configuration;
//  * a k-exhaustivity violation is a configuration where p offers a send on
//    a full queue p → q, plus a search over the moves of the other roles
//    from there that never frees the queue. That search is usually tiny (it
//    stops at the first receive from the queue); it is exact, with a budget
//    beyond which the configuration is left to the full analysis.
// Plugged into the explorer's stop predicate, the screen ends an
// exploration at the first configuration that settles everything asked, in
// BFS order — instead of building state spaces of 10^7 configurations only
// to learn that k is too small. It never decides that a property holds.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lim/explore/state_space.hpp"
#include "lim/semantics/asynchronous.hpp"

namespace lim::properties {

enum class Refutation : unsigned {
  None = 0,
  Exhaustivity = 1,        // k-exhaustivity fails
  OutputIndependence = 2,  // k-OBI fails
  InputRace = 4,           // k-SIBI and k-CIBI fail
};
inline Refutation operator|(Refutation a, Refutation b) {
  return static_cast<Refutation>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
inline bool any(Refutation set, Refutation kinds) {
  return (static_cast<unsigned>(set) & static_cast<unsigned>(kinds)) != 0;
}

class ViolationScreen {
 public:
  // `watch`: what to look for; the exploration stops once every group of
  // `goals` (each a set of refutations, any one of which settles it) has a
  // refutation.
  // `already`: refutations found in other components of the same system.
  ViolationScreen(const semantics::AsynchronousSemantics& semantics, Refutation watch, std::vector<Refutation> goals,
                  Refutation already = Refutation::None);

  // The explorer's stop predicate.
  bool operator()(explore::StateIndex state, std::span<const std::uint32_t> configuration);
  // `run`, when hunting, builds the run to `configuration` for a witness.
  bool examine(explore::StateIndex state, std::span<const std::uint32_t> configuration,
               const std::function<std::vector<explore::Move>()>* run);

  // A depth-first search from the initial configuration that takes sends
  // before receives, so queues fill up at once, over at most `budget`
  // configurations: cheap, and it usually meets a refuting configuration
  // long before a breadth-first search would. True when it settled every
  // goal. A configuration it examines is examined exactly as by the
  // explorer; only the order, and so the runs to witnesses, differ.
  bool hunt(std::size_t budget);
  bool settled() const;

  Refutation found() const { return found_; }
  // The first configuration (BFS order) that refuted `kind`, and why.
  struct Witness {
    explore::StateIndex state = 0;  // in the explored space (when found by the explorer)
    std::vector<std::uint32_t> configuration;
    std::string explanation;
    // No earlier configuration was left undecided by a search budget: the
    // witness is the BFS-first violation of its kind.
    bool first = true;
    // Found by hunt(): the run that reached it (not a shortest one).
    std::optional<std::vector<explore::Move>> run;
  };
  const std::optional<Witness>& witness(Refutation kind) const;

 private:
  std::optional<std::string> exhaustivity_violation(std::span<const std::uint32_t> configuration);
  std::optional<std::string> obi_violation(std::span<const std::uint32_t> configuration) const;
  std::optional<std::string> race_violation(std::span<const std::uint32_t> configuration) const;
  bool can_free(std::span<const std::uint32_t> configuration, automata::RoleId sender, std::uint32_t channel);

  const semantics::AsynchronousSemantics& semantics_;
  // Per role in scope and machine state: the channels its sends use.
  std::vector<std::vector<std::vector<std::uint32_t>>> send_channels_;
  Refutation watch_;
  std::vector<Refutation> goals_;
  Refutation found_ = Refutation::None;
  std::optional<Witness> exhaustivity_, obi_, race_;
  bool undecided_before_ = false;  // an exhaustivity search ran out of budget
  // can_free's buffers, reused across calls.
  std::vector<std::uint32_t> search_configurations_, search_current_, search_scratch_;
  std::vector<std::uint64_t> search_words_, search_packed_;
};

}  // namespace lim::properties
