#include "lim/runtime/codegen/cpp_generator.hpp"

#include <filesystem>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "cpp_identifiers.hpp"
#include "lim/refine/refinements.hpp"

namespace lim::runtime {
namespace {

using automata::Direction;
using automata::RoleId;
using automata::StateId;
using codegen::identifier;
using codegen::Scope;
using codegen::string_literal;

constexpr std::string_view kEndpoint = "::lim::runtime::Endpoint";
constexpr std::string_view kDeadline = "::lim::runtime::Deadline";

// One alternative of a receiving state.
struct Alternative {
  std::uint32_t transition = 0;
  std::string name;          // the struct's name
  std::string payload_type;  // empty: no payload
  StateId target = 0;
  std::string description;   // e.g. `ack(segment) if s.ack == snd_nxt`
};

class Generator {
 public:
  Generator(const Protocol& protocol, const CppGeneratorOptions& options)
      : protocol_(protocol),
        options_(options),
        system_(protocol.system()),
        role_(protocol.role(options.role)),
        machine_(system_.machines[role_]) {}

  std::string run() {
    if (system_.is_environment(role_))
      throw std::invalid_argument(fmt::format("{} is an environment role: it may do anything at any time, so it has "
                                              "no typestate API (use the monitored Endpoint)",
                                              protocol_.role_name(role_)));
    name_things();
    header();
    declarations();
    for (StateId state = 0; state < machine_.state_count(); ++state)
      if (!final(state)) state_class(state);
    access();
    for (StateId state = 0; state < machine_.state_count(); ++state)
      if (!final(state)) alternatives(state);
    for (StateId state = 0; state < machine_.state_count(); ++state)
      if (!final(state)) definitions(state);
    begin();
    out_ += fmt::format("}}  // namespace {}\n", namespace_);
    return std::move(out_);
  }

 private:
  bool final(StateId state) const { return machine_.outgoing(state).empty(); }
  bool sending(StateId state) const { return machine_.outgoing(state).front().action.direction == Direction::Send; }
  std::uint32_t first(StateId state) const { return machine_.first_outgoing_index(state); }
  const std::string& label(const automata::Action& action) const { return system_.labels.name(action.label); }
  std::string location(SourceLocation where) const { return protocol_.location_text(where); }

  // The class a transition leads to, as a type, and an expression making it.
  std::string type_of(StateId state) const { return final(state) ? "End" : class_names_[state]; }
  std::string make(StateId state) const {
    return final(state) ? fmt::format("Access::end(endpoint, {})", state)
                        : fmt::format("Access::make<{}>(endpoint)", class_names_[state]);
  }

  std::string cpp_type(automata::SortId sort) const {
    switch (protocol_.payload_kind(sort)) {
      case PayloadKind::Unit: return {};
      case PayloadKind::Bool: return "bool";
      case PayloadKind::Int: return "std::int64_t";
      case PayloadKind::String: return "std::string";
      case PayloadKind::Scalar: return fmt::format("std::uint{}_t", protocol_.scalar_width(sort));
      case PayloadKind::Record: return "records::" + record_names_.at(*protocol_.record_of(sort));
      case PayloadKind::Opaque: return "sorts::" + sort_names_.at(system_.sorts.display(sort));
      case PayloadKind::Session: break;
    }
    throw std::invalid_argument("a session-typed payload has no C++ type");
  }

  void name_things() {
    const auto stem = std::filesystem::path(protocol_.spec_path()).stem().string();
    namespace_ = options_.name_space.empty()
                     ? fmt::format("lim_generated::{}::{}", identifier(stem), identifier(protocol_.role_name(role_)))
                     : options_.name_space;
    if (!codegen::valid_namespace(namespace_))
      throw std::invalid_argument(fmt::format(
          "--namespace '{}' is not a C++ namespace (identifiers, not keywords, joined by ::)", namespace_));
    Scope scope({"End", "Access", "begin", "kRole", "kFingerprint", "kSpec", "sorts", "Initial"});
    // Peers first: their tags are what users type most.
    std::set<RoleId> peers;
    std::set<std::string> opaque;
    for (const auto& transition : machine_.transitions()) {
      if (transition.action.direction != Direction::Timeout) {
        peers.insert(transition.action.peer);
        const auto sort = transition.action.payload;
        if (protocol_.payload_kind(sort) == PayloadKind::Opaque) opaque.insert(system_.sorts.display(sort));
        if (const auto record = protocol_.record_of(sort)) records_.insert(*record);
      }
    }
    Scope record_scope;
    for (const auto record : records_)
      record_names_[record] = record_scope.claim(system_.refinements->records[record].name);
    for (const auto peer : peers) {
      peer_names_[peer] = scope.claim(protocol_.role_name(peer));
      tag_names_[peer] = scope.claim(peer_names_[peer] + "_t");
    }
    class_names_.resize(machine_.state_count());
    for (StateId state = 0; state < machine_.state_count(); ++state)
      if (!final(state)) class_names_[state] = scope.claim(machine_.graph[state].name);
    Scope sorts;
    for (const auto& sort : opaque) sort_names_[sort] = sorts.claim(sort);
    for (const auto& [sort, type] : options_.sort_types)
      if (!opaque.contains(sort))
        throw std::invalid_argument(fmt::format("--sort {}: role {} sends or receives no payload of sort {}", sort,
                                                options_.role, sort));
  }

  void header() {
    out_ += fmt::format(
        "// Generated by {}\n"
        "// Do not edit; regenerate when the spec changes.\n"
        "//   spec: {}\n"
        "//   role: {}\n"
        "// The typestate API of one role: one class per state of its automaton.\n"
        "// Each method consumes its object (call it on std::move(state)) and returns\n"
        "// the next state; an action the protocol does not allow does not compile.\n"
        "// begin() refuses an endpoint whose automata differ from the ones this API\n"
        "// was generated from (kFingerprint).\n"
        "#pragma once\n\n"
        "#include <cstdint>\n#include <string>\n#include <string_view>\n#include <variant>\n\n"
        "#include \"lim/runtime/typestate/typestate.hpp\"\n",
        options_.command.empty() ? "lim gen cpp" : "`" + options_.command + "`", protocol_.spec_path(),
        protocol_.role_name(role_));
    for (const auto& include : options_.includes)
      out_ += fmt::format("#include {}\n",
                          include.starts_with('<') || include.starts_with('"') ? include : "\"" + include + "\"");
    out_ += fmt::format("\nnamespace {} {{\n\n", namespace_);
    out_ += fmt::format("inline constexpr std::string_view kRole = {};\n", string_literal(protocol_.role_name(role_)));
    out_ += fmt::format("inline constexpr std::string_view kSpec = {};\n", string_literal(protocol_.spec_path()));
    out_ += fmt::format("inline constexpr std::string_view kFingerprint = \"{}\";\n\n", protocol_.fingerprint());
    out_ += "// The roles this one talks to: a send's first argument names its receiver.\n";
    for (const auto& [peer, name] : peer_names_)
      out_ += fmt::format(
          "struct {0} {{\n  static constexpr ::lim::automata::RoleId id = {1};\n}};\n"
          "inline constexpr {0} {2}{{}};\n",
          tag_names_.at(peer), peer, name);
    out_ += "\n";
    if (!records_.empty()) {
      out_ += "// The spec's records, as the role's payloads carry them.\nnamespace records {\n";
      for (const auto index : records_) record(system_.refinements->records[index], record_names_.at(index));
      out_ += "}  // namespace records\n\n";
    }
    if (!sort_names_.empty()) {
      out_ += "// The spec's opaque sorts (bind them with `lim gen cpp --sort Name=Type`).\nnamespace sorts {\n";
      for (const auto& [sort, name] : sort_names_) {
        const auto bound = options_.sort_types.find(sort);
        out_ += fmt::format("using {} = {};\n", name,
                            bound == options_.sort_types.end() ? "::lim::runtime::Payload" : bound->second);
      }
      out_ += "}  // namespace sorts\n\n";
    }
  }

  static std::string field_type(refine::Scalar scalar) {
    return scalar == refine::Scalar::Bool ? "bool" : fmt::format("std::uint{}_t", refine::width(scalar));
  }

  void record(const refine::Record& record, const std::string& name) {
    Scope fields({name});
    std::vector<std::string> field_names;
    out_ += fmt::format("// {}\nstruct {} {{\n", location(record.location), name);
    for (const auto& field : record.fields) {
      field_names.push_back(fields.claim(field.name));
      out_ += fmt::format("  {} {}{{}};\n", field_type(field.type), field_names.back());
    }
    out_ += fmt::format("  friend bool operator==(const {0}&, const {0}&) = default;\n}};\n", name);
    out_ += fmt::format("inline void to_json(::lim::runtime::Payload& json, const {}& value) {{\n", name);
    out_ += "  json = ::lim::runtime::Payload::object();\n";
    for (std::size_t i = 0; i < record.fields.size(); ++i)
      out_ += fmt::format("  json[{}] = value.{};\n", string_literal(record.fields[i].name), field_names[i]);
    out_ += "}\n";
    out_ += fmt::format("inline void from_json(const ::lim::runtime::Payload& json, {}& value) {{\n", name);
    for (std::size_t i = 0; i < record.fields.size(); ++i)
      out_ += fmt::format("  json.at({}).get_to(value.{});\n", string_literal(record.fields[i].name), field_names[i]);
    out_ += "}\n";
  }

  void declarations() {
    out_ += "struct Access;\nclass End;\n";
    for (StateId state = 0; state < machine_.state_count(); ++state)
      if (!final(state)) out_ += fmt::format("class {};\n", class_names_[state]);
    out_ += fmt::format("using Initial = {};\n\n", type_of(machine_.initial));
    out_ +=
        "// Every final state: the role is complete. close() says so explicitly;\n"
        "// dropping an End is fine too.\n"
        "class End final : public ::lim::runtime::typestate::State {\n"
        " public:\n"
        "  void close() && { (void)use(); release(); }\n\n"
        " private:\n"
        "  friend struct Access;\n"
        "  End(::lim::runtime::Endpoint& endpoint, ::lim::automata::StateId state) : State(endpoint, state) {}\n"
        "};\n\n";
  }

  std::string parameters(const automata::Transition& transition) const {
    const auto type = cpp_type(transition.action.payload);
    const auto& tag = tag_names_.at(transition.action.peer);
    return type.empty() ? tag : fmt::format("{}, {} payload", tag, type);
  }

  std::vector<Alternative> alternatives_of(StateId state) const {
    Scope scope({"Branch", "offer", "valid", "metadata", "use", "release", "state"});
    std::vector<Alternative> result;
    // A label from two peers (a non-directed state) says from whom; guarded
    // copies of one label from one peer are numbered in spec order.
    std::map<std::string, std::set<RoleId>> peers_of;
    std::map<std::pair<std::string, RoleId>, int> copies;
    for (const auto& transition : machine_.outgoing(state))
      if (transition.action.direction == Direction::Receive) {
        peers_of[label(transition.action)].insert(transition.action.peer);
        ++copies[{label(transition.action), transition.action.peer}];
      }
    std::map<std::pair<std::string, RoleId>, int> seen;
    const auto outgoing = machine_.outgoing(state);
    for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
      const auto& transition = outgoing[i];
      Alternative alternative;
      alternative.transition = first(state) + i;
      alternative.target = transition.target;
      if (transition.action.direction == Direction::Timeout) {
        alternative.name = scope.claim("timeout");
      } else {
        const auto& name = label(transition.action);
        const auto peer = transition.action.peer;
        std::string wanted = name;
        if (peers_of[name].size() > 1) wanted += "_from_" + protocol_.role_name(peer);
        if (copies[{name, peer}] > 1) wanted += fmt::format("_{}", ++seen[{name, peer}]);
        alternative.name = scope.claim(wanted);
        alternative.payload_type = cpp_type(transition.action.payload);
        alternative.description = system_.describe_label(transition.action);
      }
      result.push_back(std::move(alternative));
    }
    return result;
  }

  bool single_receive(StateId state) const {
    const auto outgoing = machine_.outgoing(state);
    return outgoing.size() == 1 && outgoing.front().action.direction == Direction::Receive;
  }

  void state_class(StateId state) {
    const auto& name = class_names_[state];
    out_ += fmt::format("// {} — {}: {}\n", name, location(machine_.graph[state].location),
                        system_.describe_state(role_, state));
    out_ += fmt::format("class {} final : public ::lim::runtime::typestate::State {{\n public:\n", name);
    if (sending(state)) {
      for (const auto& transition : machine_.outgoing(state)) {
        out_ += fmt::format("  // {}: send {} to {}\n", location(transition.location),
                            system_.describe_label(transition.action), protocol_.role_name(transition.action.peer));
        out_ += fmt::format("  [[nodiscard]] {} send_{}({}) &&;\n", type_of(transition.target),
                            identifier(label(transition.action)), parameters(transition));
        if (const auto kind = protocol_.payload_kind(transition.action.payload);
            kind == PayloadKind::Int || kind == PayloadKind::Bool || kind == PayloadKind::Scalar)
          out_ += fmt::format("  template <class P>\n    requires ::lim::runtime::typestate::narrowing<P, {}>\n"
                              "  void send_{}({}, P) && = delete;  // narrowing: the payload would change\n",
                              cpp_type(transition.action.payload), identifier(label(transition.action)),
                              tag_names_.at(transition.action.peer));
      }
    } else {
      const auto alternatives = alternatives_of(state);
      for (const auto& alternative : alternatives) out_ += fmt::format("  struct {};\n", alternative.name);
      if (single_receive(state)) {
        const auto& transition = machine_.outgoing(state).front();
        out_ += fmt::format(
            "  // {}: receive {} from {}.\n"
            "  // The deadline is the program's own: when it passes, DeadlineExpired is\n"
            "  // thrown and this object stays valid.\n",
            location(transition.location), system_.describe_label(transition.action),
            protocol_.role_name(transition.action.peer));
        out_ += fmt::format("  [[nodiscard]] {} receive_{}({} deadline = std::nullopt) &&;\n", alternatives[0].name,
                            identifier(label(transition.action)), kDeadline);
      } else {
        std::string names;
        for (const auto& alternative : alternatives) names += (names.empty() ? "" : ", ") + alternative.name;
        out_ += fmt::format("  using Branch = std::variant<{}>;\n", names);
        out_ +=
            "  // Waits for whichever alternative happens. The deadline is the program's\n"
            "  // own: when it passes, DeadlineExpired is thrown and this object stays valid.\n";
        out_ += fmt::format("  [[nodiscard]] Branch offer({} deadline = std::nullopt) &&;\n", kDeadline);
      }
    }
    out_ += fmt::format(
        "\n private:\n  friend struct Access;\n  explicit {0}({1}& endpoint) : State(endpoint, {2}) {{}}\n}};\n\n", name,
        kEndpoint, state);
  }

  void access() {
    out_ += fmt::format(
        "// Makes state objects; nothing else can, so a state object exists only\n"
        "// where the protocol put it.\n"
        "struct Access {{\n"
        "  template <class S>\n"
        "  static S make({0}& endpoint) {{ return S(endpoint); }}\n"
        "  static End end({0}& endpoint, ::lim::automata::StateId state) {{ return End(endpoint, state); }}\n"
        "}};\n\n",
        kEndpoint);
  }

  void alternatives(StateId state) {
    if (sending(state)) return;
    for (const auto& alternative : alternatives_of(state)) {
      if (!alternative.description.empty()) out_ += fmt::format("// {}\n", alternative.description);
      out_ += fmt::format("struct {}::{} {{\n", class_names_[state], alternative.name);
      if (!alternative.payload_type.empty()) out_ += fmt::format("  {} payload;\n", alternative.payload_type);
      out_ += fmt::format("  {} next;\n}};\n", type_of(alternative.target));
    }
    out_ += "\n";
  }

  std::string received(const Alternative& alternative) const {
    return alternative.payload_type.empty()
               ? fmt::format("{}{{{}}}", alternative.name, make(alternative.target))
               : fmt::format("{}{{::lim::runtime::typestate::decode<{}>(endpoint, step), {}}}", alternative.name,
                             alternative.payload_type, make(alternative.target));
  }

  void definitions(StateId state) {
    const auto& name = class_names_[state];
    if (sending(state)) {
      const auto outgoing = machine_.outgoing(state);
      for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
        const auto& transition = outgoing[i];
        const auto kind = protocol_.payload_kind(transition.action.payload);
        out_ += fmt::format(
            "inline {0} {1}::send_{2}({3}) && {{\n"
            "  auto& endpoint = use();\n"
            "  endpoint.send_step({4}, {5}, {6});\n"
            "  release();\n"
            "  return {7};\n"
            "}}\n",
            type_of(transition.target), name, identifier(label(transition.action)), parameters(transition), state,
            first(state) + i,
            kind == PayloadKind::Unit ? "nullptr"
            : kind == PayloadKind::String || kind == PayloadKind::Opaque || kind == PayloadKind::Record
                ? "::lim::runtime::Payload(std::move(payload))"
                : "::lim::runtime::Payload(payload)",
            make(transition.target));
      }
    } else if (single_receive(state)) {
      const auto alternative = alternatives_of(state).front();
      out_ += fmt::format(
          "inline {0}::{1} {0}::receive_{2}({3} deadline) && {{\n"
          "  auto& endpoint = use();\n"
          "  auto step = endpoint.receive_step({4}, deadline);\n"
          "  release();\n"
          "  return {5};\n"
          "}}\n",
          name, alternative.name, identifier(label(machine_.outgoing(state).front().action)), kDeadline, state,
          received(alternative));
    } else {
      out_ += fmt::format(
          "inline {0}::Branch {0}::offer({1} deadline) && {{\n"
          "  auto& endpoint = use();\n"
          "  auto step = endpoint.receive_step({2}, deadline);\n"
          "  release();\n"
          "  switch (step.transition) {{\n",
          name, kDeadline, state);
      for (const auto& alternative : alternatives_of(state))
        out_ += fmt::format("    case {}: return {};\n", alternative.transition, received(alternative));
      out_ += "  }\n  ::lim::runtime::typestate::unexpected_step(endpoint, step);\n}\n";
    }
    out_ += "\n";
  }

  void begin() {
    out_ += fmt::format(
        "// The role's initial state on `endpoint`, which must run this protocol and\n"
        "// role and not have acted yet (typestate::BindingError otherwise).\n"
        "[[nodiscard]] inline {0} begin({1}& endpoint) {{\n"
        "  ::lim::runtime::typestate::check_binding(endpoint, kRole, kFingerprint);\n"
        "  return {2};\n"
        "}}\n\n",
        type_of(machine_.initial), kEndpoint, make(machine_.initial));
  }

  const Protocol& protocol_;
  const CppGeneratorOptions& options_;
  const automata::System& system_;
  RoleId role_;
  const automata::Cfsm& machine_;
  std::string namespace_;
  std::map<RoleId, std::string> peer_names_;  // the tag objects
  std::map<RoleId, std::string> tag_names_;   // their types
  std::vector<std::string> class_names_;   // index = StateId; empty for final states
  std::map<std::string, std::string> sort_names_;  // opaque sort → its name in `sorts`
  std::set<std::uint32_t> records_;                    // records the role's payloads use
  std::map<std::uint32_t, std::string> record_names_;  // their names in `records`
  std::string out_;
};

}  // namespace

std::string generate_cpp(const Protocol& protocol, const CppGeneratorOptions& options) {
  return Generator(protocol, options).run();
}

}  // namespace lim::runtime
