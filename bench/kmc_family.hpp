#pragma once
// The family of kmc's GenCFSMs (CAV 2019 artefact) in the fsm format: 2m
// peers in pairs, each peer sending k messages to its partner — every
// message chosen among n labels — and then receiving k. Shared by the
// benchmarks that run it (kmc_families, spin_comparison).
#include <string>

#include <fmt/format.h>

namespace lim::bench {

// One machine of the family, talking to `partner`: sends along qs0 … qsk
// (n labels per step), then receives along qsk, qr1 … qrk — the shape
// GenCFSMs prints without its "cycle" flag.
inline std::string family_machine(int partner, int n, int k) {
  std::string text = ".outputs\n.state graph\n";
  for (int step = 0; step < k; ++step)
    for (int label = 0; label < n; ++label)
      text += fmt::format("qs{} {} ! {} qs{}\n", step, partner, static_cast<char>('a' + label), step + 1);
  for (int step = 0; step < k; ++step) {
    const std::string source = step == 0 ? fmt::format("qs{}", k) : fmt::format("qr{}", step);
    for (int label = 0; label < n; ++label)
      text += fmt::format("{} {} ? {} qr{}\n", source, partner, static_cast<char>('a' + label), step + 1);
  }
  return text + ".marking qs0\n.end\n\n";
}

inline std::string family(int m, int n, int k) {
  std::string text = fmt::format("-- {} pairs, {} labels, {} messages\n", m, n, k);
  for (int pair = 0; pair < m; ++pair) {
    text += family_machine(2 * pair + 1, n, k);
    text += family_machine(2 * pair, n, k);
  }
  return text;
}

}  // namespace lim::bench
