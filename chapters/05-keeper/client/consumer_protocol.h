// generated from final/client/consumer_protocol.h; edit there
// client/consumer_protocol.h — what consumers put in the group protocol's opaque bytes,
// and the "range" assignor that turns subscriptions into an assignment.
//
// The group coordinator never looks inside a member's metadata or assignment: they are
// bytes that the members agree on among themselves. Consumers of protocol type "consumer"
// agree on Kafka's ConsumerProtocol (ConsumerProtocolSubscription.json and
// ConsumerProtocolAssignment.json in Kafka's sources), each blob prefixed with an int16
// version. Version 0, the one this client writes:
//
//   Subscription  int16 version, [string] topics, nullable bytes user_data
//   Assignment    int16 version, [(string topic, [int32] partitions)], nullable bytes user_data
//
// Later versions only append fields (v1 owned partitions, v2 a generation id), and Kafka
// reads a newer version with the fields it knows: so do the decoders here, which ignore
// whatever follows the v0 fields of a v1+ blob.
//
// The range assignor (Kafka's RangeAssignor) works topic by topic: the topic's partitions
// in order, the members subscribed to it sorted by member id; each member gets a
// contiguous range of partitions/members partitions, and the first partitions%members
// members one more. Every member of a group must compute the same assignment from the
// same input, which is why everything is sorted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::client {

inline constexpr std::string_view kConsumerProtocolType = "consumer";
inline constexpr std::string_view kRangeAssignor = "range";

struct Subscription {
  std::vector<std::string> topics;
  std::optional<Bytes> user_data;
};

struct TopicAssignment {
  std::string topic;
  std::vector<std::int32_t> partitions;
};

struct Assignment {
  std::vector<TopicAssignment> topics;
  std::optional<Bytes> user_data;
};

Bytes encode_subscription(const Subscription& s);
Result<Subscription> decode_subscription(ByteSpan bytes);
Bytes encode_assignment(const Assignment& a);
// An empty blob is an empty assignment: the coordinator hands that to a member the leader
// left out (and Kafka's clients treat it the same way).
Result<Assignment> decode_assignment(ByteSpan bytes);

struct MemberSubscription {
  std::string member_id;
  std::vector<std::string> topics;
};

// member id → its assignment (topics in name order, partitions ascending). Every member
// appears, with an empty assignment if it gets nothing. Topics missing from
// partition_counts (unknown to the cluster) are assigned to nobody.
std::map<std::string, Assignment> assign_range(const std::vector<MemberSubscription>& members,
                                               const std::map<std::string, std::int32_t>& partition_counts);

}  // namespace streamcraft::client
