// generated from final/group/offsets_topic.h; edit there
// group/offsets_topic.h — what the group coordinator writes to `__consumer_offsets`.
//
// A consumer's committed position is not kept in a database: it is a record in an
// internal topic, `__consumer_offsets`, like any other record in any other log. The key
// says *what* (group, topic, partition — or just the group, for the group's metadata);
// the value says the latest state. A later record with the same key replaces an earlier
// one, and a record with a null value (a tombstone) deletes it, so the topic is compacted
// (log/cleaner.h): the cleaner keeps the latest record per key and the log never grows
// beyond one record per live key.
//
// The formats are Kafka's own, so Kafka's tools could read these logs:
//   key v0/v1  OffsetCommitKey     group, topic, partition
//   key v2     GroupMetadataKey    group
//   value v3   OffsetCommitValue   offset, leader epoch, metadata, commit timestamp
//   value v3   GroupMetadataValue  protocol type, generation, protocol, leader, state
//                                  timestamp, members (id, instance id, client id, host,
//                                  timeouts, subscription, assignment)
// Loading replays a partition through decode_offsets_record in order: the state of its
// groups is a fold over its log.
//
// Which partition holds a group: Kafka's rule, abs(javaHashCode(group)) % partitions.
// Every record of a group — its offsets and its metadata — lives in that one partition,
// so a partition can be loaded (or forgotten) on its own. The broker leading it is the
// group's coordinator, which is how chapter 4 moves coordinators around with partition
// leadership.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::group {

inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

// Java's String.hashCode of the UTF-16 code units of `s` (ASCII group ids: its bytes).
std::int32_t java_string_hash(std::string_view s);
// The __consumer_offsets partition of a group.
std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions);

struct OffsetKey {
  std::string group;
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const OffsetKey&) const = default;
};

struct OffsetValue {
  std::int64_t offset = -1;
  std::int32_t leader_epoch = -1;
  std::string metadata;
  std::int64_t commit_timestamp = -1;
};

struct StoredMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::int32_t rebalance_timeout_ms = 0;
  std::int32_t session_timeout_ms = 0;
  Bytes subscription;  // the member's metadata for the chosen protocol
  Bytes assignment;
};

struct GroupValue {
  std::string protocol_type;
  std::int32_t generation = 0;
  std::optional<std::string> protocol;
  std::optional<std::string> leader;
  std::int64_t state_timestamp = -1;
  std::vector<StoredMember> members;
};

// One record of the topic, decoded: an offset commit or a group's metadata; a missing
// value is a tombstone.
struct OffsetRecord {
  OffsetKey key;
  std::optional<OffsetValue> value;
};
struct GroupRecord {
  std::string group;
  std::optional<GroupValue> value;
};
using OffsetsTopicRecord = std::variant<OffsetRecord, GroupRecord>;

// The group a record belongs to (and so the partition it lives in).
inline const std::string& group_of(const OffsetsTopicRecord& r) {
  if (const auto* o = std::get_if<OffsetRecord>(&r)) return o->key.group;
  return std::get<GroupRecord>(r).group;
}

// Key and value bytes of a record to append.
struct EncodedRecord {
  Bytes key;
  std::optional<Bytes> value;
};

EncodedRecord encode_offset_record(const OffsetKey& key, const std::optional<OffsetValue>& value);
EncodedRecord encode_group_record(const std::string& group, const std::optional<GroupValue>& value);
// Fails with CORRUPT_MESSAGE on bytes that are not one of the formats above.
Result<OffsetsTopicRecord> decode_offsets_record(ByteSpan key, std::optional<ByteSpan> value);

}  // namespace streamcraft::group
