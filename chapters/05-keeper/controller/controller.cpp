// generated from final/controller/controller.cpp; edit there
// controller/controller.cpp — the controller's decisions (see controller.h).
#include "controller/controller.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <random>

namespace streamcraft::controller {

namespace {

bool contains(const std::vector<std::int32_t>& v, std::int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::vector<std::int32_t> without(std::vector<std::int32_t> v, std::int32_t x) {
  v.erase(std::remove(v.begin(), v.end(), x), v.end());
  return v;
}

// Kafka's legal topic names: 1..249 characters of [a-zA-Z0-9._-], not "." or "..". Our
// store keys contain the name, so a '/' in it must never get this far.
Status check_topic_name(const std::string& name) {
  const bool legal_chars = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
  if (name.empty() || name.size() > 249 || name == "." || name == ".." || !legal_chars) {
    return make_error(Errc::invalid_topic, fmt::format("illegal topic name '{}'", name));
  }
  return {};
}

// "topics/<name>" -> name; "topics/<name>/partitions/<p>/state" -> (name, p).
std::optional<std::string> parse_topic_key(std::string_view key) {
  if (!key.starts_with("topics/")) return std::nullopt;
  key.remove_prefix(7);
  if (key.empty() || key.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(key);
}

std::optional<std::pair<std::string, std::int32_t>> parse_partition_key(std::string_view key) {
  if (!key.starts_with("topics/") || !key.ends_with("/state")) return std::nullopt;
  key.remove_prefix(7);
  key.remove_suffix(6);
  const auto mid = key.find("/partitions/");
  if (mid == std::string_view::npos || mid == 0) return std::nullopt;
  const auto number = key.substr(mid + 12);
  std::int32_t p = -1;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), p);
  if (ec != std::errc{} || ptr != number.data() + number.size() || p < 0) return std::nullopt;
  return std::pair{std::string(key.substr(0, mid)), p};
}

std::optional<std::int32_t> parse_broker_key(std::string_view key) {
  if (!key.starts_with("brokers/ids/")) return std::nullopt;
  key.remove_prefix(12);
  std::int32_t id = -1;
  auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  if (key.empty() || ec != std::errc{} || ptr != key.data() + key.size()) return std::nullopt;
  return id;
}

}  // namespace

// --- placement -------------------------------------------------------------------------

std::vector<std::vector<std::int32_t>> assign_replicas(const std::vector<std::int32_t>& brokers,
                                                       std::int32_t partitions, std::int32_t replication_factor,
                                                       std::int32_t start_index, std::int32_t replica_shift) {
  const auto n = static_cast<std::int32_t>(brokers.size());
  std::vector<std::vector<std::int32_t>> out;
  if (n == 0 || replication_factor < 1 || replication_factor > n) return out;
  for (std::int32_t p = 0; p < partitions; ++p) {
    // The first replicas go round the brokers from a start; every time they have gone
    // round once, the followers shift by one more, so that the broker after a leader is
    // not always the same one (which would put all of a dead broker's load on a single
    // neighbour).
    const std::int32_t shift = replica_shift + p / n;
    const std::int32_t first = (p + start_index) % n;
    std::vector<std::int32_t> replicas{brokers[static_cast<std::size_t>(first)]};
    for (std::int32_t j = 0; j < replication_factor - 1; ++j) {
      const std::int32_t step = 1 + (shift + j) % (n - 1);
      replicas.push_back(brokers[static_cast<std::size_t>((first + step) % n)]);
    }
    out.push_back(std::move(replicas));
  }
  return out;
}

std::pair<std::int32_t, std::int32_t> placement_from_seed(std::uint64_t seed, std::int32_t brokers) {
  if (brokers <= 0) return {0, 0};
  std::mt19937_64 rng(seed);  // its sequence is fixed by the standard, unlike the distributions'
  const auto n = static_cast<std::uint64_t>(brokers);
  const auto start = static_cast<std::int32_t>(rng() % n);
  const auto shift = static_cast<std::int32_t>(rng() % n);
  return {start, shift};
}

// --- opening ---------------------------------------------------------------------------

Controller::Controller(MetadataStore& store, ControllerConfig config) : store_(&store), config_(std::move(config)) {
  for (auto id : config_.broker_ids) brokers_[id].endpoint.id = id;
}

Result<Controller> Controller::open(MetadataStore& store, ControllerConfig config) {
  Controller c(store, std::move(config));
  auto records = store.load();
  if (!records) return records.error();
  std::int32_t controller_epoch_version = -1;
  std::vector<std::pair<std::pair<std::string, std::int32_t>, const StoredRecord*>> states;
  for (const auto& r : *records) {
    if (r.key == kControllerEpochKey) {
      auto e = decode_counter(r.data);
      if (!e) return e.error();
      c.controller_epoch_ = static_cast<std::int32_t>(*e);
      controller_epoch_version = r.version;
    } else if (r.key == kBrokerEpochKey) {
      auto e = decode_counter(r.data);
      if (!e) return e.error();
      c.last_broker_epoch_ = std::max(c.last_broker_epoch_, *e);
      c.broker_epoch_version_ = r.version;
    } else if (auto id = parse_broker_key(r.key)) {
      auto b = decode_broker(*id, r.data);
      if (!b) return b.error();
      auto& broker = c.brokers_[*id];
      broker.endpoint = b->endpoint;
      broker.epoch = b->broker_epoch;
      broker.record_version = r.version;
      // Registered = live, its heartbeat clock starting at the first input (see open()).
      broker.live = true;
      c.last_broker_epoch_ = std::max(c.last_broker_epoch_, b->broker_epoch);
    } else if (auto topic = parse_topic_key(r.key)) {
      auto assignment = decode_assignment(r.data);
      if (!assignment) return assignment.error();
      auto configs = decode_topic_configs(r.data);
      if (!configs) return configs.error();
      auto& t = c.topics_[*topic];
      t.record_version = r.version;
      t.configs = std::move(*configs);
      for (auto& replicas : *assignment) t.partitions.push_back(Partition{std::move(replicas), {}, -1});
    } else if (auto tp = parse_partition_key(r.key)) {
      states.emplace_back(*tp, &r);
    } else {
      spdlog::warn("controller: ignoring unknown metadata record {}", r.key);
    }
  }
  for (const auto& [tp, r] : states) {
    auto it = c.topics_.find(tp.first);
    if (it == c.topics_.end() || tp.second >= static_cast<std::int32_t>(it->second.partitions.size())) {
      c.orphans_.insert(r->key);  // a delete_topic that stopped half-way
      continue;
    }
    auto record = decode_partition(r->data);
    if (!record) return record.error();
    auto& p = it->second.partitions[static_cast<std::size_t>(tp.second)];
    p.record = std::move(*record);
    p.version = r->version;
  }
  // A new controller epoch for every start, so that what this incarnation writes can be
  // told from what the previous one wrote (the partition records carry it; chapter 7's
  // brokers refuse control requests from an older epoch).
  auto epoch_version = store.write(kControllerEpochKey, controller_epoch_version, encode_counter(c.controller_epoch_ + 1));
  if (!epoch_version) return epoch_version.error();
  ++c.controller_epoch_;

  // The brokers first hear what the store says (UpdateMetadata before any LeaderAndIsr,
  // as Kafka's failover does), then about the repairs.
  for (const auto& [id, b] : c.brokers_) {
    if (b.live) c.announce_all_to(id);
  }
  c.brokers_changed_ = true;
  auto s = c.reconcile();
  c.finish();
  if (!s) return s.error();
  return c;
}

// --- small helpers ---------------------------------------------------------------------

bool Controller::configured(std::int32_t id) const { return contains(config_.broker_ids, id); }

bool Controller::live(std::int32_t id) const {
  auto it = brokers_.find(id);
  return it != brokers_.end() && it->second.live;
}

bool Controller::eligible(std::int32_t id) const {
  auto it = brokers_.find(id);
  return it != brokers_.end() && it->second.live && !it->second.shutting_down;
}

Controller::Broker* Controller::find_broker(std::int32_t id) {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

Status Controller::check_sender(std::int32_t id, std::int64_t broker_epoch) const {
  auto it = brokers_.find(id);
  if (it == brokers_.end() || it->second.epoch < 0) {
    return make_error(Errc::broker_not_available, fmt::format("broker {} is not registered", id));
  }
  // Why refuse an old epoch even from a live broker id: it is a message from a previous
  // incarnation (a process that was restarted, or a request that waited in a socket); its
  // view of the partitions is older than anything the controller has said since.
  if (broker_epoch != it->second.epoch) {
    return make_error(Errc::stale_broker_epoch, fmt::format("broker {} has epoch {}, not {}", id,
                                                            it->second.epoch, broker_epoch));
  }
  if (!it->second.live) {
    return make_error(Errc::broker_not_available,
                      fmt::format("broker {} was declared dead; it must register again", id));
  }
  return {};
}

PartitionView Controller::view(const Partition& p) const {
  PartitionView v;
  v.state.leader = p.record.leader;
  v.state.leader_epoch = p.record.leader_epoch;
  v.state.replicas = p.replicas;
  v.state.isr = p.record.isr;
  for (auto r : p.replicas) {
    if (!live(r)) v.state.offline_replicas.push_back(r);
  }
  v.version = p.version;
  v.controller_epoch = p.record.controller_epoch;
  return v;
}

std::vector<broker::BrokerEndpoint> Controller::live_endpoints() const {
  std::vector<broker::BrokerEndpoint> out;
  for (const auto& [id, b] : brokers_) {
    if (b.live) out.push_back(b.endpoint);
  }
  return out;
}

PartitionRecord Controller::initial_record(const std::vector<std::int32_t>& replicas) const {
  // Kafka's new-partition rule: leader = the first live replica, ISR = the live replicas
  // (all logs are empty, so every live replica is trivially in sync), epoch 0.
  PartitionRecord r;
  for (auto id : replicas) {
    if (eligible(id)) r.isr.push_back(id);
  }
  r.leader = r.isr.empty() ? -1 : r.isr.front();
  if (r.isr.empty()) r.isr = replicas;  // nobody live: all are empty, any may lead later
  r.leader_epoch = 0;
  r.controller_epoch = controller_epoch_;
  return r;
}

// --- committing and announcing -----------------------------------------------------------

Status Controller::commit(const std::string& topic, std::int32_t index, PartitionRecord next, bool is_new,
                          Announce announce) {
  auto& p = topics_.at(topic).partitions.at(static_cast<std::size_t>(index));
  // Why the store comes first: an announced decision that the controller then forgets
  // (it crashes before writing) would be made again differently by the restarted
  // controller from its older state — another leader with the same epoch number, the
  // one thing epochs must rule out. Written first, a crash before announcing only delays
  // the news: open() announces everything again.
  auto version = store_->write(partition_key(topic, index), p.version, encode_partition(next));
  if (!version) return version.error();
  p.record = std::move(next);
  p.version = *version;
  const PartitionView v = view(p);
  if (announce == Announce::leader_and_isr) {
    for (auto r : p.replicas) {
      // A dead replica hears about it when it registers again (announce_all_to).
      if (live(r)) events_.push_back(LeaderAndIsrEvent{r, brokers_.at(r).epoch, topic, index, v, is_new});
    }
  }
  changed_.emplace_back(TopicPartition{topic, index}, v);
  return {};
}

void Controller::finish() {
  if (!changed_.empty() || brokers_changed_) {
    const auto endpoints = live_endpoints();
    for (const auto& [id, b] : brokers_) {
      if (b.live) events_.push_back(UpdateMetadataEvent{id, b.epoch, endpoints, changed_});
    }
  }
  changed_.clear();
  brokers_changed_ = false;
}

void Controller::announce_all_to(std::int32_t id) {
  const auto& b = brokers_.at(id);
  UpdateMetadataEvent all{id, b.epoch, live_endpoints(), {}};
  std::vector<LeaderAndIsrEvent> hosted;
  for (const auto& [name, t] : topics_) {
    for (std::size_t i = 0; i < t.partitions.size(); ++i) {
      const auto& p = t.partitions[i];
      if (p.version < 0) continue;
      const auto index = static_cast<std::int32_t>(i);
      all.partitions.emplace_back(TopicPartition{name, index}, view(p));
      if (contains(p.replicas, id)) hosted.push_back(LeaderAndIsrEvent{id, b.epoch, name, index, view(p), false});
    }
  }
  events_.emplace_back(std::move(all));
  for (auto& e : hosted) events_.emplace_back(std::move(e));
}

void Controller::note_unclean(const std::string& topic, std::int32_t partition, std::int32_t leader) {
  ++unclean_elections_;
  spdlog::warn("controller: unclean leader election for {}-{}: broker {} was not in the ISR and leads now; "
               "records acknowledged by the old ISR may be lost",
               topic, partition, leader);
}

std::vector<ControllerEvent> Controller::take_events() { return std::exchange(events_, {}); }

// --- the repair loop -------------------------------------------------------------------

Status Controller::remove_orphans(std::string_view topic_prefix) {
  for (auto it = orphans_.begin(); it != orphans_.end();) {
    if (!topic_prefix.empty() && !std::string_view(*it).starts_with(topic_prefix)) {
      ++it;
      continue;
    }
    if (auto s = store_->remove(*it, -1); !s) return s;
    it = orphans_.erase(it);
  }
  return {};
}

Status Controller::reconcile() {
  if (auto s = remove_orphans(); !s) return s;
  for (auto& [name, t] : topics_) {
    for (std::size_t i = 0; i < t.partitions.size(); ++i) {
      auto& p = t.partitions[i];
      const auto index = static_cast<std::int32_t>(i);
      if (p.version < 0) {
        // A topic whose creation stopped between its assignment and this state record.
        if (auto s = commit(name, index, initial_record(p.replicas), true); !s) return s;
        continue;
      }
      const PartitionRecord& now = p.record;
      PartitionRecord next = now;
      // Dead brokers leave the ISR — but never its last member: it is the only broker known
      // to have every committed record, so it stays listed for when it comes back.
      std::vector<std::int32_t> isr;
      for (auto r : now.isr) {
        if (live(r)) isr.push_back(r);
      }
      if (isr.empty() && !now.isr.empty()) isr.push_back(now.isr.back());
      next.isr = isr;
      bool unclean = false;
      if (now.leader == -1 || !live(now.leader)) {
        // Leader election: the first replica in assignment order that is in the ISR and
        // may lead. Assignment order, not ISR order, so that leadership goes back to the
        // same brokers after a failure and load stays as the placement spread it.
        next.leader = -1;
        for (auto r : p.replicas) {
          if (eligible(r) && contains(isr, r)) {
            next.leader = r;
            break;
          }
        }
        if (next.leader == -1 && config_.unclean_leader_election_enable) {
          // Availability over consistency, if the operator asked for it: a replica outside
          // the ISR may lack acknowledged records, and whatever it lacks is lost for good
          // once it leads (the others truncate to it).
          for (auto r : p.replicas) {
            if (eligible(r)) {
              next.leader = r;
              next.isr = {r};
              unclean = true;
              break;
            }
          }
        }
      }
      if (next.leader == now.leader && next.isr == now.isr) continue;
      // A controller-made change always bumps the epoch: brokers act on a LeaderAndIsr only
      // when its epoch is newer than the one they have.
      next.leader_epoch = now.leader_epoch + 1;
      next.controller_epoch = controller_epoch_;
      if (auto s = commit(name, index, next); !s) return s;
      if (unclean) note_unclean(name, index, next.leader);
    }
  }
  return {};
}

Status Controller::declare_dead(std::int32_t id) {
  auto& b = brokers_.at(id);
  // The registration goes first (as a ZooKeeper session's ephemeral node does): a
  // controller that restarts after this and before the repairs sees the broker gone and
  // makes the repairs itself.
  if (b.record_version >= 0) {
    if (auto s = store_->remove(broker_key(id), b.record_version); !s) return s;
  }
  spdlog::info("controller: broker {} (epoch {}) is dead", id, b.epoch);
  b.record_version = -1;
  b.live = false;
  b.shutting_down = false;
  b.last_heartbeat_ms.reset();
  brokers_changed_ = true;
  return {};
}

// --- brokers ---------------------------------------------------------------------------

Result<std::int64_t> Controller::register_broker(std::int32_t id, broker::BrokerEndpoint endpoint,
                                                 std::int64_t now_ms) {
  if (!configured(id)) {
    return make_error(Errc::invalid_request, fmt::format("broker {} is not one of this cluster's brokers", id));
  }
  if (live(id)) {
    // A broker that registers while it is live has restarted (a "bounced" broker): as far
    // as its data goes it failed, so it loses leadership and ISR membership first.
    auto s = declare_dead(id);
    if (s) s = reconcile();
    if (!s) {
      finish();
      return s.error();
    }
  }
  // A new epoch, larger than any handed out before (by this controller or an earlier one:
  // the counter is in the store), written before anyone hears it.
  const std::int64_t epoch = last_broker_epoch_ + 1;
  auto counter = store_->write(kBrokerEpochKey, broker_epoch_version_, encode_counter(epoch));
  if (!counter) {
    finish();
    return counter.error();
  }
  broker_epoch_version_ = *counter;
  last_broker_epoch_ = epoch;
  endpoint.id = id;
  auto& b = brokers_[id];
  auto record = store_->write(broker_key(id), b.record_version, encode_broker(BrokerRecord{endpoint, epoch}));
  if (!record) {
    finish();
    return record.error();
  }
  b.endpoint = std::move(endpoint);
  b.epoch = epoch;
  b.record_version = *record;
  b.live = true;
  b.shutting_down = false;
  b.last_heartbeat_ms = now_ms;
  brokers_changed_ = true;
  spdlog::info("controller: broker {} registered with epoch {}", id, epoch);
  // Kafka's broker startup: the new broker hears the cluster and its replicas first, then
  // offline partitions it can lead are elected (reconcile).
  announce_all_to(id);
  auto s = reconcile();
  finish();
  if (!s) return s.error();
  return epoch;
}

Status Controller::heartbeat(std::int32_t id, std::int64_t broker_epoch, std::int64_t now_ms) {
  if (auto s = check_sender(id, broker_epoch); !s) return s;
  auto& b = brokers_.at(id);
  b.last_heartbeat_ms = std::max(b.last_heartbeat_ms.value_or(now_ms), now_ms);
  return {};
}

Status Controller::tick(std::int64_t now_ms) {
  Status result;
  for (auto& [id, b] : brokers_) {
    if (!b.live) continue;
    if (!b.last_heartbeat_ms) {
      b.last_heartbeat_ms = now_ms;  // known from the store since open(): its clock starts now
      continue;
    }
    if (now_ms - *b.last_heartbeat_ms > config_.broker_heartbeat_timeout_ms) {
      if (result = declare_dead(id); !result) break;
    }
  }
  if (result) result = reconcile();
  finish();
  return result;
}

// --- topics ----------------------------------------------------------------------------

Status Controller::create_topic(const std::string& name, std::int32_t partitions, std::int16_t replication_factor,
                                std::uint64_t placement_seed, TopicConfigs configs) {
  if (auto s = check_topic_name(name); !s) return s;
  if (topics_.contains(name)) return make_error(Errc::topic_already_exists, fmt::format("topic {} exists", name));
  if (partitions <= 0) {
    return make_error(Errc::invalid_partitions, fmt::format("{} partitions: a topic needs at least one", partitions));
  }
  const std::int32_t rf = replication_factor == -1 ? config_.default_replication_factor : replication_factor;
  const auto brokers = live_brokers();
  const auto n = static_cast<std::int32_t>(brokers.size());
  if (rf < 1 || rf > n) {
    // Why refuse rather than place fewer replicas: a topic created with RF 3 on two brokers
    // would silently have less redundancy than its owner asked for.
    return make_error(Errc::invalid_replication_factor,
                      fmt::format("replication factor {} with {} live broker(s)", rf, n));
  }
  const auto [start, shift] = placement_from_seed(placement_seed, n);
  return create_partitions(name, assign_replicas(brokers, partitions, rf, start, shift), std::move(configs));
}

Status Controller::create_topic(const std::string& name, std::vector<std::vector<std::int32_t>> assignment,
                                TopicConfigs configs) {
  if (auto s = check_topic_name(name); !s) return s;
  if (topics_.contains(name)) return make_error(Errc::topic_already_exists, fmt::format("topic {} exists", name));
  if (assignment.empty()) return make_error(Errc::invalid_partitions, "an assignment of no partitions");
  for (std::size_t p = 0; p < assignment.size(); ++p) {
    const auto& replicas = assignment[p];
    auto sorted = replicas;
    std::sort(sorted.begin(), sorted.end());
    const bool duplicates = std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
    const bool unknown = std::any_of(replicas.begin(), replicas.end(), [&](auto id) { return !configured(id); });
    const bool any_live = std::any_of(replicas.begin(), replicas.end(), [&](auto id) { return eligible(id); });
    if (replicas.empty() || duplicates || unknown || replicas.size() != assignment.front().size() || !any_live) {
      // Why these are refused: a duplicate would count one broker twice towards the
      // replication factor; an unknown broker never hosts anything; unequal sizes are not
      // one topic's replication factor; and with no live replica the partition could not
      // even start.
      return make_error(Errc::invalid_replica_assignment,
                        fmt::format("partition {}: replicas [{}] ({})", p, fmt::join(replicas, ","),
                                    replicas.empty()                                ? "none"
                                    : duplicates                                    ? "a broker twice"
                                    : unknown                                       ? "a broker not in the cluster"
                                    : replicas.size() != assignment.front().size() ? "not the size of partition 0's"
                                                                                    : "none of them live"));
    }
  }
  return create_partitions(name, std::move(assignment), std::move(configs));
}

Status Controller::create_partitions(const std::string& name, std::vector<std::vector<std::int32_t>> assignment,
                                     TopicConfigs configs) {
  // A previous incarnation of this topic whose deletion stopped half-way would make the
  // new states' "create" writes fail; clear it first.
  if (auto s = remove_orphans(fmt::format("topics/{}/", name)); !s) return s;
  auto version = store_->write(topic_key(name), -1, encode_assignment(assignment, configs));
  if (!version) return version.error();
  auto& t = topics_[name];
  t.record_version = *version;
  t.configs = std::move(configs);
  for (auto& replicas : assignment) t.partitions.push_back(Partition{std::move(replicas), {}, -1});
  Status result;
  for (std::size_t i = 0; i < t.partitions.size() && result; ++i) {
    result = commit(name, static_cast<std::int32_t>(i), initial_record(t.partitions[i].replicas), true);
  }
  // A failure leaves partitions without state; reconcile() creates them at the next input.
  finish();
  return result;
}

Status Controller::delete_topic(const std::string& name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return make_error(Errc::unknown_topic_or_partition, fmt::format("no topic {}", name));
  // The assignment is the topic: once it is gone the topic is, and the partition states
  // left behind are only garbage (removed now, or by remove_orphans() later).
  if (auto s = store_->remove(topic_key(name), it->second.record_version); !s) return s;
  const Topic topic = std::move(it->second);
  topics_.erase(it);
  Status result;
  for (std::size_t i = 0; i < topic.partitions.size(); ++i) {
    const auto index = static_cast<std::int32_t>(i);
    const auto& p = topic.partitions[i];
    if (p.version >= 0) orphans_.insert(partition_key(name, index));
    for (auto r : p.replicas) {
      if (live(r)) events_.push_back(StopReplicaEvent{r, brokers_.at(r).epoch, name, index, true});
    }
    PartitionView gone = view(p);
    gone.state.leader = kLeaderDuringDelete;
    changed_.emplace_back(TopicPartition{name, index}, std::move(gone));
  }
  result = remove_orphans(fmt::format("topics/{}/", name));
  if (!result) spdlog::warn("controller: topic {} deleted, its partition states not yet: {}", name, result.error().describe());
  finish();
  return {};
}

// --- a leader's ISR proposal -----------------------------------------------------------

Result<PartitionView> Controller::alter_isr(std::int32_t leader_id, std::int64_t broker_epoch, const std::string& topic,
                                            std::int32_t partition, std::int32_t leader_epoch,
                                            std::vector<std::int32_t> new_isr, std::int32_t partition_version) {
  if (auto s = check_sender(leader_id, broker_epoch); !s) return s.error();
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= static_cast<std::int32_t>(it->second.partitions.size()) ||
      it->second.partitions[static_cast<std::size_t>(partition)].version < 0) {
    return make_error(Errc::unknown_topic_or_partition, fmt::format("no partition {}-{}", topic, partition));
  }
  const auto& p = it->second.partitions[static_cast<std::size_t>(partition)];
  // Why the epoch first: a proposal from an older epoch was made by a leader that has been
  // replaced (or that has not heard of its own re-election); whatever it measured, it
  // measured for a partition state that no longer exists.
  if (leader_epoch != p.record.leader_epoch) {
    return make_error(Errc::fenced_leader_epoch, fmt::format("{}-{}: leader epoch {}, not {}", topic, partition,
                                                             p.record.leader_epoch, leader_epoch));
  }
  if (p.record.leader != leader_id) {
    return make_error(Errc::not_leader_or_follower,
                      fmt::format("{}-{}: broker {} does not lead it (leader {})", topic, partition, leader_id,
                                  p.record.leader));
  }
  // The same ISR again (a retry whose answer was lost): answer the committed state, as
  // Kafka's controller does, rather than refuse a change that has in fact been made.
  if (new_isr == p.record.isr) return view(p);
  // Why compare versions: the leader computed its proposal from the state at that version;
  // if the controller changed the ISR since (a dead follower removed), the proposal would
  // undo that change.
  if (partition_version != p.version) {
    return make_error(Errc::invalid_update_version, fmt::format("{}-{}: version {}, not {}", topic, partition,
                                                                p.version, partition_version));
  }
  auto sorted = new_isr;
  std::sort(sorted.begin(), sorted.end());
  if (!contains(new_isr, leader_id) || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return make_error(Errc::invalid_request, fmt::format("{}-{}: ISR [{}] must hold the leader once and no broker twice",
                                                         topic, partition, fmt::join(new_isr, ",")));
  }
  for (auto r : new_isr) {
    // A non-replica has no copy at all; a dead broker, or a stopping one joining, could be
    // elected from the ISR the moment the leader fails, and it cannot lead. (A stopping
    // broker already in the ISR may stay: the leader itself, while it waits to hand over.)
    const bool stays = contains(p.record.isr, r) && live(r);
    if (!contains(p.replicas, r) || (!eligible(r) && !stays)) {
      return make_error(Errc::ineligible_replica,
                        fmt::format("{}-{}: broker {} {}", topic, partition, r,
                                    !contains(p.replicas, r) ? "is not a replica" : "is not live"));
    }
  }
  PartitionRecord next = p.record;
  next.isr = std::move(new_isr);  // same leader, same epoch: a leader's ISR change moves only the version
  // The leader learns the result from the answer and followers do not act on ISR changes,
  // so only the metadata caches hear of it (as with Kafka's AlterIsr).
  auto s = commit(topic, partition, std::move(next), false, Announce::metadata_only);
  finish();
  if (!s) return s.error();
  return view(it->second.partitions[static_cast<std::size_t>(partition)]);
}

// --- controlled shutdown ---------------------------------------------------------------

Result<std::vector<TopicPartition>> Controller::controlled_shutdown(std::int32_t id, std::int64_t broker_epoch) {
  if (auto s = check_sender(id, broker_epoch); !s) return s.error();
  // From now on it is neither elected nor let back into an ISR (eligible() is false); it
  // keeps serving what it still leads until it stops. Not stored: a restarted controller
  // forgets it, and the broker's retry says it again.
  brokers_.at(id).shutting_down = true;
  std::vector<TopicPartition> remaining;
  Status result;
  for (auto& [name, t] : topics_) {
    for (std::size_t i = 0; i < t.partitions.size() && result; ++i) {
      const auto& p = t.partitions[i];
      const auto index = static_cast<std::int32_t>(i);
      if (p.version < 0) continue;
      PartitionRecord next = p.record;
      if (p.record.leader == id) {
        // A single replica has nowhere to go: retrying cannot help, so it is not reported.
        if (p.replicas.size() == 1) continue;
        next.leader = -1;
        for (auto r : p.replicas) {
          if (r != id && eligible(r) && contains(p.record.isr, r)) {
            next.leader = r;
            break;
          }
        }
        if (next.leader == -1) {
          remaining.push_back({name, index});  // nobody in sync to take over: the broker waits and asks again
          continue;
        }
        next.isr = without(p.record.isr, id);
      } else if (contains(p.record.isr, id) && p.record.isr.size() > 1) {
        next.isr = without(p.record.isr, id);
      } else {
        continue;
      }
      next.leader_epoch = p.record.leader_epoch + 1;
      next.controller_epoch = controller_epoch_;
      result = commit(name, index, std::move(next));
    }
  }
  finish();
  if (!result) return result.error();
  return remaining;
}

// --- preferred leaders -----------------------------------------------------------------

std::vector<ElectionResult> Controller::elect_preferred_leaders(
    const std::optional<std::vector<TopicPartition>>& partitions) {
  std::vector<TopicPartition> targets;
  if (partitions) {
    targets = *partitions;
  } else {
    for (const auto& [name, t] : topics_) {
      for (std::size_t i = 0; i < t.partitions.size(); ++i) targets.push_back({name, static_cast<std::int32_t>(i)});
    }
  }
  std::vector<ElectionResult> out;
  for (const auto& tp : targets) {
    auto it = topics_.find(tp.topic);
    if (it == topics_.end() || tp.partition < 0 ||
        tp.partition >= static_cast<std::int32_t>(it->second.partitions.size()) ||
        it->second.partitions[static_cast<std::size_t>(tp.partition)].version < 0) {
      out.push_back({tp, Errc::unknown_topic_or_partition});
      continue;
    }
    const auto& p = it->second.partitions[static_cast<std::size_t>(tp.partition)];
    const auto preferred = p.replicas.front();
    if (p.record.leader == preferred) {
      out.push_back({tp, Errc::election_not_needed});
      continue;
    }
    // Only an in-sync preferred replica may take over: anything else could lose records.
    if (!eligible(preferred) || !contains(p.record.isr, preferred)) {
      out.push_back({tp, Errc::preferred_leader_not_available});
      continue;
    }
    PartitionRecord next = p.record;
    next.leader = preferred;
    next.leader_epoch = p.record.leader_epoch + 1;
    next.controller_epoch = controller_epoch_;
    auto s = commit(tp.topic, tp.partition, std::move(next));
    out.push_back({tp, s ? Errc::none : s.error().code});
  }
  finish();
  return out;
}

// --- readers ---------------------------------------------------------------------------

std::optional<PartitionView> Controller::partition(std::string_view topic, std::int32_t partition) const {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= static_cast<std::int32_t>(it->second.partitions.size())) {
    return std::nullopt;
  }
  const auto& p = it->second.partitions[static_cast<std::size_t>(partition)];
  if (p.version < 0) return std::nullopt;
  return view(p);
}

const TopicConfigs* Controller::topic_configs(std::string_view topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? nullptr : &it->second.configs;
}

std::vector<std::string> Controller::topics() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : topics_) out.push_back(name);
  return out;
}

std::vector<BrokerInfo> Controller::brokers() const {
  std::vector<BrokerInfo> out;
  for (const auto& [id, b] : brokers_) out.push_back({b.endpoint, b.epoch, b.live, b.shutting_down});
  return out;
}

std::vector<std::int32_t> Controller::live_brokers() const {
  std::vector<std::int32_t> out;
  for (const auto& [id, b] : brokers_) {
    if (b.live) out.push_back(id);
  }
  return out;
}

}  // namespace streamcraft::controller
