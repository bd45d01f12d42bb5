#include "mqtt_transport.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "lim/runtime/endpoint/session_error.hpp"
#include "../fair_inbox.hpp"

namespace lim::runtime::mqtt {
namespace {

constexpr int kQos = 1;  // at least once; sequence numbers catch repeats

void initialise_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string random_nonce() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> distribution;
  return fmt::format("{:016x}{:016x}", distribution(device), distribution(device));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (const int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(value >> shift));
}

std::uint32_t get_u32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

MqttTransport& self_of(void* userdata) { return *static_cast<MqttTransport*>(userdata); }

extern "C" {
void connect_callback(mosquitto*, void* userdata, int code) { self_of(userdata).on_connect(code); }
void disconnect_callback(mosquitto*, void* userdata, int code) { self_of(userdata).on_disconnect(code); }
void subscribe_callback(mosquitto*, void* userdata, int mid, int, const int*) { self_of(userdata).on_subscribe(mid); }
void publish_callback(mosquitto*, void* userdata, int mid) { self_of(userdata).on_publish(mid); }
void message_callback(mosquitto*, void* userdata, const mosquitto_message* message) {
  if (message) self_of(userdata).on_message(*message);
}
}

}  // namespace

MqttTransport::MqttTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, const Config& config,
                             std::shared_ptr<Clock> clock)
    : protocol_(std::move(protocol)),
      self_(self),
      config_(config),
      k_(config.k),
      clock_(std::move(clock)),
      nonce_(random_nonce()),
      prefix_(fmt::format("{}/{}/", config.topic_prefix, config.session)) {
  const auto roles = protocol_->role_count();
  peers_.resize(roles);
  peers_[self_].nonce = nonce_;
  next_seq_out_.assign(roles, 0);
  sent_.assign(roles, 0);
  wake_ = std::make_shared<const WakeCallback>([signal = signal_] {
    { const std::lock_guard lock(signal->mutex); }
    signal->changed.notify_all();
  });
  clock_->on_time_change(wake_);

  initialise_library();
  const auto client_id = fmt::format("lim-{}-{}", protocol_->role_name(self_).substr(0, 16), nonce_.substr(0, 12));
  client_ = mosquitto_new(client_id.c_str(), true, this);
  if (!client_) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  // A session's messages are small and latency-bound: no Nagle delays.
  mosquitto_int_option(client_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_connect_callback_set(client_, connect_callback);
  mosquitto_disconnect_callback_set(client_, disconnect_callback);
  mosquitto_subscribe_callback_set(client_, subscribe_callback);
  mosquitto_publish_callback_set(client_, publish_callback);
  mosquitto_message_callback_set(client_, message_callback);
  // The last will: what the broker tells the session if this client's
  // connection ends without a clean disconnect.
  const auto will = nlohmann::json::to_cbor(
      nlohmann::json{{"type", "died"}, {"role", protocol_->role_name(self_)}, {"nonce", nonce_}});
  const auto control = prefix_ + "c";
  if (mosquitto_will_set(client_, control.c_str(), static_cast<int>(will.size()), will.data(), kQos, false) !=
      MOSQ_ERR_SUCCESS)
    throw std::runtime_error("mosquitto_will_set failed");
}

MqttTransport::~MqttTransport() {
  if (!client_) return;
  // Messages still on their way out (the last data, the goodbye, an abort)
  // must reach the broker before the connection goes.
  flush(std::chrono::milliseconds(5000));
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
  mosquitto_destroy(client_);
}

std::string MqttTransport::data_topic(automata::RoleId to, automata::RoleId from) const {
  return fmt::format("{}m/{}/{}", prefix_, to, from);
}

void MqttTransport::start(std::chrono::steady_clock::time_point deadline) {
  const auto address = fmt::format("{}:{}", config_.host, config_.port);
  while (true) {
    const int code = mosquitto_connect(client_, config_.host.c_str(), config_.port,
                                       static_cast<int>(config_.keepalive.count()));
    if (code == MOSQ_ERR_SUCCESS) break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw TransportError(TransportFailure::ConnectTimeout, "",
                           fmt::format("cannot reach the MQTT broker at {}: {}", address, mosquitto_strerror(code)));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (const int code = mosquitto_loop_start(client_); code != MOSQ_ERR_SUCCESS)
    throw std::runtime_error(fmt::format("mosquitto_loop_start: {}", mosquitto_strerror(code)));

  std::unique_lock lock(mutex_);
  const auto wait = [&](const char* what, auto&& done) {
    if (!changed_.wait_until(lock, deadline, [&] { return failure_ || done(); })) {
      throw TransportError(TransportFailure::ConnectTimeout, "",
                           fmt::format("{} within {} ms (broker {})", what, config_.connect_timeout.count(), address));
    }
    if (failure_) rethrow_locked();
  };
  wait("the broker did not accept the connection", [&] { return connected_; });
  subscriptions_pending_ = 2;
  lock.unlock();
  const auto messages = prefix_ + fmt::format("m/{}/+", self_);
  const auto control = prefix_ + "c";
  if (mosquitto_subscribe(client_, nullptr, messages.c_str(), kQos) != MOSQ_ERR_SUCCESS ||
      mosquitto_subscribe(client_, nullptr, control.c_str(), kQos) != MOSQ_ERR_SUCCESS)
    throw TransportError(TransportFailure::ConnectionLost, "", "cannot subscribe at the broker " + address);
  lock.lock();
  wait("the broker did not confirm the subscriptions", [&] { return subscriptions_pending_ <= 0; });
  lock.unlock();
  // Subscribed first, then hello: a role that hears our hello can send to
  // us at once.
  publish_control(hello(), false);
  lock.lock();
  if (!changed_.wait_until(lock, deadline, [&] {
        return failure_ || std::all_of(peers_.begin(), peers_.end(), [](const Peer& peer) { return !peer.nonce.empty(); });
      })) {
    std::string missing;
    for (automata::RoleId role = 0; role < peers_.size(); ++role)
      if (peers_[role].nonce.empty()) missing += (missing.empty() ? "" : ", ") + name_of(role);
    throw TransportError(TransportFailure::ConnectTimeout, "",
                         fmt::format("{} did not join session '{}' at {} within {} ms", missing, config_.session,
                                     address, config_.connect_timeout.count()));
  }
  if (failure_) rethrow_locked();
}

nlohmann::json MqttTransport::hello() const {
  return {{"type", "hello"},
          {"role", protocol_->role_name(self_)},
          {"nonce", nonce_},
          {"fingerprint", protocol_->fingerprint()}};
}

void MqttTransport::publish(const std::string& topic, const std::vector<std::uint8_t>& bytes, bool track) {
  if (track) {
    const std::lock_guard lock(mutex_);
    ++publishes_pending_;
  }
  const int code =
      mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(bytes.size()), bytes.data(), kQos, false);
  if (code == MOSQ_ERR_SUCCESS) return;
  if (track) {
    const std::lock_guard lock(mutex_);
    --publishes_pending_;
  }
  throw TransportError(TransportFailure::ConnectionLost, "",
                       fmt::format("cannot publish to the MQTT broker: {}", mosquitto_strerror(code)));
}

void MqttTransport::publish_control(const nlohmann::json& message, bool track) {
  publish(prefix_ + "c", nlohmann::json::to_cbor(message), track);
}

void MqttTransport::send(automata::RoleId to, automata::LabelId label, Payload payload) {
  std::uint32_t seq = 0;
  {
    const std::lock_guard lock(mutex_);
    if (failure_) rethrow_locked();
    if (peers_[to].goodbye)
      throw TransportError(TransportFailure::PeerFinished, name_of(to),
                           fmt::format("{} completed its role and will not receive {}", name_of(to),
                                       protocol_->label_name(label)));
    seq = next_seq_out_[to]++;
    ++sent_[to];
  }
  std::vector<std::uint8_t> bytes;
  bytes.reserve(16);
  put_u32(bytes, seq);
  put_u32(bytes, label);
  nlohmann::json::to_cbor(payload, bytes);
  publish(data_topic(to, self_), bytes, true);
}

std::optional<IncomingMessage> MqttTransport::receive(std::span<const automata::RoleId> from, Deadline deadline) {
  std::unique_lock lock(mutex_);
  const auto all_finished = [&] {
    return !from.empty() && std::all_of(from.begin(), from.end(), [&](auto role) { return finished_peer_locked(role); });
  };
  const auto ready = [&] {
    return failure_ || all_finished() ||
           std::any_of(from.begin(), from.end(), [&](auto role) { return !peers_[role].inbox.empty(); });
  };
  while (true) {
    if (failure_) rethrow_locked();
    if (auto message = detail::take_fairly(peers_, from, rotation_)) return message;
    if (all_finished())
      throw TransportError(TransportFailure::PeerFinished, name_of(from.front()),
                           fmt::format("{} waits for {}, which completed its role without sending more",
                                       name_of(self_), name_of(from.front())));
    if (!deadline) {
      changed_.wait(lock, ready);
    } else {
      if (clock_->now() >= *deadline) return std::nullopt;
      if (!clock_->wait_until(lock, changed_, *deadline, ready) && !ready()) return std::nullopt;
    }
  }
}

void MqttTransport::finish() {
  nlohmann::json goodbye{{"type", "goodbye"}, {"role", name_of(self_)}, {"nonce", nonce_}};
  {
    const std::lock_guard lock(mutex_);
    finished_ = true;
    auto& sent = goodbye["sent"] = nlohmann::json::object();
    for (automata::RoleId role = 0; role < sent_.size(); ++role) sent[name_of(role)] = sent_[role];
  }
  publish_control(goodbye, true);
}

void MqttTransport::abort(std::string_view reason) noexcept {
  try {
    {
      const std::lock_guard lock(mutex_);
      if (aborted_) return;
      aborted_ = true;
    }
    publish_control({{"type", "abort"}, {"role", name_of(self_)}, {"nonce", nonce_}, {"reason", reason}}, true);
  } catch (...) {
    // The broker is gone: the peers will hear of it from their own connections.
  }
}

void MqttTransport::flush(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, limit, [&] { return publishes_pending_ == 0 || !connected_; });
}

void MqttTransport::fail_locked(std::exception_ptr error) {
  if (!failure_) failure_ = std::move(error);
  changed_.notify_all();
}

void MqttTransport::rethrow_locked() const { std::rethrow_exception(failure_); }

void MqttTransport::on_connect(int code) {
  const std::lock_guard lock(mutex_);
  if (code == 0) {
    connected_ = true;
  } else {
    fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::ConnectionLost, "", fmt::format("the MQTT broker refused: {}", mosquitto_connack_string(code)))));
  }
  changed_.notify_all();
}

void MqttTransport::on_disconnect(int code) {
  const std::lock_guard lock(mutex_);
  connected_ = false;
  if (code != 0)
    fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::ConnectionLost, "",
        fmt::format("lost the connection to the MQTT broker at {}:{}", config_.host, config_.port))));
  changed_.notify_all();
}

void MqttTransport::on_subscribe(int) {
  const std::lock_guard lock(mutex_);
  --subscriptions_pending_;
  changed_.notify_all();
}

void MqttTransport::on_publish(int) {
  const std::lock_guard lock(mutex_);
  if (publishes_pending_ > 0) --publishes_pending_;
  changed_.notify_all();
}

void MqttTransport::on_message(const mosquitto_message& message) {
  const std::string_view topic(message.topic);
  const auto* bytes = static_cast<const std::uint8_t*>(message.payload);
  const std::span<const std::uint8_t> payload(bytes, bytes ? static_cast<std::size_t>(message.payloadlen) : 0);
  bool answer = false;
  {
    const std::lock_guard lock(mutex_);
    if (topic == prefix_ + "c") {
      try {
        answer = handle_control(nlohmann::json::from_cbor(payload.begin(), payload.end()));
      } catch (const nlohmann::json::exception& error) {
        fail_locked(std::make_exception_ptr(TransportError(
            TransportFailure::MalformedFrame, "", fmt::format("a control message that is not CBOR: {}", error.what()))));
      }
    } else {
      // <prefix>/<session>/m/<to>/<from>
      const auto from_text = topic.substr(topic.rfind('/') + 1);
      unsigned from = 0;
      const auto [end, error] = std::from_chars(from_text.data(), from_text.data() + from_text.size(), from);
      const auto malformed = [&](const std::string& why) {
        const auto peer = from < peers_.size() ? name_of(static_cast<automata::RoleId>(from)) : std::string();
        fail_locked(std::make_exception_ptr(TransportError(TransportFailure::MalformedFrame, peer, why)));
      };
      if (error != std::errc() || end != from_text.data() + from_text.size() || from >= peers_.size() ||
          from == self_) {
        malformed(fmt::format("a message on topic {}, which names no peer", topic));
      } else if (payload.size() < 9) {
        malformed(fmt::format("a message of {} bytes is too short", payload.size()));
      } else {
        auto& peer = peers_[from];
        const auto seq = get_u32(payload.data());
        const auto label = get_u32(payload.data() + 4);
        if (seq != peer.next_seq) {
          malformed(fmt::format("message number {} where {} was due: a message was lost or repeated", seq,
                                peer.next_seq));
        } else if (label >= protocol_->system().labels.size()) {
          malformed(fmt::format("label number {} is not a label of the protocol", label));
        } else {
          try {
            auto value = nlohmann::json::from_cbor(payload.begin() + 8, payload.end());
            peer.inbox.push_back({static_cast<automata::RoleId>(from), label, std::move(value)});
            ++peer.next_seq;
            ++peer.received;
          } catch (const nlohmann::json::exception& cbor) {
            malformed(fmt::format("the payload is not CBOR: {}", cbor.what()));
          }
        }
      }
    }
    changed_.notify_all();
  }
  if (answer) {
    try {
      publish_control(hello(), false);
    } catch (const TransportError& error) {
      const std::lock_guard lock(mutex_);
      fail_locked(std::current_exception());
    }
  }
}

bool MqttTransport::handle_control(const nlohmann::json& message) {
  if (!message.is_object()) return false;
  const auto type = message.value("type", std::string());
  const auto nonce = message.value("nonce", std::string());
  if (nonce == nonce_) return false;  // our own, back from the broker
  const auto role = protocol_->find_role(message.value("role", std::string()));
  if (!role) return false;  // not a role of this protocol: not for us
  auto& peer = peers_[*role];
  const auto& name = name_of(*role);
  if (type == "hello") {
    if (message.value("fingerprint", std::string()) != protocol_->fingerprint()) {
      fail_locked(std::make_exception_ptr(TransportError(
          TransportFailure::HandshakeFailed, name,
          fmt::format("{} runs other automata than {}'s (fingerprint {})", name, protocol_->spec_path(),
                      message.value("fingerprint", std::string())))));
      return false;
    }
    if (*role == self_ || (!peer.nonce.empty() && peer.nonce != nonce)) {
      fail_locked(std::make_exception_ptr(TransportError(
          TransportFailure::HandshakeFailed, name,
          fmt::format("two participants claim role {} in session '{}'", name, config_.session))));
      return false;
    }
    if (!peer.nonce.empty()) return false;
    peer.nonce = nonce;
    return true;  // it may have said hello before we listened: answer
  }
  if (nonce != peer.nonce) return false;  // from a participant that never joined
  if (type == "goodbye") {
    peer.goodbye = true;
    const auto sent = message.find("sent");
    if (sent != message.end() && sent->is_object()) peer.announced = sent->value(name_of(self_), std::uint64_t{0});
  } else if (type == "abort") {
    fail_locked(std::make_exception_ptr(SessionAborted(name, message.value("reason", std::string("no reason given")))));
  } else if (type == "died" && !peer.goodbye) {
    fail_locked(std::make_exception_ptr(TransportError(
        TransportFailure::PeerDied, name,
        fmt::format("the broker reports that {}'s connection ended before it completed its role", name))));
  }
  return false;
}

}  // namespace lim::runtime::mqtt
