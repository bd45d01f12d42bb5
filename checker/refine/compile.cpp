#include "lim/refine/compile.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lim/refine/evaluate.hpp"
#include "lim/syntax/printer.hpp"

namespace lim::refine {

namespace {

using syntax::Context;
using syntax::ExprId;
using syntax::ExprKind;
using syntax::ExprNode;
using syntax::kNoExpr;
using syntax::Operator;

constexpr std::uint32_t kNoRole = ~std::uint32_t{0};
// Guards nest at most syntax::kMaxNesting deep as written; expanding
// predicates stacks bodies, and the solver recurses on terms, so the
// expanded program's height is bounded too.
constexpr std::uint32_t kMaxProgramHeight = 4 * 1000;

std::string in_quotes(std::string_view name) { return "'" + std::string(name) + "'"; }

bool is_builtin(std::string_view name) {
  return name == "seq_lt" || name == "seq_le" || name == "seq_gt" || name == "seq_ge" || name == "u8" ||
         name == "u16" || name == "u32" || name == "u64";
}

std::string type_name(unsigned width) {
  const auto scalar = scalar_of_width(width);
  return scalar ? std::string(name(*scalar)) : "u" + std::to_string(width);
}

// An expression made only of number literals and arithmetic has no width of
// its own (`1`, `-1`, `2 * 1000`): it takes the width its use demands.
std::vector<char> literal_only(const Context& context) {
  std::vector<char> flexible(context.expressions.size(), 0);
  for (std::size_t i = 0; i < context.expressions.size(); ++i) {
    const ExprNode& node = context.expressions[i];
    switch (node.kind) {
      case ExprKind::Number: flexible[i] = 1; break;
      case ExprKind::Unary:
        flexible[i] = node.op != Operator::Not && !node.operands.empty() && flexible[node.operands[0]];
        break;
      case ExprKind::Binary: {
        const bool arithmetic = node.op >= Operator::BitOr;
        flexible[i] = arithmetic && node.operands.size() == 2 && flexible[node.operands[0]] &&
                      flexible[node.operands[1]];
        break;
      }
      default: break;
    }
  }
  return flexible;
}

// The first token of an expression, for messages about the whole of it.
SourceLocation start_of(const Context& context, ExprId expression) {
  ExprId at = expression;
  while (at < context.expressions.size()) {
    const ExprNode& node = context.expressions[at];
    if (node.kind != ExprKind::Binary || node.operands.empty() || node.operands[0] >= at) return node.location;
    at = node.operands[0];
  }
  return {};
}

class Compiler {
 public:
  Compiler(const Context& context, Diagnostics& diagnostics)
      : context_(context), diagnostics_(diagnostics), flexible_(literal_only(context)) {}

  std::optional<Refinements> run() {
    collect_records();
    collect_state();
    for (const syntax::PredicateDeclaration& predicate : context_.predicates)
      predicates_.emplace(predicate.name, &predicate);
    check_predicate_names();
    check_predicate_cycles();
    check_predicate_bodies();
    compile_constants();
    compile_choices();
    if (failed_) return std::nullopt;
    return std::move(result_);
  }

 private:
  // ---- values during compilation -----------------------------------------

  struct Value {
    enum class Kind : std::uint8_t { Scalar, Record, Flexible };
    Kind kind = Kind::Scalar;
    unsigned width = 1;
    std::uint32_t instruction = 0;  // Scalar
    std::uint32_t record = 0;       // Record
    ExprId expression = kNoExpr;    // Flexible: the literal-only subtree
  };

  // Where names are looked up: the guard's role and payload, or a predicate's
  // parameters (frames other than the first).
  struct Frame {
    std::vector<std::pair<std::string, Value>> parameters;
    const syntax::PredicateDeclaration* predicate = nullptr;
    SourceLocation call;  // where the predicate is used
  };

  struct Scope {
    std::uint32_t role = kNoRole;  // kNoRole: a constant's value
    std::string binder;
    PayloadShape payload;
    std::size_t visible_constants = 0;
  };

  // ---- diagnostics --------------------------------------------------------

  // Errors inside a predicate body come back at every use; each distinct
  // one is reported once.
  void error(SourceLocation where, std::string message, const std::vector<Frame>* frames = nullptr) {
    failed_ = true;
    if (!reported_.emplace(where.line, where.column, message).second) return;
    diagnostics_.error(where, std::move(message));
    if (frames != nullptr && frames->size() > 1) {
      const Frame& outer = (*frames)[1];
      diagnostics_.note(outer.call, "in predicate " + in_quotes(outer.predicate->name) + ", used here");
    }
  }

  // ---- declarations -------------------------------------------------------

  void collect_records() {
    for (const syntax::RecordDeclaration& declaration : context_.records) {
      Record record{declaration.name, {}, declaration.location};
      for (const syntax::FieldDeclaration& field : declaration.fields)
        record.fields.push_back({field.name, parse_scalar(field.type).value_or(Scalar::U64), field.location});
      result_.records.push_back(std::move(record));
    }
  }

  void collect_state() {
    result_.state.assign(context_.entries.size(), {});
    for (const syntax::StateDeclaration& declaration : context_.states) {
      for (std::uint32_t role = 0; role < context_.entries.size(); ++role) {
        const syntax::RoleEntry& entry = context_.entries[role];
        if (entry.session != declaration.session || entry.role != declaration.role || entry.environment) continue;
        for (const syntax::FieldDeclaration& variable : declaration.variables)
          result_.state[role].push_back(
              {variable.name, parse_scalar(variable.type).value_or(Scalar::U64), variable.location});
      }
    }
    for (const auto& variables : result_.state)
      for (const Field& variable : variables) any_state_names_.insert(variable.name);
  }

  void check_predicate_names() {
    for (const syntax::PredicateDeclaration& predicate : context_.predicates) {
      if (is_builtin(predicate.name)) {
        error(predicate.location, "predicate " + in_quotes(predicate.name) + " has the name of a builtin function");
        broken_.insert(&predicate);
      }
    }
  }

  // Predicates are expanded where they are used, so a predicate that calls
  // itself, directly or not, has no expansion.
  void check_predicate_cycles() {
    std::unordered_map<const syntax::PredicateDeclaration*, std::vector<const syntax::PredicateDeclaration*>> calls;
    for (const syntax::PredicateDeclaration& predicate : context_.predicates) {
      for (const ExprId id : subtree(predicate.body)) {
        const ExprNode& node = context_.expression(id);
        if (node.kind != ExprKind::Call) continue;
        const auto callee = predicates_.find(node.name);
        if (callee != predicates_.end()) calls[&predicate].push_back(callee->second);
      }
    }
    // Iterative depth-first search with colours.
    enum Colour : char { White, Grey, Black };
    std::unordered_map<const syntax::PredicateDeclaration*, Colour> colour;
    for (const syntax::PredicateDeclaration& start : context_.predicates) {
      if (colour[&start] != White) continue;
      std::vector<std::pair<const syntax::PredicateDeclaration*, std::size_t>> stack{{&start, 0}};
      colour[&start] = Grey;
      while (!stack.empty()) {
        auto& [current, next] = stack.back();
        const auto& callees = calls[current];
        if (next == callees.size()) {
          colour[current] = Black;
          stack.pop_back();
          continue;
        }
        const syntax::PredicateDeclaration* callee = callees[next++];
        if (colour[callee] == Grey) {
          // Every predicate from the callee's frame up is on the cycle.
          std::string path;
          bool on_cycle = false;
          for (const auto& [member, unused] : stack) {
            on_cycle = on_cycle || member == callee;
            if (!on_cycle) continue;
            broken_.insert(member);
            path += (path.empty() ? "" : " → ") + member->name;
          }
          error(callee->location, "predicate " + in_quotes(callee->name) + " calls itself (" + path + " → " +
                                      callee->name + "); predicates are expanded where they are used, so they "
                                                     "cannot recurse");
        } else if (colour[callee] == White) {
          colour[callee] = Grey;
          stack.push_back({callee, 0});
        }
      }
    }
  }

  // What can be checked of a predicate without knowing the role that uses
  // it: every name is a parameter, a constant or some role's state variable,
  // every call a builtin or a predicate, every field read a field of the
  // parameter's record. The types are checked at each use.
  void check_predicate_bodies() {
    std::unordered_set<std::string_view> constants;
    for (const syntax::ConstantDeclaration& constant : context_.constants) constants.insert(constant.name);
    for (const syntax::PredicateDeclaration& predicate : context_.predicates) {
      const std::size_t errors_before = reported_.size();
      for (const ExprId id : subtree(predicate.body)) {
        const ExprNode& node = context_.expression(id);
        const syntax::FieldDeclaration* parameter = nullptr;
        for (const auto& candidate : predicate.parameters)
          if (candidate.name == node.name) parameter = &candidate;
        if (node.kind == ExprKind::Name && parameter == nullptr && !constants.contains(node.name) &&
            !any_state_names_.contains(node.name)) {
          error(node.location, "unknown name " + in_quotes(node.name) +
                                   " in predicate " + in_quotes(predicate.name) +
                                   ": not a parameter, a constant or a state variable");
        } else if (node.kind == ExprKind::Call && !is_builtin(node.name) && !predicates_.contains(node.name)) {
          error(node.location, "unknown function " + in_quotes(node.name) + builtin_list());
        } else if (node.kind == ExprKind::Field) {
          const Record* record = parameter == nullptr ? nullptr : result_.record(parameter->type);
          if (record != nullptr && !record->field(node.field)) {
            error(node.location, "record " + in_quotes(record->name) + " has no field " + in_quotes(node.field));
          }
        }
      }
      if (reported_.size() != errors_before) broken_.insert(&predicate);
    }
  }

  static std::string builtin_list() {
    return " (the builtins are seq_lt, seq_le, seq_gt, seq_ge and the casts u8, u16, u32, u64)";
  }

  // The nodes of an expression, each once.
  std::vector<ExprId> subtree(ExprId root) const {
    std::vector<ExprId> nodes;
    std::vector<ExprId> stack{root};
    while (!stack.empty()) {
      const ExprId id = stack.back();
      stack.pop_back();
      if (id >= context_.expressions.size()) continue;
      nodes.push_back(id);
      for (const ExprId operand : context_.expression(id).operands)
        if (operand < id) stack.push_back(operand);  // operands precede their node
    }
    return nodes;
  }

  void compile_constants() {
    for (std::size_t i = 0; i < context_.constants.size(); ++i) {
      const syntax::ConstantDeclaration& declaration = context_.constants[i];
      const Scalar type = parse_scalar(declaration.type).value_or(Scalar::U64);
      Scope scope;
      scope.visible_constants = i;
      Program program;
      const std::optional<Value> value = compile(declaration.value, scope, program);
      Constant constant{declaration.name, type, 0, declaration.location};
      if (value && convert(*value, width(type), program, context_.expression(declaration.value).location,
                           "constant " + in_quotes(declaration.name), nullptr)) {
        constant.value = evaluate(program, {}, {});
      }
      result_.constants.push_back(std::move(constant));
    }
  }

  // Fits a value to a declared type: literals take the width, narrower
  // integers are extended; anything else is an error.
  bool convert(const Value& value, unsigned target, Program& program, SourceLocation where, const std::string& what,
               const std::vector<Frame>* frames) {
    if (value.kind == Value::Kind::Record) {
      error(where, what + " is " + type_name(target) + ", not a record", frames);
      return false;
    }
    if (value.kind == Value::Kind::Flexible) {
      if (target == 1) {
        error(where, what + " is a bool, but this is a number", frames);
        return false;
      }
      return materialise(value.expression, target, program, frames).has_value();
    }
    if ((value.width == 1) != (target == 1) || value.width > target) {
      error(where, what + " is " + type_name(target) + ", but this is " + type_name(value.width) +
                       (value.width > target && target != 1 ? " (cut it with " + type_name(target) + "(…))" : ""),
            frames);
      return false;
    }
    if (value.width < target) {
      static const std::vector<Frame> none(1);
      bool ok = true;
      emit(program, {Opcode::Extend, static_cast<std::uint8_t>(target), value.instruction, 0, 0},
           frames != nullptr ? *frames : none, where, ok);
      return ok;
    }
    return true;
  }

  // ---- choices: guards and timeouts ----------------------------------------

  void compile_choices() {
    for (std::uint32_t role = 0; role < context_.entries.size(); ++role) {
      const syntax::RoleEntry& entry = context_.entries[role];
      if (entry.environment) continue;
      // The role's own type, without payload types (whose branches belong to
      // other sessions and have no state here).
      std::vector<syntax::TypeId> stack{entry.type};
      std::unordered_set<syntax::TypeId> seen;
      while (!stack.empty()) {
        const syntax::TypeId id = stack.back();
        stack.pop_back();
        if (id >= context_.nodes.size() || !seen.insert(id).second) continue;
        const syntax::TypeNode& node = context_.nodes[id];
        if (node.kind == syntax::TypeKind::Recursion) stack.push_back(node.body);
        for (std::uint32_t index = 0; index < node.choices.size(); ++index) {
          const syntax::Choice& choice = node.choices[index];
          stack.push_back(choice.continuation);
          if (choice.kind == syntax::ChoiceKind::Timeout) compile_timeout(role, {id, index}, choice);
          if (choice.guard != kNoExpr) compile_guard(role, {id, index}, choice);
        }
      }
    }
  }

  void compile_timeout(std::uint32_t role, ChoiceKey key, const syntax::Choice& choice) {
    Duration duration{std::nullopt, choice.timeout_name, choice.timeout_location};
    if (choice.timeout_name.empty()) {
      duration.milliseconds = choice.timeout_milliseconds;
    } else if (const Constant* constant = find_constant(choice.timeout_name, result_.constants.size())) {
      if (constant->type == Scalar::Bool) {
        error(choice.timeout_location, "constant " + in_quotes(constant->name) + " is a bool, not a duration");
        return;
      }
      duration.milliseconds = constant->value;
    } else if (const Field* variable = find_state(role, choice.timeout_name)) {
      if (variable->type == Scalar::Bool) {
        error(choice.timeout_location, "state variable " + in_quotes(variable->name) + " is a bool, not a duration");
        return;
      }
    } else {
      error(choice.timeout_location, "unknown duration " + in_quotes(choice.timeout_name) +
                                         ": write one (500ms, 2s, 1min), or declare it as a constant or as a state "
                                         "variable of role " +
                                         in_quotes(context_.entries[role].role));
      return;
    }
    result_.choice_timeouts.emplace(key, std::move(duration));
  }

  void compile_guard(std::uint32_t role, ChoiceKey key, const syntax::Choice& choice) {
    Scope scope;
    scope.role = role;
    scope.binder = choice.binder;
    scope.visible_constants = result_.constants.size();
    if (choice.payload.kind == syntax::PayloadSort::Kind::Ground) scope.payload = result_.shape_of(choice.payload.ground);
    Guard guard;
    guard.role = role;
    guard.payload = scope.payload;
    guard.binder = choice.binder;
    guard.text = syntax::print_expression(context_, choice.guard);
    guard.location = start_of(context_, choice.guard);
    const std::optional<Value> value = compile(choice.guard, scope, guard.program);
    if (!value) return;
    if (value->kind != Value::Kind::Scalar || value->width != 1) {
      error(guard.location, "a guard must be a condition (bool), but this is " +
                                (value->kind == Value::Kind::Record ? std::string("a record")
                                 : value->kind == Value::Kind::Flexible ? std::string("a number")
                                                                        : type_name(value->width)));
      return;
    }
    // The result is the last instruction by construction, unless the guard
    // is a bare name compiled earlier in the program.
    if (value->instruction != guard.program.result())
      guard.program.emit({Opcode::Or, 1, value->instruction, value->instruction, 0});
    result_.choice_guards.emplace(key, static_cast<GuardId>(result_.guards.size()));
    result_.guards.push_back(std::move(guard));
  }

  const Constant* find_constant(std::string_view name, std::size_t visible) const {
    for (std::size_t i = 0; i < visible && i < result_.constants.size(); ++i)
      if (result_.constants[i].name == name) return &result_.constants[i];
    return nullptr;
  }

  const Field* find_state(std::uint32_t role, std::string_view name) const {
    if (role == kNoRole) return nullptr;
    for (const Field& variable : result_.state[role])
      if (variable.name == name) return &variable;
    return nullptr;
  }

  // ---- expressions ----------------------------------------------------------

  struct Task {
    enum class Kind : std::uint8_t { Visit, Finish, Return };
    Kind kind = Kind::Visit;
    ExprId expression = kNoExpr;
    std::uint32_t frame = 0;
  };

  // Compiles one expression into `program` with explicit stacks: operands
  // first (Visit), then the operator (Finish); a predicate call visits the
  // predicate's body in a new frame and ends with Return.
  std::optional<Value> compile(ExprId root, const Scope& scope, Program& program) {
    std::vector<Frame> frames(1);
    std::vector<Task> tasks{{Task::Kind::Visit, root, 0}};
    std::vector<Value> values;
    heights_.assign(program.code.size(), 1);
    while (!tasks.empty()) {
      const Task task = tasks.back();
      tasks.pop_back();
      if (program.code.size() > kMaxGuardInstructions) {
        error(start_of(context_, root), "this guard grows beyond " + std::to_string(kMaxGuardInstructions) +
                                            " operations once its predicates are expanded");
        return std::nullopt;
      }
      const ExprNode& node = context_.expression(task.expression);
      bool ok = true;
      switch (task.kind) {
        case Task::Kind::Visit: ok = visit(task, node, scope, program, frames, tasks, values); break;
        case Task::Kind::Finish: ok = finish(task, node, scope, program, frames, tasks, values); break;
        case Task::Kind::Return:
          // The body's value is on top; the frame it was computed in is done.
          if (values.back().kind != Value::Kind::Scalar || values.back().width != 1) {
            ok = false;
            error(node.location, "predicate " + in_quotes(node.name) + " is not a condition (bool)", &frames);
          }
          break;
      }
      if (!ok) return std::nullopt;
    }
    return values.back();
  }

  std::uint32_t emit(Program& program, Instruction instruction, const std::vector<Frame>& frames,
                     SourceLocation where, bool& ok) {
    std::uint32_t height = 1;
    const unsigned operands = operand_count(instruction.op);
    if (operands >= 1) height = heights_[instruction.a] + 1;
    if (operands == 2) height = std::max(heights_[instruction.a], heights_[instruction.b]) + 1;
    if (height > kMaxProgramHeight) {
      error(where, "guard nested deeper than " + std::to_string(kMaxProgramHeight) +
                       " levels once its predicates are expanded",
            &frames);
      ok = false;
    }
    heights_.push_back(height);
    return program.emit(instruction);
  }

  bool visit(const Task& task, const ExprNode& node, const Scope& scope, Program& program, std::vector<Frame>& frames,
             std::vector<Task>& tasks, std::vector<Value>& values) {
    if (flexible_[task.expression]) {
      Value value;
      value.kind = Value::Kind::Flexible;
      value.expression = task.expression;
      values.push_back(value);
      return true;
    }
    bool ok = true;
    switch (node.kind) {
      case ExprKind::Number: break;  // always flexible
      case ExprKind::Boolean:
        values.push_back({Value::Kind::Scalar, 1, emit(program, {Opcode::Constant, 1, 0, 0, node.value}, frames,
                                                       node.location, ok),
                          0, kNoExpr});
        return ok;
      case ExprKind::Name: {
        const std::optional<Value> value = resolve(node, task.frame, scope, program, frames);
        if (!value) return false;
        values.push_back(*value);
        return true;
      }
      case ExprKind::Field: {
        const std::optional<Value> base = resolve(node, task.frame, scope, program, frames);
        if (!base) return false;
        if (base->kind != Value::Kind::Record) {
          error(node.location, in_quotes(node.name) + " has no fields", &frames);
          return false;
        }
        const Record& record = result_.records[base->record];
        const auto field = record.field(node.field);
        if (!field) {
          error(node.location, "record " + in_quotes(record.name) + " has no field " + in_quotes(node.field), &frames);
          return false;
        }
        const unsigned field_width = width(record.fields[*field].type);
        values.push_back({Value::Kind::Scalar, field_width,
                          emit(program, {Opcode::Payload, static_cast<std::uint8_t>(field_width), *field, 0, 0},
                               frames, node.location, ok),
                          0, kNoExpr});
        return ok;
      }
      case ExprKind::Call:
      case ExprKind::Unary:
      case ExprKind::Binary:
        tasks.push_back({Task::Kind::Finish, task.expression, task.frame});
        for (std::size_t i = node.operands.size(); i-- > 0;)
          tasks.push_back({Task::Kind::Visit, node.operands[i], task.frame});
        return true;
    }
    return true;
  }

  std::optional<Value> resolve(const ExprNode& node, std::uint32_t frame, const Scope& scope, Program& program,
                               const std::vector<Frame>& frames) {
    bool ok = true;
    if (frame > 0) {
      for (const auto& [name, value] : frames[frame].parameters)
        if (name == node.name) return value;
    } else if (!scope.binder.empty() && node.name == scope.binder) {
      if (scope.payload.record) {
        Value value;
        value.kind = Value::Kind::Record;
        value.record = *scope.payload.record;
        return value;
      }
      if (scope.payload.scalar) {
        const unsigned w = width(*scope.payload.scalar);
        const std::uint32_t at = emit(program, {Opcode::Payload, static_cast<std::uint8_t>(w), 0, 0, 0}, frames,
                                      node.location, ok);
        if (!ok) return std::nullopt;
        return Value{Value::Kind::Scalar, w, at, 0, kNoExpr};
      }
      error(node.location, in_quotes(node.name) + " names a payload without a fixed width; guards compute with "
                                               "records and u8, u16, u32, u64, bool",
            &frames);
      return std::nullopt;
    }
    if (const Field* variable = find_state(scope.role, node.name)) {
      const auto index = static_cast<std::uint32_t>(variable - result_.state[scope.role].data());
      const unsigned w = width(variable->type);
      const std::uint32_t at =
          emit(program, {Opcode::State, static_cast<std::uint8_t>(w), index, 0, 0}, frames, node.location, ok);
      if (!ok) return std::nullopt;
      return Value{Value::Kind::Scalar, w, at, 0, kNoExpr};
    }
    if (const Constant* constant = find_constant(node.name, scope.visible_constants)) {
      const unsigned w = width(constant->type);
      const std::uint32_t at = emit(program, {Opcode::Constant, static_cast<std::uint8_t>(w), 0, 0, constant->value},
                                    frames, node.location, ok);
      if (!ok) return std::nullopt;
      return Value{Value::Kind::Scalar, w, at, 0, kNoExpr};
    }
    std::string message = "unknown name " + in_quotes(node.name);
    if (scope.role == kNoRole) {
      message += ": a constant's value may use only constants declared before it";
    } else if (frame > 0) {
      message += ": not a parameter of " + in_quotes(frames[frame].predicate->name) + ", a constant or a state variable of " +
                 in_quotes(context_.entries[scope.role].role);
    } else {
      message += ": not the payload" + (scope.binder.empty() ? std::string() : " " + in_quotes(scope.binder)) +
                 ", a constant or a state variable of " + in_quotes(context_.entries[scope.role].role);
    }
    error(node.location, std::move(message), &frames);
    return std::nullopt;
  }

  // Emits a literal-only subtree at `target` width (an explicit stack again).
  std::optional<Value> materialise(ExprId root, unsigned target, Program& program, const std::vector<Frame>* frames) {
    static const std::vector<Frame> none(1);
    const std::vector<Frame>& context_frames = frames != nullptr ? *frames : none;
    std::vector<std::pair<ExprId, bool>> stack{{root, false}};
    std::vector<std::uint32_t> results;
    const auto w = static_cast<std::uint8_t>(target);
    bool ok = true;
    while (!stack.empty()) {
      const auto [id, operands_done] = stack.back();
      stack.pop_back();
      const ExprNode& node = context_.expression(id);
      if (node.kind == ExprKind::Number) {
        if (node.value > mask(target)) {
          error(node.location, "the number " + node.name + " does not fit in " + type_name(target), frames);
          return std::nullopt;
        }
        results.push_back(emit(program, {Opcode::Constant, w, 0, 0, node.value}, context_frames, node.location, ok));
        if (!ok) return std::nullopt;
        continue;
      }
      if (!operands_done) {
        stack.push_back({id, true});
        for (std::size_t i = node.operands.size(); i-- > 0;) stack.push_back({node.operands[i], false});
        continue;
      }
      Instruction instruction{Opcode::Constant, w, 0, 0, 0};
      if (node.kind == ExprKind::Unary) {
        instruction.op = node.op == Operator::Negate ? Opcode::Negate : Opcode::Complement;
        instruction.a = results.back();
        results.pop_back();
      } else {
        instruction.op = arithmetic_opcode(node.op);
        instruction.b = results.back();
        results.pop_back();
        instruction.a = results.back();
        results.pop_back();
      }
      results.push_back(emit(program, instruction, context_frames, node.location, ok));
      if (!ok) return std::nullopt;
    }
    return Value{Value::Kind::Scalar, target, results.back(), 0, kNoExpr};
  }

  static Opcode arithmetic_opcode(Operator op) {
    switch (op) {
      case Operator::BitOr: return Opcode::BitOr;
      case Operator::BitXor: return Opcode::BitXor;
      case Operator::BitAnd: return Opcode::BitAnd;
      case Operator::ShiftLeft: return Opcode::ShiftLeft;
      case Operator::ShiftRight: return Opcode::ShiftRight;
      case Operator::Add: return Opcode::Add;
      case Operator::Subtract: return Opcode::Subtract;
      case Operator::Multiply: return Opcode::Multiply;
      case Operator::Divide: return Opcode::Divide;
      case Operator::Remainder: return Opcode::Remainder;
      default: return Opcode::Constant;
    }
  }

  static Opcode comparison_opcode(Operator op) {
    switch (op) {
      case Operator::Equal: return Opcode::Equal;
      case Operator::NotEqual: return Opcode::NotEqual;
      case Operator::Less: return Opcode::Less;
      case Operator::LessEqual: return Opcode::LessEqual;
      case Operator::Greater: return Opcode::Greater;
      case Operator::GreaterEqual: return Opcode::GreaterEqual;
      default: return Opcode::Constant;
    }
  }

  static std::string_view describe_value(const Value& value) {
    switch (value.kind) {
      case Value::Kind::Record: return "a record";
      case Value::Kind::Flexible: return "a number";
      case Value::Kind::Scalar: return value.width == 1 ? "a bool" : "a number";
    }
    return "a value";
  }

  // Brings two integer operands to one width: a literal takes the other's
  // width, the narrower of two typed operands is zero-extended. Returns the
  // operands' instructions and the common width.
  struct Pair {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    unsigned width = 0;
  };

  std::optional<Pair> unify_integers(const Value& left, const Value& right, const ExprNode& node, Program& program,
                                     const std::vector<Frame>& frames, bool same_width_only) {
    for (const Value* value : {&left, &right}) {
      if (value->kind == Value::Kind::Record || (value->kind == Value::Kind::Scalar && value->width == 1)) {
        error(node.location, "this operator works on numbers, but an operand is " +
                                 std::string(describe_value(*value)),
              &frames);
        return std::nullopt;
      }
    }
    unsigned target = 64;
    if (left.kind == Value::Kind::Scalar && right.kind == Value::Kind::Scalar) {
      if (same_width_only && left.width != right.width) {
        error(node.location, in_quotes(node.name) + " compares numbers of one width, but these are " +
                                 type_name(left.width) + " and " + type_name(right.width) + " (cast one with " +
                                 type_name(std::max(left.width, right.width)) + "(…))",
              &frames);
        return std::nullopt;
      }
      target = std::max(left.width, right.width);
    } else if (left.kind == Value::Kind::Scalar) {
      target = left.width;
    } else if (right.kind == Value::Kind::Scalar) {
      target = right.width;
    }
    Pair pair;
    pair.width = target;
    bool ok = true;
    for (int side = 0; side < 2; ++side) {
      const Value& value = side == 0 ? left : right;
      std::uint32_t at = value.instruction;
      if (value.kind == Value::Kind::Flexible) {
        const std::optional<Value> made = materialise(value.expression, target, program, &frames);
        if (!made) return std::nullopt;
        at = made->instruction;
      } else if (value.width < target) {
        at = emit(program, {Opcode::Extend, static_cast<std::uint8_t>(target), at, 0, 0}, frames, node.location, ok);
        if (!ok) return std::nullopt;
      }
      (side == 0 ? pair.a : pair.b) = at;
    }
    return pair;
  }

  bool require_bool(const Value& value, const ExprNode& node, const std::vector<Frame>& frames) {
    if (value.kind == Value::Kind::Scalar && value.width == 1) return true;
    error(node.location, "this operator works on conditions (bool), but an operand is " +
                             std::string(describe_value(value)),
          &frames);
    return false;
  }

  bool finish(const Task& task, const ExprNode& node, const Scope& scope, Program& program,
              std::vector<Frame>& frames, std::vector<Task>& tasks, std::vector<Value>& values) {
    (void)scope;
    const std::size_t arity = node.operands.size();
    std::vector<Value> operands(values.end() - static_cast<std::ptrdiff_t>(arity), values.end());
    values.resize(values.size() - arity);
    bool ok = true;
    if (node.kind == ExprKind::Unary) {
      const Value& operand = operands[0];
      if (node.op == Operator::Not) {
        if (!require_bool(operand, node, frames)) return false;
        values.push_back({Value::Kind::Scalar, 1,
                          emit(program, {Opcode::Not, 1, operand.instruction, 0, 0}, frames, node.location, ok), 0,
                          kNoExpr});
        return ok;
      }
      if (operand.kind != Value::Kind::Scalar || operand.width == 1) {
        error(node.location, "'" + std::string(node.op == Operator::Negate ? "-" : "~") +
                                 "' works on numbers, but its operand is " + std::string(describe_value(operand)),
              &frames);
        return false;
      }
      const Opcode op = node.op == Operator::Negate ? Opcode::Negate : Opcode::Complement;
      values.push_back({Value::Kind::Scalar, operand.width,
                        emit(program, {op, static_cast<std::uint8_t>(operand.width), operand.instruction, 0, 0},
                             frames, node.location, ok),
                        0, kNoExpr});
      return ok;
    }
    if (node.kind == ExprKind::Binary) return finish_binary(node, operands[0], operands[1], program, frames, values);
    return finish_call(task, node, operands, program, frames, tasks, values);
  }

  bool finish_binary(const ExprNode& node, const Value& left, const Value& right, Program& program,
                     const std::vector<Frame>& frames, std::vector<Value>& values) {
    bool ok = true;
    if (node.op == Operator::And || node.op == Operator::Or) {
      if (!require_bool(left, node, frames) || !require_bool(right, node, frames)) return false;
      values.push_back({Value::Kind::Scalar, 1,
                        emit(program,
                             {node.op == Operator::And ? Opcode::And : Opcode::Or, 1, left.instruction,
                              right.instruction, 0},
                             frames, node.location, ok),
                        0, kNoExpr});
      return ok;
    }
    const bool equality = node.op == Operator::Equal || node.op == Operator::NotEqual;
    const bool left_bool = left.kind == Value::Kind::Scalar && left.width == 1;
    const bool right_bool = right.kind == Value::Kind::Scalar && right.width == 1;
    if (equality && (left_bool || right_bool)) {
      if (!left_bool || !right_bool) {
        error(node.location, "cannot compare a bool with " +
                                 std::string(describe_value(left_bool ? right : left)),
              &frames);
        return false;
      }
      values.push_back({Value::Kind::Scalar, 1,
                        emit(program, {comparison_opcode(node.op), 1, left.instruction, right.instruction, 0}, frames,
                             node.location, ok),
                        0, kNoExpr});
      return ok;
    }
    const std::optional<Pair> pair = unify_integers(left, right, node, program, frames, false);
    if (!pair) return false;
    const Opcode comparison = comparison_opcode(node.op);
    if (comparison != Opcode::Constant) {
      values.push_back({Value::Kind::Scalar, 1, emit(program, {comparison, 1, pair->a, pair->b, 0}, frames, node.location, ok),
                        0, kNoExpr});
      return ok;
    }
    const auto w = static_cast<std::uint8_t>(pair->width);
    std::uint32_t result = emit(program, {arithmetic_opcode(node.op), w, pair->a, pair->b, 0}, frames, node.location, ok);
    unsigned result_width = pair->width;
    // A shift keeps its left operand's width: shift in the common width,
    // then cut back (so `x << 40` of a u8 is 0, as it should be).
    const bool shift = node.op == Operator::ShiftLeft || node.op == Operator::ShiftRight;
    if (shift && left.kind == Value::Kind::Scalar && left.width < pair->width) {
      result = emit(program, {Opcode::Truncate, static_cast<std::uint8_t>(left.width), result, 0, 0}, frames,
                    node.location, ok);
      result_width = left.width;
    }
    values.push_back({Value::Kind::Scalar, result_width, result, 0, kNoExpr});
    return ok;
  }

  bool finish_call(const Task& task, const ExprNode& node, const std::vector<Value>& arguments, Program& program,
                   std::vector<Frame>& frames, std::vector<Task>& tasks, std::vector<Value>& values) {
    bool ok = true;
    const auto arity_error = [&](std::size_t expected) {
      error(node.location, in_quotes(node.name) + " takes " + std::to_string(expected) + " argument" +
                               (expected == 1 ? "" : "s") + ", not " + std::to_string(arguments.size()),
            &frames);
      return false;
    };
    if (node.name.starts_with("seq_") && is_builtin(node.name)) {
      if (arguments.size() != 2) return arity_error(2);
      std::optional<Pair> pair = unify_integers(arguments[0], arguments[1], node, program, frames, true);
      if (!pair) return false;
      const Opcode op = node.name == "seq_lt"   ? Opcode::SeqLess
                        : node.name == "seq_le" ? Opcode::SeqLessEqual
                        : node.name == "seq_gt" ? Opcode::SeqGreater
                                                : Opcode::SeqGreaterEqual;
      values.push_back({Value::Kind::Scalar, 1, emit(program, {op, 1, pair->a, pair->b, 0}, frames, node.location, ok), 0,
                        kNoExpr});
      return ok;
    }
    if (is_builtin(node.name)) {  // a cast
      if (arguments.size() != 1) return arity_error(1);
      const unsigned target = width(*parse_scalar(node.name));
      const Value& argument = arguments[0];
      if (argument.kind == Value::Kind::Flexible) {
        const std::optional<Value> made = materialise(argument.expression, target, program, &frames);
        if (!made) return false;
        values.push_back(*made);
        return true;
      }
      if (argument.kind != Value::Kind::Scalar || argument.width == 1) {
        error(node.location, in_quotes(node.name) + "(…) converts numbers, not " + std::string(describe_value(argument)),
              &frames);
        return false;
      }
      std::uint32_t at = argument.instruction;
      if (argument.width != target) {
        const Opcode op = argument.width < target ? Opcode::Extend : Opcode::Truncate;
        at = emit(program, {op, static_cast<std::uint8_t>(target), at, 0, 0}, frames, node.location, ok);
      }
      values.push_back({Value::Kind::Scalar, target, at, 0, kNoExpr});
      return ok;
    }
    const auto found = predicates_.find(node.name);
    if (found == predicates_.end()) {
      error(node.location, "unknown function " + in_quotes(node.name) + builtin_list(), &frames);
      return false;
    }
    const syntax::PredicateDeclaration& predicate = *found->second;
    if (broken_.contains(&predicate)) {
      failed_ = true;  // its own error is reported already
      return false;
    }
    if (arguments.size() != predicate.parameters.size()) return arity_error(predicate.parameters.size());
    Frame frame;
    frame.predicate = &predicate;
    frame.call = task.frame == 0 ? node.location : frames[task.frame].call;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      const syntax::FieldDeclaration& parameter = predicate.parameters[i];
      const std::string what = "parameter " + in_quotes(parameter.name) + " of " + in_quotes(predicate.name);
      const Value& argument = arguments[i];
      if (const Record* record = result_.record(parameter.type)) {
        const auto index = static_cast<std::uint32_t>(record - result_.records.data());
        if (argument.kind != Value::Kind::Record || argument.record != index) {
          error(context_.expression(node.operands[i]).location,
                what + " is a " + in_quotes(record->name) + " record, but this is " +
                    std::string(describe_value(argument)),
                &frames);
          return false;
        }
        frame.parameters.emplace_back(parameter.name, argument);
        continue;
      }
      const unsigned target = width(parse_scalar(parameter.type).value_or(Scalar::U64));
      const std::size_t before = program.code.size();
      if (!convert(argument, target, program, context_.expression(node.operands[i]).location, what, &frames))
        return false;
      Value bound{Value::Kind::Scalar, target, argument.instruction, 0, kNoExpr};
      // convert appends the extended or materialised value, if any.
      if (program.code.size() != before) bound.instruction = program.result();
      frame.parameters.emplace_back(parameter.name, bound);
    }
    frames.push_back(std::move(frame));
    const auto index = static_cast<std::uint32_t>(frames.size() - 1);
    tasks.push_back({Task::Kind::Return, task.expression, task.frame});
    tasks.push_back({Task::Kind::Visit, predicate.body, index});
    return true;
  }

  const Context& context_;
  Diagnostics& diagnostics_;
  std::vector<char> flexible_;
  Refinements result_;
  bool failed_ = false;
  std::set<std::tuple<std::uint32_t, std::uint32_t, std::string>> reported_;
  std::unordered_map<std::string, const syntax::PredicateDeclaration*> predicates_;
  std::unordered_set<const syntax::PredicateDeclaration*> broken_;
  std::unordered_set<std::string> any_state_names_;
  std::vector<std::uint32_t> heights_;  // per instruction of the program being compiled
};

}  // namespace

std::optional<Refinements> compile_refinements(const Context& context, Diagnostics& diagnostics) {
  return Compiler(context, diagnostics).run();
}

}  // namespace lim::refine
