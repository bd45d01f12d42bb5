#pragma once
// Helpers for the runtime's tests: verified protocols from text, temporary
// directories, and a few small specs.
#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#ifdef __SANITIZE_ADDRESS__
// AddressSanitizer's allocator interface (GCC ships no header for it; libasan
// exports these).
extern "C" {
std::size_t __sanitizer_get_current_allocated_bytes();
int __sanitizer_get_ownership(const volatile void* pointer);
std::size_t __sanitizer_get_allocated_size(const volatile void* pointer);
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                              void (*free_hook)(const volatile void*));
}
#endif

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

// How much a process's peak memory grew from construction on. Normally its
// peak resident set (VmHWM), all threads' memory, whatever the allocator
// kept. Under AddressSanitizer, whose quarantine keeps up to 256 MiB of
// freed memory resident, the peak of live heap bytes instead, as its
// allocator's hooks count them.
class PeakMemory {
 public:
  PeakMemory() : before_(now_kib()) {
#ifdef __SANITIZE_ADDRESS__
    live().peak = live().bytes.load();
#endif
  }
  long growth_kib() const { return peak_kib() - before_; }
  std::string describe() const {
    return std::string(kWhat) + " grew by " + std::to_string(growth_kib()) + " KiB (from " + std::to_string(before_) +
           " to " + std::to_string(peak_kib()) + " KiB)";
  }

 private:
#ifdef __SANITIZE_ADDRESS__
  static constexpr const char* kWhat = "the peak of live heap memory (AddressSanitizer)";
  struct Live {
    std::atomic<std::int64_t> bytes{0}, peak{0};
  };
  static Live& live() {
    static Live* const counters = [] {
      auto* installed = new Live;
      installed->bytes = static_cast<std::int64_t>(__sanitizer_get_current_allocated_bytes());
      __sanitizer_install_malloc_and_free_hooks(
          [](const volatile void*, std::size_t size) {
            const auto now = live().bytes += static_cast<std::int64_t>(size);
            auto peak = live().peak.load();
            while (now > peak && !live().peak.compare_exchange_weak(peak, now)) {
            }
          },
          [](const volatile void* pointer) {
            if (__sanitizer_get_ownership(pointer))
              live().bytes -= static_cast<std::int64_t>(__sanitizer_get_allocated_size(pointer));
          });
      return installed;
    }();
    return *counters;
  }
  static long now_kib() { return static_cast<long>(live().bytes.load() / 1024); }
  static long peak_kib() { return static_cast<long>(live().peak.load() / 1024); }
#else
  static constexpr const char* kWhat = "the peak resident memory (VmHWM)";
  static long now_kib() { return peak_kib(); }
  static long peak_kib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    return 0;
  }
#endif
  long before_;
};

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
