// generated from final/protocol/list_offsets.cpp; edit there
// protocol/list_offsets.cpp — ListOffsets v0..v2 on the wire.
// And v3..v5: v3 = v2; v4 adds the leader epochs; v5 = v4.
#include "protocol/list_offsets.h"

#include "protocol/wire.h"

namespace streamcraft::protocol {

Result<ListOffsetsRequest> decode_list_offsets_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  ListOffsetsRequest r;
  r.replica_id = d.i32();
  if (version >= 2) r.isolation_level = d.i8();
  auto nt = d.array_length(6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    ListOffsetsTopic t;
    t.name = d.string();
    auto np = d.array_length(12);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      ListOffsetsPartition p;
      p.partition = d.i32();
      if (version >= 4) p.current_leader_epoch = d.i32();
      p.timestamp = d.i64();
      if (version == 0) p.max_num_offsets = d.i32();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed ListOffsets request " + d.problem());
  return r;
}

Bytes encode_list_offsets_request(const ListOffsetsRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.i32(r.replica_id);
  if (version >= 2) e.i8(r.isolation_level);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      if (version >= 4) e.i32(p.current_leader_epoch);
      e.i64(p.timestamp);
      if (version == 0) e.i32(p.max_num_offsets);
    }
  }
  return out;
}

Bytes encode_list_offsets_response(const ListOffsetsResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 2) e.i32(r.throttle_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      e.i16(static_cast<std::int16_t>(p.error));
      if (version == 0) {
        // v0 answers with a list of offsets; an error or "no such offset" is an empty list.
        if (p.offset >= 0) {
          e.array_length(1);
          e.i64(p.offset);
        } else {
          e.array_length(0);
        }
      } else {
        e.i64(p.timestamp);
        e.i64(p.offset);
      }
      if (version >= 4) e.i32(p.leader_epoch);
    }
  }
  return out;
}

Result<ListOffsetsResponse> decode_list_offsets_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  ListOffsetsResponse r;
  if (version >= 2) r.throttle_time_ms = d.i32();
  auto nt = d.array_length(6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    ListOffsetsTopicResponse t;
    t.name = d.string();
    auto np = d.array_length(10);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      ListOffsetsPartitionResponse p;
      p.partition = d.i32();
      p.error = static_cast<Errc>(d.i16());
      if (version == 0) {
        auto n = d.array_length(8);
        for (std::int32_t k = 0; k < n && d.ok(); ++k) {
          auto o = d.i64();
          if (k == 0) p.offset = o;
        }
      } else {
        p.timestamp = d.i64();
        p.offset = d.i64();
      }
      if (version >= 4) p.leader_epoch = d.i32();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed ListOffsets response " + d.problem());
  return r;
}

}  // namespace streamcraft::protocol
