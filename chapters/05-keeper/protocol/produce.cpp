// generated from final/protocol/produce.cpp; edit there
// protocol/produce.cpp — Produce v3..v7 on the wire.
#include "protocol/produce.h"

#include "protocol/wire.h"

namespace streamcraft::protocol {

Result<ProduceRequest> decode_produce_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  ProduceRequest r;
  if (version >= 3) r.transactional_id = d.nullable_string();
  r.acks = d.i16();
  r.timeout_ms = d.i32();
  auto nt = d.array_length(6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    ProduceTopicData t;
    t.name = d.string();
    auto np = d.array_length(8);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      ProducePartitionData p;
      p.partition = d.i32();
      p.records = d.nullable_bytes();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed Produce request " + d.problem());
  return r;
}

Bytes encode_produce_request(const ProduceRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 3) e.nullable_string(r.transactional_id);
  e.i16(r.acks);
  e.i32(r.timeout_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      e.nullable_bytes(p.records);
    }
  }
  return out;
}

Bytes encode_produce_response(const ProduceResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      e.i16(static_cast<std::int16_t>(p.error));
      e.i64(p.base_offset);
      if (version >= 2) e.i64(p.log_append_time_ms);
      if (version >= 5) e.i64(p.log_start_offset);
    }
  }
  if (version >= 1) e.i32(r.throttle_time_ms);
  return out;
}

Result<ProduceResponse> decode_produce_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  ProduceResponse r;
  auto nt = d.array_length(6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    ProduceTopicResponse t;
    t.name = d.string();
    auto np = d.array_length(14);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      ProducePartitionResponse p;
      p.partition = d.i32();
      p.error = static_cast<Errc>(d.i16());
      p.base_offset = d.i64();
      if (version >= 2) p.log_append_time_ms = d.i64();
      if (version >= 5) p.log_start_offset = d.i64();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (version >= 1) r.throttle_time_ms = d.i32();
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed Produce response " + d.problem());
  return r;
}

}  // namespace streamcraft::protocol
