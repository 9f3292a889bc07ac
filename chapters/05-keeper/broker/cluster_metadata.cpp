// generated from final/broker/cluster_metadata.cpp; edit there
// broker/cluster_metadata.cpp — the single-broker answers (see cluster_metadata.h).
#include "broker/cluster_metadata.h"

#include <fmt/format.h>

namespace streamcraft::broker {

SingleNodeMetadata::SingleNodeMetadata(const BrokerConfig& config) {
  self_.id = config.node_id;
  self_.host = config.advertised ? config.advertised->host : config.listener.host;
  self_.port = config.advertised ? config.advertised->port : config.listener.port;
}

void SingleNodeMetadata::set_advertised(std::string host, std::uint16_t port) {
  self_.host = std::move(host);
  self_.port = port;
}

PartitionState SingleNodeMetadata::partition(std::string_view, std::int32_t) const {
  PartitionState p;
  p.leader = self_.id;
  p.replicas = {self_.id};
  p.isr = {self_.id};
  return p;
}

Status SingleNodeMetadata::check_replication(std::int16_t replication_factor) const {
  if (replication_factor == -1 || replication_factor == 1) return {};
  return make_error(Errc::invalid_replication_factor,
                    fmt::format("replication factor {}: this single-broker cluster has 1 broker", replication_factor));
}

}  // namespace streamcraft::broker
