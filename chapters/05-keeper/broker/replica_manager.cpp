// generated from final/broker/replica_manager.cpp; edit there
// broker/replica_manager.cpp — leading, following, and the cluster as this broker sees it.
#include "broker/replica_manager.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "broker/request_handler.h"
#include "group/offsets_topic.h"

namespace streamcraft::broker {
namespace {

bool contains(const std::vector<std::int32_t>& v, std::int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::string_view next_line(std::string_view& text) {
  auto nl = text.find('\n');
  auto line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return line;
}

}  // namespace

ReplicaManager::ReplicaManager(const BrokerConfig& config, LogManager& logs, const Clock& clock, PeerRequests& peers)
    : config_(config), logs_(logs), clock_(clock), peers_(peers) {}

// --- the high-watermark checkpoint -------------------------------------------------------
//
// Kafka's format: a version line (0), a count line, then one "topic partition offset"
// line per partition. Written whole to a new file and renamed (write_atomically), so a
// crash leaves the old checkpoint or the new one, never half of one.

Status ReplicaManager::open() {
  const auto path = config_.log_dir / kHighWatermarkFile;
  if (!logs_.file_system().exists(path)) return {};
  auto bytes = logs_.file_system().read_all(path);
  if (!bytes) return bytes.error();
  std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto bad = [&](std::string_view why) {
    // A checkpoint we cannot read costs only consumers' progress past the last known high
    // watermark until followers fetch again: start from 0 rather than refuse to start.
    spdlog::warn("{}: {}; high watermarks start from 0", path.string(), why);
    checkpointed_.clear();
    return Status{};
  };
  if (next_line(text) != "0") return bad("unknown version");
  std::size_t count = 0;
  auto count_line = next_line(text);
  if (std::from_chars(count_line.data(), count_line.data() + count_line.size(), count).ec != std::errc{})
    return bad("bad count");
  for (std::size_t i = 0; i < count; ++i) {
    auto line = next_line(text);
    auto a = line.find(' ');
    auto b = line.rfind(' ');
    if (a == std::string_view::npos || a == b) return bad("bad line");
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    auto p_text = line.substr(a + 1, b - a - 1);
    auto o_text = line.substr(b + 1);
    if (std::from_chars(p_text.data(), p_text.data() + p_text.size(), partition).ec != std::errc{} ||
        std::from_chars(o_text.data(), o_text.data() + o_text.size(), offset).ec != std::errc{})
      return bad("bad line");
    checkpointed_[{std::string(line.substr(0, a)), partition}] = offset;
  }
  return {};
}

Status ReplicaManager::write_checkpoint() {
  std::string text;
  std::size_t count = 0;
  std::string lines;
  for (const auto& [key, r] : replicas_) {
    const log::Log* l = logs_.partition(key.first, key.second);
    if (!l) continue;
    lines += fmt::format("{} {} {}\n", key.first, key.second, high_watermark(key.first, key.second, *l));
    ++count;
  }
  text = fmt::format("0\n{}\n{}", count, lines);
  return logs_.file_system().write_atomically(config_.log_dir / kHighWatermarkFile, as_bytes(text));
}

Status ReplicaManager::close() { return write_checkpoint(); }

// --- control requests ------------------------------------------------------------------

Status ReplicaManager::check_fencing(std::int32_t controller_epoch, std::int64_t broker_epoch) {
  // A message from a controller older than one we have obeyed is from a deposed
  // controller (chapter 7 has several); one naming another broker epoch was meant for an
  // earlier (or later) incarnation of this broker. Either would undo a newer decision.
  if (controller_epoch < controller_epoch_)
    return make_error(Errc::stale_controller_epoch,
                      fmt::format("controller epoch {} is older than {}", controller_epoch, controller_epoch_));
  if (broker_epoch != -1 && broker_epoch != broker_epoch_)
    return make_error(Errc::stale_broker_epoch,
                      fmt::format("broker epoch {} is not this broker's ({})", broker_epoch, broker_epoch_));
  controller_epoch_ = controller_epoch;
  return {};
}

Status ReplicaManager::ensure_topic(const std::string& topic) {
  if (logs_.topic(topic)) return {};
  auto it = topic_partitions_.find(topic);
  if (it == topic_partitions_.end())
    return make_error(Errc::unknown_topic_or_partition, fmt::format("no metadata for topic '{}' yet", topic));
  std::vector<std::pair<std::string, std::string>> overrides;
  if (topic == group::kOffsetsTopic) overrides = offsets_topic_settings(config_);
  // The topic's own settings came just before the UpdateMetadata that announced it
  // (controller/controller_service.h); LogManager writes them with the topic, so a restart
  // finds them on disk.
  if (auto own = topic_configs_.find(topic); own != topic_configs_.end())
    overrides.insert(overrides.end(), own->second.begin(), own->second.end());
  auto created = logs_.create_topic(topic, it->second, overrides);
  if (!created && created.error().code != Errc::topic_already_exists) return created.error();
  return {};
}

Result<std::vector<PartitionError>> ReplicaManager::leader_and_isr(std::int32_t controller_epoch,
                                                                   std::int64_t broker_epoch,
                                                                   const std::vector<PartitionAnnouncement>& partitions) {
  if (auto s = check_fencing(controller_epoch, broker_epoch); !s) return s.error();
  heard_from_controller_ = true;
  std::vector<PartitionError> out;
  for (const auto& a : partitions) {
    const Key key{a.topic, a.partition};
    auto& known = known_[key];
    if (a.state.leader_epoch > known.state.leader_epoch ||
        (a.state.leader_epoch == known.state.leader_epoch && a.version > known.version)) {
      known.state = a.state;
      known.version = a.version;
    }
    auto& count = topic_partitions_[a.topic];
    count = std::max(count, a.partition + 1);
    Errc error = Errc::none;
    auto& r = replicas_[key];
    if (a.state.leader_epoch < r.leader_epoch) {
      error = Errc::stale_controller_epoch;  // Kafka's answer to an older leader epoch
    } else if (a.state.leader_epoch == r.leader_epoch) {
      // The same epoch: at most the ISR changed (a controller-made change always starts a
      // new epoch, but an ISR committed for this leader may reach us this way too).
      if (a.version > r.version) {
        r.version = a.version;
        if (r.lead) {
          const log::Log* l = logs_.partition(a.topic, a.partition);
          if (l && r.lead->isr_committed(a.state.isr, l->log_end_offset(), clock_.monotonic_ms())) hw_moved(key);
        }
      }
    } else if (!contains(a.state.replicas, config_.node_id)) {
      error = Errc::unknown_topic_or_partition;  // not a replica of ours: nothing to do
    } else if (auto s = ensure_topic(a.topic); !s) {
      error = s.error().code;
    } else if (a.state.leader == config_.node_id) {
      error = become_leader(key, r, a);
    } else {
      error = become_follower(key, r, a);
    }
    if (error != Errc::none && error != Errc::stale_controller_epoch)
      spdlog::warn("LeaderAndIsr {}-{}: {}", a.topic, a.partition, errc_name(error));
    out.push_back({a.topic, a.partition, error});
  }
  return out;
}

Errc ReplicaManager::become_leader(const Key& key, Replica& r, const PartitionAnnouncement& a) {
  log::Log* l = logs_.partition(key.first, key.second);
  if (!l) return Errc::unknown_topic_or_partition;
  if (r.role == Replica::Role::follower) stop_fetching(key, r.leader);
  if (auto s = l->become_leader(a.state.leader_epoch); !s) return s.error().code;
  const auto now = clock_.monotonic_ms();
  // The HW this replica knew: as a follower, or from its checkpoint. It is behind the true
  // one at worst, and moves on as soon as the followers fetch.
  std::int64_t hw = r.role == Replica::Role::none ? 0 : r.high_watermark;
  if (auto c = checkpointed_.find(key); c != checkpointed_.end()) hw = std::max(hw, c->second);
  hw = std::min(hw, l->log_end_offset());
  r.lead = std::make_unique<replication::LeaderPartition>(config_.node_id, a.state.leader_epoch, a.state.replicas,
                                                          a.state.isr, l->log_end_offset(), hw, now,
                                                          config_.replica_lag_time_max_ms);
  r.lead->on_leader_append(l->log_end_offset(), now);  // an ISR of one commits everything at once
  r.role = Replica::Role::leader;
  r.leader = config_.node_id;
  r.leader_epoch = a.state.leader_epoch;
  r.version = a.version;
  r.high_watermark = r.lead->high_watermark();
  spdlog::info("broker {}: {}-{}: leader at epoch {} from offset {}, ISR [{}]", config_.node_id, key.first, key.second, a.state.leader_epoch,
               l->log_end_offset(), fmt::join(a.state.isr, ","));
  if (key.first == group::kOffsetsTopic && handler_) {
    if (auto s = handler_->load_offsets_partition(key.second); !s)
      spdlog::error("loading groups of {}-{}: {}", key.first, key.second, s.error().describe());
  }
  hw_moved(key);
  return Errc::none;
}

Errc ReplicaManager::become_follower(const Key& key, Replica& r, const PartitionAnnouncement& a) {
  log::Log* l = logs_.partition(key.first, key.second);
  if (!l) return Errc::unknown_topic_or_partition;
  const bool was_leader = r.role == Replica::Role::leader;
  if (r.role == Replica::Role::follower) stop_fetching(key, r.leader);
  if (was_leader) r.high_watermark = r.lead->high_watermark();
  else if (auto c = checkpointed_.find(key); r.role == Replica::Role::none && c != checkpointed_.end())
    r.high_watermark = std::min(c->second, l->log_end_offset());
  r.lead.reset();
  l->become_follower();
  r.role = Replica::Role::follower;
  r.leader = a.state.leader;
  r.leader_epoch = a.state.leader_epoch;
  r.version = a.version;
  if (key.first == group::kOffsetsTopic && handler_) handler_->unload_offsets_partition(key.second);
  // Parked requests on this partition must hear that this broker no longer leads it.
  if (was_leader) hw_moved(key);
  if (a.state.leader >= 0) {
    auto& f = fetchers_[a.state.leader];
    if (!f) {
      replication::FetcherOptions o;
      o.replica_id = config_.node_id;
      o.max_wait_ms = config_.replica_fetch_wait_max_ms;
      o.min_bytes = config_.replica_fetch_min_bytes;
      o.max_bytes = config_.replica_fetch_response_max_bytes;
      o.partition_max_bytes = config_.replica_fetch_max_bytes;
      o.backoff_ms = config_.replica_fetch_backoff_ms;
      f = std::make_unique<replication::ReplicaFetcher>(static_cast<replication::Replicas&>(*this), o);
    }
    f->set_partition(key.first, key.second, a.state.leader_epoch, r.high_watermark);
  }
  spdlog::info("broker {}: {}-{}: following broker {} at epoch {} from offset {}", config_.node_id, key.first, key.second, a.state.leader, a.state.leader_epoch, l->log_end_offset());
  send_fetches();
  return Errc::none;
}

void ReplicaManager::stop_fetching(const Key& key, std::int32_t leader) {
  auto it = fetchers_.find(leader);
  if (it == fetchers_.end()) return;
  it->second->remove_partition(key.first, key.second);
  // An empty fetcher is kept while its request is out: the answer must find it.
  if (it->second->empty() && !it->second->in_flight()) fetchers_.erase(it);
}

void ReplicaManager::stop(const Key& key, Replica& r) {
  if (r.role == Replica::Role::follower) stop_fetching(key, r.leader);
  const bool was_leader = r.role == Replica::Role::leader;
  if (was_leader) r.high_watermark = r.lead->high_watermark();
  r.lead.reset();
  r.role = Replica::Role::none;
  if (log::Log* l = logs_.partition(key.first, key.second)) l->become_follower();
  if (key.first == group::kOffsetsTopic && handler_ && was_leader) handler_->unload_offsets_partition(key.second);
  if (was_leader) hw_moved(key);
}

Status ReplicaManager::update_metadata(std::int32_t controller_epoch, std::int64_t broker_epoch,
                                       std::vector<BrokerEndpoint> live,
                                       const std::vector<PartitionAnnouncement>& partitions) {
  if (auto s = check_fencing(controller_epoch, broker_epoch); !s) return s;
  heard_from_controller_ = true;
  live_ = std::move(live);
  std::sort(live_.begin(), live_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::set<std::string> topics;
  for (const auto& a : partitions) {
    if (a.state.leader < -1) {  // -2: the topic is being deleted (StopReplica follows)
      known_.erase({a.topic, a.partition});
      continue;
    }
    auto& known = known_[{a.topic, a.partition}];
    if (a.state.leader_epoch > known.state.leader_epoch ||
        (a.state.leader_epoch == known.state.leader_epoch && a.version >= known.version)) {
      known.state = a.state;
      known.version = a.version;
    }
    auto& count = topic_partitions_[a.topic];
    count = std::max(count, a.partition + 1);
    topics.insert(a.topic);
  }
  // A topic this broker has not heard of before: its logs are created now, so that a
  // LeaderAndIsr for it finds them, and Metadata here lists it.
  for (const auto& t : topics)
    if (auto s = ensure_topic(t); !s) spdlog::warn("creating topic {}: {}", t, s.error().describe());
  return {};
}

Status ReplicaManager::set_topic_configs(std::int32_t controller_epoch, std::int64_t broker_epoch,
                                         std::map<std::string, std::vector<std::pair<std::string, std::string>>> configs) {
  if (auto s = check_fencing(controller_epoch, broker_epoch); !s) return s;
  for (auto& [topic, settings] : configs) topic_configs_[topic] = std::move(settings);
  return {};
}

Result<std::vector<PartitionError>> ReplicaManager::stop_replicas(
    std::int32_t controller_epoch, std::int64_t broker_epoch, bool delete_partitions,
    const std::vector<std::pair<std::string, std::int32_t>>& partitions) {
  if (auto s = check_fencing(controller_epoch, broker_epoch); !s) return s.error();
  std::vector<PartitionError> out;
  std::set<std::string> deleted;
  for (const auto& [topic, partition] : partitions) {
    const Key key{topic, partition};
    if (auto it = replicas_.find(key); it != replicas_.end()) {
      stop(key, it->second);
      if (delete_partitions) replicas_.erase(it);
    }
    if (delete_partitions) {
      known_.erase(key);
      checkpointed_.erase(key);
      deleted.insert(topic);
    }
    out.push_back({topic, partition, Errc::none});
  }
  for (const auto& topic : deleted) {
    topic_partitions_.erase(topic);
    topic_configs_.erase(topic);
    if (logs_.topic(topic))
      if (auto s = logs_.delete_topic(topic); !s) spdlog::error("deleting topic {}: {}", topic, s.error().describe());
  }
  return out;
}

// --- ISR changes -----------------------------------------------------------------------

void ReplicaManager::propose(const Key& key, Replica& r, std::vector<std::int32_t> isr) {
  r.lead->proposal_sent(isr);
  spdlog::info("broker {}: {}-{}: proposing ISR [{}] (was [{}])", config_.node_id, key.first, key.second, fmt::join(isr, ","),
               fmt::join(r.lead->isr(), ","));
  proposals_.push_back({key.first, key.second, r.leader_epoch, std::move(isr), r.version});
}

std::vector<IsrProposal> ReplicaManager::take_isr_proposals() { return std::exchange(proposals_, {}); }

void ReplicaManager::isr_committed(const std::string& topic, std::int32_t partition, std::int32_t leader_epoch,
                                   std::vector<std::int32_t> isr, std::int32_t version) {
  const Key key{topic, partition};
  auto it = replicas_.find(key);
  if (it == replicas_.end() || !it->second.lead || it->second.leader_epoch != leader_epoch) return;
  auto& r = it->second;
  const log::Log* l = logs_.partition(topic, partition);
  if (!l) return;
  r.version = std::max(r.version, version);
  auto& known = known_[key];
  if (known.state.leader_epoch == leader_epoch && version > known.version) {
    known.state.isr = isr;
    known.version = version;
  }
  if (r.lead->isr_committed(std::move(isr), l->log_end_offset(), clock_.monotonic_ms())) hw_moved(key);
}

void ReplicaManager::isr_refused(const std::string& topic, std::int32_t partition, Errc why) {
  auto it = replicas_.find({topic, partition});
  if (it == replicas_.end() || !it->second.lead) return;
  spdlog::info("{}-{}: ISR proposal refused: {}", topic, partition, errc_name(why));
  it->second.lead->proposal_refused();
}

// --- what clients are told --------------------------------------------------------------

const ReplicaManager::Replica* ReplicaManager::find(std::string_view topic, std::int32_t partition) const {
  auto it = replicas_.find({std::string(topic), partition});
  return it == replicas_.end() ? nullptr : &it->second;
}

std::vector<BrokerEndpoint> ReplicaManager::brokers() const {
  if (!live_.empty()) return live_;
  // Before the controller's first word: this broker alone, so that a client has somewhere to go.
  BrokerEndpoint self{config_.node_id, config_.listener.host, config_.listener.port, std::nullopt};
  if (config_.advertised) {
    self.host = config_.advertised->host;
    self.port = config_.advertised->port;
  }
  for (const auto& m : config_.cluster_brokers)
    if (m.id == config_.node_id && !config_.advertised) {
      self.host = m.address.host;
      self.port = m.address.port;
    }
  return {self};
}

PartitionState ReplicaManager::partition(std::string_view topic, std::int32_t partition) const {
  PartitionState state;
  if (auto it = known_.find({std::string(topic), partition}); it != known_.end()) state = it->second.state;
  // The leader knows its ISR first (a committed proposal reaches the others later).
  if (const auto* r = find(topic, partition); r && r->lead) {
    state.isr = r->lead->isr();
    state.leader_epoch = r->leader_epoch;
  }
  return state;
}

bool ReplicaManager::leads(std::string_view topic, std::int32_t partition) const {
  const auto* r = find(topic, partition);
  return r && r->role == Replica::Role::leader;
}

std::int32_t ReplicaManager::leader_epoch(std::string_view topic, std::int32_t index) const {
  if (const auto* r = find(topic, index); r && r->leader_epoch >= 0) return r->leader_epoch;
  return partition(topic, index).leader_epoch;
}

std::int64_t ReplicaManager::high_watermark(std::string_view topic, std::int32_t partition,
                                            const log::Log& log) const {
  std::int64_t hw = 0;
  if (const auto* r = find(topic, partition)) hw = r->lead ? r->lead->high_watermark() : r->high_watermark;
  else if (auto c = checkpointed_.find({std::string(topic), partition}); c != checkpointed_.end()) hw = c->second;
  return std::clamp(hw, log.log_start_offset(), log.log_end_offset());
}

Status ReplicaManager::check_replication(std::int16_t replication_factor) const {
  const std::int16_t rf = replication_factor == -1 ? config_.default_replication_factor : replication_factor;
  const auto live = static_cast<std::int16_t>(brokers().size());
  if (rf < 1 || rf > live)
    return make_error(Errc::invalid_replication_factor,
                      fmt::format("replication factor {} with {} live broker(s)", rf, live));
  return {};
}

std::optional<BrokerEndpoint> ReplicaManager::coordinator(std::int32_t offsets_partition) const {
  const auto state = partition(group::kOffsetsTopic, offsets_partition);
  for (const auto& b : brokers())
    if (b.id == state.leader) return b;
  return std::nullopt;  // no leader now: COORDINATOR_NOT_AVAILABLE, and the client asks again
}

std::optional<Status> ReplicaManager::create_topic(const NewTopic& topic, TopicRequest how) {
  if (!admin_) return Status{make_error(Errc::not_controller, "no controller is known yet")};
  return admin_->create_topic(topic, how);
}

std::optional<Result<std::vector<PartitionError>>> ReplicaManager::elect_preferred_leaders(
    const std::optional<std::vector<TopicPartitionId>>& partitions) {
  if (!admin_) return Result<std::vector<PartitionError>>(make_error(Errc::not_controller, "no controller is known yet"));
  return admin_->elect_preferred_leaders(partitions);
}

std::optional<Status> ReplicaManager::delete_topic(const std::string& name) {
  if (!admin_) return Status{make_error(Errc::not_controller, "no controller is known yet")};
  return admin_->delete_topic(name);
}

Status ReplicaManager::check_leader_epoch(std::string_view topic, std::int32_t partition,
                                          std::int32_t current) const {
  if (current < 0) return {};
  const auto mine = leader_epoch(topic, partition);
  if (current < mine)
    return make_error(Errc::fenced_leader_epoch,
                      fmt::format("{}-{}: epoch {} is older than the leader's {}", topic, partition, current, mine));
  if (current > mine)
    return make_error(Errc::unknown_leader_epoch,
                      fmt::format("{}-{}: epoch {} is newer than this broker's {}", topic, partition, current, mine));
  return {};
}

// --- the leader's side of replication ----------------------------------------------------

void ReplicaManager::hw_moved(const Key& key) {
  if (handler_) handler_->partition_changed(key.first, key.second);
}

void ReplicaManager::on_follower_fetch(std::string_view topic, std::int32_t partition, std::int32_t replica,
                                       std::int64_t fetch_offset, std::int64_t follower_log_start,
                                       const log::Log& log) {
  const Key key{std::string(topic), partition};
  auto it = replicas_.find(key);
  if (it == replicas_.end() || !it->second.lead) return;
  auto& r = it->second;
  auto update = r.lead->on_follower_fetch(replica, fetch_offset, follower_log_start, log.log_end_offset(),
                                          clock_.monotonic_ms());
  if (update.high_watermark_moved) hw_moved(key);
  if (update.propose_isr && !r.lead->pending_isr()) propose(key, r, std::move(*update.propose_isr));
}

void ReplicaManager::on_leader_append(std::string_view topic, std::int32_t partition, const log::Log& log) {
  const Key key{std::string(topic), partition};
  auto it = replicas_.find(key);
  if (it == replicas_.end() || !it->second.lead) return;
  if (it->second.lead->on_leader_append(log.log_end_offset(), clock_.monotonic_ms())) hw_moved(key);
}

Status ReplicaManager::check_min_isr(std::string_view topic, std::int32_t partition, int min_insync_replicas) const {
  const auto* r = find(topic, partition);
  if (!r || !r->lead) return make_error(Errc::not_leader_or_follower, "not the leader");
  return r->lead->check_min_isr(min_insync_replicas);
}

std::optional<Status> ReplicaManager::acks_all_outcome(std::string_view topic, std::int32_t partition,
                                                       std::int64_t required_offset, std::int32_t appended_epoch,
                                                       int min_insync_replicas, const log::Log& log) const {
  const auto* r = find(topic, partition);
  if (!r || !r->lead) return Status{make_error(Errc::not_leader_or_follower, "leadership moved while waiting")};
  auto outcome = r->lead->acks_all_outcome(required_offset, min_insync_replicas);
  // Leading again is not enough: between two looks this broker may have followed another
  // leader, truncated the batch away, and been elected once more. The epoch table tells:
  // the batch is still there only if the epoch it was written in reaches past it (a
  // truncation would have ended that epoch below it).
  if (outcome && *outcome && appended_epoch >= 0 && log.end_offset_for_epoch(appended_epoch).end_offset < required_offset)
    return Status{make_error(Errc::not_leader_or_follower, "the batch was truncated away by a leader change")};
  return outcome;
}

// --- the follower's side ---------------------------------------------------------------

log::Log* ReplicaManager::log(const std::string& topic, std::int32_t partition) {
  return logs_.partition(topic, partition);
}

void ReplicaManager::high_watermark_changed(const std::string& topic, std::int32_t partition, std::int64_t hw) {
  auto it = replicas_.find({topic, partition});
  if (it != replicas_.end() && it->second.role == Replica::Role::follower) it->second.high_watermark = hw;
}

void ReplicaManager::send_fetches() {
  const auto now = clock_.monotonic_ms();
  for (auto& [leader, f] : fetchers_) {
    if (f->in_flight()) continue;
    auto request = f->next_request(now);
    if (!request) continue;
    const auto token = kTokenTag | next_token_++;
    fetch_tokens_[token] = leader;
    peers_.request(leader, request->key, request->version, std::move(request->body), token);
  }
}

void ReplicaManager::on_completion(const PeerRequests::Completion& c) {
  auto t = fetch_tokens_.find(c.token);
  if (t == fetch_tokens_.end()) return;
  const auto leader = t->second;
  fetch_tokens_.erase(t);
  auto it = fetchers_.find(leader);
  if (it == fetchers_.end()) return;
  const auto now = clock_.monotonic_ms();
  if (c.body) it->second->on_response(ByteSpan(*c.body), now);
  else it->second->on_failure(c.body.error(), now);
  if (it->second->empty()) fetchers_.erase(it);
  send_fetches();
}

// --- time --------------------------------------------------------------------------------

void ReplicaManager::tick() {
  const auto now = clock_.monotonic_ms();
  if (now >= next_shrink_check_ms_) {
    // Kafka looks for lagging followers every replica.lag.time.max.ms / 2.
    next_shrink_check_ms_ = now + std::max<std::int64_t>(1, config_.replica_lag_time_max_ms / 2);
    for (auto& [key, r] : replicas_) {
      if (!r.lead) continue;
      const log::Log* l = logs_.partition(key.first, key.second);
      if (!l) continue;
      if (auto shrink = r.lead->shrink_proposal(l->log_end_offset(), now)) propose(key, r, std::move(*shrink));
    }
  }
  if (now >= next_checkpoint_ms_) {
    next_checkpoint_ms_ = now + std::max<std::int64_t>(1, config_.high_watermark_checkpoint_interval_ms);
    if (!replicas_.empty())
      if (auto s = write_checkpoint(); !s) spdlog::error("high-watermark checkpoint: {}", s.error().describe());
  }
  send_fetches();
}

std::optional<std::int64_t> ReplicaManager::next_deadline_ms() const {
  std::optional<std::int64_t> next;
  auto consider = [&](std::int64_t t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [leader, f] : fetchers_)
    if (!f->in_flight())
      if (auto t = f->next_retry_ms()) consider(*t);
  if (std::any_of(replicas_.begin(), replicas_.end(), [](const auto& kv) { return kv.second.lead != nullptr; }))
    consider(next_shrink_check_ms_);
  if (!replicas_.empty()) consider(next_checkpoint_ms_);
  return next;
}

const replication::LeaderPartition* ReplicaManager::leader_state(std::string_view topic, std::int32_t partition) const {
  const auto* r = find(topic, partition);
  return r ? r->lead.get() : nullptr;
}

const replication::ReplicaFetcher* ReplicaManager::fetcher(std::int32_t leader) const {
  auto it = fetchers_.find(leader);
  return it == fetchers_.end() ? nullptr : it->second.get();
}

}  // namespace streamcraft::broker
