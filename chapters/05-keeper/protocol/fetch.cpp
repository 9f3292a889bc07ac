// generated from final/protocol/fetch.cpp; edit there
// protocol/fetch.cpp — Fetch v4..v11 on the wire.
#include "protocol/fetch.h"

#include "protocol/wire.h"

namespace streamcraft::protocol {

Result<FetchRequest> decode_fetch_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  FetchRequest r;
  r.replica_id = d.i32();
  r.max_wait_ms = d.i32();
  r.min_bytes = d.i32();
  if (version >= 3) r.max_bytes = d.i32();
  if (version >= 4) r.isolation_level = d.i8();
  if (version >= 7) {
    r.session_id = d.i32();
    r.session_epoch = d.i32();
  }
  auto nt = d.array_length(6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    FetchTopic t;
    t.name = d.string();
    auto np = d.array_length(16);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      FetchPartition p;
      p.partition = d.i32();
      if (version >= 9) p.current_leader_epoch = d.i32();
      p.fetch_offset = d.i64();
      if (version >= 5) p.log_start_offset = d.i64();
      p.partition_max_bytes = d.i32();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (version >= 7) {
    // Forgotten topics only matter to fetch sessions, which this broker does not keep.
    auto nf = d.array_length(6);
    for (std::int32_t i = 0; i < nf && d.ok(); ++i) {
      d.string();
      auto np = d.array_length(4);
      for (std::int32_t j = 0; j < np && d.ok(); ++j) d.i32();
    }
  }
  if (version >= 11) r.rack_id = d.string();
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed Fetch request " + d.problem());
  return r;
}

Bytes encode_fetch_request(const FetchRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.i32(r.replica_id);
  e.i32(r.max_wait_ms);
  e.i32(r.min_bytes);
  if (version >= 3) e.i32(r.max_bytes);
  if (version >= 4) e.i8(r.isolation_level);
  if (version >= 7) {
    e.i32(r.session_id);
    e.i32(r.session_epoch);
  }
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition);
      if (version >= 9) e.i32(p.current_leader_epoch);
      e.i64(p.fetch_offset);
      if (version >= 5) e.i64(p.log_start_offset);
      e.i32(p.partition_max_bytes);
    }
  }
  if (version >= 7) e.array_length(0);
  if (version >= 11) e.string(r.rack_id);
  return out;
}

void encode_fetch_response(const FetchResponse& r, std::int16_t version, OutMessage& out) {
  Encoder e(out.bytes());
  if (version >= 1) e.i32(r.throttle_time_ms);
  if (version >= 7) {
    e.i16(static_cast<std::int16_t>(r.error));
    e.i32(r.session_id);
  }
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    Encoder te(out.bytes());
    te.string(t.name);
    te.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      Encoder pe(out.bytes());
      pe.i32(p.partition);
      pe.i16(static_cast<std::int16_t>(p.error));
      pe.i64(p.high_watermark);
      if (version >= 4) {
        pe.i64(p.last_stable_offset);
        if (version >= 5) pe.i64(p.log_start_offset);
        pe.array_length(0);  // aborted transactions: none (no transactions yet)
      }
      if (version >= 11) pe.i32(p.preferred_read_replica);
      if (p.records_file) {
        pe.i32(static_cast<std::int32_t>(p.records_file->size));
        out.append_file(*p.records_file);
      } else {
        pe.nullable_bytes(p.records ? p.records : std::optional<ByteSpan>(ByteSpan{}));
      }
    }
  }
}

Result<FetchResponse> decode_fetch_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  FetchResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  if (version >= 7) {
    r.error = static_cast<Errc>(d.i16());
    r.session_id = d.i32();
  }
  auto nt = d.array_length(6);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    FetchTopicResponse t;
    t.name = d.string();
    auto np = d.array_length(18);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      FetchPartitionResponse p;
      p.partition = d.i32();
      p.error = static_cast<Errc>(d.i16());
      p.high_watermark = d.i64();
      if (version >= 4) {
        p.last_stable_offset = d.i64();
        if (version >= 5) p.log_start_offset = d.i64();
        auto na = d.array_length(16);
        for (std::int32_t k = 0; k < na && d.ok(); ++k) {
          d.i64();  // producer id
          d.i64();  // first offset
        }
      }
      if (version >= 11) p.preferred_read_replica = d.i32();
      p.records = d.nullable_bytes();
      t.partitions.push_back(p);
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed Fetch response " + d.problem());
  return r;
}

}  // namespace streamcraft::protocol
