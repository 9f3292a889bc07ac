// generated from final/protocol/offsets.cpp; edit there
// protocol/offsets.cpp — OffsetCommit v0..v7 and OffsetFetch v0..v5 on the wire.
#include "protocol/offsets.h"

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, fmt::format("malformed {} {}", what, d.problem()));
}

// A non-nullable array's element count: null (-1) is malformed here, as in Kafka.
std::int32_t required_array_length(Decoder& d, std::size_t min_element_size) {
  auto n = d.array_length(min_element_size);
  if (n < 0 && d.ok()) {
    d.fail("a required array is null");
    return 0;
  }
  return n;
}

}  // namespace

// --- OffsetCommit ------------------------------------------------------------------------

Result<OffsetCommitRequest> decode_offset_commit_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  OffsetCommitRequest r;
  r.group_id = d.string();
  if (version >= 1) {
    r.generation_id = d.i32();
    r.member_id = d.string();
  }
  if (version >= 7) r.group_instance_id = d.nullable_string();
  if (version >= 2 && version <= 4) r.retention_time_ms = d.i64();
  auto nt = required_array_length(d, 6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    OffsetCommitTopic t;
    t.name = d.string();
    auto np = required_array_length(d, 14);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      OffsetCommitPartition p;
      p.partition = d.i32();
      p.committed_offset = d.i64();
      if (version >= 6) p.committed_leader_epoch = d.i32();
      if (version == 1) p.commit_timestamp = d.i64();
      p.metadata = d.nullable_string();
      t.partitions.push_back(std::move(p));
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "OffsetCommit request");
  return r;
}

Bytes encode_offset_commit_request(const OffsetCommitRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.group_id);
  if (version >= 1) {
    e.i32(r.generation_id);
    e.string(r.member_id);
  }
  if (version >= 7) e.nullable_string(r.group_instance_id);
  if (version >= 2 && version <= 4) e.i64(r.retention_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      e.i64(p.committed_offset);
      if (version >= 6) e.i32(p.committed_leader_epoch);
      if (version == 1) e.i64(p.commit_timestamp);
      e.nullable_string(p.metadata);
    }
  }
  return out;
}

Bytes encode_offset_commit_response(const OffsetCommitResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 3) e.i32(r.throttle_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      e.i16(static_cast<std::int16_t>(p.error));
    }
  }
  return out;
}

Result<OffsetCommitResponse> decode_offset_commit_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  OffsetCommitResponse r;
  if (version >= 3) r.throttle_time_ms = d.i32();
  auto nt = required_array_length(d, 6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    OffsetCommitTopicResponse t;
    t.name = d.string();
    auto np = required_array_length(d, 6);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      OffsetCommitPartitionResponse p;
      p.partition = d.i32();
      p.error = static_cast<Errc>(d.i16());
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "OffsetCommit response");
  return r;
}

// --- OffsetFetch -------------------------------------------------------------------------

Result<OffsetFetchRequest> decode_offset_fetch_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  OffsetFetchRequest r;
  r.group_id = d.string();
  auto nt = d.array_length(6);
  if (nt >= 0) {
    r.topics.emplace();
    for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
      OffsetFetchTopic t;
      t.name = d.string();
      auto np = required_array_length(d, 4);
      for (std::int32_t j = 0; j < np && d.ok(); ++j) t.partitions.push_back(d.i32());
      r.topics->push_back(std::move(t));
    }
  } else if (version < 2 && d.ok()) {
    d.fail(fmt::format("null topic list in OffsetFetch v{}", version));
  }
  if (!d.ok()) return malformed(d, "OffsetFetch request");
  return r;
}

Bytes encode_offset_fetch_request(const OffsetFetchRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.group_id);
  if (!r.topics) {
    if (version >= 2) e.null_array(); else e.array_length(0);
    return out;
  }
  e.array_length(r.topics->size());
  for (const auto& t : *r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (auto p : t.partitions) e.i32(p);
  }
  return out;
}

Bytes encode_offset_fetch_response(const OffsetFetchResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 3) e.i32(r.throttle_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      e.i64(p.committed_offset);
      if (version >= 5) e.i32(p.committed_leader_epoch);
      e.nullable_string(p.metadata);
      e.i16(static_cast<std::int16_t>(p.error));
    }
  }
  if (version >= 2) e.i16(static_cast<std::int16_t>(r.error));
  return out;
}

Result<OffsetFetchResponse> decode_offset_fetch_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  OffsetFetchResponse r;
  if (version >= 3) r.throttle_time_ms = d.i32();
  auto nt = required_array_length(d, 6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    OffsetFetchTopicResponse t;
    t.name = d.string();
    auto np = required_array_length(d, 16);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      OffsetFetchPartitionResponse p;
      p.partition = d.i32();
      p.committed_offset = d.i64();
      if (version >= 5) p.committed_leader_epoch = d.i32();
      p.metadata = d.nullable_string();
      p.error = static_cast<Errc>(d.i16());
      t.partitions.push_back(std::move(p));
    }
    r.topics.push_back(std::move(t));
  }
  if (version >= 2) r.error = static_cast<Errc>(d.i16());
  if (!d.ok()) return malformed(d, "OffsetFetch response");
  return r;
}

}  // namespace streamcraft::protocol
