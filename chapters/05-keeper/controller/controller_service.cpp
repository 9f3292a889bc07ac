// generated from final/controller/controller_service.cpp; edit there
// controller/controller_service.cpp — the controller's requests and its channels to the brokers.
#include "controller/controller_service.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace streamcraft::controller {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// How often the controller looks for brokers whose heartbeats stopped: a tenth of the
// timeout (at most 100 ms), so a failure is noticed at most that long after the deadline.
std::int64_t check_period_ms(const broker::BrokerConfig& c) {
  return std::clamp<std::int64_t>(c.broker_heartbeat_timeout_ms / 10, 10, 100);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

ControllerService::ControllerService(const broker::BrokerConfig& config, const Clock& clock,
                                     broker::PeerRequests& peers, std::unique_ptr<MetadataStore> store)
    : config_(config), clock_(clock), peers_(peers), store_(std::move(store)) {}

Result<std::unique_ptr<ControllerService>> ControllerService::open(log::FileSystem& fs,
                                                                   const broker::BrokerConfig& config,
                                                                   const Clock& clock, broker::PeerRequests& peers) {
  const auto dir = config.log_dir / ".controller";
  if (auto s = fs.create_directories(dir); !s) return s.error();
  auto service = std::make_unique<ControllerService>(config, clock, peers,
                                                     std::make_unique<FileMetadataStore>(fs, dir));
  ControllerConfig cc;
  cc.controller_id = config.controller_id;
  for (const auto& m : config.cluster_brokers) cc.broker_ids.push_back(m.id);
  cc.broker_heartbeat_timeout_ms = config.broker_heartbeat_timeout_ms;
  cc.unclean_leader_election_enable = config.unclean_leader_election_enable;
  cc.default_replication_factor = config.default_replication_factor;
  auto controller = Controller::open(*service->store_, cc);
  if (!controller) return controller.error();
  service->controller_.emplace(std::move(*controller));
  spdlog::info("controller: epoch {}, {} topic(s), brokers [{}]", service->controller_->controller_epoch(),
               service->controller_->topics().size(), fmt::join(cc.broker_ids, ","));
  service->dispatch();
  return service;
}

// --- requests from brokers -----------------------------------------------------------------

protocol::BrokerRegistrationResponse ControllerService::register_broker(const protocol::BrokerRegistrationRequest& r) {
  protocol::BrokerRegistrationResponse out;
  broker::BrokerEndpoint endpoint{r.broker_id, r.host, static_cast<std::uint16_t>(r.port), r.rack};
  auto epoch = controller_->register_broker(r.broker_id, endpoint, clock_.monotonic_ms());
  if (!epoch) {
    out.error = epoch.error().code;
    spdlog::warn("controller: registration of broker {}: {}", r.broker_id, epoch.error().describe());
  } else {
    out.broker_epoch = *epoch;
    spdlog::info("controller: broker {} registered at {}:{}, broker epoch {}", r.broker_id, r.host, r.port, *epoch);
  }
  dispatch();
  return out;
}

protocol::BrokerHeartbeatResponse ControllerService::heartbeat(const protocol::BrokerHeartbeatRequest& r) {
  protocol::BrokerHeartbeatResponse out;
  if (auto s = controller_->heartbeat(r.broker_id, r.broker_epoch, clock_.monotonic_ms()); !s)
    out.error = s.error().code;
  dispatch();
  return out;
}

protocol::AlterIsrResponse ControllerService::alter_isr(const protocol::AlterIsrRequest& r) {
  protocol::AlterIsrResponse out;
  for (const auto& t : r.topics) {
    protocol::AlterIsrTopicResponse tr;
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::AlterIsrPartitionResponse pr;
      pr.partition_index = p.partition_index;
      auto committed = controller_->alter_isr(r.broker_id, r.broker_epoch, t.name, p.partition_index, p.leader_epoch,
                                              p.new_isr, p.current_isr_version);
      const auto view = committed ? std::optional<PartitionView>(*committed)
                                  : controller_->partition(t.name, p.partition_index);
      if (!committed) pr.error = committed.error().code;
      if (view) {
        pr.leader_id = view->state.leader;
        pr.leader_epoch = view->state.leader_epoch;
        pr.isr = view->state.isr;
        pr.current_isr_version = view->version;
      }
      tr.partitions.push_back(std::move(pr));
    }
    out.topics.push_back(std::move(tr));
  }
  dispatch();
  return out;
}

protocol::ControlledShutdownResponse ControllerService::controlled_shutdown(
    const protocol::ControlledShutdownRequest& r) {
  protocol::ControlledShutdownResponse out;
  auto remaining = controller_->controlled_shutdown(r.broker_id, r.broker_epoch);
  if (!remaining) {
    out.error = remaining.error().code;
  } else {
    for (const auto& tp : *remaining) out.remaining_partitions.push_back({tp.topic, tp.partition});
    spdlog::info("controller: broker {} shutting down, {} partition(s) still led by it", r.broker_id,
                 remaining->size());
  }
  dispatch();
  return out;
}

std::vector<ElectionResult> ControllerService::elect_preferred_leaders(
    const std::optional<std::vector<TopicPartition>>& partitions) {
  auto results = controller_->elect_preferred_leaders(partitions);
  dispatch();
  return results;
}

Status ControllerService::create_topic(const broker::NewTopic& topic, broker::TopicRequest) {
  if (auto valid = broker::validate_topic_name(topic.name); !valid) return valid;
  // The settings are checked here, once, against this broker's defaults: a replica must
  // never be told to create a log it cannot open. (Every broker of a cluster is meant to
  // have the same defaults; a setting whose validity depends on them, like segment.bytes,
  // is refused by a replica that differs — it logs why and does not host the partition.)
  log::LogConfig checked = config_.log;
  for (const auto& [key, value] : topic.configs)
    if (auto s = broker::apply_topic_setting(checked, key, value); !s) return s;
  if (auto s = log::check_config(checked); !s) return s;
  if (controller_->partition(topic.name, 0))
    return make_error(Errc::topic_already_exists, fmt::format("topic '{}' already exists", topic.name));
  if (topic.validate_only) return {};
  Status s;
  if (!topic.assignment.empty()) {
    s = controller_->create_topic(topic.name, topic.assignment, topic.configs);
  } else {
    const auto partitions = topic.partitions == -1 ? config_.num_partitions : topic.partitions;
    s = controller_->create_topic(topic.name, partitions, topic.replication_factor,
                                  fnv1a(topic.name) ^ next_placement_seed_++, topic.configs);
  }
  if (s) spdlog::info("controller: created topic {}", topic.name);
  dispatch();
  return s;
}

Result<std::vector<broker::PartitionError>> ControllerService::elect_preferred_leaders(
    const std::optional<std::vector<broker::TopicPartitionId>>& partitions) {
  std::optional<std::vector<TopicPartition>> targets;
  if (partitions) {
    targets.emplace();
    for (const auto& [topic, partition] : *partitions) targets->push_back({topic, partition});
  }
  std::vector<broker::PartitionError> out;
  for (const auto& r : elect_preferred_leaders(targets)) {
    if (r.error == Errc::none)
      spdlog::info("controller: {}-{} is led by its preferred replica again", r.partition.topic, r.partition.partition);
    out.push_back({r.partition.topic, r.partition.partition, r.error});
  }
  return out;
}

Status ControllerService::delete_topic(const std::string& name) {
  auto s = controller_->delete_topic(name);
  dispatch();
  return s;
}

// --- control requests to the brokers ---------------------------------------------------------

void ControllerService::dispatch() {
  auto events = controller_->take_events();
  if (events.empty()) return;
  // One round per input: per broker, its UpdateMetadata first (a broker learns that a
  // topic exists, and how many partitions it has, before it is asked to lead or follow
  // one of them), then one LeaderAndIsr with all its partitions, then its StopReplicas.
  struct Round {
    std::int64_t broker_epoch = -1;
    std::optional<protocol::UpdateMetadataRequest> metadata;
    std::optional<protocol::LeaderAndIsrRequest> leader_and_isr;
    std::map<bool, protocol::StopReplicaRequest> stops;  // by delete_partitions
  };
  std::map<std::int32_t, Round> rounds;
  const auto controller_epoch = controller_->controller_epoch();
  auto header = [&](auto& request, std::int64_t broker_epoch) {
    request.controller_id = config_.controller_id;
    request.controller_epoch = controller_epoch;
    request.broker_epoch = broker_epoch;
  };
  for (auto& event : events) {
    std::visit(Overloaded{
                   [&](LeaderAndIsrEvent& e) {
                     auto& round = rounds[e.broker];
                     round.broker_epoch = e.broker_epoch;
                     if (!round.leader_and_isr) {
                       round.leader_and_isr.emplace();
                       header(*round.leader_and_isr, e.broker_epoch);
                     }
                     auto& topics = round.leader_and_isr->topic_states;
                     auto t = std::find_if(topics.begin(), topics.end(),
                                           [&](const auto& ts) { return ts.topic_name == e.topic; });
                     if (t == topics.end()) {
                       topics.push_back({e.topic, {}});
                       t = std::prev(topics.end());
                     }
                     const auto& v = e.partition_state;
                     protocol::LeaderAndIsrPartitionState ps;
                     ps.partition_index = e.partition;
                     ps.controller_epoch = v.controller_epoch;
                     ps.leader = v.state.leader;
                     ps.leader_epoch = v.state.leader_epoch;
                     ps.isr = v.state.isr;
                     ps.zk_version = v.version;
                     ps.replicas = v.state.replicas;
                     ps.is_new = e.is_new;
                     t->partition_states.push_back(std::move(ps));
                   },
                   [&](UpdateMetadataEvent& e) {
                     auto& round = rounds[e.broker];
                     round.broker_epoch = e.broker_epoch;
                     if (!round.metadata) {
                       round.metadata.emplace();
                       header(*round.metadata, e.broker_epoch);
                     }
                     auto& m = *round.metadata;
                     m.live_brokers.clear();  // the latest list wins
                     for (const auto& b : e.live_brokers)
                       m.live_brokers.push_back({b.id, {{b.port, b.host, "PLAINTEXT", 0}}, b.rack});
                     for (const auto& entry : e.partitions) {
                       const auto& tp = entry.first;  // (not a structured binding: a lambda below uses it)
                       const auto& v = entry.second;
                       auto t = std::find_if(m.topic_states.begin(), m.topic_states.end(),
                                             [&](const auto& ts) { return ts.topic_name == tp.topic; });
                       if (t == m.topic_states.end()) {
                         m.topic_states.push_back({tp.topic, {}});
                         t = std::prev(m.topic_states.end());
                       }
                       t->partition_states.push_back({tp.partition, v.controller_epoch, v.state.leader,
                                                      v.state.leader_epoch, v.state.isr, v.version, v.state.replicas,
                                                      v.state.offline_replicas});
                     }
                   },
                   [&](StopReplicaEvent& e) {
                     auto& round = rounds[e.broker];
                     round.broker_epoch = e.broker_epoch;
                     auto& stop = round.stops[e.delete_partition];
                     header(stop, e.broker_epoch);
                     stop.delete_partitions = e.delete_partition;
                     auto t = std::find_if(stop.topics.begin(), stop.topics.end(),
                                           [&](const auto& st) { return st.name == e.topic; });
                     if (t == stop.topics.end()) {
                       stop.topics.push_back({e.topic, {}});
                       t = std::prev(stop.topics.end());
                     }
                     t->partition_indexes.push_back(e.partition);
                   },
               },
               event);
  }
  for (auto& [broker, round] : rounds) {
    auto& channel = channels_[broker];
    if (round.metadata) {
      // The settings of the topics it names that have their own, just before it: a broker
      // creates a topic's logs when an UpdateMetadata first names the topic.
      protocol::TopicConfigsRequest configs;
      header(configs, round.broker_epoch);
      for (const auto& t : round.metadata->topic_states) {
        const auto* own = controller_->topic_configs(t.topic_name);
        if (!own || own->empty()) continue;
        auto& entry = configs.topics.emplace_back(protocol::TopicConfigsTopic{t.topic_name, {}});
        for (const auto& [key, value] : *own) entry.configs.push_back({key, value});
      }
      if (!configs.topics.empty())
        channel.queue.push_back({protocol::ApiKey::topic_configs, 0, protocol::encode_topic_configs_request(configs, 0),
                                 round.broker_epoch});
      channel.queue.push_back({protocol::ApiKey::update_metadata, 5,
                               protocol::encode_update_metadata_request(*round.metadata, 5), round.broker_epoch});
    }
    if (round.leader_and_isr)
      channel.queue.push_back({protocol::ApiKey::leader_and_isr, 2,
                               protocol::encode_leader_and_isr_request(*round.leader_and_isr, 2), round.broker_epoch});
    for (auto& [del, stop] : round.stops)
      channel.queue.push_back(
          {protocol::ApiKey::stop_replica, 1, protocol::encode_stop_replica_request(stop, 1), round.broker_epoch});
    send_next(broker, channel);
  }
}

bool ControllerService::still_current(std::int32_t broker, std::int64_t broker_epoch) const {
  for (const auto& b : controller_->brokers())
    if (b.endpoint.id == broker) return b.live && b.broker_epoch == broker_epoch;
  return false;
}

void ControllerService::send_next(std::int32_t broker, Channel& channel) {
  if (channel.in_flight || clock_.monotonic_ms() < channel.retry_at_ms) return;
  // What was queued for an earlier incarnation (or a broker since declared dead) is of no
  // use: the next registration brings it everything afresh.
  while (!channel.queue.empty() && !still_current(broker, channel.queue.front().broker_epoch))
    channel.queue.pop_front();
  if (channel.queue.empty()) return;
  const auto& next = channel.queue.front();
  const auto token = kTokenTag | next_token_++;
  tokens_[token] = broker;
  channel.in_flight = token;
  peers_.request(broker, next.key, next.version, next.body, token);
}

void ControllerService::on_completion(const broker::PeerRequests::Completion& c) {
  auto t = tokens_.find(c.token);
  if (t == tokens_.end()) return;
  const auto broker = t->second;
  tokens_.erase(t);
  auto& channel = channels_[broker];
  channel.in_flight.reset();
  if (channel.queue.empty()) return;
  const auto& sent = channel.queue.front();
  Errc error = Errc::none;
  if (!c.body) {
    error = c.body.error().code;
  } else if (sent.key == protocol::ApiKey::leader_and_isr) {
    auto r = protocol::decode_leader_and_isr_response(ByteSpan(*c.body), sent.version);
    error = r ? r->error : r.error().code;
    if (r)
      for (const auto& pe : r->partition_errors)
        if (pe.error != Errc::none)
          spdlog::warn("controller: broker {} on {}-{}: {}", broker, pe.topic_name, pe.partition_index,
                       errc_name(pe.error));
  } else if (sent.key == protocol::ApiKey::update_metadata) {
    auto r = protocol::decode_update_metadata_response(ByteSpan(*c.body), sent.version);
    error = r ? r->error : r.error().code;
  } else if (sent.key == protocol::ApiKey::topic_configs) {
    auto r = protocol::decode_topic_configs_response(ByteSpan(*c.body), sent.version);
    error = r ? r->error : r.error().code;
  } else {
    auto r = protocol::decode_stop_replica_response(ByteSpan(*c.body), sent.version);
    error = r ? r->error : r.error().code;
  }
  // A lost request, or a broker that does not know its new epoch yet: again, shortly —
  // while it is the same incarnation.
  const bool retry = (!c.body || error == Errc::stale_broker_epoch) && still_current(broker, sent.broker_epoch);
  if (retry) {
    channel.retry_at_ms = clock_.monotonic_ms() + kRetryBackoffMs;
    return;
  }
  if (error != Errc::none)
    spdlog::warn("controller: {} to broker {}: {}", protocol::api_name(static_cast<std::int16_t>(sent.key)), broker,
                 errc_name(error));
  channel.queue.pop_front();
  send_next(broker, channel);
}

void ControllerService::tick() {
  const auto now = clock_.monotonic_ms();
  if (auto s = controller_->tick(now); !s) spdlog::error("controller: {}", s.error().describe());
  dispatch();
  for (auto& [broker, channel] : channels_)
    if (!channel.in_flight && channel.retry_at_ms <= now) send_next(broker, channel);
}

std::optional<std::int64_t> ControllerService::next_deadline_ms() const {
  // The liveness check, and any retry that waits.
  std::int64_t next = clock_.monotonic_ms() + check_period_ms(config_);
  for (const auto& [broker, channel] : channels_)
    if (!channel.in_flight && !channel.queue.empty() && channel.retry_at_ms > clock_.monotonic_ms())
      next = std::min(next, channel.retry_at_ms);
  return next;
}

}  // namespace streamcraft::controller
