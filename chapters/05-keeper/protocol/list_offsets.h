// generated from final/protocol/list_offsets.h; edit there
// protocol/list_offsets.h — ListOffsets (key 2): offsets by time.
//
// Where should a consumer start? ListOffsets turns a timestamp into an offset: -2 means
// "earliest" (the log start offset), -1 means "latest" (the log end offset — where new
// records will appear), and any other value the first offset whose record timestamp is
// at or after it (the time index at work). Versions 0..2: v0 returns a list of offsets
// (we return one), v1+ a single offset with its timestamp, v2 adds the isolation level
// and throttle time.
//
// Chapter 4 adds versions 3..5. v3 has v2's layout (a throttled client is answered first
// and throttled afterwards). v4 (KIP-320) adds, per partition, current_leader_epoch to the
// request (after partition, before timestamp) — the epoch the client believes the leader
// is in, checked as in Fetch: FENCED_LEADER_EPOCH (74) if older than the leader's,
// UNKNOWN_LEADER_EPOCH (75) if newer, no check with -1 — and leader_epoch to the answer
// (after offset): the leader epoch the returned offset belongs to, so that a consumer can
// later verify with OffsetsForLeaderEpoch that its position is still on the leader's log.
// v5 has v4's layout; it tells the broker that the client understands
// OFFSET_NOT_AVAILABLE (78), a new leader's answer to "latest" while its high watermark is
// still below the start of its epoch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

inline constexpr std::int64_t kLatestTimestamp = -1;
inline constexpr std::int64_t kEarliestTimestamp = -2;

struct ListOffsetsPartition {
  std::int32_t partition = 0;
  std::int64_t timestamp = kLatestTimestamp;
  std::int32_t max_num_offsets = 1;  // v0 only
  std::int32_t current_leader_epoch = -1;  // v4+, on the wire before timestamp; -1: no check
};

struct ListOffsetsTopic {
  std::string name;
  std::vector<ListOffsetsPartition> partitions;
};

struct ListOffsetsRequest {
  std::int32_t replica_id = -1;
  std::int8_t isolation_level = 0;
  std::vector<ListOffsetsTopic> topics;
};

struct ListOffsetsPartitionResponse {
  std::int32_t partition = 0;
  Errc error = Errc::none;
  std::int64_t timestamp = -1;
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;  // v4+, after offset: the epoch the offset belongs to
};

struct ListOffsetsTopicResponse {
  std::string name;
  std::vector<ListOffsetsPartitionResponse> partitions;
};

struct ListOffsetsResponse {
  std::int32_t throttle_time_ms = 0;
  std::vector<ListOffsetsTopicResponse> topics;
};

Result<ListOffsetsRequest> decode_list_offsets_request(ByteSpan body, std::int16_t version);
Bytes encode_list_offsets_request(const ListOffsetsRequest& r, std::int16_t version);
Bytes encode_list_offsets_response(const ListOffsetsResponse& r, std::int16_t version);
Result<ListOffsetsResponse> decode_list_offsets_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
