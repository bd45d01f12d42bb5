#pragma once
// The verdict model shared by every property and every output format.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lim/syntax/source.hpp"

namespace lim::report {

enum class Verdict {
  Holds,
  Violated,
  // The search stopped at a resource limit before the property was decided.
  Inconclusive,
  // A least-k search found no k in its range that decides the property
  // (kmc's "I don't know"): not established, but no resource limit either.
  Unknown,
};
std::string to_string(Verdict verdict);

// One step of a run, as the user reads it: an interaction `alice → shop:
// query(Str)` (synchronous) or a single send/receive (asynchronous).
struct TraceStep {
  enum class Kind { Interaction, Send, Receive, Internal };
  Kind kind = Kind::Interaction;
  std::string from;     // sender (for Receive: the role that sent the message)
  std::string to;       // receiver
  std::string label;
  std::string payload;  // empty for the implicit `end` payload
  std::string text;     // the rendered step
  SourceLocation location;  // of the (sending) transition's label in the spec
};

struct RoleState {
  std::string role;
  std::string state;        // e.g. "q3", or "end"
  std::string type;         // what the role is waiting to do, e.g. "shop&{price(Int)}"
  SourceLocation location;  // where that state's type starts in the spec
};

struct QueueContents {
  std::string from;
  std::string to;
  std::vector<std::string> messages;  // head first
};

struct Configuration {
  std::vector<RoleState> roles;
  std::vector<QueueContents> queues;  // asynchronous semantics only; non-empty queues
};

// A run that witnesses a violation: `prefix` leads from the initial
// configuration to `at`, where the violation shows. For properties about what
// must eventually happen, the run goes on from `at` with `continuation` and
// then `cycle` repeated forever (a lasso), or stops after `continuation` in a
// configuration without steps when `cycle` is empty.
struct Counterexample {
  std::vector<TraceStep> prefix;
  std::vector<TraceStep> continuation;
  std::vector<TraceStep> cycle;
  Configuration at;
  std::string explanation;
  // The role the violation is about, when there is one: the one stuck in a
  // deadlock, the receiver that refuses a message, the one owed an
  // interaction. Reports point at its state in the spec.
  std::string role;
};

struct PropertyResult {
  std::string property;  // mpstk / kmc spelling, e.g. "liveness+", "k-safety"
  Verdict verdict = Verdict::Holds;
  std::optional<Counterexample> counterexample;
  std::string detail;  // e.g. "least k = 2", or why it is inconclusive
  std::optional<unsigned> k;  // asynchronous properties: the bound used
  double seconds = 0;         // deciding it, exploration excluded
};

struct Finding {  // facts about the automata worth telling, e.g. mixed states
  std::string kind;  // "mixed-state", "non-determinism", ...
  std::string message;
  SourceLocation location;
};

struct FileReport {
  std::string file;
  std::string semantics;  // "synchronous" or "asynchronous k=..."
  std::size_t roles = 0;
  std::size_t components = 1;  // independent groups of roles, explored separately
  std::size_t states = 0;      // summed over the components
  std::size_t transitions = 0;
  double seconds = 0;
  std::string exploration;  // "complete" or the limit that stopped it
  // "none", "partial-order" (`lim check --por on`), or "none: " and why a
  // reduction asked for was not applied.
  std::string reduction = "none";
  std::vector<PropertyResult> results;
  std::vector<Finding> findings;
};

}  // namespace lim::report
