// generated from final/cli/client_commands.cpp; edit there
// cli/client_commands.cpp — `streamcraft topic …`, `produce`, `consume`: a broker's client.
//
// The same jobs as Kafka's kafka-topics, kafka-console-producer and -consumer, through
// the small client library (client/). Everything talks to one broker (--bootstrap).
//
// `consume --group G` consumes as a member of consumer group G (client/group_consumer.h):
// the group shares the topic's partitions among its members, and each batch's offsets
// are committed once it has been printed, so the next member starts where this one stopped.
#include <algorithm>
#include <chrono>
#include <map>
#include <iostream>
#include <thread>
#include <csignal>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "client/cluster_clients.h"
#include "cli/commands.h"
#include "client/group_consumer.h"
#include "client/kafka_client.h"
#include "client/partitioner.h"
#include "protocol/offsets_for_leader_epoch.h"
#include "common/clock.h"
#include "record/record.h"

namespace streamcraft::cli {

using client::ClusterClients;
namespace {

int fail(const Error& e) {
  fmt::print(stderr, "error: {}\n", e.describe());
  return 1;
}

Result<std::unique_ptr<client::KafkaClient>> connect(const std::string& bootstrap) {
  return client::KafkaClient::connect(bootstrap, "streamcraft-cli");
}

struct TopicOptions {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  std::int32_t partitions = -1;
  std::vector<std::string> configs;
  std::int16_t replication_factor = -1;
};

int run_topic_create(const TopicOptions& o) {
  auto c = connect(o.bootstrap);
  if (!c) return fail(c.error());
  protocol::CreatableTopic t;
  t.name = o.topic;
  t.num_partitions = o.partitions;
  t.replication_factor = o.replication_factor;
  for (const auto& kv : o.configs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) return fail(make_error(Errc::invalid_config, "--config expects key=value"));
    t.configs.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  protocol::CreateTopicsRequest req;
  req.topics = {t};
  // Only the controller creates topics (a broker alone is its own controller).
  ClusterClients cluster(**c);
  auto controller = cluster.controller();
  if (!controller) return fail(controller.error());
  auto resp = (*controller)->create_topics(req);
  if (!resp) return fail(resp.error());
  const auto& r = resp->topics.at(0);
  if (r.error != Errc::none) return fail(make_error(r.error, r.error_message.value_or("")));
  fmt::print("created topic {}\n", o.topic);
  return 0;
}

int run_topic_delete(const TopicOptions& o) {
  auto c = connect(o.bootstrap);
  if (!c) return fail(c.error());
  protocol::DeleteTopicsRequest req;
  req.names = {o.topic};
  ClusterClients cluster(**c);
  auto controller = cluster.controller();
  if (!controller) return fail(controller.error());
  auto resp = (*controller)->delete_topics(req);
  if (!resp) return fail(resp.error());
  if (auto e = resp->topics.at(0).error; e != Errc::none) return fail(make_error(e, "topic " + o.topic));
  fmt::print("deleted topic {}\n", o.topic);
  return 0;
}

// A partition's replicas: the leader's epoch and ISR from Metadata, and each replica's own
// log end, asked of that replica with ListOffsets' debug replica id (-2), which a follower
// answers too (as Kafka's brokers do). A follower behind the leader is still copying.
void describe_replicas(ClusterClients& cluster, const std::string& topic, const protocol::MetadataPartition& p) {
  fmt::print("    leader epoch {}, replicas [{}], isr [{}]", p.leader_epoch, fmt::join(p.replicas, ","),
             fmt::join(p.isr, ","));
  if (!p.offline_replicas.empty()) fmt::print(", offline [{}]", fmt::join(p.offline_replicas, ","));
  fmt::print("\n");
  for (auto replica : p.replicas) {
    auto c = cluster.node(replica);
    if (!c) {
      fmt::print("    replica {}: unreachable ({})\n", replica, c.error().describe());
      continue;
    }
    protocol::ListOffsetsRequest req;
    req.replica_id = protocol::kDebugReplicaId;
    req.topics = {{topic, {{p.partition, protocol::kLatestTimestamp, 1}}}};
    auto r = (*c)->list_offsets(req);
    if (!r || r->topics.empty() || r->topics[0].partitions.empty()) {
      fmt::print("    replica {}: no answer\n", replica);
      continue;
    }
    const auto& answer = r->topics[0].partitions[0];
    if (answer.error != Errc::none) fmt::print("    replica {}: {}\n", replica, errc_name(answer.error));
    else fmt::print("    replica {}: log end {}\n", replica, answer.offset);
  }
}

int run_topic_list(const TopicOptions& o, bool describe) {
  auto c = connect(o.bootstrap);
  if (!c) return fail(c.error());
  std::optional<std::vector<std::string>> wanted;
  if (!o.topic.empty()) wanted = std::vector<std::string>{o.topic};
  ClusterClients cluster(**c);
  auto md = cluster.metadata(wanted, false, describe ? 5'000 : 0);
  if (!md) return fail(md.error());
  std::sort(md->topics.begin(), md->topics.end(), [](auto& a, auto& b) { return a.name < b.name; });
  for (const auto& t : md->topics) {
    if (t.error != Errc::none) return fail(make_error(t.error, "topic " + t.name));
    if (!describe) {
      fmt::print("{}\n", t.name);
      continue;
    }
    // Offsets per partition, from its leader: earliest (log start) and latest (the end
    // of what consumers may read).
    fmt::print("topic {}: {} partition(s)\n", t.name, t.partitions.size());
    for (const auto& p : t.partitions) {
      auto leader = cluster.leader(t.name, p.partition);
      if (!leader) return fail(leader.error());
      protocol::ListOffsetsRequest earliest, latest;
      earliest.topics = {{t.name, {{p.partition, protocol::kEarliestTimestamp, 1}}}};
      latest.topics = {{t.name, {{p.partition, protocol::kLatestTimestamp, 1}}}};
      auto lo = (*leader)->list_offsets(earliest);
      auto hi = (*leader)->list_offsets(latest);
      if (!lo) return fail(lo.error());
      if (!hi) return fail(hi.error());
      fmt::print("  partition {}: leader {}, offsets {}..{}\n", p.partition, p.leader,
                 lo->topics[0].partitions[0].offset, hi->topics[0].partitions[0].offset);
      describe_replicas(cluster, t.name, p);
    }
  }
  return 0;
}

struct ProduceOptions {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  std::int32_t partition = -1;
  std::string key_separator;
  std::int16_t acks = -1;
  std::size_t batch_records = 500;
};

int run_produce(const ProduceOptions& o) {
  auto c = connect(o.bootstrap);
  if (!c) return fail(c.error());
  // Each partition's batches go to its leader.
  ClusterClients cluster(**c);
  auto md = cluster.metadata(std::vector<std::string>{o.topic}, true);
  if (!md) return fail(md.error());
  const auto& t = md->topics.at(0);
  if (t.error != Errc::none) return fail(make_error(t.error, "topic " + o.topic));
  const auto partitions = static_cast<std::int32_t>(t.partitions.size());
  SystemClock clock;
  // Records are grouped per partition into batches, as a producer does: one batch per
  // partition per request, sent when it is full or at the end of the input.
  std::map<std::int32_t, std::vector<record::RecordSpec>> pending;
  std::int64_t produced = 0, round_robin = 0;
  // Sends one partition's pending records as a batch; an error is printed and returned.
  auto send = [&](std::int32_t partition) -> Status {
    auto& records = pending[partition];
    if (records.empty()) return {};
    auto batch = record::build_batch(records);
    protocol::ProduceRequest req;
    req.acks = o.acks;
    req.topics = {{o.topic, {{partition, ByteSpan(batch)}}}};
    // A leader that has not heard of its leadership yet (a topic just created, a failover
    // under way) refuses with NOT_LEADER_OR_FOLLOWER and writes nothing, so the batch is
    // sent again on fresh metadata, as a producer's retries do — a few times, not forever.
    for (int attempt = 1;; ++attempt) {
      auto leader = cluster.leader(o.topic, partition);
      if (!leader) return leader.error();
      auto* to = *leader;
      if (o.acks == 0) {  // no response will come: just send
        auto version = *to->version(protocol::ApiKey::produce);
        if (auto id = to->send(protocol::ApiKey::produce, protocol::encode_produce_request(req, version)); !id)
          return id.error();
        break;
      }
      auto resp = to->produce(req);
      if (!resp) return resp.error();
      const auto& p = resp->topics.at(0).partitions.at(0);
      const bool moved = p.error == Errc::not_leader_or_follower || p.error == Errc::leader_not_available;
      if (moved && attempt < 10) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // retry.backoff.ms
        if (auto fresh = cluster.metadata(std::vector<std::string>{o.topic}, false); !fresh) return fresh.error();
        continue;
      }
      if (p.error != Errc::none) return make_error(p.error, fmt::format("partition {}", partition));
      break;
    }
    produced += static_cast<std::int64_t>(records.size());
    records.clear();
    return {};
  };
  for (std::string line; std::getline(std::cin, line);) {
    record::RecordSpec r;
    r.timestamp = clock.now_ms();
    auto sep = o.key_separator.empty() ? std::string::npos : line.find(o.key_separator);
    if (sep != std::string::npos) {
      r.key = line.substr(0, sep);
      r.value = line.substr(sep + o.key_separator.size());
    } else {
      r.value = line;
    }
    std::int32_t partition = o.partition >= 0        ? o.partition
                             : r.key                  ? client::partition_for_key(*r.key, partitions)
                                                      : static_cast<std::int32_t>(round_robin++ % partitions);
    pending[partition].push_back(std::move(r));
    if (pending[partition].size() >= o.batch_records)
      if (auto s = send(partition); !s) return fail(s.error());
  }
  for (auto& [partition, records] : pending)
    if (auto s = send(partition); !s) return fail(s.error());
  fmt::print(stderr, "produced {} record(s) to {}\n", produced, o.topic);
  return 0;
}

struct ConsumeOptions {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic;
  std::vector<std::int32_t> partitions;
  std::string from = "earliest";
  bool follow = false;
  std::int64_t count = -1;
  std::string format = "%k:%v";
  // Kafka's consumer defaults: fetch.max.bytes and max.partition.fetch.bytes.
  std::int32_t max_bytes = 52'428'800;
  std::int32_t max_partition_bytes = 1'048'576;
  std::string group;  // consume as a member of this consumer group
};

std::string field(const std::optional<ByteSpan>& b) { return b ? std::string(as_chars(*b)) : ""; }
std::string field(const std::optional<std::string>& s) { return s.value_or(""); }

// Any record type with key, value, offset and timestamp members.
template <class Record>
std::string render(const std::string& format, const Record& r, std::int32_t partition) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    switch (format[++i]) {
      case 'k': out += field(r.key); break;
      case 'v': out += field(r.value); break;
      case 'o': out += std::to_string(r.offset); break;
      case 'p': out += std::to_string(partition); break;
      case 't': out += std::to_string(r.timestamp); break;
      default: out += format[i];
    }
  }
  return out;
}

volatile std::sig_atomic_t interrupted = 0;

// A commit refused because the group rebalanced is a warning, not a failure: the consumer
// rejoins in its next poll(), and the next owner of those partitions prints the records
// since our last commit again.
Status tolerate_rebalance(Status s) {
  if (s.ok()) return s;
  const auto code = s.error().code;
  if (code != Errc::rebalance_in_progress && code != Errc::illegal_generation && code != Errc::unknown_member_id)
    return s;
  fmt::print(stderr, "warning: {} (the group rebalanced; some records may be printed twice)\n", s.error().describe());
  return {};
}

// consume --group: poll, print, commit, until caught up (or, with --follow, interrupted).
int run_group_consume(const ConsumeOptions& o) {
  if (!o.partitions.empty())
    return fail(make_error(Errc::invalid_config, "--partition cannot be used with --group: the group assigns partitions"));
  if (o.from != "earliest" && o.from != "latest")
    return fail(make_error(Errc::invalid_config,
                           "with --group, --from is earliest or latest (where to start without a committed offset); "
                           "move a group's offsets with `streamcraft group reset-offsets`"));
  {
    // The group's leader assigns only partitions of topics that exist: say so now, rather
    // than joining and being assigned nothing.
    auto c = connect(o.bootstrap);
    if (!c) return fail(c.error());
    auto md = (*c)->metadata(std::vector<std::string>{o.topic}, false);
    if (!md) return fail(md.error());
    if (auto e = md->topics.at(0).error; e != Errc::none) return fail(make_error(e, "topic " + o.topic));
  }
  client::GroupConsumerConfig config;
  config.bootstrap = o.bootstrap;
  config.group_id = o.group;
  config.topics = {o.topic};
  config.client_id = "streamcraft-cli";
  config.auto_offset_reset = o.from == "latest" ? client::OffsetReset::latest : client::OffsetReset::earliest;
  auto consumer = client::GroupConsumer::open(config);
  if (!consumer) return fail(consumer.error());
  auto& gc = **consumer;
  // Ctrl-C ends a --follow run cleanly: commit, LeaveGroup, and the others rebalance now
  // rather than after our session timeout. poll() returns at least every 500 ms to look.
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  std::int64_t printed = 0;
  while (!interrupted) {
    auto records = gc.poll(std::chrono::milliseconds(500));
    if (!records) return fail(records.error());
    for (std::size_t i = 0; i < records->size(); ++i) {
      const auto& r = (*records)[i];
      fmt::print("{}\n", render(o.format, r, r.partition));
      if (o.count >= 0 && ++printed >= o.count) {
        // Stop mid-batch: hand back what was not printed, so that it stays uncommitted.
        std::map<client::TopicPartition, std::int64_t> first_unprinted;
        for (std::size_t j = records->size(); j-- > i + 1;)
          first_unprinted[{(*records)[j].topic, (*records)[j].partition}] = (*records)[j].offset;
        for (const auto& [tp, offset] : first_unprinted)
          if (auto s = gc.seek(tp, offset); !s) return fail(s.error());
        std::fflush(stdout);
        if (auto s = tolerate_rebalance(gc.close()); !s) return fail(s.error());
        return 0;
      }
    }
    std::fflush(stdout);
    if (auto s = tolerate_rebalance(gc.commit()); !s) return fail(s.error());
    if (records->empty() && gc.caught_up() && !o.follow) break;
  }
  if (auto s = tolerate_rebalance(gc.close()); !s) return fail(s.error());
  return 0;
}

int run_consume(const ConsumeOptions& o) {
  if (!o.group.empty()) return run_group_consume(o);
  auto c = connect(o.bootstrap);
  if (!c) return fail(c.error());
  // Each partition is read from its leader.
  ClusterClients cluster(**c);
  auto md = cluster.metadata(std::vector<std::string>{o.topic}, false);
  if (!md) return fail(md.error());
  const auto& t = md->topics.at(0);
  if (t.error != Errc::none) return fail(make_error(t.error, "topic " + o.topic));
  std::vector<std::int32_t> partitions = o.partitions;
  if (partitions.empty())
    for (const auto& p : t.partitions) partitions.push_back(p.partition);

  // Where to start: earliest, latest, an offset, or a timestamp (ListOffsets).
  std::map<std::int32_t, std::int64_t> position;
  std::int64_t start_ts = protocol::kEarliestTimestamp;
  if (o.from == "latest") start_ts = protocol::kLatestTimestamp;
  else if (o.from.starts_with("timestamp:")) start_ts = std::stoll(o.from.substr(10));
  if (o.from.starts_with("offset:")) {
    for (auto p : partitions) position[p] = std::stoll(o.from.substr(7));
  } else {
    for (auto partition : partitions) {
      auto leader = cluster.leader(o.topic, partition);
      if (!leader) return fail(leader.error());
      protocol::ListOffsetsRequest req;
      req.topics = {{o.topic, {{partition, start_ts, 1}}}};
      auto resp = (*leader)->list_offsets(req);
      if (!resp) return fail(resp.error());
      const auto& p = resp->topics.at(0).partitions.at(0);
      if (p.error != Errc::none) return fail(make_error(p.error, fmt::format("partition {}", p.partition)));
      std::int64_t at = p.offset;
      if (at < 0) {  // no record that late: start at the end
        protocol::ListOffsetsRequest end;
        end.topics = {{o.topic, {{p.partition, protocol::kLatestTimestamp, 1}}}};
        auto e = (*leader)->list_offsets(end);
        if (!e) return fail(e.error());
        at = e->topics[0].partitions[0].offset;
      }
      position[p.partition] = at;
    }
  }

  std::int64_t printed = 0;
  // One fetch per leader, for the partitions it leads.
  std::map<std::int32_t, std::vector<std::int32_t>> by_leader;
  for (const auto& p : md->topics.at(0).partitions)
    if (std::find(partitions.begin(), partitions.end(), p.partition) != partitions.end())
      by_leader[p.leader].push_back(p.partition);
  for (;;) {
    bool any = false;
    for (const auto& [leader_id, led] : by_leader) {
      auto leader = cluster.node(leader_id);
      if (!leader) return fail(leader.error());
      protocol::FetchRequest req;
      // Long poll when following, the wait shared among the leaders asked in turn.
      req.max_wait_ms = o.follow ? static_cast<std::int32_t>(500 / by_leader.size()) : 0;
      req.min_bytes = 1;
      req.max_bytes = o.max_bytes;
      protocol::FetchTopic ft{o.topic, {}};
      for (auto p : led) ft.partitions.push_back({p, -1, position[p], -1, o.max_partition_bytes});
      req.topics = {ft};
      auto resp = (*leader)->fetch(req);
      if (!resp) return fail(resp.error());
      for (const auto& p : resp->response.topics.at(0).partitions) {
        if (p.error != Errc::none) return fail(make_error(p.error, fmt::format("partition {}", p.partition)));
        ByteSpan rest = p.records ? *p.records : ByteSpan{};
        while (rest.size() >= record::layout::header_size) {
          auto frame = record::read_frame(rest, rest.size());
          if (!frame) break;  // a partial batch at the end of a response
          auto batch = rest.first(frame->total_size);
          rest = rest.subspan(frame->total_size);
          auto h = *record::decode_header(batch);
          auto records = record::decode_records(batch);
          if (!records) return fail(records.error());
          for (const auto& r : *records) {
            if (r.offset < position[p.partition]) continue;  // whole batches: skip what came before
            fmt::print("{}\n", render(o.format, r, p.partition));
            if (o.count >= 0 && ++printed >= o.count) return 0;
          }
          position[p.partition] = h.next_offset();
          any = true;
        }
      }
    }
    std::fflush(stdout);
    if (!any && !o.follow) return 0;
  }
}

}  // namespace

void add_client_commands(CLI::App& app, int& exit_code) {
  auto* topic = app.add_subcommand("topic", "create, list, describe and delete topics (chapter 2)");
  topic->require_subcommand(1);
  auto add_common = [](CLI::App* cmd, TopicOptions& o, bool needs_topic) {
    cmd->add_option("--bootstrap", o.bootstrap, "broker host:port")->capture_default_str();
    auto* t = cmd->add_option("topic", o.topic, "topic name");
    if (needs_topic) t->required();
  };
  auto create = std::make_shared<TopicOptions>();
  auto* tc = topic->add_subcommand("create", "create a topic");
  add_common(tc, *create, true);
  tc->add_option("--partitions", create->partitions, "partition count (default: the broker's num.partitions)");
  tc->add_option("--replication-factor", create->replication_factor,
                 "replicas per partition (default: the cluster's default.replication.factor)");
  tc->add_option("--config", create->configs, "a topic setting key=value (repeatable), e.g. retention.ms=60000");
  tc->callback([create, &exit_code] { exit_code = run_topic_create(*create); });
  auto list = std::make_shared<TopicOptions>();
  auto* tl = topic->add_subcommand("list", "list topics");
  add_common(tl, *list, false);
  tl->callback([list, &exit_code] { exit_code = run_topic_list(*list, false); });
  auto describe = std::make_shared<TopicOptions>();
  auto* td = topic->add_subcommand("describe", "partitions, leaders and offsets of topics");
  add_common(td, *describe, false);
  td->callback([describe, &exit_code] { exit_code = run_topic_list(*describe, true); });
  auto del = std::make_shared<TopicOptions>();
  auto* tx = topic->add_subcommand("delete", "delete a topic and its data");
  add_common(tx, *del, true);
  tx->callback([del, &exit_code] { exit_code = run_topic_delete(*del); });

  auto po = std::make_shared<ProduceOptions>();
  auto* p = app.add_subcommand("produce", "produce stdin lines as records (chapter 2)");
  p->add_option("--bootstrap", po->bootstrap, "broker host:port")->capture_default_str();
  p->add_option("topic", po->topic, "topic")->required();
  p->add_option("--partition", po->partition, "always this partition (default: by key, else round robin)");
  p->add_option("--key-separator", po->key_separator, "split each line into key and value at this string");
  p->add_option("--acks", po->acks, "0, 1 or -1 (all)")->check(CLI::IsMember({0, 1, -1}))->capture_default_str();
  p->add_option("--batch-records", po->batch_records, "records per batch")->capture_default_str();
  p->callback([po, &exit_code] { exit_code = run_produce(*po); });

  auto co = std::make_shared<ConsumeOptions>();
  auto* cc = app.add_subcommand("consume", "print records of a topic (chapter 2)");
  cc->add_option("--bootstrap", co->bootstrap, "broker host:port")->capture_default_str();
  cc->add_option("topic", co->topic, "topic")->required();
  cc->add_option("--partition", co->partitions, "only these partitions (repeatable)");
  cc->add_option("--from", co->from, "earliest, latest, offset:N or timestamp:MS")->capture_default_str();
  cc->add_flag("--follow", co->follow, "keep waiting for new records (long poll)");
  cc->add_option("--count", co->count, "stop after this many records");
  cc->add_option("--max-bytes", co->max_bytes, "a fetch response's limit (fetch.max.bytes)")->capture_default_str();
  cc->add_option("--max-partition-bytes", co->max_partition_bytes, "a partition's limit in a fetch response")
      ->capture_default_str();
  cc->add_option("--format", co->format, "%k key, %v value, %o offset, %p partition, %t timestamp")
      ->capture_default_str();
  cc->add_option("--group", co->group, "consume as a member of this consumer group, committing after each batch");
  cc->callback([co, &exit_code] { exit_code = run_consume(*co); });
}

}  // namespace streamcraft::cli
