#pragma once
// One TCP session: the verified server system for one connection (or, before
// its SYN, for a listening port). Three endpoints of the same verified
// protocol run it:
//   system  on the session's own thread, driven by the automaton: it waits
//           for net, user or its timer as the state offers, lets the guards
//           pick the branch on the TCB's variables, hands the event to the
//           TCB, and plays the TCB's reaction through the monitored
//           endpoint — an output the automaton does not offer is refused
//           before it reaches the wire, the connection is reset and the spec
//           location logged;
//   reader  driven in lockstep on the same thread: it takes each
//           notification at once and turns it into what read() sees;
//   user    the application's calls (write → data, close, abort), made by
//           whichever thread holds the Connection.
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "lim/runtime/endpoint/endpoint.hpp"
#include "lim/tcp/link/link.hpp"
#include "lim/tcp/server/server_spec.hpp"
#include "lim/tcp/server/session_channels.hpp"
#include "lim/tcp/tcb/tcb.hpp"

namespace lim::tcp::server {

// The connection was reset (by the peer, by giving up, by abort) or the
// server is shutting down; what() says which.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Session;

// What a session needs from the server around it.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual void log(const std::string& line) = 0;
  virtual void transmit(const tcb::OutSegment& segment) = 0;
  virtual const tcb::IsnGenerator& isn() const = 0;
  // The connection is established: hand it to accept().
  virtual void connected(const std::shared_ptr<Session>& session) = 0;
  // The system no longer hears the network on `tuple` (or ended).
  virtual void released(const wire::FourTuple& tuple) = 0;
};

struct SessionOptions {
  tcb::TcbConfig tcb;
  std::size_t inbox = 512;  // segments waiting for the system; more are dropped
  std::shared_ptr<runtime::Clock> clock;
  // A deliberately wrong TCB, for tests: it rewrites each reaction before the
  // monitor sees it.
  std::function<void(tcb::Reaction&)> tamper;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // A session in LISTEN, its system thread started.
  static std::shared_ptr<Session> start(const ServerSpec& spec, SessionHost& host, SessionOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // ---- the demultiplexer's side --------------------------------------------------
  bool deliver(tcb::Segment segment) { return channels_->deliver(std::move(segment)); }
  // Marks the session as taking the connection of `tuple` (its SYN is next).
  void bind(const wire::FourTuple& tuple);
  // Aborts a connection not yet handed to an application, to make room for a
  // newer one (the user's ABORT: in SYN-RECEIVED a RST, then the end).
  void evict();
  const wire::FourTuple& tuple() const { return tuple_; }
  bool finished() const { return finished_.load(); }
  void join();

  // ---- the application's side (Connection) ------------------------------------------
  std::size_t read(std::span<std::uint8_t> buffer);
  void write(std::span<const std::uint8_t> data);
  void close();
  void abort();
  void set_no_delay(bool on);
  void set_diffserv(std::uint8_t dscp);
  // This connection's R2 (MUST-21); nullopt: never give up.
  void set_retransmission_limit(std::optional<std::chrono::milliseconds> r2);
  // Soft-error reports on or off (SHLD-20); off also for a spec whose
  // reader is never told "error_report".
  void set_error_reports(bool on);
  // The oldest soft error not yet taken (MUST-47), without waiting.
  std::optional<tcb::ErrorReport> take_error_report();
  // The server stops: reads end and writes fail.
  void shut_down();
  // Ends the session now, for every role (the server's last resort).
  void kill(const std::string& why);
  bool user_done() const;
  tcb::TcpState state() const { return state_.load(); }

 private:
  Session(const ServerSpec& spec, SessionHost& host, SessionOptions options);
  void run();
  void step();
  void play(tcb::Reaction reaction);
  void set_variables(tcb::TimePoint now);
  void bug(const std::string& what);
  void note_state();
  void user_call(std::string_view label);

  // The state variables the session sets, and the value each was last given.
  enum class Variable : std::uint8_t {
    RcvNxt, RcvWnd, SndUna, SndNxt, MaxSndWnd, FinSent, Throttled, TsRecent, TsRecentValid, Timer
  };
  static constexpr std::array<std::string_view, 10> kVariableNames = {
      "rcv_nxt", "rcv_wnd", "snd_una", "snd_nxt", "max_snd_wnd", "fin_sent", "throttled", "ts_recent", "ts_recent_valid",
      "timer"};
  struct Known {
    bool declared = false;
    std::uint64_t value = 0;
  };
  std::array<Known, kVariableNames.size()> known_{};

  const ServerSpec& spec_;
  SessionHost& host_;
  SessionOptions options_;
  std::shared_ptr<tcb::Streams> streams_;
  tcb::Tcb tcb_;
  std::shared_ptr<SessionChannels> channels_;
  std::unique_ptr<runtime::Endpoint> system_, reader_, user_;
  mutable std::mutex user_mutex_;  // the user endpoint is used by one thread at a time
  std::atomic<bool> data_signalled_{false};
  std::atomic<bool> finished_{false};
  std::atomic<tcb::TcpState> state_{tcb::TcpState::Listen};
  wire::FourTuple tuple_;
  bool bound_ = false, released_ = false;
  // Handed to the application (accepted). A connection reset before that
  // has no application to drain its user role, so the session does it.
  std::atomic<bool> accepted_{false};
  // Under user_mutex_: the user's OPEN is through (tcb_created received), and
  // an eviction waits for it.
  bool opened_ = false, evict_pending_ = false;
  bool abort_after_reaction_ = false;  // the system thread's own
  bool reset_unaccepted_ = false;
  std::thread thread_;
};

}  // namespace lim::tcp::server
