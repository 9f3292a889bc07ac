// generated from final/controller/controller.h; edit there
// controller/controller.h — chapter 4's fixed controller: who is alive, and who leads.
//
// One broker of the cluster (the one named by controller.id) plays controller. It is the
// only place where leadership is decided, which is what makes leader epochs meaningful:
// an epoch is a number the controller hands out, once, together with one leader. The
// decisions are Kafka's ZooKeeper-mode controller's (KafkaController, 2.x):
//
// - **Liveness.** A broker registers (and gets a new broker epoch, larger than any
//   before, like the creation id of its ZooKeeper registration) and then heartbeats. A
//   broker silent for broker.heartbeat.timeout.ms is dead — the role ZooKeeper's session
//   timeout plays in Kafka (KRaft calls its equivalent broker.session.timeout.ms). A
//   heartbeat with an old broker epoch comes from a previous incarnation of the broker (a
//   zombie) and is refused with STALE_BROKER_EPOCH.
// - **Failover.** For a partition whose leader died: the new leader is the first replica
//   in assignment order that is alive and in the ISR; the dead broker leaves the ISR; the
//   leader epoch goes up by one. When nobody qualifies the partition is offline (leader
//   -1) until an ISR member comes back — unless unclean.leader.election.enable, which takes
//   any live replica and may lose acknowledged records. A dead follower leaves the ISR
//   too, also with epoch + 1 (controller-made ISR changes bump the epoch; a leader's own
//   ISR changes through alter_isr do not). The ISR is never made empty: its last member
//   stays listed ("last replica standing"), since it is the only broker known to hold
//   every committed record.
// - **Leaders propose, the controller disposes.** A leader's ISR change is a
//   compare-and-set on the partition's state: it names the leader epoch and the version
//   it knows; the controller commits it only if both are current.
// - **Durable first, announced second.** Every change goes to the MetadataStore before
//   any event announces it, and Controller::open rebuilds everything from the store.
//
// How the rules are applied: level-triggered. After every input the controller looks at
// every partition and repairs what the live set makes wrong (a dead leader, a dead ISR
// member, an offline partition with a live ISR member) — so a repair interrupted by a
// store failure or a controller crash is simply done at the next input or at open().
//
// Sans-I/O: no threads, no sockets, no clock. Time comes in as now_ms; the outputs are
// ControllerEvents that the caller takes with take_events() and turns into LeaderAndIsr
// and UpdateMetadata requests (Kafka's control requests, keys 4 and 6). Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "broker/cluster_metadata.h"
#include "common/error.h"
#include "controller/partition_store.h"

namespace streamcraft::controller {

struct ControllerConfig {
  std::int32_t controller_id = 0;                  // controller.id
  std::vector<std::int32_t> broker_ids;            // the brokers of this cluster
  std::int64_t broker_heartbeat_timeout_ms = 6000;  // broker.heartbeat.timeout.ms
  bool unclean_leader_election_enable = false;     // unclean.leader.election.enable
  std::int16_t default_replication_factor = 1;     // default.replication.factor
};

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// One partition as the controller knows it.
struct PartitionView {
  broker::PartitionState state;      // leader, leader_epoch, replicas, isr, offline_replicas
  std::int32_t version = 0;          // the state record's version ("partition version", zkVersion)
  std::int32_t controller_epoch = 0;  // of the controller that made the last leadership decision
};

struct BrokerInfo {
  broker::BrokerEndpoint endpoint;  // id only, until it registers
  std::int64_t broker_epoch = -1;   // -1: never registered
  bool live = false;
  bool shutting_down = false;
};

// "Broker B: this is partition P's state; lead or follow" (Kafka's LeaderAndIsr).
struct LeaderAndIsrEvent {
  std::int32_t broker = -1;
  std::int64_t broker_epoch = -1;  // the addressee's epoch: a restarted broker ignores its predecessor's news
  std::string topic;
  std::int32_t partition = 0;
  PartitionView partition_state;
  bool is_new = false;  // the partition was just created: the replica starts with an empty log
};

// "Broker B: here is the cluster" (Kafka's UpdateMetadata): the live brokers and the
// partitions that changed (all of them after a broker joins or the controller starts).
struct UpdateMetadataEvent {
  std::int32_t broker = -1;
  std::int64_t broker_epoch = -1;
  std::vector<broker::BrokerEndpoint> live_brokers;
  std::vector<std::pair<TopicPartition, PartitionView>> partitions;
};

// "Broker B: stop serving partition P and delete it" (Kafka's StopReplica with
// delete_partitions): the topic was deleted. UpdateMetadata lists such a partition with
// leader kLeaderDuringDelete, as Kafka's controller does.
struct StopReplicaEvent {
  std::int32_t broker = -1;
  std::int64_t broker_epoch = -1;
  std::string topic;
  std::int32_t partition = 0;
  bool delete_partition = true;
};
inline constexpr std::int32_t kLeaderDuringDelete = -2;

using ControllerEvent = std::variant<LeaderAndIsrEvent, UpdateMetadataEvent, StopReplicaEvent>;

struct ElectionResult {
  TopicPartition partition;
  Errc error = Errc::none;  // none, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION, …
};

// Kafka's rack-unaware replica placement (AdminUtils.assignReplicasToBrokers without
// racks): `brokers` sorted by id, n = brokers.size(); partition p's first replica is
// brokers[(start_index + p) % n]; the shift grows by one after every n partitions
// (shift_p = replica_shift + p / n); its j-th following replica (j = 0, 1, …) is
// brokers[(first + 1 + (shift_p + j) % (n - 1)) % n]. Requires 1 <= replication_factor <= n.
std::vector<std::vector<std::int32_t>> assign_replicas(const std::vector<std::int32_t>& brokers,
                                                       std::int32_t partitions, std::int32_t replication_factor,
                                                       std::int32_t start_index, std::int32_t replica_shift);
// Kafka draws start_index and replica_shift at random in [0, n); we draw them from a seed
// (std::mt19937_64, the first two outputs modulo n), so that a test is deterministic.
std::pair<std::int32_t, std::int32_t> placement_from_seed(std::uint64_t seed, std::int32_t brokers);

class Controller {
 public:
  // Rebuilds the controller from the store (empty: a new cluster) and bumps the
  // controller epoch. Brokers registered in the store count as live, their heartbeat clock
  // starting at the first input's now_ms: a controller restart does not kill brokers,
  // just as a Kafka controller failover keeps the brokers' ZooKeeper sessions. It then
  // repairs what the store left half-done (a topic without partition states, a partition
  // led by a broker that is not registered) and announces everything to the live brokers.
  static Result<Controller> open(MetadataStore& store, ControllerConfig config);

  // A broker (re)starts: answers its new broker epoch. A broker that was live is first
  // treated as failed (a restarted broker may have lost what it had not flushed, so it
  // must not keep leading or stay in sync), then as joining: offline partitions with it in
  // the ISR get it as leader, and it hears about every partition it hosts.
  Result<std::int64_t> register_broker(std::int32_t id, broker::BrokerEndpoint endpoint, std::int64_t now_ms);
  // OK, STALE_BROKER_EPOCH (an older incarnation), or BROKER_NOT_AVAILABLE (not registered,
  // or already declared dead: it must register again).
  Status heartbeat(std::int32_t id, std::int64_t broker_epoch, std::int64_t now_ms);
  // Declares dead the brokers silent for longer than the timeout and repairs partitions.
  Status tick(std::int64_t now_ms);

  // TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (below 1 or more
  // than the live brokers; -1 = default.replication.factor), INVALID_TOPIC. `configs`, the
  // topic's own settings, are stored with it as given: the caller has checked them
  // (ControllerService), and every replica creates its log with them.
  Status create_topic(const std::string& name, std::int32_t partitions, std::int16_t replication_factor,
                      std::uint64_t placement_seed, TopicConfigs configs = {});
  // With an explicit assignment; INVALID_REPLICA_ASSIGNMENT for an empty or duplicated
  // replica list, a broker not in the cluster, or partitions of unequal sizes.
  Status create_topic(const std::string& name, std::vector<std::vector<std::int32_t>> assignment,
                      TopicConfigs configs = {});
  Status delete_topic(const std::string& name);

  // A leader's ISR proposal (Kafka's AlterIsr, committed as a compare-and-set). Answers the
  // committed state (version + 1, same leader epoch).
  Result<PartitionView> alter_isr(std::int32_t leader_id, std::int64_t broker_epoch, const std::string& topic,
                                  std::int32_t partition, std::int32_t leader_epoch, std::vector<std::int32_t> new_isr,
                                  std::int32_t partition_version);

  // Moves leadership away from a broker about to stop, and takes it out of the ISRs.
  // Answers the partitions it still leads (no other live ISR member to take them); the
  // broker retries. Partitions with a single replica are neither moved nor listed.
  Result<std::vector<TopicPartition>> controlled_shutdown(std::int32_t id, std::int64_t broker_epoch);

  // Makes the first assigned replica leader where it is live, in the ISR and not leader
  // already. nullopt: every partition.
  std::vector<ElectionResult> elect_preferred_leaders(const std::optional<std::vector<TopicPartition>>& partitions);

  // The events of the inputs since the last call, in order.
  std::vector<ControllerEvent> take_events();

  // Readers.
  std::optional<PartitionView> partition(std::string_view topic, std::int32_t partition) const;
  std::vector<std::string> topics() const;
  // The topic's own settings (empty: the brokers' defaults), or nullptr for no such topic.
  const TopicConfigs* topic_configs(std::string_view topic) const;
  std::vector<BrokerInfo> brokers() const;
  std::vector<std::int32_t> live_brokers() const;  // sorted
  std::int32_t controller_epoch() const { return controller_epoch_; }
  // Unclean elections made since this controller opened: each may have lost acknowledged records.
  std::int64_t unclean_elections() const { return unclean_elections_; }
  const ControllerConfig& config() const { return config_; }

 private:
  struct Broker {
    broker::BrokerEndpoint endpoint;
    std::int64_t epoch = -1;
    std::int32_t record_version = -1;  // of brokers/ids/<id>; -1: no record
    bool live = false;
    bool shutting_down = false;
    std::optional<std::int64_t> last_heartbeat_ms;  // nullopt: since open(), not heard from yet
  };
  struct Partition {
    std::vector<std::int32_t> replicas;
    PartitionRecord record;
    std::int32_t version = -1;  // -1: no state record yet
  };
  struct Topic {
    std::int32_t record_version = -1;
    std::vector<Partition> partitions;
    TopicConfigs configs;
  };

  Controller(MetadataStore& store, ControllerConfig config);

  bool configured(std::int32_t id) const;
  bool live(std::int32_t id) const;
  bool eligible(std::int32_t id) const;  // live and not shutting down: may lead or join an ISR
  Broker* find_broker(std::int32_t id);
  Status check_sender(std::int32_t id, std::int64_t broker_epoch) const;
  PartitionView view(const Partition& p) const;
  std::vector<broker::BrokerEndpoint> live_endpoints() const;

  enum class Announce { leader_and_isr, metadata_only };
  // Writes the partition's new record, then (only then) changes it in memory and queues
  // its LeaderAndIsr events (to its live replicas) and its place in the next UpdateMetadata.
  Status commit(const std::string& topic, std::int32_t index, PartitionRecord next, bool is_new = false,
                Announce announce = Announce::leader_and_isr);
  // The end of every input: an UpdateMetadata to every live broker when partitions or the
  // live set changed.
  void finish();
  Status remove_orphans(std::string_view topic_prefix = {});
  PartitionRecord initial_record(const std::vector<std::int32_t>& replicas) const;
  // The level-triggered repair of every partition.
  Status reconcile();
  Status declare_dead(std::int32_t id);
  void announce_all_to(std::int32_t broker);
  void note_unclean(const std::string& topic, std::int32_t partition, std::int32_t leader);
  Status create_partitions(const std::string& name, std::vector<std::vector<std::int32_t>> assignment,
                           TopicConfigs configs);

  MetadataStore* store_;
  ControllerConfig config_;
  std::int32_t controller_epoch_ = 0;
  std::int64_t last_broker_epoch_ = 0;
  std::int32_t broker_epoch_version_ = -1;  // of brokers/epoch
  std::map<std::int32_t, Broker> brokers_;
  std::map<std::string, Topic, std::less<>> topics_;
  std::vector<ControllerEvent> events_;
  std::vector<std::pair<TopicPartition, PartitionView>> changed_;  // for the next UpdateMetadata
  bool brokers_changed_ = false;
  std::set<std::string> orphans_;  // partition states left by an interrupted delete_topic
  std::int64_t unclean_elections_ = 0;
};

}  // namespace streamcraft::controller
