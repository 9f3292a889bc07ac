// generated from final/protocol/offsets_for_leader_epoch.h; edit there
// protocol/offsets_for_leader_epoch.h — OffsetsForLeaderEpoch (key 23): where did an epoch end?
//
// Every batch a leader appends carries the leader's epoch (partition_leader_epoch in the
// batch header), and every replica keeps an epoch cache: epoch → the first offset written
// in that epoch. When a follower learns of a new leader, it cannot simply keep what it
// has: its log may end with records an old leader wrote but never committed, which the
// new leader never saw and will fill with other records at the same offsets. Truncating
// to the high watermark, as Kafka did before 0.11, can lose acknowledged records or leave
// two replicas with different records at one offset when brokers fail one after the other
// (KIP-101's two scenarios). So the follower asks the leader instead: "my log ends in
// epoch E — where does E end in your log?" The leader answers with the start offset of
// the first epoch after E, or its log end offset if E is its current epoch, and the
// follower truncates to that offset (or keeps its log, if it is shorter) before it fetches
// again. A follower sends the request (encodes it, decodes the answer); the leader decodes
// it and encodes the answer.
//
//   v0  KIP-101 (Kafka 0.11): request  topics[topic, partitions[partition, leader_epoch]]
//                             response topics[topic, partitions[error_code, partition, end_offset]]
//   v1  KIP-279 (2.0): the response adds leader_epoch after partition — the largest epoch
//       <= the requested one that the leader knows. A follower may ask about an epoch the
//       leader never had; it then truncates to that epoch's end and asks again about its
//       own last epoch, until both agree on the last epoch they share.
//   v2  KIP-320 (2.1): the request adds current_leader_epoch before leader_epoch — the
//       epoch the sender believes the leader to be in, so that a stale leader or a stale
//       sender is told FENCED_LEADER_EPOCH (74) or UNKNOWN_LEADER_EPOCH (75) instead of an
//       answer from a log that may have diverged (-1 skips the check). The response
//       starts with throttle_time_ms.
//   v3  (2.3): the request starts with replica_id: a broker id for a follower, -1 for a
//       consumer (answered up to the high watermark only), -2 for "debug". Older
//       versions, sent by followers only, decode as -2.
//   v4  is the first flexible version, not spoken here.
//
// An epoch the leader cannot place — older than all it knows, or -1 — is answered with
// leader_epoch -1 and end_offset -1 (UNDEFINED). From Kafka 2.3 on, Java consumers send
// this request too after a leader change, to check that their position is still on the
// leader's log (KIP-320); none of the course's test clients does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

inline constexpr std::int32_t kDebugReplicaId = -2;     // may see offsets above the high watermark
inline constexpr std::int32_t kConsumerReplicaId = -1;  // sees offsets up to the high watermark
inline constexpr std::int32_t kUndefinedEpoch = -1;     // "no epoch": no fencing check, or not found
inline constexpr std::int64_t kUndefinedEpochOffset = -1;

struct OffsetsForLeaderEpochPartition {
  std::int32_t partition = 0;
  std::int32_t current_leader_epoch = kUndefinedEpoch;  // v2+; -1 = do not check
  std::int32_t leader_epoch = kUndefinedEpoch;          // the epoch whose end is asked for
};

struct OffsetsForLeaderEpochTopic {
  std::string name;
  std::vector<OffsetsForLeaderEpochPartition> partitions;
};

struct OffsetsForLeaderEpochRequest {
  std::int32_t replica_id = kDebugReplicaId;  // v3+; a broker id, -1 (consumer) or -2 (debug)
  std::vector<OffsetsForLeaderEpochTopic> topics;
};

struct OffsetsForLeaderEpochPartitionResponse {
  Errc error = Errc::none;
  std::int32_t partition = 0;
  std::int32_t leader_epoch = kUndefinedEpoch;  // v1+: the largest known epoch <= the requested one
  std::int64_t end_offset = kUndefinedEpochOffset;
};

struct OffsetsForLeaderEpochTopicResponse {
  std::string name;
  std::vector<OffsetsForLeaderEpochPartitionResponse> partitions;
};

struct OffsetsForLeaderEpochResponse {
  std::int32_t throttle_time_ms = 0;  // v2+
  std::vector<OffsetsForLeaderEpochTopicResponse> topics;
};

Result<OffsetsForLeaderEpochRequest> decode_offsets_for_leader_epoch_request(ByteSpan body, std::int16_t version);
Bytes encode_offsets_for_leader_epoch_request(const OffsetsForLeaderEpochRequest& r, std::int16_t version);
Bytes encode_offsets_for_leader_epoch_response(const OffsetsForLeaderEpochResponse& r, std::int16_t version);
Result<OffsetsForLeaderEpochResponse> decode_offsets_for_leader_epoch_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
