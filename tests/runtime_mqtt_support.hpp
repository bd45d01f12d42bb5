#pragma once
// What the MQTT transport's tests share: the sessions' secret and
// configuration, a raw participant that speaks lim's messages by hand (with
// the library's own codec, so with or without the secret), and a sniffer
// subscribed to everything.
#include <mosquitto.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/support/mosquitto_broker.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "lim/runtime/transport/mqtt/wire.hpp"
#include "lim/runtime/transport/session_secret.hpp"

namespace lim::runtime::testing_mqtt {

using namespace std::chrono_literals;

inline const SessionSecret& test_secret() {
  static const SessionSecret secret =
      SessionSecret::from_hex("6d717474207465737420736563726574202d206e6f7420666f72207573652121");
  return secret;
}

inline mqtt::Config config_for(const support::MosquittoBroker& broker, const std::string& session = "test") {
  mqtt::Config config;
  config.port = broker.port();
  config.session = session;
  config.secret = test_secret();
  config.connect_timeout = 60s;
  return config;
}

inline mqtt::Config plaintext_config_for(const support::MosquittoBroker& broker) {
  auto config = config_for(broker);
  config.secret.reset();
  config.plaintext = true;
  return config;
}

// A plain libmosquitto client.
class RawClient {
 public:
  explicit RawClient(const support::MosquittoBroker& broker) {
    mosquitto_lib_init();
    client_ = mosquitto_new(nullptr, true, this);
    mosquitto_message_callback_set(client_, [](mosquitto*, void* self, const mosquitto_message* message) {
      static_cast<RawClient*>(self)->on_message(
          message->topic, std::vector<std::uint8_t>(static_cast<const std::uint8_t*>(message->payload),
                                                    static_cast<const std::uint8_t*>(message->payload) +
                                                        message->payloadlen));
    });
    mosquitto_subscribe_callback_set(client_, [](mosquitto*, void* self, int, int, const int*) {
      auto& client = *static_cast<RawClient*>(self);
      const std::lock_guard lock(client.subscribed_mutex_);
      ++client.subscribed_;
      client.subscribed_changed_.notify_all();
    });
    if (mosquitto_connect(client_, "127.0.0.1", broker.port(), 10) != MOSQ_ERR_SUCCESS)
      throw std::runtime_error("raw client cannot connect");
    mosquitto_loop_start(client_);
  }
  virtual ~RawClient() {
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
    mosquitto_destroy(client_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;
  // Returns once the broker confirmed the subscription: everything
  // published from then on reaches this client (a fixed pause would not
  // be enough on a loaded machine).
  void subscribe(const std::string& topic) {
    std::unique_lock lock(subscribed_mutex_);
    const int confirmed = subscribed_ + 1;
    lock.unlock();
    if (mosquitto_subscribe(client_, nullptr, topic.c_str(), 1) != MOSQ_ERR_SUCCESS)
      throw std::runtime_error("raw client cannot subscribe to " + topic);
    lock.lock();
    if (!subscribed_changed_.wait_for(lock, 30s, [&] { return subscribed_ >= confirmed; }))
      throw std::runtime_error("the broker did not confirm the subscription to " + topic + " within 30 s");
  }
  void publish_raw(const std::string& topic, const std::vector<std::uint8_t>& bytes) {
    mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(bytes.size()), bytes.data(), 1, false);
  }

 protected:
  virtual void on_message(const std::string& topic, std::vector<std::uint8_t> bytes) = 0;
  mosquitto* client_ = nullptr;

 private:
  std::mutex subscribed_mutex_;
  std::condition_variable subscribed_changed_;
  int subscribed_ = 0;
};

// Records everything published on the broker.
class Sniffer final : public RawClient {
 public:
  explicit Sniffer(const support::MosquittoBroker& broker) : RawClient(broker) { subscribe("#"); }
  ~Sniffer() override {
    // Stop the network thread before the members it writes go.
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
  }
  using Heard = std::vector<std::pair<std::string, std::vector<std::uint8_t>>>;
  Heard heard() {
    const std::lock_guard lock(mutex_);
    return heard_;
  }
  // What it heard once it has heard something on a topic ending in each of
  // `endings` (the broker may deliver to it after the session's own
  // subscribers); nullopt if that takes more than 30 s.
  std::optional<Heard> heard_on(const std::vector<std::string>& endings) {
    std::unique_lock lock(mutex_);
    const bool all = changed_.wait_for(lock, 30s, [&] {
      return std::all_of(endings.begin(), endings.end(), [&](const std::string& ending) {
        return std::any_of(heard_.begin(), heard_.end(), [&](const auto& entry) { return entry.first.ends_with(ending); });
      });
    });
    if (!all) return std::nullopt;
    return heard_;
  }

 private:
  void on_message(const std::string& topic, std::vector<std::uint8_t> bytes) override {
    const std::lock_guard lock(mutex_);
    heard_.emplace_back(topic, std::move(bytes));
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  Heard heard_;
};

// Plays one role by hand: joins like a participant (hello, ready), then
// sends whatever the test says — sealed with `secret`, or in clear.
class RawParticipant final : public RawClient {
 public:
  RawParticipant(const support::MosquittoBroker& broker, const Protocol& protocol, const std::string& role,
                 std::optional<SessionSecret> secret, const std::string& fingerprint = "",
                 const std::string& session = "test")
      : RawClient(broker),
        protocol_(protocol),
        role_(protocol.role(role)),
        codec_(std::move(secret), session),
        participant_(mqtt::random_participant()),
        key_(codec_.key(role, participant_)),
        fingerprint_(fingerprint.empty() ? protocol.fingerprint() : fingerprint),
        prefix_("lim/" + codec_.session_level() + "/") {
    participants_[role_] = participant_;
    subscribe(prefix_ + "c");
    subscribe(prefix_ + "m/" + std::to_string(role_) + "/+");
    say(mqtt::Kind::Hello, hello());
  }
  ~RawParticipant() override {
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
  }
  void send_data(automata::RoleId to, std::uint64_t seq, automata::LabelId label, const Payload& payload) {
    std::vector<std::uint8_t> body(8, 0);  // credit: nothing taken
    for (const int shift : {24, 16, 8, 0}) body.push_back(static_cast<std::uint8_t>(label >> shift));
    Payload::to_cbor(payload, body);
    const auto topic = prefix_ + "m/" + std::to_string(to) + "/" + std::to_string(role_);
    publish_raw(topic, seal(mqtt::Kind::Data, static_cast<std::uint16_t>(to), seq, body, topic));
  }
  // A control message to everybody: an abort, a second hello, …
  void send_control(mqtt::Kind kind, const nlohmann::json& body) { say(kind, body); }
  const std::string& prefix() const { return prefix_; }

 private:
  nlohmann::json hello() const {
    return {{"fingerprint", fingerprint_}, {"channels", "unbounded"}, {"k", 1}, {"window", {256, 1 << 23}}};
  }
  std::vector<std::uint8_t> seal(mqtt::Kind kind, std::uint16_t to, std::uint64_t seq,
                                 const std::vector<std::uint8_t>& body, const std::string& topic) {
    const std::lock_guard lock(mutex_);
    mqtt::Header header;
    header.kind = kind;
    header.from = static_cast<std::uint16_t>(role_);
    header.to = to;
    header.participant = participant_;
    header.counter = ++counter_;
    header.seq = seq;
    return codec_.seal(header, body, topic, &key_);
  }
  void say(mqtt::Kind kind, const nlohmann::json& body) {
    const std::lock_guard order(say_mutex_);
    publish_raw(prefix_ + "c", seal(kind, mqtt::kEverybody, ++control_seq_, Payload::to_cbor(body), prefix_ + "c"));
  }
  void on_message(const std::string& topic, std::vector<std::uint8_t> bytes) override {
    if (topic != prefix_ + "c") return;
    const std::lock_guard lock(participants_mutex_);
    const auto header = mqtt::Codec::peek(bytes);
    if (!header || header->kind != mqtt::Kind::Hello || header->from == role_) return;
    if (participants_.contains(header->from)) return;
    participants_[header->from] = header->participant;
    say(mqtt::Kind::Hello, hello());
    if (participants_.size() == protocol_.role_count()) {
      auto roster = nlohmann::json::array();
      for (const auto& [role, participant] : participants_) roster.push_back(mqtt::to_hex(participant));
      say(mqtt::Kind::Ready, {{"roster", roster}});
    }
  }

  const Protocol& protocol_;
  automata::RoleId role_;
  mqtt::Codec codec_;
  mqtt::ParticipantId participant_;
  SessionSecret::Key key_;
  std::string fingerprint_;
  std::string prefix_;
  std::map<automata::RoleId, mqtt::ParticipantId> participants_;
  std::uint64_t counter_ = 0;
  std::uint64_t control_seq_ = 0;
  std::mutex mutex_, say_mutex_, participants_mutex_;
};

}  // namespace lim::runtime::testing_mqtt
