// generated from final/bench/in_process_broker.h; edit there
// bench/in_process_broker.h — a complete broker on a background thread, for benchmarks
// and for the tests that need a real socket.
//
// Exactly the server `streamcraft broker` runs (logs, request handler, the Kafka service on
// the Asio server), on 127.0.0.1 and a free port, in the benchmark's own process; stopped,
// and its logs closed, when the object goes out of scope.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <asio.hpp>
#include <fmt/format.h>

#include "broker/node.h"
#include "net/server.h"
#include "net/cluster_driver.h"

namespace streamcraft::bench {

class InProcessBroker {
 public:
  // `tune` may change the configuration (segment sizes, group settings) before start.
  // `background` runs the logs' disk jobs (common/executor.h); nullptr: the log
  // manager's own threads, as in `streamcraft broker`.
  explicit InProcessBroker(const std::filesystem::path& dir,
                           const std::function<void(broker::BrokerConfig&)>& tune = {},
                           Executor* background = nullptr) {
    config_.log_dir = dir;
    config_.listener.port = 0;
    if (tune) tune(config_);
    auto node = broker::Node::open(log::posix_file_system(), config_, clock_, background);
    if (!node) fail(node.error().describe());
    node_ = std::move(*node);
    server_ = std::make_unique<net::Server>(io_, broker::server_options(node_->config()), node_->service(), clock_);
    if (auto s = server_->start(); !s) fail(s.error().describe());
    // A broker of a replicated cluster (cluster.brokers set) talks to the others.
    if (node_->peers()) {
      driver_ = std::make_unique<net::ClusterDriver>(io_, *node_, *server_, clock_);
      driver_->kick();
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  ~InProcessBroker() {
    if (crashed_) return;
    asio::post(io_, [this] {
      if (driver_) driver_->stop();
      server_->stop();
    });
    thread_.join();
    (void)node_->close();
  }
  // As kill -9 would leave it: the connections close, nothing is flushed or checkpointed.
  void crash() {
    asio::post(io_, [this] {
      if (driver_) driver_->stop();
      server_->stop();
    });
    thread_.join();
    crashed_ = true;
  }
  InProcessBroker(const InProcessBroker&) = delete;
  InProcessBroker& operator=(const InProcessBroker&) = delete;

  std::string bootstrap() const { return fmt::format("127.0.0.1:{}", server_->port()); }
  std::uint16_t port() const { return server_->port(); }

  // Runs f on the broker's network thread and returns its result: the server and its
  // handler are not thread-safe, so this is the only way to look inside them.
  template <class F>
  auto on_network_thread(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }
  net::Server::Stats stats() {
    return on_network_thread([this] { return server_->stats(); });
  }

 private:
  [[noreturn]] static void fail(const std::string& what) {
    fmt::print(stderr, "cannot start the broker: {}\n", what);
    std::exit(1);
  }

  SystemClock clock_;
  broker::BrokerConfig config_;
  std::unique_ptr<broker::Node> node_;
  asio::io_context io_;
  std::unique_ptr<net::Server> server_;
  std::unique_ptr<net::ClusterDriver> driver_;
  bool crashed_ = false;
  std::thread thread_;
};

}  // namespace streamcraft::bench
