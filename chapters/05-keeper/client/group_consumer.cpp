// generated from final/client/group_consumer.cpp; edit there
// client/group_consumer.cpp — the consumer group protocol from the member's side (see the
// header for the steps and for why everything happens inside poll()).
#include "client/group_consumer.h"

#include <algorithm>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/consumer_protocol.h"
#include "protocol/list_offsets.h"
#include "record/record.h"

namespace streamcraft::client {
namespace {

using Steady = std::chrono::steady_clock;

// Each of these answers costs one round of JoinGroup + SyncGroup; a group that keeps
// rebalancing under us for this many rounds is reported instead of retried forever.
constexpr int kMaxJoinAttempts = 10;

// The errors that mean "your generation is over, join again" rather than "give up".
bool means_rejoin(Errc e) {
  return e == Errc::rebalance_in_progress || e == Errc::illegal_generation || e == Errc::unknown_member_id;
}

std::string text(ByteSpan b) { return std::string(as_chars(b)); }

// Between two tries to reach a coordinator or a leader that moved (retry.backoff.ms).
constexpr std::chrono::milliseconds kRetryBackoff{200};

// "The group's coordinator is elsewhere now (or not yet anywhere)": find it again.
bool coordinator_moved(Errc e) { return e == Errc::not_coordinator || e == Errc::coordinator_not_available; }

// "This broker no longer leads the partition": new metadata, and the next round. (The
// consumer sends no current_leader_epoch, so it is never told FENCED_LEADER_EPOCH.)
bool leader_moved(Errc e) {
  return e == Errc::not_leader_or_follower || e == Errc::leader_not_available || e == Errc::unknown_topic_or_partition;
}

}  // namespace

GroupConsumer::GroupConsumer(Private, GroupConsumerConfig config, std::unique_ptr<KafkaClient> client)
    : config_(std::move(config)), client_(std::move(client)), cluster_(std::make_unique<ClusterClients>(*client_)) {}

GroupConsumer::~GroupConsumer() { (void)close(); }

Result<std::unique_ptr<GroupConsumer>> GroupConsumer::open(GroupConsumerConfig config) {
  if (config.group_id.empty()) return make_error(Errc::invalid_group_id, "a group consumer needs a group id");
  if (config.topics.empty()) return make_error(Errc::invalid_request, "a group consumer needs at least one topic");
  auto c = KafkaClient::connect(config.bootstrap, config.client_id);
  if (!c) return c.error();
  auto consumer = std::make_unique<GroupConsumer>(Private{}, std::move(config), std::move(*c));
  // Find the coordinator now, so that a group no broker can coordinate fails here.
  auto found = consumer->to_coordinator(
      "FindCoordinator", [](KafkaClient&) -> Result<bool> { return true; }, [](bool) { return Errc::none; });
  if (!found) return found.error();
  return consumer;
}

template <class Call, class ErrorOf>
auto GroupConsumer::to_coordinator(const char* what, Call call, ErrorOf error_of)
    -> decltype(call(std::declval<KafkaClient&>())) {
  const auto give_up = Steady::now() + std::chrono::milliseconds(config_.rebalance_timeout_ms);
  for (;;) {
    Error failed;
    if (auto coordinator = cluster_->coordinator(config_.group_id); !coordinator) {
      failed = coordinator.error();
    } else {
      auto resp = call(**coordinator);
      if (resp && !coordinator_moved(error_of(*resp))) return resp;
      failed = resp ? make_error(error_of(*resp), fmt::format("{} of group {}", what, config_.group_id)) : resp.error();
    }
    // The coordinator moved, or its broker is gone or silent: ask FindCoordinator again
    // (through any broker) after a backoff — a new one is elected within the cluster's
    // failure-detection time.
    cluster_->forget_coordinator(config_.group_id);
    if (Steady::now() >= give_up) return failed;
    spdlog::info("group {}: {}: {}; finding the coordinator again", config_.group_id, what, failed.describe());
    std::this_thread::sleep_for(kRetryBackoff);
  }
}

Status GroupConsumer::refresh_metadata_if_stale() {
  if (!metadata_stale_) return {};
  auto md = cluster_->metadata(config_.topics, false, 0);
  if (!md) return md.error();
  metadata_stale_ = false;
  return {};
}

std::map<TopicPartition, std::int64_t> GroupConsumer::positions() const {
  std::map<TopicPartition, std::int64_t> out;
  for (const auto& [tp, st] : partitions_)
    if (st.position) out[tp] = *st.position;
  return out;
}

bool GroupConsumer::caught_up() const {
  if (needs_join_) return false;
  return std::all_of(partitions_.begin(), partitions_.end(), [](const auto& e) {
    return e.second.position && e.second.high_watermark >= 0 && *e.second.position >= e.second.high_watermark;
  });
}

// --- joining -----------------------------------------------------------------------------

Status GroupConsumer::join_group() {
  protocol::JoinGroupRequest join;
  join.group_id = config_.group_id;
  join.session_timeout_ms = config_.session_timeout_ms;
  join.rebalance_timeout_ms = config_.rebalance_timeout_ms;
  join.protocol_type = std::string(kConsumerProtocolType);
  join.protocols = {{std::string(kRangeAssignor), encode_subscription({config_.topics, std::nullopt})}};

  for (int attempt = 0; attempt < kMaxJoinAttempts; ++attempt) {
    join.member_id = member_id_;
    auto joined = to_coordinator(  // blocks until every member has joined
        "JoinGroup", [&](KafkaClient& c) { return c.join_group(join); }, [](const auto& r) { return r.error; });
    if (!joined) return joined.error();
    switch (joined->error) {
      case Errc::none: break;
      case Errc::member_id_required:  // v4+: the coordinator hands out our id first
        member_id_ = joined->member_id;
        continue;
      case Errc::unknown_member_id:  // our id expired: join as a new member
        member_id_.clear();
        continue;
      case Errc::rebalance_in_progress: continue;
      default: return make_error(joined->error, fmt::format("JoinGroup of group {}", config_.group_id));
    }
    if (joined->protocol_name != kRangeAssignor)
      return make_error(Errc::inconsistent_group_protocol,
                        fmt::format("group {} chose assignor '{}'", config_.group_id, joined->protocol_name));
    member_id_ = joined->member_id;
    generation_ = joined->generation_id;
    leader_ = joined->leader;

    protocol::SyncGroupRequest sync;
    sync.group_id = config_.group_id;
    sync.generation_id = generation_;
    sync.member_id = member_id_;
    if (is_leader()) {
      auto assignments = assign(joined->members);
      if (!assignments) return assignments.error();
      sync.assignments = std::move(*assignments);
    }
    // Blocks until the leader has sent the assignment. A coordinator that moved meanwhile
    // has lost the round: the retry is answered UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION
    // by the new one, and we join again.
    auto synced = to_coordinator(
        "SyncGroup", [&](KafkaClient& c) { return c.sync_group(sync); }, [](const auto& r) { return r.error; });
    if (!synced) return synced.error();
    if (synced->error == Errc::unknown_member_id) member_id_.clear();
    if (means_rejoin(synced->error)) continue;  // the group rebalanced again meanwhile
    if (synced->error != Errc::none)
      return make_error(synced->error, fmt::format("SyncGroup of group {}", config_.group_id));

    auto assignment = decode_assignment(synced->assignment);
    if (!assignment) return assignment.error();
    assignment_.clear();
    partitions_.clear();
    for (const auto& t : assignment->topics) {
      for (auto p : t.partitions) {
        assignment_.push_back({t.topic, p});
        partitions_[{t.topic, p}] = {};
      }
    }
    std::sort(assignment_.begin(), assignment_.end());
    needs_join_ = false;
    next_heartbeat_ = Steady::now() + std::chrono::milliseconds(config_.heartbeat_interval_ms);
    spdlog::debug("group {}: generation {}, member {}{}, {} partition(s)", config_.group_id, generation_, member_id_,
                  is_leader() ? " (leader)" : "", assignment_.size());
    return {};
  }
  return make_error(Errc::rebalance_in_progress,
                    fmt::format("group {} kept rebalancing: gave up after {} joins", config_.group_id, kMaxJoinAttempts));
}

Result<std::vector<protocol::SyncGroupAssignment>> GroupConsumer::assign(
    const std::vector<protocol::JoinGroupMember>& members) {
  // The leader decodes every member's subscription, asks for the partition counts of all
  // topics subscribed to, and runs the range assignor.
  std::vector<MemberSubscription> subscriptions;
  std::set<std::string> topics;
  for (const auto& m : members) {
    auto s = decode_subscription(m.metadata);
    if (!s) return make_error(s.error().code, fmt::format("member {}: {}", m.member_id, s.error().message));
    topics.insert(s->topics.begin(), s->topics.end());
    subscriptions.push_back({m.member_id, std::move(s->topics)});
  }
  auto md = cluster_->metadata(std::vector<std::string>(topics.begin(), topics.end()), false, 0);
  if (!md) return md.error();
  std::map<std::string, std::int32_t> counts;
  for (const auto& t : md->topics) {
    if (t.error == Errc::none) counts[t.name] = static_cast<std::int32_t>(t.partitions.size());
    else spdlog::warn("group {}: subscribed topic {} is not assignable: {}", config_.group_id, t.name, errc_name(t.error));
  }
  std::vector<protocol::SyncGroupAssignment> out;
  for (const auto& [member, assignment] : assign_range(subscriptions, counts))
    out.push_back({member, encode_assignment(assignment)});
  return out;
}

// --- positions ---------------------------------------------------------------------------

Status GroupConsumer::init_positions() {
  std::vector<TopicPartition> missing;
  for (const auto& [tp, st] : partitions_)
    if (!st.position) missing.push_back(tp);
  if (missing.empty()) return {};
  protocol::OffsetFetchRequest req;
  req.group_id = config_.group_id;
  req.topics.emplace();
  for (const auto& tp : missing) {  // sorted, so each topic's partitions are adjacent
    if (req.topics->empty() || req.topics->back().name != tp.topic) req.topics->push_back({tp.topic, {}});
    req.topics->back().partitions.push_back(tp.partition);
  }
  auto resp = to_coordinator(
      "OffsetFetch", [&](KafkaClient& c) { return c.offset_fetch(req); }, [](const protocol::OffsetFetchResponse& r) {
        if (r.error != Errc::none) return r.error;
        for (const auto& t : r.topics)
          for (const auto& p : t.partitions)
            if (coordinator_moved(p.error)) return p.error;
        return Errc::none;
      });
  if (!resp) return resp.error();
  if (resp->error != Errc::none) return make_error(resp->error, fmt::format("OffsetFetch of group {}", config_.group_id));
  std::vector<TopicPartition> reset;
  for (const auto& t : resp->topics) {
    for (const auto& p : t.partitions) {
      if (p.error != Errc::none) return make_error(p.error, fmt::format("OffsetFetch {}-{}", t.name, p.partition));
      auto it = partitions_.find({t.name, p.partition});
      if (it == partitions_.end()) continue;
      if (p.committed_offset >= 0) {
        it->second.position = p.committed_offset;
        it->second.committed = p.committed_offset;
      } else {
        reset.push_back(it->first);
      }
    }
  }
  return reset_positions(reset);
}

Status GroupConsumer::reset_positions(const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return {};
  const auto ts = config_.auto_offset_reset == OffsetReset::earliest ? protocol::kEarliestTimestamp
                                                                     : protocol::kLatestTimestamp;
  if (auto s = refresh_metadata_if_stale(); !s) return s;
  // One request per leader. A partition whose leader is unknown or moved keeps no
  // position: init_positions() looks it up again in the next round, on new metadata.
  std::map<std::int32_t, protocol::ListOffsetsRequest> by_leader;
  for (const auto& tp : partitions) {
    const auto leader = cluster_->leader_id(tp.topic, tp.partition).value_or(-1);
    if (leader < 0) {
      metadata_stale_ = true;
      continue;
    }
    auto& req = by_leader[leader];
    if (req.topics.empty() || req.topics.back().name != tp.topic) req.topics.push_back({tp.topic, {}});
    req.topics.back().partitions.push_back({tp.partition, ts, 1});
  }
  for (const auto& [leader, req] : by_leader) {
    auto c = cluster_->node(leader);
    auto resp = c ? (*c)->list_offsets(req) : Result<protocol::ListOffsetsResponse>(c.error());
    if (!resp) {
      spdlog::info("group {}: ListOffsets to broker {}: {}", config_.group_id, leader, resp.error().describe());
      cluster_->forget(leader);
      metadata_stale_ = true;
      continue;
    }
    for (const auto& t : resp->topics) {
      for (const auto& p : t.partitions) {
        if (leader_moved(p.error)) {
          metadata_stale_ = true;
          continue;
        }
        if (p.error != Errc::none) return make_error(p.error, fmt::format("ListOffsets {}-{}", t.name, p.partition));
        if (auto it = partitions_.find({t.name, p.partition}); it != partitions_.end()) it->second.position = p.offset;
      }
    }
  }
  return {};
}

// --- the poll loop -----------------------------------------------------------------------

Status GroupConsumer::heartbeat_if_due() {
  if (needs_join_ || Steady::now() < next_heartbeat_) return {};
  protocol::HeartbeatRequest req;
  req.group_id = config_.group_id;
  req.generation_id = generation_;
  req.member_id = member_id_;
  auto resp = to_coordinator(
      "Heartbeat", [&](KafkaClient& c) { return c.heartbeat(req); }, [](const auto& r) { return r.error; });
  if (!resp) return resp.error();
  next_heartbeat_ = Steady::now() + std::chrono::milliseconds(config_.heartbeat_interval_ms);
  switch (resp->error) {
    case Errc::none: return {};
    // A rebalance has started and our generation is still current: our commit is
    // accepted, so the next owner of our partitions starts exactly where we stopped.
    case Errc::rebalance_in_progress: rejoin(true); return {};
    case Errc::illegal_generation: rejoin(false); return {};
    case Errc::unknown_member_id:
      member_id_.clear();
      rejoin(false);
      return {};
    default: return make_error(resp->error, fmt::format("Heartbeat of group {}", config_.group_id));
  }
}

void GroupConsumer::rejoin(bool commit_first) {
  if (commit_first && config_.auto_commit) {
    // A failed commit is not fatal: those records will be consumed again by the next owner.
    if (auto s = commit(); !s) spdlog::warn("group {}: commit before rebalance failed: {}", config_.group_id, s.error().describe());
  }
  assignment_.clear();
  partitions_.clear();
  needs_join_ = true;
}

Result<std::vector<ConsumedRecord>> GroupConsumer::fetch(std::int32_t max_wait_ms) {
  if (auto s = refresh_metadata_if_stale(); !s) return s.error();
  // One Fetch per leader, all sent before any answer is read: they wait at their brokers
  // at the same time, so the round lasts one max wait, not one per broker.
  std::map<std::int32_t, protocol::FetchRequest> by_leader;
  for (const auto& tp : assignment_) {
    const auto& position = partitions_.at(tp).position;
    if (!position) continue;  // its start position is still to be looked up
    const auto leader = cluster_->leader_id(tp.topic, tp.partition).value_or(-1);
    if (leader < 0) {
      metadata_stale_ = true;
      continue;
    }
    auto& req = by_leader[leader];
    req.max_wait_ms = max_wait_ms;
    req.min_bytes = 1;
    if (req.topics.empty() || req.topics.back().name != tp.topic) req.topics.push_back({tp.topic, {}});
    req.topics.back().partitions.push_back({tp.partition, -1, *position, -1, config_.max_partition_fetch_bytes});
  }
  if (by_leader.empty()) {
    // Every leader is unknown (an election is under way): wait a backoff, not a spin.
    if (metadata_stale_) std::this_thread::sleep_for(std::min(kRetryBackoff, std::chrono::milliseconds(max_wait_ms)));
    return std::vector<ConsumedRecord>{};
  }
  struct Sent {
    std::int32_t leader;
    KafkaClient* to;  // null when it could not be reached
    Result<std::int32_t> correlation;
  };
  std::vector<Sent> sent;
  for (const auto& [leader, req] : by_leader) {
    auto c = cluster_->node(leader);
    if (c) sent.push_back({leader, *c, (*c)->send_fetch(req)});
    else sent.push_back({leader, nullptr, c.error()});
  }
  std::vector<FetchResult> answers;
  for (auto& [leader, to, corr] : sent) {
    auto resp = corr ? to->receive_fetch(*corr, by_leader[leader]) : Result<FetchResult>(corr.error());
    if (!resp) {
      // The broker is gone or silent: its partitions wait for new metadata.
      spdlog::info("group {}: Fetch from broker {}: {}", config_.group_id, leader, resp.error().describe());
      cluster_->forget(leader);
      metadata_stale_ = true;
      continue;
    }
    answers.push_back(std::move(*resp));
  }
  std::vector<ConsumedRecord> out;
  std::vector<TopicPartition> out_of_range;
  for (const auto& resp : answers) {
    for (const auto& t : resp.response.topics) {
      for (const auto& p : t.partitions) {
        auto it = partitions_.find({t.name, p.partition});
        if (it == partitions_.end() || !it->second.position) continue;
        auto& st = it->second;
        if (p.error == Errc::offset_out_of_range) {  // deleted by retention, say: auto.offset.reset
          out_of_range.push_back(it->first);
          continue;
        }
        if (leader_moved(p.error)) {  // a failover: fetch it from its new leader
          metadata_stale_ = true;
          continue;
        }
        if (p.error != Errc::none) return make_error(p.error, fmt::format("Fetch {}-{}", t.name, p.partition));
        st.high_watermark = p.high_watermark;
        ByteSpan rest = p.records ? *p.records : ByteSpan{};
        while (rest.size() >= record::layout::header_size) {
          auto frame = record::read_frame(rest, rest.size());
          if (!frame) break;  // a partial batch at the end of a response: fetched again next time
          auto batch = rest.first(frame->total_size);
          rest = rest.subspan(frame->total_size);
          auto header = record::decode_header(batch);
          if (!header) break;
          if (!header->is_control()) {  // transaction markers are not records for the application
            auto records = record::decode_records(batch);
            if (!records) return records.error();
            for (const auto& r : *records) {
              if (r.offset < *st.position) continue;  // batches come whole: skip what we had
              ConsumedRecord c{t.name, p.partition, r.offset, r.timestamp, std::nullopt, std::nullopt};
              if (r.key) c.key = text(*r.key);
              if (r.value) c.value = text(*r.value);
              out.push_back(std::move(c));
            }
          }
          st.position = std::max(*st.position, header->next_offset());
        }
      }
    }
  }
  if (auto s = reset_positions(out_of_range); !s) return s.error();
  // A leader moved and nothing came: back off before the next round, rather than asking
  // for metadata that may not name the new leader yet as fast as the network allows.
  if (out.empty() && metadata_stale_)
    std::this_thread::sleep_for(std::min(kRetryBackoff, std::chrono::milliseconds(max_wait_ms)));
  return out;
}

Result<std::vector<ConsumedRecord>> GroupConsumer::poll(std::chrono::milliseconds timeout) {
  if (closed_) return make_error(Errc::invalid_request, "poll() after close()");
  const auto deadline = Steady::now() + timeout;
  if (config_.auto_commit) {
    // What the previous poll() returned has been processed by now: commit it.
    if (auto s = commit(); !s && !means_rejoin(s.error().code)) return s.error();
  }
  // Each round blocks — in a rebalance, a fetch's long poll or (with nothing assigned) a
  // sleep — so the loop ends at the deadline at the latest.
  for (;;) {
    if (needs_join_) {
      if (auto s = join_group(); !s) return s.error();
    }
    if (auto s = init_positions(); !s) return s.error();
    if (auto s = heartbeat_if_due(); !s) return s.error();
    if (!needs_join_) {
      // Wait for records at most until the next heartbeat is due (or the poll is over).
      const auto until = std::min(deadline, next_heartbeat_);
      const auto wait = std::clamp<std::int64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Steady::now()).count(), 0,
          config_.fetch_max_wait_ms);
      if (assignment_.empty()) {
        // Nothing assigned (more members than partitions): only heartbeats to send.
        std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      } else {
        auto records = fetch(static_cast<std::int32_t>(wait));
        if (!records) return records.error();
        if (!records->empty()) return records;
      }
    }
    if (Steady::now() >= deadline) return std::vector<ConsumedRecord>{};
  }
}

// --- committing and leaving --------------------------------------------------------------

Status GroupConsumer::commit() {
  if (needs_join_) return {};  // nothing is ours to commit
  protocol::OffsetCommitRequest req;
  req.group_id = config_.group_id;
  req.generation_id = generation_;
  req.member_id = member_id_;
  std::vector<std::pair<TopicPartition, std::int64_t>> sent;
  for (const auto& [tp, st] : partitions_) {
    if (!st.position || *st.position == st.committed) continue;
    if (req.topics.empty() || req.topics.back().name != tp.topic) req.topics.push_back({tp.topic, {}});
    protocol::OffsetCommitPartition p;
    p.partition = tp.partition;
    p.committed_offset = *st.position;
    req.topics.back().partitions.push_back(p);
    sent.emplace_back(tp, *st.position);
  }
  if (sent.empty()) return {};
  auto resp = to_coordinator(
      "OffsetCommit", [&](KafkaClient& c) { return c.offset_commit(req); },
      [](const protocol::OffsetCommitResponse& r) {
        for (const auto& t : r.topics)
          for (const auto& p : t.partitions)
            if (coordinator_moved(p.error)) return p.error;
        return Errc::none;
      });
  if (!resp) return resp.error();
  for (const auto& t : resp->topics) {
    for (const auto& p : t.partitions) {
      if (p.error == Errc::none) continue;
      const auto e = p.error;
      if (means_rejoin(e)) {
        // The coordinator fenced us: these partitions may have a new owner already.
        if (e == Errc::unknown_member_id) member_id_.clear();
        rejoin(false);
      }
      return make_error(e, fmt::format("OffsetCommit {}-{} for group {}", t.name, p.partition, config_.group_id));
    }
  }
  for (const auto& [tp, offset] : sent)
    if (auto it = partitions_.find(tp); it != partitions_.end()) it->second.committed = offset;
  return {};
}

Status GroupConsumer::seek(const TopicPartition& partition, std::int64_t offset) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end())
    return make_error(Errc::unknown_topic_or_partition,
                      fmt::format("{}-{} is not assigned to this consumer", partition.topic, partition.partition));
  it->second.position = offset;
  return {};
}

Status GroupConsumer::close() {
  if (closed_) return {};
  closed_ = true;
  Status result;
  if (config_.auto_commit) result = commit();
  if (!member_id_.empty()) {
    protocol::LeaveGroupRequest req;
    req.group_id = config_.group_id;
    req.member_id = member_id_;                  // LeaveGroup v0..v2
    req.members = {{member_id_, std::nullopt}};  // v3: the same member in a list
    auto left = to_coordinator(
        "LeaveGroup", [&](KafkaClient& c) { return c.leave_group(req); }, [](const auto& r) { return r.error; });
    if (left && left->error == Errc::none && !left->members.empty()) left->error = left->members.front().error;
    // UNKNOWN_MEMBER_ID: the group has dropped us already, which is what we wanted.
    if (!left && result.ok()) result = left.error();
    else if (left && left->error != Errc::none && left->error != Errc::unknown_member_id && result.ok())
      result = make_error(left->error, fmt::format("LeaveGroup of group {}", config_.group_id));
  }
  assignment_.clear();
  partitions_.clear();
  member_id_.clear();
  generation_ = -1;
  needs_join_ = true;
  return result;
}

}  // namespace streamcraft::client
