// generated from final/broker/group_requests.cpp; edit there
// broker/group_requests.cpp — the request handler's consumer-group and offset APIs, and
// InitProducerId for idempotent producers.
//
// Each handler decodes a request, asks the group coordinator (group/coordinator.h), and
// encodes its answer; JoinGroup and SyncGroup answers that must wait for other members
// become deferred responses, finished in poll_deferred(). Committed offsets and group
// metadata go through append_group_records(): appended to the group's partition of
// __consumer_offsets first, applied to the coordinator only once the append succeeded,
// so an acknowledged commit is always in the log and survives a restart.
//
// Which groups this broker coordinates follows the leadership of __consumer_offsets: the
// coordinator serves the groups of the partitions it has loaded (group/coordinator.h says
// why it keeps that list). The handler's part is to read a partition's records from the
// log (load_offsets_partition) — at start-up for every partition this broker leads, and
// from chapter 4 whenever it becomes a partition's leader — and to unload it when the
// leadership moves away. A request for a group that is not loaded here is answered
// NOT_COORDINATOR by the coordinator itself, in each API's own shape.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "broker/request_handler.h"
#include "group/offsets_topic.h"
#include "protocol/groups.h"
#include "protocol/init_producer_id.h"
#include "protocol/offsets.h"
#include "record/record.h"

namespace streamcraft::broker {

namespace {

std::string as_string(const Bytes& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

// The record a coordinator record becomes in the log.
record::RecordSpec to_record(const group::OffsetsTopicRecord& r, std::int64_t now_ms) {
  group::EncodedRecord e;
  if (const auto* o = std::get_if<group::OffsetRecord>(&r)) {
    e = group::encode_offset_record(o->key, o->value);
  } else {
    const auto& g = std::get<group::GroupRecord>(r);
    e = group::encode_group_record(g.group, g.value);
  }
  record::RecordSpec spec;
  spec.key = as_string(e.key);
  if (e.value) spec.value = as_string(*e.value);
  spec.timestamp = now_ms;
  return spec;
}

protocol::JoinGroupResponse to_wire(const group::JoinResult& r) {
  protocol::JoinGroupResponse w;
  w.error = r.error;
  w.generation_id = r.generation;
  w.protocol_name = r.protocol_name;
  w.leader = r.leader_id;
  w.member_id = r.member_id;
  // Instance ids go to the leader too: an assignor may keep an instance's partitions
  // with it across restarts (KIP-345).
  for (const auto& m : r.members) w.members.push_back({m.member_id, m.group_instance_id, m.metadata});
  return w;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> offsets_topic_settings(const BrokerConfig& config) {
  // Compacted: only the latest commit per (group, topic, partition) matters, so the
  // cleaner keeps the topic at one record per live key however often consumers commit.
  return {{"cleanup.policy", "compact"}, {"segment.bytes", std::to_string(config.offsets_segment_bytes)}};
}

Status RequestHandler::ensure_offsets_topic() {
  if (logs_.topic(group::kOffsetsTopic)) return {};
  // In a replicated cluster the controller creates it, with
  // offsets.topic.replication.factor replicas; its partitions have no leader until then,
  // and clients are told COORDINATOR_NOT_AVAILABLE and ask again.
  if (auto asked = cluster_->create_topic({group::kOffsetsTopic, config_.group.offsets_partitions,
                                           config_.offsets_topic_replication_factor, {}, {}},
                                          TopicRequest::automatic))
    return asked->ok() ? make_error(Errc::coordinator_not_available, "the offsets topic is being created") : *asked;
  auto created = logs_.create_topic(group::kOffsetsTopic, config_.group.offsets_partitions,
                                    offsets_topic_settings(config_));
  if (!created) return created.error();
  spdlog::info("created {} with {} partition(s)", group::kOffsetsTopic, config_.group.offsets_partitions);
  return {};
}

Status RequestHandler::load_groups() {
  // In a replicated cluster a partition's groups are loaded when this broker becomes its
  // leader (broker/replica_manager.h): at start-up it leads nothing yet.
  if (config_.replicated()) return {};
  if (auto s = ensure_offsets_topic(); !s) return s;
  const auto* topic = logs_.topic(group::kOffsetsTopic);
  std::int32_t loaded = 0;
  for (std::int32_t p = 0; p < topic->partitions; ++p) {
    // A partition led elsewhere is coordinated elsewhere: its leader loads it. (A single
    // broker leads, and so loads, every partition.)
    if (!cluster_->leads(group::kOffsetsTopic, p)) continue;
    if (auto s = load_offsets_partition(p); !s) return s;
    ++loaded;
  }
  spdlog::info("coordinating the groups of {} of {} partition(s) of {}", loaded, topic->partitions,
               group::kOffsetsTopic);
  return {};
}

Status RequestHandler::load_offsets_partition(std::int32_t partition) {
  // Loaded already: its groups are that fold plus what only memory holds (heartbeats,
  // waiting members), which a second replay would throw away.
  if (coordinator_.is_loaded(partition)) return {};
  auto records = read_offsets_partition(partition);
  if (!records) return records.error();
  // All at once, between two requests: no request sees the partition half-loaded.
  coordinator_.load_partition(partition, *records);
  spdlog::debug("loaded {}-{}: {} record(s) of committed offsets and group metadata", group::kOffsetsTopic,
                partition, records->size());
  return {};
}

void RequestHandler::unload_offsets_partition(std::int32_t partition) {
  // Nothing to write: everything the groups had to keep is in the log already. Members
  // waiting in JoinGroup or SyncGroup get NOT_COORDINATOR from the next poll_deferred().
  coordinator_.unload_partition(partition);
}

Result<std::vector<group::OffsetsTopicRecord>> RequestHandler::read_offsets_partition(std::int32_t p) {
  log::Log* log = logs_.partition(group::kOffsetsTopic, p);
  if (!log)
    return make_error(Errc::coordinator_not_available, fmt::format("{}-{} does not exist", group::kOffsetsTopic, p));
  // The whole partition from its start: the state of its groups is the fold of it. The
  // records are collected first and applied in one go, so a partition that cannot be
  // read is not loaded at all, rather than loaded up to the damage.
  std::vector<group::OffsetsTopicRecord> records;
  for (std::int64_t offset = log->log_start_offset(); offset < log->log_end_offset();) {
    auto range = log->read(offset, 1 << 20);
    if (!range) return range.error();
    auto bytes = range->read();
    if (!bytes) return bytes.error();
    ByteSpan rest(*bytes);
    if (rest.size() < record::layout::header_size) break;
    // Every batch must move the replay forward. A damaged header in a segment trusted
    // after a clean shutdown could name offsets at or before where the replay stands;
    // reading "from there" again would never end, so it is an error instead.
    const std::int64_t read_from = offset;
    while (rest.size() >= record::layout::header_size) {
      auto header = record::decode_header(rest);
      if (!header || header->total_size() > rest.size()) break;
      if (header->next_offset() <= offset)
        return make_error(Errc::corrupt_message,
                          fmt::format("{}-{}: batch at offset {} ends at {}, before the replay's position {}",
                                      group::kOffsetsTopic, p, header->base_offset, header->last_offset(), offset));
      auto batch = rest.first(header->total_size());
      auto decoded = record::decode_records(batch);
      if (!decoded) return decoded.error();
      for (const auto& r : *decoded) {
        if (!r.key) continue;
        auto rec = group::decode_offsets_record(*r.key, r.value);
        if (!rec) {
          spdlog::warn("{}-{} offset {}: {}", group::kOffsetsTopic, p, r.offset, rec.error().describe());
          continue;
        }
        records.push_back(std::move(*rec));
      }
      offset = header->next_offset();
      rest = rest.subspan(header->total_size());
    }
    if (offset == read_from)
      return make_error(Errc::corrupt_message, fmt::format("{}-{}: no batch can be read at offset {}",
                                                           group::kOffsetsTopic, p, offset));
  }
  return records;
}

Result<std::int64_t> RequestHandler::append_group_batch(const std::string& group_id,
                                                        const std::vector<group::OffsetsTopicRecord>& records) {
  if (records.empty()) return std::int64_t{0};
  if (auto s = ensure_offsets_topic(); !s) return s.error();
  const auto partition = coordinator_.partition_for(group_id);
  // The coordinator hands out records of the groups it serves only; a log this broker
  // does not coordinate must never get them (from chapter 4 it is a follower's copy).
  if (!coordinator_.is_loaded(partition))
    return make_error(Errc::not_coordinator, fmt::format("{}-{} is not loaded here", group::kOffsetsTopic, partition));
  log::Log* log = logs_.partition(group::kOffsetsTopic, partition);
  if (!log) return make_error(Errc::coordinator_not_available, "__consumer_offsets partition missing");
  // Group records are written as acks=all writes are: with too few replicas in sync,
  // not at all.
  if (auto s = cluster_->check_min_isr(group::kOffsetsTopic, partition, log->config().min_insync_replicas); !s)
    return s.error();
  std::vector<record::RecordSpec> specs;
  for (const auto& r : records) specs.push_back(to_record(r, clock_.now_ms()));
  Bytes batch = record::build_batch(specs);
  auto appended = log->append(batch);
  if (!appended) return appended.error();
  wake_fetches(std::string(group::kOffsetsTopic), partition);  // someone may be reading it (kcat, a tool)
  cluster_->on_leader_append(group::kOffsetsTopic, partition, *log);
  return appended->last_offset + 1;
}

Status RequestHandler::append_group_records(const std::string& group_id,
                                            const std::vector<group::OffsetsTopicRecord>& records) {
  if (auto appended = append_group_batch(group_id, records); !appended) return appended.error();
  // Group metadata (the end of a rebalance, expired offsets' tombstones) is applied at
  // once, without waiting for the followers: if a failover takes it back, the members
  // of the group find their generation unknown and join again, and expired offsets
  // expire again. Commits are what must not be taken back; they wait (await_commit).
  for (const auto& r : records) coordinator_.apply(r);
  return {};
}

namespace {

// What a failed commit append tells the client, as Kafka maps it: NOT_COORDINATOR sends
// it to FindCoordinator again, COORDINATOR_NOT_AVAILABLE makes it retry, and a batch too
// large for the log is the commit's own fault.
Errc commit_error(Errc append_error) {
  switch (append_error) {
    case Errc::not_coordinator:
    case Errc::not_leader_or_follower:
    case Errc::kafka_storage_error:
      return Errc::not_coordinator;
    case Errc::message_too_large:
    case Errc::record_list_too_large:
      return Errc::invalid_commit_offset_size;
    case Errc::request_timed_out:
      return Errc::request_timed_out;
    default:
      return Errc::coordinator_not_available;
  }
}

void fail_commit(protocol::OffsetCommitResponse& r, Errc e) {
  for (auto& t : r.topics)
    for (auto& p : t.partitions)
      if (p.error == Errc::none) p.error = e;
}

}  // namespace

void RequestHandler::persist_group_records() {
  for (const auto& r : coordinator_.take_records()) {
    // Group metadata at the end of a rebalance or after a static member's rejoin, or
    // tombstones of expired offsets.
    const auto& group_id = group::group_of(r);
    if (auto s = append_group_records(group_id, {r}); !s)
      spdlog::error("cannot record group {}: {}", group_id, s.error().describe());
  }
}

std::optional<Completed> RequestHandler::finish_group_request(const group::Completion& c) {
  auto it = deferred_groups_.find(c.token);
  if (it == deferred_groups_.end()) return std::nullopt;  // its connection is gone
  const auto [correlation_id, version] = it->second;
  deferred_groups_.erase(it);
  Bytes body;
  if (const auto* j = std::get_if<group::JoinResult>(&c.result)) {
    body = protocol::encode_join_group_response(to_wire(*j), version);
  } else {
    const auto& s = std::get<group::SyncResult>(c.result);
    protocol::SyncGroupResponse w;
    w.error = s.error;
    w.assignment = s.assignment;
    body = protocol::encode_sync_group_response(w, version);
  }
  return Completed{c.token, response_frame(correlation_id, std::move(body))};
}

Outcome RequestHandler::handle_find_coordinator(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_find_coordinator_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::FindCoordinatorResponse r;
  if (req->key_type != protocol::kCoordinatorKeyGroup) {
    r.error = Errc::coordinator_not_available;  // no transactions (yet)
    r.error_message = "transactions are not supported";
  } else if (auto s = ensure_offsets_topic(); !s) {
    r.error = Errc::coordinator_not_available;
    r.error_message = s.error().message;
  } else {
    // The coordinator is the leader of the group's __consumer_offsets partition.
    auto coordinator = cluster_->coordinator(group::offsets_partition_for(req->key, config_.group.offsets_partitions));
    if (!coordinator) {
      r.error = Errc::coordinator_not_available;
      r.error_message = "the group's offsets partition has no leader";
    } else {
      r.node_id = coordinator->id;
      r.host = coordinator->host;
      r.port = coordinator->port;
    }
  }
  return respond(h.correlation_id, protocol::encode_find_coordinator_response(r, h.api_version));
}

Outcome RequestHandler::handle_join_group(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_join_group_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  group::JoinParams p;
  p.group_id = req->group_id;
  p.member_id = req->member_id;
  p.client_id = h.client_id.value_or("");
  p.client_host = client_host_.empty() ? "/unknown" : "/" + client_host_;
  p.session_timeout_ms = req->session_timeout_ms;
  p.rebalance_timeout_ms = req->rebalance_timeout_ms;
  p.protocol_type = req->protocol_type;
  for (const auto& proto : req->protocols) p.protocols.push_back({proto.name, proto.metadata});
  p.require_known_member_id = h.api_version >= 4;
  p.group_instance_id = req->group_instance_id;  // v5+; the decoder leaves it empty below
  const auto token = next_deferred_id_++;
  auto now = coordinator_.join(token, p);
  persist_group_records();  // a static member's rejoin records its new member id
  if (now) return respond(h.correlation_id, protocol::encode_join_group_response(to_wire(*now), h.api_version));
  deferred_groups_[token] = {h.correlation_id, h.api_version};
  Outcome o;
  o.kind = Outcome::Kind::deferred;
  o.deferred_id = token;
  return o;
}

Outcome RequestHandler::handle_sync_group(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_sync_group_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  group::SyncParams p{req->group_id, req->member_id, req->generation_id, {}};
  for (const auto& a : req->assignments) p.assignments.emplace_back(a.member_id, a.assignment);
  const auto token = next_deferred_id_++;
  auto now = coordinator_.sync(token, p, req->group_instance_id);
  persist_group_records();
  if (now) {
    protocol::SyncGroupResponse w;
    w.error = now->error;
    w.assignment = now->assignment;
    return respond(h.correlation_id, protocol::encode_sync_group_response(w, h.api_version));
  }
  deferred_groups_[token] = {h.correlation_id, h.api_version};
  Outcome o;
  o.kind = Outcome::Kind::deferred;
  o.deferred_id = token;
  return o;
}

Outcome RequestHandler::handle_heartbeat(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_heartbeat_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::HeartbeatResponse r;
  r.error = coordinator_.heartbeat(req->group_id, req->member_id, req->generation_id, req->group_instance_id);
  return respond(h.correlation_id, protocol::encode_heartbeat_response(r, h.api_version));
}

Outcome RequestHandler::handle_leave_group(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_leave_group_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::LeaveGroupResponse r;
  if (h.api_version < 3) {
    r.error = coordinator_.leave(req->group_id, req->member_id);
  } else if (!coordinator_.coordinates(req->group_id)) {
    r.error = Errc::not_coordinator;  // as Kafka answers: one error for the request, no members
  } else {
    // v3: each member on its own, with its own error; the request as a whole succeeds.
    for (const auto& m : req->members)
      r.members.push_back({m.member_id, m.group_instance_id, coordinator_.leave(req->group_id, m.member_id, m.group_instance_id)});
  }
  return respond(h.correlation_id, protocol::encode_leave_group_response(r, h.api_version));
}

Outcome RequestHandler::handle_offset_commit(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_offset_commit_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  group::CommitParams p{req->group_id, req->member_id, req->generation_id, {}};
  if (h.api_version == 0) p.generation = -1;  // v0 commits come from outside any group
  // As Kafka does, a partition that does not exist is refused on its own
  // (UNKNOWN_TOPIC_OR_PARTITION) and the others are committed: an offset for a partition
  // nobody can read would only mislead whoever reads it back.
  std::vector<bool> exists;
  for (const auto& t : req->topics)
    for (const auto& part : t.partitions) {
      exists.push_back(logs_.partition(t.name, part.partition) != nullptr);
      if (exists.back())
        p.partitions.push_back({t.name, part.partition, part.committed_offset, part.committed_leader_epoch, part.metadata});
    }
  auto plan = coordinator_.plan_commit(p, req->group_instance_id);
  protocol::OffsetCommitResponse r;
  std::size_t i = 0, planned = 0;
  for (const auto& t : req->topics) {
    protocol::OffsetCommitTopicResponse tr{t.name, {}};
    for (const auto& part : t.partitions)
      tr.partitions.push_back({part.partition, exists[i++] ? plan.errors[planned++] : Errc::unknown_topic_or_partition});
    r.topics.push_back(std::move(tr));
  }
  // One batch for the whole commit: it lands in the log entirely or not at all.
  auto appended = append_group_batch(req->group_id, plan.records);
  if (!appended) {
    spdlog::warn("commit of group {} failed: {}", req->group_id, appended.error().describe());
    fail_commit(r, commit_error(appended.error().code));
    return respond(h.correlation_id, protocol::encode_offset_commit_response(r, h.api_version));
  }
  // Acknowledged only once the group's partition has it on its in-sync replicas.
  if (!plan.records.empty()) return await_commit(h, *appended, std::move(plan.records), std::move(r), req->group_id);
  for (const auto& rec : plan.records) coordinator_.apply(rec);
  return respond(h.correlation_id, protocol::encode_offset_commit_response(r, h.api_version));
}

Outcome RequestHandler::await_commit(const protocol::RequestHeader& h, std::int64_t end_offset,
                                     std::vector<group::OffsetsTopicRecord> records,
                                     protocol::OffsetCommitResponse response, const std::string& group_id) {
  const auto partition = coordinator_.partition_for(group_id);
  const log::Log* log = logs_.partition(group::kOffsetsTopic, partition);
  AwaitingReplication waiting{h.correlation_id, h.api_version, {}, {}, 0, true, std::nullopt};
  waiting.parts.push_back({0, 0, std::string(group::kOffsetsTopic), partition, end_offset,
                           log && log->leader_epoch() ? *log->leader_epoch() : -1,
                           log ? log->config().min_insync_replicas : 1});
  waiting.deadline_ms = clock_.monotonic_ms() + config_.offsets_commit_timeout_ms;
  waiting.commit = AwaitingReplication::Commit{group_id, std::move(records), std::move(response), Errc::none};
  if (settle(waiting, clock_.monotonic_ms())) return respond(h.correlation_id, finish_replicated(waiting));
  return defer_replicated(next_deferred_id_++, std::move(waiting));
}

Bytes RequestHandler::finish_commit(AwaitingReplication::Commit& commit, std::int16_t version) {
  if (commit.error == Errc::none) {
    for (const auto& rec : commit.records) coordinator_.apply(rec);
  } else {
    spdlog::warn("commit of group {} not replicated: {}", commit.group_id, errc_name(commit.error));
    fail_commit(commit.response, commit_error(commit.error));
  }
  return protocol::encode_offset_commit_response(commit.response, version);
}

Outcome RequestHandler::handle_offset_fetch(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_offset_fetch_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  std::optional<std::vector<std::pair<std::string, std::int32_t>>> wanted;
  if (req->topics) {
    wanted.emplace();
    for (const auto& t : *req->topics)
      for (auto p : t.partitions) wanted->emplace_back(t.name, p);
  }
  protocol::OffsetFetchResponse r;
  auto fetched = coordinator_.fetch_offsets(req->group_id, wanted);
  if (!fetched) {
    // Kafka's shapes: from v2 on the response has one error of its own; before, every
    // requested partition carries it, with no offset.
    r.error = fetched.error().code;
    if (h.api_version < 2 && req->topics) {
      for (const auto& t : *req->topics) {
        r.topics.push_back({t.name, {}});
        for (auto p : t.partitions) r.topics.back().partitions.push_back({p, -1, -1, "", r.error});
      }
    }
    return respond(h.correlation_id, protocol::encode_offset_fetch_response(r, h.api_version));
  }
  for (const auto& f : *fetched) {
    if (r.topics.empty() || r.topics.back().name != f.topic) r.topics.push_back({f.topic, {}});
    r.topics.back().partitions.push_back({f.partition, f.offset, f.leader_epoch, f.metadata, Errc::none});
  }
  return respond(h.correlation_id, protocol::encode_offset_fetch_response(r, h.api_version));
}

Outcome RequestHandler::handle_list_groups(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_list_groups_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::ListGroupsResponse r;
  for (const auto& g : coordinator_.list_groups()) r.groups.push_back({g.group_id, g.protocol_type});
  return respond(h.correlation_id, protocol::encode_list_groups_response(r, h.api_version));
}

Outcome RequestHandler::handle_describe_groups(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_describe_groups_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::DescribeGroupsResponse r;
  for (const auto& id : req->groups) {
    auto d = coordinator_.describe(id);
    protocol::DescribedGroup g;
    g.error = d.error;
    g.group_id = d.group_id;
    g.group_state = d.state;
    g.protocol_type = d.protocol_type;
    g.protocol_data = d.protocol;
    for (const auto& m : d.members) g.members.push_back({m.member_id, m.client_id, m.client_host, m.metadata, m.assignment});
    r.groups.push_back(std::move(g));
  }
  return respond(h.correlation_id, protocol::encode_describe_groups_response(r, h.api_version));
}

Outcome RequestHandler::handle_delete_groups(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_delete_groups_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::DeleteGroupsResponse r;
  for (const auto& id : req->groups) {
    auto tombstones = coordinator_.plan_delete(id);
    Errc e = Errc::none;
    if (!tombstones) e = tombstones.error().code;
    else if (auto s = append_group_records(id, *tombstones); !s) e = Errc::coordinator_not_available;
    r.results.push_back({id, e});
  }
  return respond(h.correlation_id, protocol::encode_delete_groups_response(r, h.api_version));
}

Outcome RequestHandler::handle_init_producer_id(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_init_producer_id_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::InitProducerIdResponse r;
  if (req->transactional_id) {
    r.error = Errc::invalid_request;  // transactions are not part of this course (yet)
  } else if (auto id = producer_ids_.next(); !id) {
    spdlog::error("cannot allocate a producer id: {}", id.error().describe());
    r.error = Errc::coordinator_not_available;
  } else {
    // A fresh id always starts at epoch 0; a restarted producer gets a new id, and the
    // partitions forget the old one when it falls out of their logs.
    r.producer_id = *id;
    r.producer_epoch = 0;
  }
  return respond(h.correlation_id, protocol::encode_init_producer_id_response(r, h.api_version));
}

}  // namespace streamcraft::broker
