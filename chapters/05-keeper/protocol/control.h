// generated from final/protocol/control.h; edit there
// protocol/control.h — the control requests between brokers and the controller.
//
// Clients never send these. In chapter 4 one broker is the controller, fixed by
// configuration: it decides who leads each partition and who is in its ISR, and tells the
// other brokers. Seven requests carry that conversation; the first four are Kafka's own
// (ZooKeeper mode, Kafka 2.x), at their last non-flexible versions.
//
//   LeaderAndIsr (key 4)        controller → each replica of the partitions that changed:
//       "for partition P, the leader is L in epoch E, the ISR is [..], the replicas are
//       [..]". The named leader becomes leader; every other replica becomes a follower of
//       L and starts fetching from it. Sent after an election, an ISR change the
//       controller made (a broker failed or shut down), and to every replica of a new
//       topic (is_new = true: the replica may create an empty log). live_leaders gives the
//       address of every leader named, so a follower can connect at once.
//         v2 (Kafka 2.2, KIP-380) adds broker_epoch and groups partitions by topic;
//         v3 (2.4, KIP-455) adds adding_replicas and removing_replicas before is_new —
//            the replicas a reassignment is adding and removing. v4 is flexible.
//   UpdateMetadata (key 6)      controller → every live broker: the leader, ISR, replicas
//       and offline replicas of partitions, and the live brokers with their listeners and
//       racks. It is what a broker answers clients' Metadata requests from. Sent before
//       any LeaderAndIsr after the controller starts (a follower must know its leader's
//       address), to a broker that joins, and after every change of leader or ISR.
//         v5 (2.2) adds broker_epoch and groups partitions by topic. An endpoint is
//         port · host · listener · security protocol — port before host. v6 is flexible.
//   StopReplica (key 5)         controller → a replica: stop fetching (and serving) these
//       partitions; with delete_partitions, delete their logs too (topic deletion, a
//       replica moved away). Sent to a broker that shuts down for the partitions it
//       follows, and during reassignment and deletion.
//         v1 (2.2) adds broker_epoch and groups partitions by topic. v2 is flexible.
//   ControlledShutdown (key 7)  a broker → the controller, before it stops: "move my
//       leaderships away". The controller elects other leaders for the partitions it led,
//       takes it out of the ISRs it was in, and answers with the partitions it still
//       leads; the broker retries until that list is empty (or gives up and stops).
//         v1 has the standard request header (v0 did not: not supported here);
//         v2 (2.2) adds broker_epoch. v3 is flexible.
//
// The next three exist in Kafka only as flexible versions, which this code never speaks;
// the course gives them non-flexible layouts of its own, under api keys from 1000 on,
// outside Kafka's range, so that a Kafka tool can never mistake them for its own. The
// fourth has no Kafka request at all:
//
//   BrokerRegistration (1000)   a broker → the controller, when it starts: its id, host,
//       port and rack. The answer is its broker epoch, new for every start.
//   BrokerHeartbeat (1001)      a broker → the controller, periodically, with that epoch;
//       a broker that stops sending them is declared dead and loses its leaderships.
//   AlterIsr (1002)             a partition's leader → the controller: "shrink or expand
//       the ISR to [..]", as a compare-and-set on current_isr_version (Kafka's zkVersion,
//       the version of the partition's state). The answer is the state as it now is —
//       the new one, or, for a refused change, the one the leader must catch up with.
//       The fields are those of Kafka's AlterIsr v0 (key 56, KIP-497, Kafka 2.7), without
//       its tagged fields.
//   TopicConfigs (1003)         controller → a broker: "these topics have these settings
//       of their own" (min.insync.replicas=2, retention.ms, …). Sent, in the same ordered
//       channel, just before every UpdateMetadata that names such a topic, so that the
//       broker has a topic's settings before it creates its logs. Kafka's ZooKeeper-mode
//       brokers read them from ZooKeeper (/config/topics/<name>) instead, and KRaft's
//       from ConfigRecords of the metadata log; here only the controller has them.
//
// Why every request carries epochs — fencing zombies. A controller that lost its place
// (a pause, a partition of the network) may wake up and keep sending orders; its
// controller_epoch is older than the one every broker has seen from its successor, so
// brokers refuse its requests with STALE_CONTROLLER_EPOCH (11). A broker that crashed and
// restarted is a new incarnation with a new broker epoch; a request still in flight for
// the old one (a LeaderAndIsr meant for the broker as it was) carries the old epoch and
// is refused with STALE_BROKER_EPOCH (77) — and in the other direction the controller
// refuses heartbeats, AlterIsr and ControlledShutdown from an incarnation it has
// replaced. -1 means "epoch unknown" and is accepted. Per partition, leader_epoch fences
// old leaders in the same way (a LeaderAndIsr whose leader epoch is not newer than the
// broker's is ignored for that partition), and zk_version / current_isr_version fence
// concurrent ISR changes.
//
// Decoders read bytes from the network: a version these codecs do not speak is
// UNSUPPORTED_VERSION, malformed bytes are CORRUPT_MESSAGE, and bytes after the last
// field are ignored, as by every other decoder here. Encoders are called by this code
// base only: encoding at a version control_version_supported() refuses is a programmer
// error (std::invalid_argument).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "protocol/header.h"

namespace streamcraft::protocol {

inline constexpr std::int64_t kUnknownBrokerEpoch = -1;  // "epoch unknown": not checked
inline constexpr std::int32_t kNoLeader = -1;

// Whether these codecs speak version `version` of control request `key` (any other key:
// false). LeaderAndIsr 2–3, UpdateMetadata 5, StopReplica 1, ControlledShutdown 1–2,
// BrokerRegistration, BrokerHeartbeat, AlterIsr and TopicConfigs 0.
bool control_version_supported(ApiKey key, std::int16_t version);

// --- LeaderAndIsr (key 4), v2 and v3 ---------------------------------------------------------

struct LeaderAndIsrPartitionState {
  std::int32_t partition_index = 0;
  std::int32_t controller_epoch = 0;  // of the controller that last changed this partition
  std::int32_t leader = kNoLeader;
  std::int32_t leader_epoch = 0;
  std::vector<std::int32_t> isr;
  std::int32_t zk_version = 0;  // the version of the partition's state (compare-and-set)
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> adding_replicas;    // v3+
  std::vector<std::int32_t> removing_replicas;  // v3+
  bool is_new = false;                          // the partition was just created
};

struct LeaderAndIsrTopicState {
  std::string topic_name;
  std::vector<LeaderAndIsrPartitionState> partition_states;
};

struct LeaderAndIsrLiveLeader {
  std::int32_t broker_id = 0;
  std::string host_name;
  std::int32_t port = 0;
};

struct LeaderAndIsrRequest {
  std::int32_t controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;  // the addressee's, as the controller knows it
  std::vector<LeaderAndIsrTopicState> topic_states;
  std::vector<LeaderAndIsrLiveLeader> live_leaders;
};

// One partition's answer, in LeaderAndIsr and StopReplica responses.
struct ControlPartitionError {
  std::string topic_name;
  std::int32_t partition_index = 0;
  Errc error = Errc::none;
};

struct LeaderAndIsrResponse {
  Errc error = Errc::none;  // e.g. STALE_CONTROLLER_EPOCH: then no partition was looked at
  std::vector<ControlPartitionError> partition_errors;
};

Result<LeaderAndIsrRequest> decode_leader_and_isr_request(ByteSpan body, std::int16_t version);
Bytes encode_leader_and_isr_request(const LeaderAndIsrRequest& r, std::int16_t version);
Bytes encode_leader_and_isr_response(const LeaderAndIsrResponse& r, std::int16_t version);
Result<LeaderAndIsrResponse> decode_leader_and_isr_response(ByteSpan body, std::int16_t version);

// --- UpdateMetadata (key 6), v5 --------------------------------------------------------------

struct UpdateMetadataPartitionState {
  std::int32_t partition_index = 0;
  std::int32_t controller_epoch = 0;
  std::int32_t leader = kNoLeader;
  std::int32_t leader_epoch = 0;
  std::vector<std::int32_t> isr;
  std::int32_t zk_version = 0;
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> offline_replicas;  // replicas on a failed disk or broker
};

struct UpdateMetadataTopicState {
  std::string topic_name;
  std::vector<UpdateMetadataPartitionState> partition_states;
};

struct UpdateMetadataEndpoint {
  std::int32_t port = 0;  // on the wire before host
  std::string host;
  std::string listener;                 // e.g. "PLAINTEXT"
  std::int16_t security_protocol = 0;   // 0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL
};

struct UpdateMetadataBroker {
  std::int32_t id = 0;
  std::vector<UpdateMetadataEndpoint> endpoints;
  std::optional<std::string> rack;
};

struct UpdateMetadataRequest {
  std::int32_t controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;
  std::vector<UpdateMetadataTopicState> topic_states;
  std::vector<UpdateMetadataBroker> live_brokers;
};

struct UpdateMetadataResponse {
  Errc error = Errc::none;
};

Result<UpdateMetadataRequest> decode_update_metadata_request(ByteSpan body, std::int16_t version);
Bytes encode_update_metadata_request(const UpdateMetadataRequest& r, std::int16_t version);
Bytes encode_update_metadata_response(const UpdateMetadataResponse& r, std::int16_t version);
Result<UpdateMetadataResponse> decode_update_metadata_response(ByteSpan body, std::int16_t version);

// --- StopReplica (key 5), v1 -----------------------------------------------------------------

struct StopReplicaTopic {
  std::string name;
  std::vector<std::int32_t> partition_indexes;
};

struct StopReplicaRequest {
  std::int32_t controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;
  bool delete_partitions = false;  // delete the logs too, not only stop the replicas
  std::vector<StopReplicaTopic> topics;
};

struct StopReplicaResponse {
  Errc error = Errc::none;
  std::vector<ControlPartitionError> partition_errors;
};

Result<StopReplicaRequest> decode_stop_replica_request(ByteSpan body, std::int16_t version);
Bytes encode_stop_replica_request(const StopReplicaRequest& r, std::int16_t version);
Bytes encode_stop_replica_response(const StopReplicaResponse& r, std::int16_t version);
Result<StopReplicaResponse> decode_stop_replica_response(ByteSpan body, std::int16_t version);

// --- ControlledShutdown (key 7), v1 and v2 ---------------------------------------------------

struct ControlledShutdownRequest {
  std::int32_t broker_id = 0;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;  // v2+
};

struct ControlledShutdownPartition {
  std::string topic_name;
  std::int32_t partition_index = 0;
};

struct ControlledShutdownResponse {
  Errc error = Errc::none;
  std::vector<ControlledShutdownPartition> remaining_partitions;  // still led by the broker
};

Result<ControlledShutdownRequest> decode_controlled_shutdown_request(ByteSpan body, std::int16_t version);
Bytes encode_controlled_shutdown_request(const ControlledShutdownRequest& r, std::int16_t version);
Bytes encode_controlled_shutdown_response(const ControlledShutdownResponse& r, std::int16_t version);
Result<ControlledShutdownResponse> decode_controlled_shutdown_response(ByteSpan body, std::int16_t version);

// --- BrokerRegistration (course key 1000), v0 ------------------------------------------------

struct BrokerRegistrationRequest {
  std::int32_t broker_id = 0;
  std::string host;
  std::int32_t port = 0;
  std::optional<std::string> rack;
};

struct BrokerRegistrationResponse {
  Errc error = Errc::none;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;  // this incarnation's epoch
};

Result<BrokerRegistrationRequest> decode_broker_registration_request(ByteSpan body, std::int16_t version);
Bytes encode_broker_registration_request(const BrokerRegistrationRequest& r, std::int16_t version);
Bytes encode_broker_registration_response(const BrokerRegistrationResponse& r, std::int16_t version);
Result<BrokerRegistrationResponse> decode_broker_registration_response(ByteSpan body, std::int16_t version);

// --- BrokerHeartbeat (course key 1001), v0 ---------------------------------------------------

struct BrokerHeartbeatRequest {
  std::int32_t broker_id = 0;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;
};

struct BrokerHeartbeatResponse {
  Errc error = Errc::none;  // STALE_BROKER_EPOCH: this incarnation was replaced, register again
};

Result<BrokerHeartbeatRequest> decode_broker_heartbeat_request(ByteSpan body, std::int16_t version);
Bytes encode_broker_heartbeat_request(const BrokerHeartbeatRequest& r, std::int16_t version);
Bytes encode_broker_heartbeat_response(const BrokerHeartbeatResponse& r, std::int16_t version);
Result<BrokerHeartbeatResponse> decode_broker_heartbeat_response(ByteSpan body, std::int16_t version);

// --- AlterIsr (course key 1002), v0 ----------------------------------------------------------

struct AlterIsrPartition {
  std::int32_t partition_index = 0;
  std::int32_t leader_epoch = 0;  // the sender's: a deposed leader is refused
  std::vector<std::int32_t> new_isr;
  std::int32_t current_isr_version = 0;  // the version the change is based on
};

struct AlterIsrTopic {
  std::string name;
  std::vector<AlterIsrPartition> partitions;
};

struct AlterIsrRequest {
  std::int32_t broker_id = 0;  // the leader asking
  std::int64_t broker_epoch = kUnknownBrokerEpoch;
  std::vector<AlterIsrTopic> topics;
};

struct AlterIsrPartitionResponse {
  std::int32_t partition_index = 0;
  Errc error = Errc::none;
  std::int32_t leader_id = kNoLeader;
  std::int32_t leader_epoch = 0;
  std::vector<std::int32_t> isr;
  std::int32_t current_isr_version = 0;  // after the change, or the one it lost to
};

struct AlterIsrTopicResponse {
  std::string name;
  std::vector<AlterIsrPartitionResponse> partitions;
};

struct AlterIsrResponse {
  std::int32_t throttle_time_ms = 0;  // first, as in Kafka's AlterIsr v0 response
  Errc error = Errc::none;
  std::vector<AlterIsrTopicResponse> topics;
};

Result<AlterIsrRequest> decode_alter_isr_request(ByteSpan body, std::int16_t version);
Bytes encode_alter_isr_request(const AlterIsrRequest& r, std::int16_t version);
Bytes encode_alter_isr_response(const AlterIsrResponse& r, std::int16_t version);
Result<AlterIsrResponse> decode_alter_isr_response(ByteSpan body, std::int16_t version);

// --- TopicConfigs (course key 1003), v0 ------------------------------------------------------

struct TopicConfigEntry {
  std::string name;
  std::string value;
};

struct TopicConfigsTopic {
  std::string name;
  std::vector<TopicConfigEntry> configs;  // the topic's overrides of the brokers' defaults
};

struct TopicConfigsRequest {
  std::int32_t controller_id = 0;
  std::int32_t controller_epoch = 0;
  std::int64_t broker_epoch = kUnknownBrokerEpoch;
  std::vector<TopicConfigsTopic> topics;
};

struct TopicConfigsResponse {
  Errc error = Errc::none;  // STALE_CONTROLLER_EPOCH, STALE_BROKER_EPOCH
};

Result<TopicConfigsRequest> decode_topic_configs_request(ByteSpan body, std::int16_t version);
Bytes encode_topic_configs_request(const TopicConfigsRequest& r, std::int16_t version);
Bytes encode_topic_configs_response(const TopicConfigsResponse& r, std::int16_t version);
Result<TopicConfigsResponse> decode_topic_configs_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
