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

// A topic to create in a replicated cluster.
struct NewTopic {
  std::string name;
  std::int32_t partitions = -1;                    // -1: num.partitions
  std::int16_t replication_factor = -1;            // -1: default.replication.factor
  std::vector<std::vector<std::int32_t>> assignment;  // explicit replicas per partition, or empty
  std::vector<std::pair<std::string, std::string>> configs;
  bool validate_only = false;
};
// An explicit request (CreateTopics, DeleteTopics: only the controller takes them), or one
// the broker makes itself (auto-creation: forwarded to the controller).
enum class TopicRequest { explicit_request, automatic };

using TopicPartitionId = std::pair<std::string, std::int32_t>;  // topic, partition

// The partition-level answer to a control request or an election.
struct PartitionError {
  std::string topic;
  std::int32_t partition = 0;
  Errc error = Errc::none;
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

  // What replication adds (broker/replica_manager.h). A cluster of one has no followers:
  // the defaults below are its answers.
  //
  // A client request carrying current_leader_epoch (Fetch v9+, ListOffsets v4+,
  // OffsetsForLeaderEpoch v2+; -1: no check) is checked against the epoch this broker
  // leads in: FENCED_LEADER_EPOCH when the client's is older (it has stale metadata),
  // UNKNOWN_LEADER_EPOCH when newer (this broker has not heard of that epoch yet).
  virtual Status check_leader_epoch(std::string_view, std::int32_t, std::int32_t) const { return {}; }
  // The leader's epoch for a partition it leads, as Metadata v7+ reports it.
  virtual std::int32_t leader_epoch(std::string_view topic, std::int32_t index) const {
    return partition(topic, index).leader_epoch;
  }
  // A follower's fetch at `fetch_offset` tells the leader how far that follower has
  // copied; the high watermark and the ISR may move.
  virtual void on_follower_fetch(std::string_view, std::int32_t, std::int32_t /*replica*/,
                                 std::int64_t /*fetch_offset*/, std::int64_t /*follower_log_start*/, const log::Log&) {}
  // The leader appended (an ISR of one moves the high watermark at once).
  virtual void on_leader_append(std::string_view, std::int32_t, const log::Log&) {}
  // acks=all, before the append: NOT_ENOUGH_REPLICAS when fewer than min.insync.replicas
  // replicas are in sync. One broker is always its own ISR.
  virtual Status check_min_isr(std::string_view, std::int32_t, int) const { return {}; }
  // Creating and deleting topics. nullopt: this broker does it itself, in its LogManager
  // (a cluster of one). Otherwise the controller's answer — or, for a request this
  // broker forwarded to the controller, OK: the topic will appear in metadata soon.
  virtual std::optional<Status> create_topic(const NewTopic&, TopicRequest) { return std::nullopt; }
  virtual std::optional<Status> delete_topic(const std::string&) { return std::nullopt; }
  // ElectLeaders: make each partition's preferred replica (the first of its replicas) its
  // leader, where that replica is alive and in sync (nullopt: every partition). Per
  // partition NONE, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE or
  // UNKNOWN_TOPIC_OR_PARTITION; NOT_CONTROLLER for the whole request on a broker that is
  // not the controller. nullopt: a cluster of one, whose only replica leads everything.
  virtual std::optional<Result<std::vector<PartitionError>>> elect_preferred_leaders(
      const std::optional<std::vector<TopicPartitionId>>&) {
    return std::nullopt;
  }
  // acks=all, after the append of records ending at `required_offset`, written while this
  // broker led in `appended_epoch`: nullopt while the high watermark is below it; then
  // OK, NOT_ENOUGH_REPLICAS_AFTER_APPEND, or NOT_LEADER_OR_FOLLOWER when the batch is no
  // longer this leader's to promise (leadership moved, or moved and came back after the
  // log was truncated under the batch).
  virtual std::optional<Status> acks_all_outcome(std::string_view topic, std::int32_t partition,
                                                 std::int64_t required_offset, std::int32_t /*appended_epoch*/,
                                                 int /*min_insync_replicas*/, const log::Log& log) const {
    if (high_watermark(topic, partition, log) < required_offset) return std::nullopt;
    return Status{};
  }
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
