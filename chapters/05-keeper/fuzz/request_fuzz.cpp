// generated from final/fuzz/request_fuzz.cpp; edit there
// fuzz/request_fuzz.cpp — random bytes as a Kafka request.
//
// The broker reads requests from anyone who can open a socket. Whatever arrives, the
// header and body decoders must return a value or an error — no crash, no read past the
// frame, no huge allocation — and whatever they accept must survive encoding and
// decoding again.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "protocol/api_versions.h"
#include "protocol/fetch.h"
#include "protocol/groups.h"
#include "protocol/header.h"
#include "protocol/init_producer_id.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/offsets.h"
#include "protocol/control.h"
#include "protocol/elect_leaders.h"
#include "protocol/offsets_for_leader_epoch.h"
#include "protocol/produce.h"
#include "protocol/topics.h"

using namespace streamcraft;
using namespace streamcraft::protocol;

namespace {

template <class Decode, class Encode>
void round_trip(ByteSpan body, std::int16_t version, Decode decode, Encode encode) {
  auto first = decode(body, version);
  if (!first) return;
  auto again = decode(encode(*first, version), version);
  if (!again) throw std::logic_error("a decoded request does not decode again after encoding");
}

// Chapter 4's codecs speak versions the broker does not advertise (yet): the handler
// serves them once replication is wired. They read requests from the network all the
// same, so the fuzzer decodes them at every version the codecs know, advertised or not.
struct CodecRange {
  ApiKey key;
  std::int16_t min_version;
  std::int16_t max_version;
};
constexpr CodecRange kBeyondAdvertised[] = {
    {ApiKey::offsets_for_leader_epoch, 0, 3},
    {ApiKey::list_offsets, 0, 5},
    {ApiKey::metadata, 0, 8},
    // The control requests (protocol/control.h), which only brokers and the controller send.
    {ApiKey::leader_and_isr, 2, 3},
    {ApiKey::update_metadata, 5, 5},
    {ApiKey::stop_replica, 1, 1},
    {ApiKey::controlled_shutdown, 1, 2},
    {ApiKey::broker_registration, 0, 0},
    {ApiKey::broker_heartbeat, 0, 0},
    {ApiKey::alter_isr, 0, 0},
    {ApiKey::topic_configs, 0, 0},
};

// Round-trips the body if the codecs know this key at this version; false otherwise.
bool round_trip_codec_versions(std::int16_t key, std::int16_t v, ByteSpan body) {
  for (const auto& range : kBeyondAdvertised) {
    if (static_cast<std::int16_t>(range.key) != key || v < range.min_version || v > range.max_version) continue;
    switch (range.key) {
      case ApiKey::offsets_for_leader_epoch:
        round_trip(body, v, decode_offsets_for_leader_epoch_request, encode_offsets_for_leader_epoch_request);
        break;
      case ApiKey::list_offsets: round_trip(body, v, decode_list_offsets_request, encode_list_offsets_request); break;
      case ApiKey::metadata: round_trip(body, v, decode_metadata_request, encode_metadata_request); break;
      case ApiKey::leader_and_isr:
        round_trip(body, v, decode_leader_and_isr_request, encode_leader_and_isr_request);
        break;
      case ApiKey::update_metadata:
        round_trip(body, v, decode_update_metadata_request, encode_update_metadata_request);
        break;
      case ApiKey::stop_replica: round_trip(body, v, decode_stop_replica_request, encode_stop_replica_request); break;
      case ApiKey::controlled_shutdown:
        round_trip(body, v, decode_controlled_shutdown_request, encode_controlled_shutdown_request);
        break;
      case ApiKey::broker_registration:
        round_trip(body, v, decode_broker_registration_request, encode_broker_registration_request);
        break;
      case ApiKey::broker_heartbeat:
        round_trip(body, v, decode_broker_heartbeat_request, encode_broker_heartbeat_request);
        break;
      case ApiKey::alter_isr: round_trip(body, v, decode_alter_isr_request, encode_alter_isr_request); break;
      case ApiKey::topic_configs:
        round_trip(body, v, decode_topic_configs_request, encode_topic_configs_request);
        break;
      default: break;
    }
    return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The input is what a socket delivers: a size prefix, then the frame.
  ByteSpan input(reinterpret_cast<const std::byte*>(data), size);
  if (input.size() < 4) return 0;
  auto frame_size = read_frame_size(input.first(4), 1 << 20);
  if (!frame_size) return 0;
  ByteSpan frame = input.subspan(4, std::min(*frame_size, input.size() - 4));
  auto peeked = peek_header(frame);
  auto header = decode_request_header(frame);
  if (header && !peeked) throw std::logic_error("a full header decoded where the fixed fields did not");
  if (!header) return 0;
  if (round_trip_codec_versions(header->api_key, header->api_version, frame.subspan(header->size))) return 0;
  const auto* api = find_api(header->api_key);
  if (!api || header->api_version < api->min_version || header->api_version > api->max_version) return 0;
  ByteSpan body = frame.subspan(header->size);
  const auto v = header->api_version;
  switch (static_cast<ApiKey>(header->api_key)) {
    case ApiKey::produce: round_trip(body, v, decode_produce_request, encode_produce_request); break;
    case ApiKey::fetch: round_trip(body, v, decode_fetch_request, encode_fetch_request); break;
    case ApiKey::list_offsets: round_trip(body, v, decode_list_offsets_request, encode_list_offsets_request); break;
    case ApiKey::metadata: round_trip(body, v, decode_metadata_request, encode_metadata_request); break;
    case ApiKey::create_topics: round_trip(body, v, decode_create_topics_request, encode_create_topics_request); break;
    case ApiKey::delete_topics: round_trip(body, v, decode_delete_topics_request, encode_delete_topics_request); break;
    case ApiKey::offset_commit: round_trip(body, v, decode_offset_commit_request, encode_offset_commit_request); break;
    case ApiKey::offset_fetch: round_trip(body, v, decode_offset_fetch_request, encode_offset_fetch_request); break;
    case ApiKey::find_coordinator:
      round_trip(body, v, decode_find_coordinator_request, encode_find_coordinator_request);
      break;
    case ApiKey::join_group: round_trip(body, v, decode_join_group_request, encode_join_group_request); break;
    case ApiKey::heartbeat: round_trip(body, v, decode_heartbeat_request, encode_heartbeat_request); break;
    case ApiKey::leave_group: round_trip(body, v, decode_leave_group_request, encode_leave_group_request); break;
    case ApiKey::sync_group: round_trip(body, v, decode_sync_group_request, encode_sync_group_request); break;
    case ApiKey::describe_groups:
      round_trip(body, v, decode_describe_groups_request, encode_describe_groups_request);
      break;
    case ApiKey::list_groups: round_trip(body, v, decode_list_groups_request, encode_list_groups_request); break;
    case ApiKey::delete_groups: round_trip(body, v, decode_delete_groups_request, encode_delete_groups_request); break;
    case ApiKey::init_producer_id:
      round_trip(body, v, decode_init_producer_id_request, encode_init_producer_id_request);
      break;
    case ApiKey::elect_leaders: round_trip(body, v, decode_elect_leaders_request, encode_elect_leaders_request); break;
    case ApiKey::api_versions: break;  // no body to decode in v0..v2
    default: break;                    // not advertised: find_api() returned nullptr above
  }
  return 0;
}
