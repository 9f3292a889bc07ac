// generated from final/protocol/elect_leaders.cpp; edit there
// protocol/elect_leaders.cpp — ElectLeaders v0..v1 on the wire.
#include "protocol/elect_leaders.h"

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, fmt::format("malformed {} {}", what, d.problem()));
}

Error unsupported(std::int16_t version) {
  return make_error(Errc::unsupported_version, fmt::format("ElectLeaders v{} is not spoken here", version));
}

bool spoken(std::int16_t version) { return version == 0 || version == 1; }

// The smallest encoding of one element, so that a hostile count is refused before
// anything is allocated: a topic is a string and an array count; a partition's result is
// its id, an error code and a (null) message.
constexpr std::size_t kMinTopic = 2 + 4;
constexpr std::size_t kMinPartitionResult = 4 + 2 + 2;

}  // namespace

Result<ElectLeadersRequest> decode_elect_leaders_request(ByteSpan body, std::int16_t version) {
  if (!spoken(version)) return unsupported(version);
  Decoder d(body);
  ElectLeadersRequest r;
  if (version >= 1) r.election_type = d.i8();
  auto nt = d.array_length(kMinTopic);
  if (nt >= 0) {
    r.topic_partitions.emplace();
    for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
      ElectLeadersTopic t;
      t.topic = d.string();
      auto np = d.array_length(4);
      for (std::int32_t j = 0; j < np && d.ok(); ++j) t.partitions.push_back(d.i32());
      r.topic_partitions->push_back(std::move(t));
    }
  }
  r.timeout_ms = d.i32();
  if (!d.ok()) return malformed(d, "ElectLeaders request");
  return r;
}

Bytes encode_elect_leaders_request(const ElectLeadersRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i8(r.election_type);
  if (!r.topic_partitions) {
    e.null_array();
  } else {
    e.array_length(r.topic_partitions->size());
    for (const auto& t : *r.topic_partitions) {
      e.string(t.topic);
      e.array_length(t.partitions.size());
      for (auto p : t.partitions) e.i32(p);
    }
  }
  e.i32(r.timeout_ms);
  return out;
}

Bytes encode_elect_leaders_response(const ElectLeadersResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.i32(r.throttle_time_ms);
  if (version >= 1) e.i16(static_cast<std::int16_t>(r.error));
  e.array_length(r.results.size());
  for (const auto& t : r.results) {
    e.string(t.topic);
    e.array_length(t.partition_results.size());
    for (const auto& p : t.partition_results) {
      e.i32(p.partition_id);
      e.i16(static_cast<std::int16_t>(p.error));
      e.nullable_string(p.error_message);
    }
  }
  return out;
}

Result<ElectLeadersResponse> decode_elect_leaders_response(ByteSpan body, std::int16_t version) {
  if (!spoken(version)) return unsupported(version);
  Decoder d(body);
  ElectLeadersResponse r;
  r.throttle_time_ms = d.i32();
  if (version >= 1) r.error = static_cast<Errc>(d.i16());
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    ElectLeadersTopicResult t;
    t.topic = d.string();
    auto np = d.array_length(kMinPartitionResult);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      ElectLeadersPartitionResult p;
      p.partition_id = d.i32();
      p.error = static_cast<Errc>(d.i16());
      p.error_message = d.nullable_string();
      t.partition_results.push_back(std::move(p));
    }
    r.results.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "ElectLeaders response");
  return r;
}

}  // namespace streamcraft::protocol
