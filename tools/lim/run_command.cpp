// `lim run SPEC [--transport inproc|tcp|mqtt] [--k N] [--seed S] [--max-steps N]`:
// runs a verified protocol on the runtime, making each role's choices
// (labels, payload values, state variables) at random, and prints what
// happens. In-process every role is a thread; over TCP or MQTT every role is
// a process of its own (`--role R` runs one, e.g. on another host), on a
// real clock, so timeouts fire as they would in production. A demo of
// "verify, then run", and a smoke test of a spec over the network.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/properties/asynchronous_properties.hpp"
#include "lim/refine/refinements.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/support/child_process.hpp"
#include "lim/runtime/support/mosquitto_broker.hpp"
#include "lim/runtime/support/role_launcher.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"
#include "lim/runtime/transport/mqtt/mqtt_session.hpp"
#include "lim/runtime/transport/session_secret.hpp"
#include "lim/runtime/transport/tcp/tcp_session.hpp"

namespace lim::cli {
namespace {

struct RunArguments {
  std::string file;
  std::string transport = "inproc";
  unsigned k = 1;
  std::string channels = "auto";
  std::uint64_t seed = 1;
  std::size_t max_steps = 100;
  // One role of a distributed session.
  std::string role;
  std::string listen = "127.0.0.1:0";
  std::vector<std::string> peers;
  std::string broker = "127.0.0.1:1883";
  bool spawn_broker = false;
  std::string broker_user;
  std::string broker_password_file;
  std::string broker_ca;
  std::string session;
  std::string secret_file;
};

constexpr std::string_view kStepLimit = "lim run's step limit";

std::mutex output_mutex;
void say(const std::string& line) {
  const std::lock_guard lock(output_mutex);
  std::cout << line << std::endl;  // flushed: a launcher reads it line by line
}

std::uint64_t random_value(std::mt19937_64& random, unsigned width) {
  // Small numbers read better; all of them still fit the width (mask + 1
  // would overflow to 0 for 64 bits).
  return random() % (std::min<std::uint64_t>(99, refine::mask(width)) + 1);
}

runtime::Payload sample(const runtime::Protocol& protocol, automata::SortId sort, const std::string& label,
                        std::mt19937_64& random) {
  switch (protocol.payload_kind(sort)) {
    case runtime::PayloadKind::Unit:
    case runtime::PayloadKind::Opaque:
    case runtime::PayloadKind::Session: return nullptr;
    case runtime::PayloadKind::Bool: return random() % 2 == 0;
    case runtime::PayloadKind::Int: return static_cast<std::int64_t>(random() % 100);
    case runtime::PayloadKind::String: return fmt::format("{}-{}", label, random() % 100);
    case runtime::PayloadKind::Scalar: return random_value(random, protocol.scalar_width(sort));
    case runtime::PayloadKind::Record: {
      runtime::Payload record = runtime::Payload::object();
      for (const auto& field : protocol.system().refinements->records.at(*protocol.record_of(sort)).fields) {
        const auto value = random_value(random, refine::width(field.type));
        record[field.name] = field.type == refine::Scalar::Bool ? runtime::Payload(value != 0) : runtime::Payload(value);
      }
      return record;
    }
  }
  return nullptr;
}

// Random initial values of a role's state variables.
runtime::Payload random_variables(const automata::System& system, automata::RoleId role, std::mt19937_64& random) {
  auto variables = runtime::Payload::object();
  if (system.refinements)
    for (const auto& variable : system.refinements->state_of(role)) {
      const auto value = random_value(random, refine::width(variable.type));
      variables[variable.name] =
          variable.type == refine::Scalar::Bool ? runtime::Payload(value != 0) : runtime::Payload(value);
    }
  return variables;
}

// Plays `endpoint`'s role at random for at most `max_steps` actions; false
// when the step limit stopped it. An environment role may both send and
// receive in a state: it waits a moment for a message, and sends only when
// none came (with rendezvous channels two roles that both send to each other
// would wait for each other forever).
bool play(runtime::Endpoint& endpoint, std::uint64_t seed, std::size_t max_steps) {
  const auto& protocol = endpoint.protocol();
  const auto& system = protocol.system();
  const auto role = endpoint.role();
  const auto& name = endpoint.role_name();
  std::mt19937_64 random(seed);
  for (std::size_t step = 0; step < max_steps && !endpoint.complete(); ++step) {
    std::vector<const automata::Transition*> sends;
    bool receives = false;
    for (const auto& transition : system.machines[role].outgoing(endpoint.state())) {
      if (transition.action.direction == automata::Direction::Send) sends.push_back(&transition);
      else receives = true;
    }
    if (receives) {
      const auto location = protocol.location_text(endpoint.metadata().location);
      try {
        runtime::Deadline deadline;
        if (!sends.empty()) deadline = endpoint.clock().now() + std::chrono::milliseconds(20);
        const auto received = endpoint.offer(deadline);
        if (received.timed_out)
          say(fmt::format("{:>14}   {:<14} timeout, waiting for {}   {}", name, "", received.peer, location));
        continue;
      } catch (const runtime::DeadlineExpired&) {
        // Nothing came: send instead.
      }
    }
    const auto& transition = *sends[random() % sends.size()];
    const auto& action = transition.action;
    const auto& label = system.labels.name(action.label);
    auto payload = sample(protocol, action.payload, label, random);
    say(fmt::format("{:>14} → {:<14} {}{}   {}", name, system.role_names[action.peer], label,
                    payload.is_null() ? "" : "(" + payload.dump() + ")", protocol.location_text(transition.location)));
    endpoint.send(system.role_names[action.peer], label, std::move(payload));
  }
  if (endpoint.complete()) return true;
  say(fmt::format("{:>14}   stops after {} steps (the protocol may go on forever)", name, max_steps));
  endpoint.abandon(fmt::format("{} ({}) for {}", kStepLimit, max_steps, name));
  return false;
}

void report(const runtime::Endpoint& endpoint) {
  const auto metadata = endpoint.metadata();
  say(fmt::format("{:>14}   {} after {} operations", metadata.role,
                  metadata.complete ? "complete" : "stopped in " + metadata.state_type, metadata.operations));
}

int error(const std::string& message, int code) {
  std::cerr << fmt::format("lim: error: {}\n", message);
  return code;
}

int refused(const runtime::VerificationFailed& failure) {
  return error(failure.what(), failure.reason() == runtime::VerificationFailed::Reason::Violated       ? kViolated
                               : failure.reason() == runtime::VerificationFailed::Reason::Inconclusive ? kResourceLimit
                                                                                                        : kInputError);
}

// Unbounded channels where CAV 2019's theorem carries the k-MC verdict to
// them; bounded ones (the k-bounded semantics) otherwise: environment roles,
// timeouts and guarded copies run soundly only there.
runtime::Channels channels_for(const RunArguments& arguments, const runtime::Protocol& protocol) {
  if (arguments.channels == "bounded") return runtime::Channels::Bounded;
  if (arguments.channels == "unbounded") return runtime::Channels::Unbounded;
  return arguments.k >= 1 && properties::unbounded_theorem_applies(protocol.system()) ? runtime::Channels::Unbounded
                                                                                       : runtime::Channels::Bounded;
}

int run_in_process(const RunArguments& arguments, const std::shared_ptr<const runtime::Protocol>& protocol) {
  const auto& system = protocol->system();
  std::mt19937_64 seeds(arguments.seed);
  runtime::InProcessOptions options(arguments.k);
  for (automata::RoleId role = 0; role < system.role_count(); ++role)
    options.variables[system.role_names[role]] = random_variables(system, role, seeds);
  std::unique_ptr<runtime::InProcessSession> session;
  try {
    session = std::make_unique<runtime::InProcessSession>(protocol, options);
  } catch (const runtime::VerificationFailed& failure) {
    return refused(failure);
  } catch (const std::invalid_argument& failure) {
    return error(failure.what(), kInputError);
  }
  std::map<std::string, runtime::InProcessSession::RoleBody, std::less<>> bodies;
  std::atomic<bool> limited{false};
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto seed = seeds();
    bodies[system.role_names[role]] = [&, seed](runtime::Endpoint& endpoint) {
      if (!play(endpoint, seed, arguments.max_steps)) limited = true;
    };
  }
  try {
    session->run(bodies);
  } catch (const runtime::SessionAborted& aborted) {
    if (!limited) return error(aborted.what(), kViolated);
  } catch (const std::exception& failure) {
    return error(failure.what(), kViolated);
  }
  for (automata::RoleId role = 0; role < system.role_count(); ++role) report(session->endpoint(role));
  return kAllHold;
}

// One role of a distributed session, in this process.
int run_role(const RunArguments& arguments, const std::shared_ptr<const runtime::Protocol>& protocol) {
  const auto self = protocol->role(arguments.role);
  if (arguments.session.empty())
    throw std::invalid_argument("--role needs --session: two runs that share a session name would meet");
  const auto secret = runtime::SessionSecret::for_role(arguments.secret_file);
  const auto channels = channels_for(arguments, *protocol);
  std::mt19937_64 seeds(arguments.seed);
  runtime::EndpointOptions endpoint_options;
  endpoint_options.variables = random_variables(protocol->system(), self, seeds);
  std::unique_ptr<runtime::Endpoint> endpoint;
  if (arguments.transport == "tcp") {
    runtime::tcp::Config config;
    config.session = arguments.session;
    config.k = arguments.k;
    config.channels = channels;
    config.security = runtime::tcp::Security::psk(secret);
    config.endpoint = endpoint_options;
    endpoint = runtime::tcp::join_listed(protocol, arguments.role, config, arguments.listen, arguments.peers, say);
  } else {
    runtime::mqtt::Config config;
    const auto broker = runtime::tcp::Address::parse(arguments.broker);
    config.host = broker.host;
    config.port = broker.port;
    config.session = arguments.session;
    config.k = arguments.k;
    config.channels = channels;
    config.secret = secret;
    config.endpoint = endpoint_options;
    config.username = arguments.broker_user;
    if (!arguments.broker_password_file.empty()) {
      std::ifstream in(arguments.broker_password_file);
      if (!std::getline(in, config.password))
        throw std::invalid_argument("cannot read the broker password from " + arguments.broker_password_file);
    }
    if (!arguments.broker_ca.empty()) config.tls = runtime::mqtt::BrokerTls{arguments.broker_ca, {}, {}};
    endpoint = runtime::mqtt::join(protocol, arguments.role, config);
  }
  try {
    (void)play(*endpoint, seeds(), arguments.max_steps);
  } catch (const runtime::SessionAborted& aborted) {
    // Another role reached the step limit: the run is over, not broken.
    if (!aborted.reason().starts_with(kStepLimit)) return error(fmt::format("{}: {}", arguments.role, aborted.what()), kViolated);
    say(fmt::format("{:>14}   stops: {}", arguments.role, aborted.reason()));
    return kAllHold;
  } catch (const runtime::SessionError& failure) {
    return error(fmt::format("{}: {}", arguments.role, failure.what()), kViolated);
  }
  report(*endpoint);
  return kAllHold;
}

// Every role as a process of its own: copies of this program with --role.
int launch(RunArguments arguments, const runtime::Protocol& protocol) {
  std::optional<runtime::support::MosquittoBroker> broker;
  if (arguments.transport == "mqtt" && arguments.spawn_broker) {
    broker.emplace();
    arguments.broker = fmt::format("127.0.0.1:{}", broker->port());
    say(fmt::format("launcher: mosquitto (pid {}) listens on {}", broker->pid(), arguments.broker));
  }
  if (arguments.session.empty()) arguments.session = fmt::format("lim-run-{}", ::getpid());
  // This run's secret, for the roles it starts (they inherit the environment).
  ::setenv("LIM_SESSION_SECRET", runtime::SessionSecret::generate().hex().c_str(), 1);
  const auto channels = channels_for(arguments, protocol);
  say(fmt::format("launcher: {} over {}, {} channels at k={}", protocol.spec_path(), arguments.transport,
                  channels == runtime::Channels::Bounded ? "bounded" : "unbounded", arguments.k));
  std::mt19937_64 seeds(arguments.seed);
  runtime::support::RoleLaunch roles;
  roles.roles = protocol.system().role_names;
  roles.transport = arguments.transport;
  roles.broker = arguments.broker;
  roles.print = say;
  roles.command = [&](const std::string& role) {
    std::vector<std::string> command{runtime::support::own_executable(), "run", arguments.file, "--transport",
                                     arguments.transport, "--role", role, "--session", arguments.session, "--k",
                                     std::to_string(arguments.k), "--channels",
                                     channels == runtime::Channels::Bounded ? "bounded" : "unbounded", "--seed",
                                     std::to_string(seeds()), "--max-steps", std::to_string(arguments.max_steps)};
    if (arguments.transport == "mqtt") {
      if (!arguments.broker_user.empty()) command.insert(command.end(), {"--broker-user", arguments.broker_user});
      if (!arguments.broker_password_file.empty())
        command.insert(command.end(), {"--broker-password-file", arguments.broker_password_file});
      if (!arguments.broker_ca.empty()) command.insert(command.end(), {"--broker-ca", arguments.broker_ca});
    }
    return command;
  };
  return runtime::support::launch_roles(roles) == 0 ? kAllHold : kViolated;
}

int run(const RunArguments& arguments) {
  std::shared_ptr<const runtime::Protocol> protocol;
  try {
    protocol = runtime::default_gate().verify_file(arguments.file);
  } catch (const runtime::VerificationFailed& failure) {
    return refused(failure);
  }
  if (arguments.transport == "inproc") {
    if (!arguments.role.empty()) return error("--role runs one role of a session over tcp or mqtt", kInputError);
    return run_in_process(arguments, protocol);
  }
  try {
    // Refused here, once, rather than in every role's process.
    protocol->require(runtime::requirement_of(channels_for(arguments, *protocol), arguments.k));
    return arguments.role.empty() ? launch(arguments, *protocol) : run_role(arguments, protocol);
  } catch (const runtime::VerificationFailed& failure) {
    return refused(failure);
  } catch (const std::invalid_argument& failure) {
    return error(failure.what(), kInputError);
  } catch (const runtime::SessionError& failure) {
    return error(failure.what(), kViolated);
  }
}

}  // namespace

Subcommand add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  auto* command = app.add_subcommand(
      "run", "run a verified protocol with random choices: in-process (threads), or one process per role over TCP or MQTT");
  command->add_option("file", arguments->file, "spec file")->required()->check(CLI::ExistingFile);
  command->add_option("--transport", arguments->transport, "inproc (default), tcp or mqtt")
      ->check(CLI::IsMember({"inproc", "tcp", "mqtt"}));
  command->add_option("--k", arguments->k, "queue capacity between two roles (0: synchronous rendezvous)");
  command->add_option("--channels", arguments->channels,
                      "tcp/mqtt: unbounded, bounded (k-bounded semantics), or auto (default: unbounded when "
                      "CAV 2019's theorem applies)")
      ->check(CLI::IsMember({"auto", "bounded", "unbounded"}));
  command->add_option("--seed", arguments->seed, "seed of the random choices");
  command->add_option("--max-steps", arguments->max_steps, "actions per role before it stops")
      ->check(CLI::PositiveNumber);
  command->add_option("--role", arguments->role, "tcp/mqtt: run only this role (the others run elsewhere)");
  command->add_option("--session", arguments->session, "tcp/mqtt: the session's name (required with --role)");
  command->add_option("--secret-file", arguments->secret_file,
                      "with --role: the session secret (64 hex digits, mode 600; else $LIM_SESSION_SECRET)");
  command->add_option("--listen", arguments->listen, "tcp, with --role: where this role listens (port 0: any)");
  command->add_option("--peer", arguments->peers, "tcp, with --role: role=host:port of a role declared before it");
  command->add_option("--broker", arguments->broker, "mqtt: the broker's host:port");
  command->add_flag("--spawn-broker", arguments->spawn_broker, "mqtt: start a mosquitto on a free loopback port");
  command->add_option("--broker-user", arguments->broker_user, "mqtt: the broker login's user name");
  command->add_option("--broker-password-file", arguments->broker_password_file,
                      "mqtt: a file whose first line is the broker login's password");
  command->add_option("--broker-ca", arguments->broker_ca, "mqtt: TLS to the broker, trusting this CA (PEM)");
  return {command, [arguments] { return run(*arguments); }};
}

const CommandRegistration run_registration{"run", add_run_command};

}  // namespace lim::cli
