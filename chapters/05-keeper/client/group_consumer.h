// generated from final/client/group_consumer.h; edit there
// client/group_consumer.h — a consumer that shares its topics' partitions with the other
// members of a consumer group, and remembers in the group how far it has read.
//
// The group protocol, seen from the client (group/coordinator.h has the broker's side):
//
//   1. FindCoordinator: which broker keeps the group? Every group request goes there
//      (ClusterClients::coordinator). The coordinator can move — in a replicated
//      cluster it is the leader of the group's __consumer_offsets partition — and then
//      answers NOT_COORDINATOR, or FindCoordinator says COORDINATOR_NOT_AVAILABLE, or
//      the connection breaks: the consumer asks FindCoordinator again and retries the
//      request, for up to the rebalance timeout.
//   2. JoinGroup with protocol type "consumer" and one protocol, "range", whose metadata
//      is our subscription (client/consumer_protocol.h). A first join gets
//      MEMBER_ID_REQUIRED and an id, and joins again with it (JoinGroup v4+). The answer
//      comes once every member has (re)joined: a generation number, our member id, the
//      leader's id — and, for the leader only, every member's subscription.
//   3. SyncGroup. The leader computes the assignment with the range assignor and sends
//      it; everyone's SyncGroup answer carries their own partitions.
//   4. Start positions: the committed offset of each assigned partition (OffsetFetch),
//      or, where nothing is committed, auto.offset.reset: earliest or latest (ListOffsets).
//   5. Fetch — from each partition's leader, one request per broker, all waiting at
//      once; NOT_LEADER_OR_FOLLOWER or a lost broker means new metadata and the next
//      round — and Heartbeat every heartbeat.interval. A heartbeat answered
//      REBALANCE_IN_PROGRESS (someone joined or left) means: commit, give the partitions
//      up, go back to 2. ILLEGAL_GENERATION (our generation is over) and UNKNOWN_MEMBER_ID
//      (the group dropped us: our session timed out) mean the same, minus the commit —
//      it would be refused — and the second one also forgets the member id.
//   6. OffsetCommit of the positions, tagged with generation and member id so that the
//      coordinator refuses commits from a member that has lost its partitions.
//   7. LeaveGroup on close(), so the others rebalance at once instead of after our
//      session timeout.
//
// The rebalance is "eager", as in Kafka's classic protocol: on every rebalance a member
// gives up all its partitions and gets a fresh assignment, starting from committed offsets.
//
// Single-threaded: there is no background thread, so heartbeats are sent only inside
// poll(): every fetch's long poll ends when the next heartbeat is due, then poll()
// heartbeats and fetches again until records arrive or its timeout is over. Call poll()
// again well within session.timeout.ms, or the group drops this member. JoinGroup and
// SyncGroup block until the rebalance completes (up to the rebalance timeout).
//
// Commits: with auto_commit, what one poll() returned is committed synchronously at the
// start of the next poll(), before giving partitions up in a rebalance, and in close() —
// by then the application has processed it (at-least-once). commit() does it on demand.
// A record consumed but not committed when a member loses its partitions is consumed
// again by their next owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/cluster_clients.h"
#include "client/kafka_client.h"
#include "common/error.h"

namespace streamcraft::client {

enum class OffsetReset { earliest, latest };

struct GroupConsumerConfig {
  std::string bootstrap = "127.0.0.1:9092";
  std::string group_id;
  std::vector<std::string> topics;
  std::string client_id = "streamcraft-consumer";
  std::int32_t session_timeout_ms = 10'000;     // session.timeout.ms
  std::int32_t rebalance_timeout_ms = 30'000;   // how long a rebalance waits for members to rejoin
  std::int32_t heartbeat_interval_ms = 3'000;   // heartbeat.interval.ms
  OffsetReset auto_offset_reset = OffsetReset::latest;  // auto.offset.reset (Kafka's default)
  bool auto_commit = true;
  std::int32_t fetch_max_wait_ms = 500;         // fetch.max.wait.ms
  std::int32_t max_partition_fetch_bytes = 1 << 20;
};

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct ConsumedRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

class GroupConsumer {
 public:
  // Connects to the broker and checks that it is the group's coordinator. The consumer
  // joins the group in its first poll().
  static Result<std::unique_ptr<GroupConsumer>> open(GroupConsumerConfig config);
  ~GroupConsumer();  // close(), errors ignored

  // Joins or rejoins the group when needed, heartbeats when due, and returns the next
  // records of the assigned partitions: as soon as there are some, or none once
  // `timeout` is over. Errors are those the consumer cannot handle itself (the broker is
  // unreachable, the group uses another protocol, a fetch failed).
  Result<std::vector<ConsumedRecord>> poll(std::chrono::milliseconds timeout);
  // Commits, synchronously, the position of every assigned partition that moved since
  // the last commit. After a rebalance it fails (REBALANCE_IN_PROGRESS,
  // ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) and the consumer rejoins in its next poll().
  Status commit();
  // Moves an assigned partition's position: the next poll() returns records from
  // `offset` on, and the next commit commits it. Used to hand back records an application
  // received but did not process. UNKNOWN_TOPIC_OR_PARTITION if the partition is not ours.
  Status seek(const TopicPartition& partition, std::int64_t offset);
  // Commits (with auto_commit) and leaves the group. Later calls do nothing.
  Status close();

  const std::vector<TopicPartition>& assignment() const { return assignment_; }
  // The next offset to consume of each assigned partition.
  std::map<TopicPartition, std::int64_t> positions() const;
  // Every assigned partition has been fetched and read up to its high watermark (also
  // true for a member that was assigned nothing).
  bool caught_up() const;
  std::int32_t generation() const { return generation_; }
  const std::string& member_id() const { return member_id_; }
  bool is_leader() const { return !member_id_.empty() && member_id_ == leader_; }

  struct Private {
    explicit Private() = default;
  };
  GroupConsumer(Private, GroupConsumerConfig config, std::unique_ptr<KafkaClient> client);

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct PartitionState {
    std::optional<std::int64_t> position;   // unknown until the start position is looked up
    std::int64_t committed = -1;            // what this member last committed (or found committed)
    std::int64_t high_watermark = -1;       // from the last fetch, -1 before the first
  };

  Status join_group();
  Result<std::vector<protocol::SyncGroupAssignment>> assign(const std::vector<protocol::JoinGroupMember>& members);
  Status init_positions();
  Status reset_positions(const std::vector<TopicPartition>& partitions);
  Status heartbeat_if_due();
  Result<std::vector<ConsumedRecord>> fetch(std::int32_t max_wait_ms);
  // `call(coordinator)` returns Result<Response>; `error_of(response)` the error that
  // says the coordinator moved, if any. Retried on a coordinator found again.
  template <class Call, class ErrorOf>
  auto to_coordinator(const char* what, Call call, ErrorOf error_of) -> decltype(call(std::declval<KafkaClient&>()));
  // Metadata for the subscribed topics, when a leader is unknown or has moved.
  Status refresh_metadata_if_stale();
  // Gives the partitions up and marks the consumer for rejoining; commits first if asked to.
  void rejoin(bool commit_first);

  GroupConsumerConfig config_;
  std::unique_ptr<KafkaClient> client_;  // the bootstrap broker
  std::unique_ptr<ClusterClients> cluster_;
  bool metadata_stale_ = true;
  std::string member_id_;
  std::string leader_;
  std::int32_t generation_ = -1;
  bool needs_join_ = true;
  bool closed_ = false;
  std::vector<TopicPartition> assignment_;
  std::map<TopicPartition, PartitionState> partitions_;
  SteadyTime next_heartbeat_{};
};

}  // namespace streamcraft::client
