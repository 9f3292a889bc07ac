// generated from final/protocol/control.cpp; edit there
// protocol/control.cpp — the control requests on the wire: LeaderAndIsr v2..v3,
// UpdateMetadata v5, StopReplica v1, ControlledShutdown v1..v2, and the course's
// BrokerRegistration, BrokerHeartbeat, AlterIsr and TopicConfigs v0.
#include "protocol/control.h"

#include <stdexcept>

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, fmt::format("malformed {} {}", what, d.problem()));
}

Error unsupported(ApiKey key, std::int16_t version) {
  return make_error(Errc::unsupported_version,
                    fmt::format("{} v{} is not spoken here", api_name(static_cast<std::int16_t>(key)), version));
}

void require_supported(ApiKey key, std::int16_t version) {
  if (!control_version_supported(key, version))
    throw std::invalid_argument(
        fmt::format("encoding {} at unsupported version {}", api_name(static_cast<std::int16_t>(key)), version));
}

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

// The smallest encoding of one element, so that a hostile count is refused before
// anything is allocated. A string is at least its int16 length, an array its int32 count.
constexpr std::size_t kMinTopic = 2 + 4;  // name · array
// partition, controller epoch, leader, leader epoch, isr[], zk_version, replicas[], is_new;
// v3 adds two arrays.
std::size_t min_leader_and_isr_partition(std::int16_t version) { return 7 * 4 + 1 + (version >= 3 ? 8 : 0); }
constexpr std::size_t kMinLiveLeader = 4 + 2 + 4;           // broker_id · host · port
constexpr std::size_t kMinPartitionError = 2 + 4 + 2;       // topic · partition · error
constexpr std::size_t kMinUpdateMetadataPartition = 8 * 4;  // five int32s and three arrays
constexpr std::size_t kMinLiveBroker = 4 + 4 + 2;           // id · endpoints[] · rack
constexpr std::size_t kMinEndpoint = 4 + 2 + 2 + 2;         // port · host · listener · protocol
constexpr std::size_t kMinRemainingPartition = 2 + 4;       // topic · partition
constexpr std::size_t kMinAlterIsrPartition = 4 * 4;        // three int32s and an array
constexpr std::size_t kMinAlterIsrPartitionResponse = 4 + 2 + 4 + 4 + 4 + 4;
constexpr std::size_t kMinConfigEntry = 2 + 2;              // name · value

void encode_partition_errors(Encoder& e, const std::vector<ControlPartitionError>& errors) {
  e.array_length(errors.size());
  for (const auto& p : errors) {
    e.string(p.topic_name);
    e.i32(p.partition_index);
    e.i16(static_cast<std::int16_t>(p.error));
  }
}

std::vector<ControlPartitionError> decode_partition_errors(Decoder& d) {
  std::vector<ControlPartitionError> errors;
  auto n = d.array_length(kMinPartitionError);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    ControlPartitionError p;
    p.topic_name = d.string();
    p.partition_index = d.i32();
    p.error = static_cast<Errc>(d.i16());
    errors.push_back(std::move(p));
  }
  return errors;
}

}  // namespace

bool control_version_supported(ApiKey key, std::int16_t version) {
  switch (key) {
    case ApiKey::leader_and_isr: return version == 2 || version == 3;
    case ApiKey::update_metadata: return version == 5;
    case ApiKey::stop_replica: return version == 1;
    case ApiKey::controlled_shutdown: return version == 1 || version == 2;
    case ApiKey::broker_registration:
    case ApiKey::broker_heartbeat:
    case ApiKey::alter_isr:
    case ApiKey::topic_configs: return version == 0;
    default: return false;
  }
}

// --- LeaderAndIsr ----------------------------------------------------------------------------

Result<LeaderAndIsrRequest> decode_leader_and_isr_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::leader_and_isr, version)) return unsupported(ApiKey::leader_and_isr, version);
  Decoder d(body);
  LeaderAndIsrRequest r;
  r.controller_id = d.i32();
  r.controller_epoch = d.i32();
  r.broker_epoch = d.i64();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    LeaderAndIsrTopicState t;
    t.topic_name = d.string();
    auto np = d.array_length(min_leader_and_isr_partition(version));
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      LeaderAndIsrPartitionState p;
      p.partition_index = d.i32();
      p.controller_epoch = d.i32();
      p.leader = d.i32();
      p.leader_epoch = d.i32();
      p.isr = decode_ints(d);
      p.zk_version = d.i32();
      p.replicas = decode_ints(d);
      if (version >= 3) {
        p.adding_replicas = decode_ints(d);
        p.removing_replicas = decode_ints(d);
      }
      p.is_new = d.boolean();
      t.partition_states.push_back(std::move(p));
    }
    r.topic_states.push_back(std::move(t));
  }
  auto nl = d.array_length(kMinLiveLeader);
  for (std::int32_t i = 0; i < nl && d.ok(); ++i) {
    LeaderAndIsrLiveLeader l;
    l.broker_id = d.i32();
    l.host_name = d.string();
    l.port = d.i32();
    r.live_leaders.push_back(std::move(l));
  }
  if (!d.ok()) return malformed(d, "LeaderAndIsr request");
  return r;
}

Bytes encode_leader_and_isr_request(const LeaderAndIsrRequest& r, std::int16_t version) {
  require_supported(ApiKey::leader_and_isr, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.controller_id);
  e.i32(r.controller_epoch);
  e.i64(r.broker_epoch);
  e.array_length(r.topic_states.size());
  for (const auto& t : r.topic_states) {
    e.string(t.topic_name);
    e.array_length(t.partition_states.size());
    for (const auto& p : t.partition_states) {
      e.i32(p.partition_index);
      e.i32(p.controller_epoch);
      e.i32(p.leader);
      e.i32(p.leader_epoch);
      encode_ints(e, p.isr);
      e.i32(p.zk_version);
      encode_ints(e, p.replicas);
      if (version >= 3) {
        encode_ints(e, p.adding_replicas);
        encode_ints(e, p.removing_replicas);
      }
      e.boolean(p.is_new);
    }
  }
  e.array_length(r.live_leaders.size());
  for (const auto& l : r.live_leaders) {
    e.i32(l.broker_id);
    e.string(l.host_name);
    e.i32(l.port);
  }
  return out;
}

Bytes encode_leader_and_isr_response(const LeaderAndIsrResponse& r, std::int16_t version) {
  require_supported(ApiKey::leader_and_isr, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  encode_partition_errors(e, r.partition_errors);
  return out;
}

Result<LeaderAndIsrResponse> decode_leader_and_isr_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::leader_and_isr, version)) return unsupported(ApiKey::leader_and_isr, version);
  Decoder d(body);
  LeaderAndIsrResponse r;
  r.error = static_cast<Errc>(d.i16());
  r.partition_errors = decode_partition_errors(d);
  if (!d.ok()) return malformed(d, "LeaderAndIsr response");
  return r;
}

// --- UpdateMetadata --------------------------------------------------------------------------

Result<UpdateMetadataRequest> decode_update_metadata_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::update_metadata, version))
    return unsupported(ApiKey::update_metadata, version);
  Decoder d(body);
  UpdateMetadataRequest r;
  r.controller_id = d.i32();
  r.controller_epoch = d.i32();
  r.broker_epoch = d.i64();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    UpdateMetadataTopicState t;
    t.topic_name = d.string();
    auto np = d.array_length(kMinUpdateMetadataPartition);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      UpdateMetadataPartitionState p;
      p.partition_index = d.i32();
      p.controller_epoch = d.i32();
      p.leader = d.i32();
      p.leader_epoch = d.i32();
      p.isr = decode_ints(d);
      p.zk_version = d.i32();
      p.replicas = decode_ints(d);
      p.offline_replicas = decode_ints(d);
      t.partition_states.push_back(std::move(p));
    }
    r.topic_states.push_back(std::move(t));
  }
  auto nb = d.array_length(kMinLiveBroker);
  for (std::int32_t i = 0; i < nb && d.ok(); ++i) {
    UpdateMetadataBroker b;
    b.id = d.i32();
    auto ne = d.array_length(kMinEndpoint);
    for (std::int32_t j = 0; j < ne && d.ok(); ++j) {
      UpdateMetadataEndpoint ep;
      ep.port = d.i32();
      ep.host = d.string();
      ep.listener = d.string();
      ep.security_protocol = d.i16();
      b.endpoints.push_back(std::move(ep));
    }
    b.rack = d.nullable_string();
    r.live_brokers.push_back(std::move(b));
  }
  if (!d.ok()) return malformed(d, "UpdateMetadata request");
  return r;
}

Bytes encode_update_metadata_request(const UpdateMetadataRequest& r, std::int16_t version) {
  require_supported(ApiKey::update_metadata, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.controller_id);
  e.i32(r.controller_epoch);
  e.i64(r.broker_epoch);
  e.array_length(r.topic_states.size());
  for (const auto& t : r.topic_states) {
    e.string(t.topic_name);
    e.array_length(t.partition_states.size());
    for (const auto& p : t.partition_states) {
      e.i32(p.partition_index);
      e.i32(p.controller_epoch);
      e.i32(p.leader);
      e.i32(p.leader_epoch);
      encode_ints(e, p.isr);
      e.i32(p.zk_version);
      encode_ints(e, p.replicas);
      encode_ints(e, p.offline_replicas);
    }
  }
  e.array_length(r.live_brokers.size());
  for (const auto& b : r.live_brokers) {
    e.i32(b.id);
    e.array_length(b.endpoints.size());
    for (const auto& ep : b.endpoints) {
      e.i32(ep.port);
      e.string(ep.host);
      e.string(ep.listener);
      e.i16(ep.security_protocol);
    }
    e.nullable_string(b.rack);
  }
  return out;
}

Bytes encode_update_metadata_response(const UpdateMetadataResponse& r, std::int16_t version) {
  require_supported(ApiKey::update_metadata, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  return out;
}

Result<UpdateMetadataResponse> decode_update_metadata_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::update_metadata, version))
    return unsupported(ApiKey::update_metadata, version);
  Decoder d(body);
  UpdateMetadataResponse r;
  r.error = static_cast<Errc>(d.i16());
  if (!d.ok()) return malformed(d, "UpdateMetadata response");
  return r;
}

// --- StopReplica -----------------------------------------------------------------------------

Result<StopReplicaRequest> decode_stop_replica_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::stop_replica, version)) return unsupported(ApiKey::stop_replica, version);
  Decoder d(body);
  StopReplicaRequest r;
  r.controller_id = d.i32();
  r.controller_epoch = d.i32();
  r.broker_epoch = d.i64();
  r.delete_partitions = d.boolean();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    StopReplicaTopic t;
    t.name = d.string();
    t.partition_indexes = decode_ints(d);
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "StopReplica request");
  return r;
}

Bytes encode_stop_replica_request(const StopReplicaRequest& r, std::int16_t version) {
  require_supported(ApiKey::stop_replica, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.controller_id);
  e.i32(r.controller_epoch);
  e.i64(r.broker_epoch);
  e.boolean(r.delete_partitions);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    encode_ints(e, t.partition_indexes);
  }
  return out;
}

Bytes encode_stop_replica_response(const StopReplicaResponse& r, std::int16_t version) {
  require_supported(ApiKey::stop_replica, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  encode_partition_errors(e, r.partition_errors);
  return out;
}

Result<StopReplicaResponse> decode_stop_replica_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::stop_replica, version)) return unsupported(ApiKey::stop_replica, version);
  Decoder d(body);
  StopReplicaResponse r;
  r.error = static_cast<Errc>(d.i16());
  r.partition_errors = decode_partition_errors(d);
  if (!d.ok()) return malformed(d, "StopReplica response");
  return r;
}

// --- ControlledShutdown ----------------------------------------------------------------------

Result<ControlledShutdownRequest> decode_controlled_shutdown_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::controlled_shutdown, version))
    return unsupported(ApiKey::controlled_shutdown, version);
  Decoder d(body);
  ControlledShutdownRequest r;
  r.broker_id = d.i32();
  if (version >= 2) r.broker_epoch = d.i64();
  if (!d.ok()) return malformed(d, "ControlledShutdown request");
  return r;
}

Bytes encode_controlled_shutdown_request(const ControlledShutdownRequest& r, std::int16_t version) {
  require_supported(ApiKey::controlled_shutdown, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.broker_id);
  if (version >= 2) e.i64(r.broker_epoch);
  return out;
}

Bytes encode_controlled_shutdown_response(const ControlledShutdownResponse& r, std::int16_t version) {
  require_supported(ApiKey::controlled_shutdown, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  e.array_length(r.remaining_partitions.size());
  for (const auto& p : r.remaining_partitions) {
    e.string(p.topic_name);
    e.i32(p.partition_index);
  }
  return out;
}

Result<ControlledShutdownResponse> decode_controlled_shutdown_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::controlled_shutdown, version))
    return unsupported(ApiKey::controlled_shutdown, version);
  Decoder d(body);
  ControlledShutdownResponse r;
  r.error = static_cast<Errc>(d.i16());
  auto n = d.array_length(kMinRemainingPartition);
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    ControlledShutdownPartition p;
    p.topic_name = d.string();
    p.partition_index = d.i32();
    r.remaining_partitions.push_back(std::move(p));
  }
  if (!d.ok()) return malformed(d, "ControlledShutdown response");
  return r;
}

// --- BrokerRegistration ----------------------------------------------------------------------

Result<BrokerRegistrationRequest> decode_broker_registration_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::broker_registration, version))
    return unsupported(ApiKey::broker_registration, version);
  Decoder d(body);
  BrokerRegistrationRequest r;
  r.broker_id = d.i32();
  r.host = d.string();
  r.port = d.i32();
  r.rack = d.nullable_string();
  if (!d.ok()) return malformed(d, "BrokerRegistration request");
  return r;
}

Bytes encode_broker_registration_request(const BrokerRegistrationRequest& r, std::int16_t version) {
  require_supported(ApiKey::broker_registration, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.broker_id);
  e.string(r.host);
  e.i32(r.port);
  e.nullable_string(r.rack);
  return out;
}

Bytes encode_broker_registration_response(const BrokerRegistrationResponse& r, std::int16_t version) {
  require_supported(ApiKey::broker_registration, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  e.i64(r.broker_epoch);
  return out;
}

Result<BrokerRegistrationResponse> decode_broker_registration_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::broker_registration, version))
    return unsupported(ApiKey::broker_registration, version);
  Decoder d(body);
  BrokerRegistrationResponse r;
  r.error = static_cast<Errc>(d.i16());
  r.broker_epoch = d.i64();
  if (!d.ok()) return malformed(d, "BrokerRegistration response");
  return r;
}

// --- BrokerHeartbeat -------------------------------------------------------------------------

Result<BrokerHeartbeatRequest> decode_broker_heartbeat_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::broker_heartbeat, version))
    return unsupported(ApiKey::broker_heartbeat, version);
  Decoder d(body);
  BrokerHeartbeatRequest r;
  r.broker_id = d.i32();
  r.broker_epoch = d.i64();
  if (!d.ok()) return malformed(d, "BrokerHeartbeat request");
  return r;
}

Bytes encode_broker_heartbeat_request(const BrokerHeartbeatRequest& r, std::int16_t version) {
  require_supported(ApiKey::broker_heartbeat, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.broker_id);
  e.i64(r.broker_epoch);
  return out;
}

Bytes encode_broker_heartbeat_response(const BrokerHeartbeatResponse& r, std::int16_t version) {
  require_supported(ApiKey::broker_heartbeat, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  return out;
}

Result<BrokerHeartbeatResponse> decode_broker_heartbeat_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::broker_heartbeat, version))
    return unsupported(ApiKey::broker_heartbeat, version);
  Decoder d(body);
  BrokerHeartbeatResponse r;
  r.error = static_cast<Errc>(d.i16());
  if (!d.ok()) return malformed(d, "BrokerHeartbeat response");
  return r;
}

// --- AlterIsr --------------------------------------------------------------------------------

Result<AlterIsrRequest> decode_alter_isr_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::alter_isr, version)) return unsupported(ApiKey::alter_isr, version);
  Decoder d(body);
  AlterIsrRequest r;
  r.broker_id = d.i32();
  r.broker_epoch = d.i64();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    AlterIsrTopic t;
    t.name = d.string();
    auto np = d.array_length(kMinAlterIsrPartition);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      AlterIsrPartition p;
      p.partition_index = d.i32();
      p.leader_epoch = d.i32();
      p.new_isr = decode_ints(d);
      p.current_isr_version = d.i32();
      t.partitions.push_back(std::move(p));
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "AlterIsr request");
  return r;
}

Bytes encode_alter_isr_request(const AlterIsrRequest& r, std::int16_t version) {
  require_supported(ApiKey::alter_isr, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.broker_id);
  e.i64(r.broker_epoch);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition_index);
      e.i32(p.leader_epoch);
      encode_ints(e, p.new_isr);
      e.i32(p.current_isr_version);
    }
  }
  return out;
}

Bytes encode_alter_isr_response(const AlterIsrResponse& r, std::int16_t version) {
  require_supported(ApiKey::alter_isr, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.throttle_time_ms);
  e.i16(static_cast<std::int16_t>(r.error));
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.partitions.size());
    for (const auto& p : t.partitions) {
      e.i32(p.partition_index);
      e.i16(static_cast<std::int16_t>(p.error));
      e.i32(p.leader_id);
      e.i32(p.leader_epoch);
      encode_ints(e, p.isr);
      e.i32(p.current_isr_version);
    }
  }
  return out;
}

Result<AlterIsrResponse> decode_alter_isr_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::alter_isr, version)) return unsupported(ApiKey::alter_isr, version);
  Decoder d(body);
  AlterIsrResponse r;
  r.throttle_time_ms = d.i32();
  r.error = static_cast<Errc>(d.i16());
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    AlterIsrTopicResponse t;
    t.name = d.string();
    auto np = d.array_length(kMinAlterIsrPartitionResponse);
    for (std::int32_t j = 0; j < np && d.ok(); ++j) {
      AlterIsrPartitionResponse p;
      p.partition_index = d.i32();
      p.error = static_cast<Errc>(d.i16());
      p.leader_id = d.i32();
      p.leader_epoch = d.i32();
      p.isr = decode_ints(d);
      p.current_isr_version = d.i32();
      t.partitions.push_back(std::move(p));
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "AlterIsr response");
  return r;
}

// --- TopicConfigs ----------------------------------------------------------------------------

Result<TopicConfigsRequest> decode_topic_configs_request(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::topic_configs, version)) return unsupported(ApiKey::topic_configs, version);
  Decoder d(body);
  TopicConfigsRequest r;
  r.controller_id = d.i32();
  r.controller_epoch = d.i32();
  r.broker_epoch = d.i64();
  auto nt = d.array_length(kMinTopic);
  for (std::int32_t i = 0; i < nt && d.ok(); ++i) {
    TopicConfigsTopic t;
    t.name = d.string();
    auto nc = d.array_length(kMinConfigEntry);
    for (std::int32_t j = 0; j < nc && d.ok(); ++j) {
      TopicConfigEntry c;
      c.name = d.string();
      c.value = d.string();
      t.configs.push_back(std::move(c));
    }
    r.topics.push_back(std::move(t));
  }
  if (!d.ok()) return malformed(d, "TopicConfigs request");
  return r;
}

Bytes encode_topic_configs_request(const TopicConfigsRequest& r, std::int16_t version) {
  require_supported(ApiKey::topic_configs, version);
  Bytes out;
  Encoder e(out);
  e.i32(r.controller_id);
  e.i32(r.controller_epoch);
  e.i64(r.broker_epoch);
  e.array_length(r.topics.size());
  for (const auto& t : r.topics) {
    e.string(t.name);
    e.array_length(t.configs.size());
    for (const auto& c : t.configs) {
      e.string(c.name);
      e.string(c.value);
    }
  }
  return out;
}

Bytes encode_topic_configs_response(const TopicConfigsResponse& r, std::int16_t version) {
  require_supported(ApiKey::topic_configs, version);
  Bytes out;
  Encoder e(out);
  e.i16(static_cast<std::int16_t>(r.error));
  return out;
}

Result<TopicConfigsResponse> decode_topic_configs_response(ByteSpan body, std::int16_t version) {
  if (!control_version_supported(ApiKey::topic_configs, version)) return unsupported(ApiKey::topic_configs, version);
  Decoder d(body);
  TopicConfigsResponse r;
  r.error = static_cast<Errc>(d.i16());
  if (!d.ok()) return malformed(d, "TopicConfigs response");
  return r;
}

}  // namespace streamcraft::protocol
