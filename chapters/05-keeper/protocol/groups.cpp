// generated from final/protocol/groups.cpp; edit there
// protocol/groups.cpp — the consumer group APIs on the wire (non-flexible versions).
#include "protocol/groups.h"

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, fmt::format("malformed {} {}", what, d.problem()));
}

// A non-nullable bytes field, copied out of the frame.
Bytes required_bytes(Decoder& d) {
  auto b = d.nullable_bytes();
  if (!d.ok()) return {};
  if (!b) {
    d.fail("a required byte array is null");
    return {};
  }
  return Bytes(b->begin(), b->end());
}

// A non-nullable array's element count: null (-1) is malformed here, as in Kafka.
std::int32_t required_array_length(Decoder& d, std::size_t min_element_size) {
  auto n = d.array_length(min_element_size);
  if (n < 0 && d.ok()) {
    d.fail("a required array is null");
    return 0;
  }
  return n;
}

void encode_strings(Encoder& e, const std::vector<std::string>& v) {
  e.array_length(v.size());
  for (const auto& s : v) e.string(s);
}

std::vector<std::string> decode_strings(Decoder& d) {
  std::vector<std::string> v;
  auto n = required_array_length(d, 2);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) v.push_back(d.string());
  return v;
}

Errc decode_errc(Decoder& d) { return static_cast<Errc>(d.i16()); }
void encode_errc(Encoder& e, Errc code) { e.i16(static_cast<std::int16_t>(code)); }

}  // namespace

// --- FindCoordinator ---------------------------------------------------------------------

Result<FindCoordinatorRequest> decode_find_coordinator_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  FindCoordinatorRequest r;
  r.key = d.string();
  if (version >= 1) r.key_type = d.i8();
  if (!d.ok()) return malformed(d, "FindCoordinator request");
  return r;
}

Bytes encode_find_coordinator_request(const FindCoordinatorRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.key);
  if (version >= 1) e.i8(r.key_type);
  return out;
}

Bytes encode_find_coordinator_response(const FindCoordinatorResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  encode_errc(e, r.error);
  if (version >= 1) e.nullable_string(r.error_message);
  e.i32(r.node_id);
  e.string(r.host);
  e.i32(r.port);
  return out;
}

Result<FindCoordinatorResponse> decode_find_coordinator_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  FindCoordinatorResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  r.error = decode_errc(d);
  if (version >= 1) r.error_message = d.nullable_string();
  r.node_id = d.i32();
  r.host = d.string();
  r.port = d.i32();
  if (!d.ok()) return malformed(d, "FindCoordinator response");
  return r;
}

// --- JoinGroup ---------------------------------------------------------------------------

Result<JoinGroupRequest> decode_join_group_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  JoinGroupRequest r;
  r.group_id = d.string();
  r.session_timeout_ms = d.i32();
  r.rebalance_timeout_ms = version >= 1 ? d.i32() : r.session_timeout_ms;
  r.member_id = d.string();
  if (version >= 5) r.group_instance_id = d.nullable_string();
  r.protocol_type = d.string();
  auto n = required_array_length(d, 6);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    JoinGroupProtocol p;
    p.name = d.string();
    p.metadata = required_bytes(d);
    r.protocols.push_back(std::move(p));
  }
  if (!d.ok()) return malformed(d, "JoinGroup request");
  return r;
}

Bytes encode_join_group_request(const JoinGroupRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.group_id);
  e.i32(r.session_timeout_ms);
  if (version >= 1) e.i32(r.rebalance_timeout_ms);
  e.string(r.member_id);
  if (version >= 5) e.nullable_string(r.group_instance_id);
  e.string(r.protocol_type);
  e.array_length(r.protocols.size());
  for (const auto& p : r.protocols) {
    e.string(p.name);
    e.nullable_bytes(ByteSpan(p.metadata));
  }
  return out;
}

Bytes encode_join_group_response(const JoinGroupResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 2) e.i32(r.throttle_time_ms);
  encode_errc(e, r.error);
  e.i32(r.generation_id);
  e.string(r.protocol_name);
  e.string(r.leader);
  e.string(r.member_id);
  e.array_length(r.members.size());
  for (const auto& m : r.members) {
    e.string(m.member_id);
    if (version >= 5) e.nullable_string(m.group_instance_id);
    e.nullable_bytes(ByteSpan(m.metadata));
  }
  return out;
}

Result<JoinGroupResponse> decode_join_group_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  JoinGroupResponse r;
  if (version >= 2) r.throttle_time_ms = d.i32();
  r.error = decode_errc(d);
  r.generation_id = d.i32();
  r.protocol_name = d.string();
  r.leader = d.string();
  r.member_id = d.string();
  auto n = required_array_length(d, 6);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    JoinGroupMember m;
    m.member_id = d.string();
    if (version >= 5) m.group_instance_id = d.nullable_string();
    m.metadata = required_bytes(d);
    r.members.push_back(std::move(m));
  }
  if (!d.ok()) return malformed(d, "JoinGroup response");
  return r;
}

// --- SyncGroup ---------------------------------------------------------------------------

Result<SyncGroupRequest> decode_sync_group_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  SyncGroupRequest r;
  r.group_id = d.string();
  r.generation_id = d.i32();
  r.member_id = d.string();
  if (version >= 3) r.group_instance_id = d.nullable_string();
  auto n = required_array_length(d, 6);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    SyncGroupAssignment a;
    a.member_id = d.string();
    a.assignment = required_bytes(d);
    r.assignments.push_back(std::move(a));
  }
  if (!d.ok()) return malformed(d, "SyncGroup request");
  return r;
}

Bytes encode_sync_group_request(const SyncGroupRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.group_id);
  e.i32(r.generation_id);
  e.string(r.member_id);
  if (version >= 3) e.nullable_string(r.group_instance_id);
  e.array_length(r.assignments.size());
  for (const auto& a : r.assignments) {
    e.string(a.member_id);
    e.nullable_bytes(ByteSpan(a.assignment));
  }
  return out;
}

Bytes encode_sync_group_response(const SyncGroupResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  encode_errc(e, r.error);
  e.nullable_bytes(ByteSpan(r.assignment));
  return out;
}

Result<SyncGroupResponse> decode_sync_group_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  SyncGroupResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  r.error = decode_errc(d);
  r.assignment = required_bytes(d);
  if (!d.ok()) return malformed(d, "SyncGroup response");
  return r;
}

// --- Heartbeat ---------------------------------------------------------------------------

Result<HeartbeatRequest> decode_heartbeat_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  HeartbeatRequest r;
  r.group_id = d.string();
  r.generation_id = d.i32();
  r.member_id = d.string();
  if (version >= 3) r.group_instance_id = d.nullable_string();
  if (!d.ok()) return malformed(d, "Heartbeat request");
  return r;
}

Bytes encode_heartbeat_request(const HeartbeatRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.group_id);
  e.i32(r.generation_id);
  e.string(r.member_id);
  if (version >= 3) e.nullable_string(r.group_instance_id);
  return out;
}

Bytes encode_heartbeat_response(const HeartbeatResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  encode_errc(e, r.error);
  return out;
}

Result<HeartbeatResponse> decode_heartbeat_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  HeartbeatResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  r.error = decode_errc(d);
  if (!d.ok()) return malformed(d, "Heartbeat response");
  return r;
}

// --- LeaveGroup --------------------------------------------------------------------------

Result<LeaveGroupRequest> decode_leave_group_request(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  LeaveGroupRequest r;
  r.group_id = d.string();
  if (version >= 3) {
    auto n = required_array_length(d, 4);
    for (std::int32_t i = 0; i < n && d.ok(); ++i) {
      LeaveGroupMember m;
      m.member_id = d.string();
      m.group_instance_id = d.nullable_string();
      r.members.push_back(std::move(m));
    }
  } else {
    r.member_id = d.string();
  }
  if (!d.ok()) return malformed(d, "LeaveGroup request");
  return r;
}

Bytes encode_leave_group_request(const LeaveGroupRequest& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  e.string(r.group_id);
  if (version >= 3) {
    e.array_length(r.members.size());
    for (const auto& m : r.members) {
      e.string(m.member_id);
      e.nullable_string(m.group_instance_id);
    }
  } else {
    e.string(r.member_id);
  }
  return out;
}

Bytes encode_leave_group_response(const LeaveGroupResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  encode_errc(e, r.error);
  if (version >= 3) {
    e.array_length(r.members.size());
    for (const auto& m : r.members) {
      e.string(m.member_id);
      e.nullable_string(m.group_instance_id);
      encode_errc(e, m.error);
    }
  }
  return out;
}

Result<LeaveGroupResponse> decode_leave_group_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  LeaveGroupResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  r.error = decode_errc(d);
  if (version >= 3) {
    auto n = required_array_length(d, 6);
    for (std::int32_t i = 0; i < n && d.ok(); ++i) {
      LeaveGroupMemberResponse m;
      m.member_id = d.string();
      m.group_instance_id = d.nullable_string();
      m.error = decode_errc(d);
      r.members.push_back(std::move(m));
    }
  }
  if (!d.ok()) return malformed(d, "LeaveGroup response");
  return r;
}

// --- ListGroups --------------------------------------------------------------------------

Result<ListGroupsRequest> decode_list_groups_request(ByteSpan /*body*/, std::int16_t /*version*/) {
  return ListGroupsRequest{};
}

Bytes encode_list_groups_request(const ListGroupsRequest& /*r*/, std::int16_t /*version*/) { return {}; }

Bytes encode_list_groups_response(const ListGroupsResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  encode_errc(e, r.error);
  e.array_length(r.groups.size());
  for (const auto& g : r.groups) {
    e.string(g.group_id);
    e.string(g.protocol_type);
  }
  return out;
}

Result<ListGroupsResponse> decode_list_groups_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  ListGroupsResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  r.error = decode_errc(d);
  auto n = required_array_length(d, 4);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    ListedGroup g;
    g.group_id = d.string();
    g.protocol_type = d.string();
    r.groups.push_back(std::move(g));
  }
  if (!d.ok()) return malformed(d, "ListGroups response");
  return r;
}

// --- DescribeGroups ----------------------------------------------------------------------

Result<DescribeGroupsRequest> decode_describe_groups_request(ByteSpan body, std::int16_t /*version*/) {
  Decoder d(body);
  DescribeGroupsRequest r;
  r.groups = decode_strings(d);
  if (!d.ok()) return malformed(d, "DescribeGroups request");
  return r;
}

Bytes encode_describe_groups_request(const DescribeGroupsRequest& r, std::int16_t /*version*/) {
  Bytes out;
  Encoder e(out);
  encode_strings(e, r.groups);
  return out;
}

Bytes encode_describe_groups_response(const DescribeGroupsResponse& r, std::int16_t version) {
  Bytes out;
  Encoder e(out);
  if (version >= 1) e.i32(r.throttle_time_ms);
  e.array_length(r.groups.size());
  for (const auto& g : r.groups) {
    encode_errc(e, g.error);
    e.string(g.group_id);
    e.string(g.group_state);
    e.string(g.protocol_type);
    e.string(g.protocol_data);
    e.array_length(g.members.size());
    for (const auto& m : g.members) {
      e.string(m.member_id);
      e.string(m.client_id);
      e.string(m.client_host);
      e.nullable_bytes(ByteSpan(m.member_metadata));
      e.nullable_bytes(ByteSpan(m.member_assignment));
    }
  }
  return out;
}

Result<DescribeGroupsResponse> decode_describe_groups_response(ByteSpan body, std::int16_t version) {
  Decoder d(body);
  DescribeGroupsResponse r;
  if (version >= 1) r.throttle_time_ms = d.i32();
  auto ng = required_array_length(d, 14);
  for (std::int32_t i = 0; i < ng && d.ok(); ++i) {
    DescribedGroup g;
    g.error = decode_errc(d);
    g.group_id = d.string();
    g.group_state = d.string();
    g.protocol_type = d.string();
    g.protocol_data = d.string();
    auto nm = required_array_length(d, 14);
    for (std::int32_t j = 0; j < nm && d.ok(); ++j) {
      DescribedGroupMember m;
      m.member_id = d.string();
      m.client_id = d.string();
      m.client_host = d.string();
      m.member_metadata = required_bytes(d);
      m.member_assignment = required_bytes(d);
      g.members.push_back(std::move(m));
    }
    r.groups.push_back(std::move(g));
  }
  if (!d.ok()) return malformed(d, "DescribeGroups response");
  return r;
}

// --- DeleteGroups ------------------------------------------------------------------------

Result<DeleteGroupsRequest> decode_delete_groups_request(ByteSpan body, std::int16_t /*version*/) {
  Decoder d(body);
  DeleteGroupsRequest r;
  r.groups = decode_strings(d);
  if (!d.ok()) return malformed(d, "DeleteGroups request");
  return r;
}

Bytes encode_delete_groups_request(const DeleteGroupsRequest& r, std::int16_t /*version*/) {
  Bytes out;
  Encoder e(out);
  encode_strings(e, r.groups);
  return out;
}

Bytes encode_delete_groups_response(const DeleteGroupsResponse& r, std::int16_t /*version*/) {
  Bytes out;
  Encoder e(out);
  e.i32(r.throttle_time_ms);
  e.array_length(r.results.size());
  for (const auto& g : r.results) {
    e.string(g.group_id);
    encode_errc(e, g.error);
  }
  return out;
}

Result<DeleteGroupsResponse> decode_delete_groups_response(ByteSpan body, std::int16_t /*version*/) {
  Decoder d(body);
  DeleteGroupsResponse r;
  r.throttle_time_ms = d.i32();
  auto n = required_array_length(d, 4);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    DeleteGroupsResult g;
    g.group_id = d.string();
    g.error = decode_errc(d);
    r.results.push_back(std::move(g));
  }
  if (!d.ok()) return malformed(d, "DeleteGroups response");
  return r;
}

}  // namespace streamcraft::protocol
