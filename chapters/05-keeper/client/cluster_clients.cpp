// generated from final/client/cluster_clients.cpp; edit there
// client/cluster_clients.cpp — connections per broker, found through Metadata.
#include "client/cluster_clients.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

namespace streamcraft::client {
namespace {

bool complete(const protocol::MetadataResponse& md) {
  for (const auto& t : md.topics) {
    if (t.error == Errc::leader_not_available) return false;
    for (const auto& p : t.partitions)
      if (p.leader < 0) return false;
  }
  return true;
}

}  // namespace

Result<protocol::MetadataResponse> ClusterClients::ask_metadata(const std::optional<std::vector<std::string>>& topics,
                                                                bool auto_create) {
  auto md = bootstrap_.metadata(topics, auto_create);  // fails at once on a closed connection
  if (md || md_.brokers.size() <= 1) return md;
  // The bootstrap broker is gone: any broker of the cluster can answer.
  const auto known = md_.brokers;
  for (const auto& b : known) {
    auto c = node(b.node_id);
    if (!c) continue;
    auto other = (*c)->metadata(topics, auto_create);
    if (other) return other;
    forget(b.node_id);
  }
  return md;
}

Result<protocol::MetadataResponse> ClusterClients::metadata(std::optional<std::vector<std::string>> topics,
                                                            bool auto_create, std::int64_t wait_ms) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto md = ask_metadata(topics, auto_create);
    if (!md) return md.error();
    md_ = std::move(*md);
    if (complete(md_) || std::chrono::steady_clock::now() >= give_up) return md_;
    // A retry backoff, as a client's metadata refresh has (retry.backoff.ms).
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

Result<KafkaClient*> ClusterClients::connect_to(std::int32_t id, const std::string& host, std::int32_t port) {
  auto c = KafkaClient::connect(fmt::format("{}:{}", host, port), "streamcraft-cli");
  if (!c) return c.error();
  auto* raw = c->get();
  clients_[id] = std::move(*c);
  return raw;
}

Result<KafkaClient*> ClusterClients::node(std::int32_t id) {
  // A broker alone is the one the command connected to, whatever address it advertises.
  if (md_.brokers.size() <= 1) return &bootstrap_;
  if (auto it = clients_.find(id); it != clients_.end() && !it->second->closed()) return it->second.get();
  for (const auto& b : md_.brokers)
    if (b.node_id == id) return connect_to(id, b.host, b.port);
  return make_error(Errc::unknown_server_error, fmt::format("broker {} is not in the cluster's metadata", id));
}

void ClusterClients::forget(std::int32_t id) { clients_.erase(id); }

std::optional<std::int32_t> ClusterClients::leader_id(std::string_view topic, std::int32_t partition) const {
  for (const auto& t : md_.topics)
    if (t.name == topic)
      for (const auto& p : t.partitions)
        if (p.partition == partition) return p.leader;
  return std::nullopt;
}

Result<KafkaClient*> ClusterClients::leader(const std::string& topic, std::int32_t partition) {
  const auto id = leader_id(topic, partition);
  if (!id) return make_error(Errc::unknown_topic_or_partition, fmt::format("{}-{} is not in the metadata", topic, partition));
  if (*id < 0) return make_error(Errc::leader_not_available, fmt::format("{}-{} has no leader", topic, partition));
  return node(*id);
}

Result<KafkaClient*> ClusterClients::controller() {
  if (md_.brokers.empty()) {
    auto md = ask_metadata(std::vector<std::string>{}, false);
    if (!md) return md.error();
    md_ = std::move(*md);
  }
  return node(md_.controller_id);
}

Result<KafkaClient*> ClusterClients::coordinator(const std::string& group) {
  if (md_.brokers.empty()) {
    auto md = ask_metadata(std::vector<std::string>{}, false);
    if (!md) return md.error();
    md_ = std::move(*md);
  }
  if (auto it = coordinators_.find(group); it != coordinators_.end()) return node(it->second);
  // Any broker answers FindCoordinator: the bootstrap one, or another if it is gone.
  auto* asked = &bootstrap_;
  if (bootstrap_.closed() && md_.brokers.size() > 1) {
    for (const auto& b : md_.brokers)
      if (auto c = node(b.node_id)) {
        asked = *c;
        break;
      }
  }
  auto found = asked->find_coordinator(group);
  if (!found) return found.error();
  if (found->error != Errc::none)
    return make_error(found->error, found->error_message.value_or("FindCoordinator for group " + group));
  coordinators_[group] = found->node_id;
  if (md_.brokers.size() <= 1) return &bootstrap_;
  // The answer carries the coordinator's address: a broker the metadata we hold may not
  // list yet (it has just registered) is still reachable.
  if (auto it = clients_.find(found->node_id); it != clients_.end() && !it->second->closed()) return it->second.get();
  return connect_to(found->node_id, found->host, found->port);
}

void ClusterClients::forget_coordinator(const std::string& group) {
  if (auto it = coordinators_.find(group); it != coordinators_.end()) {
    forget(it->second);  // its connection may be the broken one
    coordinators_.erase(it);
  }
}

}  // namespace streamcraft::client
