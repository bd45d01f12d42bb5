// Round trips and throughput of lim's runtime, per transport, against what a
// program without lim would do with the same transport:
//   in-process  raw bounded queue  vs  monitored endpoint  vs  generated typestate API
//   TCP         raw socket         vs  monitored endpoint  vs  generated typestate API
//   MQTT        raw libmosquitto   vs  monitored endpoint          (broker started here)
// Targets (issue 4): monitored in-process round trip ≤ 1.2 × the raw queue's;
// TCP transport ≥ 90 % of the raw socket's ping-pong rate.
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "baselines.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/support/mosquitto_broker.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"
#include "measure.hpp"
#include "ping_pong/ping.hpp"
#include "ping_pong/pong.hpp"
#include "stream/consumer.hpp"
#include "stream/producer.hpp"

namespace {

using namespace lim;
using runtime::Endpoint;

// ---- the roles, monitored and generated ---------------------------------------------------

double ping_monitored(Endpoint& endpoint, std::size_t round_trips) {
  const bench::Stopwatch stopwatch;
  for (std::size_t i = 0; i < round_trips; ++i) {
    endpoint.send("pong", "ping", static_cast<std::int64_t>(i));
    if (endpoint.receive("pong").payload.get<std::int64_t>() != static_cast<std::int64_t>(i) + 1)
      throw std::logic_error("wrong answer");
  }
  const auto seconds = stopwatch.seconds();
  endpoint.select("pong", "stop");
  return seconds;
}

void pong_monitored(Endpoint& endpoint) {
  while (true) {
    const auto message = endpoint.offer();
    if (message.is("stop")) return;
    endpoint.send("ping", "pong", message.payload.get<std::int64_t>() + 1);
  }
}

double ping_generated(Endpoint& endpoint, std::size_t round_trips) {
  namespace api = lim_generated::ping_pong::ping;
  auto state = api::begin(endpoint);
  const bench::Stopwatch stopwatch;
  for (std::size_t i = 0; i < round_trips; ++i) {
    auto [value, next] = std::move(state).send_ping(api::pong, static_cast<std::int64_t>(i)).receive_pong();
    if (value != static_cast<std::int64_t>(i) + 1) throw std::logic_error("wrong answer");
    state = std::move(next);
  }
  const auto seconds = stopwatch.seconds();
  std::move(state).send_stop(api::pong).close();
  return seconds;
}

void pong_generated(Endpoint& endpoint) {
  namespace api = lim_generated::ping_pong::pong;
  auto state = api::begin(endpoint);
  while (true) {
    auto branch = std::move(state).offer();
    if (auto* ping = std::get_if<api::q0::ping>(&branch)) {
      state = std::move(ping->next).send_pong(api::ping, ping->payload + 1);
    } else {
      std::move(std::get<api::q0::stop>(branch).next).close();
      return;
    }
  }
}

void produce_monitored(Endpoint& endpoint, std::size_t messages) {
  for (std::size_t i = 0; i < messages; ++i) endpoint.send("consumer", "data", static_cast<std::int64_t>(i));
  endpoint.select("consumer", "stop");
}

void consume_monitored(Endpoint& endpoint) {
  std::int64_t expected = 0;
  while (true) {
    const auto message = endpoint.offer();
    if (message.is("stop")) return;
    if (message.payload.get<std::int64_t>() != expected++) throw std::logic_error("out of order");
  }
}

void produce_generated(Endpoint& endpoint, std::size_t messages) {
  namespace api = lim_generated::stream::producer;
  auto state = api::begin(endpoint);
  for (std::size_t i = 0; i < messages; ++i) state = std::move(state).send_data(api::consumer, static_cast<std::int64_t>(i));
  std::move(state).send_stop(api::consumer).close();
}

void consume_generated(Endpoint& endpoint) {
  namespace api = lim_generated::stream::consumer;
  auto state = api::begin(endpoint);
  std::int64_t expected = 0;
  while (true) {
    auto branch = std::move(state).offer();
    if (auto* data = std::get_if<api::q0::data>(&branch)) {
      if (data->payload != expected++) throw std::logic_error("out of order");
      state = std::move(data->next);
    } else {
      std::move(std::get<api::q0::stop>(branch).next).close();
      return;
    }
  }
}

// ---- sessions ---------------------------------------------------------------------------------

// Two connected endpoints and whatever owns them.
struct Pair {
  std::shared_ptr<void> owner;
  Endpoint* first = nullptr;
  Endpoint* second = nullptr;
};
using Connect = std::function<Pair()>;

// Runs `first` (which times itself) and `second` on two threads; returns
// what `first` measured.
double run_pair(const Connect& connect, const std::function<double(Endpoint&)>& first,
                const std::function<void(Endpoint&)>& second) {
  const auto pair = connect();
  std::thread other([&] { second(*pair.second); });
  const auto seconds = first(*pair.first);
  other.join();
  return seconds;
}

// A stream is timed from the first send until the consumer took the last message.
double run_stream(const Connect& connect, const std::function<void(Endpoint&)>& producer,
                  const std::function<void(Endpoint&)>& consumer) {
  const auto pair = connect();
  const bench::Stopwatch stopwatch;
  std::thread other([&] { consumer(*pair.second); });
  producer(*pair.first);
  other.join();
  return stopwatch.seconds();
}

Connect in_process(std::shared_ptr<const runtime::Protocol> protocol, unsigned k, std::string first,
                   std::string second) {
  return [=] {
    auto session = std::make_shared<runtime::InProcessSession>(protocol, runtime::InProcessOptions(k));
    return Pair{session, &session->endpoint(first), &session->endpoint(second)};
  };
}

// `first` is declared before `second` in the spec, so `second` connects to it.
Connect over_tcp(std::shared_ptr<const runtime::Protocol> protocol, unsigned k, std::string first,
                 std::string second) {
  return [=] {
    runtime::tcp::Listener listener;
    runtime::tcp::Config listening, connecting;
    listening.k = connecting.k = k;
    listening.security = connecting.security = runtime::tcp::Security::plaintext();
    listening.listener = &listener;
    connecting.peers[first] = listener.address();
    std::unique_ptr<Endpoint> b;
    std::thread joining([&] { b = runtime::tcp::join(protocol, second, connecting); });
    auto a = runtime::tcp::join(protocol, first, listening);
    joining.join();
    auto owner = std::make_shared<std::pair<std::unique_ptr<Endpoint>, std::unique_ptr<Endpoint>>>(std::move(a),
                                                                                                 std::move(b));
    return Pair{owner, owner->first.get(), owner->second.get()};
  };
}

Connect over_mqtt(std::shared_ptr<const runtime::Protocol> protocol, unsigned k, int port, std::string first,
                  std::string second) {
  return [=] {
    static int sessions = 0;
    runtime::mqtt::Config config;
    config.port = port;
    config.k = k;
    config.session = fmt::format("bench-{}", sessions++);
    config.secret = runtime::SessionSecret::generate();
    std::unique_ptr<Endpoint> b;
    std::thread joining([&] { b = runtime::mqtt::join(protocol, second, config); });
    auto a = runtime::mqtt::join(protocol, first, config);
    joining.join();
    auto owner = std::make_shared<std::pair<std::unique_ptr<Endpoint>, std::unique_ptr<Endpoint>>>(std::move(a),
                                                                                                 std::move(b));
    return Pair{owner, owner->first.get(), owner->second.get()};
  };
}

// ---- baselines -------------------------------------------------------------------------------

double raw_queue_round_trips(std::size_t round_trips) {
  bench::RawQueue to_pong(1), to_ping(1);
  std::thread pong([&] {
    while (true) {
      const auto message = to_pong.pop();
      if (message.label == 1) return;
      to_ping.push({0, message.value + 1});
    }
  });
  const bench::Stopwatch stopwatch;
  for (std::size_t i = 0; i < round_trips; ++i) {
    to_pong.push({0, static_cast<std::int64_t>(i)});
    if (to_ping.pop().value != static_cast<std::int64_t>(i) + 1) throw std::logic_error("wrong answer");
  }
  const auto seconds = stopwatch.seconds();
  to_pong.push({1, 0});
  pong.join();
  return seconds;
}

double raw_queue_stream(std::size_t messages, std::size_t capacity) {
  bench::RawQueue queue(capacity);
  const bench::Stopwatch stopwatch;
  std::thread consumer([&] {
    std::int64_t expected = 0;
    while (true) {
      const auto message = queue.pop();
      if (message.label == 1) return;
      if (message.value != expected++) throw std::logic_error("out of order");
    }
  });
  for (std::size_t i = 0; i < messages; ++i) queue.push({0, static_cast<std::int64_t>(i)});
  queue.push({1, 0});
  consumer.join();
  return stopwatch.seconds();
}

double raw_socket_round_trips(std::size_t round_trips) {
  bench::RawSocketPair sockets;
  std::thread pong([&] {
    while (true) {
      const auto message = bench::RawSocketPair::receive(sockets.right());
      if (message.label == 1) return;
      bench::RawSocketPair::send(sockets.right(), {0, message.value + 1});
    }
  });
  const bench::Stopwatch stopwatch;
  for (std::size_t i = 0; i < round_trips; ++i) {
    bench::RawSocketPair::send(sockets.left(), {0, static_cast<std::int64_t>(i)});
    if (bench::RawSocketPair::receive(sockets.left()).value != static_cast<std::int64_t>(i) + 1)
      throw std::logic_error("wrong answer");
  }
  const auto seconds = stopwatch.seconds();
  bench::RawSocketPair::send(sockets.left(), {1, 0});
  pong.join();
  return seconds;
}

double raw_socket_stream(std::size_t messages) {
  bench::RawSocketPair sockets;
  const bench::Stopwatch stopwatch;
  std::thread consumer([&] {
    while (bench::RawSocketPair::receive(sockets.right()).label != 1) {
    }
  });
  for (std::size_t i = 0; i < messages; ++i) bench::RawSocketPair::send(sockets.left(), {0, static_cast<std::int64_t>(i)});
  bench::RawSocketPair::send(sockets.left(), {1, 0});
  consumer.join();
  return stopwatch.seconds();
}

double raw_mqtt_round_trips(int port, std::size_t round_trips) {
  static int runs = 0;
  const auto a = fmt::format("raw-bench/{}/a", runs), b = fmt::format("raw-bench/{}/b", runs++);
  bench::RawMqttClient ping(port, a, b), pong_client(port, b, a);
  std::thread pong([&] {
    while (true) {
      const auto message = pong_client.receive();
      if (message.label == 1) return;
      pong_client.send({0, message.value + 1});
    }
  });
  const bench::Stopwatch stopwatch;
  for (std::size_t i = 0; i < round_trips; ++i) {
    ping.send({0, static_cast<std::int64_t>(i)});
    if (ping.receive().value != static_cast<std::int64_t>(i) + 1) throw std::logic_error("wrong answer");
  }
  const auto seconds = stopwatch.seconds();
  ping.send({1, 0});
  pong.join();
  return seconds;
}

double raw_mqtt_stream(int port, std::size_t messages) {
  static int runs = 0;
  const auto a = fmt::format("raw-stream/{}/a", runs), b = fmt::format("raw-stream/{}/b", runs++);
  bench::RawMqttClient producer(port, a, b), consumer_client(port, b, a);
  const bench::Stopwatch stopwatch;
  std::thread consumer([&] {
    while (consumer_client.receive().label != 1) {
    }
  });
  for (std::size_t i = 0; i < messages; ++i) producer.send({0, static_cast<std::int64_t>(i)});
  producer.send({1, 0});
  consumer.join();
  return stopwatch.seconds();
}

// ---- report ----------------------------------------------------------------------------------

void print(const std::vector<bench::Figure>& figures) {
  const auto& baseline = figures.front();
  for (const auto& figure : figures)
    std::cout << fmt::format("{:<11} {:<11} {:<10} {:>8} {:>10.2f} {:>12.0f} {:>9.2f}×\n", figure.transport,
                             figure.workload, figure.variant, figure.operations, figure.microseconds_per_operation(),
                             figure.operations_per_second(),
                             figure.median_seconds / baseline.median_seconds);
  std::cout << std::flush;
}

std::string verdict(bool met) { return met ? "met" : "NOT met"; }

}  // namespace

int main(int argc, char** argv) {
  std::string transports = "all";
  std::size_t round_trips = 20000, messages = 100000, mqtt_round_trips = 2000, mqtt_messages = 20000;
  int repetitions = 7;
  CLI::App app{"lim runtime benchmark: round trips and throughput per transport"};
  app.add_option("--transport", transports, "all, inproc, tcp or mqtt")
      ->check(CLI::IsMember({"all", "inproc", "tcp", "mqtt"}));
  app.add_option("--round-trips", round_trips, "round trips per run (in-process, TCP)");
  app.add_option("--messages", messages, "messages per stream run (in-process, TCP)");
  app.add_option("--mqtt-round-trips", mqtt_round_trips, "round trips per run over MQTT");
  app.add_option("--mqtt-messages", mqtt_messages, "messages per stream run over MQTT");
  app.add_option("--repetitions", repetitions, "runs per variant (the median is reported)");
  CLI11_PARSE(app, argc, argv);

  try {
    const runtime::VerificationGate gate;
    const auto ping_pong = gate.verify_file(LIM_BENCH_DIR "/ping-pong.lim");
    const auto stream = gate.verify_file(LIM_BENCH_DIR "/stream.lim");
    constexpr unsigned kStreamBound = 64;  // queue capacity for the in-process stream
    std::cout << fmt::format("median of {} runs; ratios against the first line of each block\n", repetitions);
    std::cout << fmt::format("{:<11} {:<11} {:<10} {:>8} {:>10} {:>12} {:>10}\n", "transport", "workload", "variant",
                             "ops", "µs/op", "ops/s", "vs raw");
    std::optional<double> inproc_ratio, inproc_generated_ratio, tcp_ratio, tcp_generated_ratio;
    if (transports == "all" || transports == "inproc") {
      const auto rt = bench::measure(
          "in-process", "round trip", round_trips, repetitions,
          {{"raw queue", [&] { return raw_queue_round_trips(round_trips); }},
           {"monitored",
            [&] {
              return run_pair(in_process(ping_pong, 1, "ping", "pong"),
                              [&](Endpoint& e) { return ping_monitored(e, round_trips); }, pong_monitored);
            }},
           {"generated", [&] {
              return run_pair(in_process(ping_pong, 1, "ping", "pong"),
                              [&](Endpoint& e) { return ping_generated(e, round_trips); }, pong_generated);
            }}});
      print(rt);
      inproc_ratio = rt[1].median_seconds / rt[0].median_seconds;
      inproc_generated_ratio = rt[2].median_seconds / rt[0].median_seconds;
      print(bench::measure(
          "in-process", "stream k=64", messages, repetitions,
          {{"raw queue", [&] { return raw_queue_stream(messages, kStreamBound); }},
           {"monitored",
            [&] {
              return run_stream(in_process(stream, kStreamBound, "producer", "consumer"),
                                [&](Endpoint& e) { produce_monitored(e, messages); }, consume_monitored);
            }},
           {"generated", [&] {
              return run_stream(in_process(stream, kStreamBound, "producer", "consumer"),
                                [&](Endpoint& e) { produce_generated(e, messages); }, consume_generated);
            }}}));
    }
    if (transports == "all" || transports == "tcp") {
      const auto rt = bench::measure(
          "tcp", "round trip", round_trips, repetitions,
          {{"raw socket", [&] { return raw_socket_round_trips(round_trips); }},
           {"monitored",
            [&] {
              return run_pair(over_tcp(ping_pong, 1, "ping", "pong"),
                              [&](Endpoint& e) { return ping_monitored(e, round_trips); }, pong_monitored);
            }},
           {"generated", [&] {
              return run_pair(over_tcp(ping_pong, 1, "ping", "pong"),
                              [&](Endpoint& e) { return ping_generated(e, round_trips); }, pong_generated);
            }}});
      print(rt);
      tcp_ratio = rt[0].median_seconds / rt[1].median_seconds;
      tcp_generated_ratio = rt[0].median_seconds / rt[2].median_seconds;
      print(bench::measure(
          "tcp", "stream", messages, repetitions,
          {{"raw socket", [&] { return raw_socket_stream(messages); }},
           {"monitored",
            [&] {
              return run_stream(over_tcp(stream, 1, "producer", "consumer"),
                                [&](Endpoint& e) { produce_monitored(e, messages); }, consume_monitored);
            }},
           {"generated", [&] {
              return run_stream(over_tcp(stream, 1, "producer", "consumer"),
                                [&](Endpoint& e) { produce_generated(e, messages); }, consume_generated);
            }}}));
    }
    if (transports == "all" || transports == "mqtt") {
      runtime::support::MosquittoBroker broker;
      const int port = broker.port();
      print(bench::measure(
          "mqtt", "round trip", mqtt_round_trips, repetitions,
          {{"raw client", [&] { return raw_mqtt_round_trips(port, mqtt_round_trips); }},
           {"monitored", [&] {
              return run_pair(over_mqtt(ping_pong, 1, port, "ping", "pong"),
                              [&](Endpoint& e) { return ping_monitored(e, mqtt_round_trips); }, pong_monitored);
            }}}));
      print(bench::measure(
          "mqtt", "stream", mqtt_messages, repetitions,
          {{"raw client", [&] { return raw_mqtt_stream(port, mqtt_messages); }},
           {"monitored", [&] {
              return run_stream(over_mqtt(stream, 1, port, "producer", "consumer"),
                                [&](Endpoint& e) { produce_monitored(e, mqtt_messages); }, consume_monitored);
            }}}));
    }
    if (inproc_ratio)
      std::cout << fmt::format(
          "target: monitored in-process round trip ≤ 1.2 × raw queue: {:.2f}× ({}); generated {:.2f}×\n",
          *inproc_ratio, verdict(*inproc_ratio <= 1.2), *inproc_generated_ratio);
    if (tcp_ratio)
      std::cout << fmt::format("target: TCP transport ≥ 90 % of the raw socket's ping-pong rate: {:.0f} % ({}); "
                               "generated {:.0f} %\n",
                               100 * *tcp_ratio, verdict(*tcp_ratio >= 0.9), 100 * *tcp_generated_ratio);
  } catch (const std::exception& error) {
    std::cerr << "runtime-bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
