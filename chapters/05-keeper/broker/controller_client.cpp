// generated from final/broker/controller_client.cpp; edit there
// broker/controller_client.cpp — registration, heartbeats, ISR proposals, topics, shutdown.
#include "broker/controller_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "protocol/control.h"
#include "protocol/topics.h"

namespace streamcraft::broker {
namespace {

constexpr std::int16_t kCreateTopicsVersion = 4;
constexpr std::int16_t kControlledShutdownVersion = 2;

}  // namespace

ControllerClient::ControllerClient(const BrokerConfig& config, const Clock& clock, PeerRequests& peers,
                                   ReplicaManager& replicas)
    : config_(config), clock_(clock), peers_(peers), replicas_(replicas) {
  // Until the server knows its port: the address this broker has in cluster.brokers.
  host_ = config.listener.host;
  port_ = config.listener.port;
  for (const auto& m : config.cluster_brokers)
    if (m.id == config.node_id) {
      host_ = m.address.host;
      port_ = m.address.port;
    }
  if (config.advertised) set_advertised(config.advertised->host, config.advertised->port);
}

void ControllerClient::set_advertised(std::string host, std::uint16_t port) {
  host_ = std::move(host);
  port_ = port;
}

// --- registration and heartbeats ------------------------------------------------------------

void ControllerClient::send_registration() {
  registering_ = true;
  protocol::BrokerRegistrationRequest r;
  r.broker_id = config_.node_id;
  r.host = host_;
  r.port = port_;
  peers_.request(config_.controller_id, protocol::ApiKey::broker_registration, 0,
                 protocol::encode_broker_registration_request(r, 0), token(Purpose::registration));
}

void ControllerClient::send_heartbeat() {
  heartbeat_in_flight_ = true;
  protocol::BrokerHeartbeatRequest r{config_.node_id, broker_epoch_};
  peers_.request(config_.controller_id, protocol::ApiKey::broker_heartbeat, 0,
                 protocol::encode_broker_heartbeat_request(r, 0), token(Purpose::heartbeat));
}

void ControllerClient::lost_registration(const std::string& why) {
  spdlog::warn("broker {}: the controller no longer counts broker epoch {} ({}); registering again", config_.node_id,
               broker_epoch_, why);
  broker_epoch_ = -1;
  replicas_.set_broker_epoch(-1);
  next_attempt_ms_ = clock_.monotonic_ms();
}

// --- ISR proposals -------------------------------------------------------------------------

void ControllerClient::send_isr_proposals() {
  if (alter_isr_in_flight_ || !registered() || !replicas_.has_isr_proposals()) return;
  in_flight_proposals_ = replicas_.take_isr_proposals();
  protocol::AlterIsrRequest r;
  r.broker_id = config_.node_id;
  r.broker_epoch = broker_epoch_;
  for (const auto& p : in_flight_proposals_) {
    auto t = std::find_if(r.topics.begin(), r.topics.end(), [&](const auto& x) { return x.name == p.topic; });
    if (t == r.topics.end()) {
      r.topics.push_back({p.topic, {}});
      t = std::prev(r.topics.end());
    }
    t->partitions.push_back({p.partition, p.leader_epoch, p.isr, p.version});
  }
  alter_isr_in_flight_ = true;
  peers_.request(config_.controller_id, protocol::ApiKey::alter_isr, 0, protocol::encode_alter_isr_request(r, 0),
                 token(Purpose::alter_isr));
}

// --- topics --------------------------------------------------------------------------------

Status ControllerClient::create_topic(const NewTopic& topic, TopicRequest how) {
  if (how == TopicRequest::explicit_request)
    return make_error(Errc::not_controller,
                      fmt::format("broker {} is not the controller: broker {} is", config_.node_id, config_.controller_id));
  protocol::CreateTopicsRequest r;
  protocol::CreatableTopic t;
  t.name = topic.name;
  t.num_partitions = topic.partitions;
  t.replication_factor = topic.replication_factor;
  r.topics.push_back(std::move(t));
  r.timeout_ms = 5'000;
  // Fire and forget: the topic shows up in this broker's metadata when the controller has
  // created it; until then the asking client is told to try again.
  peers_.request(config_.controller_id, protocol::ApiKey::create_topics, kCreateTopicsVersion,
                 protocol::encode_create_topics_request(r, kCreateTopicsVersion), token(Purpose::create_topic));
  return {};
}

Status ControllerClient::delete_topic(const std::string&) {
  return make_error(Errc::not_controller,
                    fmt::format("broker {} is not the controller: broker {} is", config_.node_id, config_.controller_id));
}

Result<std::vector<PartitionError>> ControllerClient::elect_preferred_leaders(
    const std::optional<std::vector<TopicPartitionId>>&) {
  return make_error(Errc::not_controller,
                    fmt::format("broker {} is not the controller: broker {} is", config_.node_id, config_.controller_id));
}

// --- controlled shutdown -------------------------------------------------------------------

void ControllerClient::begin_controlled_shutdown() {
  if (shutdown_ != Shutdown::no) return;
  if (!registered()) {
    shutdown_ = Shutdown::done;  // nothing is led by an unregistered broker
    return;
  }
  shutdown_ = Shutdown::waiting;
  shutdown_retry_ms_ = clock_.monotonic_ms();
}

void ControllerClient::send_shutdown() {
  shutdown_ = Shutdown::asking;
  ++shutdown_attempts_;
  protocol::ControlledShutdownRequest r{config_.node_id, broker_epoch_};
  peers_.request(config_.controller_id, protocol::ApiKey::controlled_shutdown, kControlledShutdownVersion,
                 protocol::encode_controlled_shutdown_request(r, kControlledShutdownVersion), token(Purpose::shutdown));
}

// --- the driver ----------------------------------------------------------------------------

void ControllerClient::tick() {
  const auto now = clock_.monotonic_ms();
  if (!registering_ && !registered() && now >= next_attempt_ms_) {
    send_registration();
  } else if (registered() && !heartbeat_in_flight_ && now >= next_attempt_ms_) {
    next_attempt_ms_ = now + config_.broker_heartbeat_interval_ms;
    send_heartbeat();
  }
  send_isr_proposals();
  if (shutdown_ == Shutdown::waiting && now >= shutdown_retry_ms_) send_shutdown();
}

void ControllerClient::on_completion(const PeerRequests::Completion& c) {
  const auto now = clock_.monotonic_ms();
  switch (purpose_of(c.token)) {
    case Purpose::registration: {
      registering_ = false;
      auto r = c.body ? protocol::decode_broker_registration_response(ByteSpan(*c.body), 0)
                      : Result<protocol::BrokerRegistrationResponse>(c.body.error());
      if (!r || r->error != Errc::none) {
        next_attempt_ms_ = now + config_.broker_heartbeat_interval_ms;
        spdlog::info("broker {}: registration with controller {} failed: {}", config_.node_id, config_.controller_id,
                     r ? std::string(errc_name(r->error)) : r.error().describe());
        break;
      }
      broker_epoch_ = r->broker_epoch;
      replicas_.set_broker_epoch(broker_epoch_);
      next_attempt_ms_ = now + config_.broker_heartbeat_interval_ms;
      spdlog::info("broker {}: registered with controller {}, broker epoch {}", config_.node_id, config_.controller_id,
                   broker_epoch_);
      break;
    }
    case Purpose::heartbeat: {
      heartbeat_in_flight_ = false;
      if (!c.body) break;  // lost: the next one goes at its time; the timeout allows for a few
      auto r = protocol::decode_broker_heartbeat_response(ByteSpan(*c.body), 0);
      if (r && (r->error == Errc::stale_broker_epoch || r->error == Errc::broker_not_available))
        lost_registration(std::string(errc_name(r->error)));
      break;
    }
    case Purpose::alter_isr: {
      alter_isr_in_flight_ = false;
      auto proposals = std::exchange(in_flight_proposals_, {});
      auto r = c.body ? protocol::decode_alter_isr_response(ByteSpan(*c.body), 0)
                      : Result<protocol::AlterIsrResponse>(c.body.error());
      const Errc top = !r ? r.error().code : r->error;
      for (const auto& p : proposals) {
        const protocol::AlterIsrPartitionResponse* answer = nullptr;
        if (r)
          for (const auto& t : r->topics)
            if (t.name == p.topic)
              for (const auto& pr : t.partitions)
                if (pr.partition_index == p.partition) answer = &pr;
        if (top != Errc::none || !answer) replicas_.isr_refused(p.topic, p.partition, top != Errc::none ? top : Errc::unknown_server_error);
        else if (answer->error != Errc::none) replicas_.isr_refused(p.topic, p.partition, answer->error);
        else replicas_.isr_committed(p.topic, p.partition, answer->leader_epoch, answer->isr, answer->current_isr_version);
      }
      break;
    }
    case Purpose::create_topic: {
      if (!c.body) spdlog::info("broker {}: asking the controller for a topic: {}", config_.node_id, c.body.error().describe());
      break;
    }
    case Purpose::shutdown: {
      auto r = c.body ? protocol::decode_controlled_shutdown_response(ByteSpan(*c.body), kControlledShutdownVersion)
                      : Result<protocol::ControlledShutdownResponse>(c.body.error());
      const bool moved = r && r->error == Errc::none && r->remaining_partitions.empty();
      if (moved || shutdown_attempts_ >= kShutdownAttempts) {
        if (!moved) spdlog::warn("broker {}: controlled shutdown incomplete; stopping anyway", config_.node_id);
        shutdown_ = Shutdown::done;
      } else {
        shutdown_ = Shutdown::waiting;
        shutdown_retry_ms_ = now + 500;  // controlled.shutdown.retry.backoff.ms, shortened
      }
      break;
    }
  }
  tick();
}

std::optional<std::int64_t> ControllerClient::next_deadline_ms() const {
  std::optional<std::int64_t> next;
  if (!registering_ && !(registered() && heartbeat_in_flight_)) next = next_attempt_ms_;
  if (shutdown_ == Shutdown::waiting && (!next || shutdown_retry_ms_ < *next)) next = shutdown_retry_ms_;
  return next;
}

}  // namespace streamcraft::broker
