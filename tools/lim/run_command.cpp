// `lim run SPEC [--k N] [--seed S] [--max-steps N]`: runs a verified protocol
// on the runtime — every role on a thread of its own, in-process queues of k
// messages — making each role's choices (labels, payload values, state
// variables) at random, and prints what happens. A demo of "verify, then
// run", and a smoke test of a spec's executability.
#include <iostream>
#include <memory>
#include <mutex>
#include <random>

#include <fmt/format.h>

#include "commands.hpp"
#include "lim/refine/refinements.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/runtime/transport/inproc/inprocess_session.hpp"

namespace lim::cli {
namespace {

struct RunArguments {
  std::string file;
  unsigned k = 1;
  std::uint64_t seed = 1;
  std::size_t max_steps = 100;
};

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

int run(const RunArguments& arguments) {
  std::shared_ptr<const runtime::Protocol> protocol;
  try {
    protocol = runtime::default_gate().verify_file(arguments.file);
  } catch (const runtime::VerificationFailed& failure) {
    std::cerr << fmt::format("lim: error: {}\n", failure.what());
    return failure.reason() == runtime::VerificationFailed::Reason::Violated       ? kViolated
           : failure.reason() == runtime::VerificationFailed::Reason::Inconclusive ? kResourceLimit
                                                                                    : kInputError;
  }
  const auto& system = protocol->system();
  for (automata::RoleId role = 0; role < system.role_count(); ++role)
    if (system.is_environment(role)) {
      std::cerr << fmt::format("lim: error: lim run plays trusted roles only; {} is an environment role\n",
                               system.role_names[role]);
      return kInputError;
    }

  std::mt19937_64 seeds(arguments.seed);
  runtime::InProcessOptions options(arguments.k);
  if (system.refinements)
    for (automata::RoleId role = 0; role < system.role_count(); ++role)
      for (const auto& variable : system.refinements->state_of(role)) {
        const auto value = random_value(seeds, refine::width(variable.type));
        options.variables[system.role_names[role]][variable.name] =
            variable.type == refine::Scalar::Bool ? runtime::Payload(value != 0) : runtime::Payload(value);
      }
  std::unique_ptr<runtime::InProcessSession> session;
  try {
    session = std::make_unique<runtime::InProcessSession>(protocol, options);
  } catch (const runtime::VerificationFailed& failure) {
    std::cerr << fmt::format("lim: error: {}\n", failure.what());
    return kViolated;
  } catch (const std::invalid_argument& error) {
    std::cerr << fmt::format("lim: error: {}\n", error.what());
    return kInputError;
  }

  std::mutex output;
  const auto say = [&](const std::string& line) {
    const std::lock_guard lock(output);
    std::cout << line << "\n";
  };
  std::map<std::string, runtime::InProcessSession::RoleBody, std::less<>> bodies;
  std::atomic<bool> limited{false};
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto seed = seeds();
    bodies[system.role_names[role]] = [&, role, seed](runtime::Endpoint& endpoint) {
      std::mt19937_64 random(seed);
      const auto& machine = system.machines[role];
      const auto& name = system.role_names[role];
      for (std::size_t step = 0; step < arguments.max_steps && !endpoint.complete(); ++step) {
        const auto outgoing = machine.outgoing(endpoint.state());
        if (outgoing.front().action.direction == automata::Direction::Send) {
          const auto& transition = outgoing[random() % outgoing.size()];
          const auto& action = transition.action;
          const auto& label = system.labels.name(action.label);
          auto payload = sample(*protocol, action.payload, label, random);
          say(fmt::format("{:>14} → {:<14} {}{}   {}", name, system.role_names[action.peer], label,
                          payload.is_null() ? "" : "(" + payload.dump() + ")",
                          protocol->location_text(transition.location)));
          endpoint.send(system.role_names[action.peer], label, std::move(payload));
        } else {
          const auto location = protocol->location_text(endpoint.metadata().location);
          const auto received = endpoint.offer();
          if (received.timed_out)
            say(fmt::format("{:>14}   {:<14} timeout, waiting for {}   {}", name, "", received.peer, location));
        }
      }
      if (!endpoint.complete()) {
        limited = true;
        say(fmt::format("{:>14}   stops after {} steps (the protocol may go on forever)", name, arguments.max_steps));
        endpoint.abandon(fmt::format("lim run's step limit ({}) for {}", arguments.max_steps, name));
      }
    };
  }
  try {
    session->run(bodies);
  } catch (const runtime::SessionAborted& aborted) {
    if (!limited) {
      std::cerr << fmt::format("lim: error: {}\n", aborted.what());
      return kViolated;
    }
  } catch (const std::exception& error) {
    std::cerr << fmt::format("lim: error: {}\n", error.what());
    return kViolated;
  }
  for (automata::RoleId role = 0; role < system.role_count(); ++role) {
    const auto metadata = session->endpoint(role).metadata();
    say(fmt::format("{:>14}   {} after {} operations", metadata.role,
                    metadata.complete ? "complete" : "stopped in " + metadata.state_type, metadata.operations));
  }
  return kAllHold;
}

}  // namespace

Subcommand add_run_command(CLI::App& app) {
  auto arguments = std::make_shared<RunArguments>();
  auto* command = app.add_subcommand(
      "run", "run a verified protocol in-process, every role on its own thread, choices made at random");
  command->add_option("file", arguments->file, "spec file")->required()->check(CLI::ExistingFile);
  command->add_option("--k", arguments->k, "queue capacity between two roles (0: synchronous rendezvous)");
  command->add_option("--seed", arguments->seed, "seed of the random choices");
  command->add_option("--max-steps", arguments->max_steps, "actions per role before it stops")
      ->check(CLI::PositiveNumber);
  return {command, [arguments] { return run(*arguments); }};
}

const CommandRegistration registration{"run", add_run_command};

}  // namespace lim::cli
