// generated from final/protocol/offsets.h; edit there
// protocol/offsets.h — OffsetCommit (key 8) and OffsetFetch (key 9): committed offsets.
//
// A consumer group remembers how far it has read: for each partition, the offset of the
// next record to consume. A member commits it with OffsetCommit (to the group's
// coordinator, which stores it in its offsets topic); after a rebalance or a restart, the
// new owner of a partition asks with OffsetFetch where to resume (-1: nothing committed,
// start from auto.offset.reset). A commit from a member of a group carries its generation
// and member id, so that a member that has been kicked out cannot overwrite the offsets
// of the partition's new owner (ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID). An "admin" commit
// uses generation -1 and an empty member id. Each commit may carry a short metadata string
// that is returned as is by OffsetFetch.
//
// OffsetCommit versions 0..7:
//   v0  group id and per partition offset + metadata only
//   v1  generation and member id; a per-partition commit timestamp (v1 only)
//   v2  retention_time_ms (-1: the broker's default) instead of the commit timestamp
//   v3  throttle time in the response · v4 same as v3
//   v5  no retention time (the broker's offsets.retention.minutes alone decides)
//   v6  committed_leader_epoch per partition · v7 group_instance_id
// OffsetFetch versions 0..5 (v0 read ZooKeeper-stored offsets in old brokers; its layout
// is that of v1, and this code treats it the same):
//   v2  a null topic list means "all partitions the group has offsets for"; a top-level
//       error in the response (for v0/v1 the broker puts a group-level error on every
//       partition instead, since there is no other place for it)
//   v3  throttle time · v4 same as v3 · v5 committed_leader_epoch per partition
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

// --- OffsetCommit ------------------------------------------------------------------------

struct OffsetCommitPartition {
  std::int32_t partition = 0;
  std::int64_t committed_offset = 0;
  std::int32_t committed_leader_epoch = -1;  // v6+
  std::int64_t commit_timestamp = -1;        // v1 only
  std::optional<std::string> metadata = std::string();
};

struct OffsetCommitTopic {
  std::string name;
  std::vector<OffsetCommitPartition> partitions;
};

struct OffsetCommitRequest {
  std::string group_id;
  std::int32_t generation_id = -1;               // v1+
  std::string member_id;                         // v1+
  std::optional<std::string> group_instance_id;  // v7+
  std::int64_t retention_time_ms = -1;           // v2..v4
  std::vector<OffsetCommitTopic> topics;
};

struct OffsetCommitPartitionResponse {
  std::int32_t partition = 0;
  Errc error = Errc::none;
};

struct OffsetCommitTopicResponse {
  std::string name;
  std::vector<OffsetCommitPartitionResponse> partitions;
};

struct OffsetCommitResponse {
  std::int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetCommitTopicResponse> topics;
};

// --- OffsetFetch -------------------------------------------------------------------------

struct OffsetFetchTopic {
  std::string name;
  std::vector<std::int32_t> partitions;
};

struct OffsetFetchRequest {
  std::string group_id;
  // nullopt: every partition with a committed offset (v2+). There is no null before v2:
  // encoding nullopt at v0/v1 writes an empty list, and a null list there is malformed.
  std::optional<std::vector<OffsetFetchTopic>> topics;
};

struct OffsetFetchPartitionResponse {
  std::int32_t partition = 0;
  std::int64_t committed_offset = -1;        // -1: nothing committed
  std::int32_t committed_leader_epoch = -1;  // v5+
  std::optional<std::string> metadata = std::string();
  Errc error = Errc::none;
};

struct OffsetFetchTopicResponse {
  std::string name;
  std::vector<OffsetFetchPartitionResponse> partitions;
};

struct OffsetFetchResponse {
  std::int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetFetchTopicResponse> topics;
  Errc error = Errc::none;  // v2+ (after the topics on the wire)
};

Result<OffsetCommitRequest> decode_offset_commit_request(ByteSpan body, std::int16_t version);
Bytes encode_offset_commit_request(const OffsetCommitRequest& r, std::int16_t version);
Bytes encode_offset_commit_response(const OffsetCommitResponse& r, std::int16_t version);
Result<OffsetCommitResponse> decode_offset_commit_response(ByteSpan body, std::int16_t version);

Result<OffsetFetchRequest> decode_offset_fetch_request(ByteSpan body, std::int16_t version);
Bytes encode_offset_fetch_request(const OffsetFetchRequest& r, std::int16_t version);
Bytes encode_offset_fetch_response(const OffsetFetchResponse& r, std::int16_t version);
Result<OffsetFetchResponse> decode_offset_fetch_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
