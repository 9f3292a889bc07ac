// generated from final/broker/controller_client.h; edit there
// broker/controller_client.h — a broker's side of the conversation with the controller.
//
// Every broker of a replicated cluster, the controller's own included, talks to the
// controller (the broker named by controller.id) through one of these:
//
// - **Registration and heartbeats.** At start the broker registers (BrokerRegistration,
//   the course's key 1000) and receives its broker epoch — the number that tells this
//   incarnation from the ones before it; the ReplicaManager then accepts control requests
//   only for that epoch. From then on it heartbeats every broker.heartbeat.interval.ms
//   (BrokerHeartbeat, key 1001). A heartbeat refused as STALE_BROKER_EPOCH or
//   BROKER_NOT_AVAILABLE means the controller has declared this incarnation dead (its
//   heartbeats were late, or it was cut off): it registers again, and is treated as a
//   broker that restarted. Until the first registration succeeds it retries every
//   heartbeat interval.
// - **ISR changes.** The leaders' proposals (ReplicaManager::take_isr_proposals) go out as
//   one AlterIsr (key 1002) at a time; the answer commits or refuses each. A lost request
//   refuses them all: the leader proposes again at its next check.
// - **Topics.** It is the TopicAdmin of a broker that is not the controller: a client's
//   CreateTopics or DeleteTopics there is answered NOT_CONTROLLER (the client finds the
//   controller in Metadata, as Kafka's admin clients do), while a topic the broker
//   auto-creates is asked of the controller with a CreateTopics request of its own.
// - **Controlled shutdown.** Before a clean stop the broker asks the controller to move
//   its leaderships away (ControlledShutdown, key 7), and stops once none are left, or
//   after its retries.
//
// Sans-I/O: requests through PeerRequests, time through tick(). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/config.h"
#include "broker/peer_requests.h"
#include "broker/replica_manager.h"
#include "common/clock.h"
#include "common/error.h"

namespace streamcraft::broker {

class ControllerClient final : public TopicAdmin {
 public:
  static constexpr std::uint64_t kTokenTag = 3ull << 62;
  static bool owns(std::uint64_t token) { return (token & (3ull << 62)) == kTokenTag; }

  // `self`: the address this broker advertises to clients (in its registration).
  ControllerClient(const BrokerConfig& config, const Clock& clock, PeerRequests& peers, ReplicaManager& replicas);
  void set_advertised(std::string host, std::uint16_t port);

  // --- TopicAdmin, on a broker that is not the controller ---
  Status create_topic(const NewTopic& topic, TopicRequest how) override;
  Status delete_topic(const std::string& name) override;
  Result<std::vector<PartitionError>> elect_preferred_leaders(
      const std::optional<std::vector<TopicPartitionId>>& partitions) override;

  // Asks the controller to move this broker's leaderships away; shutdown_done() tells
  // when it is safe to stop (or the attempts are used up).
  void begin_controlled_shutdown();
  bool shutdown_done() const { return shutdown_ == Shutdown::done; }

  // --- the driver ---
  void tick();
  void on_completion(const PeerRequests::Completion& c);
  std::optional<std::int64_t> next_deadline_ms() const;

  bool registered() const { return broker_epoch_ >= 0; }
  std::int64_t broker_epoch() const { return broker_epoch_; }

  static constexpr int kShutdownAttempts = 3;  // controlled.shutdown.max.retries

 private:
  enum class Purpose : std::uint64_t { registration = 1, heartbeat, alter_isr, create_topic, shutdown };
  enum class Shutdown { no, asking, waiting, done };
  std::uint64_t token(Purpose p) { return kTokenTag | (static_cast<std::uint64_t>(p) << 48) | next_token_++; }
  static Purpose purpose_of(std::uint64_t token) { return static_cast<Purpose>((token >> 48) & 0xff); }
  void send_registration();
  void send_heartbeat();
  void send_isr_proposals();
  void send_shutdown();
  void lost_registration(const std::string& why);

  const BrokerConfig& config_;
  const Clock& clock_;
  PeerRequests& peers_;
  ReplicaManager& replicas_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::int64_t broker_epoch_ = -1;
  bool registering_ = false;         // a registration is in flight
  bool heartbeat_in_flight_ = false;
  std::int64_t next_attempt_ms_ = 0;  // the next registration attempt or heartbeat
  std::vector<IsrProposal> in_flight_proposals_;  // the AlterIsr in flight
  bool alter_isr_in_flight_ = false;
  Shutdown shutdown_ = Shutdown::no;
  int shutdown_attempts_ = 0;
  std::int64_t shutdown_retry_ms_ = 0;
  std::uint64_t next_token_ = 1;
};

}  // namespace streamcraft::broker
