// generated from final/protocol/metadata.cpp; edit there
// protocol/metadata.cpp — Metadata v0..v5 on the wire.
// And v6..v8: v6 = v5; v7 adds leader epochs; v8 authorized operations.
#include "protocol/metadata.h"

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

void encode_ints(Encoder& e, const std::vector<std::int32_t>& v) {
  e.array_length(v.size());
  for (auto x : v) e.i32(x);
}

std::vector<std::int32_t> decode_ints(Decoder& d) {
  std::vector<std::int32_t> v;
  auto n = d.array_length(4);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) v.push_back(d.i32());
  return v;
}

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, std::string("malformed ") + what + " " + d.problem());
}

}  // namespace

Result<MetadataRequest> decode_metadata_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  MetadataRequest r;
  auto n = d.array_length(2);
  if (n >= 0) {
    r.topics.emplace();
    for (std::int32_t i = 0; i < n && d.ok(); ++i) r.topics->push_back(d.string());
  } else if (version == 0) {
    d.fail("null topic list in Metadata v0");
  }
  // In v0 an empty list meant "all topics"; from v1 on that is spelled null.
  if (version == 0 && r.topics && r.topics->empty()) r.topics.reset();
  if (version >= 4) r.allow_auto_topic_creation = d.boolean();
  if (version >= 8) {
    r.include_cluster_authorized_operations = d.boolean();
    r.include_topic_authorized_operations = d.boolean();
  }
  if (!d.ok()) return malformed(d, "Metadata request");
  return r;
}

Bytes encode_metadata_request(const MetadataRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (!r.topics) {
    if (version == 0) e.array_length(0); else e.null_array();
  } else {
    e.array_length(r.topics->size());
    for (const auto& t : *r.topics) e.string(t);
  }
  if (version >= 4) e.boolean(r.allow_auto_topic_creation);
  if (version >= 8) {
    e.boolean(r.include_cluster_authorized_operations);
    e.boolean(r.include_topic_authorized_operations);
  }
  return out;
}

Bytes encode_metadata_response(const MetadataResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 3) e.i32(r.throttle_time_ms);
  e.array_length(r.brokers.size());
  for (const auto& b : r.brokers) {
    e.i32(b.node_id);
    e.string(b.host);
    e.i32(b.port);
    if (version >= 1) e.nullable_string(b.rack);
  }
  if (version >= 2) e.nullable_string(r.cluster_id);
  if (version >= 1) e.i32(r.controller_id);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.i16(static_cast<std::int16_t>(t.error));
    e.string(t.name);
    if (version >= 1) e.boolean(t.is_internal);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i16(static_cast<std::int16_t>(p.error));
      e.i32(p.partition);
      e.i32(p.leader);
      if (version >= 7) e.i32(p.leader_epoch);
      encode_ints(e, p.replicas);
      encode_ints(e, p.isr);
      if (version >= 5) encode_ints(e, p.offline_replicas);
    }
    if (version >= 8) e.i32(t.topic_authorized_operations);
  }
  if (version >= 8) e.i32(r.cluster_authorized_operations);
  return out;
}

Result<MetadataResponse> decode_metadata_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  MetadataResponse r;
  if (version >= 3) r.throttle_time_ms = d.i32();
  auto nb = d.array_length(10);
  for (std::int32_t i = 0; i < nb && d.ok(); ++i) {
    MetadataBroker b;
    b.node_id = d.i32();
    b.host = d.string();
    b.port = d.i32();
    if (version >= 1) b.rack = d.nullable_string();
    r.brokers.push_back(std::move(b));
  }
  if (version >= 2) r.cluster_id = d.nullable_string();
  if (version >= 1) r.controller_id = d.i32();
  auto nt = d.array_length(8);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    MetadataTopic t;
    t.error = static_cast<Errc>(d.i16());
    t.name = d.string();
    if (version >= 1) t.is_internal = d.boolean();
    auto np = d.array_length(18);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      MetadataPartition p;
      p.error = static_cast<Errc>(d.i16());
      p.partition = d.i32();
      p.leader = d.i32();
      if (version >= 7) p.leader_epoch = d.i32();
      p.replicas = decode_ints(d);
      p.isr = decode_ints(d);
      if (version >= 5) p.offline_replicas = decode_ints(d);
      t.partitions.push_back(std::move(p));
    }
    if (version >= 8) t.topic_authorized_operations = d.i32();
    r.topics.push_back(std::move(t));
  }
  if (version >= 8) r.cluster_authorized_operations = d.i32();
  if (!d.ok()) return malformed(d, "Metadata response");
  return r;
}

}  // namespace streamcraft::protocol
