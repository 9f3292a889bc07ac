// generated from final/client/cluster_clients.h; edit there
// client/cluster_clients.h — a client's way to the right broker of a cluster.
//
// In a replicated cluster each partition has its own leader, only the controller creates
// topics, and each group has its own coordinator. A real client learns who is where from
// Metadata (and FindCoordinator) and keeps a connection per broker; so do the CLI's
// commands and the group consumer, through this: leader(topic, partition), controller()
// and coordinator(group) answer a connection to that broker, opened on first use to the
// address the cluster advertises. Right after a topic is created or a leader has failed,
// Metadata may show a partition without a leader: metadata() asks again for a few
// seconds, as a client's metadata refresh would.
//
// Connections fail: a broker dies, or a request times out (client/kafka_client.h). A
// closed connection is opened again on next use; forget(node) drops one at once, and
// forget_coordinator(group) makes the next coordinator() ask FindCoordinator again — what
// a client does on NOT_COORDINATOR. Metadata is asked of the bootstrap broker first and
// of the other known brokers when it cannot answer, so losing one broker does not lose
// the cluster.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/kafka_client.h"
#include "common/error.h"
#include "protocol/metadata.h"

namespace streamcraft::client {

class ClusterClients {
 public:
  explicit ClusterClients(KafkaClient& bootstrap) : bootstrap_(bootstrap) {}

  // Metadata for `topics` (nullopt: all), asked again for up to `wait_ms` while a
  // requested topic or one of its partitions has no leader yet.
  Result<protocol::MetadataResponse> metadata(std::optional<std::vector<std::string>> topics, bool auto_create,
                                              std::int64_t wait_ms = 5'000);
  // A connection to one broker of the last metadata.
  Result<KafkaClient*> node(std::int32_t id);
  Result<KafkaClient*> leader(const std::string& topic, std::int32_t partition);
  // The partition's leader in the last metadata: -1 while it has none, nullopt when the
  // metadata does not list the partition.
  std::optional<std::int32_t> leader_id(std::string_view topic, std::int32_t partition) const;
  Result<KafkaClient*> controller();
  // The connection to `id` is broken or suspect: the next node(id) opens a new one. A
  // pointer node() returned for it dangles from then on.
  void forget(std::int32_t id);
  const protocol::MetadataResponse& last() const { return md_; }
  // The group's coordinator, found with FindCoordinator (remembered until forgotten).
  // COORDINATOR_NOT_AVAILABLE while the group's partition has no leader.
  Result<KafkaClient*> coordinator(const std::string& group);
  void forget_coordinator(const std::string& group);

 private:
  Result<protocol::MetadataResponse> ask_metadata(const std::optional<std::vector<std::string>>& topics,
                                                  bool auto_create);
  Result<KafkaClient*> connect_to(std::int32_t id, const std::string& host, std::int32_t port);

  KafkaClient& bootstrap_;
  protocol::MetadataResponse md_;
  std::map<std::int32_t, std::unique_ptr<KafkaClient>> clients_;
  std::map<std::string, std::int32_t> coordinators_;
};

}  // namespace streamcraft::client
