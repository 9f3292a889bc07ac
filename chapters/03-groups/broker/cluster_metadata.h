// generated from final/broker/cluster_metadata.h; edit there
// broker/cluster_metadata.h — who is in the cluster and who leads what.
//
// Every answer the request handler gives about the cluster rather than about one log
// comes from here: which brokers exist and where clients reach them, which broker is the
// controller, who leads partition P at which leader epoch with which replicas and in-sync
// replicas, how far a consumer may read (the high watermark), whether a new topic's
// replication can be met, and which broker coordinates a consumer group.
//
// A cluster of one broker answers all of that alone: SingleNodeMetadata below — every
// partition led by this broker at epoch 0, its only replica and in sync, and every record
// committed as soon as it is in the log (high watermark = log end offset). Chapter 4 adds
// an implementation for a replicated cluster, where those answers come from the
// controller and the followers' progress; the handler does not change.
//
// Read on the handler's thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/config.h"
#include "common/error.h"
#include "log/log.h"

namespace streamcraft::broker {

struct BrokerEndpoint {
  std::int32_t id = 0;
  std::string host;
  std::uint16_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionState {
  std::int32_t leader = -1;  // -1: no leader (offline)
  std::int32_t leader_epoch = 0;
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> isr;
  std::vector<std::int32_t> offline_replicas;
};

class ClusterMetadata {
 public:
  virtual ~ClusterMetadata() = default;

  virtual std::vector<BrokerEndpoint> brokers() const = 0;
  virtual std::int32_t controller_id() const = 0;
  // The state of one partition of an existing topic (the handler checks that it exists).
  virtual PartitionState partition(std::string_view topic, std::int32_t partition) const = 0;
  // Whether this broker leads the partition: only the leader takes produce and fetch.
  virtual bool leads(std::string_view topic, std::int32_t partition) const = 0;
  // The offset below which the partition's records are committed: consumers read up to
  // it, never past it.
  virtual std::int64_t high_watermark(std::string_view topic, std::int32_t partition,
                                      const log::Log& log) const = 0;
  // Whether a new topic with this replication factor (-1: the default) can be placed;
  // INVALID_REPLICATION_FACTOR when it cannot.
  virtual Status check_replication(std::int16_t replication_factor) const = 0;
  // The broker that coordinates the groups whose __consumer_offsets partition this is
  // (the partition's leader).
  virtual std::optional<BrokerEndpoint> coordinator(std::int32_t offsets_partition) const = 0;
};

// A cluster of one: this broker is every partition's leader, replica and ISR.
class SingleNodeMetadata final : public ClusterMetadata {
 public:
  explicit SingleNodeMetadata(const BrokerConfig& config);
  // The address clients should connect to (the server learns its port only when it binds).
  void set_advertised(std::string host, std::uint16_t port);

  std::vector<BrokerEndpoint> brokers() const override { return {self_}; }
  std::int32_t controller_id() const override { return self_.id; }  // one broker: it is also the controller
  PartitionState partition(std::string_view topic, std::int32_t partition) const override;
  bool leads(std::string_view, std::int32_t) const override { return true; }
  // No replication: a record is committed once it is in the leader's log.
  std::int64_t high_watermark(std::string_view, std::int32_t, const log::Log& log) const override {
    return log.log_end_offset();
  }
  Status check_replication(std::int16_t replication_factor) const override;
  std::optional<BrokerEndpoint> coordinator(std::int32_t) const override { return self_; }

 private:
  BrokerEndpoint self_;
};

}  // namespace streamcraft::broker
