#pragma once
// Which language a spec file is written in, guessed from its content so that
// `lim check` takes lim, kmc and GMC files alike (`--from` overrides).
#include <optional>
#include <string_view>

namespace lim::formats {

enum class InputFormat {
  Lim,              // lim / mpstk typing contexts (.lim, .ctx)
  KmcSessionTypes,  // kmc's `A: B!m; end` syntax
  GmcFsm,           // kmc --fsm / GMC `.outputs` machines
};

// "lim", "kmc", "fsm": the spellings of `--from`.
std::string_view name(InputFormat format);
std::optional<InputFormat> parse_input_format(std::string_view name);

// A line starting with `.outputs` means fsm; otherwise, outside comments,
// any of `⊕ (+) & μ` means lim and `!` or `?` means kmc; lim by default.
InputFormat detect_format(std::string_view text);

}  // namespace lim::formats
