// generated from final/cli/cluster_clients.h; edit there
// cli/cluster_clients.h — the command line's way to the right broker of a cluster.
//
// In a replicated cluster each partition has its own leader, and only the controller
// creates topics. A real client learns who is where from Metadata and keeps a connection
// per broker; so do the CLI's commands, through this: leader(topic, partition) and
// controller() answer a connection to that broker (opened on first use, to the address
// Metadata advertises). Right after a topic is created or a leader has failed, Metadata
// may show a partition without a leader: metadata() asks again for a few seconds, as a
// client's metadata refresh would.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/kafka_client.h"
#include "common/error.h"
#include "protocol/metadata.h"

namespace streamcraft::cli {

class ClusterClients {
 public:
  explicit ClusterClients(client::KafkaClient& bootstrap) : bootstrap_(bootstrap) {}

  // Metadata for `topics` (nullopt: all), asked again for up to `wait_ms` while a
  // requested topic or one of its partitions has no leader yet.
  Result<protocol::MetadataResponse> metadata(std::optional<std::vector<std::string>> topics, bool auto_create,
                                              std::int64_t wait_ms = 5'000);
  // A connection to one broker of the last metadata.
  Result<client::KafkaClient*> node(std::int32_t id);
  Result<client::KafkaClient*> leader(const std::string& topic, std::int32_t partition);
  Result<client::KafkaClient*> controller();
  const protocol::MetadataResponse& last() const { return md_; }

 private:
  client::KafkaClient& bootstrap_;
  protocol::MetadataResponse md_;
  std::map<std::int32_t, std::unique_ptr<client::KafkaClient>> clients_;
};

}  // namespace streamcraft::cli
