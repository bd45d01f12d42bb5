// Local types → CFSMs: one state per syntactic Select/Branch/End node,
// recursion resolved to the state it stands for, payload sorts interned with
// their subtyping relation, CSA facts reported.
#include <gtest/gtest.h>

#include "lim/automata/csa.hpp"
#include "lim/pipeline/check.hpp"
#include "test_support.hpp"

namespace lim::automata {
namespace {

using testing::system_of;

TEST(AutomataTranslation, DistinctSyntacticPathsNeverMerge) {
  // kmc's front end would merge the two `q⊕c` continuations (same label
  // strings); lim keeps one state per syntactic node.
  const auto system = system_of("p: q⊕{ a . q⊕c . end, b . q⊕c . end }\nq: p&{ a . p&c, b . p&c }\n");
  ASSERT_EQ(system.role_count(), 2u);
  EXPECT_EQ(system.machines[0].state_count(), 5u);
  EXPECT_EQ(system.machines[0].transitions().size(), 4u);
  EXPECT_EQ(system.machines[0].kind(system.machines[0].initial), StateKind::Sending);
  EXPECT_EQ(system.machines[1].kind(system.machines[1].initial), StateKind::Receiving);
}

TEST(AutomataTranslation, RecursionLoopsBackToTheBodyState) {
  const auto system = system_of("p: rec t . q⊕{ more . q&ack . t, stop . end }\nq: rec t . p&{ more . p⊕ack . t, stop }\n");
  const auto& machine = system.machines[0];
  EXPECT_EQ(machine.state_count(), 3u);  // the select, the ack branch, end
  StateId after_ack = 99;
  for (const auto& transition : machine.transitions())
    if (system.labels.name(transition.action.label) == "ack") after_ack = transition.target;
  EXPECT_EQ(after_ack, machine.initial);
}

TEST(AutomataTranslation, TransitionsCarrySourceLocations) {
  const auto system = system_of("alice: bob⊕hello(Int) . end\nbob: alice&hello(Int)\n");
  const auto& transition = system.machines[0].transitions().at(0);
  EXPECT_EQ(transition.location.line, 1u);
  EXPECT_EQ(transition.location.column, 12u);  // `hello`, counting ⊕ as one column
  EXPECT_EQ(system.describe_action(0, transition.action), "alicebob!hello<Int>");
  EXPECT_EQ(system.machines[0].graph[system.machines[0].initial].location.column, 8u);
}

TEST(AutomataTranslation, PayloadSortsAreRelatedBySubtyping) {
  const auto system = system_of("p: q⊕m(μ(t)r&m1.t)\nq: p&m(μ(t)r&{m1.t,m2.t})\n");
  const auto send = system.machines[0].transitions().at(0).action.payload;
  const auto receive = system.machines[1].transitions().at(0).action.payload;
  EXPECT_NE(send, receive);
  EXPECT_TRUE(system.sorts.is_subsort(send, receive));
  EXPECT_FALSE(system.sorts.is_subsort(receive, send));
}

TEST(AutomataTranslation, MultipleSessionsQualifyRoleNames) {
  const auto system = system_of("s[p]: q⊕a, s[q]: p&a, s2[p]: end\n");
  EXPECT_EQ(system.role_names, (std::vector<std::string>{"s[p]", "s[q]", "s2[p]"}));
  EXPECT_EQ(system.machines[0].transitions().at(0).action.peer, 1);
}

TEST(AutomataCsa, FindsNondeterminismMixedAndUndirectedStates) {
  // Local types are always deterministic, unmixed and directed...
  const auto system = system_of("p: q⊕{a, b}\nq: p&{a, b}\n");
  EXPECT_TRUE(find_nondeterminism(system).empty());
  EXPECT_TRUE(find_mixed_states(system).empty());
  EXPECT_TRUE(find_undirected_states(system).empty());
  // ...but CFSMs from other formats need not be: build one by hand.
  System handmade;
  handmade.role_names = {"p", "q", "r"};
  handmade.machines.resize(3);
  const auto a = handmade.labels.intern("a");
  const auto unit = handmade.sorts.add("");
  auto& p = handmade.machines[0];
  const auto s0 = p.add_state({"s0", {}}), s1 = p.add_state({"s1", {}}), s2 = p.add_state({"s2", {}});
  p.add_transition(s0, s1, {{Direction::Send, 1, a, unit}, {}});
  p.add_transition(s0, s2, {{Direction::Send, 1, a, unit}, {}});
  p.add_transition(s0, s2, {{Direction::Receive, 2, a, unit}, {}});
  for (auto& machine : {&handmade.machines[1], &handmade.machines[2]}) machine->add_state({"t0", {}});
  handmade.freeze();
  ASSERT_EQ(find_nondeterminism(handmade).size(), 1u);
  EXPECT_EQ(find_nondeterminism(handmade)[0].state, s0);
  ASSERT_EQ(find_mixed_states(handmade).size(), 1u);
  EXPECT_EQ(find_undirected_states(handmade).size(), 0u);  // one send partner, one receive partner
  const auto findings = pipeline::automata_findings(handmade);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].kind, "non-determinism");
  EXPECT_EQ(findings[1].kind, "mixed-state");
}

TEST(AutomataTranslation, LongSequentialChainsTranslateWithoutRecursion) {
  std::string sender = "p: ", receiver = "q: ";
  for (int i = 0; i < 100000; ++i) {
    sender += "q⊕m . ";
    receiver += "p&m . ";
  }
  const auto system = system_of(sender + "end\n" + receiver + "end\n");
  EXPECT_EQ(system.machines[0].state_count(), 100001u);
  pipeline::CheckOptions options;
  const auto report = pipeline::check_synchronous("chain", system, options);
  EXPECT_EQ(report.states, 100001u);
  for (const auto& result : report.results)
    EXPECT_EQ(result.verdict == report::Verdict::Holds, result.property != "never-termination") << result.property;
}

}  // namespace
}  // namespace lim::automata
