// generated from final/protocol/header.cpp; edit there
// protocol/header.cpp — request headers and frame sizes.
#include "protocol/header.h"

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {

std::string_view api_name(std::int16_t key) {
  switch (static_cast<ApiKey>(key)) {
    case ApiKey::produce: return "Produce";
    case ApiKey::fetch: return "Fetch";
    case ApiKey::list_offsets: return "ListOffsets";
    case ApiKey::metadata: return "Metadata";
    case ApiKey::api_versions: return "ApiVersions";
    case ApiKey::create_topics: return "CreateTopics";
    case ApiKey::delete_topics: return "DeleteTopics";
    case ApiKey::offset_commit: return "OffsetCommit";
    case ApiKey::offset_fetch: return "OffsetFetch";
    case ApiKey::find_coordinator: return "FindCoordinator";
    case ApiKey::join_group: return "JoinGroup";
    case ApiKey::heartbeat: return "Heartbeat";
    case ApiKey::leave_group: return "LeaveGroup";
    case ApiKey::sync_group: return "SyncGroup";
    case ApiKey::describe_groups: return "DescribeGroups";
    case ApiKey::list_groups: return "ListGroups";
    case ApiKey::init_producer_id: return "InitProducerId";
    case ApiKey::delete_groups: return "DeleteGroups";
    case ApiKey::offsets_for_leader_epoch: return "OffsetForLeaderEpoch";  // Kafka's name, singular
    case ApiKey::elect_leaders: return "ElectLeaders";
    case ApiKey::leader_and_isr: return "LeaderAndIsr";
    case ApiKey::stop_replica: return "StopReplica";
    case ApiKey::update_metadata: return "UpdateMetadata";
    case ApiKey::controlled_shutdown: return "ControlledShutdown";
    case ApiKey::broker_registration: return "BrokerRegistration";
    case ApiKey::broker_heartbeat: return "BrokerHeartbeat";
    case ApiKey::alter_isr: return "AlterIsr";
    case ApiKey::topic_configs: return "TopicConfigs";
  }
  return "Unknown";
}

std::optional<RequestHeader> peek_header(ByteSpan frame) {
  if (frame.size() < 8) return std::nullopt;
  RequestHeader h;
  h.api_key = load_be<std::int16_t>(frame.data());
  h.api_version = load_be<std::int16_t>(frame.data() + 2);
  h.correlation_id = load_be<std::int32_t>(frame.data() + 4);
  return h;
}

Result<RequestHeader> decode_request_header(ByteSpan frame) {
  Decoder d(frame);
  RequestHeader h;
  h.api_key = d.i16();
  h.api_version = d.i16();
  h.correlation_id = d.i32();
  h.client_id = d.nullable_string();
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed request header " + d.problem());
  h.size = d.position();
  return h;
}

Result<std::size_t> read_frame_size(ByteSpan four_bytes, std::size_t max_frame_bytes) {
  auto size = load_be<std::int32_t>(four_bytes.data());
  if (size < 0) return make_error(Errc::corrupt_message, fmt::format("negative frame size {}", size));
  if (static_cast<std::size_t>(size) > max_frame_bytes)
    return make_error(Errc::corrupt_message,
                      fmt::format("frame of {} bytes exceeds socket.request.max.bytes ({})", size, max_frame_bytes));
  return static_cast<std::size_t>(size);
}

}  // namespace streamcraft::protocol
