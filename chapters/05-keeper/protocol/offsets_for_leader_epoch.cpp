// generated from final/protocol/offsets_for_leader_epoch.cpp; edit there
// protocol/offsets_for_leader_epoch.cpp — OffsetsForLeaderEpoch v0..v3 on the wire.
#include "protocol/offsets_for_leader_epoch.h"

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, fmt::format("malformed {} {}", what, d.problem()));
}

// The smallest encoding of one element, so that a hostile count is refused before
// anything is allocated: a topic is a string and an array count; a partition is three
// int32s from v2 on (two before); a partition's answer is error, partition and end offset,
// plus the epoch from v1 on.
constexpr std::size_t kMinTopic = 2 + 4;
std::size_t min_request_partition(std::int16_t version) { return version >= 2 ? 12 : 8; }
std::size_t min_response_partition(std::int16_t version) { return version >= 1 ? 18 : 14; }

}  // namespace

Result<OffsetsForLeaderEpochRequest> decode_offsets_for_leader_epoch_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  OffsetsForLeaderEpochRequest r;
  if (version >= 3) r.replica_id = d.i32();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    OffsetsForLeaderEpochTopic t;
    t.name = d.string();
    auto np = d.array_length(min_request_partition(version));
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      OffsetsForLeaderEpochPartition p;
      p.partition = d.i32();
      if (version >= 2) p.current_leader_epoch = d.i32();
      p.leader_epoch = d.i32();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "OffsetsForLeaderEpoch request");
  return r;
}

Bytes encode_offsets_for_leader_epoch_request(const OffsetsForLeaderEpochRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 3) e.i32(r.replica_id);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      if (version >= 2) e.i32(p.current_leader_epoch);
      e.i32(p.leader_epoch);
    }
  }
  return out;
}

Bytes encode_offsets_for_leader_epoch_response(const OffsetsForLeaderEpochResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 2) e.i32(r.throttle_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i16(static_cast<std::int16_t>(p.error));
      e.i32(p.partition);
      if (version >= 1) e.i32(p.leader_epoch);
      e.i64(p.end_offset);
    }
  }
  return out;
}

Result<OffsetsForLeaderEpochResponse> decode_offsets_for_leader_epoch_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  OffsetsForLeaderEpochResponse r;
  if (version >= 2) r.throttle_time_ms = d.i32();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    OffsetsForLeaderEpochTopicResponse t;
    t.name = d.string();
    auto np = d.array_length(min_response_partition(version));
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      OffsetsForLeaderEpochPartitionResponse p;
      p.error = static_cast<Errc>(d.i16());
      p.partition = d.i32();
      if (version >= 1) p.leader_epoch = d.i32();
      p.end_offset = d.i64();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "OffsetsForLeaderEpoch response");
  return r;
}

}  // namespace streamcraft::protocol
