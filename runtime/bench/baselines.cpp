#include "baselines.hpp"

#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace lim::bench {

void RawQueue::push(RawMessage message) {
  std::unique_lock lock(mutex_);
  not_full_.wait(lock, [&] { return items_.size() < capacity_; });
  items_.push_back(message);
  lock.unlock();
  not_empty_.notify_one();
}

RawMessage RawQueue::pop() {
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [&] { return !items_.empty(); });
  const auto message = items_.front();
  items_.pop_front();
  lock.unlock();
  not_full_.notify_one();
  return message;
}

RawSocketPair::RawSocketPair() {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("raw socket listener");
  left_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(left_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("raw socket connect");
  right_ = ::accept(listener, nullptr, nullptr);
  ::close(listener);
  const int one = 1;
  for (const int fd : {left_, right_}) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawSocketPair::~RawSocketPair() {
  ::close(left_);
  ::close(right_);
}

void RawSocketPair::send(int fd, const RawMessage& message) {
  unsigned char bytes[16] = {};
  std::memcpy(bytes, &message.label, 4);
  std::memcpy(bytes + 8, &message.value, 8);
  std::size_t done = 0;
  while (done < sizeof bytes) {
    const auto sent = ::send(fd, bytes + done, sizeof bytes - done, MSG_NOSIGNAL);
    if (sent <= 0) throw std::runtime_error("raw socket send");
    done += static_cast<std::size_t>(sent);
  }
}

RawMessage RawSocketPair::receive(int fd) {
  unsigned char bytes[16];
  std::size_t done = 0;
  while (done < sizeof bytes) {
    const auto got = ::recv(fd, bytes + done, sizeof bytes - done, 0);
    if (got <= 0) throw std::runtime_error("raw socket receive");
    done += static_cast<std::size_t>(got);
  }
  RawMessage message;
  std::memcpy(&message.label, bytes, 4);
  std::memcpy(&message.value, bytes + 8, 8);
  return message;
}

RawMqttClient::RawMqttClient(int port, const std::string& publish_topic, const std::string& subscribe_topic)
    : publish_topic_(publish_topic) {
  mosquitto_lib_init();
  client_ = mosquitto_new(nullptr, true, this);
  mosquitto_int_option(client_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_message_callback_set(client_, [](mosquitto*, void* self, const mosquitto_message* message) {
    static_cast<RawMqttClient*>(self)->on_message(message->payload, message->payloadlen);
  });
  mosquitto_subscribe_callback_set(client_, [](mosquitto*, void* self, int, int, const int*) {
    static_cast<RawMqttClient*>(self)->on_subscribed();
  });
  if (mosquitto_connect(client_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("raw MQTT client cannot connect");
  mosquitto_loop_start(client_);
  mosquitto_subscribe(client_, nullptr, subscribe_topic.c_str(), 1);
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return subscribed_; });
}

RawMqttClient::~RawMqttClient() {
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
  mosquitto_destroy(client_);
}

void RawMqttClient::send(const RawMessage& message) {
  unsigned char bytes[16] = {};
  std::memcpy(bytes, &message.label, 4);
  std::memcpy(bytes + 8, &message.value, 8);
  mosquitto_publish(client_, nullptr, publish_topic_.c_str(), sizeof bytes, bytes, 1, false);
}

RawMessage RawMqttClient::receive() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !inbox_.empty(); });
  const auto message = inbox_.front();
  inbox_.pop_front();
  return message;
}

void RawMqttClient::on_message(const void* payload, int length) {
  if (length != 16) return;
  RawMessage message;
  std::memcpy(&message.label, payload, 4);
  std::memcpy(&message.value, static_cast<const unsigned char*>(payload) + 8, 8);
  {
    const std::lock_guard lock(mutex_);
    inbox_.push_back(message);
  }
  changed_.notify_one();
}

void RawMqttClient::on_subscribed() {
  {
    const std::lock_guard lock(mutex_);
    subscribed_ = true;
  }
  changed_.notify_one();
}

}  // namespace lim::bench
