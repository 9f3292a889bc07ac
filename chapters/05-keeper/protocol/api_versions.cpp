// generated from final/protocol/api_versions.cpp; edit there
// protocol/api_versions.cpp — the advertised version table.
#include "protocol/api_versions.h"

#include <algorithm>
#include <array>
#include <vector>

#include "protocol/header.h"
#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

// Every range stops below the API's first flexible version, and together they are those
// of a Kafka 2.3-era broker, which is what kafka-python will infer from them (Fetch 11).
constexpr std::array kApis = {
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::produce), 3, 7},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::fetch), 4, 11},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::list_offsets), 0, 2},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::metadata), 0, 5},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::api_versions), 0, 2},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::create_topics), 0, 4},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::delete_topics), 0, 3},
    // Consumer groups. librdkafka switches its group features on only if every one of
    // these starts at version 0 (1 for OffsetFetch): the ranges must reach down there.
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::offset_commit), 0, 7},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::offset_fetch), 1, 5},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::find_coordinator), 0, 2},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::join_group), 0, 5},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::heartbeat), 0, 3},
    // LeaveGroup v3 (KIP-345, Kafka 2.4): several members at once, static ones by instance
    // id. kafkajs then sends v3; librdkafka stays at v1, kafka-python and sarama at v0..v1.
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::leave_group), 0, 3},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::sync_group), 0, 3},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::describe_groups), 0, 2},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::list_groups), 0, 2},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::delete_groups), 0, 1},
    // The idempotent producer (librdkafka needs version 0 in the range).
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::init_producer_id), 0, 1},
    // Replication. Metadata v7 carries each partition's leader epoch, which clients send
    // back in ListOffsets v4+ (and Fetch v9+) to be fenced if either side is stale;
    // OffsetsForLeaderEpoch is how followers (and librdkafka after a leader change) find
    // where their log parts from the leader's. The control requests the controller sends
    // to brokers are Kafka's own, in their last non-flexible versions, and listed as Kafka
    // lists them.
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::metadata), 0, 7},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::list_offsets), 0, 5},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::offsets_for_leader_epoch), 0, 3},
    // An operator's request to the controller: move leadership back to the preferred
    // replicas (`streamcraft cluster elect-leaders --preferred`).
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::elect_leaders), 0, 1},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::leader_and_isr), 2, 3},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::stop_replica), 1, 1},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::update_metadata), 5, 5},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::controlled_shutdown), 1, 2},
};

// The table as this chapter leaves it. A later chapter raises an API by listing it again
// further down: the later entry replaces the earlier one, in the earlier one's place.
std::vector<ApiVersionRange> merged_table() {
  std::vector<ApiVersionRange> out;
  for (const auto& a : kApis) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& b) { return b.api_key == a.api_key; });
    if (it == out.end()) out.push_back(a);
    else *it = a;
  }
  return out;
}

const std::vector<ApiVersionRange>& table() {
  static const std::vector<ApiVersionRange> merged = merged_table();
  return merged;
}

// The course's own requests between brokers and the controller (protocol/control.h):
// accepted, but not advertised — they are no Kafka API, and a client has no use for them.
constexpr std::array kCourseApis = {
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::broker_registration), 0, 0},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::broker_heartbeat), 0, 0},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::alter_isr), 0, 0},
    ApiVersionRange{static_cast<std::int16_t>(ApiKey::topic_configs), 0, 0},
};

}  // namespace

std::span<const ApiVersionRange> supported_apis() { return table(); }

const ApiVersionRange* find_api(std::int16_t api_key) {
  const auto& apis = table();
  auto it = std::find_if(apis.begin(), apis.end(), [&](const auto& a) { return a.api_key == api_key; });
  return it == apis.end() ? nullptr : &*it;
}

const ApiVersionRange* find_course_api(std::int16_t api_key) {
  auto it = std::find_if(kCourseApis.begin(), kCourseApis.end(), [&](const auto& a) { return a.api_key == api_key; });
  return it == kCourseApis.end() ? nullptr : &*it;
}

Bytes encode_api_versions_response(const ApiVersionsResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  e.array_length(r.apis.size());
  for (const auto& a : r.apis) {
    e.i16(a.api_key);
    e.i16(a.min_version);
    e.i16(a.max_version);
  }
  if (version >= 1) e.i32(r.throttle_time_ms);
  return out;
}

Result<ApiVersionsResponse> decode_api_versions_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  ApiVersionsResponse r;
  r.error = static_cast<Errc>(d.i16());
  auto n = d.array_length(6);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    ApiVersionRange a{d.i16(), d.i16(), d.i16()};
    r.apis.push_back(a);
  }
  if (version >= 1) r.throttle_time_ms = d.i32();
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed ApiVersions response " + d.problem());
  return r;
}

}  // namespace streamcraft::protocol
