// Receives from (and sends to) several peers in one state,
// `&{ net: {…}, user: {…}, timeout(d) . T }`, and or-patterns
// `a(s: T) | b(s: T) if g . T'`: parsing, printing (and reading back),
// static checks with their exact messages, the automata they become, and
// what the properties make of a wait for several peers. Also a choice of
// 10^6 labels, which the parser reads as a loop.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/automata/from_local_types.hpp"
#include "lim/pipeline/check.hpp"
#include "lim/syntax/parser.hpp"
#include "lim/syntax/printer.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using syntax::Context;

std::vector<std::string> diagnostics_of(const std::string& text) {
  const SourceFile file("test.lim", text);
  Diagnostics diagnostics;
  const std::optional<Context> context = syntax::load_context(file, diagnostics);
  EXPECT_EQ(context.has_value(), !diagnostics.has_errors()) << text;
  std::vector<std::string> lines;
  for (const auto& d : diagnostics.all())
    lines.push_back(std::string(d.severity == Severity::Error ? "error" : "note") + " " +
                    std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " + d.message);
  return lines;
}

using Lines = std::vector<std::string>;

Context parse(const std::string& text) {
  const SourceFile file("test.lim", text);
  Diagnostics diagnostics;
  std::optional<Context> context = syntax::load_context(file, diagnostics);
  EXPECT_TRUE(context) << format_diagnostics(file, diagnostics);
  return context ? std::move(*context) : Context{};
}

constexpr const char* kServer =
    "env net: s⊕{a, b, c(u8)}\n"
    "state s { n: u8 }\n"
    "s: rec x . &{ net: { a . u⊕ok . x, b | c(v: u8) if n == 0 . x, c(v: u8) if n != 0 . end },\n"
    "              u: { stop . end },\n"
    "              timeout(100ms) . ⊕{ net: ping . x, u: tick . x } }\n"
    "u: rec y . s&{ ok . y, tick . y, timeout(1s) . s⊕stop . end }\n";

TEST(SyntaxSeveralPeers, ParsesOneChoicePerPeerAndLabel) {
  const Context context = parse(kServer);
  const auto& wait = context.node(syntax::unfold(context, context.entries[1].type));
  ASSERT_EQ(wait.kind, syntax::TypeKind::Branch);
  EXPECT_TRUE(syntax::has_several_peers(wait));
  std::vector<std::string> heads;
  for (const auto& choice : wait.choices) heads.push_back(syntax::peer_of(wait, choice) + ":" + choice.label);
  EXPECT_EQ(heads, (Lines{"net:a", "net:b", "net:c", "net:c", "u:stop", ":timeout"}));
  // The or-pattern's heads share the guard and the continuation.
  EXPECT_TRUE(syntax::same_alternative(wait.choices[1], wait.choices[2]));
  EXPECT_EQ(wait.choices[1].guard, wait.choices[2].guard);
  EXPECT_FALSE(syntax::same_alternative(wait.choices[2], wait.choices[3]));
  EXPECT_EQ(wait.choices[5].kind, syntax::ChoiceKind::Timeout);
  // A single-peer branch names its peer on the node, as before.
  const auto& user = context.node(syntax::unfold(context, context.entries[2].type));
  EXPECT_FALSE(syntax::has_several_peers(user));
  EXPECT_EQ(syntax::peer_of(user, user.choices[0]), "s");
}

TEST(SyntaxSeveralPeers, PrintsWhatItReadsAndReadsWhatItPrints) {
  const Context context = parse(kServer);
  const std::string printed = syntax::print_context(context);
  EXPECT_NE(printed.find("&{ net: {a.u⊕ok.x, b | c(v: u8) if n == 0 . x, c(v: u8) if n != 0}, "
                         "u: stop, timeout(100ms).⊕{ net: ping.x, u: tick.x } }"),
            std::string::npos)
      << printed;
  const Context again = parse(printed);
  EXPECT_EQ(syntax::print_context(again), printed);
  // The same automata either way.
  const auto a = automata::system_from_context(context);
  const auto b = automata::system_from_context(again);
  ASSERT_EQ(a.machines[1].transitions().size(), b.machines[1].transitions().size());
  for (std::size_t i = 0; i < a.machines[1].transitions().size(); ++i)
    EXPECT_EQ(a.machines[1].transitions()[i].action, b.machines[1].transitions()[i].action) << i;
}

TEST(SyntaxSeveralPeers, BecomesOneStateWithTransitionsToEachPeer) {
  const auto system = testing::system_of(kServer);
  const auto& s = system.machines[1];
  const auto describe = system.describe_state(1, s.initial);
  // The or-pattern's guard holds for b as for c.
  EXPECT_EQ(describe, "&{ net: {a, b if n == 0, c(u8) if n == 0, c(u8) if n != 0}, u: {stop}, timeout(100ms) }");
  std::vector<std::string> actions;
  automata::StateId after = 0;
  for (const auto& transition : s.outgoing(s.initial)) {
    actions.push_back(system.describe_action(1, transition.action));
    if (transition.action.direction == automata::Direction::Timeout) after = transition.target;
  }
  // The timeout names the first peer it waits for.
  EXPECT_EQ(actions, (Lines{"snet?a", "snet?b", "snet?c<u8>", "snet?c<u8>", "su?stop", "snet#timeout(100ms)"}));
  // The select after the timeout sends to two peers.
  EXPECT_EQ(system.describe_state(1, after), "⊕{ net: {ping}, u: {tick} }");
}

TEST(SyntaxSeveralPeers, AWildcardTakesOnlyItsOwnPeersMessages) {
  const auto system = testing::system_of(
      "env net: s⊕{a, b}\n"
      "s: &{ net: { a . end, _ . end }, u: { b . end, _ . end } }\n"
      "u: s⊕{b . end, c . end}\n");
  ASSERT_EQ(system.wildcards.size(), 2u);
  std::vector<std::string> absorbed;
  for (const auto& use : system.wildcards)
    for (const auto& message : use.absorbed)
      absorbed.push_back(system.role_names[use.peer] + ":" + system.labels.name(message.label));
  EXPECT_EQ(absorbed, (Lines{"net:b", "u:c"}));
}

TEST(SyntaxSeveralPeers, StaticChecksSpeakOfPeersAndPatterns) {
  EXPECT_EQ(diagnostics_of("a: &{ b: {m . end}, nobody: {m . end} }\nb: a⊕m . end\n"),
            (Lines{"error 1:21: unknown role 'nobody' (the roles are 'a', 'b')"}));
  EXPECT_EQ(diagnostics_of("a: &{ b: {m . end}, a: {m . end} }\nb: a⊕m . end\n"),
            (Lines{"error 1:21: role 'a' communicates with itself"}));
  EXPECT_EQ(diagnostics_of("a: &{ b: {m . end}, c: {n . end}, b: {o . end} }\nb: a⊕m . end\nc: a⊕n . end\n"),
            (Lines{"error 1:35: peer 'b' has two groups here; put all its messages in one 'b: {…}'",
                   "note 1:7: its first group is here"}));
  EXPECT_EQ(diagnostics_of("a: &{ b: {m . end, m . end}, c: {m . end} }\nb: a⊕m . end\nc: a⊕m . end\n"),
            (Lines{"error 1:20: duplicate label 'm' in this choice", "note 1:11: previous 'm' is here"}));
  EXPECT_EQ(diagnostics_of("a: &{ timeout(1s) . end }\n"),
            (Lines{"error 1:4: a receive with several peers names at least one peer: '&{ role: {…}, … }'"}));
  EXPECT_EQ(diagnostics_of("a: &{ b: {m . end, _ . end, _ . end} }\nb: a⊕m . end\n"),
            (Lines{"error 1:29: a branch has at most one wildcard '_' per peer, and 'b' has two",
                   "note 1:20: the first '_' is here"}));
  EXPECT_EQ(diagnostics_of("a: ⊕{ b: {m . end, timeout(1s) . end} }\nb: a&m . end\n"),
            (Lines{"error 1:20: a timeout belongs in a branch (&), where the role waits; a select (⊕) sends"}));
  EXPECT_EQ(diagnostics_of("state a { n: u8 }\na: b&{ m(x: u8) | n(y: u8) if x == 0 . end, m(x: u8) | n(y: u8) if x != "
                           "0 . end }\nb: a⊕{m(u8), n(u8)}\n"),
            (Lines{"error 2:21: the labels of an or-pattern share its guard, so each binds its payload as 'x', not "
                   "as 'y'",
                   "note 2:8: the first label of the pattern is here",
                   "error 2:58: the labels of an or-pattern share its guard, so each binds its payload as 'x', not "
                   "as 'y'",
                   "note 2:45: the first label of the pattern is here"}));
}

TEST(SyntaxSeveralPeers, SyntaxErrorsSayWhatWasExpected) {
  EXPECT_EQ(diagnostics_of("a: &{ m . end }\n"),
            (Lines{"error 1:7: expected a peer 'role: {…}' or 'timeout(…)' but found 'm'"}));
  EXPECT_EQ(diagnostics_of("a: & b\n"),
            (Lines{"error 1:6: expected '{' and the peers to receive from, '&{ role: {…}, … }' but found 'b'"}));
  EXPECT_EQ(diagnostics_of("a: b&{ m | _ . end }\nb: a⊕m . end\n"),
            (Lines{"error 1:12: the wildcard '_' cannot be one of several labels joined by '|'"}));
  EXPECT_EQ(diagnostics_of("a: b&{ m | timeout(1s) . end }\nb: a⊕m . end\n"),
            (Lines{"error 1:12: a timeout cannot be one of several labels joined by '|'"}));
  EXPECT_EQ(diagnostics_of("a: b&{ m | . end }\nb: a⊕m . end\n"),
            (Lines{"error 1:12: expected a label but found '.'"}));
}

TEST(SyntaxSeveralPeers, AWaitForSeveralPeersIsFulfilledByAnyOfThem) {
  // s waits for net or u; net (an environment) may stay silent, u always
  // answers: the wait ends either way, so s is live. Per peer, "s waits for
  // net" would be a false liveness violation.
  auto spec = pipeline::load_spec_text("live.lim",
                                       "env net: s⊕a\n"
                                       "s: rec x . &{ net: a . x, u: stop . end }\n"
                                       "u: s⊕stop . end\n");
  ASSERT_TRUE(spec.ok());
  pipeline::CheckOptions options;
  options.properties = {properties::SyncProperty::Safety, properties::SyncProperty::DeadlockFreedom,
                        properties::SyncProperty::Liveness};
  const auto report = pipeline::check_synchronous("live.lim", *spec.system, options);
  for (const auto& result : report.results)
    EXPECT_EQ(result.verdict, report::Verdict::Holds) << result.property << ": " << result.detail;
}

TEST(SyntaxSeveralPeers, AMillionLabelsLoad) {
  // The parser reads a choice's alternatives as steps of its machine, not as
  // one nested call per alternative (which crashed at ~11,400 labels).
  constexpr int kLabels = 1'000'000;
  std::string text = "b: end\na: b⊕{";
  for (int i = 0; i < kLabels; ++i) text += (i ? ", l" : "l") + std::to_string(i);
  const Context context = parse(text + "}\n");
  ASSERT_EQ(context.entries.size(), 2u);
  EXPECT_EQ(context.node(context.entries[1].type).choices.size(), static_cast<std::size_t>(kLabels));
  // The heads of an or-pattern are steps too.
  constexpr int kHeads = 100'000;
  std::string pattern = "b: end\na: b&{";
  for (int i = 0; i < kHeads; ++i) pattern += (i ? " | l" : "l") + std::to_string(i);
  const Context patterns = parse(pattern + " . end}\n");
  EXPECT_EQ(patterns.node(patterns.entries[1].type).choices.size(), static_cast<std::size_t>(kHeads));
}

}  // namespace
}  // namespace lim
