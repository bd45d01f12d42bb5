#include "lim/tcp/server/session.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "lim/runtime/endpoint/protocol_violation.hpp"
#include "lim/runtime/endpoint/session_error.hpp"
#include "lim/tcp/server/segment_codec.hpp"

namespace lim::tcp::server {

namespace {

// "No timer armed": far enough not to matter, near enough not to overflow.
constexpr std::uint64_t kNever = std::uint64_t{10} * 365 * 24 * 3600 * 1000;

}  // namespace

std::shared_ptr<Session> Session::start(const ServerSpec& spec, SessionHost& host, SessionOptions options) {
  std::shared_ptr<Session> session(new Session(spec, host, std::move(options)));
  session->thread_ = std::thread([self = session] { self->run(); });
  return session;
}

Session::Session(const ServerSpec& spec, SessionHost& host, SessionOptions options)
    : spec_(spec),
      host_(host),
      options_(std::move(options)),
      streams_(std::make_shared<tcb::Streams>(options_.tcb.send_buffer, options_.tcb.receive_buffer)),
      tcb_(options_.tcb, host.isn(), streams_) {
  if (!options_.clock) options_.clock = runtime::steady_clock();
  if (!spec_.reports_errors) tcb_.set_error_reports(false);
  channels_ = std::make_shared<SessionChannels>(spec_.protocol, spec_.roles.net, options_.inbox, options_.clock,
                                                [this](const tcb::OutSegment& segment) { host_.transmit(segment); });
  channels_->watch_clock();
  runtime::EndpointOptions system_options;
  system_options.clock = options_.clock;
  for (const auto& name : spec_.variables) system_options.variables[name] = name == "timer" ? kNever : 0;
  for (const char* flag : {"fin_sent", "throttled", "ts_recent_valid"})
    if (spec_.variables.contains(flag)) system_options.variables[flag] = false;
  for (std::size_t i = 0; i < kVariableNames.size(); ++i) {
    known_[i].declared = spec_.variables.contains(std::string(kVariableNames[i]));
    known_[i].value = kVariableNames[i] == "timer" ? kNever : 0;
  }
  runtime::EndpointOptions other;
  other.clock = options_.clock;
  system_ = std::make_unique<runtime::Endpoint>(spec_.protocol, spec_.roles.system,
                                                channels_->transport(spec_.roles.system), system_options);
  reader_ = std::make_unique<runtime::Endpoint>(spec_.protocol, spec_.roles.reader,
                                                channels_->transport(spec_.roles.reader), other);
  user_ = std::make_unique<runtime::Endpoint>(spec_.protocol, spec_.roles.user, channels_->transport(spec_.roles.user),
                                              other);
}

Session::~Session() {
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

void Session::join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Session::bind(const wire::FourTuple& tuple) {
  tuple_ = tuple;
  bound_ = true;
}

void Session::evict() {
  const std::lock_guard lock(user_mutex_);
  // Established meanwhile: the connection is the application's now. (If its
  // ACK still waits in the inbox, the system may take it before the abort,
  // and the abort then resets a connection just established: the price of
  // dropping the oldest, which RFC 4987 §3.4 names.)
  if (accepted_.load()) return;
  if (!opened_) {
    // The user role has not made its OPEN yet (a session spawned a moment
    // ago): ABORT is not a call it may make before. It follows OPEN.
    evict_pending_ = true;
    return;
  }
  if (user_->complete() || user_->failed()) return;
  try {
    user_->send("system", "abort");
  } catch (const runtime::SessionError&) {
    // The session ended already.
  }
}

// ---- the system thread -------------------------------------------------------------

void Session::run() {
  try {
    {
      // OPEN, the user's first call, before any application holds the connection.
      const std::lock_guard lock(user_mutex_);
      user_->send("system", "open");
    }
    while (!system_->complete()) step();
  } catch (const runtime::ProtocolViolation& violation) {
    if (violation.culprit() == runtime::ProtocolViolation::Culprit::Local) {
      bug(violation.what());
    } else {
      host_.log(fmt::format("{} ended: {}", bound_ ? tuple_.to_string() : "listener", violation.what()));
    }
  } catch (const runtime::SessionError& error) {
    host_.log(fmt::format("{} ended: {}", bound_ ? tuple_.to_string() : "listener", error.what()));
  } catch (const std::logic_error& error) {
    bug(error.what());
  } catch (const std::exception& error) {
    host_.log(fmt::format("{} ended: {}", bound_ ? tuple_.to_string() : "listener", error.what()));
    system_->abandon(error.what());
  }
  if (bound_ && !released_) {
    released_ = true;
    channels_->close_inbox();
    host_.released(tuple_);
  }
  {
    const std::lock_guard lock(streams_->mutex);
    if (!system_->complete()) streams_->reset = true;
  }
  finished_ = true;
  streams_->changed.notify_all();
}

void Session::set_variables(tcb::TimePoint now) {
  // Only what changed goes to the endpoint: setting a variable looks it up
  // and checks it against the spec's type, and most do not change from one
  // segment to the next.
  const auto set = [&](Variable which, std::uint64_t value) {
    auto& known = known_[static_cast<std::size_t>(which)];
    if (!known.declared || known.value == value) return;
    system_->set_variable(kVariableNames[static_cast<std::size_t>(which)], value);
    known.value = value;
  };
  const auto variables = tcb_.variables_at(now);
  set(Variable::RcvNxt, variables.rcv_nxt);
  set(Variable::RcvWnd, variables.rcv_wnd);
  set(Variable::SndUna, variables.snd_una);
  set(Variable::SndNxt, variables.snd_nxt);
  set(Variable::MaxSndWnd, variables.max_snd_wnd);
  set(Variable::FinSent, variables.fin_sent ? 1 : 0);
  set(Variable::Throttled, variables.throttled ? 1 : 0);
  set(Variable::TsRecent, variables.ts_recent);
  set(Variable::TsRecentValid, variables.ts_recent_valid ? 1 : 0);
  channels_->refresh_at(spec_.roles.system, tcb_.variables_change_at());
  std::uint64_t timer = kNever;
  if (const auto due = tcb_.next_timer(now)) {
    const auto wait = *due - now;
    timer = wait <= tcb::Clock::duration::zero()
                ? 0
                : static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
  }
  set(Variable::Timer, timer);
}

void Session::step() {
  const auto& machine = spec_.protocol->system().machines[spec_.roles.system];
  if (machine.kind(system_->state()) == automata::StateKind::Sending)
    throw std::logic_error(fmt::format("the spec expects {} to send here ({}, {}), but the TCB has nothing to send",
                                       spec_.protocol->role_name(spec_.roles.system), system_->metadata().state_type,
                                       system_->metadata().location_text));
  set_variables(options_.clock->now());
  runtime::Received received;
  try {
    received = system_->offer();
  } catch (const runtime::DeadlineExpired&) {
    // Woken early: the application read and the window may be worth updating.
    tcb_.on_read();
    return;
  }
  const auto now = options_.clock->now();
  tcb::Reaction reaction;
  if (received.timed_out) {
    reaction = tcb_.on_timer(now);
  } else if (received.from == spec_.roles.net) {
    reaction = tcb_.on_segment(channels_->current(), now);
  } else if (received.label == "open") {
    reaction = tcb_.on_open();
  } else if (received.label == "data") {
    data_signalled_ = false;  // before the TCB looks at the buffer: a later write signals again
    reaction = tcb_.on_user(tcb::UserCall::Data, now);
  } else {
    reaction = tcb_.on_user(received.label == "close" ? tcb::UserCall::Close : tcb::UserCall::Abort, now);
  }
  if (options_.tamper) options_.tamper(reaction);
  play(std::move(reaction));
  if (abort_after_reaction_) {
    abort_after_reaction_ = false;
    abort();  // an eviction that came before OPEN was through
  }
  if (reset_unaccepted_) {
    // Reset in SYN-RECEIVED: the spec drains the user's calls, and no
    // application will make them; its abort ends the session.
    reset_unaccepted_ = false;
    abort();
  }
  note_state();
  if (bound_ && !released_ && !spec_.hears_network[system_->state()]) {
    released_ = true;
    channels_->close_inbox();
    host_.released(tuple_);
  }
}

void Session::play(tcb::Reaction reaction) {
  for (auto& output : reaction) {
    switch (output.to) {
      case tcb::Output::To::Net: {
        auto record = segment_record(output.segment);
        channels_->stage(std::move(output.segment));
        system_->send("net", output.label, std::move(record));
        break;
      }
      case tcb::Output::To::User: {
        system_->send("user", output.label);
        const std::lock_guard lock(user_mutex_);
        user_->receive("system");
        opened_ = true;
        if (evict_pending_) abort_after_reaction_ = true;
        break;
      }
      case tcb::Output::To::Reader: {
        system_->send("reader", output.label);
        const auto told = reader_->receive("system");
        bool accepted = false;
        {
          const std::lock_guard lock(streams_->mutex);
          if (told.is("connected")) {
            streams_->connected = true;
            accepted = true;
          } else if (told.is("fin")) {
            streams_->end_of_stream = true;
          } else if (told.is("reset")) {
            streams_->reset = true;
            if (!accepted_) reset_unaccepted_ = true;
          } else if (told.is("error_report")) {
            auto& reports = streams_->error_reports;
            reports.push_back(tcb_.error_report());
            if (reports.size() > tcb::Streams::kErrorReportsKept) reports.pop_front();
          }
        }
        streams_->changed.notify_all();
        if (accepted) {
          accepted_ = true;
          host_.connected(shared_from_this());
        }
        break;
      }
    }
  }
}

void Session::note_state() {
  const auto now = tcb_.state();
  if (now == state_.load()) return;
  state_ = now;
  if (bound_) host_.log(fmt::format("{} {}", tuple_.to_string(), tcb::name(now)));
}

void Session::bug(const std::string& what) {
  host_.log(fmt::format("{} BUG, reset: {}", bound_ ? tuple_.to_string() : "listener", what));
  if (bound_) host_.transmit(tcb_.reset_segment());  // the one unmonitored segment: ending what the monitor stopped
  {
    const std::lock_guard lock(streams_->mutex);
    streams_->reset = true;
  }
  streams_->changed.notify_all();
  system_->abandon("the server system was stopped by its monitor: " + what);
}

// ---- the application's side --------------------------------------------------------

void Session::user_call(std::string_view label) {
  const std::lock_guard lock(user_mutex_);
  if (user_->complete()) throw ConnectionError("the connection was closed by this side");
  try {
    user_->send("system", label);
  } catch (const runtime::SessionError& error) {
    throw ConnectionError(std::string("the connection ended: ") + error.what());
  }
}

bool Session::user_done() const { return user_->complete() || user_->failed(); }

std::size_t Session::read(std::span<std::uint8_t> buffer) {
  std::unique_lock lock(streams_->mutex);
  streams_->changed.wait(lock, [&] {
    return streams_->receive.readable() > 0 || streams_->end_of_stream || streams_->reset || streams_->shutting_down ||
           finished_.load();
  });
  if (streams_->receive.readable() > 0) {
    const std::size_t count = streams_->receive.read(buffer);
    const bool worth = streams_->receive.free() >= std::size_t{streams_->advertised} + streams_->update_threshold;
    lock.unlock();
    if (worth) channels_->poke(spec_.roles.system);
    return count;
  }
  if (streams_->end_of_stream || streams_->shutting_down) return 0;
  throw ConnectionError("the connection was reset");
}

void Session::write(std::span<const std::uint8_t> data) {
  while (!data.empty()) {
    {
      std::unique_lock lock(streams_->mutex);
      streams_->changed.wait(lock, [&] {
        return streams_->send.free() > 0 || streams_->reset || streams_->shutting_down || finished_.load();
      });
      if (streams_->reset || finished_.load()) throw ConnectionError("the connection was reset");
      if (streams_->shutting_down) throw ConnectionError("the server is shutting down");
      data = data.subspan(streams_->send.push(data));
    }
    if (!data_signalled_.exchange(true)) user_call("data");
  }
}

void Session::close() {
  const std::lock_guard lock(user_mutex_);
  if (user_->complete() || user_->failed()) return;
  try {
    user_->send("system", "close");
  } catch (const runtime::SessionError&) {
    // The session ended already: nothing left to close.
  }
}

void Session::abort() {
  const std::lock_guard lock(user_mutex_);
  if (user_->complete() || user_->failed()) return;
  try {
    user_->send("system", "abort");
  } catch (const runtime::SessionError&) {
  }
}

void Session::set_no_delay(bool on) {
  // The Nagle switch is read by the system thread only between events; a
  // user call would be the way to change it under the spec, but it is a
  // setting, not a call, so it is made before data flows (at accept).
  tcb_.set_nagle(!on);
}

void Session::set_retransmission_limit(std::optional<std::chrono::milliseconds> r2) { tcb_.set_data_give_up(r2); }

void Session::set_diffserv(std::uint8_t dscp) {
  if (dscp > 63) throw std::invalid_argument(fmt::format("a Diffserv codepoint is 0 to 63, not {}", dscp));
  tcb_.set_diffserv(dscp);
}

void Session::set_error_reports(bool on) { tcb_.set_error_reports(on && spec_.reports_errors); }

std::optional<tcb::ErrorReport> Session::take_error_report() {
  const std::lock_guard lock(streams_->mutex);
  if (streams_->error_reports.empty()) return std::nullopt;
  auto report = streams_->error_reports.front();
  streams_->error_reports.pop_front();
  return report;
}

void Session::shut_down() {
  {
    const std::lock_guard lock(streams_->mutex);
    streams_->shutting_down = true;
  }
  streams_->changed.notify_all();
}

void Session::kill(const std::string& why) { channels_->abort(spec_.roles.system, why); }

}  // namespace lim::tcp::server
