// `lim tcp serve`: the session-typed TCP server on a TUN device
// (docs/tcp.md). It verifies the server spec first and refuses to start,
// with the checker's counterexample, when it fails; then serves each
// connection with the chosen application until SIGINT or SIGTERM, when it
// closes connections gracefully and exits 0.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "lim/runtime/gate/verification_gate.hpp"
#include "lim/tcp/link/tun_link.hpp"
#include "lim/tcp/server/apps.hpp"
#include "lim/tcp/server/tcp_server.hpp"

namespace lim::cli {
namespace {

struct TcpServeArguments {
  std::string tun = "tun0";
  std::string address = "198.18.0.2";
  unsigned port = 7;
  std::string app = "echo";
  std::string spec;
  std::string pcap;
  std::string impair;
  std::size_t max_connections = 1024;
  std::string kernel_address;
  double msl_seconds = 120;
  double grace_seconds = 5;
  unsigned ttl = 64;
  bool no_syn_cookies = false;
};

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%H:%M:%S}.{:03}", fmt::localtime(std::chrono::system_clock::to_time_t(now)), millis);
}

int serve(const TcpServeArguments& arguments) {
  const auto address = tcp::wire::parse_ip_address(arguments.address);
  if (!address || address->family != tcp::wire::Family::V4) {
    std::cerr << fmt::format("lim: error: --address {}: an IPv4 address is expected (e.g. 198.18.0.2)\n",
                             arguments.address);
    return kInputError;
  }
  if (arguments.port == 0 || arguments.port > 65535) {
    std::cerr << fmt::format("lim: error: --port {}: a port from 1 to 65535 is expected\n", arguments.port);
    return kInputError;
  }
  const auto app = tcp::server::parse_app(arguments.app);
  if (!app) {
    std::cerr << fmt::format("lim: error: --app {}: echo, discard or reverse is expected\n", arguments.app);
    return kInputError;
  }
  tcp::link::TunLinkOptions link_options;
  link_options.device = arguments.tun;
  if (!arguments.pcap.empty()) link_options.pcap_path = arguments.pcap;
  if (!arguments.impair.empty()) {
    const auto parsed = tcp::link::parse_impairment(arguments.impair);
    if (!parsed.config) {
      std::cerr << fmt::format("lim: error: --impair: {}\n", parsed.error);
      return kInputError;
    }
    link_options.impairment = *parsed.config;
  }
  if (!arguments.kernel_address.empty()) {
    const auto slash = arguments.kernel_address.find('/');
    const auto kernel = tcp::wire::parse_ip_address(arguments.kernel_address.substr(0, slash));
    unsigned prefix = 24;
    bool ok = kernel && kernel->family == tcp::wire::Family::V4;
    if (ok && slash != std::string::npos) {
      try {
        std::size_t used = 0;
        prefix = static_cast<unsigned>(std::stoul(arguments.kernel_address.substr(slash + 1), &used));
        ok = used == arguments.kernel_address.size() - slash - 1 && prefix <= 32;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) {
      std::cerr << fmt::format("lim: error: --kernel-address {}: an IPv4 address with a prefix is expected "
                               "(e.g. 198.18.0.1/24)\n",
                               arguments.kernel_address);
      return kInputError;
    }
    link_options.kernel_address = kernel;
    link_options.prefix = prefix;
  }
  if (arguments.max_connections == 0) {
    std::cerr << "lim: error: --max-connections must be at least 1\n";
    return kInputError;
  }
  if (arguments.ttl == 0 || arguments.ttl > 255) {
    std::cerr << "lim: error: --ttl: 1 to 255 hops are expected\n";
    return kInputError;
  }
  if (!(arguments.msl_seconds > 0 && arguments.msl_seconds <= 3600)) {
    std::cerr << "lim: error: --msl: seconds from 0 to 3600 are expected\n";
    return kInputError;
  }

  // Verify before anything touches the network.
  std::string spec_name = "specs/tcp/server.lim";
  std::string spec_text = tcp::server::builtin_server_spec();
  if (!arguments.spec.empty()) {
    std::ifstream in(arguments.spec, std::ios::binary);
    if (!in) {
      std::cerr << fmt::format("lim: error: cannot read {}\n", arguments.spec);
      return kInputError;
    }
    std::ostringstream text;
    text << in.rdbuf();
    spec_name = arguments.spec;
    spec_text = text.str();
  }
  std::optional<tcp::server::ServerSpec> spec;
  std::optional<tcp::server::StatelessSpecs> closed;
  try {
    spec = tcp::server::load_server_spec(runtime::default_gate(), spec_name, spec_text);
    closed = tcp::server::load_stateless_specs(runtime::default_gate());
  } catch (const runtime::VerificationFailed& failure) {
    std::cerr << fmt::format("lim: the server spec does not verify; refusing to start.\n{}\n", failure.what());
    return failure.reason() == runtime::VerificationFailed::Reason::Violated       ? kViolated
           : failure.reason() == runtime::VerificationFailed::Reason::Inconclusive ? kResourceLimit
                                                                                    : kInputError;
  } catch (const std::invalid_argument& error) {
    std::cerr << fmt::format("lim: error: {}\n", error.what());
    return kInputError;
  }

  // Signals go to the thread that waits for them, not to the workers.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::mutex output;
  const auto say = [&](const std::string& line) {
    const std::lock_guard lock(output);
    std::cout << timestamp() << ' ' << line << std::endl;
  };
  std::unique_ptr<tcp::link::TunLink> link;
  try {
    link = std::make_unique<tcp::link::TunLink>(link_options);
  } catch (const tcp::link::LinkError& error) {
    std::cerr << fmt::format("lim: error: {}\n", error.what());
    return kInputError;
  }
  const auto* device = &link->device();
  say(fmt::format("{} verified: {}", spec_name, fmt::join(spec->protocol->verified(), ", ")));
  say(fmt::format("{} {} (MTU {}){}{}", device->created() ? "created" : "attached to", device->name(), device->mtu(),
                  arguments.pcap.empty() ? "" : ", capturing to " + arguments.pcap,
                  arguments.impair.empty() ? "" : ", impaired: " + arguments.impair));
  tcp::server::TcpServerOptions options;
  options.address = *address;
  options.limits.connections = arguments.max_connections;
  options.limits.half_open = std::max<std::size_t>(16, arguments.max_connections / 4);
  options.limits.syn_cookies = !arguments.no_syn_cookies;
  options.tcb.ttl = static_cast<std::uint8_t>(arguments.ttl);
  options.tcb.msl = std::chrono::milliseconds(static_cast<long long>(arguments.msl_seconds * 1000));
  options.log = say;
  tcp::server::TcpServer server(std::move(*spec), std::move(*closed), std::move(link), options);
  auto listener = server.listen(static_cast<std::uint16_t>(arguments.port));
  say(fmt::format("serving {} on {}:{}", tcp::server::name(*app), arguments.address, arguments.port));

  std::mutex workers_mutex;
  std::list<std::thread> workers;
  std::thread acceptor([&] {
    while (auto connection = listener->accept()) {
      std::shared_ptr<tcp::server::Connection> shared(std::move(connection));
      const std::lock_guard lock(workers_mutex);
      workers.emplace_back([&, shared, app = *app] {
        const auto who = shared->tuple().to_string();
        try {
          tcp::server::serve(app, *shared);
        } catch (const tcp::server::ConnectionError& error) {
          say(fmt::format("{} {}", who, error.what()));
        }
      });
    }
  });

  int received = 0;
  sigwait(&signals, &received);
  say(fmt::format("{}: closing connections", received == SIGINT ? "SIGINT" : "SIGTERM"));
  server.shutdown(std::chrono::milliseconds(static_cast<long long>(arguments.grace_seconds * 1000)));
  acceptor.join();
  {
    const std::lock_guard lock(workers_mutex);
    for (auto& worker : workers) worker.join();
  }
  const auto counters = server.counters();
  say(fmt::format("stopped: {} segments in, {} malformed dropped, {} to closed ports, {} SYNs dropped at the "
                  "connection limit, {} SYN cookies sent and {} returned, {} half-open connections evicted by newer SYNs",
                  counters.segments, counters.malformed, counters.to_closed, counters.dropped_syns,
                  counters.cookies_sent, counters.cookies_accepted, counters.evicted));
  return kAllHold;
}

Subcommand add_tcp_command(CLI::App& app) {
  auto* tcp = app.add_subcommand("tcp", "The session-typed TCP server (docs/tcp.md)");
  tcp->require_subcommand(1);
  auto* serve_command = tcp->add_subcommand("serve", "Serve TCP on a TUN device with a verified server system");
  auto arguments = std::make_shared<TcpServeArguments>();
  serve_command->add_option("--tun", arguments->tun, "TUN device to attach to (or create)")->capture_default_str();
  serve_command->add_option("--address", arguments->address, "lim's own IPv4 address behind the device")
      ->capture_default_str();
  serve_command->add_option("--port", arguments->port, "port to listen on")->capture_default_str();
  serve_command->add_option("--app", arguments->app, "echo, discard or reverse")->capture_default_str();
  serve_command->add_option("--spec", arguments->spec, "server spec to verify and run (default: specs/tcp/server.lim)");
  serve_command->add_option("--pcap", arguments->pcap, "capture everything sent and received to this pcap file");
  serve_command->add_option("--impair", arguments->impair,
                            "seeded faults: loss=0.2,dup=0.1,reorder=0.2,delay=5ms,seed=1[,direction=in|out|both]");
  serve_command->add_option("--max-connections", arguments->max_connections, "connections at once")
      ->capture_default_str();
  serve_command->add_option("--kernel-address", arguments->kernel_address,
                            "the kernel's address/prefix for a device lim creates (e.g. 198.18.0.1/24)");
  serve_command->add_flag("--no-syn-cookies", arguments->no_syn_cookies,
                          "when the half-open bound is full, evict the oldest half-open connection instead of "
                          "answering with a SYN cookie (RFC 4987)");
  serve_command->add_option("--msl", arguments->msl_seconds, "maximum segment lifetime in seconds (TIME-WAIT is 2 MSL)")
      ->capture_default_str();
  serve_command->add_option("--ttl", arguments->ttl, "time to live of every segment lim sends (MUST-49)")
      ->capture_default_str();
  serve_command->add_option("--grace", arguments->grace_seconds,
                            "seconds to let connections close at SIGINT before resetting them")
      ->capture_default_str();
  return {tcp, [arguments] { return serve(*arguments); }};
}

const CommandRegistration tcp_registration{"tcp", add_tcp_command};

}  // namespace
}  // namespace lim::cli
