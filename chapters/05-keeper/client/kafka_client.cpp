// generated from final/client/kafka_client.cpp; edit there
// client/kafka_client.cpp — connection, version negotiation and request helpers.
#include "client/kafka_client.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "protocol/api_versions.h"
#include "protocol/wire.h"

namespace streamcraft::client {

using protocol::ApiKey;

KafkaClient::KafkaClient(Private, std::unique_ptr<BlockingSocket> socket, std::string client_id,
                         std::chrono::milliseconds request_timeout)
    : socket_(std::move(socket)), client_id_(std::move(client_id)), request_timeout_(request_timeout) {}
KafkaClient::~KafkaClient() = default;

Result<std::unique_ptr<KafkaClient>> KafkaClient::connect(const std::string& bootstrap, std::string client_id,
                                                          std::chrono::milliseconds request_timeout) {
  auto socket = BlockingSocket::connect(bootstrap, request_timeout, "broker");
  if (!socket) return socket.error();
  auto c = std::make_unique<KafkaClient>(Private{}, std::move(*socket), std::move(client_id), request_timeout);

  // ApiVersions v0 is understood by every broker; pick, per API, the highest version
  // that both this client (protocol::supported_apis) and the broker support.
  c->versions_[static_cast<std::int16_t>(ApiKey::api_versions)] = 0;
  auto corr = c->send(ApiKey::api_versions, {});
  if (!corr) return corr.error();
  auto body = c->receive(*corr);
  if (!body) return body.error();
  auto resp = protocol::decode_api_versions_response(*body, 0);
  if (!resp) return resp.error();
  if (resp->error != Errc::none) return make_error(resp->error, "ApiVersions failed");
  c->versions_.clear();
  for (const auto& ours : protocol::supported_apis()) {
    for (const auto& theirs : resp->apis) {
      if (theirs.api_key != ours.api_key) continue;
      auto v = std::min(ours.max_version, theirs.max_version);
      if (v >= std::max(ours.min_version, theirs.min_version)) c->versions_[ours.api_key] = v;
    }
  }
  return c;
}

std::optional<std::int16_t> KafkaClient::version(ApiKey api) const {
  auto it = versions_.find(static_cast<std::int16_t>(api));
  if (it == versions_.end()) return std::nullopt;
  return it->second;
}

Result<std::int32_t> KafkaClient::send(ApiKey api, const Bytes& body) {
  auto v = version(api);
  if (!v) return make_error(Errc::unsupported_version, fmt::format("the broker does not support {}",
                                                                   protocol::api_name(static_cast<std::int16_t>(api))));
  Bytes header;
  protocol::Encoder e(header);
  e.i32(0);  // size, patched below
  e.i16(static_cast<std::int16_t>(api));
  e.i16(*v);
  const std::int32_t correlation = next_correlation_++;
  e.i32(correlation);
  e.nullable_string(client_id_);
  store_be<std::int32_t>(header.data(), static_cast<std::int32_t>(header.size() + body.size() - 4));
  // Header and body leave in one gathered write: the body (a megabyte batch, say) is
  // not copied again just to sit behind its header.
  if (auto st = socket_->write({ByteSpan(header), ByteSpan(body)}, request_timeout_); !st) return st.error();
  in_flight_.push_back(correlation);
  return correlation;
}

Result<Bytes> KafkaClient::receive(std::int32_t correlation_id, std::chrono::milliseconds held_for) {
  if (in_flight_.empty() || in_flight_.front() != correlation_id)
    throw std::logic_error("responses must be received in the order their requests were sent");
  std::byte prefix[8];
  if (auto s = socket_->read_exact(prefix, request_timeout_ + held_for); !s) return s.error();
  auto size = load_be<std::int32_t>(prefix);
  if (size < 4 || size > (1 << 30)) return make_error(Errc::corrupt_message, fmt::format("response size {}", size));
  if (auto got = load_be<std::int32_t>(prefix + 4); got != correlation_id)
    return make_error(Errc::corrupt_message, fmt::format("correlation id {} where {} was expected", got, correlation_id));
  Bytes body(static_cast<std::size_t>(size - 4));
  if (auto s = socket_->read_exact(body, request_timeout_); !s) return s.error();
  in_flight_.pop_front();
  return body;
}

template <class Response, class Decode>
Result<Response> KafkaClient::call(ApiKey api, const Bytes& body, Decode decode, std::chrono::milliseconds held_for) {
  auto corr = send(api, body);
  if (!corr) return corr.error();
  auto resp = receive(*corr, held_for);
  if (!resp) return resp.error();
  return decode(*resp, *version(api));
}

Result<protocol::MetadataResponse> KafkaClient::metadata(std::optional<std::vector<std::string>> topics,
                                                         bool allow_auto_create) {
  protocol::MetadataRequest req{std::move(topics), allow_auto_create};
  auto v = version(ApiKey::metadata).value_or(0);
  return call<protocol::MetadataResponse>(ApiKey::metadata, protocol::encode_metadata_request(req, v),
                                          protocol::decode_metadata_response);
}

Result<protocol::CreateTopicsResponse> KafkaClient::create_topics(const protocol::CreateTopicsRequest& request) {
  auto v = version(ApiKey::create_topics).value_or(0);
  return call<protocol::CreateTopicsResponse>(ApiKey::create_topics, protocol::encode_create_topics_request(request, v),
                                              protocol::decode_create_topics_response);
}

Result<protocol::DeleteTopicsResponse> KafkaClient::delete_topics(const protocol::DeleteTopicsRequest& request) {
  auto v = version(ApiKey::delete_topics).value_or(0);
  return call<protocol::DeleteTopicsResponse>(ApiKey::delete_topics, protocol::encode_delete_topics_request(request, v),
                                              protocol::decode_delete_topics_response);
}

Result<protocol::ProduceResponse> KafkaClient::produce(const protocol::ProduceRequest& request) {
  auto v = version(ApiKey::produce).value_or(3);
  return call<protocol::ProduceResponse>(ApiKey::produce, protocol::encode_produce_request(request, v),
                                         protocol::decode_produce_response);
}

Result<FetchResult> KafkaClient::fetch(const protocol::FetchRequest& request) {
  auto corr = send_fetch(request);
  if (!corr) return corr.error();
  return receive_fetch(*corr, request);
}

Result<std::int32_t> KafkaClient::send_fetch(const protocol::FetchRequest& request) {
  return send(ApiKey::fetch, protocol::encode_fetch_request(request, version(ApiKey::fetch).value_or(4)));
}

Result<FetchResult> KafkaClient::receive_fetch(std::int32_t correlation_id, const protocol::FetchRequest& request) {
  auto v = version(ApiKey::fetch).value_or(4);
  auto body = receive(correlation_id, std::chrono::milliseconds(std::max(request.max_wait_ms, 0)));
  if (!body) return body.error();
  FetchResult result{std::move(*body), {}};
  auto decoded = protocol::decode_fetch_response(result.body, v);  // spans into result.body
  if (!decoded) return decoded.error();
  result.response = std::move(*decoded);
  return result;
}

Result<protocol::ListOffsetsResponse> KafkaClient::list_offsets(const protocol::ListOffsetsRequest& request) {
  auto v = version(ApiKey::list_offsets).value_or(0);
  return call<protocol::ListOffsetsResponse>(ApiKey::list_offsets, protocol::encode_list_offsets_request(request, v),
                                             protocol::decode_list_offsets_response);
}

Result<protocol::FindCoordinatorResponse> KafkaClient::find_coordinator(const std::string& group_id) {
  protocol::FindCoordinatorRequest request;
  request.key = group_id;
  auto v = version(ApiKey::find_coordinator).value_or(0);
  return call<protocol::FindCoordinatorResponse>(ApiKey::find_coordinator,
                                                 protocol::encode_find_coordinator_request(request, v),
                                                 protocol::decode_find_coordinator_response);
}

Status KafkaClient::check_coordinator(const std::string& group_id) {
  auto coordinator = find_coordinator(group_id);
  if (!coordinator) return coordinator.error();
  if (coordinator->error != Errc::none)
    return make_error(coordinator->error, coordinator->error_message.value_or("FindCoordinator for group " + group_id));
  // Which node are we connected to? Metadata lists the brokers by their advertised
  // address; ours is the one whose address resolves to our socket's peer — or, in a
  // one-broker cluster whose advertised name we cannot resolve, the only one there is.
  auto md = metadata(std::vector<std::string>{});
  if (!md) return md.error();
  std::optional<std::int32_t> ours;
  for (const auto& b : md->brokers)
    if (socket_->connected_to(b.host, b.port)) ours = b.node_id;
  if (!ours && md->brokers.size() == 1) ours = md->brokers.front().node_id;
  if (ours && *ours == coordinator->node_id) return {};
  return make_error(Errc::not_coordinator,
                    fmt::format("the coordinator of group {} is node {} at {}:{}, and this client talks to {} only",
                                group_id, coordinator->node_id, coordinator->host, coordinator->port,
                                ours ? fmt::format("node {}", *ours) : std::string("its bootstrap broker")));
}

Result<protocol::JoinGroupResponse> KafkaClient::join_group(const protocol::JoinGroupRequest& request) {
  auto v = version(ApiKey::join_group).value_or(0);
  // The coordinator answers once every member has joined: up to the rebalance timeout.
  return call<protocol::JoinGroupResponse>(ApiKey::join_group, protocol::encode_join_group_request(request, v),
                                           protocol::decode_join_group_response,
                                           std::chrono::milliseconds(std::max(request.rebalance_timeout_ms, 0)));
}

Result<protocol::SyncGroupResponse> KafkaClient::sync_group(const protocol::SyncGroupRequest& request) {
  auto v = version(ApiKey::sync_group).value_or(0);
  return call<protocol::SyncGroupResponse>(ApiKey::sync_group, protocol::encode_sync_group_request(request, v),
                                           protocol::decode_sync_group_response);
}

Result<protocol::HeartbeatResponse> KafkaClient::heartbeat(const protocol::HeartbeatRequest& request) {
  auto v = version(ApiKey::heartbeat).value_or(0);
  return call<protocol::HeartbeatResponse>(ApiKey::heartbeat, protocol::encode_heartbeat_request(request, v),
                                           protocol::decode_heartbeat_response);
}

Result<protocol::LeaveGroupResponse> KafkaClient::leave_group(const protocol::LeaveGroupRequest& request) {
  auto v = version(ApiKey::leave_group).value_or(0);
  return call<protocol::LeaveGroupResponse>(ApiKey::leave_group, protocol::encode_leave_group_request(request, v),
                                            protocol::decode_leave_group_response);
}

Result<protocol::OffsetCommitResponse> KafkaClient::offset_commit(const protocol::OffsetCommitRequest& request) {
  auto v = version(ApiKey::offset_commit).value_or(0);
  return call<protocol::OffsetCommitResponse>(ApiKey::offset_commit, protocol::encode_offset_commit_request(request, v),
                                              protocol::decode_offset_commit_response);
}

Result<protocol::OffsetFetchResponse> KafkaClient::offset_fetch(const protocol::OffsetFetchRequest& request) {
  auto v = version(ApiKey::offset_fetch).value_or(1);
  return call<protocol::OffsetFetchResponse>(ApiKey::offset_fetch, protocol::encode_offset_fetch_request(request, v),
                                             protocol::decode_offset_fetch_response);
}

Result<protocol::ListGroupsResponse> KafkaClient::list_groups() {
  auto v = version(ApiKey::list_groups).value_or(0);
  return call<protocol::ListGroupsResponse>(ApiKey::list_groups, protocol::encode_list_groups_request({}, v),
                                            protocol::decode_list_groups_response);
}

Result<protocol::DescribeGroupsResponse> KafkaClient::describe_groups(const std::vector<std::string>& groups) {
  auto v = version(ApiKey::describe_groups).value_or(0);
  return call<protocol::DescribeGroupsResponse>(ApiKey::describe_groups,
                                                protocol::encode_describe_groups_request({groups}, v),
                                                protocol::decode_describe_groups_response);
}

Result<protocol::DeleteGroupsResponse> KafkaClient::delete_groups(const std::vector<std::string>& groups) {
  auto v = version(ApiKey::delete_groups).value_or(0);
  return call<protocol::DeleteGroupsResponse>(ApiKey::delete_groups,
                                              protocol::encode_delete_groups_request({groups}, v),
                                              protocol::decode_delete_groups_response);
}

Result<protocol::ElectLeadersResponse> KafkaClient::elect_leaders(const protocol::ElectLeadersRequest& request) {
  // v1 carries the election type and a top-level error; v0 is what a broker of Kafka 2.2–2.3 takes.
  auto v = version(ApiKey::elect_leaders).value_or(0);
  if (v == 0 && request.election_type != protocol::kPreferredElection)
    return make_error(Errc::unsupported_version, "this broker takes preferred-leader elections only (ElectLeaders v0)");
  return call<protocol::ElectLeadersResponse>(ApiKey::elect_leaders, protocol::encode_elect_leaders_request(request, v),
                                              protocol::decode_elect_leaders_response);
}

}  // namespace streamcraft::client
