// generated from final/broker/replica_manager.h; edit there
// broker/replica_manager.h — one broker's part in replication: the partitions it leads,
// the partitions it follows, and what it tells clients about the cluster.
//
// The controller decides who leads what and tells every broker (LeaderAndIsr, Kafka's key
// 4); the ReplicaManager carries the decision out on this broker, as Kafka's ReplicaManager
// does:
//
// - **Become leader** (this broker is named leader at a newer leader epoch): the log
//   starts a new epoch at its end (log/log.h: become_leader), the partition's followers
//   are tracked from scratch (replication/leader_partition.h), and — for a partition of
//   __consumer_offsets — the groups it holds are loaded into the coordinator.
// - **Become follower**: the log stops stamping epochs, acks=all producers still waiting
//   on it are answered NOT_LEADER_OR_FOLLOWER, its groups are unloaded, and the fetcher of
//   the new leader (replication/fetcher.h: one per leader, for all partitions it leads)
//   starts with the truncation exchange.
//
// A state is applied only if it is newer than the one this broker has: a higher leader
// epoch, or the same epoch with a higher partition version (an ISR change). Requests from
// an older controller (a lower controller epoch) or meant for an older incarnation of this
// broker (another broker epoch) are refused whole — the fencing that keeps a delayed
// message from undoing a newer decision.
//
// It is also this broker's ClusterMetadata (broker/cluster_metadata.h): the live brokers
// and every partition's leader, epoch, replicas and ISR as the controller's UpdateMetadata
// last said, the high watermarks, and the acks=all rules. UpdateMetadata is also how a
// broker learns that a topic exists: it creates the topic's logs the first time it hears
// of it (every broker keeps a log directory for every partition; only the replicas write
// in theirs), and deletes them when StopReplica says the topic was deleted.
//
// High watermarks are checkpointed to `<log.dir>/replication-offset-checkpoint` (Kafka's
// file and format) every replica.high.watermark.checkpoint.interval.ms and at close, and
// read back at open: a restarted leader serves consumers up to what it last knew was
// committed, never more.
//
// Sans-I/O: the fetchers' requests go out through broker::PeerRequests, whose driver is
// the network (net/peer_connector.h) or the simulator; time comes from the clock and
// tick(). ISR proposals are taken out by whoever talks to the controller
// (broker/controller_client.h). Not thread-safe: the network thread drives it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/cluster_metadata.h"
#include "broker/config.h"
#include "broker/log_manager.h"
#include "broker/peer_requests.h"
#include "common/clock.h"
#include "common/error.h"
#include "replication/fetcher.h"
#include "replication/leader_partition.h"

namespace streamcraft::broker {

class RequestHandler;

// One partition's state as the controller announces it (LeaderAndIsr, UpdateMetadata).
struct PartitionAnnouncement {
  std::string topic;
  std::int32_t partition = 0;
  std::int32_t controller_epoch = 0;
  PartitionState state;      // leader, leader_epoch, replicas, isr, offline_replicas
  std::int32_t version = 0;  // the partition state's version: ISR proposals name it
  bool is_new = false;       // just created: the replica starts from an empty log
};

// A leader's proposal for a new ISR, for the controller (a compare-and-set on `version`).
struct IsrProposal {
  std::string topic;
  std::int32_t partition = 0;
  std::int32_t leader_epoch = 0;
  std::vector<std::int32_t> isr;
  std::int32_t version = 0;
};


// Where topics are created and deleted: the controller. On the controller's broker that
// is the controller itself (controller/controller_service.h); on the others, the client
// that talks to it (broker/controller_client.h).
class TopicAdmin {
 public:
  virtual ~TopicAdmin() = default;
  virtual Status create_topic(const NewTopic& topic, TopicRequest how) = 0;
  virtual Status delete_topic(const std::string& name) = 0;
  // ElectLeaders: NOT_CONTROLLER anywhere but on the controller (ClusterMetadata says more).
  virtual Result<std::vector<PartitionError>> elect_preferred_leaders(const std::optional<std::vector<TopicPartitionId>>& partitions) = 0;
};

class ReplicaManager final : public ClusterMetadata, private replication::Replicas {
 public:
  // The tokens of its requests to other brokers (PeerRequests) all have this bit set.
  static constexpr std::uint64_t kTokenTag = 1ull << 62;
  static bool owns(std::uint64_t token) { return (token & (3ull << 62)) == kTokenTag; }

  ReplicaManager(const BrokerConfig& config, LogManager& logs, const Clock& clock, PeerRequests& peers);
  // Reads the high-watermark checkpoint. Call once, before anything else.
  Status open();
  // The handler whose parked requests (long-poll fetches, acks=all produces) wake when a
  // high watermark moves, and whose coordinator loads the groups of led partitions.
  void attach(RequestHandler& handler) { handler_ = &handler; }
  // The broker epoch the controller gave this broker's registration (broker/controller_client.h);
  // control requests for any other epoch are refused.
  void set_broker_epoch(std::int64_t epoch) { broker_epoch_ = epoch; }
  // Who creates and deletes topics (the handler's CreateTopics, DeleteTopics, auto-creation).
  void set_topic_admin(TopicAdmin* admin) { admin_ = admin; }
  std::int64_t broker_epoch() const { return broker_epoch_; }

  // --- from the controller ---
  // LeaderAndIsr: lead or follow each partition. An error for the whole request
  // (STALE_CONTROLLER_EPOCH, STALE_BROKER_EPOCH), or one per partition.
  Result<std::vector<PartitionError>> leader_and_isr(std::int32_t controller_epoch, std::int64_t broker_epoch,
                                                     const std::vector<PartitionAnnouncement>& partitions);
  // UpdateMetadata: the live brokers and the partitions that changed.
  Status update_metadata(std::int32_t controller_epoch, std::int64_t broker_epoch, std::vector<BrokerEndpoint> live,
                         const std::vector<PartitionAnnouncement>& partitions);
  // TopicConfigs: the settings of topics that have their own; a topic's logs are created
  // with them (merged over this broker's defaults) when it is first announced.
  Status set_topic_configs(std::int32_t controller_epoch, std::int64_t broker_epoch,
                           std::map<std::string, std::vector<std::pair<std::string, std::string>>> configs);
  // StopReplica: stop leading or following these partitions (and delete them, with
  // delete_partitions: their topic was deleted).
  Result<std::vector<PartitionError>> stop_replicas(std::int32_t controller_epoch, std::int64_t broker_epoch,
                                                    bool delete_partitions,
                                                    const std::vector<std::pair<std::string, std::int32_t>>& partitions);

  // --- ISR changes, for the controller client ---
  std::vector<IsrProposal> take_isr_proposals();
  bool has_isr_proposals() const { return !proposals_.empty(); }
  // The controller's answer: the state it committed (the proposal or a newer one), or an
  // error (a newer state exists: wait for its LeaderAndIsr).
  void isr_committed(const std::string& topic, std::int32_t partition, std::int32_t leader_epoch,
                     std::vector<std::int32_t> isr, std::int32_t version);
  void isr_refused(const std::string& topic, std::int32_t partition, Errc why);

  // --- ClusterMetadata ---
  std::vector<BrokerEndpoint> brokers() const override;
  std::int32_t controller_id() const override { return config_.controller_id; }
  PartitionState partition(std::string_view topic, std::int32_t partition) const override;
  bool leads(std::string_view topic, std::int32_t partition) const override;
  std::int64_t high_watermark(std::string_view topic, std::int32_t partition, const log::Log& log) const override;
  Status check_replication(std::int16_t replication_factor) const override;
  std::optional<BrokerEndpoint> coordinator(std::int32_t offsets_partition) const override;
  std::optional<Status> create_topic(const NewTopic& topic, TopicRequest how) override;
  std::optional<Result<std::vector<PartitionError>>> elect_preferred_leaders(
      const std::optional<std::vector<TopicPartitionId>>& partitions) override;
  std::optional<Status> delete_topic(const std::string& name) override;
  Status check_leader_epoch(std::string_view topic, std::int32_t partition, std::int32_t current) const override;
  std::int32_t leader_epoch(std::string_view topic, std::int32_t partition) const override;
  void on_follower_fetch(std::string_view topic, std::int32_t partition, std::int32_t replica,
                         std::int64_t fetch_offset, std::int64_t follower_log_start, const log::Log& log) override;
  void on_leader_append(std::string_view topic, std::int32_t partition, const log::Log& log) override;
  Status check_min_isr(std::string_view topic, std::int32_t partition, int min_insync_replicas) const override;
  std::optional<Status> acks_all_outcome(std::string_view topic, std::int32_t partition, std::int64_t required_offset,
                                         std::int32_t appended_epoch, int min_insync_replicas,
                                         const log::Log& log) const override;

  // --- the driver ---
  // Time-driven work: fetches to send (or retry), ISR shrinks, the HW checkpoint.
  void tick();
  // A completion of one of its requests (owns(token)).
  void on_completion(const PeerRequests::Completion& completion);
  std::optional<std::int64_t> next_deadline_ms() const;
  // Writes the high-watermark checkpoint (clean shutdown).
  Status close();

  // --- readers, for `topic describe` and the tests ---
  const replication::LeaderPartition* leader_state(std::string_view topic, std::int32_t partition) const;
  const replication::ReplicaFetcher* fetcher(std::int32_t leader) const;
  std::int32_t controller_epoch() const { return controller_epoch_; }
  static constexpr const char* kHighWatermarkFile = "replication-offset-checkpoint";

 private:
  using Key = std::pair<std::string, std::int32_t>;
  struct Replica {
    enum class Role { none, leader, follower };
    Role role = Role::none;
    std::int32_t leader = -1;
    std::int32_t leader_epoch = -1;
    std::int32_t version = -1;
    std::int64_t high_watermark = 0;  // a follower's (min(leader's HW, own log end)), or the checkpointed one
    std::unique_ptr<replication::LeaderPartition> lead;  // role == leader
  };
  struct Known {  // the metadata cache: what the controller last said
    PartitionState state;
    std::int32_t version = -1;
  };

  // replication::Replicas, for the fetchers.
  log::Log* log(const std::string& topic, std::int32_t partition) override;
  void high_watermark_changed(const std::string& topic, std::int32_t partition, std::int64_t hw) override;

  Status check_fencing(std::int32_t controller_epoch, std::int64_t broker_epoch);
  Status ensure_topic(const std::string& topic);
  Errc become_leader(const Key& key, Replica& r, const PartitionAnnouncement& a);
  Errc become_follower(const Key& key, Replica& r, const PartitionAnnouncement& a);
  void stop(const Key& key, Replica& r);
  void stop_fetching(const Key& key, std::int32_t leader);
  void propose(const Key& key, Replica& r, std::vector<std::int32_t> isr);
  void send_fetches();
  void hw_moved(const Key& key);
  Status write_checkpoint();
  const Replica* find(std::string_view topic, std::int32_t partition) const;

  const BrokerConfig& config_;
  LogManager& logs_;
  const Clock& clock_;
  PeerRequests& peers_;
  RequestHandler* handler_ = nullptr;
  TopicAdmin* admin_ = nullptr;
  std::int32_t controller_epoch_ = 0;
  std::int64_t broker_epoch_ = -1;
  std::map<Key, Replica> replicas_;
  std::map<Key, Known> known_;
  std::map<Key, std::int64_t> checkpointed_;  // high watermarks read at open
  std::map<std::string, std::int32_t> topic_partitions_;  // partition counts, from UpdateMetadata
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> topic_configs_;  // from TopicConfigs
  std::vector<BrokerEndpoint> live_;
  bool heard_from_controller_ = false;
  std::map<std::int32_t, std::unique_ptr<replication::ReplicaFetcher>> fetchers_;  // by leader
  std::map<std::uint64_t, std::int32_t> fetch_tokens_;                           // in flight: token → leader
  std::uint64_t next_token_ = 1;
  std::vector<IsrProposal> proposals_;
  std::int64_t next_shrink_check_ms_ = 0;
  std::int64_t next_checkpoint_ms_ = 0;
};

}  // namespace streamcraft::broker
