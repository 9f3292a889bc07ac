// generated from final/cli/keeper_commands.cpp; edit there
// cli/keeper_commands.cpp — `streamcraft keeper`: run a ZooKeeper-compatible keeper.
//
// Reads ZooKeeper's own configuration file (zoo.cfg keys, keeper/config.h), applies
// `--set key=value` overrides, recovers the tree from dataDir's snapshots and the
// transaction log, listens, and serves until SIGINT or SIGTERM. Prints one line with the
// address it listens on, which scripts and tests wait for (clientPort=0 picks a port).
#include <asio.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "broker/config.h"
#include "cli/commands.h"
#include "keeper/config.h"
#include "keeper/keeper_service.h"
#include "keeper/store.h"
#include "net/server.h"

namespace streamcraft::cli {
namespace {

struct KeeperOptions {
  std::string config_file;
  std::vector<std::string> settings;
  std::string port_file;
};

int fail(const Error& e) {
  fmt::print(stderr, "error: {}\n", e.describe());
  return 1;
}

int run_keeper(const KeeperOptions& o) {
  std::vector<std::pair<std::string, std::string>> props;
  if (!o.config_file.empty()) {
    auto file = broker::read_properties(o.config_file);  // zoo.cfg is a Java properties file too
    if (!file) return fail(file.error());
    props = *file;
  }
  for (const auto& kv : o.settings) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) return fail(make_error(Errc::invalid_config, "--set expects key=value, got " + kv));
    props.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  auto settings = keeper::keeper_settings(props);
  if (!settings) return fail(settings.error());
  for (const auto& w : settings->warnings) spdlog::warn("{}", w);

  SystemClock clock;
  auto store = keeper::Store::open(log::posix_file_system(), settings->store, clock);
  if (!store) return fail(store.error());
  const auto& rec = (*store)->recovery();
  spdlog::info("recovered {}: snapshot {}, {} transaction(s) replayed{}", settings->store.data_dir.string(),
               rec.snapshot_zxid ? fmt::format("{:#x}", *rec.snapshot_zxid) : std::string("none"), rec.replayed,
               rec.log_bytes_cut ? fmt::format(", {} torn byte(s) cut from the log", rec.log_bytes_cut) : "");
  keeper::KeeperService service(clock, settings->keeper, **store, (*store)->take_state());

  asio::io_context io;
  net::ServerOptions options;
  options.host = settings->client_port_address;
  options.port = settings->client_port;
  options.max_frame_bytes = settings->keeper.jute_max_buffer;  // a larger packet closes its connection
  net::Server server(io, options, service, clock);
  if (auto s = server.start(); !s) return fail(s.error());
  fmt::print("streamcraft keeper listening on {}:{} (dataDir {}, zxid {:#x})\n", options.host, server.port(),
             settings->store.data_dir.string(), service.tree().last_zxid());
  std::fflush(stdout);
  if (!o.port_file.empty()) std::ofstream(o.port_file) << server.port() << "\n";

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code, int signal) {
    spdlog::info("signal {}: shutting down", signal);
    server.stop();
  });
  io.run();
  // Everything acknowledged is already synced; closing marks the log clean.
  if (auto s = (*store)->close(); !s) return fail(s.error());
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace

void add_keeper_commands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<KeeperOptions>();
  auto* k = app.add_subcommand("keeper", "run a ZooKeeper-compatible keeper (chapter 5)");
  k->add_option("--config", o->config_file, "a zoo.cfg file (ZooKeeper's keys)")->check(CLI::ExistingFile);
  k->add_option("--set", o->settings, "any zoo.cfg setting as key=value (repeatable), e.g. --set clientPort=0");
  k->add_option("--port-file", o->port_file, "write the port listened on to this file");
  k->callback([o, &exit_code] { exit_code = run_keeper(*o); });
}

}  // namespace streamcraft::cli
