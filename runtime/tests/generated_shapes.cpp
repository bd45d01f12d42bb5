// Generated APIs of every shape lim gen cpp knows must compile: records,
// fixed-width scalars, guarded copies of a label, timeout branches, and an
// environment peer (specs/timeouts/retransmission.lim). Including a header
// compiles all of its (inline) definitions.
#include "retransmission/sender.hpp"
#include "threshold/monitor.hpp"
#include "threshold/sensor.hpp"
#include "watchdog/watcher.hpp"
#include "watchdog/worker.hpp"

static_assert(std::variant_size_v<lim_generated::threshold::monitor::q0::Branch> == 3);
