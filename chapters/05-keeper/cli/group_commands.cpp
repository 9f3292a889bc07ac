// generated from final/cli/group_commands.cpp; edit there
// cli/group_commands.cpp — `streamcraft group list|describe|reset-offsets|delete`: the
// admin side of consumer groups, like Kafka's kafka-consumer-groups.
//
// Group requests go to the group's coordinator, found with FindCoordinator through the
// --bootstrap broker (client::ClusterClients); offsets of the log, to each partition's
// leader. A group's members and their partitions come from
// DescribeGroups — the assignment bytes decoded with the consumer protocol, since the
// broker itself never looks inside them; its progress from OffsetFetch (committed
// offsets) against ListOffsets (log end offsets): the difference is the lag. Offsets are
// reset only while no member runs: a running member would overwrite them with its next
// commit, and the coordinator refuses a commit from outside the group while it has members.
#include <algorithm>
#include <charconv>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "client/cluster_clients.h"
#include "client/consumer_protocol.h"
#include "client/group_consumer.h"
#include "client/kafka_client.h"

namespace streamcraft::cli {
namespace {

using client::TopicPartition;

int fail(const Error& e) {
  fmt::print(stderr, "error: {}\n", e.describe());
  return 1;
}

// Prints rows as columns two spaces apart, each as wide as its widest cell.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line.append(row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    fmt::print("{}\n", line);
  }
}

std::string number_or_dash(std::int64_t v) { return v >= 0 ? std::to_string(v) : "-"; }

// The offsets ListOffsets gives for `timestamp` (earliest, latest or a time) per
// partition of a topic, each asked of its leader; -1 where the partition has none (or
// reports an error, or has no leader).
Result<std::map<std::int32_t, std::int64_t>> offsets_at(client::ClusterClients& cluster, const std::string& topic,
                                                       const std::vector<std::int32_t>& partitions,
                                                       std::int64_t timestamp) {
  std::map<std::int32_t, std::int64_t> out;
  if (partitions.empty()) return out;
  auto md = cluster.metadata(std::vector<std::string>{topic}, false);
  if (!md) return md.error();
  for (auto p : partitions) {
    out[p] = -1;
    auto leader = cluster.leader(topic, p);
    if (!leader) continue;
    protocol::ListOffsetsRequest req;
    req.topics = {{topic, {{p, timestamp, 1}}}};
    auto resp = (*leader)->list_offsets(req);
    if (!resp) return resp.error();
    for (const auto& rt : resp->topics)
      for (const auto& rp : rt.partitions)
        if (rp.partition == p && rp.error == Errc::none) out[p] = rp.offset;
  }
  return out;
}

struct GroupOptions {
  std::string bootstrap = "127.0.0.1:9092";
  std::string group;
  std::string topic;  // reset-offsets
  std::string to;     // reset-offsets
};

// The bootstrap connection, the cluster behind it, and the group's coordinator there.
struct GroupConnection {
  std::unique_ptr<client::KafkaClient> bootstrap;
  std::unique_ptr<client::ClusterClients> cluster;
  client::KafkaClient* coordinator = nullptr;
  client::KafkaClient& operator*() const { return *coordinator; }
  client::KafkaClient* operator->() const { return coordinator; }
};

Result<GroupConnection> connect_to_coordinator(const GroupOptions& o) {
  GroupConnection g;
  auto c = client::KafkaClient::connect(o.bootstrap, "streamcraft-cli");
  if (!c) return c.error();
  g.bootstrap = std::move(*c);
  g.cluster = std::make_unique<client::ClusterClients>(*g.bootstrap);
  auto coordinator = g.cluster->coordinator(o.group);
  if (!coordinator) return coordinator.error();
  g.coordinator = *coordinator;
  return g;
}

Result<protocol::DescribedGroup> describe(client::KafkaClient& c, const std::string& group) {
  auto d = c.describe_groups({group});
  if (!d) return d.error();
  if (d->groups.size() != 1) return make_error(Errc::corrupt_message, "DescribeGroups answered for another group");
  const auto& g = d->groups.front();
  if (g.error != Errc::none) return make_error(g.error, "group " + group);
  return g;
}

int run_group_list(const GroupOptions& o) {
  auto c = client::KafkaClient::connect(o.bootstrap, "streamcraft-cli");
  if (!c) return fail(c.error());
  // Each broker lists the groups it coordinates (as Kafka's admin client does, ask them
  // all), and describes them: it is their coordinator.
  client::ClusterClients cluster(**c);
  auto md = cluster.metadata(std::vector<std::string>{}, false);
  if (!md) return fail(md.error());
  std::vector<std::int32_t> brokers;
  for (const auto& b : md->brokers) brokers.push_back(b.node_id);
  std::sort(brokers.begin(), brokers.end());
  std::map<std::string, std::vector<std::string>> rows_by_id;
  for (auto id : brokers) {
    auto node = cluster.node(id);
    if (!node) return fail(node.error());
    auto listed = (*node)->list_groups();
    if (!listed) return fail(listed.error());
    if (listed->error != Errc::none) return fail(make_error(listed->error, fmt::format("ListGroups of broker {}", id)));
    std::vector<std::string> ids;
    for (const auto& g : listed->groups) ids.push_back(g.group_id);
    if (ids.empty()) continue;
    // ListGroups v0..2 has no states: DescribeGroups has them, for all at once.
    auto described = (*node)->describe_groups(ids);
    if (!described) return fail(described.error());
    for (const auto& g : described->groups) {
      std::string protocol = g.protocol_type.empty() ? "-" : g.protocol_type;
      if (!g.protocol_data.empty()) protocol += "/" + g.protocol_data;
      rows_by_id[g.group_id] = {g.group_id, g.group_state, std::to_string(g.members.size()), protocol};
    }
  }
  std::vector<std::vector<std::string>> rows{{"GROUP", "STATE", "MEMBERS", "PROTOCOL"}};
  for (auto& [id, row] : rows_by_id) rows.push_back(std::move(row));
  print_table(rows);
  return 0;
}

int run_group_describe(const GroupOptions& o) {
  auto c = connect_to_coordinator(o);
  if (!c) return fail(c.error());
  auto g = describe(**c, o.group);
  if (!g) return fail(g.error());
  protocol::OffsetFetchRequest of;
  of.group_id = o.group;  // no topics: every partition the group has committed offsets for
  auto committed = (*c)->offset_fetch(of);
  if (!committed) return fail(committed.error());
  if (committed->error != Errc::none) return fail(make_error(committed->error, "OffsetFetch of group " + o.group));
  if (g->group_state == "Dead" && g->members.empty() && committed->topics.empty())
    return fail(make_error(Errc::group_id_not_found, fmt::format("group {} does not exist", o.group)));

  // One row per partition the group owns or has committed: committed offset and owner.
  struct PartitionRow {
    std::int64_t committed = -1;
    std::string member = "-";
  };
  std::map<TopicPartition, PartitionRow> partitions;
  for (const auto& t : committed->topics)
    for (const auto& p : t.partitions) partitions[{t.name, p.partition}].committed = p.committed_offset;

  std::vector<std::vector<std::string>> members{{"MEMBER", "CLIENT ID", "HOST", "PARTITIONS"}};
  const bool consumer = g->protocol_type == client::kConsumerProtocolType;
  for (const auto& m : g->members) {
    std::string assigned = "-";
    if (consumer && !m.member_assignment.empty()) {
      auto a = client::decode_assignment(m.member_assignment);
      if (!a) {
        assigned = "(undecodable)";
      } else {
        std::string names;
        for (const auto& t : a->topics) {
          for (auto p : t.partitions) {
            names.append(names.empty() ? "" : ", ").append(fmt::format("{}-{}", t.topic, p));
            partitions[{t.topic, p}].member = m.member_id;
          }
        }
        if (!names.empty()) assigned = names;
      }
    } else if (!consumer && !g->protocol_type.empty()) {
      assigned = "(not a consumer group)";
    }
    members.push_back({m.member_id, m.client_id, m.client_host, assigned});
  }

  // Log end offsets, one ListOffsets per topic.
  std::map<std::string, std::vector<std::int32_t>> by_topic;
  for (const auto& [tp, row] : partitions) by_topic[tp.topic].push_back(tp.partition);
  std::map<TopicPartition, std::int64_t> log_end;
  for (const auto& [topic, ps] : by_topic) {
    auto ends = offsets_at(*c->cluster, topic, ps, protocol::kLatestTimestamp);
    if (!ends) return fail(ends.error());
    for (const auto& [p, end] : *ends) log_end[{topic, p}] = end;
  }

  std::string protocol = g->protocol_type.empty() ? "-" : g->protocol_type;
  if (!g->protocol_data.empty()) protocol += "/" + g->protocol_data;
  fmt::print("group {}: {}, protocol {}, {} member(s)\n", o.group, g->group_state, protocol, g->members.size());
  if (!g->members.empty()) {
    fmt::print("\n");
    print_table(members);
  }
  if (!partitions.empty()) {
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER"}};
    for (const auto& [tp, row] : partitions) {
      const auto end = log_end.count(tp) ? log_end[tp] : -1;
      const auto lag = row.committed >= 0 && end >= 0 ? std::max<std::int64_t>(0, end - row.committed) : -1;
      rows.push_back({tp.topic, std::to_string(tp.partition), number_or_dash(row.committed), number_or_dash(end),
                      number_or_dash(lag), row.member});
    }
    fmt::print("\n");
    print_table(rows);
  }
  return 0;
}

// --to earliest | latest | offset:N | timestamp:MS
struct ResetTarget {
  enum class Kind { earliest, latest, offset, timestamp } kind = Kind::earliest;
  std::int64_t value = 0;
};

Result<ResetTarget> parse_target(const std::string& to) {
  if (to == "earliest") return ResetTarget{ResetTarget::Kind::earliest, 0};
  if (to == "latest") return ResetTarget{ResetTarget::Kind::latest, 0};
  for (auto [prefix, kind] : {std::pair{std::string_view("offset:"), ResetTarget::Kind::offset},
                              std::pair{std::string_view("timestamp:"), ResetTarget::Kind::timestamp}}) {
    if (!to.starts_with(prefix)) continue;
    std::int64_t v = 0;
    const char* first = to.data() + prefix.size();
    const char* last = to.data() + to.size();
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec == std::errc{} && ptr == last && first != last && v >= 0) return ResetTarget{kind, v};
  }
  return make_error(Errc::invalid_config,
                    fmt::format("--to expects earliest, latest, offset:N or timestamp:MS, got '{}'", to));
}

int run_group_reset(const GroupOptions& o) {
  auto target = parse_target(o.to);
  if (!target) return fail(target.error());
  auto c = connect_to_coordinator(o);
  if (!c) return fail(c.error());
  auto g = describe(**c, o.group);
  if (!g) return fail(g.error());
  if (!g->members.empty())
    return fail(make_error(Errc::non_empty_group,
                           fmt::format("group {} has {} active member(s) (state {}): stop them before resetting offsets",
                                       o.group, g->members.size(), g->group_state)));
  auto md = c->cluster->metadata(std::vector<std::string>{o.topic}, false);
  if (!md) return fail(md.error());
  const auto& t = md->topics.at(0);
  if (t.error != Errc::none) return fail(make_error(t.error, "topic " + o.topic));
  std::vector<std::int32_t> ps;
  for (const auto& p : t.partitions) ps.push_back(p.partition);
  std::sort(ps.begin(), ps.end());

  auto earliest = offsets_at(*c->cluster, o.topic, ps, protocol::kEarliestTimestamp);
  auto latest = offsets_at(*c->cluster, o.topic, ps, protocol::kLatestTimestamp);
  if (!earliest) return fail(earliest.error());
  if (!latest) return fail(latest.error());
  std::map<std::int32_t, std::int64_t> at_time;
  if (target->kind == ResetTarget::Kind::timestamp) {
    auto found = offsets_at(*c->cluster, o.topic, ps, target->value);
    if (!found) return fail(found.error());
    at_time = *found;
  }
  protocol::OffsetCommitRequest commit;
  commit.group_id = o.group;
  commit.generation_id = -1;  // an admin commit, from outside any generation
  protocol::OffsetCommitTopic ct{o.topic, {}};
  for (auto p : ps) {
    const std::int64_t lo = (*earliest)[p], hi = (*latest)[p];
    if (lo < 0 || hi < 0) return fail(make_error(Errc::unknown_topic_or_partition, fmt::format("{}-{}", o.topic, p)));
    std::int64_t offset = lo;
    switch (target->kind) {
      case ResetTarget::Kind::earliest: offset = lo; break;
      case ResetTarget::Kind::latest: offset = hi; break;
      // Kafka's tool clamps an offset outside the log to its nearest end: so do we.
      case ResetTarget::Kind::offset: offset = std::clamp(target->value, lo, hi); break;
      // No record that late: the log end, where the next record will be.
      case ResetTarget::Kind::timestamp: offset = at_time[p] >= 0 ? at_time[p] : hi; break;
    }
    protocol::OffsetCommitPartition cp;
    cp.partition = p;
    cp.committed_offset = offset;
    ct.partitions.push_back(cp);
  }
  commit.topics = {ct};
  auto resp = (*c)->offset_commit(commit);
  if (!resp) return fail(resp.error());
  for (const auto& rt : resp->topics)
    for (const auto& p : rt.partitions)
      if (p.error != Errc::none) return fail(make_error(p.error, fmt::format("commit of {}-{}", rt.name, p.partition)));
  std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "NEW-OFFSET"}};
  for (const auto& p : ct.partitions) rows.push_back({o.topic, std::to_string(p.partition), std::to_string(p.committed_offset)});
  print_table(rows);
  return 0;
}

int run_group_delete(const GroupOptions& o) {
  auto c = connect_to_coordinator(o);
  if (!c) return fail(c.error());
  auto resp = (*c)->delete_groups({o.group});
  if (!resp) return fail(resp.error());
  if (resp->results.size() != 1) return fail(make_error(Errc::corrupt_message, "DeleteGroups answered for another group"));
  switch (auto e = resp->results.front().error) {
    case Errc::none: break;
    case Errc::group_id_not_found: return fail(make_error(e, fmt::format("group {} does not exist", o.group)));
    case Errc::non_empty_group: return fail(make_error(e, fmt::format("group {} still has members", o.group)));
    default: return fail(make_error(e, "group " + o.group));
  }
  fmt::print("deleted group {}\n", o.group);
  return 0;
}

}  // namespace

void add_group_commands(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("group", "list, describe, reset and delete consumer groups (chapter 3)");
  group->require_subcommand(1);
  auto add = [&](const char* name, const char* help, bool needs_group) {
    auto o = std::make_shared<GroupOptions>();
    auto* cmd = group->add_subcommand(name, help);
    cmd->add_option("--bootstrap", o->bootstrap, "broker host:port")->capture_default_str();
    if (needs_group) cmd->add_option("group", o->group, "group id")->required();
    return std::pair{cmd, o};
  };
  auto [list, lo] = add("list", "list the groups with their state and member count", false);
  list->callback([lo = lo, &exit_code] { exit_code = run_group_list(*lo); });
  auto [describe_cmd, dopt] = add("describe", "members, their partitions, committed offsets and lag", true);
  describe_cmd->callback([dopt = dopt, &exit_code] { exit_code = run_group_describe(*dopt); });
  auto [reset, ro] = add("reset-offsets", "set a stopped group's committed offsets for a topic", true);
  reset->add_option("--topic", ro->topic, "the topic whose offsets to reset")->required();
  reset->add_option("--to", ro->to, "earliest, latest, offset:N or timestamp:MS")->required();
  reset->callback([ro = ro, &exit_code] { exit_code = run_group_reset(*ro); });
  auto [del, xo] = add("delete", "delete a group without members, and its committed offsets", true);
  del->callback([xo = xo, &exit_code] { exit_code = run_group_delete(*xo); });
}

}  // namespace streamcraft::cli
