#pragma once
// The MQTT transport of one endpoint. libmosquitto's network thread delivers
// messages into a mailbox (one FIFO per sender); the endpoint's thread takes
// them from there, waiting on the injectable clock.
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lim/runtime/gate/protocol.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "lim/runtime/transport/transport.hpp"

struct mosquitto;
struct mosquitto_message;

namespace lim::runtime::mqtt {

class MqttTransport final : public Transport {
 public:
  MqttTransport(std::shared_ptr<const Protocol> protocol, automata::RoleId self, const Config& config,
                std::shared_ptr<Clock> clock);
  ~MqttTransport() override;

  // Connects, subscribes and waits for every role's hello (real time).
  void start(std::chrono::steady_clock::time_point deadline);

  std::string_view name() const override { return "mqtt"; }
  Requirement requirement() const override { return {k_, true}; }
  void send(automata::RoleId to, automata::LabelId label, Payload payload) override;
  std::optional<IncomingMessage> receive(std::span<const automata::RoleId> from, Deadline deadline) override;
  void finish() override;
  void abort(std::string_view reason) noexcept override;

  // libmosquitto's callbacks (on its network thread).
  void on_connect(int code);
  void on_disconnect(int code);
  void on_subscribe(int mid);
  void on_publish(int mid);
  void on_message(const mosquitto_message& message);

 private:
  struct Peer {
    std::deque<IncomingMessage> inbox;
    std::uint32_t next_seq = 0;  // expected from it
    std::string nonce;           // its participant, once it said hello
    bool goodbye = false;
    std::uint64_t announced = 0;  // how many messages it said it sent us
    std::uint64_t received = 0;
  };

  const std::string& name_of(automata::RoleId role) const { return protocol_->role_name(role); }
  std::string data_topic(automata::RoleId to, automata::RoleId from) const;
  void publish(const std::string& topic, const std::vector<std::uint8_t>& bytes, bool track);
  void publish_control(const nlohmann::json& message, bool track);
  nlohmann::json hello() const;
  // Returns whether to answer with our own hello.
  bool handle_control(const nlohmann::json& message);
  // Records the session's end (first failure wins) and wakes the waiter.
  void fail_locked(std::exception_ptr error);
  [[noreturn]] void rethrow_locked() const;
  bool finished_peer_locked(automata::RoleId role) const {
    return peers_[role].goodbye && peers_[role].received >= peers_[role].announced;
  }
  void flush(std::chrono::milliseconds limit);

  std::shared_ptr<const Protocol> protocol_;
  automata::RoleId self_;
  Config config_;
  unsigned k_;
  std::shared_ptr<Clock> clock_;
  std::string nonce_;
  std::string prefix_;  // "<prefix>/<session>/"
  mosquitto* client_ = nullptr;

  // Shared with the clock's wake callback, which may outlive this object.
  struct Signal {
    std::mutex mutex;
    std::condition_variable changed;
  };
  std::shared_ptr<Signal> signal_ = std::make_shared<Signal>();
  std::mutex& mutex_ = signal_->mutex;
  std::condition_variable& changed_ = signal_->changed;
  std::shared_ptr<const WakeCallback> wake_;
  std::vector<Peer> peers_;  // index = role
  bool connected_ = false;
  int subscriptions_pending_ = 0;
  std::size_t publishes_pending_ = 0;
  std::exception_ptr failure_;
  bool aborted_ = false;
  bool finished_ = false;
  std::vector<std::uint32_t> next_seq_out_;  // per receiver
  std::vector<std::uint64_t> sent_;          // per receiver
  std::size_t rotation_ = 0;
};

}  // namespace lim::runtime::mqtt
