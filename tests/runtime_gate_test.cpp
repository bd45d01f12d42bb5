// The verification gate: only verified specs become protocols, refusals carry
// the checker's counterexample, and verdicts are cached by content hash.
#include <fstream>

#include <gtest/gtest.h>

#include "lim/runtime/gate/content_hash.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "runtime_test_support.hpp"

namespace lim::runtime {
namespace {

using testing::kRequestReply;
using testing::source_dir;
using testing::TemporaryDirectory;

TEST(RuntimeContentHash, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RuntimeGate, VerifiedSpecBecomesAProtocol) {
  const VerificationGate gate;
  const auto protocol = gate.verify_file(source_dir() / "specs/two-buyer.lim");
  ASSERT_EQ(protocol->role_count(), 3u);
  EXPECT_EQ(protocol->role_name(protocol->role("seller")), "seller");
  EXPECT_EQ(protocol->fingerprint().size(), 64u);
  EXPECT_EQ(protocol->content_hash(), sha256_hex(testing::read_file(source_dir() / "specs/two-buyer.lim")));
  EXPECT_EQ(protocol->format(), "lim");
  EXPECT_FALSE(protocol->from_cache());
  EXPECT_EQ(protocol->verified(), (std::vector<std::string>{"safety", "deadlock-freedom"}));
  EXPECT_THROW(protocol->role("buyer3"), std::invalid_argument);
  ASSERT_TRUE(protocol->find_label("quote"));
  EXPECT_EQ(protocol->label_name(*protocol->find_label("quote")), "quote");
}

TEST(RuntimeGate, DeadlockedSpecIsRefusedWithItsCounterexample) {
  const VerificationGate gate;
  const auto path = source_dir() / "specs/broken/amazon-prime-video-deadlock.lim";
  try {
    (void)gate.verify_file(path);
    FAIL() << "a deadlocked spec was accepted";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::Violated);
    const std::string message = failure.what();
    EXPECT_NE(message.find("deadlock-freedom violated"), std::string::npos) << message;
    // The counterexample: the run to the stuck configuration, with the
    // server's state located in the spec.
    EXPECT_NE(message.find("authenticator → client: rejected"), std::string::npos) << message;
    EXPECT_NE(message.find("amazon-prime-video-deadlock.lim:20:"), std::string::npos) << message;
    EXPECT_EQ(failure.report().empty(), false);
  }
}

TEST(RuntimeGate, UnsafeSpecIsRefused) {
  const VerificationGate gate;
  try {
    (void)gate.verify_file(source_dir() / "specs/broken/two-buyer-unsafe.lim");
    FAIL() << "an unsafe spec was accepted";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::Violated);
    EXPECT_NE(std::string(failure.what()).find("safety"), std::string::npos) << failure.what();
  }
}

TEST(RuntimeGate, SpecWithErrorsIsRefusedWithDiagnostics) {
  const VerificationGate gate;
  try {
    (void)gate.verify_text("bad.lim", "a: b⊕m . end\nb: a&m . \n");
    FAIL() << "a spec with a syntax error was accepted";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::InvalidSpec);
    EXPECT_NE(std::string(failure.what()).find("bad.lim:"), std::string::npos) << failure.what();
  }
  EXPECT_THROW((void)gate.verify_file("/nonexistent/spec.lim"), VerificationFailed);
}

TEST(RuntimeGate, NonDeterministicRoleIsNotExecutable) {
  // kmc's syntax allows a choice between two equal actions, which a monitor
  // could not follow.
  const VerificationGate gate;
  try {
    (void)gate.verify_text("nd.kmc", "A: {B!m; B!x; end, B!m; B!y; end}\nB: A?m; {A?x; end, A?y; end}\n");
    FAIL() << "a non-deterministic role was accepted";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::NotExecutable) << failure.what();
    EXPECT_NE(std::string(failure.what()).find("two transitions"), std::string::npos) << failure.what();
  }
}

TEST(RuntimeGate, DelegationIsNotExecutable) {
  const VerificationGate gate;
  try {
    (void)gate.verify_text("delegation.lim",
                           "a: b⊕deleg(c⊕m.end) . end\nb: a&deleg(c⊕m.end) . end\nc: end\n");
    FAIL() << "a session-typed payload was accepted";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::NotExecutable) << failure.what();
  }
}

TEST(RuntimeGate, VerdictsAreCachedInMemoryByContent) {
  const VerificationGate gate;
  (void)gate.verify_text("a.lim", kRequestReply);
  (void)gate.verify_text("b.lim", kRequestReply);  // same text, other name: same verdict
  auto statistics = gate.statistics();
  EXPECT_EQ(statistics.checks, 1u);
  EXPECT_EQ(statistics.memory_hits, 1u);
  (void)gate.verify_text("a.lim", kRequestReply + "// a comment changes the text\n");
  statistics = gate.statistics();
  EXPECT_EQ(statistics.checks, 2u);
}

TEST(RuntimeGate, VerdictsSurviveTheProcessInTheCacheDirectory) {
  const TemporaryDirectory cache;
  {
    const VerificationGate first({cache.path()});
    const auto protocol = first.verify_text("a.lim", kRequestReply);
    EXPECT_FALSE(protocol->from_cache());
    protocol->require({1, false});
    EXPECT_EQ(first.statistics().checks, 2u);
  }
  const VerificationGate second({cache.path()});
  const auto protocol = second.verify_text("a.lim", kRequestReply);
  EXPECT_TRUE(protocol->from_cache());
  protocol->require({1, false});
  const auto statistics = second.statistics();
  EXPECT_EQ(statistics.checks, 0u);
  EXPECT_EQ(statistics.disk_hits, 2u);
  // Another k is another verdict.
  protocol->require({2, false});
  EXPECT_EQ(second.statistics().checks, 1u);
}

TEST(RuntimeGate, CorruptCacheEntryIsIgnored) {
  const TemporaryDirectory cache;
  {
    const VerificationGate first({cache.path()});
    (void)first.verify_text("a.lim", kRequestReply);
  }
  for (const auto& entry : std::filesystem::directory_iterator(cache.path()))
    std::ofstream(entry.path(), std::ios::trunc) << "garbage\n";
  const VerificationGate second({cache.path()});
  (void)second.verify_text("a.lim", kRequestReply);
  EXPECT_EQ(second.statistics().checks, 1u);
  EXPECT_EQ(second.statistics().disk_hits, 0u);
}

TEST(RuntimeGate, AsynchronousRequirementChecksKmcAtTheTransportsK) {
  const auto path = testing::shared_dir() / "corpus/kmc/sndprojnocommute2-res.txt";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "needs ../shared/corpus (absent: " << path << ")";
  // Synchronously safe and deadlock-free, but with queues P may find a
  // message of S's at the head of its queue that it never receives.
  const VerificationGate gate;
  const auto protocol = gate.verify_file(path);
  EXPECT_NO_THROW(protocol->require({0, false}));
  try {
    protocol->require({1, false});
    FAIL() << "k-MC at k=1 does not hold, yet the requirement was established";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::Violated);
    const std::string message = failure.what();
    EXPECT_NE(message.find("k-mc"), std::string::npos) << message;
    EXPECT_NE(message.find("queue S → P: [a]"), std::string::npos) << message;
  }
  EXPECT_FALSE(protocol->established({1, false}));
}

TEST(RuntimeGate, UnboundedChannelsNeedTheSideConditions) {
  const VerificationGate gate;
  const auto protocol = gate.verify_file(source_dir() / "specs/amazon-prime-video.lim");
  protocol->require({1, true});  // directed: the side conditions hold
  EXPECT_TRUE(protocol->established({1, true}));
  EXPECT_FALSE(protocol->established({2, true}));
  EXPECT_EQ(protocol->verified().back(), "k-mc for unbounded queues (k=1)");
}

// Theorem 1 of CAV 2019 says nothing about internal moves: a timeout makes
// unbounded channels unprovable, while bounded queues are checked as usual.
TEST(RuntimeGate, UnboundedChannelsAreRefusedBeyondTheTheorem) {
  const VerificationGate gate;
  const std::string watchdog =
      "watcher: worker&{ beat . end, timeout(50ms) . worker&beat . end }\nworker: watcher⊕beat . end\n";
  const auto protocol = gate.verify_text("watchdog.lim", watchdog);
  EXPECT_NO_THROW(protocol->require({1, false}));
  try {
    protocol->require({1, true});
    FAIL() << "unbounded channels were accepted for a spec with a timeout";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::Unprovable) << failure.what();
    EXPECT_NE(std::string(failure.what()).find("timeout"), std::string::npos) << failure.what();
  }
  EXPECT_FALSE(protocol->established({1, true}));
  // Accepting the assumption lets the same spec through; the k-MC check
  // itself still runs.
  GateOptions options;
  options.local_moves_over_unbounded_channels = true;
  const auto assumed = VerificationGate(options).verify_text("watchdog.lim", watchdog);
  EXPECT_NO_THROW(assumed->require({1, true}));
  // An environment is refused whatever the options.
  const auto environment = VerificationGate(options).verify_file(source_dir() / "specs/timeouts/retransmission.lim");
  try {
    environment->require({1, true});
    FAIL() << "unbounded channels were accepted for a spec with an environment role";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::Unprovable) << failure.what();
  }
}

TEST(RuntimeGate, ResourceLimitFailsClosed) {
  GateOptions options;
  options.limits.max_states = 2;  // far too few for any real protocol
  const VerificationGate gate(options);
  try {
    (void)gate.verify_file(source_dir() / "specs/two-buyer.lim");
    FAIL() << "an undecided spec was accepted";
  } catch (const VerificationFailed& failure) {
    EXPECT_EQ(failure.reason(), VerificationFailed::Reason::Inconclusive) << failure.what();
  }
}

}  // namespace
}  // namespace lim::runtime
