// generated from final/protocol/elect_leaders.h; edit there
// protocol/elect_leaders.h — ElectLeaders (key 43): "make these partitions' preferred
// replicas their leaders".
//
// A partition's preferred replica is the first of its replica list. Placement spreads the
// first replicas evenly over the brokers (controller/controller.h), so that leadership —
// and the work of serving producers and consumers — is spread too. Failovers undo that:
// after a broker restarts, the partitions it led are led by others, and it leads none. An
// operator (or Kafka's auto.leader.rebalance.enable, not implemented here) then asks the
// controller to move each partition back to its preferred replica, where that replica is
// alive and in the ISR — an election that loses nothing.
//
//   v0  KIP-183 (Kafka 2.2): request  topic_partitions (nullable: null = every partition)
//                                     [topic, partitions[int32]] · timeout_ms
//                            response throttle_time_ms · results[topic,
//                                     partition_results[partition_id, error_code, error_message]]
//   v1  KIP-460 (2.4): the request starts with election_type (0 preferred, 1 unclean);
//       the response adds a top-level error_code after throttle_time_ms.
//   v2  is the first flexible version, not spoken here.
//
// Sent to the controller: another broker answers NOT_CONTROLLER (top-level in v1; in v0,
// which has no top-level error, on every partition asked about). Per partition: NONE (the
// preferred replica leads now), ELECTION_NOT_NEEDED (84, it led already),
// PREFERRED_LEADER_NOT_AVAILABLE (80, it is dead or not in sync), UNKNOWN_TOPIC_OR_PARTITION.
// An election of every partition lists only the partitions it changed or could not, as
// Kafka's does. Unclean elections by request (type 1) are refused (INVALID_REQUEST): this
// broker makes them only as the controller's own decision, under
// unclean.leader.election.enable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

inline constexpr std::int8_t kPreferredElection = 0;
inline constexpr std::int8_t kUncleanElection = 1;

struct ElectLeadersTopic {
  std::string topic;
  std::vector<std::int32_t> partitions;
};

struct ElectLeadersRequest {
  std::int8_t election_type = kPreferredElection;  // v1+
  std::optional<std::vector<ElectLeadersTopic>> topic_partitions;  // nullopt: every partition
  std::int32_t timeout_ms = 60'000;
};

struct ElectLeadersPartitionResult {
  std::int32_t partition_id = 0;
  Errc error = Errc::none;
  std::optional<std::string> error_message;
};

struct ElectLeadersTopicResult {
  std::string topic;
  std::vector<ElectLeadersPartitionResult> partition_results;
};

struct ElectLeadersResponse {
  std::int32_t throttle_time_ms = 0;
  Errc error = Errc::none;  // v1+
  std::vector<ElectLeadersTopicResult> results;
};

// Versions 0 and 1; another is UNSUPPORTED_VERSION, malformed bytes CORRUPT_MESSAGE.
Result<ElectLeadersRequest> decode_elect_leaders_request(ByteSpan body, std::int16_t version);
Bytes encode_elect_leaders_request(const ElectLeadersRequest& r, std::int16_t version);
Bytes encode_elect_leaders_response(const ElectLeadersResponse& r, std::int16_t version);
Result<ElectLeadersResponse> decode_elect_leaders_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
