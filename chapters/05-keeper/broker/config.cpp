// generated from final/broker/config.cpp; edit there
// broker/config.cpp — parsing server.properties.
#include "broker/config.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "log/cleaner.h"

namespace streamcraft::broker {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <class T>
Status parse_number(const std::string& key, const std::string& value, T& out) {
  T v{};
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc{} || ptr != value.data() + value.size())
    return make_error(Errc::invalid_config, fmt::format("{}: '{}' is not a number", key, value));
  out = v;
  return {};
}

Status parse_bool(const std::string& key, const std::string& value, bool& out) {
  if (value == "true") out = true;
  else if (value == "false") out = false;
  else return make_error(Errc::invalid_config, fmt::format("{}: '{}' is not true or false", key, value));
  return {};
}

}  // namespace

Result<Listener> parse_listener(std::string_view text) {
  text = trim(text);
  if (auto scheme = text.find("://"); scheme != std::string_view::npos) text.remove_prefix(scheme + 3);
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos)
    return make_error(Errc::invalid_config, fmt::format("listener '{}' has no port", text));
  Listener l;
  l.host = std::string(text.substr(0, colon));
  if (l.host.empty()) l.host = "0.0.0.0";
  auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port > 65535)
    return make_error(Errc::invalid_config, fmt::format("listener '{}' has a bad port", text));
  l.port = static_cast<std::uint16_t>(port);
  return l;
}

Status apply_topic_setting(log::LogConfig& c, const std::string& key, const std::string& value) {
  if (key == "segment.bytes") return parse_number(key, value, c.segment_bytes);
  if (key == "segment.ms") return parse_number(key, value, c.segment_ms);
  if (key == "retention.bytes") return parse_number(key, value, c.retention_bytes);
  if (key == "retention.ms") return parse_number(key, value, c.retention_ms);
  if (key == "max.message.bytes") return parse_number(key, value, c.max_batch_bytes);
  if (key == "index.interval.bytes") return parse_number(key, value, c.segment.index_interval_bytes);
  if (key == "flush.messages") return parse_number(key, value, c.flush.interval_messages);
  if (key == "flush.ms") return parse_number(key, value, c.flush.interval_ms);
  if (key == "segment.index.bytes") {
    std::size_t bytes = 0;
    if (auto s = parse_number(key, value, bytes); !s) return s;
    c.segment.max_index_entries = bytes / log::kIndexEntrySize;
    return {};
  }
  if (key == "cleanup.policy") {
    auto policy = log::parse_cleanup_policy(value);
    if (!policy)
      return make_error(Errc::invalid_config, fmt::format("cleanup.policy: '{}' is not delete, compact or compact,delete", value));
    c.cleanup_policy = *policy;
    return {};
  }
  if (key == "delete.retention.ms") return parse_number(key, value, c.delete_retention_ms);
  if (key == "min.cleanable.dirty.ratio") {
    if (auto s = parse_number(key, value, c.min_cleanable_dirty_ratio); !s) return s;
    if (c.min_cleanable_dirty_ratio < 0 || c.min_cleanable_dirty_ratio > 1)
      return make_error(Errc::invalid_config, "min.cleanable.dirty.ratio must be between 0 and 1");
    return {};
  }
  if (key == "min.insync.replicas") {
    if (auto s = parse_number(key, value, c.min_insync_replicas); !s) return s;
    if (c.min_insync_replicas < 1) return make_error(Errc::invalid_config, "min.insync.replicas must be >= 1");
    return {};
  }
  return make_error(Errc::invalid_config, fmt::format("unknown topic setting '{}'", key));
}

Status apply_setting(BrokerConfig& c, const std::string& key, const std::string& value) {
  if (key == "node.id" || key == "broker.id") return parse_number(key, value, c.node_id);
  if (key == "listeners") {
    auto l = parse_listener(value);
    if (!l) return l.error();
    c.listener = *l;
    return {};
  }
  if (key == "advertised.listeners") {
    auto l = parse_listener(value);
    if (!l) return l.error();
    c.advertised = *l;
    return {};
  }
  if (key == "log.dirs" || key == "log.dir") {
    if (value.find(',') != std::string::npos)
      return make_error(Errc::invalid_config, "log.dirs: one directory per broker is supported");
    c.log_dir = value;
    return {};
  }
  if (key == "cluster.id") {
    c.cluster_id = value;
    return {};
  }
  if (key == "num.partitions") return parse_number(key, value, c.num_partitions);
  if (key == "auto.create.topics.enable") return parse_bool(key, value, c.auto_create_topics);
  if (key == "socket.request.max.bytes") return parse_number(key, value, c.max_request_bytes);
  if (key == "queued.max.requests") return parse_number(key, value, c.max_queued_requests);
  if (key == "queued.max.response.bytes") return parse_number(key, value, c.max_queued_response_bytes);
  if (key == "log.retention.check.interval.ms") return parse_number(key, value, c.retention_check_interval_ms);
  if (key == "message.max.bytes") return parse_number(key, value, c.log.max_batch_bytes);
  if (key == "log.retention.hours") {
    std::int64_t hours = 0;
    if (auto s = parse_number(key, value, hours); !s) return s;
    c.log.retention_ms = hours * 3600 * 1000;
    return {};
  }
  if (key == "group.initial.rebalance.delay.ms") return parse_number(key, value, c.group.initial_rebalance_delay_ms);
  if (key == "offsets.retention.minutes") {
    std::int64_t minutes = 0;
    if (auto s = parse_number(key, value, minutes); !s) return s;
    c.group.offsets_retention_ms = minutes * 60'000;
    return {};
  }
  if (key == "offsets.retention.check.interval.ms")
    return parse_number(key, value, c.group.offsets_retention_check_interval_ms);
  if (key == "group.min.session.timeout.ms") return parse_number(key, value, c.group.min_session_timeout_ms);
  if (key == "group.max.session.timeout.ms") return parse_number(key, value, c.group.max_session_timeout_ms);
  if (key == "offset.metadata.max.bytes") return parse_number(key, value, c.group.max_metadata_bytes);
  if (key == "offsets.topic.segment.bytes") return parse_number(key, value, c.offsets_segment_bytes);
  if (key == "offsets.topic.num.partitions") {
    if (auto s = parse_number(key, value, c.group.offsets_partitions); !s) return s;
    if (c.group.offsets_partitions < 1) return make_error(Errc::invalid_config, "offsets.topic.num.partitions must be >= 1");
    return {};
  }
  if (key == "controller.id") return parse_number(key, value, c.controller_id);
  if (key == "cluster.brokers") {
    auto members = parse_cluster_brokers(value);
    if (!members) return members.error();
    c.cluster_brokers = std::move(*members);
    return {};
  }
  if (key == "default.replication.factor") return parse_number(key, value, c.default_replication_factor);
  if (key == "offsets.topic.replication.factor") return parse_number(key, value, c.offsets_topic_replication_factor);
  if (key == "offsets.commit.timeout.ms") return parse_number(key, value, c.offsets_commit_timeout_ms);
  if (key == "replica.lag.time.max.ms") return parse_number(key, value, c.replica_lag_time_max_ms);
  if (key == "replica.fetch.wait.max.ms") return parse_number(key, value, c.replica_fetch_wait_max_ms);
  if (key == "replica.fetch.min.bytes") return parse_number(key, value, c.replica_fetch_min_bytes);
  if (key == "replica.fetch.max.bytes") return parse_number(key, value, c.replica_fetch_max_bytes);
  if (key == "replica.fetch.response.max.bytes") return parse_number(key, value, c.replica_fetch_response_max_bytes);
  if (key == "replica.fetch.backoff.ms") return parse_number(key, value, c.replica_fetch_backoff_ms);
  if (key == "replica.high.watermark.checkpoint.interval.ms")
    return parse_number(key, value, c.high_watermark_checkpoint_interval_ms);
  if (key == "unclean.leader.election.enable") return parse_bool(key, value, c.unclean_leader_election_enable);
  if (key == "broker.heartbeat.interval.ms") return parse_number(key, value, c.broker_heartbeat_interval_ms);
  if (key == "broker.heartbeat.timeout.ms") return parse_number(key, value, c.broker_heartbeat_timeout_ms);
  if (key == "min.insync.replicas") return apply_topic_setting(c.log, key, value);
  // log.segment.bytes → segment.bytes, log.flush.interval.messages → flush.messages, …
  static const std::map<std::string, std::string, std::less<>> broker_to_topic = {
      {"log.segment.bytes", "segment.bytes"},       {"log.roll.ms", "segment.ms"},
      {"log.retention.bytes", "retention.bytes"},   {"log.retention.ms", "retention.ms"},
      {"log.index.interval.bytes", "index.interval.bytes"}, {"log.index.size.max.bytes", "segment.index.bytes"},
      {"log.flush.interval.messages", "flush.messages"}, {"log.flush.interval.ms", "flush.ms"},
  };
  if (auto it = broker_to_topic.find(key); it != broker_to_topic.end())
    return apply_topic_setting(c.log, it->second, value);
  return make_error(Errc::invalid_config, fmt::format("unknown setting '{}'", key));
}

Result<std::vector<ClusterMember>> parse_cluster_brokers(std::string_view text) {
  std::vector<ClusterMember> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    auto at = item.find('@');
    if (at == std::string_view::npos)
      return make_error(Errc::invalid_config, fmt::format("cluster.brokers: '{}' is not id@host:port", item));
    ClusterMember m;
    auto id_text = item.substr(0, at);
    auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), m.id);
    if (ec != std::errc{} || ptr != id_text.data() + id_text.size() || m.id < 0)
      return make_error(Errc::invalid_config, fmt::format("cluster.brokers: '{}' has a bad broker id", item));
    auto address = parse_listener(item.substr(at + 1));
    if (!address) return address.error();
    m.address = *address;
    for (const auto& other : out)
      if (other.id == m.id)
        return make_error(Errc::invalid_config, fmt::format("cluster.brokers: broker {} is listed twice", m.id));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_properties(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return make_error(Errc::invalid_config, fmt::format("line {}: expected key=value", line_no));
    out.emplace_back(std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> read_properties(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return make_error(Errc::invalid_config, fmt::format("cannot read {}", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_properties(ss.str());
}

}  // namespace streamcraft::broker
