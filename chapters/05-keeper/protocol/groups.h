// generated from final/protocol/groups.h; edit there
// protocol/groups.h — the consumer group APIs: FindCoordinator (key 10), JoinGroup (11),
// Heartbeat (12), LeaveGroup (13), SyncGroup (14), DescribeGroups (15), ListGroups (16)
// and DeleteGroups (42).
//
// A consumer group shares a topic's partitions among its members. One broker, the group's
// *coordinator*, keeps the membership; a client finds it with FindCoordinator (key = the
// group id, key_type 0; key_type 1 asks for a transaction coordinator instead). Then:
//
//   JoinGroup   every member (re)joins, listing the assignment protocols it supports
//               ("range", "roundrobin", ...) with an opaque metadata blob for each (the
//               topics it wants). The coordinator waits for all members — up to the
//               rebalance timeout — picks a protocol all of them support, starts a new
//               *generation*, elects a leader, and sends every member's metadata to the
//               leader only.
//   SyncGroup   the leader computes the assignment (the broker never does) and sends it;
//               every member, leader or not, gets its own assignment blob in the answer.
//   Heartbeat   members prove they are alive within the session timeout; the answer
//               REBALANCE_IN_PROGRESS tells them to join again.
//   LeaveGroup  a member leaves now instead of waiting for its session to time out.
//
// A stale generation gets ILLEGAL_GENERATION and an unknown member UNKNOWN_MEMBER_ID; both
// make the client rejoin. DescribeGroups, ListGroups and DeleteGroups are the admin side.
// The metadata and assignment blobs are opaque bytes here (the consumer protocol's format
// is the clients' business), copied out of the request so nothing points into the frame.
//
// Versions (the non-flexible ones this code speaks):
//   FindCoordinator 0..2  v1 key_type, and throttle time and error message in the response
//   JoinGroup 0..5        v1 rebalance_timeout_ms · v2 throttle time · v4 a first join with
//                         an empty member id may be answered MEMBER_ID_REQUIRED with the id
//                         to use · v5 group_instance_id (static membership), also per member
//                         in the response
//   SyncGroup 0..3        v1 throttle time · v3 group_instance_id
//   Heartbeat 0..3        v1 throttle time · v3 group_instance_id
//   LeaveGroup 0..3       v1 throttle time · v3 (KIP-345) a list of members, each named by
//                         member id or by group_instance_id, with an error per member
//   ListGroups 0..2       v1 throttle time
//   DescribeGroups 0..2   v1 throttle time (v3 authorized operations, v4 instance ids: not here)
//   DeleteGroups 0..1     the same layout in both (throttle time from v0)
// Versions not listed between two listed ones have the previous version's layout; they
// exist so that a client can signal that it understands newer behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

// --- FindCoordinator ---------------------------------------------------------------------

inline constexpr std::int8_t kCoordinatorKeyGroup = 0;
inline constexpr std::int8_t kCoordinatorKeyTransaction = 1;

struct FindCoordinatorRequest {
  std::string key;                              // a group id (or a transactional id)
  std::int8_t key_type = kCoordinatorKeyGroup;  // v1+
};

struct FindCoordinatorResponse {
  std::int32_t throttle_time_ms = 0;         // v1+
  Errc error = Errc::none;
  std::optional<std::string> error_message;  // v1+
  std::int32_t node_id = -1;
  std::string host;
  std::int32_t port = -1;
};

// --- JoinGroup ---------------------------------------------------------------------------

struct JoinGroupProtocol {
  std::string name;  // e.g. "range"
  Bytes metadata;
};

struct JoinGroupRequest {
  std::string group_id;
  std::int32_t session_timeout_ms = 0;
  // v1+. A v0 request has none; Kafka then uses the session timeout, and so does the
  // decoder: at v0 it sets this field to session_timeout_ms.
  std::int32_t rebalance_timeout_ms = -1;
  std::string member_id;                         // empty on a member's first join
  std::optional<std::string> group_instance_id;  // v5+
  std::string protocol_type;                     // "consumer" for consumers
  std::vector<JoinGroupProtocol> protocols;
};

struct JoinGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v5+
  Bytes metadata;
};

struct JoinGroupResponse {
  std::int32_t throttle_time_ms = 0;  // v2+
  Errc error = Errc::none;
  std::int32_t generation_id = -1;
  std::string protocol_name;  // the protocol the coordinator chose
  std::string leader;         // the leader's member id
  std::string member_id;      // this member's id
  std::vector<JoinGroupMember> members;  // filled for the leader only
};

// --- SyncGroup ---------------------------------------------------------------------------

struct SyncGroupAssignment {
  std::string member_id;
  Bytes assignment;
};

struct SyncGroupRequest {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  std::vector<SyncGroupAssignment> assignments;  // sent by the leader only
};

struct SyncGroupResponse {
  std::int32_t throttle_time_ms = 0;  // v1+
  Errc error = Errc::none;
  Bytes assignment;  // this member's assignment
};

// --- Heartbeat ---------------------------------------------------------------------------

struct HeartbeatRequest {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
};

struct HeartbeatResponse {
  std::int32_t throttle_time_ms = 0;  // v1+
  Errc error = Errc::none;
};

// --- LeaveGroup (v0..v2: one member; v3: a list of members) -----------------------------

// v3 lets a static member be removed by its instance id alone (member_id empty): an
// operator or a deploy tool takes an instance out of the group now, instead of waiting
// for its session timeout.
struct LeaveGroupMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveGroupRequest {
  std::string group_id;
  std::string member_id;                  // v0..v2
  std::vector<LeaveGroupMember> members;  // v3+ (a sender that does not know the version fills both)
};

struct LeaveGroupMemberResponse {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Errc error = Errc::none;
};

struct LeaveGroupResponse {
  std::int32_t throttle_time_ms = 0;  // v1+
  Errc error = Errc::none;            // v3+: only errors of the whole request; v0..v2: the member's
  std::vector<LeaveGroupMemberResponse> members;  // v3+
};

// --- ListGroups --------------------------------------------------------------------------

struct ListGroupsRequest {};  // an empty body in v0..v2

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
};

struct ListGroupsResponse {
  std::int32_t throttle_time_ms = 0;  // v1+
  Errc error = Errc::none;
  std::vector<ListedGroup> groups;
};

// --- DescribeGroups ----------------------------------------------------------------------

struct DescribeGroupsRequest {
  std::vector<std::string> groups;
};

struct DescribedGroupMember {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  Bytes member_metadata;    // only while the group is stable
  Bytes member_assignment;  // only while the group is stable
};

struct DescribedGroup {
  Errc error = Errc::none;
  std::string group_id;
  std::string group_state;    // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"
  std::string protocol_type;
  std::string protocol_data;  // the chosen protocol's name, while stable
  std::vector<DescribedGroupMember> members;
};

struct DescribeGroupsResponse {
  std::int32_t throttle_time_ms = 0;  // v1+
  std::vector<DescribedGroup> groups;
};

// --- DeleteGroups ------------------------------------------------------------------------

struct DeleteGroupsRequest {
  std::vector<std::string> groups;
};

struct DeleteGroupsResult {
  std::string group_id;
  Errc error = Errc::none;
};

struct DeleteGroupsResponse {
  std::int32_t throttle_time_ms = 0;  // all versions
  std::vector<DeleteGroupsResult> results;
};

Result<FindCoordinatorRequest> decode_find_coordinator_request(ByteSpan body, std::int16_t version);
Bytes encode_find_coordinator_request(const FindCoordinatorRequest& r, std::int16_t version);
Bytes encode_find_coordinator_response(const FindCoordinatorResponse& r, std::int16_t version);
Result<FindCoordinatorResponse> decode_find_coordinator_response(ByteSpan body, std::int16_t version);

Result<JoinGroupRequest> decode_join_group_request(ByteSpan body, std::int16_t version);
Bytes encode_join_group_request(const JoinGroupRequest& r, std::int16_t version);
Bytes encode_join_group_response(const JoinGroupResponse& r, std::int16_t version);
Result<JoinGroupResponse> decode_join_group_response(ByteSpan body, std::int16_t version);

Result<SyncGroupRequest> decode_sync_group_request(ByteSpan body, std::int16_t version);
Bytes encode_sync_group_request(const SyncGroupRequest& r, std::int16_t version);
Bytes encode_sync_group_response(const SyncGroupResponse& r, std::int16_t version);
Result<SyncGroupResponse> decode_sync_group_response(ByteSpan body, std::int16_t version);

Result<HeartbeatRequest> decode_heartbeat_request(ByteSpan body, std::int16_t version);
Bytes encode_heartbeat_request(const HeartbeatRequest& r, std::int16_t version);
Bytes encode_heartbeat_response(const HeartbeatResponse& r, std::int16_t version);
Result<HeartbeatResponse> decode_heartbeat_response(ByteSpan body, std::int16_t version);

Result<LeaveGroupRequest> decode_leave_group_request(ByteSpan body, std::int16_t version);
Bytes encode_leave_group_request(const LeaveGroupRequest& r, std::int16_t version);
Bytes encode_leave_group_response(const LeaveGroupResponse& r, std::int16_t version);
Result<LeaveGroupResponse> decode_leave_group_response(ByteSpan body, std::int16_t version);

Result<ListGroupsRequest> decode_list_groups_request(ByteSpan body, std::int16_t version);
Bytes encode_list_groups_request(const ListGroupsRequest& r, std::int16_t version);
Bytes encode_list_groups_response(const ListGroupsResponse& r, std::int16_t version);
Result<ListGroupsResponse> decode_list_groups_response(ByteSpan body, std::int16_t version);

Result<DescribeGroupsRequest> decode_describe_groups_request(ByteSpan body, std::int16_t version);
Bytes encode_describe_groups_request(const DescribeGroupsRequest& r, std::int16_t version);
Bytes encode_describe_groups_response(const DescribeGroupsResponse& r, std::int16_t version);
Result<DescribeGroupsResponse> decode_describe_groups_response(ByteSpan body, std::int16_t version);

Result<DeleteGroupsRequest> decode_delete_groups_request(ByteSpan body, std::int16_t version);
Bytes encode_delete_groups_request(const DeleteGroupsRequest& r, std::int16_t version);
Bytes encode_delete_groups_response(const DeleteGroupsResponse& r, std::int16_t version);
Result<DeleteGroupsResponse> decode_delete_groups_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
