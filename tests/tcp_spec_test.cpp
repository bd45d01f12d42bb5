// specs/tcp/server.lim, the spec `lim tcp serve` runs: its verdicts, both
// semantics, pinned; the runtime gate accepts it for the deployment of
// docs/tcp.md (1-bounded in-process channels, the network an environment);
// and variants with one RFC 9293 reaction removed are caught.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lim/pipeline/check.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "test_support.hpp"

namespace lim {
namespace {

using properties::AsyncProperty;
using properties::SyncProperty;
using report::Verdict;

const std::string kSpec = "specs/tcp/server.lim";

std::string spec_text() { return testing::read_file(testing::source_dir() / kSpec); }

report::FileReport check(const std::string& text, std::vector<SyncProperty> properties) {
  auto spec = pipeline::load_spec_text(kSpec, text);
  EXPECT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
  if (!spec.ok()) return {};
  pipeline::CheckOptions options;
  options.properties = std::move(properties);
  return pipeline::check_synchronous(kSpec, *spec.system, options);
}

std::string verdicts(const report::FileReport& report) {
  std::string text;
  for (const auto& result : report.results)
    text += result.property + (result.verdict == Verdict::Holds ? " ✓ " : " ✗ ");
  return text;
}

TEST(TcpSpec, SynchronousVerdicts) {
  const auto report = check(spec_text(), properties::all_sync_properties());
  // Termination fails (a connection may be kept open forever), and so do
  // liveness+ and ++: the network may, for instance, retransmit its SYN
  // forever and postpone everything else. Plain liveness holds: every wait
  // and every offered send can always still happen.
  EXPECT_EQ(verdicts(report),
            "safety ✓ deadlock-freedom ✓ termination ✗ never-termination ✗ liveness ✓ liveness+ ✗ liveness++ ✗ "
            "guards-satisfiable ✓ guards-disjoint ✓ guards-exhaustive ✓ ");
  // Nothing the network may send is left unhandled anywhere.
  for (const auto& finding : report.findings) EXPECT_NE(finding.kind, "unhandled") << finding.message;
}

TEST(TcpSpec, AsynchronousVerdictsAtOne) {
  auto spec = pipeline::load_spec_text(kSpec, spec_text());
  ASSERT_TRUE(spec.ok());
  properties::BoundedAnalysis analysis(*spec.system, 1, {});
  std::string text;
  for (const auto property : properties::all_async_properties()) {
    const auto result = analysis.check(property);
    text += result.property + (result.verdict == Verdict::Holds ? " ✓ " : " ✗ ");
  }
  // Receives from net and user race by design (the system waits for both),
  // so the side conditions for unbounded queues fail; k-MC and asynchronous
  // deadlock freedom at k = 1 are what the deployment needs.
  EXPECT_EQ(text,
            "csa ✓ directedness ✗ k-obi ✗ k-sibi ✗ k-cibi ✗ k-exhaustivity ✓ k-safety ✓ k-mc ✓ "
            "async-deadlock-freedom ✓ orphan-messages ✓ ");
}

TEST(TcpSpec, TheGateAcceptsItForOneBoundedInProcessChannels) {
  runtime::GateOptions options;
  runtime::VerificationGate gate(options);
  const auto protocol = gate.verify_text(kSpec, spec_text());
  EXPECT_NO_THROW(protocol->require(runtime::Requirement{1, false}));
  EXPECT_TRUE(protocol->established(runtime::Requirement{1, false}));
  // Unbounded channels rest on a theorem that says nothing of environments.
  EXPECT_THROW(protocol->require(runtime::Requirement{1, true}), runtime::VerificationFailed);
}

// The spec with `from` replaced by `to` (which must occur exactly once).
std::string mutated(const std::string& from, const std::string& to) {
  std::string text = spec_text();
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

// The stateless responders' specs (specs/tcp/closed.lim, syn-cookies.lim):
// each verifies, both semantics, and the gate accepts it for 1-bounded
// in-process channels, as the server runs it.
TEST(TcpSpec, TheStatelessRespondersVerify) {
  for (const std::string name : {"specs/tcp/closed.lim", "specs/tcp/syn-cookies.lim"}) {
    SCOPED_TRACE(name);
    const auto text = testing::read_file(testing::source_dir() / name);
    auto spec = pipeline::load_spec_text(name, text);
    ASSERT_TRUE(spec.ok()) << format_diagnostics(spec.source, spec.diagnostics);
    pipeline::CheckOptions options;
    options.properties = {SyncProperty::Safety, SyncProperty::DeadlockFreedom};
    const auto report = pipeline::check_synchronous(name, *spec.system, options);
    EXPECT_EQ(verdicts(report), "safety ✓ deadlock-freedom ✓ ");
    for (const auto& finding : report.findings) EXPECT_NE(finding.kind, "unhandled") << finding.message;
    properties::BoundedAnalysis analysis(*spec.system, 1, {});
    std::string text_async;
    for (const auto property : {AsyncProperty::KMc, AsyncProperty::DeadlockFreedom}) {
      const auto result = analysis.check(property);
      text_async += result.property + (result.verdict == Verdict::Holds ? " ✓ " : " ✗ ");
    }
    EXPECT_EQ(text_async, "k-mc ✓ async-deadlock-freedom ✓ ");
    runtime::VerificationGate gate;
    const auto protocol = gate.verify_text(name, text);
    EXPECT_NO_THROW(protocol->require(runtime::Requirement{1, false}));
  }
}

TEST(TcpSpec, ARemovedReactionIsAnUnhandledSegment) {
  // LISTEN without its RST for ACK-bearing segments (RFC 9293 §3.10.7.2).
  const auto report = check(mutated("rst(s: segment) . listen,\n      _ . net⊕rst(segment) . listen", "rst(s: segment) . listen"),
                            {SyncProperty::Safety, SyncProperty::DeadlockFreedom});
  EXPECT_EQ(report.results.at(0).verdict, Verdict::Violated);
  bool found = false;
  for (const auto& finding : report.findings)
    if (finding.kind == "unhandled" &&
        finding.message.find("syn_ack(segment), ack(segment) and fin_ack(segment) from net") != std::string::npos)
      found = true;
  EXPECT_TRUE(found);
}

TEST(TcpSpec, AnOverlappingGuardIsCaught) {
  // RFC 5961's three RST cases, with the blind one widened to every
  // inexact RST: it now overlaps the challenged one.
  const auto report = check(mutated("pred blind(s: segment) = s.seq != rcv_nxt && !in_window(s.seq)",
                                    "pred blind(s: segment) = s.seq != rcv_nxt"),
                            {SyncProperty::Safety});
  bool disjoint_violated = false;
  for (const auto& result : report.results)
    if (result.property == "guards-disjoint") disjoint_violated = result.verdict == Verdict::Violated;
  EXPECT_TRUE(disjoint_violated) << verdicts(report);
}

TEST(TcpSpec, AUserWhoIsNeverToldOfTheResetDeadlocks) {
  // SYN-RECEIVED ending at a RST without draining the user's calls: the user
  // still wants to send, nobody listens.
  const auto report = check(
      mutated("rst(s: segment) if exact(s) . reader⊕reset . rec drained . user&{ data . drained, close . end, abort . "
              "end },\n            rst(s: segment) if challenged(s) && !throttled . net⊕ack(segment) . syn_rcvd,",
              "rst(s: segment) if exact(s) . reader⊕reset . end,\n            rst(s: segment) if challenged(s) && "
              "!throttled . net⊕ack(segment) . syn_rcvd,"),
      {SyncProperty::DeadlockFreedom});
  ASSERT_EQ(report.results.at(0).verdict, Verdict::Violated);
  ASSERT_TRUE(report.results.at(0).counterexample);
  EXPECT_NE(report.results.at(0).counterexample->explanation.find("user waits at system⊕{data, close, abort}"),
            std::string::npos)
      << report.results.at(0).counterexample->explanation;
}

}  // namespace
}  // namespace lim
