#pragma once
// Helpers for the runtime's tests: verified protocols from text, temporary
// directories, and a few small specs.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/support/temporary_directory.hpp"
#include "test_support.hpp"

namespace lim::testing {

// A directory under the system's temp directory, removed with everything in it.
using runtime::support::TemporaryDirectory;

// Verifies `text` with a gate of its own (no disk cache), failing the test
// with the gate's report when it refuses.
inline std::shared_ptr<const runtime::Protocol> verified(const std::string& text,
                                                         const std::string& name = "test.lim") {
  const runtime::VerificationGate gate;
  try {
    return gate.verify_text(name, text);
  } catch (const runtime::VerificationFailed& failure) {
    ADD_FAILURE() << failure.what();
    throw;
  }
}

inline std::shared_ptr<const runtime::Protocol> verified_spec(const std::string& relative) {
  const runtime::VerificationGate gate;
  return gate.verify_file(source_dir() / relative);
}

// Two roles, a request and one of two answers.
inline const std::string kRequestReply = R"(// request / reply
client: server⊕request(Int) .
        server&{ accept(String) . end,
                 refuse . end }
server: client&request(Int) .
        client⊕{ accept(String) . end,
                 refuse . end }
)";

// Ping-pong for as long as `ping` likes.
inline const std::string kPingPong = R"(// ping-pong
ping: rec loop . pong⊕{ ping(Int) . pong&pong(Int) . loop,
                        stop . end }
pong: rec loop . ping&{ ping(Int) . ping⊕pong(Int) . loop,
                        stop . end }
)";

}  // namespace lim::testing
