// generated from final/broker/config.cpp; edit there
// broker/config.cpp — parsing server.properties.
#include "broker/config.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>


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
