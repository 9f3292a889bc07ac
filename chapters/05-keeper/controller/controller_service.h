// generated from final/controller/controller_service.h; edit there
// controller/controller_service.h — the controller on its broker: requests in, control
// requests out.
//
// controller/controller.h decides; this file connects the decisions to the cluster, on
// the broker named by controller.id:
//
// - **In**: the brokers' BrokerRegistration, BrokerHeartbeat and AlterIsr (the course's
//   keys 1000–1002) and ControlledShutdown (Kafka's key 7) arrive at this broker's request
//   handler like any request and are answered from here; CreateTopics and DeleteTopics
//   too (it is the cluster's TopicAdmin).
// - **Out**: every ControllerEvent becomes a Kafka control request to its broker —
//   LeaderAndIsr v2, UpdateMetadata v5, StopReplica v1 — sent through this broker's
//   PeerRequests, to itself as well (as Kafka's controller does: one path for all). An
//   UpdateMetadata naming topics with settings of their own is preceded by the course's
//   TopicConfigs (1003) with those settings.
//
// Delivery to each broker is in order and one request at a time (Kafka's
// ControllerChannelManager keeps one queue per broker the same way): a later state must
// never overtake an earlier one. A request that fails — the connection broke, or the
// broker answered STALE_BROKER_EPOCH because its registration's answer has not reached
// it yet — is sent again after a short pause, for as long as the broker is alive with
// the same broker epoch; a broker that died or restarted is told everything afresh when
// it registers, so what was queued for its previous incarnation is dropped.
//
// The controller's state lives in `<log.dir>/.controller/` (controller/partition_store.h):
// a restarted controller broker rebuilds it there.
//
// Sans-I/O, like the rest: time from the clock and tick(); not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/peer_requests.h"
#include "broker/replica_manager.h"
#include "common/clock.h"
#include "common/error.h"
#include "controller/controller.h"
#include "controller/partition_store.h"
#include "log/file.h"
#include "protocol/control.h"

namespace streamcraft::controller {

class ControllerService final : public broker::TopicAdmin {
 public:
  static constexpr std::uint64_t kTokenTag = 2ull << 62;
  static bool owns(std::uint64_t token) { return (token & (3ull << 62)) == kTokenTag; }
  static constexpr std::int64_t kRetryBackoffMs = 100;

  static Result<std::unique_ptr<ControllerService>> open(log::FileSystem& fs, const broker::BrokerConfig& config,
                                                         const Clock& clock, broker::PeerRequests& peers);

  // --- requests from brokers ---
  protocol::BrokerRegistrationResponse register_broker(const protocol::BrokerRegistrationRequest& r);
  protocol::BrokerHeartbeatResponse heartbeat(const protocol::BrokerHeartbeatRequest& r);
  protocol::AlterIsrResponse alter_isr(const protocol::AlterIsrRequest& r);
  protocol::ControlledShutdownResponse controlled_shutdown(const protocol::ControlledShutdownRequest& r);
  std::vector<ElectionResult> elect_preferred_leaders(const std::optional<std::vector<TopicPartition>>& partitions);

  // --- broker::TopicAdmin ---
  Status create_topic(const broker::NewTopic& topic, broker::TopicRequest how) override;
  Status delete_topic(const std::string& name) override;
  Result<std::vector<broker::PartitionError>> elect_preferred_leaders(
      const std::optional<std::vector<broker::TopicPartitionId>>& partitions) override;

  // --- the driver ---
  void tick();  // brokers whose heartbeats stopped are declared dead; retries that are due
  void on_completion(const broker::PeerRequests::Completion& c);
  std::optional<std::int64_t> next_deadline_ms() const;

  const Controller& controller() const { return *controller_; }

  ControllerService(const broker::BrokerConfig& config, const Clock& clock, broker::PeerRequests& peers,
                    std::unique_ptr<MetadataStore> store);

 private:
  struct Outgoing {
    protocol::ApiKey key;
    std::int16_t version;
    Bytes body;
    std::int64_t broker_epoch;  // of the addressee when it was queued
  };
  struct Channel {
    std::deque<Outgoing> queue;
    std::optional<std::uint64_t> in_flight;  // token
    std::int64_t retry_at_ms = 0;
  };

  // Turns the controller's new events into requests, queued per broker, and sends.
  void dispatch();
  void send_next(std::int32_t broker, Channel& channel);
  // Whether `broker` is still the incarnation a request was queued for.
  bool still_current(std::int32_t broker, std::int64_t broker_epoch) const;

  const broker::BrokerConfig& config_;
  const Clock& clock_;
  broker::PeerRequests& peers_;
  std::unique_ptr<MetadataStore> store_;
  std::optional<Controller> controller_;
  std::map<std::int32_t, Channel> channels_;
  std::map<std::uint64_t, std::int32_t> tokens_;  // in flight → broker
  std::uint64_t next_token_ = 1;
  std::uint64_t next_placement_seed_ = 1;
};

}  // namespace streamcraft::controller
