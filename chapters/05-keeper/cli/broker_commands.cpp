// generated from final/cli/broker_commands.cpp; edit there
// cli/broker_commands.cpp — `streamcraft broker`: run a broker.
//
// Reads a server.properties-style file (optional), applies command-line overrides,
// opens every topic's logs, listens, and serves until SIGINT or SIGTERM, then shuts the
// logs down cleanly (so the next start skips recovery). Prints one line with the address
// it listens on, which scripts and tests wait for (with port 0, the chosen port).
#include <asio.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "broker/config.h"
#include "broker/node.h"
#include "cli/commands.h"
#include "net/server.h"
#include "net/cluster_driver.h"

namespace streamcraft::cli {
namespace {

struct BrokerOptions {
  std::string config_file;
  std::string listeners;
  std::string advertised;
  std::string log_dirs;
  std::vector<std::string> settings;
  std::string port_file;
};

int fail(const Error& e) {
  fmt::print(stderr, "error: {}\n", e.describe());
  return 1;
}

int run_broker(const BrokerOptions& o) {
  broker::BrokerConfig config;
  std::vector<std::pair<std::string, std::string>> settings;
  if (!o.config_file.empty()) {
    auto props = broker::read_properties(o.config_file);
    if (!props) return fail(props.error());
    settings = *props;
  }
  if (!o.listeners.empty()) settings.emplace_back("listeners", o.listeners);
  if (!o.advertised.empty()) settings.emplace_back("advertised.listeners", o.advertised);
  if (!o.log_dirs.empty()) settings.emplace_back("log.dirs", o.log_dirs);
  for (const auto& kv : o.settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) return fail(make_error(Errc::invalid_config, "--set expects key=value, got " + kv));
    settings.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const auto& [key, value] : settings)
    if (auto s = broker::apply_setting(config, key, value); !s) return fail(s.error());

  SystemClock clock;
  auto node = broker::Node::open(log::posix_file_system(), config, clock);
  if (!node) return fail(node.error());
  asio::io_context io;
  net::Server server(io, broker::server_options((*node)->config()), (*node)->service(), clock);
  if (auto s = server.start(); !s) return fail(s.error());

  fmt::print("streamcraft broker {} listening on {}:{} (log.dirs {})\n", config.node_id, config.listener.host,
             server.port(), config.log_dir.string());
  std::fflush(stdout);
  if (!o.port_file.empty()) {
    std::ofstream(o.port_file) << server.port() << "\n";
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void()> stop_serving = [&] { server.stop(); };
  // A broker of a cluster talks to the others; before it stops, it asks the controller
  // to move its leaderships away (controlled shutdown), for at most 10 s.
  std::unique_ptr<net::ClusterDriver> cluster;
  asio::steady_timer shutdown_poll(io);
  std::function<void()> wait_for_shutdown;  // lives as long as io.run(): the timer calls it
  if ((*node)->peers()) {
    cluster = std::make_unique<net::ClusterDriver>(io, **node, server, clock);
    cluster->kick();
    stop_serving = [&] {
      const auto give_up = clock.monotonic_ms() + 10'000;
      (*node)->controller_client()->begin_controlled_shutdown();
      wait_for_shutdown = [&, give_up] {
        cluster->kick();
        if ((*node)->controller_client()->shutdown_done() || clock.monotonic_ms() >= give_up) {
          cluster->stop();
          server.stop();
          return;
        }
        shutdown_poll.expires_after(std::chrono::milliseconds(50));
        shutdown_poll.async_wait([&](std::error_code ec) {
          if (!ec) wait_for_shutdown();
        });
      };
      wait_for_shutdown();
    };
  }
  signals.async_wait([&](std::error_code, int signal) {
    spdlog::info("signal {}: shutting down", signal);
    stop_serving();
  });
  io.run();
  // Clean shutdown: every log flushed, sealed and marked, so the next start is quick.
  if (auto s = (*node)->close(); !s) return fail(s.error());
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

void add_broker_commands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BrokerOptions>();
  auto* b = app.add_subcommand("broker", "run a broker that Kafka clients can talk to (chapter 2)");
  b->add_option("--config", o->config_file, "a server.properties file")->check(CLI::ExistingFile);
  b->add_option("--listeners", o->listeners, "where to listen, e.g. PLAINTEXT://127.0.0.1:9092 (port 0: any free)");
  b->add_option("--advertised-listeners", o->advertised, "the address clients are told to use");
  b->add_option("--log-dirs", o->log_dirs, "the directory for the topics' logs");
  b->add_option("--set", o->settings, "any setting as key=value (repeatable), e.g. --set num.partitions=3");
  b->add_option("--port-file", o->port_file, "write the port listened on to this file");
  b->callback([o, &exit_code] { exit_code = run_broker(*o); });
}

}  // namespace streamcraft::cli
