#include "lim/formats/promela_writer.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "lim/semantics/asynchronous.hpp"

namespace lim::formats {
namespace {

using automata::Direction;
using automata::RoleId;
using automata::StateId;

// Promela's keywords and predefined names, and C's keywords: channel names
// become fields of pan's state vector, so they must be C identifiers too.
constexpr std::string_view kReserved[] = {
    "active",    "assert",   "atomic",     "bit",       "bool",      "break",     "byte",       "chan",
    "d_step",    "D_proctype", "do",       "else",      "empty",     "enabled",   "eval",       "false",
    "fi",        "full",     "get_priority", "goto",    "hidden",    "if",        "init",       "inline",
    "int",       "len",      "local",      "ltl",       "mtype",     "nempty",    "never",      "nfull",
    "notrace",   "np_",      "od",         "of",        "pc_value",  "pid",       "print",      "printf",
    "printm",    "priority", "proctype",   "provided",  "run",       "select",    "set_priority", "short",
    "show",      "skip",     "timeout",    "trace",     "true",      "typedef",   "unless",     "unsigned",
    "xr",        "xs",       "c_code",     "c_decl",    "c_expr",    "c_state",   "c_track",    "for",
    "in",        "STDIN",    "auto",       "case",      "char",      "const",     "continue",   "default",
    "double",    "enum",     "extern",     "float",     "long",      "register",  "return",     "signed",
    "sizeof",    "static",   "struct",     "switch",    "union",     "void",      "volatile",   "while",
    "restrict",  "now",      "Ok",         "uchar",     "ushort",    "uint",      "ulong",      "Trans",
    "State",     "main",
};

bool is_promela_identifier(std::string_view text) {
  if (text.empty()) return false;
  const auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!start(text[0])) return false;  // a leading '_' is SPIN's (`_pid`, `_nr_pr`)
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9') || c == '_'; });
}

// The labels of machine states, `s12` and `end_s12`; no global name takes
// their shape, so that a reader never confuses the two.
bool looks_like_state_label(std::string_view text) {
  if (text.starts_with("end_")) text.remove_prefix(4);
  return text.size() > 1 && text[0] == 's' &&
         std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_promela_reserved(std::string_view text) {
  return looks_like_state_label(text) || std::find(std::begin(kReserved), std::end(kReserved), text) != std::end(kReserved);
}

// Text inside a /* … */ comment.
std::string promela_comment(std::string_view text) {
  std::string out(text);
  for (std::size_t at; (at = out.find("*/")) != std::string::npos;) out.replace(at, 2, "* /");
  for (auto& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

// Every global name of the model (proctypes, channels, mtype values) in one
// namespace, injectively: a name that is not a Promela identifier, or is
// reserved, gets `prefix` and its other characters become '_'; a clash gets
// a numeric suffix.
class PromelaNames {
 public:
  std::string take(const std::string& wanted, std::string_view prefix) {
    std::string candidate = wanted;
    if (!is_promela_identifier(wanted) || is_promela_reserved(wanted)) {
      candidate = prefix;
      for (const char c : wanted) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        candidate += keep ? c : '_';
      }
    }
    for (const std::string base = candidate; !used_.insert(candidate).second;)
      candidate = fmt::format("{}_{}", base, used_.size());
    return candidate;
  }

 private:
  std::set<std::string> used_;
};

class PromelaWriter {
 public:
  PromelaWriter(const automata::System& system, unsigned k, Diagnostics& diagnostics)
      : system_(system), k_(k), diagnostics_(diagnostics) {}

  std::optional<std::string> run() {
    check_expressible();
    if (failed_) return std::nullopt;
    const semantics::AsynchronousSemantics semantics(system_, k_);
    name_everything(semantics);
    if (failed_) return std::nullopt;

    std::string text = fmt::format(
        "/* Exported by lim (lim export --to promela --k {0}): lim's asynchronous semantics with\n"
        "   channels of capacity {0}, one FIFO channel per ordered pair of communicating roles.\n"
        "   Check with\n"
        "     spin -a MODEL.pml && cc -DNOREDUCE -DSAFETY -o pan pan.c && ./pan -q\n"
        "   -q makes a valid end state need empty channels: then SPIN's invalid end states are\n"
        "   lim's async-deadlock-freedom violations (docs/formats.md). */\n",
        k_);
    for (RoleId role = 0; role < system_.role_count(); ++role)
      if (process_names_[role] != system_.role_names[role])
        text += fmt::format("/* role '{}' is {} */\n", promela_comment(system_.role_names[role]), process_names_[role]);
    if (!messages_.empty()) {
      text += "mtype = {";
      for (std::size_t i = 0; i < messages_.size(); ++i)
        text += fmt::format("{}{}", i == 0 ? " " : ", ", messages_[i].name);
      text += " };\n";
      for (const auto& message : messages_)
        if (message.name != message.display)
          text += fmt::format("/* {} is {} */\n", message.name, promela_comment(message.display));
    }
    for (std::size_t channel = 0; channel < semantics.channels().size(); ++channel) {
      const auto& c = semantics.channels()[channel];
      text += fmt::format("chan {} = [{}] of {{ mtype }};  /* {} → {} */\n", channel_names_[channel], k_,
                          promela_comment(system_.role_names[c.from]), promela_comment(system_.role_names[c.to]));
    }
    for (RoleId role = 0; role < system_.role_count(); ++role) text += process(semantics, role);
    return text;
  }

 private:
  struct MessageName {
    std::string name;
    std::string display;
  };

  const SourceLocation& role_location(RoleId role) const {
    static const SourceLocation unknown;
    return role < system_.role_locations.size() ? system_.role_locations[role] : unknown;
  }

  void fail(SourceLocation where, std::string message) {
    diagnostics_.error(where, std::move(message));
    failed_ = true;
  }

  // What SPIN could only approximate is refused: an environment's "anything,
  // any time", a timeout's deadline and a guard's data are not in the model.
  void check_expressible() {
    if (k_ < 1 || k_ > kPromelaMaxBound)
      fail({}, fmt::format("the promela format needs a channel capacity k in 1..{}, not {}", kPromelaMaxBound, k_));
    if (system_.role_count() == 0) fail({}, "the system has no roles: a Promela model needs a process");
    if (system_.role_count() > 255)
      fail({}, fmt::format("the system has {} roles; SPIN runs at most 255 processes", system_.role_count()));
    for (RoleId role = 0; role < system_.role_count(); ++role) {
      if (system_.is_environment(role)) {
        fail(role_location(role),
             fmt::format("cannot write role '{}' in Promela: it is an environment (env), which may send any "
                         "message at any time; the promela format writes only ordinary roles",
                         system_.role_names[role]));
        continue;
      }
      // One error per role and kind is enough to say why.
      bool timeout_reported = false, guard_reported = false;
      for (const auto& transition : system_.machines[role].transitions()) {
        const auto& action = transition.action;
        const bool timeout = action.direction == Direction::Timeout;
        if (!timeout && action.guard == automata::kNoGuard) continue;
        bool& reported = timeout ? timeout_reported : guard_reported;
        if (reported) continue;
        reported = true;
        fail(transition.location.known() ? transition.location : role_location(role),
             fmt::format("cannot write the {} `{}` of role '{}' in Promela: the promela format has no {}",
                         timeout ? "timeout" : "guarded branch", system_.describe_label(action),
                         system_.role_names[role], timeout ? "deadlines" : "data to decide guards"));
      }
    }
  }

  void name_everything(const semantics::AsynchronousSemantics& semantics) {
    for (RoleId role = 0; role < system_.role_count(); ++role)
      process_names_.push_back(names_.take(system_.role_names[role], "r_"));
    // One mtype value per distinct message (label, payload sort) of the
    // system, shared by every channel that carries it.
    std::map<std::pair<automata::LabelId, automata::SortId>, std::size_t> message_index;
    for (const auto& channel : semantics.channels()) {
      auto& ids = channel_messages_.emplace_back();
      for (const auto& message : channel.alphabet) {
        auto [it, inserted] = message_index.try_emplace({message.label, message.payload}, messages_.size());
        if (inserted) {
          const auto& label = system_.labels.name(message.label);
          const auto& payload = system_.sorts.display(message.payload);
          const std::string display = payload.empty() ? label : fmt::format("{}({})", label, payload);
          messages_.push_back({names_.take(payload.empty() ? label : label + "_" + payload, "m_"), display});
        }
        ids.push_back(it->second);
      }
    }
    if (semantics.channels().size() > 255)
      fail({}, fmt::format("the system has {} channels (ordered pairs of roles with a send); SPIN declares at most 255",
                           semantics.channels().size()));
    if (messages_.size() > 255)
      fail({}, fmt::format("the system has {} distinct messages; SPIN's mtype has at most 255 values",
                           messages_.size()));
    for (const auto& channel : semantics.channels())
      channel_names_.push_back(
          names_.take(process_names_[channel.from] + "_" + process_names_[channel.to], "ch_"));
  }

  std::string state_label(RoleId role, StateId state) const {
    return fmt::format("{}s{}", system_.machines[role].kind(state) == automata::StateKind::Final ? "end_" : "",
                       state);
  }

  // The machine as labelled `if`s, the initial state first: that is where
  // the process starts.
  std::string process(const semantics::AsynchronousSemantics& semantics, RoleId role) {
    const auto& machine = system_.machines[role];
    std::vector<StateId> order{machine.initial};
    for (StateId state = 0; state < machine.state_count(); ++state)
      if (state != machine.initial) order.push_back(state);
    std::vector<std::string> statements;
    for (const StateId state : order) {
      const std::string head = fmt::format("{}: /* {}: {}", state_label(role, state),
                                           promela_comment(machine.graph[state].name),
                                           promela_comment(system_.describe_state(role, state)));
      if (machine.kind(state) == automata::StateKind::Final) {
        statements.push_back(head + ", a valid end state */\n  false");
        continue;
      }
      std::string options;
      const auto outgoing = machine.outgoing(state);
      for (std::uint32_t i = 0; i < outgoing.size(); ++i) {
        const auto global = semantics.global_index({role, machine.first_outgoing_index(state) + i});
        const auto channel = semantics.transition_channel(global);
        const auto target = state_label(role, outgoing[i].target);
        if (outgoing[i].action.direction == Direction::Send) {
          options += fmt::format("  :: {}!{} -> goto {}\n", channel_names_[channel],
                                 messages_[channel_messages_[channel][semantics.sent_message(global)]].name, target);
          continue;
        }
        // A receive from a role that never sends here never fires, as in lim.
        if (channel == semantics::AsynchronousSemantics::kNoChannel) continue;
        // One option per message the receive accepts (its label, a payload
        // sort below its own): the constant makes `?` fire only on that head.
        for (std::uint32_t message = 0; message < semantics.channels()[channel].alphabet.size(); ++message)
          if (semantics.accepts(global, message))
            options += fmt::format("  :: {}?{} -> goto {}\n", channel_names_[channel],
                                   messages_[channel_messages_[channel][message]].name, target);
      }
      // No option: blocked for ever, and not an end state, as in lim.
      statements.push_back(options.empty() ? head + ", no transition here can ever fire */\n  false"
                                           : head + " */\n  if\n" + options + "  fi");
    }
    std::string text = fmt::format("\nactive proctype {}() {{\n", process_names_[role]);
    // Each channel has one sender and one receiver process: saying so lets
    // SPIN's partial-order reduction treat their sends and receives as
    // independent of the other processes (it checks the claim as it runs).
    for (const bool sending : {true, false}) {
      std::vector<std::string> own;
      for (std::size_t channel = 0; channel < semantics.channels().size(); ++channel)
        if ((sending ? semantics.channels()[channel].from : semantics.channels()[channel].to) == role)
          own.push_back(channel_names_[channel]);
      if (!own.empty()) text += fmt::format("  {} {};\n", sending ? "xs" : "xr", fmt::join(own, ", "));
    }
    for (std::size_t i = 0; i < statements.size(); ++i)
      text += statements[i] + (i + 1 < statements.size() ? ";\n" : "\n");
    return text + "}\n";
  }

  const automata::System& system_;
  unsigned k_;
  Diagnostics& diagnostics_;
  bool failed_ = false;
  PromelaNames names_;
  std::vector<std::string> process_names_;  // index = RoleId
  std::vector<MessageName> messages_;
  std::vector<std::vector<std::size_t>> channel_messages_;  // channel's message id → messages_
  std::vector<std::string> channel_names_;
};

}  // namespace

std::optional<std::string> write_promela(const automata::System& system, unsigned k, Diagnostics& diagnostics) {
  return PromelaWriter(system, k, diagnostics).run();
}

}  // namespace lim::formats
