#pragma once
// The MQTT transport of one endpoint. libmosquitto's network thread opens
// every message (wire.hpp) and delivers it into a mailbox (one FIFO per
// sender); the endpoint's thread takes messages from there, waiting on the
// injectable clock; a keepalive thread sends beats and watches that every
// peer, and the broker, still answer.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../flow_control.hpp"
#include "../ticker.hpp"
#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "lim/runtime/transport/mqtt/wire.hpp"
#include "lim/runtime/transport/transport.hpp"

struct mosquitto;
struct mosquitto_message;

namespace lim::runtime::mqtt {

class MqttTransport final : public Transport {
 public:
  MqttTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, const Config& config,
                std::shared_ptr<Clock> clock);
  ~MqttTransport() override;

  // Connects, subscribes and waits until every role said hello and all agree
  // who plays which role (real time).
  void start(std::chrono::steady_clock::time_point deadline);

  std::string_view name() const override { return "mqtt"; }
  Requirement requirement() const override { return requirement_of(config_.channels, config_.k); }
  void send(automata::RoleId to, automata::LabelId label, Payload payload) override;
  std::optional<IncomingMessage> receive(std::span<const automata::RoleId> from, Deadline deadline) override;
  void finish() override;
  void abort(std::string_view reason) noexcept override;
  void report_failure(const TransportError& failure) noexcept override;

  // libmosquitto's callbacks (on its network thread).
  void on_connect(int code, int flags);
  void on_disconnect(int code);
  void on_subscribe(int mid);
  void on_publish(int mid);
  void on_message(const mosquitto_message& message);

 private:
  using RealTime = std::chrono::steady_clock::time_point;

  struct Peer {
    std::optional<ParticipantId> participant;  // once it said hello
    SessionSecret::Key key{};                  // its messages' key
    std::uint32_t epoch = 0;                   // its latest connection to the broker
    std::vector<std::uint32_t> deaths;         // epochs whose last will came
    std::optional<std::vector<std::string>> roster;  // its Ready
    std::uint64_t control_seq = 0;  // the last control message taken from it
    std::uint64_t beat_seq = 0;
    RealTime last_heard;
    // The channel from it to this endpoint.
    std::uint64_t next_seq = 0;
    std::deque<IncomingMessage> inbox;
    detail::ReceiveCredit receive_credit;
    bool goodbye = false;
    // The channel from this endpoint to it.
    detail::SendCredit send_credit;
    std::uint64_t next_seq_out = 0;
  };
  // A last will heard: a death once the broker acknowledges a probe sent
  // after it (a broker that shuts down publishes every will, then drops
  // every connection, and acknowledges nothing more), or — for a will
  // delivered after the broker came back — unless the peer shows up again
  // by `due`.
  struct PendingDeath {
    automata::RoleId role;
    std::uint32_t epoch;
    std::optional<RealTime> due;
    int probe = -1;  // the probe's message id
    bool confirmed = false;
  };
  struct Outgoing {  // a message to publish once the lock is released
    std::string topic;
    std::vector<std::uint8_t> bytes;
    int qos = 1;
  };

  const std::string& name_of(automata::RoleId role) const { return protocol_->role_name(role); }
  std::string data_topic(automata::RoleId to, automata::RoleId from) const;
  std::string control_topic() const { return prefix_ + "c"; }
  // Seals a message of this participant (the next counter is taken here).
  std::vector<std::uint8_t> seal(Kind kind, std::uint16_t to, std::uint64_t seq, std::span<const std::uint8_t> body,
                                 const std::string& topic);
  void publish(const Outgoing& message, bool track);
  void publish_control(Kind kind, const nlohmann::json& body, int qos = 1);
  Outgoing credit_message(automata::RoleId to, std::uint64_t consumed);
  nlohmann::json hello_body() const;
  nlohmann::json roster_locked() const;
  // Handles a control message; adds what to answer to `answers`.
  void handle_control(automata::RoleId from, const Message& message, std::vector<Kind>& answers);
  void handle_channel(automata::RoleId from, const Message& message);
  // Records the session's end (first failure wins) and wakes the waiter.
  void fail_locked(std::exception_ptr error);
  [[noreturn]] void rethrow_locked() const;
  // Deaths whose grace passed, silent peers, a broker gone for too long.
  void check_locked(RealTime now);
  // The real time a waiter sleeps at most before check_locked again.
  std::chrono::milliseconds check_interval_locked() const;
  std::vector<Outgoing> take_credits_locked();
  void beat() noexcept;
  // Sends the probes of newly heard wills.
  void probe_deaths();
  void flush(std::chrono::milliseconds limit);

  std::shared_ptr<const Protocol> protocol_;
  automata::RoleId self_;
  Config config_;
  std::shared_ptr<Clock> clock_;
  Codec codec_;
  ParticipantId participant_;
  SessionSecret::Key key_{};
  std::string prefix_;  // "<prefix>/<session level>/"
  mosquitto* client_ = nullptr;
  std::vector<std::vector<bool>> expected_;  // [from][label]: some state of this role receives it

  // Shared with the clock's wake callback, which may outlive this object.
  struct Signal {
    std::mutex mutex;
    std::condition_variable changed;
  };
  std::shared_ptr<Signal> signal_ = std::make_shared<Signal>();
  std::mutex& mutex_ = signal_->mutex;
  std::condition_variable& changed_ = signal_->changed;
  std::shared_ptr<const WakeCallback> wake_;
  std::mutex publish_mutex_;  // keeps control messages in the order of their numbers

  // Under mutex_.
  std::vector<Peer> peers_;  // index = role
  std::deque<IncomingMessage> stray_;
  std::uint32_t epoch_ = 0;
  std::uint64_t counter_ = 1;  // 0 is the last will's
  std::uint64_t control_seq_ = 0;
  std::uint64_t beat_seq_ = 0;
  bool connected_ = false;
  bool accepted_ = false;  // the broker accepted a connection (CONNACK 0) at least once
  bool started_ = false;  // every role agreed on the roster
  bool ready_sent_ = false;
  std::optional<RealTime> disconnected_since_;
  std::optional<RealTime> resumed_at_;
  std::vector<PendingDeath> pending_deaths_;
  std::vector<ParticipantId> refused_;  // latecomers to tell the session is in use
  int subscriptions_pending_ = 0;
  std::size_t publishes_pending_ = 0;
  std::size_t rejected_ = 0;  // messages that did not authenticate
  std::exception_ptr failure_;
  bool aborted_ = false;
  bool finished_ = false;
  std::size_t rotation_ = 0;
  std::unique_ptr<detail::Ticker> ticker_;  // last: stopped first
};

}  // namespace lim::runtime::mqtt
