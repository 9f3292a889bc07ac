// generated from final/cli/cluster_commands.cpp; edit there
// cli/cluster_commands.cpp — `streamcraft cluster …`: a local replicated cluster, and
// questions about any cluster.
//
//   cluster start   --dir D [--brokers 3] [--set key=value …]
//       picks free loopback ports, writes D/broker-N/server.properties (broker.id N,
//       controller.id 1, cluster.brokers listing every broker), starts one
//       `streamcraft broker` process per broker in the background (its output in
//       D/broker-N/broker.log, its pid in D/broker-N/pid), and returns once every broker
//       has registered with the controller. Prints one line per broker.
//   cluster stop    --dir D            SIGTERM to each (controlled shutdown), the
//                                      controller last; SIGKILL after 20 s
//   cluster kill    --dir D --broker N kill -9: the process dies at once, as in a crash
//   cluster restart --dir D --broker N starts broker N again on its directory
//   cluster describe --bootstrap H:P   the brokers and which one is the controller
//   cluster elect-leaders --bootstrap H:P --preferred [--topic T [--partition P …]]
//       asks the controller (ElectLeaders) to give each partition (of T, or every one)
//       back to its preferred replica, the first of its replicas, where that replica is
//       alive and in sync. One line per partition; exit status 1 if any could not be.
//
// Every process `start` or `restart` starts is stopped by `stop` (pid files), so a test or
// a lesson that ends with `stop` leaves nothing running.
#include <CLI/CLI.hpp>
#include <asio.hpp>
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include "client/cluster_clients.h"
#include "cli/commands.h"
#include "client/kafka_client.h"
#include "common/error.h"

namespace streamcraft::cli {

using client::ClusterClients;
namespace {

namespace fs = std::filesystem;

int fail(const Error& e) {
  fmt::print(stderr, "error: {}\n", e.describe());
  return 1;
}

fs::path broker_dir(const fs::path& dir, int id) { return dir / fmt::format("broker-{}", id); }

std::optional<pid_t> read_pid(const fs::path& dir, int id) {
  std::ifstream in(broker_dir(dir, id) / "pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

int port_of(const fs::path& dir, int id) {
  std::ifstream in(broker_dir(dir, id) / "port");
  int port = 0;
  in >> port;
  return port;
}

// The brokers of the cluster in `dir`: 1..N, as `start` numbered them.
int broker_count(const fs::path& dir) {
  int n = 0;
  while (fs::exists(broker_dir(dir, n + 1) / "server.properties")) ++n;
  return n;
}

// Starts `streamcraft broker --config …` detached from this process (its own session,
// so a Ctrl-C in the terminal that ran `cluster start` does not reach it).
Result<pid_t> spawn(const fs::path& dir, int id) {
  const auto bdir = broker_dir(dir, id);
  const auto log = bdir / "broker.log";
  const auto config = bdir / "server.properties";
  const pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::unknown_server_error, "fork failed");
  if (pid == 0) {
    ::setsid();
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::execl("/proc/self/exe", "streamcraft", "broker", "--config", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::ofstream(bdir / "pid") << pid << "\n";
  return pid;
}

// Waits until the controller (broker 1) lists `expected` live brokers, up to 30 s.
Status wait_for_brokers(int port, std::size_t expected) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < give_up) {
    if (auto c = client::KafkaClient::connect(fmt::format("127.0.0.1:{}", port), "streamcraft-cli")) {
      auto md = (*c)->metadata(std::vector<std::string>{}, false);
      if (md && md->brokers.size() >= expected) return {};
      last = md ? fmt::format("{} of {} brokers registered", md->brokers.size(), expected) : md.error().describe();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return make_error(Errc::request_timed_out, "the cluster did not come up in 30 s: " + last);
}

struct StartOptions {
  std::string dir;
  int brokers = 3;
  std::vector<std::string> settings;
};

int run_start(const StartOptions& o) {
  const fs::path dir = fs::absolute(o.dir);
  if (o.brokers < 1) return fail(make_error(Errc::invalid_config, "--brokers must be at least 1"));
  for (int id = 1; id <= o.brokers; ++id)
    if (auto pid = read_pid(dir, id); pid && alive(*pid))
      return fail(make_error(Errc::invalid_config, fmt::format("broker {} of {} is still running (pid {})", id,
                                                               dir.string(), *pid)));
  // Free ports: bind them all at once (so no two are the same), then let them go for
  // the brokers to take.
  std::vector<int> ports;
  {
    asio::io_context io;
    std::vector<asio::ip::tcp::acceptor> held;
    for (int id = 1; id <= o.brokers; ++id) {
      held.emplace_back(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      ports.push_back(held.back().local_endpoint().port());
    }
  }
  std::string members;
  for (int id = 1; id <= o.brokers; ++id)
    members += fmt::format("{}{}@127.0.0.1:{}", id > 1 ? "," : "", id, ports[static_cast<std::size_t>(id - 1)]);
  for (int id = 1; id <= o.brokers; ++id) {
    const auto bdir = broker_dir(dir, id);
    fs::create_directories(bdir / "data");
    std::ofstream props(bdir / "server.properties");
    props << "# written by `streamcraft cluster start`\n"
          << "broker.id=" << id << "\n"
          << "listeners=PLAINTEXT://127.0.0.1:" << ports[static_cast<std::size_t>(id - 1)] << "\n"
          << "log.dirs=" << (bdir / "data").string() << "\n"
          << "controller.id=1\n"
          << "cluster.brokers=" << members << "\n"
          << "default.replication.factor=" << std::min(o.brokers, 3) << "\n"
          << "offsets.topic.replication.factor=" << std::min(o.brokers, 3) << "\n";
    for (const auto& kv : o.settings) props << kv << "\n";
    std::ofstream(bdir / "port") << ports[static_cast<std::size_t>(id - 1)] << "\n";
  }
  for (int id = 1; id <= o.brokers; ++id) {
    auto pid = spawn(dir, id);
    if (!pid) return fail(pid.error());
  }
  if (auto s = wait_for_brokers(ports[0], static_cast<std::size_t>(o.brokers)); !s) return fail(s.error());
  for (int id = 1; id <= o.brokers; ++id)
    fmt::print("broker {} 127.0.0.1:{}{}\n", id, ports[static_cast<std::size_t>(id - 1)], id == 1 ? " (controller)" : "");
  return 0;
}

// Waits up to `timeout` for a process to end.
bool wait_gone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (alive(pid)) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

int run_stop(const std::string& d) {
  const fs::path dir = fs::absolute(d);
  const int n = broker_count(dir);
  if (n == 0) return fail(make_error(Errc::invalid_config, dir.string() + " holds no cluster"));
  // The controller last: the others' controlled shutdowns need it.
  for (int id = n; id >= 1; --id) {
    auto pid = read_pid(dir, id);
    if (!pid || !alive(*pid)) continue;
    ::kill(*pid, SIGTERM);
    if (!wait_gone(*pid, std::chrono::seconds(20))) {
      ::kill(*pid, SIGKILL);
      wait_gone(*pid, std::chrono::seconds(5));
    }
    fs::remove(broker_dir(dir, id) / "pid");
  }
  fmt::print("stopped {} broker(s)\n", n);
  return 0;
}

int run_kill(const std::string& d, int id) {
  const fs::path dir = fs::absolute(d);
  auto pid = read_pid(dir, id);
  if (!pid || !alive(*pid)) return fail(make_error(Errc::broker_not_available, fmt::format("broker {} is not running", id)));
  ::kill(*pid, SIGKILL);
  wait_gone(*pid, std::chrono::seconds(5));
  fs::remove(broker_dir(dir, id) / "pid");
  fmt::print("killed broker {} (kill -9)\n", id);
  return 0;
}

int run_restart(const std::string& d, int id) {
  const fs::path dir = fs::absolute(d);
  if (!fs::exists(broker_dir(dir, id) / "server.properties"))
    return fail(make_error(Errc::invalid_config, fmt::format("no broker {} in {}", id, dir.string())));
  if (auto pid = read_pid(dir, id); pid && alive(*pid))
    return fail(make_error(Errc::invalid_config, fmt::format("broker {} is still running", id)));
  auto pid = spawn(dir, id);
  if (!pid) return fail(pid.error());
  // Back when it listens again.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!client::KafkaClient::connect(fmt::format("127.0.0.1:{}", port_of(dir, id)), "streamcraft-cli")) {
    if (std::chrono::steady_clock::now() >= give_up)
      return fail(make_error(Errc::request_timed_out, fmt::format("broker {} did not start in 30 s", id)));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  fmt::print("restarted broker {}\n", id);
  return 0;
}

int run_describe(const std::string& bootstrap) {
  auto c = client::KafkaClient::connect(bootstrap, "streamcraft-cli");
  if (!c) return fail(c.error());
  auto md = (*c)->metadata(std::vector<std::string>{}, false);
  if (!md) return fail(md.error());
  fmt::print("cluster {}: {} live broker(s), controller {}\n", md->cluster_id.value_or("?"), md->brokers.size(),
             md->controller_id);
  auto brokers = md->brokers;
  std::sort(brokers.begin(), brokers.end(), [](auto& a, auto& b) { return a.node_id < b.node_id; });
  for (const auto& b : brokers)
    fmt::print("  broker {} {}:{}{}\n", b.node_id, b.host, b.port, b.node_id == md->controller_id ? " (controller)" : "");
  return 0;
}

struct ElectOptions {
  std::string bootstrap = "127.0.0.1:9092";
  bool preferred = false;
  std::string topic;
  std::vector<std::int32_t> partitions;
};

int run_elect_leaders(const ElectOptions& o) {
  if (!o.partitions.empty() && o.topic.empty())
    return fail(make_error(Errc::invalid_request, "--partition needs --topic"));
  auto c = client::KafkaClient::connect(o.bootstrap, "streamcraft-cli");
  if (!c) return fail(c.error());
  ClusterClients cluster(**c);
  protocol::ElectLeadersRequest req;
  req.election_type = protocol::kPreferredElection;
  if (!o.topic.empty()) {
    // Without --partition: every partition of the topic, as Metadata lists them (asked
    // once: a partition without a leader is one to elect, not one to wait for).
    auto md = cluster.metadata(std::vector<std::string>{o.topic}, false, 0);
    if (!md) return fail(md.error());
    protocol::ElectLeadersTopic t{o.topic, o.partitions};
    for (const auto& mt : md->topics) {
      if (mt.error != Errc::none) return fail(make_error(mt.error, "topic " + o.topic));
      if (o.partitions.empty())
        for (const auto& p : mt.partitions) t.partitions.push_back(p.partition);
    }
    req.topic_partitions = std::vector<protocol::ElectLeadersTopic>{std::move(t)};
  }
  auto controller = cluster.controller();
  if (!controller) return fail(controller.error());
  auto resp = (*controller)->elect_leaders(req);
  if (!resp) return fail(resp.error());
  if (resp->error != Errc::none) return fail(make_error(resp->error, "the election was refused"));
  int status = 0;
  std::size_t partitions = 0;
  for (const auto& t : resp->results)
    for (const auto& p : t.partition_results) {
      ++partitions;
      if (p.error == Errc::none) {
        fmt::print("{}-{}: led by its preferred replica again\n", t.topic, p.partition_id);
      } else if (p.error == Errc::election_not_needed) {
        fmt::print("{}-{}: already led by its preferred replica\n", t.topic, p.partition_id);
      } else {
        fmt::print("{}-{}: {}{}\n", t.topic, p.partition_id, errc_name(p.error),
                   p.error_message ? ": " + *p.error_message : std::string());
        status = 1;
      }
    }
  if (partitions == 0) fmt::print("every partition is led by its preferred replica\n");
  return status;
}

}  // namespace

void add_cluster_commands(CLI::App& app, int& exit_code) {
  auto* cluster = app.add_subcommand("cluster", "run a local replicated cluster, and describe one (chapter 4)");
  cluster->require_subcommand(1);

  auto start = std::make_shared<StartOptions>();
  auto* s = cluster->add_subcommand("start", "start brokers on free loopback ports, in the background");
  s->add_option("--dir", start->dir, "the cluster's directory (configuration, logs, data)")->required();
  s->add_option("--brokers", start->brokers, "how many brokers (broker 1 is the controller)");
  s->add_option("--set", start->settings, "a setting for every broker, key=value (repeatable)");
  s->callback([start, &exit_code] { exit_code = run_start(*start); });

  auto dir = std::make_shared<std::string>();
  auto id = std::make_shared<int>(0);
  auto* stop = cluster->add_subcommand("stop", "stop every broker of the cluster (controlled shutdown)");
  stop->add_option("--dir", *dir, "the cluster's directory")->required();
  stop->callback([dir, &exit_code] { exit_code = run_stop(*dir); });
  auto* kill = cluster->add_subcommand("kill", "kill -9 one broker, as a crash would");
  kill->add_option("--dir", *dir, "the cluster's directory")->required();
  kill->add_option("--broker", *id, "the broker's id")->required();
  kill->callback([dir, id, &exit_code] { exit_code = run_kill(*dir, *id); });
  auto* restart = cluster->add_subcommand("restart", "start one stopped or killed broker again");
  restart->add_option("--dir", *dir, "the cluster's directory")->required();
  restart->add_option("--broker", *id, "the broker's id")->required();
  restart->callback([dir, id, &exit_code] { exit_code = run_restart(*dir, *id); });

  auto bootstrap = std::make_shared<std::string>("127.0.0.1:9092");
  auto* d = cluster->add_subcommand("describe", "the live brokers and the controller");
  d->add_option("--bootstrap", *bootstrap, "any broker, host:port");
  d->callback([bootstrap, &exit_code] { exit_code = run_describe(*bootstrap); });

  auto elect = std::make_shared<ElectOptions>();
  auto* e = cluster->add_subcommand("elect-leaders", "move leadership back to the preferred replicas");
  e->add_option("--bootstrap", elect->bootstrap, "any broker, host:port");
  e->add_flag("--preferred", elect->preferred, "elect each partition's preferred replica (the only kind taken)")
      ->required();
  e->add_option("--topic", elect->topic, "only this topic's partitions (default: every partition)");
  e->add_option("--partition", elect->partitions, "only these partitions of --topic (repeatable)");
  e->callback([elect, &exit_code] { exit_code = run_elect_leaders(*elect); });
}

}  // namespace streamcraft::cli
