// generated from final/broker/request_handler.cpp; edit there
// broker/request_handler.cpp — one function per API, plus the fetch purgatory.
#include "broker/request_handler.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "protocol/api_versions.h"
#include "protocol/header.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/wire.h"
#include "broker/control_requests.h"
#include "protocol/elect_leaders.h"
#include "protocol/offsets_for_leader_epoch.h"

namespace streamcraft::broker {

using protocol::ApiKey;
using protocol::OutMessage;

namespace {

// Starts a response frame: a size placeholder and the correlation id.
void begin_frame(OutMessage& out, std::int32_t correlation_id) {
  protocol::Encoder e(out.bytes());
  e.i32(0);
  e.i32(correlation_id);
}

// Writes the size prefix once the whole frame is known.
void end_frame(OutMessage& out) { out.write_size_prefix(); }

bool has_error(const protocol::FetchResponse& r) {
  for (const auto& t : r.topics)
    for (const auto& p : t.partitions)
      if (p.error != Errc::none) return true;
  return false;
}

OutMessage fetch_frame(std::int32_t correlation_id, std::int16_t version, const protocol::FetchResponse& r) {
  OutMessage out;
  begin_frame(out, correlation_id);
  protocol::encode_fetch_response(r, version, out);
  end_frame(out);
  return out;
}

// A view of the mutable frame at the place a decoded (const) span points to.
MutableByteSpan mutable_within(MutableByteSpan frame, ByteSpan inside) {
  auto offset = static_cast<std::size_t>(inside.data() - frame.data());
  return frame.subspan(offset, inside.size());
}

}  // namespace

Outcome respond(std::int32_t correlation_id, Bytes body) {
  Outcome o;
  o.response = response_frame(correlation_id, std::move(body));
  return o;
}

Outcome close_with(std::string reason) {
  Outcome o;
  o.kind = Outcome::Kind::close_connection;
  o.reason = std::move(reason);
  return o;
}

OutMessage response_frame(std::int32_t correlation_id, Bytes body) {
  OutMessage out;
  begin_frame(out, correlation_id);
  auto& bytes = out.bytes();
  bytes.insert(bytes.end(), body.begin(), body.end());
  end_frame(out);
  return out;
}

RequestHandler::RequestHandler(const BrokerConfig& config, LogManager& logs, const Clock& clock,
                               ClusterMetadata* cluster)
    : config_(config), logs_(logs), clock_(clock),
      own_cluster_(cluster ? nullptr : std::make_unique<SingleNodeMetadata>(config)),
      cluster_(cluster ? cluster : own_cluster_.get())
      ,
      coordinator_(clock, config.group),
      producer_ids_(logs.file_system(), config.log_dir)
{
  for (std::size_t i = 0; i < config.cluster_brokers.size(); ++i)
    if (config.cluster_brokers[i].id == config.node_id)
      producer_ids_.set_cluster_position(static_cast<std::int64_t>(i),
                                         static_cast<std::int64_t>(config.cluster_brokers.size()));
}

void RequestHandler::set_advertised(std::string host, std::uint16_t port) {
  if (own_cluster_) own_cluster_->set_advertised(std::move(host), port);
}

Outcome RequestHandler::handle(MutableByteSpan frame) {
  auto fixed = protocol::peek_header(frame);
  if (!fixed) return close_with(fmt::format("a {}-byte frame is too short for a request header", frame.size()));
  const auto* api = protocol::find_api(fixed->api_key);
  if (!api && control_) api = protocol::find_course_api(fixed->api_key);
  const bool supported = api && fixed->api_version >= api->min_version && fixed->api_version <= api->max_version;
  if (fixed->api_key == static_cast<std::int16_t>(ApiKey::api_versions) && !supported) {
    // As Apache Kafka does (KIP-511): UNSUPPORTED_VERSION in a v0 body that lists the
    // ApiVersions range, so the client can retry with a version we speak.
    protocol::ApiVersionsResponse r;
    r.error = Errc::unsupported_version;
    r.apis = {*protocol::find_api(fixed->api_key)};
    return respond(fixed->correlation_id, protocol::encode_api_versions_response(r, 0));
  }
  if (!supported) {
    // There is no encoding of a response to a version we do not know: Kafka closes the
    // connection, and so do we. A client that read our ApiVersions never gets here.
    return close_with(fmt::format("{} (key {}) version {} is not supported", protocol::api_name(fixed->api_key),
                                  fixed->api_key, fixed->api_version));
  }
  auto header = protocol::decode_request_header(frame);
  if (!header) return close_with(header.error().message);
  ByteSpan body = ByteSpan(frame).subspan(header->size);
  if (ControlRequests::is_control(header->api_key)) {
    if (!control_) return close_with("a control request to a broker that is not part of a replicated cluster");
    auto answer = control_->handle(static_cast<ApiKey>(header->api_key), header->api_version, body);
    if (!answer) return close_with(answer.error().message);
    return respond(header->correlation_id, std::move(*answer));
  }
  switch (static_cast<ApiKey>(header->api_key)) {
    case ApiKey::api_versions: return handle_api_versions(*header);
    case ApiKey::metadata: return handle_metadata(*header, body);
    case ApiKey::produce: return handle_produce(*header, frame, body);
    case ApiKey::fetch: return handle_fetch(*header, body);
    case ApiKey::list_offsets: return handle_list_offsets(*header, body);
    case ApiKey::create_topics: return handle_create_topics(*header, body);
    case ApiKey::delete_topics: return handle_delete_topics(*header, body);
    case ApiKey::find_coordinator: return handle_find_coordinator(*header, body);
    case ApiKey::join_group: return handle_join_group(*header, body);
    case ApiKey::sync_group: return handle_sync_group(*header, body);
    case ApiKey::heartbeat: return handle_heartbeat(*header, body);
    case ApiKey::leave_group: return handle_leave_group(*header, body);
    case ApiKey::offset_commit: return handle_offset_commit(*header, body);
    case ApiKey::offset_fetch: return handle_offset_fetch(*header, body);
    case ApiKey::list_groups: return handle_list_groups(*header, body);
    case ApiKey::describe_groups: return handle_describe_groups(*header, body);
    case ApiKey::delete_groups: return handle_delete_groups(*header, body);
    case ApiKey::init_producer_id: return handle_init_producer_id(*header, body);
    case ApiKey::offsets_for_leader_epoch: return handle_offsets_for_leader_epoch(*header, body);
    case ApiKey::elect_leaders: return handle_elect_leaders(*header, body);
    default: break;  // find_api() above lets through only the APIs this broker handles
  }
  return close_with("unreachable: supported API without a handler");
}

Outcome RequestHandler::handle_api_versions(const protocol::RequestHeader& h) {
  protocol::ApiVersionsResponse r;
  auto apis = protocol::supported_apis();
  r.apis.assign(apis.begin(), apis.end());
  return respond(h.correlation_id, protocol::encode_api_versions_response(r, h.api_version));
}

Outcome RequestHandler::handle_metadata(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_metadata_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::MetadataResponse r;
  for (const auto& b : cluster_->brokers()) r.brokers.push_back({b.id, b.host, b.port, b.rack});
  r.cluster_id = config_.cluster_id;
  r.controller_id = cluster_->controller_id();

  auto describe = [&](const TopicInfo& t) {
    protocol::MetadataTopic mt;
    mt.name = t.name;
    mt.is_internal = t.name == group::kOffsetsTopic;
    for (std::int32_t p = 0; p < t.partitions; ++p) {
      auto state = cluster_->partition(t.name, p);
      mt.partitions.push_back({state.leader >= 0 ? Errc::none : Errc::leader_not_available, p, state.leader,
                               state.replicas, state.isr, state.offline_replicas});
      mt.partitions.back().leader_epoch = cluster_->leader_epoch(t.name, p);
    }
    return mt;
  };
  if (!req->topics) {
    for (const auto& t : logs_.topics()) r.topics.push_back(describe(t));
  } else {
    for (const auto& name : *req->topics) {
      if (const auto* t = logs_.topic(name)) {
        r.topics.push_back(describe(*t));
        continue;
      }
      protocol::MetadataTopic missing;
      missing.name = name;
      missing.error = Errc::unknown_topic_or_partition;
      if (auto valid = validate_topic_name(name); !valid) {
        missing.error = Errc::invalid_topic;
      } else if (config_.auto_create_topics && req->allow_auto_topic_creation) {
        // Clients (kafkajs, librdkafka's tests) expect a topic to spring into existence
        // when they first ask for it: auto.create.topics.enable, on by default as in Kafka.
        // In a replicated cluster the controller creates it; until its partitions have
        // leaders the client hears LEADER_NOT_AVAILABLE and asks again, as from Kafka.
        if (auto asked = cluster_->create_topic({name, -1, -1, {}, {}}, TopicRequest::automatic)) {
          // TOPIC_ALREADY_EXISTS here means the controller has the topic and this broker
          // has not heard of it yet (a topic just created through another request): for
          // the client that is the same as a topic being created, as in Kafka.
          const bool under_way = asked->ok() || asked->error().code == Errc::topic_already_exists;
          missing.error = under_way ? Errc::leader_not_available : asked->error().code;
          r.topics.push_back(std::move(missing));
          continue;
        }
        auto created = logs_.create_topic(name, -1, {});
        if (created) {
          r.topics.push_back(describe(*created));
          continue;
        }
        missing.error = created.error().code;
      }
      r.topics.push_back(std::move(missing));
    }
  }
  return respond(h.correlation_id, protocol::encode_metadata_response(r, h.api_version));
}

Outcome RequestHandler::handle_produce(const protocol::RequestHeader& h, MutableByteSpan frame, ByteSpan body) {
  auto req = protocol::decode_produce_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  const bool acks_valid = req->acks == 0 || req->acks == 1 || req->acks == -1;
  protocol::ProduceResponse r;
  std::vector<AwaitingSync::Durable> durable;
  std::vector<AwaitingReplication::Part> replicated;
  for (const auto& t : req->topics) {
    protocol::ProduceTopicResponse tr;
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::ProducePartitionResponse pr;
      pr.partition = p.partition;
      log::Log* log = logs_.partition(t.name, p.partition);
      if (!acks_valid) {
        pr.error = Errc::invalid_required_acks;
      } else if (!log) {
        pr.error = Errc::unknown_topic_or_partition;
      } else if (!cluster_->leads(t.name, p.partition)) {
        pr.error = Errc::not_leader_or_follower;  // the client refreshes Metadata and goes to the leader
      } else if (!p.records || p.records->empty()) {
        pr.error = Errc::corrupt_message;
      } else if (req->acks == -1 && !cluster_->check_min_isr(t.name, p.partition, log->config().min_insync_replicas)) {
        // Too few replicas in sync to keep the promise of acks=all: nothing is written.
        pr.error = Errc::not_enough_replicas;
      } else {
        // acks=-1 ("all") means "all in-sync replicas have it": the answer waits until the
        // high watermark has passed the batch (chapter 4). A single broker is its own ISR.
        // flush.messages=1 asks for an fsync per append; instead, the fsync is deferred and
        // shared with every other append that arrives before it (group commit), and the
        // answer waits for it.
        const bool sync_first = log->config().flush.interval_messages == 1 && req->acks != 0;
        if (sync_first) log->defer_flush(true);
        auto appended = log->append(mutable_within(frame, *p.records));
        if (sync_first && appended && !appended->duplicate) {
          auto handle = logs_.partition_handle(t.name, p.partition);
          durable.push_back({r.topics.size(), tr.partitions.size(), handle});
          if (std::none_of(dirty_.begin(), dirty_.end(), [&](const auto& d) { return d.lock().get() == log; }))
            dirty_.push_back(std::move(handle));
        }
        if (appended) {
          pr.base_offset = appended->first_offset;
          pr.log_start_offset = log->log_start_offset();
          wake_fetches(t.name, p.partition);
          cluster_->on_leader_append(t.name, p.partition, *log);
          if (req->acks == -1)
            replicated.push_back({r.topics.size(), tr.partitions.size(), t.name, p.partition,
                                  appended->last_offset + 1, log->leader_epoch().value_or(-1),
                                  log->config().min_insync_replicas});
        } else {
          pr.error = appended.error().code;
          spdlog::debug("produce to {}-{} refused: {}", t.name, p.partition, appended.error().describe());
        }
      }
      tr.partitions.push_back(pr);
    }
    r.topics.push_back(std::move(tr));
  }
  if (req->acks == 0) {
    // The client asked for no answer, so it gets none — not even an error. (Kafka
    // closes the connection on errors with acks=0 so that the client notices.)
    Outcome o;
    o.kind = Outcome::Kind::no_response;
    return o;
  }
  if (!replicated.empty()) {
    // Parked until every partition's high watermark has passed its batch (or the
    // request's timeout_ms). With flush.messages=1 as well, the fsync comes first: the
    // response waits in awaiting_sync_ until then.
    AwaitingReplication waiting{h.correlation_id, h.api_version, std::move(r), std::move(replicated),
                                clock_.monotonic_ms() + std::max(req->timeout_ms, 0), durable.empty(), std::nullopt};
    // Most often (a single broker, or an ISR of one) the answer is known at once.
    if (durable.empty() && settle(waiting, clock_.monotonic_ms()))
      return respond(h.correlation_id, finish_replicated(waiting));
    const auto id = next_deferred_id_++;
    if (!durable.empty())
      awaiting_sync_[id] = {h.correlation_id, h.api_version, std::move(waiting.response), std::move(durable)};
    return defer_replicated(id, std::move(waiting));
  }
  if (!durable.empty()) {
    const auto id = next_deferred_id_++;
    awaiting_sync_[id] = {h.correlation_id, h.api_version, std::move(r), std::move(durable)};
    Outcome o;
    o.kind = Outcome::Kind::deferred;
    o.deferred_id = id;
    return o;
  }
  return respond(h.correlation_id, protocol::encode_produce_response(r, h.api_version));
}

protocol::FetchResponse RequestHandler::read_partitions(const protocol::FetchRequest& request,
                                                        std::uint64_t& total_bytes) {
  protocol::FetchResponse r;
  total_bytes = 0;
  std::int64_t budget = request.max_bytes;
  for (const auto& t : request.topics) {
    protocol::FetchTopicResponse tr;
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::FetchPartitionResponse pr;
      pr.partition = p.partition;
      log::Log* log = logs_.partition(t.name, p.partition);
      if (!log || !cluster_->leads(t.name, p.partition)) {
        pr.error = log ? Errc::not_leader_or_follower : Errc::unknown_topic_or_partition;
        tr.partitions.push_back(pr);
        continue;
      }
      if (auto epoch = cluster_->check_leader_epoch(t.name, p.partition, p.current_leader_epoch); !epoch) {
        pr.error = epoch.error().code;
        tr.partitions.push_back(pr);
        continue;
      }
      // A follower's fetch offset is its log end: the leader learns from it how far the
      // follower has copied, before reading (the high watermark may move).
      if (request.replica_id >= 0)
        cluster_->on_follower_fetch(t.name, p.partition, request.replica_id, p.fetch_offset, p.log_start_offset,
                                    *log);
      pr.high_watermark = cluster_->high_watermark(t.name, p.partition, *log);
      // Consumers read below the high watermark only: what is above it is not committed
      // yet, and might still disappear in a failover (chapter 4).
      std::int64_t read_end = pr.high_watermark;
      if (request.replica_id >= 0) read_end = log->log_end_offset();  // followers copy everything
      pr.last_stable_offset = pr.high_watermark;  // no transactions: nothing is pending
      pr.log_start_offset = log->log_start_offset();
      // KIP-74: the limits never stop the first batch of the first partition that has
      // data, or a batch larger than them would block its consumer forever. Every later
      // batch must fit: a consumer sizes its receive buffer from max_bytes (librdkafka:
      // fetch.max.bytes + 512) and drops a connection whose response is larger.
      const bool first = total_bytes == 0;
      if (budget > 0 || first) {
        auto limit = static_cast<std::uint64_t>(std::max<std::int64_t>(
            0, std::min<std::int64_t>(p.partition_max_bytes, std::max<std::int64_t>(budget, 0))));
        auto range = log->read(p.fetch_offset, limit, read_end);  // at least one batch, however large
        if (!range) {
          pr.error = range.error().code;
        } else if (range->size > 0 && (first || range->size <= limit)) {
          total_bytes += range->size;
          budget -= static_cast<std::int64_t>(range->size);
          pr.records_file = *range;
        }
      }
      tr.partitions.push_back(pr);
    }
    r.topics.push_back(std::move(tr));
  }
  return r;
}

Outcome RequestHandler::handle_fetch(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_fetch_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  std::uint64_t total = 0;
  auto r = read_partitions(*req, total);
  if (total < static_cast<std::uint64_t>(std::max(req->min_bytes, 0)) && req->max_wait_ms > 0 && !has_error(r)) {
    Outcome o;
    o.kind = Outcome::Kind::deferred;
    o.deferred_id = next_deferred_id_++;
    const auto deadline = clock_.monotonic_ms() + req->max_wait_ms;
    for (const auto& t : req->topics)
      for (const auto& p : t.partitions) waiting_on_[{t.name, p.partition}].insert(o.deferred_id);
    fetch_deadlines_.emplace(deadline, o.deferred_id);
    deferred_.emplace(o.deferred_id, DeferredFetch{h.correlation_id, h.api_version, std::move(*req), deadline});
    return o;
  }
  Outcome o;
  o.response = fetch_frame(h.correlation_id, h.api_version, r);
  return o;
}

void RequestHandler::wake_fetches(const std::string& topic, std::int32_t partition) {
  auto it = waiting_on_.find({topic, partition});
  if (it != waiting_on_.end()) woken_.insert(it->second.begin(), it->second.end());
}

void RequestHandler::forget_fetch(std::map<std::uint64_t, DeferredFetch>::iterator it) {
  for (const auto& t : it->second.request.topics)
    for (const auto& p : t.partitions) {
      auto w = waiting_on_.find({t.name, p.partition});
      if (w == waiting_on_.end()) continue;
      w->second.erase(it->first);
      if (w->second.empty()) waiting_on_.erase(w);
    }
  fetch_deadlines_.erase({it->second.deadline_ms, it->first});
  woken_.erase(it->first);
  deferred_.erase(it);
}

bool RequestHandler::has_completions() const {
  if (coordinator_.has_completed() || !awaiting_sync_.empty()) return true;
  if (!woken_produces_.empty() ||
      (!produce_deadlines_.empty() && produce_deadlines_.begin()->first <= clock_.monotonic_ms()))
    return true;
  return !woken_.empty() ||
         (!fetch_deadlines_.empty() && fetch_deadlines_.begin()->first <= clock_.monotonic_ms());
}

void RequestHandler::cancel_deferred(std::uint64_t id) {
  if (auto it = deferred_.find(id); it != deferred_.end()) forget_fetch(it);
  if (deferred_groups_.erase(id) > 0) coordinator_.cancel(id);
  awaiting_sync_.erase(id);
  if (auto it = awaiting_replication_.find(id); it != awaiting_replication_.end()) forget_produce(it);
}

std::vector<Completed> RequestHandler::poll_deferred() {
  std::vector<Completed> done;
  const std::int64_t now = clock_.monotonic_ms();
  sync_durable_appends(done);
  // Time moves the group coordinator too: sessions expire, rebalances time out.
  coordinator_.tick();
  persist_group_records();
  for (const auto& c : coordinator_.take_completed())
    if (auto finished = finish_group_request(c)) done.push_back(std::move(*finished));
  complete_replicated_produces(done, now);
  // Only the parked fetches that an append woke and those whose time is up: the others'
  // answers cannot have changed.
  std::set<std::uint64_t> due = std::exchange(woken_, {});
  for (auto it = fetch_deadlines_.begin(); it != fetch_deadlines_.end() && it->first <= now; ++it)
    due.insert(it->second);
  for (auto id : due) {
    auto it = deferred_.find(id);
    if (it == deferred_.end()) continue;
    ++fetch_rechecks_;
    std::uint64_t total = 0;
    auto r = read_partitions(it->second.request, total);
    if (total >= static_cast<std::uint64_t>(std::max(it->second.request.min_bytes, 0)) || has_error(r) ||
        now >= it->second.deadline_ms) {
      done.push_back({it->first, fetch_frame(it->second.correlation_id, it->second.version, r)});
      forget_fetch(it);
    }
  }
  return done;
}

std::optional<std::int64_t> RequestHandler::next_deadline_ms() const {
  std::optional<std::int64_t> earliest;
  if (!fetch_deadlines_.empty()) earliest = fetch_deadlines_.begin()->first;
  if (auto g = coordinator_.next_deadline_ms(); g && (!earliest || *g < *earliest)) earliest = g;
  if (!produce_deadlines_.empty() && (!earliest || produce_deadlines_.begin()->first < *earliest))
    earliest = produce_deadlines_.begin()->first;
  return earliest;
}

Outcome RequestHandler::handle_list_offsets(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_list_offsets_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::ListOffsetsResponse r;
  for (const auto& t : req->topics) {
    protocol::ListOffsetsTopicResponse tr;
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::ListOffsetsPartitionResponse pr;
      pr.partition = p.partition;
      log::Log* log = logs_.partition(t.name, p.partition);
      if (!log) {
        pr.error = Errc::unknown_topic_or_partition;
      } else if (req->replica_id == protocol::kDebugReplicaId && p.timestamp == protocol::kLatestTimestamp) {
        // The debug replica id asks any replica, follower or leader, for its own log end
        // (`streamcraft topic describe` shows how far each replica has copied).
        pr.offset = log->log_end_offset();
      } else if (!cluster_->leads(t.name, p.partition)) {
        pr.error = Errc::not_leader_or_follower;
      } else if (auto epoch = cluster_->check_leader_epoch(t.name, p.partition, p.current_leader_epoch); !epoch) {
        pr.error = epoch.error().code;
      } else if (p.timestamp == protocol::kEarliestTimestamp) {
        pr.offset = log->log_start_offset();
      } else if (p.timestamp == protocol::kLatestTimestamp) {
        // "Latest" is the end of what consumers may read: the high watermark.
        pr.offset = cluster_->high_watermark(t.name, p.partition, *log);
      } else {
        auto found = log->offset_for_timestamp(p.timestamp);
        if (!found) {
          pr.error = found.error().code;
        } else if (*found) {
          pr.offset = **found;
          pr.timestamp = p.timestamp;
        }
      }
      tr.partitions.push_back(pr);
    }
    r.topics.push_back(std::move(tr));
  }
  return respond(h.correlation_id, protocol::encode_list_offsets_response(r, h.api_version));
}

Outcome RequestHandler::handle_create_topics(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_create_topics_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::CreateTopicsResponse r;
  std::set<std::string> seen;
  for (const auto& t : req->topics) {
    protocol::TopicResult result{t.name, Errc::none, std::nullopt};
    auto fail = [&](Error e) {
      result.error = e.code;
      result.error_message = e.message;
    };
    if (!seen.insert(t.name).second) {
      fail(make_error(Errc::invalid_request, "topic listed twice in one request"));
    } else if (auto asked = cluster_->create_topic(new_topic(t, req->validate_only), TopicRequest::explicit_request)) {
      if (!asked->ok()) fail(asked->error());
    } else if (auto placed = cluster_->check_replication(t.replication_factor); !placed) {
      fail(placed.error());
    } else if (!t.assignments.empty()) {
      fail(make_error(Errc::invalid_request, "manual replica assignments are not supported"));
    } else {
      std::vector<std::pair<std::string, std::string>> overrides;
      for (const auto& [key, value] : t.configs)
        if (value) overrides.emplace_back(key, *value);
      auto created = logs_.create_topic(t.name, t.num_partitions, overrides, req->validate_only);
      if (!created) fail(created.error());
    }
    r.topics.push_back(std::move(result));
  }
  return respond(h.correlation_id, protocol::encode_create_topics_response(r, h.api_version));
}

Outcome RequestHandler::handle_delete_topics(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_delete_topics_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::DeleteTopicsResponse r;
  for (const auto& name : req->names) {
    if (auto asked = cluster_->delete_topic(name)) {
      r.topics.push_back({name, asked->ok() ? Errc::none : asked->error().code, std::nullopt});
      continue;
    }
    const auto* topic = logs_.topic(name);
    // Fetches parked on the topic's partitions must learn that it is gone.
    for (std::int32_t p = 0; topic && p < topic->partitions; ++p) wake_fetches(name, p);
    auto s = logs_.delete_topic(name);
    r.topics.push_back({name, s ? Errc::none : s.error().code, std::nullopt});
  }
  return respond(h.correlation_id, protocol::encode_delete_topics_response(r, h.api_version));
}


void RequestHandler::sync_durable_appends(std::vector<Completed>& done) {
  // One fsync per log, however many appends it collected: the cost of durability is
  // shared by every producer that wrote in the meantime.
  // Keyed by the handle's owner, not the address: a log created after a deletion may
  // reuse a deleted log's address.
  std::map<std::weak_ptr<log::Log>, Errc, std::owner_less<>> result;
  for (const auto& handle : dirty_) {
    auto log = handle.lock();
    if (!log) continue;  // deleted since the append
    auto s = log->flush();
    result[handle] = s ? Errc::none : s.error().code;
    if (!s) spdlog::error("durable append: {}", s.error().describe());
  }
  dirty_.clear();
  for (auto& [id, waiting] : awaiting_sync_) {
    for (const auto& d : waiting.durable) {
      // Every live log of a waiting response went into dirty_ at its append, so it was
      // synced just now; a failed fsync turns the acknowledgement into an error, and a
      // log deleted meanwhile took the records with it.
      auto it = result.find(d.log);
      auto& error = waiting.response.topics[d.topic_index].partitions[d.partition_index].error;
      if (it == result.end()) error = Errc::unknown_topic_or_partition;
      else if (it->second != Errc::none) error = it->second;
    }
    if (auto rep = awaiting_replication_.find(id); rep != awaiting_replication_.end()) {
      // Synced; now it waits for the followers (acks=all).
      rep->second.response = std::move(waiting.response);
      rep->second.synced = true;
      woken_produces_.insert(id);
      continue;
    }
    done.push_back({id, response_frame(waiting.correlation_id,
                                       protocol::encode_produce_response(waiting.response, waiting.version))});
  }
  awaiting_sync_.clear();
}

void RequestHandler::partition_changed(const std::string& topic, std::int32_t partition) {
  wake_fetches(topic, partition);
  auto it = produces_waiting_on_.find({topic, partition});
  if (it != produces_waiting_on_.end()) woken_produces_.insert(it->second.begin(), it->second.end());
}

void RequestHandler::forget_produce(std::map<std::uint64_t, AwaitingReplication>::iterator it) {
  for (const auto& part : it->second.parts) {
    auto w = produces_waiting_on_.find({part.topic, part.partition});
    if (w == produces_waiting_on_.end()) continue;
    w->second.erase(it->first);
    if (w->second.empty()) produces_waiting_on_.erase(w);
  }
  produce_deadlines_.erase({it->second.deadline_ms, it->first});
  woken_produces_.erase(it->first);
  awaiting_replication_.erase(it);
}

Outcome RequestHandler::defer_replicated(std::uint64_t id, AwaitingReplication waiting) {
  for (const auto& part : waiting.parts) produces_waiting_on_[{part.topic, part.partition}].insert(id);
  produce_deadlines_.emplace(waiting.deadline_ms, id);
  woken_produces_.insert(id);  // the high watermark may have passed already (an ISR of one)
  awaiting_replication_.emplace(id, std::move(waiting));
  Outcome o;
  o.kind = Outcome::Kind::deferred;
  o.deferred_id = id;
  return o;
}

Errc& RequestHandler::outcome_of(AwaitingReplication& waiting, const AwaitingReplication::Part& part) {
  if (waiting.commit) return waiting.commit->error;
  return waiting.response.topics[part.topic_index].partitions[part.partition_index].error;
}

Bytes RequestHandler::finish_replicated(AwaitingReplication& waiting) {
  if (waiting.commit) return finish_commit(*waiting.commit, waiting.version);
  return protocol::encode_produce_response(waiting.response, waiting.version);
}

void RequestHandler::complete_replicated_produces(std::vector<Completed>& done, std::int64_t now) {
  std::set<std::uint64_t> due = std::exchange(woken_produces_, {});
  for (auto it = produce_deadlines_.begin(); it != produce_deadlines_.end() && it->first <= now; ++it)
    due.insert(it->second);
  for (auto id : due) {
    auto it = awaiting_replication_.find(id);
    if (it == awaiting_replication_.end() || !it->second.synced) continue;
    if (!settle(it->second, now)) continue;
    done.push_back({id, response_frame(it->second.correlation_id, finish_replicated(it->second))});
    forget_produce(it);
  }
}

bool RequestHandler::settle(AwaitingReplication& waiting, std::int64_t now) {
  const bool timed_out = now >= waiting.deadline_ms;
  bool pending = false;
  for (const auto& part : waiting.parts) {
    auto& error = outcome_of(waiting, part);
    if (error != Errc::none) continue;  // decided already (a failed fsync, an earlier outcome)
    const log::Log* log = logs_.partition(part.topic, part.partition);
    if (!log) {
      error = Errc::unknown_topic_or_partition;  // deleted meanwhile, records and all
      continue;
    }
    auto outcome = cluster_->acks_all_outcome(part.topic, part.partition, part.required_offset, part.leader_epoch,
                                              part.min_insync_replicas, *log);
    if (!outcome) {
      // Not replicated far enough yet. At the deadline: REQUEST_TIMED_OUT — the batch is
      // in the leader's log and may still be committed; a retry may duplicate it (the
      // idempotent producer's sequence numbers catch that).
      if (timed_out) error = Errc::request_timed_out;
      else pending = true;
    } else if (!*outcome) {
      error = outcome->error().code;
    }
  }
  return !pending;
}

Outcome RequestHandler::handle_offsets_for_leader_epoch(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_offsets_for_leader_epoch_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  protocol::OffsetsForLeaderEpochResponse r;
  for (const auto& t : req->topics) {
    protocol::OffsetsForLeaderEpochTopicResponse tr;
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      protocol::OffsetsForLeaderEpochPartitionResponse pr;
      pr.partition = p.partition;
      const log::Log* log = logs_.partition(t.name, p.partition);
      if (!log) {
        pr.error = Errc::unknown_topic_or_partition;
      } else if (!cluster_->leads(t.name, p.partition)) {
        pr.error = Errc::not_leader_or_follower;
      } else if (auto epoch = cluster_->check_leader_epoch(t.name, p.partition, p.current_leader_epoch); !epoch) {
        pr.error = epoch.error().code;
      } else {
        const auto end = log->end_offset_for_epoch(p.leader_epoch);
        pr.leader_epoch = end.epoch;
        pr.end_offset = end.end_offset;
        // A consumer (replica_id -1) is told no more than it may read: the current
        // epoch ends, for it, at the high watermark.
        if (req->replica_id == protocol::kConsumerReplicaId && end.end_offset == log->log_end_offset())
          pr.end_offset = cluster_->high_watermark(t.name, p.partition, *log);
      }
      tr.partitions.push_back(pr);
    }
    r.topics.push_back(std::move(tr));
  }
  return respond(h.correlation_id, protocol::encode_offsets_for_leader_epoch_response(r, h.api_version));
}

Outcome RequestHandler::handle_elect_leaders(const protocol::RequestHeader& h, ByteSpan body) {
  auto req = protocol::decode_elect_leaders_request(body, h.api_version);
  if (!req) return close_with(req.error().message);
  std::optional<std::vector<TopicPartitionId>> asked;
  if (req->topic_partitions) {
    asked.emplace();
    for (const auto& t : *req->topic_partitions)
      for (auto p : t.partitions) asked->emplace_back(t.topic, p);
  }
  protocol::ElectLeadersResponse r;
  auto add = [&r](const std::string& topic, std::int32_t partition, Errc e, std::optional<std::string> message) {
    auto t = std::find_if(r.results.begin(), r.results.end(), [&](const auto& x) { return x.topic == topic; });
    if (t == r.results.end()) t = r.results.insert(r.results.end(), {topic, {}});
    t->partition_results.push_back({partition, e, std::move(message)});
  };
  // An error for the whole request, in Kafka's shape: top-level (v1) and on every
  // partition asked about (v0 has no other place for it).
  auto refuse = [&](const Error& e) {
    r.error = e.code;
    if (asked)
      for (const auto& [topic, partition] : *asked) add(topic, partition, e.code, e.message);
    return respond(h.correlation_id, protocol::encode_elect_leaders_response(r, h.api_version));
  };
  if (req->election_type != protocol::kPreferredElection)
    return refuse(make_error(Errc::invalid_request, "only preferred-leader elections are taken by request"));
  auto elected = cluster_->elect_preferred_leaders(asked);
  if (!elected) {
    // A cluster of one: its only replica is every partition's preferred one, and leads it.
    if (asked)
      for (const auto& [topic, partition] : *asked)
        add(topic, partition, logs_.partition(topic, partition) ? Errc::election_not_needed : Errc::unknown_topic_or_partition,
            std::nullopt);
  } else if (!*elected) {
    return refuse(elected->error());
  } else {
    for (const auto& e : **elected) {
      // Asked about every partition, Kafka lists only those it changed or could not.
      if (!asked && e.error == Errc::election_not_needed) continue;
      add(e.topic, e.partition, e.error, std::nullopt);
    }
  }
  return respond(h.correlation_id, protocol::encode_elect_leaders_response(r, h.api_version));
}

NewTopic RequestHandler::new_topic(const protocol::CreatableTopic& t, bool validate_only) {
  NewTopic n{t.name, t.num_partitions, t.replication_factor, {}, {}, validate_only};
  for (const auto& [partition, replicas] : t.assignments) {
    if (partition >= 0 && static_cast<std::size_t>(partition) >= n.assignment.size())
      n.assignment.resize(static_cast<std::size_t>(partition) + 1);
    if (partition >= 0) n.assignment[static_cast<std::size_t>(partition)] = replicas;
  }
  for (const auto& [key, value] : t.configs)
    if (value) n.configs.emplace_back(key, *value);
  return n;
}

}  // namespace streamcraft::broker
