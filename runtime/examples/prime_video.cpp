// The Amazon Prime Video protocol (specs/amazon-prime-video.lim) with one
// process per role, over TCP or through an MQTT broker.
//
//   prime-video --transport tcp                     launches the three roles
//   prime-video --transport mqtt --spawn-broker     the same, with a broker of its own
//   prime-video --transport mqtt --broker host:port
//   prime-video --role client --transport tcp --session s --secret-file f --listen 127.0.0.1:0      one role
//   prime-video --role server --transport tcp --session s --secret-file f --peer client=host:port …
//
// Every run is a session of its own: the launcher makes a fresh session
// secret and hands it to the roles it starts in their environment
// (LIM_SESSION_SECRET); a role started by hand reads it from --secret-file
// (or that variable), and needs the session's name.
//
// A role that listens prints `listening on host:port` first, so that whoever
// starts the next role knows where to send it.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/support/child_process.hpp"
#include "lim/runtime/support/mosquitto_broker.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "lim/runtime/transport/session_secret.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"
#include "prime_video_roles.hpp"

namespace {

using namespace lim;
using namespace std::chrono_literals;

struct Options {
  std::string spec = LIM_SPECS_DIR "/amazon-prime-video.lim";
  std::string transport = "tcp";
  std::string role;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> peers;  // role=host:port
  std::string broker;              // host:port
  bool spawn_broker = false;
  std::string session;
  std::string secret_file;
  std::int64_t id = 42;
  std::vector<std::string> titles{"Metropolis", "Nosferatu", "Sunrise"};
  unsigned k = 1;
};

std::mutex output_mutex;
void print(const std::string& line) {
  const std::lock_guard lock(output_mutex);
  std::cout << line << std::endl;  // flushed: a launcher reads it line by line
}

runtime::SessionSecret session_secret(const Options& options) {
  if (!options.secret_file.empty()) return runtime::SessionSecret::read_file(options.secret_file);
  if (auto secret = runtime::SessionSecret::from_environment()) return *secret;
  throw std::invalid_argument("a role needs the session's secret: --secret-file, or $LIM_SESSION_SECRET");
}

int run_role(const Options& options) {
  const auto protocol = runtime::verify_file(options.spec);
  const auto self = protocol->role(options.role);
  if (options.session.empty())
    throw std::invalid_argument("--role needs --session: two runs that share a session name would meet");
  const auto secret = session_secret(options);
  std::unique_ptr<runtime::Endpoint> endpoint;
  if (options.transport == "tcp") {
    runtime::tcp::Config config;
    config.session = options.session;
    config.security = runtime::tcp::Security::psk(secret);
    config.k = options.k;
    for (const auto& peer : options.peers) {
      const auto equals = peer.find('=');
      if (equals == std::string::npos) throw std::invalid_argument("--peer takes role=host:port, not " + peer);
      config.peers[peer.substr(0, equals)] = runtime::tcp::Address::parse(peer.substr(equals + 1));
    }
    std::optional<runtime::tcp::Listener> listener;
    if (self + 1u < protocol->role_count()) {
      listener.emplace(runtime::tcp::Address::parse(options.listen));
      config.listener = &*listener;
      print("listening on " + listener->address().to_string());
    }
    endpoint = runtime::tcp::join(protocol, options.role, config);
  } else {
    runtime::mqtt::Config config;
    const auto broker = runtime::tcp::Address::parse(options.broker.empty() ? "127.0.0.1:1883" : options.broker);
    config.host = broker.host;
    config.port = broker.port;
    config.session = options.session;
    config.secret = secret;
    config.k = options.k;
    endpoint = runtime::mqtt::join(protocol, options.role, config);
  }
  const auto say = [&](const std::string& text) { print(options.role + ": " + text); };
  if (options.role == "client") examples::client(*endpoint, options.id, options.titles, say);
  else if (options.role == "authenticator") examples::authenticator(*endpoint, say);
  else examples::server(*endpoint, say);
  const auto metadata = endpoint->metadata();
  say(fmt::format("{} after {} operations over {}", metadata.complete ? "complete" : "INCOMPLETE",
                  metadata.operations, metadata.transport));
  return metadata.complete ? EXIT_SUCCESS : EXIT_FAILURE;
}

std::vector<std::string> role_command(const Options& options, const std::string& role) {
  std::vector<std::string> command{runtime::support::own_executable(), "--role", role, "--transport", options.transport,
                                   "--spec", options.spec, "--id", std::to_string(options.id), "--k",
                                   std::to_string(options.k)};
  for (const auto& title : options.titles) {
    command.push_back("--title");
    command.push_back(title);
  }
  if (!options.session.empty()) command.insert(command.end(), {"--session", options.session});
  return command;
}

// Starts one process per role and relays what they print.
int launch(Options options) {
  const auto protocol = runtime::verify_file(options.spec);  // fails here, once, if the spec is not verified
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  std::optional<runtime::support::MosquittoBroker> broker;
  if (options.transport == "mqtt" && options.spawn_broker) {
    broker.emplace();
    options.broker = fmt::format("127.0.0.1:{}", broker->port());
    print(fmt::format("launcher: mosquitto (pid {}) listens on {}", broker->pid(), options.broker));
  }
  if (options.session.empty()) options.session = fmt::format("prime-video-{}", ::getpid());
  // This run's secret, for the roles it starts (they inherit the environment).
  ::setenv("LIM_SESSION_SECRET", runtime::SessionSecret::generate().hex().c_str(), 1);
  std::vector<runtime::support::ChildProcess> children;
  std::map<std::string, std::string> listening;  // role → host:port
  for (automata::RoleId role = 0; role < protocol->role_count(); ++role) {
    const auto& name = protocol->role_name(role);
    auto command = role_command(options, name);
    if (options.transport == "tcp") {
      for (const auto& [peer, address] : listening) command.insert(command.end(), {"--peer", peer + "=" + address});
    } else {
      command.insert(command.end(), {"--broker", options.broker});
    }
    children.emplace_back(command);
    if (options.transport == "tcp" && role + 1u < protocol->role_count()) {
      const auto line = children.back().read_line(deadline);
      if (!line || !line->starts_with("listening on ")) {
        std::cerr << "launcher: " << name << " did not say where it listens\n";
        return EXIT_FAILURE;
      }
      listening[name] = line->substr(std::string("listening on ").size());
      print(fmt::format("launcher: {} (pid {}) listens on {}", name, children.back().pid(), listening[name]));
    } else {
      print(fmt::format("launcher: started {} (pid {})", name, children.back().pid()));
    }
  }
  std::vector<std::thread> relays;
  for (auto& child : children)
    relays.emplace_back([&child, deadline] {
      while (const auto line = child.read_line(deadline)) print(*line);
    });
  int status = EXIT_SUCCESS;
  for (std::size_t i = 0; i < children.size(); ++i) {
    const auto code = children[i].wait(deadline);
    if (!code) {
      std::cerr << "launcher: " << protocol->role_name(static_cast<automata::RoleId>(i)) << " did not finish in time\n";
      for (auto& child : children) child.kill();
      status = EXIT_FAILURE;
    } else if (*code != 0) {
      std::cerr << "launcher: " << protocol->role_name(static_cast<automata::RoleId>(i)) << " exited with " << *code
                << "\n";
      status = EXIT_FAILURE;
    }
  }
  for (auto& relay : relays) relay.join();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"Amazon Prime Video (COORDINATION 2020), one process per role"};
  app.add_option("--transport", options.transport, "tcp or mqtt")->check(CLI::IsMember({"tcp", "mqtt"}));
  app.add_option("--role", options.role, "run this role only (default: launch all three)")
      ->check(CLI::IsMember({"client", "authenticator", "server"}));
  app.add_option("--spec", options.spec, "the protocol");
  app.add_option("--listen", options.listen, "TCP: where this role listens (port 0: any free port)");
  app.add_option("--peer", options.peers, "TCP: role=host:port of a role declared before this one");
  app.add_option("--broker", options.broker, "MQTT: the broker's host:port");
  app.add_flag("--spawn-broker", options.spawn_broker, "MQTT: start a mosquitto broker on a free loopback port");
  app.add_option("--session", options.session, "session name (MQTT topics, TCP handshakes); required with --role");
  app.add_option("--secret-file", options.secret_file, "with --role: the session secret (64 hex digits, mode 600)");
  app.add_option("--id", options.id, "the client's id (the authenticator accepts even ids)");
  app.add_option("--title", options.titles, "titles the client watches");
  app.add_option("--k", options.k, "the bound k-MC is verified at");
  CLI11_PARSE(app, argc, argv);
  try {
    return options.role.empty() ? launch(options) : run_role(options);
  } catch (const std::exception& error) {
    std::cerr << (options.role.empty() ? "launcher" : options.role) << ": " << error.what() << "\n";
    return EXIT_FAILURE;
  }
}
