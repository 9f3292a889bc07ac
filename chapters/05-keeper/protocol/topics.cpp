// generated from final/protocol/topics.cpp; edit there
// protocol/topics.cpp — CreateTopics v0..v4 and DeleteTopics v0..v3 on the wire.
#include "protocol/topics.h"

#include "protocol/wire.h"

namespace streamcraft::protocol {

Result<CreateTopicsRequest> decode_create_topics_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  CreateTopicsRequest r;
  auto nt = d.array_length(16);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    CreatableTopic t;
    t.name = d.string();
    t.num_partitions = d.i32();
    t.replication_factor = d.i16();
    auto na = d.array_length(8);
    for (std::int32_t j = 0; j < na && d.ok(); ++j) {
      std::int32_t partition = d.i32();
      std::vector<std::int32_t> brokers;
      auto nbr = d.array_length(4);
      for (std::int32_t k = 0; k < nbr && d.ok(); ++k) brokers.push_back(d.i32());
      t.assignments.emplace_back(partition, std::move(brokers));
    }
    auto nc = d.array_length(4);
    for (std::int32_t j = 0; j < nc && d.ok(); ++j) {
      std::string key = d.string();
      t.configs.emplace_back(std::move(key), d.nullable_string());
    }
    r.topics.push_back(std::move(t));
  }
  r.timeout_ms = d.i32();
  if (version >= 1) r.validate_only = d.boolean();
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed CreateTopics request " + d.problem());
  return r;
}

Bytes encode_create_topics_request(const CreateTopicsRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.i32(t.num_partitions);
    e.i16(t.replication_factor);
    e.array_length(t.assignments.size());
    for (const auto& [partition, brokers] : t.assignments) {
      e.i32(partition);
      e.array_length(brokers.size());
      for (auto b : brokers) e.i32(b);
    }
    e.array_length(t.configs.size());
    for (const auto& [key, value] : t.configs) {
      e.string(key);
      e.nullable_string(value);
    }
  }
  e.i32(r.timeout_ms);
  if (version >= 1) e.boolean(r.validate_only);
  return out;
}

Bytes encode_create_topics_response(const CreateTopicsResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 2) e.i32(r.throttle_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.i16(static_cast<std::int16_t>(t.error));
    if (version >= 1) e.nullable_string(t.error_message);
  }
  return out;
}

Result<CreateTopicsResponse> decode_create_topics_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  CreateTopicsResponse r;
  if (version >= 2) r.throttle_time_ms = d.i32();
  auto nt = d.array_length(4);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    TopicResult t;
    t.name = d.string();
    t.error = static_cast<Errc>(d.i16());
    if (version >= 1) t.error_message = d.nullable_string();
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed CreateTopics response " + d.problem());
  return r;
}

Result<DeleteTopicsRequest> decode_delete_topics_request(ByteSpan body, std::int16_t /*version*/) {
  Decoder d(body);
  DeleteTopicsRequest r;
  auto n = d.array_length(2);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) r.names.push_back(d.string());
  r.timeout_ms = d.i32();
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed DeleteTopics request " + d.problem());
  return r;
}

Bytes encode_delete_topics_request(const DeleteTopicsRequest& r, std::int16_t /*version*/) {
  Bytes out;
  Encoder e(out);
  e.array_length(r.names.size());
  for (const auto& n : r.names) e.string(n);
  e.i32(r.timeout_ms);
  return out;
}

Bytes encode_delete_topics_response(const DeleteTopicsResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.i16(static_cast<std::int16_t>(t.error));
  }
  return out;
}

Result<DeleteTopicsResponse> decode_delete_topics_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  DeleteTopicsResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  auto nt = d.array_length(4);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    TopicResult t;
    t.name = d.string();
    t.error = static_cast<Errc>(d.i16());
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed DeleteTopics response " + d.problem());
  return r;
}

}  // namespace streamcraft::protocol
