#include "mqtt_transport.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <limits>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "../fair_inbox.hpp"
#include "lim/runtime/endpoint/session_error.hpp"

namespace lim::runtime::mqtt {
namespace {

using RealClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// After the broker came back, the peers get this long to reconnect before a
// will published on the way down counts.
constexpr auto kResumeGrace = 3s;

// libmosquitto puts a QoS 1 message in its in-flight list before it tries
// to send it (lib/messages_mosq.c, message__queue), and sends the list again
// on reconnecting; "no connection" then means queued, not lost. Taken for a
// lost connection, it ended a session that a broker restart was meant to
// survive (RuntimeMqttRestart.APersistentBrokerRestartsUnderAStream, about
// one run in 25 on a loaded machine: a credit sent in the restart's gap).
bool queued_while_away(int code, int qos) { return qos > 0 && code == MOSQ_ERR_NO_CONN; }

void initialise_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

// libmosquitto sets OpenSSL up on its first TLS connect, behind a plain flag:
// two first connects at once (two roles of one process) both make its UI
// method and one leaks (LeakSanitizer caught it in CI). Until one TLS connect
// has succeeded, TLS connects go one at a time.
class FirstTlsConnect {
 public:
  explicit FirstTlsConnect(bool tls) {
    if (tls && !done_.load(std::memory_order_acquire)) lock_ = std::unique_lock(mutex_);
  }
  void succeeded() {
    if (lock_.owns_lock()) done_.store(true, std::memory_order_release);
  }

 private:
  static inline std::mutex mutex_;
  static inline std::atomic<bool> done_{false};
  std::unique_lock<std::mutex> lock_;
};

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (const int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint64_t get_u64(std::span<const std::uint8_t> bytes) {
  std::uint64_t value = 0;
  for (const auto byte : bytes) value = (value << 8) | byte;
  return value;
}

std::optional<ParticipantId> participant_from_hex(const std::string& text) {
  ParticipantId participant{};
  if (text.size() != 2 * participant.size()) return std::nullopt;
  for (std::size_t i = 0; i < participant.size(); ++i) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(text.data() + 2 * i, text.data() + 2 * i + 2, value, 16);
    if (error != std::errc() || end != text.data() + 2 * i + 2) return std::nullopt;
    participant[i] = static_cast<std::uint8_t>(value);
  }
  return participant;
}

MqttTransport& self_of(void* userdata) { return *static_cast<MqttTransport*>(userdata); }

extern "C" {
void connect_callback(mosquitto*, void* userdata, int code, int flags, const mosquitto_property*) {
  self_of(userdata).on_connect(code, flags);
}
void disconnect_callback(mosquitto*, void* userdata, int code, const mosquitto_property*) {
  self_of(userdata).on_disconnect(code);
}
void subscribe_callback(mosquitto*, void* userdata, int mid, int, const int*, const mosquitto_property*) {
  self_of(userdata).on_subscribe(mid);
}
void publish_callback(mosquitto*, void* userdata, int mid, int, const mosquitto_property*) {
  self_of(userdata).on_publish(mid);
}
void message_callback(mosquitto*, void* userdata, const mosquitto_message* message, const mosquitto_property*) {
  if (message) self_of(userdata).on_message(*message);
}
}

// The window this endpoint grants each sender.
detail::Window receive_window(const Config& config, std::size_t roles) {
  if (config.channels == Channels::Bounded) return {config.k, std::numeric_limits<std::uint64_t>::max()};
  // mosquitto holds up to 1000 QoS 1 messages per subscriber beyond 20 in
  // flight, by default, and drops the rest: all senders' windows together
  // stay below, with room for control messages.
  const std::uint64_t automatic = std::min<std::uint64_t>(256, 800 / std::max<std::size_t>(1, roles - 1));
  const std::uint64_t messages = config.window_messages ? config.window_messages : automatic;
  return {std::max<std::uint64_t>(messages, config.k), config.window_bytes};
}

}  // namespace

MqttTransport::MqttTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, const Config& config,
                             std::shared_ptr<Clock> clock)
    : protocol_(std::move(protocol)),
      self_(self),
      config_(config),
      clock_(std::move(clock)),
      codec_(config.plaintext ? std::nullopt : config.secret, config.session),
      participant_(random_participant()),
      key_(codec_.key(protocol_->role_name(self), participant_)),
      prefix_(fmt::format("{}/{}/", config.topic_prefix, codec_.session_level())) {
  const auto roles = protocol_->role_count();
  peers_.resize(roles);
  peers_[self_].participant = participant_;
  const auto window = receive_window(config_, roles);
  for (auto& peer : peers_) peer.receive_credit.set_window(window, config_.channels == Channels::Bounded);
  const auto& system = protocol_->system();
  expected_.assign(roles, std::vector<bool>(system.labels.size(), false));
  for (const auto& transition : system.machines[self_].transitions())
    if (transition.action.direction == automata::Direction::Receive)
      expected_[transition.action.peer][transition.action.label] = true;
  wake_ = std::make_shared<const WakeCallback>([signal = signal_] {
    { const std::lock_guard lock(signal->mutex); }
    signal->changed.notify_all();
  });
  clock_->on_time_change(wake_);

  initialise_library();
  const auto client_id = fmt::format("lim-{}", to_hex(participant_).substr(0, 20));
  // A persistent session at the broker: a restart it survives resumes it.
  client_ = mosquitto_new(client_id.c_str(), false, this);
  if (!client_) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  // A session's messages are small and latency-bound: no Nagle delays.
  mosquitto_int_option(client_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_reconnect_delay_set(client_, 1, 1, false);
  mosquitto_connect_v5_callback_set(client_, connect_callback);
  mosquitto_disconnect_v5_callback_set(client_, disconnect_callback);
  mosquitto_subscribe_v5_callback_set(client_, subscribe_callback);
  mosquitto_publish_v5_callback_set(client_, publish_callback);
  mosquitto_message_v5_callback_set(client_, message_callback);
  if (!config_.username.empty() &&
      mosquitto_username_pw_set(client_, config_.username.c_str(),
                                config_.password.empty() ? nullptr : config_.password.c_str()) != MOSQ_ERR_SUCCESS)
    throw std::invalid_argument("mqtt::Config: the broker login is not valid");
  if (config_.tls) {
    const auto& tls = *config_.tls;
    const auto* certificate = tls.certificate_file.empty() ? nullptr : tls.certificate_file.c_str();
    const auto* key = tls.private_key_file.empty() ? nullptr : tls.private_key_file.c_str();
    if (mosquitto_tls_set(client_, tls.ca_file.c_str(), nullptr, certificate, key, nullptr) != MOSQ_ERR_SUCCESS ||
        mosquitto_tls_opts_set(client_, 1, "tlsv1.3", nullptr) != MOSQ_ERR_SUCCESS)
      throw std::invalid_argument(fmt::format("mqtt::Config::tls: cannot use the CA file {}", tls.ca_file.string()));
  }
  // The last will: what the broker tells the session if this client's
  // connection ends without a clean disconnect. It says which connection
  // (epoch) ended, so that a will from before a broker restart is told from
  // a death after it; counter 0 is reserved for it.
  const auto will = seal(Kind::Died, kEverybody, epoch_, {}, control_topic());
  if (mosquitto_will_set_v5(client_, control_topic().c_str(), static_cast<int>(will.size()), will.data(), 1, false,
                            nullptr) != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("mosquitto_will_set failed");
}

MqttTransport::~MqttTransport() {
  if (!client_) return;
  ticker_.reset();
  // Messages still on their way out (the last data, the goodbye, an abort)
  // must reach the broker before the connection goes.
  flush(std::chrono::milliseconds(5000));
  // Session expiry 0: the broker forgets this client's session now.
  mosquitto_property* properties = nullptr;
  mosquitto_property_add_int32(&properties, MQTT_PROP_SESSION_EXPIRY_INTERVAL, 0);
  const int disconnected = mosquitto_disconnect_v5(client_, MQTT_RC_NORMAL_DISCONNECTION, properties);
  mosquitto_property_free_all(&properties);
  // Without a connection the disconnect does not take (MOSQ_ERR_NO_CONN),
  // so the network thread would go on reconnecting to a broker that is gone
  // and a plain stop would wait for it forever: it is cancelled instead.
  mosquitto_loop_stop(client_, disconnected != MOSQ_ERR_SUCCESS);
  mosquitto_destroy(client_);
}

std::string MqttTransport::data_topic(automata::RoleId to, automata::RoleId from) const {
  return fmt::format("{}m/{}/{}", prefix_, to, from);
}

std::vector<std::uint8_t> MqttTransport::seal(Kind kind, std::uint16_t to, std::uint64_t seq,
                                              std::span<const std::uint8_t> body, const std::string& topic) {
  Header header;
  header.kind = kind;
  header.from = static_cast<std::uint16_t>(self_);
  header.to = to;
  header.participant = participant_;
  header.epoch = epoch_;
  header.counter = kind == Kind::Died ? 0 : counter_++;
  header.seq = seq;
  return codec_.seal(header, body, topic, &key_);
}

void MqttTransport::start(std::chrono::steady_clock::time_point deadline) {
  const auto address = fmt::format("{}:{}", config_.host, config_.port);
  const int keepalive = static_cast<int>(std::max<long long>(
      5, std::chrono::ceil<std::chrono::seconds>(config_.keepalive).count()));
  // The broker keeps the session while this client is away for at most this
  // long; a clean end discards it at once.
  const auto expiry = std::chrono::ceil<std::chrono::seconds>(config_.reconnect_timeout + 2 * config_.keepalive);
  mosquitto_property* properties = nullptr;
  mosquitto_property_add_int32(&properties, MQTT_PROP_SESSION_EXPIRY_INTERVAL,
                               static_cast<std::uint32_t>(std::max<long long>(1, expiry.count())));
  while (true) {
    FirstTlsConnect first(config_.tls.has_value());
    const int code = mosquitto_connect_bind_v5(client_, config_.host.c_str(), config_.port, keepalive, nullptr,
                                               properties);
    if (code == MOSQ_ERR_SUCCESS) {
      first.succeeded();
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      mosquitto_property_free_all(&properties);
      throw TransportError(TransportFailure::ConnectTimeout, "",
                           fmt::format("cannot reach the MQTT broker at {}: {}", address,
                                       code == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(code)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  mosquitto_property_free_all(&properties);
  if (const int code = mosquitto_loop_start(client_); code != MOSQ_ERR_SUCCESS)
    throw std::runtime_error(fmt::format("mosquitto_loop_start: {}", mosquitto_strerror(code)));

  std::unique_lock lock(mutex_);
  const auto wait = [&](const char* what, auto&& done) {
    if (!changed_.wait_until(lock, deadline, [&] { return failure_ || done(); }))
      throw TransportError(TransportFailure::ConnectTimeout, "",
                           fmt::format("{} within {} ms (broker {})", what, config_.connect_timeout.count(), address));
    if (failure_) rethrow_locked();
  };
  wait("the broker did not accept the connection", [&] { return connected_; });
  subscriptions_pending_ = 2;
  lock.unlock();
  const auto messages = prefix_ + fmt::format("m/{}/+", self_);
  if (mosquitto_subscribe(client_, nullptr, messages.c_str(), 1) != MOSQ_ERR_SUCCESS ||
      mosquitto_subscribe(client_, nullptr, control_topic().c_str(), 1) != MOSQ_ERR_SUCCESS)
    throw TransportError(TransportFailure::ConnectionLost, "", "cannot subscribe at the broker " + address);
  lock.lock();
  wait("the broker did not confirm the subscriptions", [&] { return subscriptions_pending_ <= 0; });
  lock.unlock();
  // Subscribed first, then hello: a role that hears our hello can send to
  // us at once.
  publish_control(Kind::Hello, hello_body());
  lock.lock();
  if (!changed_.wait_until(lock, deadline, [&] { return failure_ || started_; })) {
    std::string missing, unready;
    for (automata::RoleId role = 0; role < peers_.size(); ++role) {
      if (!peers_[role].participant) missing += (missing.empty() ? "" : ", ") + name_of(role);
      else if (role != self_ && !peers_[role].roster) unready += (unready.empty() ? "" : ", ") + name_of(role);
    }
    auto detail = missing.empty()
                      ? fmt::format("{} did not confirm who plays which role in session '{}' at {} within {} ms",
                                    unready, config_.session, address, config_.connect_timeout.count())
                      : fmt::format("{} did not join session '{}' at {} within {} ms", missing, config_.session,
                                    address, config_.connect_timeout.count());
    if (rejected_ > 0)
      detail += fmt::format(" ({} message(s) that did not authenticate were ignored: another secret?)", rejected_);
    throw TransportError(TransportFailure::ConnectTimeout, "", detail);
  }
  if (failure_) rethrow_locked();
  const auto now = RealClock::now();
  for (auto& peer : peers_) peer.last_heard = now;
  lock.unlock();
  if (config_.keepalive.count() > 0)
    ticker_ = std::make_unique<detail::Ticker>(std::max(config_.keepalive / 5, std::chrono::milliseconds(10)),
                                               [this] { beat(); });
}

nlohmann::json MqttTransport::hello_body() const {
  const auto& window = peers_[self_].receive_credit.window();
  return {{"fingerprint", protocol_->fingerprint()},
          {"channels", config_.channels == Channels::Bounded ? "bounded" : "unbounded"},
          {"k", config_.k},
          {"window", {window.messages, window.bytes}}};
}

nlohmann::json MqttTransport::roster_locked() const {
  auto roster = nlohmann::json::array();
  for (const auto& peer : peers_) roster.push_back(to_hex(*peer.participant));
  return roster;
}

// ---- publishing ---------------------------------------------------------------------------

void MqttTransport::publish(const Outgoing& message, bool track) {
  if (track) {
    const std::lock_guard lock(mutex_);
    ++publishes_pending_;
  }
  const int code = mosquitto_publish(client_, nullptr, message.topic.c_str(), static_cast<int>(message.bytes.size()),
                                     message.bytes.data(), message.qos, false);
  // Still pending: on_publish counts it once the broker has it.
  if (code == MOSQ_ERR_SUCCESS || queued_while_away(code, message.qos)) return;
  if (track) {
    const std::lock_guard lock(mutex_);
    --publishes_pending_;
  }
  // A QoS 0 message while the broker is away is gone, as QoS 0 allows;
  // anything else that fails is a lost connection.
  if (message.qos == 0 && code == MOSQ_ERR_NO_CONN) return;
  throw TransportError(TransportFailure::ConnectionLost, "",
                       fmt::format("cannot publish to the MQTT broker: {}", mosquitto_strerror(code)));
}

void MqttTransport::publish_control(Kind kind, const nlohmann::json& body, int qos) {
  // Control messages are numbered: publish them in the order of their numbers.
  const std::lock_guard order(publish_mutex_);
  Outgoing message{control_topic(), {}, qos};
  {
    const std::lock_guard lock(mutex_);
    const auto seq = kind == Kind::Beat ? ++beat_seq_ : ++control_seq_;
    message.bytes = seal(kind, kEverybody, seq, nlohmann::json::to_cbor(body), message.topic);
  }
  publish(message, true);
}

MqttTransport::Outgoing MqttTransport::credit_message(automata::RoleId to, std::uint64_t consumed) {
  Outgoing message{data_topic(to, self_), {}, 1};
  std::vector<std::uint8_t> body;
  for (int shift = 56; shift >= 0; shift -= 8) body.push_back(static_cast<std::uint8_t>(consumed >> shift));
  message.bytes = seal(Kind::Credit, static_cast<std::uint16_t>(to), 0, body, message.topic);
  return message;
}

std::vector<MqttTransport::Outgoing> MqttTransport::take_credits_locked() {
  std::vector<Outgoing> credits;
  for (automata::RoleId role = 0; role < peers_.size(); ++role)
    if (role != self_ && peers_[role].receive_credit.unreported())
      credits.push_back(credit_message(role, peers_[role].receive_credit.report()));
  return credits;
}

// ---- the session --------------------------------------------------------------------------

void MqttTransport::send(automata::RoleId to, automata::LabelId label, Payload payload) {
  std::vector<std::uint8_t> body(8);  // the credit, filled in when it goes
  body.reserve(24);
  put_u32(body, label);
  nlohmann::json::to_cbor(payload, body);
  std::unique_lock lock(mutex_);
  auto& peer = peers_[to];
  const auto finished = [&] {
    return TransportError(TransportFailure::PeerFinished, name_of(to),
                          fmt::format("{} completed its role and will not receive {}", name_of(to),
                                      protocol_->label_name(label)));
  };
  const auto wait_for = [&](auto&& done) {
    while (!failure_ && !done()) {
      changed_.wait_for(lock, check_interval_locked());
      check_locked(RealClock::now());
    }
    if (failure_) rethrow_locked();
  };
  if (failure_) rethrow_locked();
  if (peer.goodbye) throw finished();
  if (!peer.send_credit.may_send(body.size())) {
    // Waiting for credit: first give ours, so that no peer waits for us.
    const auto credits = take_credits_locked();
    lock.unlock();
    for (const auto& credit : credits) publish(credit, true);
    lock.lock();
    wait_for([&] { return peer.send_credit.may_send(body.size()) || peer.goodbye; });
    if (peer.goodbye) throw finished();
  }
  peer.send_credit.sent(body.size());
  // The credit `to` is owed rides along: a role that answers before it
  // waits then publishes no credit of its own.
  const auto consumed = peer.receive_credit.report();
  for (int i = 0; i < 8; ++i) body[i] = static_cast<std::uint8_t>(consumed >> (56 - 8 * i));
  Outgoing message{data_topic(to, self_), {}, 1};
  message.bytes = seal(Kind::Data, static_cast<std::uint16_t>(to), peer.next_seq_out++, body, message.topic);
  lock.unlock();
  publish(message, true);
  if (!peer.send_credit.rendezvous()) return;
  // The send completes when the receiver takes the message.
  lock.lock();
  wait_for([&] { return peer.send_credit.all_taken() || peer.goodbye; });
}

std::optional<IncomingMessage> MqttTransport::receive(std::span<const automata::RoleId> from, Deadline deadline) {
  std::unique_lock lock(mutex_);
  const auto all_finished = [&] {
    return !from.empty() && std::all_of(from.begin(), from.end(), [&](auto role) { return peers_[role].goodbye; });
  };
  while (true) {
    if (failure_) rethrow_locked();
    std::optional<IncomingMessage> message;
    if (!stray_.empty()) {
      message = std::move(stray_.front());
      stray_.pop_front();
    } else if ((message = detail::take_fairly(from, rotation_,
                                              [&](automata::RoleId role) -> auto& { return peers_[role].inbox; }))) {
      auto& peer = peers_[message->from];
      if (peer.receive_credit.taken(message->bytes)) {
        const auto credit = credit_message(message->from, peer.receive_credit.report());
        lock.unlock();
        publish(credit, true);
      }
      return message;
    }
    if (message) return message;
    if (all_finished())
      throw TransportError(TransportFailure::PeerFinished, name_of(from.front()),
                           fmt::format("{} waits for {}, which completed its role without sending more",
                                       name_of(self_), name_of(from.front())));
    if (auto credits = take_credits_locked(); !credits.empty()) {
      lock.unlock();
      for (const auto& credit : credits) publish(credit, true);
      lock.lock();
      continue;
    }
    auto wait = check_interval_locked();
    if (deadline) {
      if (clock_->now() >= *deadline) return std::nullopt;
      if (const auto left = clock_->real_time_until(*deadline))
        wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(*left));
      const auto asleep = clock_->sleeping();
      changed_.wait_for(lock, wait);
    } else {
      changed_.wait_for(lock, wait);
    }
    check_locked(RealClock::now());
  }
}

void MqttTransport::finish() {
  std::vector<Outgoing> goodbyes;
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
    for (automata::RoleId role = 0; role < peers_.size(); ++role) {
      if (role == self_) continue;
      Outgoing message{data_topic(role, self_), {}, 1};
      message.bytes = seal(Kind::Goodbye, static_cast<std::uint16_t>(role), peers_[role].next_seq_out++, {},
                           message.topic);
      goodbyes.push_back(std::move(message));
    }
  }
  for (const auto& goodbye : goodbyes) publish(goodbye, true);
}

void MqttTransport::abort(std::string_view reason) noexcept {
  try {
    {
      const std::lock_guard lock(mutex_);
      if (aborted_) return;
      aborted_ = true;
    }
    publish_control(Kind::Abort, {{"reason", reason}});
  } catch (...) {
    // The broker is gone: the peers will hear of it from their own connections.
  }
}

void MqttTransport::report_failure(const TransportError& failure) noexcept {
  try {
    {
      const std::lock_guard lock(mutex_);
      if (aborted_) return;
      aborted_ = true;
    }
    std::string detail = failure.what();
    const auto prefix = failure.peer().empty() ? fmt::format("{}: ", to_string(failure.failure()))
                                               : fmt::format("{} ({}): ", to_string(failure.failure()), failure.peer());
    if (detail.starts_with(prefix)) detail.erase(0, prefix.size());
    publish_control(Kind::Failed, {{"failure", to_string(failure.failure())}, {"peer", failure.peer()}, {"detail", detail}});
  } catch (...) {
  }
}

void MqttTransport::flush(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, limit, [&] { return publishes_pending_ == 0 || !connected_; });
}

// ---- failures and liveness ----------------------------------------------------------------------

void MqttTransport::fail_locked(std::exception_ptr error) {
  if (!failure_) failure_ = std::move(error);
  changed_.notify_all();
}

void MqttTransport::rethrow_locked() const { std::rethrow_exception(failure_); }

std::chrono::milliseconds MqttTransport::check_interval_locked() const {
  auto interval = config_.keepalive.count() > 0 ? config_.keepalive / 4 : std::chrono::milliseconds(1000);
  if (disconnected_since_) interval = std::min(interval, std::chrono::milliseconds(100));
  const auto now = RealClock::now();
  for (const auto& death : pending_deaths_)
    if (death.due)
      interval = std::min(interval, std::max(std::chrono::milliseconds(1),
                                             std::chrono::ceil<std::chrono::milliseconds>(*death.due - now)));
  return std::max(interval, std::chrono::milliseconds(1));
}

void MqttTransport::check_locked(RealTime now) {
  if (failure_) return;
  for (const auto& death : pending_deaths_) {
    const auto& peer = peers_[death.role];
    if (!(death.confirmed || (death.due && now >= *death.due)) || peer.goodbye || peer.epoch > death.epoch) continue;
    const auto& name = name_of(death.role);
    return fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::PeerDied, name,
        fmt::format("the broker reports that {}'s connection ended before it completed its role", name))));
  }
  std::erase_if(pending_deaths_, [&](const PendingDeath& death) {
    return peers_[death.role].goodbye || peers_[death.role].epoch > death.epoch;
  });
  if (disconnected_since_ && now - *disconnected_since_ > config_.reconnect_timeout)
    return fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::ConnectionLost, "",
        fmt::format("lost the connection to the MQTT broker at {}:{}, which did not come back within {} ms",
                    config_.host, config_.port, config_.reconnect_timeout.count()))));
  if (!started_ || !connected_ || config_.keepalive.count() <= 0) return;
  for (automata::RoleId role = 0; role < peers_.size(); ++role) {
    const auto& peer = peers_[role];
    if (role == self_ || peer.goodbye) continue;
    auto heard = peer.last_heard;
    if (resumed_at_) heard = std::max(heard, *resumed_at_);
    if (now - heard <= config_.keepalive) continue;
    return fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::PeerUnresponsive, name_of(role),
        fmt::format("no sign of life from {} for {} ms (stopped, partitioned or overloaded)", name_of(role),
                    std::chrono::duration_cast<std::chrono::milliseconds>(now - heard).count()))));
  }
}

void MqttTransport::beat() noexcept {
  try {
    nlohmann::json consumed = nlohmann::json::array();
    {
      const std::lock_guard lock(mutex_);
      check_locked(RealClock::now());
      if (failure_ || !connected_) return;
      // Every beat repeats how much this endpoint took from each peer: a
      // credit the broker lost on a restart is given again.
      for (const auto& peer : peers_) consumed.push_back(peer.receive_credit.consumed());
    }
    publish_control(Kind::Beat, {{"consumed", consumed}}, 0);
  } catch (...) {
    // A beat that cannot go out: the broker is away, and the checks above notice.
  }
}

// ---- libmosquitto's callbacks ---------------------------------------------------------------

void MqttTransport::on_connect(int code, int flags) {
  bool resumed = false;
  {
    const std::lock_guard lock(mutex_);
    if (failure_) return;
    if (code != 0) {
      fail_locked(std::make_exception_ptr(TransportError(
          TransportFailure::ConnectionLost, "",
          fmt::format("the MQTT broker at {}:{} refused the connection: {}", config_.host, config_.port,
                      mosquitto_reason_string(code)))));
      return;
    }
    connected_ = true;
    accepted_ = true;
    if (disconnected_since_) {
      if ((flags & 1) == 0) {
        fail_locked(std::make_exception_ptr(TransportError(
            TransportFailure::ConnectionLost, "",
            fmt::format("the MQTT broker at {}:{} came back without this session (it keeps no sessions across a "
                        "restart: persistence is off); messages queued for {} are lost",
                        config_.host, config_.port, name_of(self_)))));
        return;
      }
      disconnected_since_.reset();
      resumed_at_ = RealClock::now();
      resumed = true;
    }
    changed_.notify_all();
  }
  if (resumed) beat();  // at once: our credits, in case the broker lost some
}

void MqttTransport::on_disconnect(int code) {
  const std::lock_guard lock(mutex_);
  connected_ = false;
  changed_.notify_all();
  if (code == 0 || failure_) return;  // our own disconnect
  if (!accepted_) {
    // No CONNACK came: a broker that closes at once may have refused the
    // login or the TLS settings without saying so.
    fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::ConnectionLost, "",
        fmt::format("the MQTT broker at {}:{} closed the connection before accepting it ({}): a refused login "
                    "or TLS setting ends it this way",
                    config_.host, config_.port, mosquitto_strerror(code)))));
    return;
  }
  if (!started_ || config_.reconnect_timeout.count() <= 0) {
    fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::ConnectionLost, "",
        fmt::format("lost the connection to the MQTT broker at {}:{} ({})", config_.host, config_.port,
                    mosquitto_strerror(code)))));
    return;
  }
  // Wait for the broker to come back (libmosquitto reconnects). A broker
  // going down publishes every client's will: none of them is a death.
  disconnected_since_ = RealClock::now();
  pending_deaths_.clear();
  ++epoch_;
  try {
    const auto will = seal(Kind::Died, kEverybody, epoch_, {}, control_topic());
    mosquitto_will_set_v5(client_, control_topic().c_str(), static_cast<int>(will.size()), will.data(), 1, false,
                          nullptr);
  } catch (...) {
  }
}

void MqttTransport::on_subscribe(int) {
  const std::lock_guard lock(mutex_);
  --subscriptions_pending_;
  changed_.notify_all();
}

void MqttTransport::on_publish(int mid) {
  const std::lock_guard lock(mutex_);
  if (publishes_pending_ > 0) --publishes_pending_;
  for (auto& death : pending_deaths_)
    if (death.probe == mid) death.confirmed = true;
  check_locked(RealClock::now());
  changed_.notify_all();
}

void MqttTransport::on_message(const mosquitto_message& raw) {
  const std::string topic(raw.topic);
  const auto* bytes = static_cast<const std::uint8_t*>(raw.payload);
  const std::span<const std::uint8_t> payload(bytes, bytes ? static_cast<std::size_t>(raw.payloadlen) : 0);
  std::vector<Kind> answers;
  {
    const std::lock_guard lock(mutex_);
    if (failure_) return;
    const bool control = topic == control_topic();
    // Without authentication the topic is all there is to blame.
    const auto malformed = [&](const std::string& why) {
      if (codec_.authenticated()) {
        ++rejected_;
        return;
      }
      std::string peer;
      if (!control) {
        unsigned from = 0;
        const auto level = topic.substr(topic.rfind('/') + 1);
        if (std::from_chars(level.data(), level.data() + level.size(), from).ec == std::errc() &&
            from < peers_.size())
          peer = name_of(static_cast<automata::RoleId>(from));
      }
      fail_locked(std::make_exception_ptr(TransportError(TransportFailure::MalformedFrame, peer, why)));
    };
    const auto header = Codec::peek(payload);
    if (!header) return malformed(fmt::format("a message of {} bytes on {} that is not lim's", payload.size(), topic));
    if (header->from >= peers_.size()) return malformed("a message from no role of the protocol");
    auto& peer = peers_[header->from];
    const bool own = header->from == self_ && header->participant == participant_;
    if (own) return;  // our own control message, back from the broker
    const bool known = peer.participant && *peer.participant == header->participant;
    SessionSecret::Key hello_key{};
    const SessionSecret::Key* key = &peer.key;
    if (!known) {
      // Only a hello introduces a participant — and a refusal, which a
      // participant of a running session sends a latecomer it never greeted.
      if (header->kind != Kind::Hello && header->kind != Kind::Refuse) {
        ++rejected_;
        return;
      }
      hello_key = codec_.key(name_of(header->from), header->participant);
      key = &hello_key;
    }
    const auto message = codec_.open(payload, topic, key);
    if (!message) return malformed(fmt::format("a message on {} that does not authenticate", topic));
    if (known) {
      peer.last_heard = RealClock::now();
      if (header->epoch > peer.epoch) peer.epoch = header->epoch;
    }
    try {
      if (control) {
        handle_control(header->from, *message, answers);
      } else if (topic == data_topic(self_, header->from) && header->to == self_ && known) {
        handle_channel(header->from, *message);
      } else {
        malformed(fmt::format("a message on {} from {}, which does not send there", topic, name_of(header->from)));
      }
    } catch (const nlohmann::json::exception& error) {
      malformed(fmt::format("a message from {} whose body is not CBOR: {}", name_of(header->from), error.what()));
    }
    changed_.notify_all();
  }
  probe_deaths();
  for (const auto kind : answers) {
    try {
      if (kind == Kind::Hello) {
        publish_control(Kind::Hello, hello_body());
      } else if (kind == Kind::Refuse) {
        std::string latecomer;
        {
          const std::lock_guard lock(mutex_);
          latecomer = to_hex(refused_.back());
          refused_.pop_back();
        }
        publish_control(Kind::Refuse, {{"participant", latecomer}, {"reason", "its roles are taken"}});
      } else {
        nlohmann::json roster;
        {
          const std::lock_guard lock(mutex_);
          roster = roster_locked();
        }
        publish_control(Kind::Ready, {{"roster", roster}});
      }
    } catch (const TransportError&) {
      const std::lock_guard lock(mutex_);
      fail_locked(std::current_exception());
    }
  }
}

void MqttTransport::probe_deaths() {
  // On libmosquitto's thread, which also runs on_publish: the acknowledgement
  // cannot come before the probe's id is recorded.
  std::vector<std::pair<automata::RoleId, std::uint32_t>> unprobed;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& death : pending_deaths_)
      if (!death.due && death.probe < 0) unprobed.emplace_back(death.role, death.epoch);
  }
  for (const auto& [role, epoch] : unprobed) {
    int mid = -1;
    const auto topic = prefix_ + "probe";
    {
      const std::lock_guard lock(mutex_);
      ++publishes_pending_;
    }
    if (const int code = mosquitto_publish(client_, &mid, topic.c_str(), 0, nullptr, 1, false);
        code != MOSQ_ERR_SUCCESS && !queued_while_away(code, 1)) {
      const std::lock_guard lock(mutex_);
      --publishes_pending_;
      continue;  // the broker is going: no death to report
    }
    const std::lock_guard lock(mutex_);
    for (auto& death : pending_deaths_)
      if (death.role == role && death.epoch == epoch) death.probe = mid;
  }
}

void MqttTransport::handle_channel(automata::RoleId from, const Message& message) {
  auto& peer = peers_[from];
  const auto& name = name_of(from);
  const auto malformed = [&](const std::string& why) {
    fail_locked(std::make_exception_ptr(TransportError(TransportFailure::MalformedFrame, name, why)));
  };
  const auto credit = [&](std::span<const std::uint8_t> bytes) {
    const auto consumed = get_u64(bytes);
    if (consumed > peer.send_credit.taken_count() && !peer.send_credit.credit(consumed)) {
      malformed("a credit for messages that were never sent");
      return false;
    }
    return true;
  };
  if (message.header.kind == Kind::Credit) {
    if (message.body.size() != 8) return malformed("a credit is 8 bytes");
    (void)credit(message.body);
    return;
  }
  if (message.header.kind != Kind::Data && message.header.kind != Kind::Goodbye)
    return malformed("a control message on a channel");
  // In order, numbered: a repeat (the broker redelivers after a restart) is
  // dropped, a gap is a lost message.
  if (message.header.seq < peer.next_seq) return;
  if (message.header.seq > peer.next_seq)
    return malformed(fmt::format("message number {} where {} was due: a message was lost or repeated",
                                 message.header.seq, peer.next_seq));
  ++peer.next_seq;
  if (peer.goodbye) return malformed("a message after the sender's goodbye");
  if (message.header.kind == Kind::Goodbye) {
    peer.goodbye = true;
    return;
  }
  if (message.body.size() < 13) return malformed(fmt::format("a message of {} bytes is too short", message.body.size()));
  // A credit that comes with a message is taken even if the message is not.
  if (!credit(std::span(message.body).first(8))) return;
  const auto label = static_cast<automata::LabelId>(get_u64(std::span(message.body).subspan(8, 4)));
  if (label >= protocol_->system().labels.size())
    return malformed(fmt::format("label number {} is not a label of the protocol", label));
  Payload value;
  try {
    value = nlohmann::json::from_cbor(message.body.begin() + 12, message.body.end());
  } catch (const nlohmann::json::exception& error) {
    return malformed(fmt::format("the payload is not CBOR: {}", error.what()));
  }
  if (!peer.receive_credit.arrived(message.body.size()))
    return fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::Overflow, name,
        fmt::format("{} sent more than {}'s receive window allows ({} messages, {} bytes not yet taken)", name,
                    name_of(self_), peer.receive_credit.window().messages, peer.receive_credit.window().bytes))));
  IncomingMessage incoming{from, label, std::move(value), message.body.size()};
  (expected_[from][label] ? peer.inbox : stray_).push_back(std::move(incoming));
}

void MqttTransport::handle_control(automata::RoleId from, const Message& message, std::vector<Kind>& answers) {
  auto& peer = peers_[from];
  const auto& name = name_of(from);
  const auto& header = message.header;
  const auto handshake_failed = [&](const std::string& why) {
    fail_locked(std::make_exception_ptr(TransportError(TransportFailure::HandshakeFailed, name, why)));
  };
  const auto body = message.body.empty() ? nlohmann::json::object() : nlohmann::json::from_cbor(message.body);
  if (!body.is_object()) throw nlohmann::json::type_error::create(302, "a control message is a CBOR map", nullptr);
  if (header.kind == Kind::Died) {
    // seq is the epoch of the connection that ended.
    const auto epoch = static_cast<std::uint32_t>(header.seq);
    if (peer.goodbye || epoch < peer.epoch || !connected_ ||
        std::find(peer.deaths.begin(), peer.deaths.end(), epoch) != peer.deaths.end())
      return;
    peer.deaths.push_back(epoch);
    const auto now = RealClock::now();
    if (resumed_at_ && now < *resumed_at_ + kResumeGrace)
      pending_deaths_.push_back({from, epoch, *resumed_at_ + kResumeGrace});
    else
      pending_deaths_.push_back({from, epoch, std::nullopt});  // probed once the lock is released
    return;
  }
  const bool beat = header.kind == Kind::Beat;
  const bool introduces = (header.kind == Kind::Hello || header.kind == Kind::Refuse) &&
                          !(peer.participant && *peer.participant == header.participant);
  if (!introduces) {
    auto& last = beat ? peer.beat_seq : peer.control_seq;
    if (header.seq <= last) return;  // a repeat
    last = header.seq;
  }
  switch (header.kind) {
    case Kind::Hello: {
      const bool ours = from == self_;
      if (ours || (peer.participant && *peer.participant != header.participant)) {
        // Two participants claim one role: two launches with one session
        // name and secret. Before the session starts both are refused;
        // once it runs, the latecomer is.
        if (started_) {
          refused_.push_back(header.participant);
          answers.push_back(Kind::Refuse);
        } else {
          handshake_failed(fmt::format("two participants claim role {} in session '{}': is another launch using "
                                       "this session name and secret?",
                                       name, config_.session));
        }
        return;
      }
      if (!introduces) return;  // heard already (it answered somebody else)
      if (body.value("fingerprint", std::string()) != protocol_->fingerprint())
        return handshake_failed(fmt::format("{} runs other automata than {}'s", name, name_of(self_)));
      const bool bounded = body.value("channels", std::string()) == "bounded";
      if (bounded != (config_.channels == Channels::Bounded) || body.value("k", 0u) != config_.k)
        return handshake_failed(fmt::format("{} runs other channels ({} at k={}) than {}", name,
                                            bounded ? "bounded" : "unbounded", body.value("k", 0u), name_of(self_)));
      const auto window = body.find("window");
      if (window == body.end() || !window->is_array() || window->size() != 2)
        return handshake_failed(fmt::format("{}'s hello has no receive window", name));
      peer.participant = header.participant;
      peer.key = codec_.key(name, header.participant);
      peer.epoch = header.epoch;
      peer.control_seq = header.seq;
      peer.last_heard = RealClock::now();
      peer.send_credit.set_window({(*window)[0].get<std::uint64_t>(), (*window)[1].get<std::uint64_t>()});
      answers.push_back(Kind::Hello);  // it may have said hello before we listened
      break;
    }
    case Kind::Ready: {
      std::vector<std::string> roster;
      for (const auto& entry : body.at("roster")) roster.push_back(entry.get<std::string>());
      peer.roster = std::move(roster);
      break;
    }
    case Kind::Refuse:
      if (!started_ && participant_from_hex(body.value("participant", std::string())) == participant_)
        handshake_failed(fmt::format("session '{}' is in use: {} refused this participant ({})", config_.session,
                                     name, body.value("reason", std::string())));
      return;
    case Kind::Abort:
      return fail_locked(
          std::make_exception_ptr(SessionAborted(name, body.value("reason", std::string("no reason given")))));
    case Kind::Failed: {
      const auto failure = transport_failure_named(body.value("failure", std::string()));
      const auto detail = body.value("detail", std::string());
      if (!failure) return fail_locked(std::make_exception_ptr(SessionAborted(name, detail)));
      return fail_locked(std::make_exception_ptr(TransportError(
          *failure, body.value("peer", std::string()), fmt::format("{} (reported by {})", detail, name))));
    }
    case Kind::Beat: {
      const auto consumed = body.find("consumed");
      if (consumed != body.end() && consumed->is_array() && consumed->size() == peers_.size()) {
        const auto value = (*consumed)[self_].get<std::uint64_t>();
        if (value > peer.send_credit.taken_count() && !peer.send_credit.credit(value))
          fail_locked(std::make_exception_ptr(
              TransportError(TransportFailure::MalformedFrame, name, "a credit for messages that were never sent")));
      }
      return;
    }
    default: return;
  }
  // Everybody known: say who we think plays what; everybody agreeing: go.
  if (std::all_of(peers_.begin(), peers_.end(), [](const Peer& each) { return each.participant.has_value(); })) {
    if (!ready_sent_) {
      ready_sent_ = true;
      answers.push_back(Kind::Ready);
    }
    std::vector<std::string> ours;
    for (const auto& each : peers_) ours.push_back(to_hex(*each.participant));
    bool all = true;
    for (automata::RoleId role = 0; role < peers_.size(); ++role) {
      if (role == self_) continue;
      if (!peers_[role].roster) {
        all = false;
        continue;
      }
      if (*peers_[role].roster != ours)
        return handshake_failed(fmt::format("session '{}' has two participants for one role (another launch with "
                                            "this session name and secret?): {} and {} disagree on who plays what",
                                            config_.session, name_of(role), name_of(self_)));
    }
    if (all && ready_sent_) started_ = true;
  }
}

}  // namespace lim::runtime::mqtt
