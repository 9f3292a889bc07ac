// generated from final/broker/config.h; edit there
// broker/config.h — the broker's settings: a properties file, overridden by flags.
//
// Operators configure Kafka with a `server.properties` file of `key=value` lines; we read
// the same format and the same key names where they exist in Kafka, so that an operator's
// knowledge carries over. Command-line flags override the file. Per-topic settings
// (segment.bytes, retention.ms, …) default to the broker's log.* settings and can be
// overridden per topic at creation time (broker/log_manager.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "log/log.h"
#include "group/coordinator.h"

namespace streamcraft::broker {

struct Listener {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9092;  // 0: pick a free port (tests)
};

// One broker of a replicated cluster as the configuration names it: `id@host:port`.
struct ClusterMember {
  std::int32_t id = 0;
  Listener address;
};

struct BrokerConfig {
  std::int32_t node_id = 0;                                 // node.id / broker.id
  Listener listener;                                        // listeners=PLAINTEXT://host:port
  std::optional<Listener> advertised;                       // advertised.listeners
  std::filesystem::path log_dir = "/tmp/streamcraft-logs";  // log.dirs (one directory)
  std::string cluster_id = "streamcraft";                   // cluster.id
  std::int32_t num_partitions = 1;                          // num.partitions (auto-created topics)
  bool auto_create_topics = true;                           // auto.create.topics.enable
  std::size_t max_request_bytes = 100 * 1024 * 1024;        // socket.request.max.bytes
  // Backpressure: a connection stops being read while this many of its requests wait for
  // their responses to be written, or while this many response bytes wait in memory
  // (Kafka mutes such a channel the same way). A client that never reads then fills its
  // own socket buffers and stops, instead of the broker's memory.
  std::size_t max_queued_requests = 500;                    // queued.max.requests (per connection)
  std::size_t max_queued_response_bytes = 64 * 1024 * 1024;  // queued.max.response.bytes (course's)
  log::LogConfig log;  // log.segment.bytes, log.retention.ms, log.flush.interval.messages, …
  std::int64_t retention_check_interval_ms = 300'000;       // log.retention.check.interval.ms
  // group.initial.rebalance.delay.ms, group.min/max.session.timeout.ms,
  // offsets.topic.num.partitions, offset.metadata.max.bytes
  group::CoordinatorConfig group;
  std::int32_t offsets_segment_bytes = 100 * 1024 * 1024;  // offsets.topic.segment.bytes
  // A replicated cluster (chapter 4): every broker is listed in cluster.brokers (the
  // course's setting: `1@host:port,2@host:port,…`), and the one named by controller.id
  // plays controller. An empty list: a cluster of this broker alone, as before.
  std::vector<ClusterMember> cluster_brokers;                // cluster.brokers
  std::int32_t controller_id = -1;                           // controller.id
  std::int16_t default_replication_factor = 1;               // default.replication.factor
  std::int16_t offsets_topic_replication_factor = 3;         // offsets.topic.replication.factor
  std::int32_t offsets_commit_timeout_ms = 5'000;            // offsets.commit.timeout.ms
  std::int64_t replica_lag_time_max_ms = 30'000;             // replica.lag.time.max.ms
  std::int32_t replica_fetch_wait_max_ms = 500;              // replica.fetch.wait.max.ms
  std::int32_t replica_fetch_min_bytes = 1;                  // replica.fetch.min.bytes
  std::int32_t replica_fetch_max_bytes = 1024 * 1024;        // replica.fetch.max.bytes (per partition)
  std::int32_t replica_fetch_response_max_bytes = 10 * 1024 * 1024;  // replica.fetch.response.max.bytes
  std::int64_t replica_fetch_backoff_ms = 1'000;             // replica.fetch.backoff.ms
  std::int64_t high_watermark_checkpoint_interval_ms = 5'000;  // replica.high.watermark.checkpoint.interval.ms
  bool unclean_leader_election_enable = false;               // unclean.leader.election.enable
  std::int64_t broker_heartbeat_interval_ms = 2'000;         // broker.heartbeat.interval.ms
  std::int64_t broker_heartbeat_timeout_ms = 6'000;          // broker.heartbeat.timeout.ms (controller's)
  bool replicated() const { return !cluster_brokers.empty(); }
};

// Applies one `key=value` setting. Unknown keys are an error naming the key.
Status apply_setting(BrokerConfig& config, const std::string& key, const std::string& value);
// Applies the topic-level keys (segment.bytes, retention.ms, …) to a log config.
Status apply_topic_setting(log::LogConfig& config, const std::string& key, const std::string& value);
// Reads a properties file: `key=value` lines, `#` and `!` comments, blank lines.
Result<std::vector<std::pair<std::string, std::string>>> read_properties(const std::filesystem::path& path);
Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text);
// Parses "PLAINTEXT://host:port" (the scheme is optional).
Result<Listener> parse_listener(std::string_view text);
// Parses cluster.brokers: `id@host:port` items separated by commas.
Result<std::vector<ClusterMember>> parse_cluster_brokers(std::string_view text);

}  // namespace streamcraft::broker
