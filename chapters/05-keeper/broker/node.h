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
#include <algorithm>
#include <string>

#include "broker/config.h"
#include "broker/kafka_service.h"
#include "broker/log_manager.h"
#include "broker/request_handler.h"
#include "broker/control_requests.h"
#include "broker/controller_client.h"
#include "broker/peer_requests.h"
#include "broker/replica_manager.h"
#include "controller/controller_service.h"
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

  // A replicated broker (config.replicated()): its requests to other brokers and its part
  // in replication. nullptr for a broker alone. The driver (the network's PeerConnector,
  // or the simulator) carries out peers()'s actions and hands what came back to
  // on_peer_completions(); it calls tick_replication() when next_replication_deadline_ms()
  // is reached, and both after any request it handled.
  PeerRequests* peers() { return peers_.get(); }
  ReplicaManager* replicas() { return replicas_.get(); }
  ControllerClient* controller_client() { return controller_client_.get(); }
  // The controller, on the broker named by controller.id; nullptr on the others.
  controller::ControllerService* controller() { return controller_.get(); }
  void on_peer_completions(std::vector<PeerRequests::Completion> completions);
  void tick_replication();
  std::optional<std::int64_t> next_replication_deadline_ms() const;

  // Clean shutdown: every log flushed, sealed and marked, so the next start is quick.
  // Dropping a Node without it is what a crash (kill -9) leaves behind.
  Status close() {
    if (replicas_)
      if (auto s = replicas_->close(); !s) return s;
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
  std::unique_ptr<PeerRequests> peers_;
  std::unique_ptr<ReplicaManager> replicas_;  // before the handler: the handler asks it who leads
  std::unique_ptr<controller::ControllerService> controller_;
  std::unique_ptr<ControllerClient> controller_client_;
  std::unique_ptr<ControlRequests> control_;
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
  if (node->config_.replicated()) {
    if (node->config_.broker_heartbeat_interval_ms * 2 > node->config_.broker_heartbeat_timeout_ms)
      return make_error(Errc::invalid_config,
                        "broker.heartbeat.interval.ms must be at most half of broker.heartbeat.timeout.ms, or one "
                        "late heartbeat declares the broker dead");
    // A request to another broker may not wait longer than half the heartbeat timeout: a
    // heartbeat stuck behind a dead connection must give way to the next one in time for
    // the controller to keep counting this broker alive. (A follower's fetch waits at
    // most replica.fetch.wait.max.ms at the leader, so it needs a little more than that.)
    PeerRequests::Options options;
    options.client_id = "streamcraft-broker-" + std::to_string(node->config_.node_id);
    options.request_timeout_ms = std::max<std::int64_t>(node->config_.replica_fetch_wait_max_ms + 500,
                                                        node->config_.broker_heartbeat_timeout_ms / 2);
    node->peers_ = std::make_unique<PeerRequests>(clock, options);
    node->replicas_ = std::make_unique<ReplicaManager>(node->config_, *node->logs_, clock, *node->peers_);
    if (auto s = node->replicas_->open(); !s) return s.error();
    cluster = node->replicas_.get();
  }
  node->handler_ = std::make_unique<RequestHandler>(node->config_, *node->logs_, clock, cluster);
  if (node->replicas_) {
    auto& n = *node;
    n.replicas_->attach(*n.handler_);
    n.controller_client_ = std::make_unique<ControllerClient>(n.config_, clock, *n.peers_, *n.replicas_);
    if (n.config_.node_id == n.config_.controller_id) {
      auto c = controller::ControllerService::open(fs, n.config_, clock, *n.peers_);
      if (!c) return c.error();
      n.controller_ = std::move(*c);
      n.replicas_->set_topic_admin(n.controller_.get());
    } else {
      n.replicas_->set_topic_admin(n.controller_client_.get());
    }
    n.control_ = std::make_unique<ControlRequests>(*n.replicas_, n.controller_.get());
    n.handler_->set_control_requests(n.control_.get());
    n.controller_client_->tick();  // registers with the controller
  }
  node->service_ = std::make_unique<KafkaService>(node->config_, *node->handler_, *node->logs_, clock);
  // Committed offsets and groups come back from __consumer_offsets before any client can
  // ask for them.
  if (auto s = node->handler_->load_groups(); !s) return s.error();
  return node;
}

inline void Node::on_peer_completions(std::vector<PeerRequests::Completion> completions) {
  if (!replicas_) return;
  for (const auto& c : completions) {
    if (ReplicaManager::owns(c.token)) replicas_->on_completion(c);
    else if (ControllerClient::owns(c.token)) controller_client_->on_completion(c);
    else if (controller_ && controller::ControllerService::owns(c.token)) controller_->on_completion(c);
  }
}

inline void Node::tick_replication() {
  if (!replicas_) return;
  if (controller_) controller_->tick();
  replicas_->tick();
  controller_client_->tick();  // after the replicas: their new ISR proposals go out at once
}

inline std::optional<std::int64_t> Node::next_replication_deadline_ms() const {
  if (!replicas_) return std::nullopt;
  auto next = replicas_->next_deadline_ms();
  auto consider = [&](std::optional<std::int64_t> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  consider(controller_client_->next_deadline_ms());
  if (controller_) consider(controller_->next_deadline_ms());
  return next;
}

}  // namespace streamcraft::broker
