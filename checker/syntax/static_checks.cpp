#include "lim/syntax/static_checks.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lim/syntax/parser.hpp"

namespace lim::syntax {

namespace {

// An error with the notes that explain it. Findings are collected first and
// reported in source order, whatever order the walks found them in.
struct Finding {
  SourceLocation location;
  std::string message;
  std::vector<std::pair<SourceLocation, std::string>> notes;
};

std::string quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

// Messages list known roles, but a generated context may have thousands.
constexpr std::size_t kMaxListedRoles = 10;

std::string list_roles(const std::vector<std::string_view>& roles) {
  std::string text;
  for (std::size_t i = 0; i < roles.size() && i < kMaxListedRoles; ++i) {
    if (i > 0) text += ", ";
    text += quoted(roles[i]);
  }
  if (roles.size() > kMaxListedRoles) text += ", ...";
  return text;
}

class Checker {
 public:
  explicit Checker(const Context& context) : context_(context) {}

  std::vector<Finding> run() {
    check_sorts();
    check_roles();
    check_declarations();
    walk_types();
    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
      return std::pair(a.location.line, a.location.column) < std::pair(b.location.line, b.location.column);
    });
    return std::move(findings_);
  }

 private:
  void report(SourceLocation where, std::string message) {
    findings_.push_back({where, std::move(message), {}});
  }
  void report(SourceLocation where, std::string message, SourceLocation note_where, std::string note) {
    findings_.push_back({where, std::move(message), {{note_where, std::move(note)}}});
  }

  // ---- sorts --------------------------------------------------------------

  void check_sorts() {
    std::unordered_map<std::string_view, const SortDeclaration*> first;
    for (const SortDeclaration& sort : context_.sorts) {
      if (!builtin_sort(sort.name).empty()) {
        report(sort.location, "sort " + quoted(sort.name) + " is a builtin sort and cannot be declared");
        continue;
      }
      const auto [previous, inserted] = first.emplace(sort.name, &sort);
      if (!inserted) {
        report(sort.location, "duplicate declaration of sort " + quoted(sort.name),
               previous->second->location, "previous declaration of " + quoted(sort.name) + " is here");
      } else {
        declared_sorts_.insert(sort.name);
      }
    }
    for (const RecordDeclaration& record : context_.records) {
      if (!builtin_sort(record.name).empty() || is_scalar_type(record.name)) {
        report(record.location, "record " + quoted(record.name) + " has the name of a builtin sort");
        continue;
      }
      const auto [previous, inserted] = first.emplace(record.name, nullptr);
      if (!inserted) {
        report(record.location, "duplicate declaration of sort " + quoted(record.name));
      } else {
        declared_sorts_.insert(record.name);
        records_.insert(record.name);
      }
    }
    for (const SortDeclaration& sort : context_.sorts) {
      if (!sort.aliased.empty() && !known_sort(sort.aliased)) {
        report(sort.location, "unknown sort " + quoted(sort.aliased));
      }
    }
  }

  // ---- records, constants, state, predicates -----------------------------

  void check_fields(const std::vector<FieldDeclaration>& fields, std::string_view what, bool records_allowed) {
    std::unordered_map<std::string_view, const FieldDeclaration*> seen;
    for (const FieldDeclaration& field : fields) {
      const auto [previous, inserted] = seen.emplace(field.name, &field);
      if (!inserted) {
        report(field.location, "duplicate " + std::string(what) + " " + quoted(field.name),
               previous->second->location, "previous " + quoted(field.name) + " is here");
      }
      if (is_scalar_type(field.type) || (records_allowed && records_.contains(field.type))) continue;
      report(field.type_location, quoted(field.type) + " is not a type " + std::string(what) +
                                      "s can have (u8, u16, u32, u64, bool" +
                                      (records_allowed ? ", or a record)" : ")"));
    }
  }

  void check_declarations() {
    for (const RecordDeclaration& record : context_.records) check_fields(record.fields, "field", false);
    std::unordered_map<std::string_view, const ConstantDeclaration*> constants;
    for (const ConstantDeclaration& constant : context_.constants) {
      const auto [previous, inserted] = constants.emplace(constant.name, &constant);
      if (!inserted) {
        report(constant.location, "duplicate constant " + quoted(constant.name), previous->second->location,
               "previous " + quoted(constant.name) + " is here");
      }
      if (!is_scalar_type(constant.type)) {
        report(constant.type_location,
               quoted(constant.type) + " is not a type constants can have (u8, u16, u32, u64, bool)");
      }
    }
    using Key = std::pair<std::string_view, std::string_view>;  // (session, role)
    std::map<Key, const StateDeclaration*> states;
    for (const StateDeclaration& state : context_.states) {
      const auto [previous, inserted] = states.emplace(Key(state.session, state.role), &state);
      if (!inserted) {
        report(state.location, "the state of role " + quoted(state.role) + " is declared twice",
               previous->second->location, "first declared here");
      }
      const auto roles = roles_.find(state.session);
      if (roles == roles_.end() || !roles->second.names.contains(state.role)) {
        report(state.location, "state declared for unknown role " + quoted(state.role));
      } else if (environments_.contains(Key(state.session, state.role))) {
        report(state.location, "environment role " + quoted(state.role) +
                                   " cannot have state: lim assumes it may send anything at any time");
      }
      check_fields(state.variables, "state variable", false);
      for (const FieldDeclaration& variable : state.variables) {
        const auto constant = constants.find(variable.name);
        if (constant != constants.end()) {
          report(variable.location, "state variable " + quoted(variable.name) + " has the name of a constant",
                 constant->second->location, "the constant is declared here");
        }
      }
    }
    std::unordered_map<std::string_view, const PredicateDeclaration*> predicates;
    for (const PredicateDeclaration& predicate : context_.predicates) {
      const auto [previous, inserted] = predicates.emplace(predicate.name, &predicate);
      if (!inserted) {
        report(predicate.location, "duplicate predicate " + quoted(predicate.name), previous->second->location,
               "previous " + quoted(predicate.name) + " is here");
      }
      check_fields(predicate.parameters, "parameter", true);
    }
  }

  bool known_sort(std::string_view name) const {
    return !builtin_sort(name).empty() || declared_sorts_.contains(name);
  }

  // ---- roles --------------------------------------------------------------

  void check_roles() {
    using Key = std::pair<std::string_view, std::string_view>;  // (session, role)
    std::map<Key, const RoleEntry*> first;
    for (const RoleEntry& entry : context_.entries) {
      const auto [previous, inserted] = first.emplace(Key(entry.session, entry.role), &entry);
      if (inserted) {
        Roles& roles = roles_[entry.session];
        roles.in_order.push_back(entry.role);
        roles.names.insert(entry.role);
        if (entry.environment) environments_.insert(Key(entry.session, entry.role));
        continue;
      }
      const std::string where = entry.session.empty() ? "" : " in session " + quoted(entry.session);
      report(entry.location, "role " + quoted(entry.role) + where + " is given twice",
             previous->second->location, "first given here");
    }
  }

  // ---- types --------------------------------------------------------------

  // One node still to visit. `entry` is the top-level entry whose own type
  // this is, or nullptr inside a payload type: payload types describe some
  // other session, so their peers are not roles of this context.
  // `recursion_run` is the outermost Recursion of the unbroken μ-prefix run
  // the node sits in (kNoType when its parent is not a Recursion): a variable
  // whose binder starts the same run is reached without any communication.
  struct Visit {
    TypeId type;
    const RoleEntry* entry;
    TypeId recursion_run;
  };

  void walk_types() {
    run_of_.assign(context_.nodes.size(), kNoType);
    visited_.assign(context_.nodes.size() * 2, false);
    for (const RoleEntry& entry : context_.entries) {
      if (!valid(entry.type)) {
        report(entry.location, "role " + quoted(entry.role) + " has no type");
        continue;
      }
      worklist_.push_back({entry.type, &entry, kNoType});
      for (const TypeId sends : entry.alphabet) {
        if (valid(sends)) worklist_.push_back({sends, &entry, kNoType});
      }
      // Iterative: a 10^5-long chain must not exhaust the stack.
      while (!worklist_.empty()) {
        const Visit visit = worklist_.back();
        worklist_.pop_back();
        // A parsed context is a tree; a hand-built one may share nodes, and
        // each node is then checked once as an entry's type and once as a
        // payload.
        const std::size_t seen = visit.type * std::size_t{2} + (visit.entry != nullptr ? 1 : 0);
        if (visited_[seen]) continue;
        visited_[seen] = true;
        visit_node(visit);
      }
    }
  }

  bool valid(TypeId type) const { return type < context_.nodes.size(); }

  void visit_node(const Visit& visit) {
    const TypeNode& node = context_.nodes[visit.type];
    switch (node.kind) {
      case TypeKind::End: break;
      case TypeKind::Recursion: {
        const TypeId run = visit.recursion_run == kNoType ? visit.type : visit.recursion_run;
        run_of_[visit.type] = run;
        if (!valid(node.body)) {
          report(node.location, "recursion " + quoted(node.name) + " has no body");
          break;
        }
        worklist_.push_back({node.body, visit.entry, run});
        break;
      }
      case TypeKind::Variable: check_variable(visit, node); break;
      case TypeKind::Select:
      case TypeKind::Branch: check_choices(visit, node); break;
    }
  }

  void check_variable(const Visit& visit, const TypeNode& node) {
    if (!valid(node.body) || context_.nodes[node.body].kind != TypeKind::Recursion) {
      report(node.location, "unbound recursion variable " + quoted(node.name));
      return;
    }
    if (visit.recursion_run != kNoType && run_of_[node.body] == visit.recursion_run) {
      report(node.location,
             "unguarded recursion variable " + quoted(node.name) +
                 ": no communication between its binder and this use",
             context_.nodes[node.body].name_location, quoted(node.name) + " is bound here");
    }
  }

  void check_choices(const Visit& visit, const TypeNode& node) {
    if (has_several_peers(node)) {
      check_groups(visit, node);
    } else if (visit.entry != nullptr) {
      check_peer(*visit.entry, node.name, node.name_location);
    }
    check_choice_kinds(node);
    check_patterns(node);
    // One label per peer: `&{ a: {m}, b: {m} }` receives two messages.
    std::unordered_map<std::pair<std::string_view, std::string_view>, const Choice*, PeerLabelHash> labels;
    // Pushed in reverse so that the walk meets choices in source order.
    for (auto choice = node.choices.rbegin(); choice != node.choices.rend(); ++choice) {
      if (!valid(choice->continuation)) {
        report(choice->location, "choice " + quoted(choice->label) + " has no continuation");
      } else {
        worklist_.push_back({choice->continuation, visit.entry, kNoType});
      }
      const PayloadSort& payload = choice->payload;
      if (payload.kind == PayloadSort::Kind::Ground) {
        if (!known_sort(payload.ground)) report(payload.location, "unknown sort " + quoted(payload.ground));
      } else if (payload.session != kNoType) {
        if (valid(payload.session)) {
          worklist_.push_back({payload.session, nullptr, kNoType});
        } else {
          report(payload.location, "payload of " + quoted(choice->label) + " refers to no type");
        }
      }
    }
    for (const Choice& choice : node.choices) {
      if (choice.kind != ChoiceKind::Message) continue;
      const auto [previous, inserted] = labels.emplace(std::pair(std::string_view(choice.peer), std::string_view(choice.label)), &choice);
      if (inserted) continue;
      const Choice& first = *previous->second;
      if (node.kind != TypeKind::Branch || (first.guard == kNoExpr && choice.guard == kNoExpr)) {
        report(choice.location, "duplicate label " + quoted(choice.label) + " in this choice", first.location,
               "previous " + quoted(choice.label) + " is here");
      } else if (first.guard == kNoExpr || choice.guard == kNoExpr) {
        // Several branches for one label are told apart by their guards.
        const Choice& unguarded = first.guard == kNoExpr ? first : choice;
        report(unguarded.location,
               "label " + quoted(choice.label) + " has several branches here, so each needs a guard (if …)",
               (&unguarded == &first ? choice : first).location, "the other " + quoted(choice.label) + " is here");
      } else if (!same_payload(first.payload, choice.payload)) {
        report(choice.payload.location,
               "branches for label " + quoted(choice.label) + " must carry the same payload sort", first.location,
               "the first " + quoted(choice.label) + " is here");
      }
    }
  }

  struct PeerLabelHash {
    std::size_t operator()(const std::pair<std::string_view, std::string_view>& key) const {
      const std::hash<std::string_view> hash;
      return hash(key.first) * 31 + hash(key.second);
    }
  };

  static bool same_payload(const PayloadSort& a, const PayloadSort& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == PayloadSort::Kind::Ground) return a.ground == b.ground;
    // Session payloads of guarded branches: only the implicit `end` compares
    // equal without a subtyping check, and guards need data payloads anyway.
    return a.session == kNoType && b.session == kNoType;
  }

  // `⊕{ p: {…}, q: {…} }`: each peer is a role of the session, other than
  // the role itself, and has one group; a branch needs a peer besides its
  // timeout.
  void check_groups(const Visit& visit, const TypeNode& node) {
    std::map<std::string_view, const Choice*> groups;
    const Choice* previous = nullptr;
    for (const Choice& choice : node.choices) {
      if (choice.peer.empty()) continue;  // the timeout
      const bool new_group = previous == nullptr || previous->peer != choice.peer;
      previous = &choice;
      if (!new_group) continue;
      const auto [first, inserted] = groups.emplace(choice.peer, &choice);
      if (!inserted) {
        report(choice.peer_location,
               "peer " + quoted(choice.peer) + " has two groups here; put all its messages in one '" +
                   choice.peer + ": {…}'",
               first->second->peer_location, "its first group is here");
        continue;
      }
      if (visit.entry != nullptr) check_peer(*visit.entry, choice.peer, choice.peer_location);
    }
    if (groups.empty())
      report(node.name_location, std::string(node.kind == TypeKind::Branch ? "a receive" : "a send") +
                                     " with several peers names at least one peer: '" +
                                     (node.kind == TypeKind::Branch ? "&" : "⊕") + "{ role: {…}, … }'");
  }

  // An or-pattern `a(s: T) | b(s: T) if g . T'` is one guard over several
  // labels: each head is a message, and a guard reads every head's payload
  // by one binder.
  void check_patterns(const TypeNode& node) {
    for (std::size_t i = 1; i < node.choices.size(); ++i) {
      const Choice& first = node.choices[i - 1];
      const Choice& head = node.choices[i];
      if (!same_alternative(first, head)) continue;
      if (first.kind != ChoiceKind::Message || head.kind != ChoiceKind::Message) {
        const Choice& odd = first.kind != ChoiceKind::Message ? first : head;
        report(odd.location, std::string(odd.kind == ChoiceKind::Timeout ? "a timeout" : "the wildcard '_'") +
                                 " cannot be one of several labels joined by '|'");
        continue;
      }
      // (A head without a binder has nothing the guard could read.)
      if (head.guard == kNoExpr || first.binder.empty() || head.binder.empty() || first.binder == head.binder)
        continue;
      report(head.binder_location,
             "the labels of an or-pattern share its guard, so each binds its payload as " + quoted(first.binder) +
                 ", not as " + quoted(head.binder),
             first.location, "the first label of the pattern is here");
    }
  }

  // Where timeouts, wildcards, payload binders and guards may appear.
  void check_choice_kinds(const TypeNode& node) {
    const Choice* timeout = nullptr;
    std::map<std::string_view, const Choice*> wildcards;  // by peer
    for (const Choice& choice : node.choices) {
      const bool branch = node.kind == TypeKind::Branch;
      switch (choice.kind) {
        case ChoiceKind::Timeout:
          if (!branch) {
            report(choice.location, "a timeout belongs in a branch (&), where the role waits; a select (⊕) sends");
          } else if (timeout != nullptr) {
            report(choice.location, "a branch has at most one timeout", timeout->location,
                   "the first timeout is here");
          }
          timeout = timeout != nullptr ? timeout : &choice;
          break;
        case ChoiceKind::Wildcard:
          if (!branch) {
            report(choice.location, "the wildcard '_' stands for messages a role receives; a select (⊕) names what "
                                    "it sends");
          } else if (const auto other = wildcards.find(choice.peer); other != wildcards.end()) {
            report(choice.location,
                   choice.peer.empty() ? std::string("a branch has at most one wildcard '_'")
                                       : "a branch has at most one wildcard '_' per peer, and " +
                                             quoted(choice.peer) + " has two",
                   other->second->location, "the first '_' is here");
          }
          if (choice.payload.kind != PayloadSort::Kind::Session || choice.payload.session != kNoType ||
              !choice.binder.empty()) {
            report(choice.payload.location, "the wildcard '_' takes no payload");
          }
          wildcards.emplace(choice.peer, &choice);
          break;
        case ChoiceKind::Message: break;
      }
      if (choice.guard != kNoExpr && (!branch || choice.kind != ChoiceKind::Message)) {
        report(context_.expression(choice.guard).location,
               branch ? "only a received message can have a guard" : "a select (⊕) cannot have guards: the sender "
                                                                      "chooses freely");
      }
      if (!choice.binder.empty()) {
        if (!branch) {
          report(choice.binder_location, "only a received message binds its payload; a select (⊕) names the sort "
                                         "alone");
        } else if (choice.payload.kind != PayloadSort::Kind::Ground) {
          report(choice.binder_location, "'" + choice.binder + "' binds a session-type payload; only data payloads "
                                         "(records, u8 … u64, bool) can be bound");
        }
      }
    }
  }

  void check_peer(const RoleEntry& entry, const std::string& peer, SourceLocation where) {
    if (peer == entry.role) {
      report(where, "role " + quoted(entry.role) + " communicates with itself");
      return;
    }
    const Roles& roles = roles_.at(entry.session);  // check_roles saw every entry
    if (roles.names.contains(peer)) return;
    std::string message = "unknown role " + quoted(peer);
    message += entry.session.empty() ? " (the roles are " : " in session " + quoted(entry.session) + " (its roles are ";
    message += list_roles(roles.in_order) + ")";
    report(where, std::move(message));
  }

  const Context& context_;
  std::vector<Finding> findings_;
  std::unordered_set<std::string_view> declared_sorts_;
  struct Roles {
    std::vector<std::string_view> in_order;  // for messages
    std::unordered_set<std::string_view> names;
  };
  std::unordered_map<std::string_view, Roles> roles_;  // by session name
  std::vector<Visit> worklist_;
  std::unordered_set<std::string_view> records_;
  std::set<std::pair<std::string_view, std::string_view>> environments_;  // (session, role)
  std::vector<TypeId> run_of_;
  std::vector<bool> visited_;
};

}  // namespace

void check_context(const Context& context, Diagnostics& diagnostics) {
  for (Finding& finding : Checker(context).run()) {
    diagnostics.error(finding.location, std::move(finding.message));
    for (auto& [where, note] : finding.notes) diagnostics.note(where, std::move(note));
  }
}

}  // namespace lim::syntax
