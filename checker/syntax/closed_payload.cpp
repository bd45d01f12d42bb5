#include "lim/syntax/closed_payload.hpp"

#include <vector>

namespace lim::syntax {

std::optional<std::string> print_closed_payload(const Context& context, const PayloadSort& payload,
                                                std::size_t max_nodes, Notation notation) {
  if (payload.kind == PayloadSort::Kind::Ground || payload.session == kNoType) return print_payload(context, payload);
  // The copy is built in a context of its own, with an explicit work list
  // (types may be 10^5 deep). Each task copies one node into a slot already
  // allocated; `scope` is the chain of recursions copied on the path to it,
  // so that a variable refers to its binder's copy when there is one, and
  // is replaced by a copy of the binder otherwise.
  Context closed;
  closed.expressions = context.expressions;  // guards keep their ids
  struct Binding {
    TypeId original;
    TypeId copy;
    std::int64_t parent;
  };
  std::vector<Binding> bindings;
  struct Task {
    TypeId original;
    TypeId copy;
    std::int64_t scope;
  };
  std::vector<Task> tasks;
  const auto allocate = [&] { return closed.add({}); };
  const TypeId root = allocate();
  tasks.push_back({payload.session, root, -1});
  while (!tasks.empty()) {
    if (closed.nodes.size() > max_nodes) return std::nullopt;
    const Task task = tasks.back();
    tasks.pop_back();
    const TypeNode& node = context.node(task.original);
    TypeNode copy = node;
    switch (node.kind) {
      case TypeKind::End: break;
      case TypeKind::Recursion: {
        bindings.push_back({task.original, task.copy, task.scope});
        copy.body = allocate();
        tasks.push_back({node.body, copy.body, static_cast<std::int64_t>(bindings.size() - 1)});
        break;
      }
      case TypeKind::Variable: {
        std::int64_t at = task.scope;
        while (at >= 0 && bindings[static_cast<std::size_t>(at)].original != node.body)
          at = bindings[static_cast<std::size_t>(at)].parent;
        if (at < 0) {
          // Bound outside the payload: the binder itself goes here.
          if (node.body == kNoType) break;  // unresolved: left as the name
          tasks.push_back({node.body, task.copy, task.scope});
          continue;
        }
        copy.body = bindings[static_cast<std::size_t>(at)].copy;
        break;
      }
      case TypeKind::Select:
      case TypeKind::Branch:
        for (auto& choice : copy.choices) {
          if (choice.continuation != kNoType) {
            const TypeId original = choice.continuation;
            choice.continuation = allocate();
            tasks.push_back({original, choice.continuation, task.scope});
          }
          if (choice.payload.kind == PayloadSort::Kind::Session && choice.payload.session != kNoType) {
            const TypeId original = choice.payload.session;
            choice.payload.session = allocate();
            tasks.push_back({original, choice.payload.session, task.scope});
          }
        }
        break;
    }
    closed.node(task.copy) = std::move(copy);
  }
  PayloadSort copy = payload;
  copy.session = root;
  return print_payload(closed, copy, notation);
}

}  // namespace lim::syntax
