#pragma once
// Seeded faults on a link, in either direction: this kernel has no netem, so
// loss, duplication, reordering and delay are injected here. The same seed
// gives the same faults for the same packets.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "lim/tcp/link/link.hpp"

namespace lim::tcp::link {

struct ImpairmentConfig {
  double loss = 0;       // probability a packet is dropped
  double duplicate = 0;  // probability a packet is sent twice
  double reorder = 0;    // probability a packet is held back so later ones overtake it
  std::chrono::milliseconds delay{0};       // added to every packet
  std::chrono::milliseconds reorder_hold{8};  // how long a reordered packet is held
  std::uint64_t seed = 1;
  bool inbound = true;   // faults on packets the link receives
  bool outbound = true;  // and on those it sends
  bool any() const { return loss > 0 || duplicate > 0 || reorder > 0 || delay.count() > 0; }
};

// "loss=0.2,dup=0.1,reorder=0.2,delay=5ms,seed=1[,direction=in|out|both]" →
// config, or a message naming the first bad item.
struct ParsedImpairment {
  std::optional<ImpairmentConfig> config;
  std::string error;
};
ParsedImpairment parse_impairment(std::string_view text);

class Impairment {
 public:
  using Clock = std::chrono::steady_clock;
  struct Scheduled {
    Clock::time_point release;
    Packet packet;
  };
  struct Counters {
    std::uint64_t passed = 0, dropped = 0, duplicated = 0, reordered = 0;
  };

  // `stream` separates the directions' random sequences.
  Impairment(const ImpairmentConfig& config, std::uint64_t stream);
  // What `packet` becomes: nothing (lost), once, or twice, each with the time
  // it may leave.
  void submit(Packet packet, Clock::time_point now, std::vector<Scheduled>& out);
  const Counters& counters() const { return counters_; }

 private:
  ImpairmentConfig config_;
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> chance_{0.0, 1.0};
  Counters counters_;
};

}  // namespace lim::tcp::link
