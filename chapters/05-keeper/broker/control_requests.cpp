// generated from final/broker/control_requests.cpp; edit there
// broker/control_requests.cpp — decoding, dispatching and answering control requests.
#include "broker/control_requests.h"

#include <fmt/format.h>

#include "protocol/control.h"

namespace streamcraft::broker {

using protocol::ApiKey;

bool ControlRequests::is_control(std::int16_t api_key) {
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::leader_and_isr:
    case ApiKey::stop_replica:
    case ApiKey::update_metadata:
    case ApiKey::controlled_shutdown:
    case ApiKey::broker_registration:
    case ApiKey::broker_heartbeat:
    case ApiKey::alter_isr:
    case ApiKey::topic_configs: return true;
    default: return false;
  }
}

Result<Bytes> ControlRequests::handle(ApiKey key, std::int16_t version, ByteSpan body) {
  switch (key) {
    case ApiKey::leader_and_isr: {
      auto req = protocol::decode_leader_and_isr_request(body, version);
      if (!req) return req.error();
      std::vector<PartitionAnnouncement> partitions;
      for (const auto& t : req->topic_states)
        for (const auto& p : t.partition_states)
          partitions.push_back({t.topic_name, p.partition_index, p.controller_epoch,
                                PartitionState{p.leader, p.leader_epoch, p.replicas, p.isr, {}}, p.zk_version,
                                p.is_new});
      protocol::LeaderAndIsrResponse r;
      auto result = replicas_.leader_and_isr(req->controller_epoch, req->broker_epoch, partitions);
      if (!result) r.error = result.error().code;
      else
        for (const auto& e : *result) r.partition_errors.push_back({e.topic, e.partition, e.error});
      return protocol::encode_leader_and_isr_response(r, version);
    }
    case ApiKey::update_metadata: {
      auto req = protocol::decode_update_metadata_request(body, version);
      if (!req) return req.error();
      std::vector<BrokerEndpoint> live;
      for (const auto& b : req->live_brokers)
        if (!b.endpoints.empty())
          live.push_back({b.id, b.endpoints.front().host, static_cast<std::uint16_t>(b.endpoints.front().port), b.rack});
      std::vector<PartitionAnnouncement> partitions;
      for (const auto& t : req->topic_states)
        for (const auto& p : t.partition_states)
          partitions.push_back({t.topic_name, p.partition_index, p.controller_epoch,
                                PartitionState{p.leader, p.leader_epoch, p.replicas, p.isr, p.offline_replicas},
                                p.zk_version, false});
      protocol::UpdateMetadataResponse r;
      if (auto s = replicas_.update_metadata(req->controller_epoch, req->broker_epoch, std::move(live), partitions); !s)
        r.error = s.error().code;
      return protocol::encode_update_metadata_response(r, version);
    }
    case ApiKey::topic_configs: {
      auto req = protocol::decode_topic_configs_request(body, version);
      if (!req) return req.error();
      std::map<std::string, std::vector<std::pair<std::string, std::string>>> configs;
      for (auto& t : req->topics) {
        auto& settings = configs[t.name];
        for (auto& c : t.configs) settings.emplace_back(std::move(c.name), std::move(c.value));
      }
      protocol::TopicConfigsResponse r;
      if (auto s = replicas_.set_topic_configs(req->controller_epoch, req->broker_epoch, std::move(configs)); !s)
        r.error = s.error().code;
      return protocol::encode_topic_configs_response(r, version);
    }
    case ApiKey::stop_replica: {
      auto req = protocol::decode_stop_replica_request(body, version);
      if (!req) return req.error();
      std::vector<std::pair<std::string, std::int32_t>> partitions;
      for (const auto& t : req->topics)
        for (auto p : t.partition_indexes) partitions.emplace_back(t.name, p);
      protocol::StopReplicaResponse r;
      auto result = replicas_.stop_replicas(req->controller_epoch, req->broker_epoch, req->delete_partitions, partitions);
      if (!result) r.error = result.error().code;
      else
        for (const auto& e : *result) r.partition_errors.push_back({e.topic, e.partition, e.error});
      return protocol::encode_stop_replica_response(r, version);
    }
    case ApiKey::controlled_shutdown: {
      auto req = protocol::decode_controlled_shutdown_request(body, version);
      if (!req) return req.error();
      protocol::ControlledShutdownResponse r;
      if (!controller_) r.error = Errc::not_controller;
      else r = controller_->controlled_shutdown(*req);
      return protocol::encode_controlled_shutdown_response(r, version);
    }
    case ApiKey::broker_registration: {
      auto req = protocol::decode_broker_registration_request(body, version);
      if (!req) return req.error();
      protocol::BrokerRegistrationResponse r;
      if (!controller_) r.error = Errc::not_controller;
      else r = controller_->register_broker(*req);
      return protocol::encode_broker_registration_response(r, version);
    }
    case ApiKey::broker_heartbeat: {
      auto req = protocol::decode_broker_heartbeat_request(body, version);
      if (!req) return req.error();
      protocol::BrokerHeartbeatResponse r;
      if (!controller_) r.error = Errc::not_controller;
      else r = controller_->heartbeat(*req);
      return protocol::encode_broker_heartbeat_response(r, version);
    }
    case ApiKey::alter_isr: {
      auto req = protocol::decode_alter_isr_request(body, version);
      if (!req) return req.error();
      protocol::AlterIsrResponse r;
      if (!controller_) r.error = Errc::not_controller;
      else r = controller_->alter_isr(*req);
      return protocol::encode_alter_isr_response(r, version);
    }
    default: break;
  }
  return make_error(Errc::invalid_request, fmt::format("key {} is not a control request", static_cast<int>(key)));
}

}  // namespace streamcraft::broker
