#pragma once
// The baselines the runtime is measured against: what a program would do
// without lim — a bounded queue between threads, a TCP socket, an MQTT
// client — moving the same small messages (a label and an integer).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

struct mosquitto;

namespace lim::bench {

struct RawMessage {
  std::uint32_t label = 0;
  std::int64_t value = 0;
};

// A bounded blocking FIFO, mutex and condition variables: the in-process baseline.
class RawQueue {
 public:
  explicit RawQueue(std::size_t capacity) : capacity_(capacity) {}
  void push(RawMessage message);
  RawMessage pop();

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<RawMessage> items_;
};

// A connected pair of blocking TCP sockets on loopback (TCP_NODELAY), each
// message a fixed 16 bytes: the TCP baseline.
class RawSocketPair {
 public:
  RawSocketPair();
  ~RawSocketPair();
  RawSocketPair(const RawSocketPair&) = delete;
  RawSocketPair& operator=(const RawSocketPair&) = delete;
  static void send(int fd, const RawMessage& message);
  static RawMessage receive(int fd);
  int left() const { return left_; }
  int right() const { return right_; }

 private:
  int left_ = -1;
  int right_ = -1;
};

// One MQTT client that publishes to one topic and receives on another,
// QoS 1: the MQTT baseline.
class RawMqttClient {
 public:
  RawMqttClient(int port, const std::string& publish_topic, const std::string& subscribe_topic);
  ~RawMqttClient();
  RawMqttClient(const RawMqttClient&) = delete;
  RawMqttClient& operator=(const RawMqttClient&) = delete;
  void send(const RawMessage& message);
  RawMessage receive();
  void on_message(const void* payload, int length);
  void on_subscribed();

 private:
  mosquitto* client_ = nullptr;
  std::string publish_topic_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<RawMessage> inbox_;
  bool subscribed_ = false;
};

}  // namespace lim::bench
