// generated from tests/protocol/group_codecs_test.cpp; edit there
// protocol/group_codecs_test.cpp — the consumer group, committed offset and InitProducerId
// codecs: every request and response round-trips at every version, the fields of each
// version appear exactly where Kafka's message schemas put them, hand-assembled bytes
// decode as the schema says, and malformed input is an error, never a crash.
#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/error.h"
#include "protocol/api_versions.h"
#include "protocol/api_versions.h"
#include "protocol/groups.h"
#include "protocol/header.h"
#include "protocol/init_producer_id.h"
#include "protocol/offsets.h"
#include "protocol/wire.h"

using namespace streamcraft;
using namespace streamcraft::protocol;

// Field-by-field equality for the codec structs (found by argument-dependent lookup).
#define STREAMCRAFT_SAME_FIELDS(T, ...)                                  \
  inline bool operator==(const T& a, const T& b) {                       \
    auto fields = [](const T& x) { return std::tie(__VA_ARGS__); };     \
    return fields(a) == fields(b);                                       \
  }

namespace streamcraft::protocol {
STREAMCRAFT_SAME_FIELDS(FindCoordinatorRequest, x.key, x.key_type)
STREAMCRAFT_SAME_FIELDS(FindCoordinatorResponse, x.throttle_time_ms, x.error, x.error_message, x.node_id, x.host,
                        x.port)
STREAMCRAFT_SAME_FIELDS(JoinGroupProtocol, x.name, x.metadata)
STREAMCRAFT_SAME_FIELDS(JoinGroupRequest, x.group_id, x.session_timeout_ms, x.rebalance_timeout_ms, x.member_id,
                        x.group_instance_id, x.protocol_type, x.protocols)
STREAMCRAFT_SAME_FIELDS(JoinGroupMember, x.member_id, x.group_instance_id, x.metadata)
STREAMCRAFT_SAME_FIELDS(JoinGroupResponse, x.throttle_time_ms, x.error, x.generation_id, x.protocol_name, x.leader,
                        x.member_id, x.members)
STREAMCRAFT_SAME_FIELDS(SyncGroupAssignment, x.member_id, x.assignment)
STREAMCRAFT_SAME_FIELDS(SyncGroupRequest, x.group_id, x.generation_id, x.member_id, x.group_instance_id,
                        x.assignments)
STREAMCRAFT_SAME_FIELDS(SyncGroupResponse, x.throttle_time_ms, x.error, x.assignment)
STREAMCRAFT_SAME_FIELDS(HeartbeatRequest, x.group_id, x.generation_id, x.member_id, x.group_instance_id)
STREAMCRAFT_SAME_FIELDS(HeartbeatResponse, x.throttle_time_ms, x.error)
STREAMCRAFT_SAME_FIELDS(LeaveGroupMember, x.member_id, x.group_instance_id)
STREAMCRAFT_SAME_FIELDS(LeaveGroupRequest, x.group_id, x.member_id, x.members)
STREAMCRAFT_SAME_FIELDS(LeaveGroupMemberResponse, x.member_id, x.group_instance_id, x.error)
STREAMCRAFT_SAME_FIELDS(LeaveGroupResponse, x.throttle_time_ms, x.error, x.members)
STREAMCRAFT_SAME_FIELDS(ListedGroup, x.group_id, x.protocol_type)
STREAMCRAFT_SAME_FIELDS(ListGroupsResponse, x.throttle_time_ms, x.error, x.groups)
STREAMCRAFT_SAME_FIELDS(DescribeGroupsRequest, x.groups)
STREAMCRAFT_SAME_FIELDS(DescribedGroupMember, x.member_id, x.client_id, x.client_host, x.member_metadata,
                        x.member_assignment)
STREAMCRAFT_SAME_FIELDS(DescribedGroup, x.error, x.group_id, x.group_state, x.protocol_type, x.protocol_data,
                        x.members)
STREAMCRAFT_SAME_FIELDS(DescribeGroupsResponse, x.throttle_time_ms, x.groups)
STREAMCRAFT_SAME_FIELDS(DeleteGroupsRequest, x.groups)
STREAMCRAFT_SAME_FIELDS(DeleteGroupsResult, x.group_id, x.error)
STREAMCRAFT_SAME_FIELDS(DeleteGroupsResponse, x.throttle_time_ms, x.results)
STREAMCRAFT_SAME_FIELDS(OffsetCommitPartition, x.partition, x.committed_offset, x.committed_leader_epoch,
                        x.commit_timestamp, x.metadata)
STREAMCRAFT_SAME_FIELDS(OffsetCommitTopic, x.name, x.partitions)
STREAMCRAFT_SAME_FIELDS(OffsetCommitRequest, x.group_id, x.generation_id, x.member_id, x.group_instance_id,
                        x.retention_time_ms, x.topics)
STREAMCRAFT_SAME_FIELDS(OffsetCommitPartitionResponse, x.partition, x.error)
STREAMCRAFT_SAME_FIELDS(OffsetCommitTopicResponse, x.name, x.partitions)
STREAMCRAFT_SAME_FIELDS(OffsetCommitResponse, x.throttle_time_ms, x.topics)
STREAMCRAFT_SAME_FIELDS(OffsetFetchTopic, x.name, x.partitions)
STREAMCRAFT_SAME_FIELDS(OffsetFetchRequest, x.group_id, x.topics)
STREAMCRAFT_SAME_FIELDS(OffsetFetchPartitionResponse, x.partition, x.committed_offset, x.committed_leader_epoch,
                        x.metadata, x.error)
STREAMCRAFT_SAME_FIELDS(OffsetFetchTopicResponse, x.name, x.partitions)
STREAMCRAFT_SAME_FIELDS(OffsetFetchResponse, x.throttle_time_ms, x.topics, x.error)
STREAMCRAFT_SAME_FIELDS(InitProducerIdRequest, x.transactional_id, x.transaction_timeout_ms)
STREAMCRAFT_SAME_FIELDS(InitProducerIdResponse, x.throttle_time_ms, x.error, x.producer_id, x.producer_epoch)
}  // namespace streamcraft::protocol

namespace {

Bytes bytes_of(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

bool same_bytes(const Bytes& a, const Bytes& b) { return a == b; }

// Encodes `in` at version v, decodes it, and checks that encoding the result again gives
// the same bytes. Returns the decoded value (for the caller's field checks).
template <class T, class Encode, class Decode>
T round_trip(const T& in, std::int16_t v, Encode encode, Decode decode) {
  const Bytes body = encode(in, v);
  auto back = decode(body, v);
  if (!back.ok()) FAIL("decoding failed: " << back.error().describe());
  CHECK(same_bytes(encode(*back, v), body));
  return *back;
}

// Decodes hand-assembled bytes, checks that they re-encode to the very same bytes, and
// returns the decoded value.
template <class Encode, class Decode>
auto decode_exact(const Bytes& body, std::int16_t v, Encode encode, Decode decode) {
  auto back = decode(body, v);
  if (!back.ok()) FAIL("decoding failed: " << back.error().describe());
  CHECK(same_bytes(encode(*back, v), body));
  return *back;
}

// Every proper prefix of a valid body is malformed.
template <class Decode>
void every_prefix_fails(const Bytes& body, std::int16_t v, Decode decode) {
  REQUIRE(decode(body, v).ok());
  for (std::size_t n = 0; n < body.size(); ++n) {
    auto r = decode(ByteSpan(body).first(n), v);
    INFO("prefix of " << n << " of " << body.size() << " bytes");
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().code == Errc::corrupt_message);
    REQUIRE_THAT(r.error().message, Catch::StartsWith("malformed "));
  }
}

// --- sample values ------------------------------------------------------------------------

FindCoordinatorRequest sample_find_coordinator_request() { return {"orders-group", kCoordinatorKeyTransaction}; }
FindCoordinatorResponse sample_find_coordinator_response() {
  return {7, Errc::not_coordinator, std::string("moved"), 3, "broker-3", 9093};
}

JoinGroupRequest sample_join_group_request() {
  JoinGroupRequest r;
  r.group_id = "orders-group";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 300000;
  r.member_id = "member-1";
  r.group_instance_id = "instance-1";
  r.protocol_type = "consumer";
  r.protocols = {{"range", bytes_of({0, 1, 0, 0, 0, 1, 0, 6})}, {"roundrobin", {}}};
  return r;
}
JoinGroupResponse sample_join_group_response() {
  JoinGroupResponse r;
  r.throttle_time_ms = 5;
  r.error = Errc::none;
  r.generation_id = 3;
  r.protocol_name = "range";
  r.leader = "member-1";
  r.member_id = "member-2";
  r.members = {{"member-1", std::string("instance-1"), bytes_of({1, 2, 3})}, {"member-2", std::nullopt, {}}};
  return r;
}

SyncGroupRequest sample_sync_group_request() {
  SyncGroupRequest r;
  r.group_id = "orders-group";
  r.generation_id = 3;
  r.member_id = "member-1";
  r.group_instance_id = "instance-1";
  r.assignments = {{"member-1", bytes_of({0, 1, 2})}, {"member-2", {}}};
  return r;
}
SyncGroupResponse sample_sync_group_response() { return {9, Errc::rebalance_in_progress, bytes_of({4, 5, 6, 7})}; }

HeartbeatRequest sample_heartbeat_request() { return {"orders-group", 3, "member-1", std::string("instance-1")}; }
LeaveGroupRequest sample_leave_group_request() { return {"orders-group", "member-1", {}}; }
// v3: one member by its member id (and instance id), one by its instance id alone.
LeaveGroupRequest sample_leave_group_v3_request() {
  return {"orders-group", "", {{"member-1", std::string("instance-1")}, {"", std::string("instance-2")}}};
}
LeaveGroupResponse sample_leave_group_v3_response() {
  return {12, Errc::none,
          {{"member-1", std::string("instance-1"), Errc::fenced_instance_id}, {"", std::string("instance-2"), Errc::none}}};
}

ListGroupsResponse sample_list_groups_response() {
  return {11, Errc::none, {{"orders-group", "consumer"}, {"connect-sink", "connect"}}};
}

DescribeGroupsRequest sample_describe_groups_request() { return {{"orders-group", "missing"}}; }
DescribeGroupsResponse sample_describe_groups_response() {
  DescribeGroupsResponse r;
  r.throttle_time_ms = 13;
  DescribedGroup stable;
  stable.group_id = "orders-group";
  stable.group_state = "Stable";
  stable.protocol_type = "consumer";
  stable.protocol_data = "range";
  stable.members = {{"member-1", "rdkafka", "/127.0.0.1", bytes_of({1}), bytes_of({2, 3})},
                    {"member-2", "kafka-python", "/127.0.0.2", {}, {}}};
  DescribedGroup dead;
  dead.error = Errc::group_id_not_found;
  dead.group_id = "missing";
  dead.group_state = "Dead";
  r.groups = {stable, dead};
  return r;
}

DeleteGroupsRequest sample_delete_groups_request() { return {{"old-group", "busy-group"}}; }
DeleteGroupsResponse sample_delete_groups_response() {
  return {17, {{"old-group", Errc::none}, {"busy-group", Errc::non_empty_group}}};
}

OffsetCommitRequest sample_offset_commit_request() {
  OffsetCommitRequest r;
  r.group_id = "orders-group";
  r.generation_id = 4;
  r.member_id = "member-1";
  r.group_instance_id = "instance-1";
  r.retention_time_ms = 86'400'000;
  r.topics = {{"orders", {{0, 42, 3, 1'700'000'000'000, std::string("meta")}, {1, 7, 3, 1'700'000'000'001, std::nullopt}}},
              {"clicks", {}}};
  return r;
}
OffsetCommitResponse sample_offset_commit_response() {
  return {19, {{"orders", {{0, Errc::none}, {1, Errc::offset_metadata_too_large}}}, {"clicks", {}}}};
}

OffsetFetchRequest sample_offset_fetch_request() {
  OffsetFetchRequest r;
  r.group_id = "orders-group";
  r.topics = std::vector<OffsetFetchTopic>{{"orders", {0, 1, 2}}, {"clicks", {}}};
  return r;
}
OffsetFetchResponse sample_offset_fetch_response() {
  OffsetFetchResponse r;
  r.throttle_time_ms = 23;
  r.topics = {{"orders", {{0, 42, 3, std::string("meta"), Errc::none}, {1, -1, 3, std::nullopt, Errc::none}}},
              {"clicks", {}}};
  r.error = Errc::coordinator_load_in_progress;
  return r;
}

InitProducerIdRequest sample_init_producer_id_request() { return {std::string("txn-1"), 60000}; }
InitProducerIdResponse sample_init_producer_id_response() { return {29, Errc::none, 1000, 2}; }

}  // namespace

// --- round trips and version differences ------------------------------------------------

TEST_CASE("FindCoordinator round-trips at v0 to v2 with key type and error message from v1", "[ch03][protocol]") {
  const auto req = sample_find_coordinator_request();
  const auto resp = sample_find_coordinator_response();
  for (std::int16_t v = 0; v <= 2; ++v) {
    INFO("version " << v);
    auto expected_req = req;
    if (v < 1) expected_req.key_type = kCoordinatorKeyGroup;
    CHECK(round_trip(req, v, encode_find_coordinator_request, decode_find_coordinator_request) == expected_req);
    auto expected_resp = resp;
    if (v < 1) {
      expected_resp.throttle_time_ms = 0;
      expected_resp.error_message.reset();
    }
    CHECK(round_trip(resp, v, encode_find_coordinator_response, decode_find_coordinator_response) == expected_resp);
  }
  CHECK(encode_find_coordinator_request(req, 1).size() == encode_find_coordinator_request(req, 0).size() + 1);
  CHECK(same_bytes(encode_find_coordinator_request(req, 2), encode_find_coordinator_request(req, 1)));
  // v1 adds throttle_time_ms (4) and error_message ("moved": 2 + 5).
  CHECK(encode_find_coordinator_response(resp, 1).size() == encode_find_coordinator_response(resp, 0).size() + 4 + 7);
  CHECK(same_bytes(encode_find_coordinator_response(resp, 2), encode_find_coordinator_response(resp, 1)));
}

TEST_CASE("JoinGroup round-trips at v0 to v5 with rebalance timeout from v1 and instance ids from v5", "[ch03][protocol]") {
  const auto req = sample_join_group_request();
  const auto resp = sample_join_group_response();
  for (std::int16_t v = 0; v <= 5; ++v) {
    INFO("version " << v);
    auto expected_req = req;
    if (v < 1) expected_req.rebalance_timeout_ms = req.session_timeout_ms;  // v0: the session timeout
    if (v < 5) expected_req.group_instance_id.reset();
    CHECK(round_trip(req, v, encode_join_group_request, decode_join_group_request) == expected_req);
    auto expected_resp = resp;
    if (v < 2) expected_resp.throttle_time_ms = 0;
    if (v < 5)
      for (auto& m : expected_resp.members) m.group_instance_id.reset();
    CHECK(round_trip(resp, v, encode_join_group_response, decode_join_group_response) == expected_resp);
  }
  // Request: v0 has no rebalance_timeout_ms; v1..v4 share a layout; v5 adds "instance-1".
  CHECK(encode_join_group_request(req, 0).size() + 4 == encode_join_group_request(req, 1).size());
  for (std::int16_t v = 2; v <= 4; ++v)
    CHECK(same_bytes(encode_join_group_request(req, v), encode_join_group_request(req, 1)));
  CHECK(encode_join_group_request(req, 5).size() == encode_join_group_request(req, 4).size() + 2 + 10);
  auto anonymous = req;
  anonymous.group_instance_id.reset();
  CHECK(encode_join_group_request(anonymous, 5).size() == encode_join_group_request(anonymous, 4).size() + 2);
  // Response: throttle from v2; per-member instance ids from v5 (one string, one null).
  CHECK(same_bytes(encode_join_group_response(resp, 1), encode_join_group_response(resp, 0)));
  CHECK(encode_join_group_response(resp, 2).size() == encode_join_group_response(resp, 1).size() + 4);
  CHECK(same_bytes(encode_join_group_response(resp, 4), encode_join_group_response(resp, 2)));
  CHECK(encode_join_group_response(resp, 5).size() == encode_join_group_response(resp, 4).size() + (2 + 10) + 2);
}

TEST_CASE("SyncGroup round-trips at v0 to v3 with throttle from v1 and instance id from v3", "[ch03][protocol]") {
  const auto req = sample_sync_group_request();
  const auto resp = sample_sync_group_response();
  for (std::int16_t v = 0; v <= 3; ++v) {
    INFO("version " << v);
    auto expected_req = req;
    if (v < 3) expected_req.group_instance_id.reset();
    CHECK(round_trip(req, v, encode_sync_group_request, decode_sync_group_request) == expected_req);
    auto expected_resp = resp;
    if (v < 1) expected_resp.throttle_time_ms = 0;
    CHECK(round_trip(resp, v, encode_sync_group_response, decode_sync_group_response) == expected_resp);
  }
  CHECK(same_bytes(encode_sync_group_request(req, 2), encode_sync_group_request(req, 0)));
  CHECK(encode_sync_group_request(req, 3).size() == encode_sync_group_request(req, 2).size() + 2 + 10);
  CHECK(encode_sync_group_response(resp, 1).size() == encode_sync_group_response(resp, 0).size() + 4);
  CHECK(same_bytes(encode_sync_group_response(resp, 3), encode_sync_group_response(resp, 1)));
}

TEST_CASE("Heartbeat round-trips at v0 to v3 with throttle from v1 and instance id from v3", "[ch03][protocol]") {
  const auto req = sample_heartbeat_request();
  const HeartbeatResponse resp{31, Errc::rebalance_in_progress};
  for (std::int16_t v = 0; v <= 3; ++v) {
    INFO("version " << v);
    auto expected_req = req;
    if (v < 3) expected_req.group_instance_id.reset();
    CHECK(round_trip(req, v, encode_heartbeat_request, decode_heartbeat_request) == expected_req);
    auto expected_resp = resp;
    if (v < 1) expected_resp.throttle_time_ms = 0;
    CHECK(round_trip(resp, v, encode_heartbeat_response, decode_heartbeat_response) == expected_resp);
  }
  CHECK(encode_heartbeat_request(req, 3).size() == encode_heartbeat_request(req, 2).size() + 2 + 10);
  CHECK(encode_heartbeat_response(resp, 0).size() == 2);
  CHECK(encode_heartbeat_response(resp, 1).size() == 6);
}

TEST_CASE("LeaveGroup round-trips at v0 and v1 with throttle from v1", "[ch03][protocol]") {
  const auto req = sample_leave_group_request();
  const LeaveGroupResponse resp{37, Errc::unknown_member_id, {}};
  for (std::int16_t v = 0; v <= 1; ++v) {
    INFO("version " << v);
    CHECK(round_trip(req, v, encode_leave_group_request, decode_leave_group_request) == req);
    auto expected_resp = resp;
    if (v < 1) expected_resp.throttle_time_ms = 0;
    CHECK(round_trip(resp, v, encode_leave_group_response, decode_leave_group_response) == expected_resp);
  }
  CHECK(same_bytes(encode_leave_group_request(req, 1), encode_leave_group_request(req, 0)));
  CHECK(encode_leave_group_response(resp, 1).size() == encode_leave_group_response(resp, 0).size() + 4);
}

TEST_CASE("LeaveGroup round-trips at v2 and v3 with a member list and an error per member from v3", "[ch03][protocol]") {
  // v2 has v1's layout; v3 replaces the one member_id by a list of members.
  const auto one = sample_leave_group_request();
  CHECK(same_bytes(encode_leave_group_request(one, 2), encode_leave_group_request(one, 1)));
  CHECK(round_trip(one, 2, encode_leave_group_request, decode_leave_group_request) == one);
  const auto many = sample_leave_group_v3_request();
  CHECK(round_trip(many, 3, encode_leave_group_request, decode_leave_group_request) == many);
  const auto resp = sample_leave_group_v3_response();
  CHECK(round_trip(resp, 3, encode_leave_group_response, decode_leave_group_response) == resp);
  // Below v3 the member list is not on the wire, in either direction.
  auto without_members = resp;
  without_members.members.clear();
  CHECK(round_trip(resp, 2, encode_leave_group_response, decode_leave_group_response) == without_members);
  auto v2_request = many;
  v2_request.members.clear();
  CHECK(round_trip(many, 2, encode_leave_group_request, decode_leave_group_request) == v2_request);
  for (std::int16_t v = 2; v <= 3; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_leave_group_request(v < 3 ? one : many, v), v, decode_leave_group_request);
    every_prefix_fails(encode_leave_group_response(resp, v), v, decode_leave_group_response);
  }
}

TEST_CASE("a LeaveGroup v3 request and response assembled byte by byte decode and re-encode exactly", "[ch03][protocol]") {
  // group_id · [member_id · group_instance_id]
  const Bytes req = bytes_of({0, 1, 'g',                      // group_id "g"
                              0, 0, 0, 2,                     // 2 members
                              0, 1, 'm', 0xff, 0xff,          // "m", no instance id
                              0, 0, 0, 1, 'i'});              // "" (by instance id), "i"
  auto r = decode_exact(req, 3, encode_leave_group_request, decode_leave_group_request);
  CHECK(r.group_id == "g");
  CHECK(r.member_id.empty());
  REQUIRE(r.members.size() == 2);
  CHECK(r.members[0].member_id == "m");
  CHECK_FALSE(r.members[0].group_instance_id.has_value());
  CHECK(r.members[1].member_id.empty());
  CHECK(r.members[1].group_instance_id == std::optional<std::string>("i"));

  // throttle_time_ms · error_code · [member_id · group_instance_id · error_code]
  const Bytes resp = bytes_of({0, 0, 0, 5,                    // throttle_time_ms 5
                               0, 0,                          // error_code NONE
                               0, 0, 0, 2,                    // 2 members
                               0, 1, 'm', 0xff, 0xff, 0, 25,  // "m", null, UNKNOWN_MEMBER_ID
                               0, 0, 0, 1, 'i', 0, 82});      // "", "i", FENCED_INSTANCE_ID
  auto p = decode_exact(resp, 3, encode_leave_group_response, decode_leave_group_response);
  CHECK(p.throttle_time_ms == 5);
  CHECK(p.error == Errc::none);
  REQUIRE(p.members.size() == 2);
  CHECK(p.members[0].error == Errc::unknown_member_id);
  CHECK(p.members[1].group_instance_id == std::optional<std::string>("i"));
  CHECK(p.members[1].error == Errc::fenced_instance_id);
  // A null member list is malformed.
  CHECK_FALSE(decode_leave_group_request(bytes_of({0, 1, 'g', 0xff, 0xff, 0xff, 0xff}), 3).ok());
  CHECK(find_api(static_cast<std::int16_t>(ApiKey::leave_group))->max_version == 3);
}

TEST_CASE("ListGroups round-trips at v0 to v2 with an empty request body", "[ch03][protocol]") {
  const auto resp = sample_list_groups_response();
  for (std::int16_t v = 0; v <= 2; ++v) {
    INFO("version " << v);
    CHECK(encode_list_groups_request(ListGroupsRequest{}, v).empty());
    CHECK(decode_list_groups_request({}, v).ok());
    auto expected_resp = resp;
    if (v < 1) expected_resp.throttle_time_ms = 0;
    CHECK(round_trip(resp, v, encode_list_groups_response, decode_list_groups_response) == expected_resp);
  }
  CHECK(encode_list_groups_response(resp, 1).size() == encode_list_groups_response(resp, 0).size() + 4);
  CHECK(same_bytes(encode_list_groups_response(resp, 2), encode_list_groups_response(resp, 1)));
}

TEST_CASE("DescribeGroups round-trips at v0 to v2 with throttle from v1", "[ch03][protocol]") {
  const auto req = sample_describe_groups_request();
  const auto resp = sample_describe_groups_response();
  for (std::int16_t v = 0; v <= 2; ++v) {
    INFO("version " << v);
    CHECK(round_trip(req, v, encode_describe_groups_request, decode_describe_groups_request) == req);
    auto expected_resp = resp;
    if (v < 1) expected_resp.throttle_time_ms = 0;
    CHECK(round_trip(resp, v, encode_describe_groups_response, decode_describe_groups_response) == expected_resp);
  }
  CHECK(same_bytes(encode_describe_groups_request(req, 2), encode_describe_groups_request(req, 0)));
  CHECK(encode_describe_groups_response(resp, 1).size() == encode_describe_groups_response(resp, 0).size() + 4);
  CHECK(same_bytes(encode_describe_groups_response(resp, 2), encode_describe_groups_response(resp, 1)));
}

TEST_CASE("DeleteGroups round-trips at v0 and v1 with throttle in both", "[ch03][protocol]") {
  const auto req = sample_delete_groups_request();
  const auto resp = sample_delete_groups_response();
  for (std::int16_t v = 0; v <= 1; ++v) {
    INFO("version " << v);
    CHECK(round_trip(req, v, encode_delete_groups_request, decode_delete_groups_request) == req);
    CHECK(round_trip(resp, v, encode_delete_groups_response, decode_delete_groups_response) == resp);
  }
  CHECK(same_bytes(encode_delete_groups_response(resp, 1), encode_delete_groups_response(resp, 0)));
}

TEST_CASE("OffsetCommit round-trips at v0 to v7 with each version's own fields", "[ch03][protocol]") {
  const auto req = sample_offset_commit_request();
  const auto resp = sample_offset_commit_response();
  for (std::int16_t v = 0; v <= 7; ++v) {
    INFO("version " << v);
    auto expected_req = req;
    if (v < 1) {
      expected_req.generation_id = -1;
      expected_req.member_id.clear();
    }
    if (v < 7) expected_req.group_instance_id.reset();
    if (v < 2 || v > 4) expected_req.retention_time_ms = -1;
    for (auto& t : expected_req.topics)
      for (auto& p : t.partitions) {
        if (v != 1) p.commit_timestamp = -1;
        if (v < 6) p.committed_leader_epoch = -1;
      }
    CHECK(round_trip(req, v, encode_offset_commit_request, decode_offset_commit_request) == expected_req);
    auto expected_resp = resp;
    if (v < 3) expected_resp.throttle_time_ms = 0;
    CHECK(round_trip(resp, v, encode_offset_commit_response, decode_offset_commit_response) == expected_resp);
  }
  auto size = [&](std::int16_t v) { return encode_offset_commit_request(req, v).size(); };
  const std::size_t partitions = 2;
  // v1: generation_id and member_id ("member-1"), a commit timestamp per partition.
  CHECK(size(1) == size(0) + 4 + (2 + 8) + 8 * partitions);
  // v2: retention_time_ms instead of the commit timestamps.
  CHECK(size(2) == size(1) + 8 - 8 * partitions);
  CHECK(same_bytes(encode_offset_commit_request(req, 3), encode_offset_commit_request(req, 2)));
  CHECK(same_bytes(encode_offset_commit_request(req, 4), encode_offset_commit_request(req, 2)));
  // v5: no retention; v6: a leader epoch per partition; v7: group_instance_id.
  CHECK(size(5) == size(4) - 8);
  CHECK(size(6) == size(5) + 4 * partitions);
  CHECK(size(7) == size(6) + 2 + 10);
  // Response: throttle from v3, otherwise one layout.
  CHECK(same_bytes(encode_offset_commit_response(resp, 2), encode_offset_commit_response(resp, 0)));
  CHECK(encode_offset_commit_response(resp, 3).size() == encode_offset_commit_response(resp, 2).size() + 4);
  CHECK(same_bytes(encode_offset_commit_response(resp, 7), encode_offset_commit_response(resp, 3)));
}

TEST_CASE("OffsetFetch round-trips at v0 to v5 with each version's own fields", "[ch03][protocol]") {
  const auto req = sample_offset_fetch_request();
  const auto resp = sample_offset_fetch_response();
  for (std::int16_t v = 0; v <= 5; ++v) {
    INFO("version " << v);
    CHECK(round_trip(req, v, encode_offset_fetch_request, decode_offset_fetch_request) == req);
    OffsetFetchRequest all;
    all.group_id = "orders-group";
    auto all_back = round_trip(all, v, encode_offset_fetch_request, decode_offset_fetch_request);
    if (v >= 2) {
      CHECK_FALSE(all_back.topics.has_value());  // null: every committed partition
    } else {
      REQUIRE(all_back.topics.has_value());  // no null before v2: an empty list
      CHECK(all_back.topics->empty());
    }
    auto expected_resp = resp;
    if (v < 3) expected_resp.throttle_time_ms = 0;
    if (v < 2) expected_resp.error = Errc::none;
    if (v < 5)
      for (auto& t : expected_resp.topics)
        for (auto& p : t.partitions) p.committed_leader_epoch = -1;
    CHECK(round_trip(resp, v, encode_offset_fetch_response, decode_offset_fetch_response) == expected_resp);
  }
  for (std::int16_t v = 1; v <= 5; ++v)
    CHECK(same_bytes(encode_offset_fetch_request(req, v), encode_offset_fetch_request(req, 0)));
  auto size = [&](std::int16_t v) { return encode_offset_fetch_response(resp, v).size(); };
  CHECK(size(1) == size(0));
  CHECK(size(2) == size(1) + 2);  // top-level error_code
  CHECK(size(3) == size(2) + 4);  // throttle_time_ms
  CHECK(size(4) == size(3));
  CHECK(size(5) == size(4) + 4 * 2);  // a leader epoch for each of the 2 partitions
}

TEST_CASE("InitProducerId round-trips at v0 and v1 with a null or a transactional id", "[ch03][protocol]") {
  const auto req = sample_init_producer_id_request();
  const auto resp = sample_init_producer_id_response();
  InitProducerIdRequest idempotent;
  idempotent.transaction_timeout_ms = 60000;
  for (std::int16_t v = 0; v <= 1; ++v) {
    INFO("version " << v);
    CHECK(round_trip(req, v, encode_init_producer_id_request, decode_init_producer_id_request) == req);
    auto back = round_trip(idempotent, v, encode_init_producer_id_request, decode_init_producer_id_request);
    CHECK_FALSE(back.transactional_id.has_value());
    CHECK(round_trip(resp, v, encode_init_producer_id_response, decode_init_producer_id_response) == resp);
  }
  CHECK(same_bytes(encode_init_producer_id_request(req, 1), encode_init_producer_id_request(req, 0)));
  CHECK(encode_init_producer_id_request(idempotent, 0).size() == 2 + 4);
  CHECK(encode_init_producer_id_response(resp, 0).size() == 4 + 2 + 8 + 2);
}

// --- hand-assembled bytes, field by field from the schemas ----------------------------------

TEST_CASE("a Heartbeat v0 request assembled byte by byte decodes and re-encodes exactly", "[ch03][protocol]") {
  // group_id string · generation_id int32 · member_id string
  const Bytes v0 = bytes_of({0, 3, 'g', 'r', 'p', 0, 0, 0, 5, 0, 2, 'm', '1'});
  Bytes built;
  Encoder e(built);
  e.string("grp");
  e.i32(5);
  e.string("m1");
  CHECK(same_bytes(built, v0));
  auto r = decode_exact(v0, 0, encode_heartbeat_request, decode_heartbeat_request);
  CHECK(r.group_id == "grp");
  CHECK(r.generation_id == 5);
  CHECK(r.member_id == "m1");
  CHECK_FALSE(r.group_instance_id.has_value());
  // v3 appends group_instance_id, a nullable string.
  Bytes v3 = v0;
  Encoder(v3).nullable_string(std::string("i"));
  auto r3 = decode_exact(v3, 3, encode_heartbeat_request, decode_heartbeat_request);
  CHECK(r3.group_instance_id == std::optional<std::string>("i"));
  Bytes v3_null = v0;
  Encoder(v3_null).i16(-1);
  CHECK_FALSE(decode_exact(v3_null, 3, encode_heartbeat_request, decode_heartbeat_request).group_instance_id.has_value());
  // The responses: error_code alone in v0; throttle_time_ms first from v1.
  CHECK(same_bytes(encode_heartbeat_response({0, Errc::rebalance_in_progress}, 0), bytes_of({0, 27})));
  CHECK(same_bytes(encode_heartbeat_response({256, Errc::none}, 1), bytes_of({0, 0, 1, 0, 0, 0})));
}

TEST_CASE("a JoinGroup v5 request and response assembled field by field decode and re-encode exactly", "[ch03][protocol]") {
  Bytes req;
  Encoder e(req);
  e.string("grp");                           // group_id
  e.i32(10000);                              // session_timeout_ms
  e.i32(300000);                             // rebalance_timeout_ms (v1+)
  e.string("");                              // member_id: first join
  e.nullable_string(std::string("inst-1"));  // group_instance_id (v5+)
  e.string("consumer");                      // protocol_type
  e.array_length(2);                         // protocols
  e.string("range");
  e.nullable_bytes(ByteSpan(bytes_of({0, 1})));
  e.string("roundrobin");
  e.nullable_bytes(ByteSpan(Bytes{}));
  auto r = decode_exact(req, 5, encode_join_group_request, decode_join_group_request);
  CHECK(r.group_id == "grp");
  CHECK(r.session_timeout_ms == 10000);
  CHECK(r.rebalance_timeout_ms == 300000);
  CHECK(r.member_id.empty());
  CHECK(r.group_instance_id == std::optional<std::string>("inst-1"));
  CHECK(r.protocol_type == "consumer");
  REQUIRE(r.protocols.size() == 2);
  CHECK(r.protocols[0].name == "range");
  CHECK(same_bytes(r.protocols[0].metadata, bytes_of({0, 1})));
  CHECK(r.protocols[1].name == "roundrobin");
  CHECK(r.protocols[1].metadata.empty());

  Bytes resp;
  Encoder f(resp);
  f.i32(0);                                  // throttle_time_ms (v2+)
  f.i16(79);                                 // error_code MEMBER_ID_REQUIRED
  f.i32(-1);                                 // generation_id
  f.string("");                              // protocol_name
  f.string("");                              // leader
  f.string("consumer-1-abc");                // member_id to rejoin with
  f.array_length(1);                         // members
  f.string("consumer-1-abc");
  f.i16(-1);                                 // group_instance_id null (v5+)
  f.nullable_bytes(ByteSpan(bytes_of({9})));
  auto p = decode_exact(resp, 5, encode_join_group_response, decode_join_group_response);
  CHECK(p.error == Errc::member_id_required);
  CHECK(p.generation_id == -1);
  CHECK(p.member_id == "consumer-1-abc");
  REQUIRE(p.members.size() == 1);
  CHECK_FALSE(p.members[0].group_instance_id.has_value());
  CHECK(same_bytes(p.members[0].metadata, bytes_of({9})));
}

TEST_CASE("SyncGroup v3 and FindCoordinator v1 assembled field by field decode and re-encode exactly", "[ch03][protocol]") {
  Bytes sync;
  Encoder e(sync);
  e.string("grp");                        // group_id
  e.i32(3);                               // generation_id
  e.string("m1");                         // member_id
  e.i16(-1);                              // group_instance_id null (v3+)
  e.array_length(1);                      // assignments
  e.string("m1");
  e.nullable_bytes(ByteSpan(bytes_of({0, 1, 2, 3})));
  auto s = decode_exact(sync, 3, encode_sync_group_request, decode_sync_group_request);
  CHECK(s.generation_id == 3);
  CHECK_FALSE(s.group_instance_id.has_value());
  REQUIRE(s.assignments.size() == 1);
  CHECK(same_bytes(s.assignments[0].assignment, bytes_of({0, 1, 2, 3})));
  // SyncGroup v1 response: throttle · error · assignment bytes
  const Bytes sync_resp = bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 7, 8});
  auto sr = decode_exact(sync_resp, 1, encode_sync_group_response, decode_sync_group_response);
  CHECK(same_bytes(sr.assignment, bytes_of({7, 8})));

  // FindCoordinator v1 request: key · key_type int8
  const Bytes find = bytes_of({0, 3, 't', 'x', '1', 1});
  auto fr = decode_exact(find, 1, encode_find_coordinator_request, decode_find_coordinator_request);
  CHECK(fr.key == "tx1");
  CHECK(fr.key_type == kCoordinatorKeyTransaction);
  // FindCoordinator v1 response: throttle · error · error_message · node_id · host · port
  Bytes found;
  Encoder f(found);
  f.i32(0);
  f.i16(15);  // COORDINATOR_NOT_AVAILABLE
  f.nullable_string(std::nullopt);
  f.i32(-1);
  f.string("");
  f.i32(-1);
  auto c = decode_exact(found, 1, encode_find_coordinator_response, decode_find_coordinator_response);
  CHECK(c.error == Errc::coordinator_not_available);
  CHECK_FALSE(c.error_message.has_value());
  CHECK(c.node_id == -1);
  // v0: error · node_id · host · port
  const Bytes found_v0 = bytes_of({0, 0, 0, 0, 0, 1, 0, 1, 'h', 0, 0, 0x23, 0x84});
  auto c0 = decode_exact(found_v0, 0, encode_find_coordinator_response, decode_find_coordinator_response);
  CHECK(c0.node_id == 1);
  CHECK(c0.host == "h");
  CHECK(c0.port == 9092);
}

TEST_CASE("the group admin responses assembled field by field decode and re-encode exactly", "[ch03][protocol]") {
  // ListGroups v1: throttle · error · [group_id · protocol_type]
  Bytes list;
  Encoder l(list);
  l.i32(0);
  l.i16(0);
  l.array_length(1);
  l.string("grp");
  l.string("consumer");
  auto lg = decode_exact(list, 1, encode_list_groups_response, decode_list_groups_response);
  REQUIRE(lg.groups.size() == 1);
  CHECK(lg.groups[0].protocol_type == "consumer");

  // DescribeGroups v0: [error · group_id · state · protocol_type · protocol_data ·
  //                     [member_id · client_id · client_host · metadata · assignment]]
  Bytes describe;
  Encoder d(describe);
  d.array_length(1);
  d.i16(0);
  d.string("grp");
  d.string("Stable");
  d.string("consumer");
  d.string("range");
  d.array_length(1);
  d.string("m1");
  d.string("rdkafka");
  d.string("/10.0.0.1");
  d.nullable_bytes(ByteSpan(bytes_of({1})));
  d.nullable_bytes(ByteSpan(bytes_of({2, 3})));
  auto dg = decode_exact(describe, 0, encode_describe_groups_response, decode_describe_groups_response);
  REQUIRE(dg.groups.size() == 1);
  CHECK(dg.groups[0].group_state == "Stable");
  REQUIRE(dg.groups[0].members.size() == 1);
  CHECK(dg.groups[0].members[0].client_host == "/10.0.0.1");
  CHECK(same_bytes(dg.groups[0].members[0].member_assignment, bytes_of({2, 3})));

  // DeleteGroups v0: throttle · [group_id · error]; the request is a list of names.
  const Bytes del = bytes_of({0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 'g', 0, 68});
  auto dr = decode_exact(del, 0, encode_delete_groups_response, decode_delete_groups_response);
  REQUIRE(dr.results.size() == 1);
  CHECK(dr.results[0].error == Errc::non_empty_group);
  const Bytes del_req = bytes_of({0, 0, 0, 1, 0, 1, 'g'});
  CHECK(decode_exact(del_req, 1, encode_delete_groups_request, decode_delete_groups_request).groups ==
        std::vector<std::string>{"g"});
  // LeaveGroup v0 request: group_id · member_id
  const Bytes leave = bytes_of({0, 1, 'g', 0, 1, 'm'});
  CHECK(decode_exact(leave, 0, encode_leave_group_request, decode_leave_group_request).member_id == "m");
}

TEST_CASE("OffsetCommit v1 and v2 requests assembled field by field decode and re-encode exactly", "[ch03][protocol]") {
  // v1: group · generation · member · [topic · [partition · offset · timestamp · metadata]]
  Bytes v1;
  Encoder e(v1);
  e.string("grp");
  e.i32(4);
  e.string("m1");
  e.array_length(1);
  e.string("orders");
  e.array_length(1);
  e.i32(2);
  e.i64(42);
  e.i64(1'700'000'000'000);
  e.nullable_string(std::string("md"));
  auto r1 = decode_exact(v1, 1, encode_offset_commit_request, decode_offset_commit_request);
  CHECK(r1.generation_id == 4);
  CHECK(r1.member_id == "m1");
  CHECK(r1.retention_time_ms == -1);
  REQUIRE(r1.topics.size() == 1);
  REQUIRE(r1.topics[0].partitions.size() == 1);
  CHECK(r1.topics[0].partitions[0].partition == 2);
  CHECK(r1.topics[0].partitions[0].committed_offset == 42);
  CHECK(r1.topics[0].partitions[0].commit_timestamp == 1'700'000'000'000);
  CHECK(r1.topics[0].partitions[0].metadata == std::optional<std::string>("md"));

  // v2: group · generation · member · retention_time_ms · [topic · [partition · offset · metadata]]
  Bytes v2;
  Encoder f(v2);
  f.string("grp");
  f.i32(-1);
  f.string("");
  f.i64(-1);
  f.array_length(1);
  f.string("orders");
  f.array_length(1);
  f.i32(0);
  f.i64(7);
  f.nullable_string(std::nullopt);
  auto r2 = decode_exact(v2, 2, encode_offset_commit_request, decode_offset_commit_request);
  CHECK(r2.generation_id == -1);
  CHECK(r2.retention_time_ms == -1);
  CHECK(r2.topics[0].partitions[0].commit_timestamp == -1);
  CHECK_FALSE(r2.topics[0].partitions[0].metadata.has_value());

  // v0 response: [topic · [partition · error]]
  const Bytes resp = bytes_of({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 3, 0, 12});
  auto cr = decode_exact(resp, 0, encode_offset_commit_response, decode_offset_commit_response);
  CHECK(cr.topics[0].partitions[0].partition == 3);
  CHECK(cr.topics[0].partitions[0].error == Errc::offset_metadata_too_large);
}

TEST_CASE("OffsetFetch v2 request and v5 response assembled field by field decode and re-encode exactly", "[ch03][protocol]") {
  // A null topic list (all partitions): group · int32 -1. Valid from v2, malformed in v1.
  const Bytes all = bytes_of({0, 1, 'g', 0xff, 0xff, 0xff, 0xff});
  CHECK_FALSE(decode_exact(all, 2, encode_offset_fetch_request, decode_offset_fetch_request).topics.has_value());
  auto v1_null = decode_offset_fetch_request(all, 1);
  REQUIRE_FALSE(v1_null.ok());
  CHECK(v1_null.error().code == Errc::corrupt_message);
  const Bytes some = bytes_of({0, 1, 'g', 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5});
  auto s = decode_exact(some, 1, encode_offset_fetch_request, decode_offset_fetch_request);
  REQUIRE(s.topics.has_value());
  CHECK((*s.topics)[0].partitions == std::vector<std::int32_t>{0, 5});

  // v5: throttle · [topic · [partition · offset · leader_epoch · metadata · error]] · error
  Bytes resp;
  Encoder e(resp);
  e.i32(0);
  e.array_length(1);
  e.string("orders");
  e.array_length(2);
  e.i32(0);
  e.i64(42);
  e.i32(7);
  e.nullable_string(std::string(""));
  e.i16(0);
  e.i32(1);
  e.i64(-1);
  e.i32(-1);
  e.nullable_string(std::string(""));
  e.i16(3);  // UNKNOWN_TOPIC_OR_PARTITION
  e.i16(0);
  auto r = decode_exact(resp, 5, encode_offset_fetch_response, decode_offset_fetch_response);
  REQUIRE(r.topics.size() == 1);
  REQUIRE(r.topics[0].partitions.size() == 2);
  CHECK(r.topics[0].partitions[0].committed_offset == 42);
  CHECK(r.topics[0].partitions[0].committed_leader_epoch == 7);
  CHECK(r.topics[0].partitions[1].committed_offset == -1);
  CHECK(r.topics[0].partitions[1].error == Errc::unknown_topic_or_partition);
  CHECK(r.error == Errc::none);
  // v1 response: no throttle, no leader epoch, no top-level error.
  const Bytes v1 = bytes_of({0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0xff, 0xff, 0, 0});
  auto r1 = decode_exact(v1, 1, encode_offset_fetch_response, decode_offset_fetch_response);
  CHECK(r1.topics[0].partitions[0].committed_offset == 9);
  CHECK_FALSE(r1.topics[0].partitions[0].metadata.has_value());
}

TEST_CASE("InitProducerId v0 assembled byte by byte decodes and re-encodes exactly", "[ch03][protocol]") {
  // Request: transactional_id nullable string (null) · transaction_timeout_ms 60000
  const Bytes req = bytes_of({0xff, 0xff, 0, 0, 0xea, 0x60});
  auto r = decode_exact(req, 0, encode_init_producer_id_request, decode_init_producer_id_request);
  CHECK_FALSE(r.transactional_id.has_value());
  CHECK(r.transaction_timeout_ms == 60000);
  // Response: throttle · error · producer_id int64 · producer_epoch int16
  const Bytes resp = bytes_of({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 1});
  auto p = decode_exact(resp, 1, encode_init_producer_id_response, decode_init_producer_id_response);
  CHECK(p.error == Errc::none);
  CHECK(p.producer_id == 1000);
  CHECK(p.producer_epoch == 1);
  CHECK(same_bytes(encode_init_producer_id_request({std::string("t"), 1}, 1), bytes_of({0, 1, 't', 0, 0, 0, 1})));
}

// --- malformed input ------------------------------------------------------------------------

TEST_CASE("every truncated group request and response is an error at every version", "[ch03][protocol][bad-input]") {
  for (std::int16_t v = 0; v <= 2; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_find_coordinator_request(sample_find_coordinator_request(), v), v,
                       decode_find_coordinator_request);
    every_prefix_fails(encode_find_coordinator_response(sample_find_coordinator_response(), v), v,
                       decode_find_coordinator_response);
    every_prefix_fails(encode_list_groups_response(sample_list_groups_response(), v), v, decode_list_groups_response);
    every_prefix_fails(encode_describe_groups_request(sample_describe_groups_request(), v), v,
                       decode_describe_groups_request);
    every_prefix_fails(encode_describe_groups_response(sample_describe_groups_response(), v), v,
                       decode_describe_groups_response);
  }
  for (std::int16_t v = 0; v <= 5; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_join_group_request(sample_join_group_request(), v), v, decode_join_group_request);
    every_prefix_fails(encode_join_group_response(sample_join_group_response(), v), v, decode_join_group_response);
  }
  for (std::int16_t v = 0; v <= 3; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_sync_group_request(sample_sync_group_request(), v), v, decode_sync_group_request);
    every_prefix_fails(encode_sync_group_response(sample_sync_group_response(), v), v, decode_sync_group_response);
    every_prefix_fails(encode_heartbeat_request(sample_heartbeat_request(), v), v, decode_heartbeat_request);
    every_prefix_fails(encode_heartbeat_response({1, Errc::none}, v), v, decode_heartbeat_response);
  }
  for (std::int16_t v = 0; v <= 1; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_leave_group_request(sample_leave_group_request(), v), v, decode_leave_group_request);
    every_prefix_fails(encode_leave_group_response({1, Errc::none, {}}, v), v, decode_leave_group_response);
    every_prefix_fails(encode_delete_groups_request(sample_delete_groups_request(), v), v,
                       decode_delete_groups_request);
    every_prefix_fails(encode_delete_groups_response(sample_delete_groups_response(), v), v,
                       decode_delete_groups_response);
  }
  // ListGroups v0..v2 requests have an empty body: there is no prefix to cut.
}

TEST_CASE("every truncated offset and producer id request and response is an error at every version", "[ch03][protocol][bad-input]") {
  for (std::int16_t v = 0; v <= 7; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_offset_commit_request(sample_offset_commit_request(), v), v,
                       decode_offset_commit_request);
    every_prefix_fails(encode_offset_commit_response(sample_offset_commit_response(), v), v,
                       decode_offset_commit_response);
  }
  for (std::int16_t v = 0; v <= 5; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_offset_fetch_request(sample_offset_fetch_request(), v), v, decode_offset_fetch_request);
    every_prefix_fails(encode_offset_fetch_response(sample_offset_fetch_response(), v), v,
                       decode_offset_fetch_response);
  }
  for (std::int16_t v = 0; v <= 1; ++v) {
    INFO("version " << v);
    every_prefix_fails(encode_init_producer_id_request(sample_init_producer_id_request(), v), v,
                       decode_init_producer_id_request);
    every_prefix_fails(encode_init_producer_id_request({std::nullopt, 5}, v), v, decode_init_producer_id_request);
    every_prefix_fails(encode_init_producer_id_response(sample_init_producer_id_response(), v), v,
                       decode_init_producer_id_response);
  }
}

TEST_CASE("nulls where the group schemas forbid them and hostile counts are malformed", "[ch03][protocol][bad-input]") {
  // JoinGroup v0 with a null protocol metadata.
  Bytes join;
  Encoder e(join);
  e.string("grp");
  e.i32(10000);
  e.string("");
  e.string("consumer");
  e.array_length(1);
  e.string("range");
  e.i32(-1);
  auto j = decode_join_group_request(join, 0);
  REQUIRE_FALSE(j.ok());
  CHECK_THAT(j.error().message, Catch::Contains("null"));
  // SyncGroup v0 response with a null assignment.
  CHECK_FALSE(decode_sync_group_response(bytes_of({0, 0, 0xff, 0xff, 0xff, 0xff}), 0).ok());
  // A null group list in DescribeGroups and DeleteGroups, a null topic list in OffsetCommit.
  CHECK_FALSE(decode_describe_groups_request(bytes_of({0xff, 0xff, 0xff, 0xff}), 0).ok());
  CHECK_FALSE(decode_delete_groups_request(bytes_of({0xff, 0xff, 0xff, 0xff}), 1).ok());
  CHECK_FALSE(decode_offset_commit_request(bytes_of({0, 1, 'g', 0xff, 0xff, 0xff, 0xff}), 0).ok());
  // A null member id (a required string).
  CHECK_FALSE(decode_leave_group_request(bytes_of({0, 1, 'g', 0xff, 0xff}), 0).ok());
  // Two billion groups in a few bytes, and a negative count.
  auto hostile = decode_delete_groups_request(bytes_of({0x7f, 0xff, 0xff, 0xff, 0, 1, 'g'}), 0);
  REQUIRE_FALSE(hostile.ok());
  CHECK_THAT(hostile.error().message, Catch::Contains("cannot fit"));
  CHECK_FALSE(decode_offset_fetch_request(bytes_of({0, 1, 'g', 0xff, 0xff, 0xff, 0xfe}), 3).ok());
  CHECK_FALSE(decode_list_groups_response(bytes_of({0, 0, 0x40, 0, 0, 0}), 0).ok());
}

TEST_CASE("the group and producer error codes have Kafka's numbers and names", "[ch03][protocol]") {
  const std::tuple<Errc, int, std::string_view> codes[] = {
      {Errc::offset_metadata_too_large, 12, "OFFSET_METADATA_TOO_LARGE"},
      {Errc::coordinator_load_in_progress, 14, "COORDINATOR_LOAD_IN_PROGRESS"},
      {Errc::coordinator_not_available, 15, "COORDINATOR_NOT_AVAILABLE"},
      {Errc::not_coordinator, 16, "NOT_COORDINATOR"},
      {Errc::illegal_generation, 22, "ILLEGAL_GENERATION"},
      {Errc::inconsistent_group_protocol, 23, "INCONSISTENT_GROUP_PROTOCOL"},
      {Errc::invalid_group_id, 24, "INVALID_GROUP_ID"},
      {Errc::unknown_member_id, 25, "UNKNOWN_MEMBER_ID"},
      {Errc::invalid_session_timeout, 26, "INVALID_SESSION_TIMEOUT"},
      {Errc::rebalance_in_progress, 27, "REBALANCE_IN_PROGRESS"},
      {Errc::invalid_commit_offset_size, 28, "INVALID_COMMIT_OFFSET_SIZE"},
      {Errc::out_of_order_sequence_number, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER"},
      {Errc::duplicate_sequence_number, 46, "DUPLICATE_SEQUENCE_NUMBER"},
      {Errc::invalid_producer_epoch, 47, "INVALID_PRODUCER_EPOCH"},
      {Errc::invalid_producer_id_mapping, 49, "INVALID_PRODUCER_ID_MAPPING"},
      {Errc::invalid_transaction_timeout, 50, "INVALID_TRANSACTION_TIMEOUT"},
      {Errc::unknown_producer_id, 59, "UNKNOWN_PRODUCER_ID"},
      {Errc::non_empty_group, 68, "NON_EMPTY_GROUP"},
      {Errc::group_id_not_found, 69, "GROUP_ID_NOT_FOUND"},
      {Errc::member_id_required, 79, "MEMBER_ID_REQUIRED"},
      {Errc::group_max_size_reached, 81, "GROUP_MAX_SIZE_REACHED"},
      {Errc::fenced_instance_id, 82, "FENCED_INSTANCE_ID"},
  };
  for (const auto& [code, number, name] : codes) {
    CHECK(static_cast<int>(code) == number);
    CHECK(errc_name(code) == name);
  }
}

TEST_CASE("the group APIs are advertised below their flexible versions and from the versions librdkafka needs", "[ch03]") {
  // First flexible version per API (Kafka's message schemas): we must stay below them.
  const std::pair<ApiKey, std::int16_t> first_flexible[] = {
      {ApiKey::offset_commit, 8},  {ApiKey::offset_fetch, 6},    {ApiKey::find_coordinator, 3},
      {ApiKey::join_group, 6},     {ApiKey::heartbeat, 4},       {ApiKey::leave_group, 4},
      {ApiKey::sync_group, 4},     {ApiKey::describe_groups, 5}, {ApiKey::list_groups, 3},
      {ApiKey::delete_groups, 2}};
  for (auto [key, flexible] : first_flexible) {
    const auto* api = find_api(static_cast<std::int16_t>(key));
    REQUIRE(api != nullptr);
    CHECK(api->max_version < flexible);
  }
  // librdkafka's BrokerBalancedConsumer feature: FindCoordinator, JoinGroup, SyncGroup,
  // Heartbeat and LeaveGroup from 0, OffsetCommit reaching 1..2, OffsetFetch reaching 1.
  for (auto key : {ApiKey::find_coordinator, ApiKey::join_group, ApiKey::sync_group, ApiKey::heartbeat,
                   ApiKey::leave_group})
    CHECK(find_api(static_cast<std::int16_t>(key))->min_version == 0);
  CHECK(find_api(static_cast<std::int16_t>(ApiKey::offset_commit))->min_version <= 1);
  CHECK(find_api(static_cast<std::int16_t>(ApiKey::offset_fetch))->min_version <= 1);
}
