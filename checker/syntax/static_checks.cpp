#include "lim/syntax/static_checks.hpp"

#include <algorithm>
#include <map>
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
    for (const SortDeclaration& sort : context_.sorts) {
      if (!sort.aliased.empty() && !known_sort(sort.aliased)) {
        report(sort.location, "unknown sort " + quoted(sort.aliased));
      }
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
    if (visit.entry != nullptr) check_peer(*visit.entry, node);
    std::unordered_map<std::string_view, const Choice*> labels;
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
      const auto [previous, inserted] = labels.emplace(choice.label, &choice);
      if (!inserted) {
        report(choice.location, "duplicate label " + quoted(choice.label) + " in this choice",
               previous->second->location, "previous " + quoted(choice.label) + " is here");
      }
    }
  }

  void check_peer(const RoleEntry& entry, const TypeNode& node) {
    if (node.name == entry.role) {
      report(node.name_location, "role " + quoted(entry.role) + " communicates with itself");
      return;
    }
    const Roles& roles = roles_.at(entry.session);  // check_roles saw every entry
    if (roles.names.contains(node.name)) return;
    std::string message = "unknown role " + quoted(node.name);
    message += entry.session.empty() ? " (the roles are " : " in session " + quoted(entry.session) + " (its roles are ";
    message += list_roles(roles.in_order) + ")";
    report(node.name_location, std::move(message));
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
