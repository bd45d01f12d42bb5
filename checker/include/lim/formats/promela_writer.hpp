#pragma once
// System → a Promela model of its k-bounded asynchronous semantics
// (`lim export --to promela --k N`), for SPIN.
//
// The model is lim's semantics (semantics/asynchronous.hpp), written so that
// SPIN's state space is lim's configuration for configuration:
//  * one `chan` of capacity k per ordered pair of roles p → q with a send
//    from p to q — the FIFO queue p → q — carrying one mtype per message
//    (label and payload sort: both make a message's identity in lim);
//  * one `active proctype` per role, a label per machine state and an
//    `if` over its transitions: `ch!m` blocks on a full channel as lim's send
//    does, `ch?m` with a constant m fires only when m heads the channel, one
//    option per message the receive accepts (payload subsorts included);
//  * a final state (no transitions) is an `end` label on `false`, so that
//    SPIN counts a role that has ended as a valid end state;
//  * `xs`/`xr` declare each channel's one sender and one receiver, which
//    SPIN's partial-order reduction (when not compiled with -DNOREDUCE)
//    needs to reduce anything.
// With pan's `-q` (channels must be empty in a valid end state) SPIN's
// invalid end states are exactly lim's async-deadlock-freedom violations:
// configurations without moves where a role is not final or a queue holds
// messages (docs/formats.md, "Promela").
#include <optional>
#include <string>

#include "lim/automata/system.hpp"
#include "lim/syntax/diagnostic.hpp"

namespace lim::formats {

// SPIN's limits: a channel holds at most 255 messages, a model has at most
// 255 processes, 255 channels and 255 mtype values.
inline constexpr unsigned kPromelaMaxBound = 255;

// std::nullopt (with errors) when the system is not expressible without
// approximation: an environment role, a timeout branch, a guarded branch,
// k outside 1..255, or more roles, channels or messages than SPIN allows.
std::optional<std::string> write_promela(const automata::System& system, unsigned k, Diagnostics& diagnostics);

}  // namespace lim::formats
