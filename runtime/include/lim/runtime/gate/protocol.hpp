#pragma once
// A protocol lim has verified: the one thing sessions are made from. Only
// the VerificationGate constructs it, after the synchronous check; each
// transport then asks for what its channels need (`require`), which checks
// k-MC at the transport's k the first time and remembers the answer.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lim/automata/system.hpp"
#include "lim/runtime/endpoint/payload.hpp"
#include "lim/runtime/gate/requirement.hpp"

namespace lim::runtime {

class VerificationGate;
namespace detail {
struct GateState;
}

class Protocol {
 public:
  // Only the gate can make the key, so only the gate makes protocols.
  class ConstructionKey {
    friend class VerificationGate;
    ConstructionKey() = default;
  };
  struct Origin {
    std::string spec_path;
    std::string format;        // "lim", "kmc", "fsm"
    std::string content_hash;  // SHA-256 of the spec's text
    bool from_cache = false;   // the synchronous verdict came from the cache
  };
  Protocol(ConstructionKey, std::shared_ptr<detail::GateState> gate, Origin origin, automata::System system);
  Protocol(const Protocol&) = delete;
  Protocol& operator=(const Protocol&) = delete;

  const automata::System& system() const { return system_; }
  const std::string& spec_path() const { return origin_.spec_path; }
  const std::string& format() const { return origin_.format; }
  const std::string& content_hash() const { return origin_.content_hash; }
  bool from_cache() const { return origin_.from_cache; }
  // SHA-256 of the automata (roles, states, transitions, labels, sorts,
  // timeouts) but not of comments or layout: generated code is tied to it.
  const std::string& fingerprint() const { return fingerprint_; }

  std::size_t role_count() const { return system_.role_count(); }
  std::optional<automata::RoleId> find_role(std::string_view name) const;
  // Throws std::invalid_argument naming the protocol's roles.
  automata::RoleId role(std::string_view name) const;
  const std::string& role_name(automata::RoleId role) const { return system_.role_names.at(role); }
  std::optional<automata::LabelId> find_label(std::string_view name) const;
  const std::string& label_name(automata::LabelId label) const { return system_.labels.name(label); }
  PayloadKind payload_kind(automata::SortId sort) const { return sorts_.at(sort).kind; }
  // Whether `payload` is a value of `sort` (a record with all its fields, an
  // integer that fits a u8, …); explains in `why` when not.
  bool accepts(automata::SortId sort, const Payload& payload, std::string& why) const;
  // The payload as guards read it: its fields in declaration order, or its
  // one scalar value; empty for sorts guards cannot read. Requires accepts().
  std::vector<std::uint64_t> guard_values(automata::SortId sort, const Payload& payload) const;
  // The width of a u8…u64 sort (8…64), or 0.
  unsigned scalar_width(automata::SortId sort) const { return sorts_.at(sort).width; }
  // The record of a Record sort: an index into system().refinements->records.
  std::optional<std::uint32_t> record_of(automata::SortId sort) const { return sorts_.at(sort).record; }
  // `spec:line:col`, or the spec alone for an unknown location.
  std::string location_text(SourceLocation location) const;

  // Establishes `requirement`, checking it now unless an earlier check or a
  // cached verdict covers it; throws VerificationFailed otherwise.
  void require(const Requirement& requirement) const;
  bool established(const Requirement& requirement) const;
  // What has been verified so far, e.g. {"safety", "deadlock-freedom", "k-mc (k=1)"}.
  std::vector<std::string> verified() const;

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  std::shared_ptr<detail::GateState> gate_;
  Origin origin_;
  automata::System system_;
  std::string fingerprint_;
  struct SortInfo {
    PayloadKind kind = PayloadKind::Opaque;
    unsigned width = 0;               // Scalar: 8, 16, 32 or 64
    std::optional<std::uint32_t> record;  // Record: index into the refinements' records
  };
  std::vector<SortInfo> sorts_;  // index = SortId
  std::unordered_map<std::string, automata::LabelId, StringHash, std::equal_to<>> labels_;
  mutable std::mutex mutex_;
  mutable std::vector<Requirement> established_;
};

// The automata's identity, as Protocol::fingerprint computes it.
std::string fingerprint(const automata::System& system);

}  // namespace lim::runtime
