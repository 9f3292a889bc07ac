// generated from final/group/offsets_topic.cpp; edit there
// group/offsets_topic.cpp — Kafka's __consumer_offsets key and value formats.
#include "group/offsets_topic.h"
#include "common/not_implemented.h"  // the stubs of this file's exercises

#include <cstdlib>

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::group {

using protocol::Decoder;
using protocol::Encoder;

namespace {
constexpr std::int16_t kOffsetKeyVersion = 1;
constexpr std::int16_t kGroupKeyVersion = 2;
constexpr std::int16_t kValueVersion = 3;

Bytes as_bytes(std::optional<ByteSpan> span) { return span ? Bytes(span->begin(), span->end()) : Bytes(); }
}  // namespace

std::int32_t java_string_hash(std::string_view s) {
  // h = 31*h + c with 32-bit wrap-around, as Java computes it.
  std::uint32_t h = 0;
  for (unsigned char c : s) h = 31u * h + c;
  return static_cast<std::int32_t>(h);
}

std::int32_t offsets_partition_for(std::string_view group_id, std::int32_t partitions) {
  // Kafka's Utils.abs maps INT_MIN to 0 instead of overflowing.
  const std::int32_t h = java_string_hash(group_id);
  const std::int32_t positive = h == INT32_MIN ? 0 : std::abs(h);
  return positive % partitions;
}

EncodedRecord encode_offset_record(const OffsetKey& key, const std::optional<OffsetValue>& value) {
  EncodedRecord r;
  Encoder k(r.key);
  k.i16(kOffsetKeyVersion);
  k.string(key.group);
  k.string(key.topic);
  k.i32(key.partition);
  if (value) {
    r.value.emplace();
    Encoder v(*r.value);
    v.i16(kValueVersion);
    v.i64(value->offset);
    v.i32(value->leader_epoch);
    v.string(value->metadata);
    v.i64(value->commit_timestamp);
  }
  return r;
}

EncodedRecord encode_group_record(const std::string& group, const std::optional<GroupValue>& value) {
  EncodedRecord r;
  Encoder k(r.key);
  k.i16(kGroupKeyVersion);
  k.string(group);
  if (value) {
    r.value.emplace();
    Encoder v(*r.value);
    v.i16(kValueVersion);
    v.string(value->protocol_type);
    v.i32(value->generation);
    v.nullable_string(value->protocol);
    v.nullable_string(value->leader);
    v.i64(value->state_timestamp);
    v.array_length(value->members.size());
    for (const auto& m : value->members) {
      v.string(m.member_id);
      v.nullable_string(m.group_instance_id);
      v.string(m.client_id);
      v.string(m.client_host);
      v.i32(m.rebalance_timeout_ms);
      v.i32(m.session_timeout_ms);
      v.nullable_bytes(ByteSpan(m.subscription));
      v.nullable_bytes(ByteSpan(m.assignment));
    }
  }
  return r;
}

namespace {

Result<OffsetValue> decode_offset_value(Decoder& d) {
  OffsetValue v;
  const auto version = d.i16();
  if (d.ok() && (version < 0 || version > 3))
    return make_error(Errc::corrupt_message, fmt::format("offset commit value version {}", version));
  v.offset = d.i64();
  if (version >= 3) v.leader_epoch = d.i32();
  v.metadata = d.string();
  v.commit_timestamp = d.i64();
  if (version == 1) (void)d.i64();  // expire timestamp: offsets expire by retention here
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed offset commit value " + d.problem());
  return v;
}

Result<GroupValue> decode_group_value(Decoder& d) {
  GroupValue g;
  const auto version = d.i16();
  if (d.ok() && (version < 0 || version > 3))
    return make_error(Errc::corrupt_message, fmt::format("group metadata value version {}", version));
  g.protocol_type = d.string();
  g.generation = d.i32();
  g.protocol = d.nullable_string();
  g.leader = d.nullable_string();
  if (version >= 2) g.state_timestamp = d.i64();
  auto n = d.array_length(14);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    StoredMember m;
    m.member_id = d.string();
    if (version >= 3) m.group_instance_id = d.nullable_string();
    m.client_id = d.string();
    m.client_host = d.string();
    if (version >= 1) m.rebalance_timeout_ms = d.i32();
    m.session_timeout_ms = d.i32();
    if (version == 0) m.rebalance_timeout_ms = m.session_timeout_ms;
    m.subscription = as_bytes(d.nullable_bytes());
    m.assignment = as_bytes(d.nullable_bytes());
    g.members.push_back(std::move(m));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed group metadata value " + d.problem());
  return g;
}

}  // namespace

Result<OffsetsTopicRecord> decode_offsets_record(ByteSpan key, std::optional<ByteSpan> value) {
  Decoder k(key);
  const auto key_version = k.i16();
  if (key_version == 0 || key_version == 1) {
    OffsetRecord r;
    r.key.group = k.string();
    r.key.topic = k.string();
    r.key.partition = k.i32();
    if (!k.ok()) return make_error(Errc::corrupt_message, "malformed offset commit key " + k.problem());
    if (value) {
      Decoder v(*value);
      auto decoded = decode_offset_value(v);
      if (!decoded) return decoded.error();
      r.value = std::move(*decoded);
    }
    return OffsetsTopicRecord{std::move(r)};
  }
  if (key_version == 2) {
    GroupRecord r;
    r.group = k.string();
    if (!k.ok()) return make_error(Errc::corrupt_message, "malformed group metadata key " + k.problem());
    if (value) {
      Decoder v(*value);
      auto decoded = decode_group_value(v);
      if (!decoded) return decoded.error();
      r.value = std::move(*decoded);
    }
    return OffsetsTopicRecord{std::move(r)};
  }
  return make_error(Errc::corrupt_message, fmt::format("__consumer_offsets key version {}", key_version));
}

}  // namespace streamcraft::group
