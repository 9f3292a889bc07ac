// generated from final/broker/node.h; edit there
// broker/node.h — one broker node: its configuration, logs, request handler and the Kafka
// service over them, wired once.
//
// Everything that runs a broker — `streamcraft broker`, the in-process broker of the
// benchmarks and tests, the sans-I/O test fixture, and (from chapter 4) the simulator
// running several brokers in one process — opens it through here, so that every one of
// them starts the same way: logs recovered, the handler over them, and (from chapter 3)
// committed offsets and groups replayed before the first request. A later chapter adds
// its parts (replication, the controller's client) here, once.
//
// No sockets and no threads: the network adapter (net/server.h) is put around a Node,
// serving its service() with the options server_options(config()) gives.
#pragma once

#include <memory>

#include "broker/config.h"
#include "broker/kafka_service.h"
#include "broker/log_manager.h"
#include "broker/request_handler.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/error.h"
#include "log/file.h"

namespace streamcraft::broker {

class Node {
 public:
  // Opens the logs under config.log_dir (recovering them as needed) and the handler.
  // `background` runs slow disk work (LogManager::open); nullptr: the node's own threads.
  static Result<std::unique_ptr<Node>> open(log::FileSystem& fs, BrokerConfig config, const Clock& clock,
                                            Executor* background = nullptr);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const BrokerConfig& config() const { return config_; }
  LogManager& logs() { return *logs_; }
  RequestHandler& handler() { return *handler_; }
  // What net::Server serves: the handler and the logs' maintenance (broker/kafka_service.h).
  KafkaService& service() { return *service_; }

  // Clean shutdown: every log flushed, sealed and marked, so the next start is quick.
  // Dropping a Node without it is what a crash (kill -9) leaves behind.
  Status close() {
    return logs_->close();
  }

 private:
  struct Private {
    explicit Private() = default;
  };

 public:
  Node(Private, BrokerConfig config) : config_(std::move(config)) {}  // through open() only

 private:
  BrokerConfig config_;  // first: the logs and the handler keep references to it
  std::unique_ptr<LogManager> logs_;
  std::unique_ptr<RequestHandler> handler_;
  std::unique_ptr<KafkaService> service_;  // last: it refers to the handler and the logs
};

inline Result<std::unique_ptr<Node>> Node::open(log::FileSystem& fs, BrokerConfig config, const Clock& clock,
                                                Executor* background) {
  auto node = std::make_unique<Node>(Private{}, std::move(config));
  auto logs = LogManager::open(fs, node->config_, clock, background);
  if (!logs) return logs.error();
  node->logs_ = std::move(*logs);
  ClusterMetadata* cluster = nullptr;  // none: the handler answers for this broker alone
  node->handler_ = std::make_unique<RequestHandler>(node->config_, *node->logs_, clock, cluster);
  node->service_ = std::make_unique<KafkaService>(node->config_, *node->handler_, *node->logs_, clock);
  // Committed offsets and groups come back from __consumer_offsets before any client can
  // ask for them.
  if (auto s = node->handler_->load_groups(); !s) return s.error();
  return node;
}

}  // namespace streamcraft::broker
