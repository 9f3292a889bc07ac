// keeper/config.cpp — zoo.cfg keys.
#include "keeper/config.h"

#include <charconv>

#include <fmt/format.h>

namespace streamcraft::keeper {

namespace {

template <class T>
Status parse_number(const std::string& key, const std::string& value, T& out, T min) {
  T v{};
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || p != value.data() + value.size() || v < min)
    return make_error(Errc::invalid_config, fmt::format("{}={}: expected a whole number of at least {}", key, value, min));
  out = v;
  return {};
}

Status parse_bool(const std::string& key, const std::string& value, bool& out) {
  if (value == "yes" || value == "true") out = true;
  else if (value == "no" || value == "false") out = false;
  else return make_error(Errc::invalid_config, fmt::format("{}={}: expected yes or no", key, value));
  return {};
}

}  // namespace

Result<KeeperSettings> keeper_settings(const std::vector<std::pair<std::string, std::string>>& properties) {
  KeeperSettings s;
  std::int32_t purge_interval_hours = 0;
  for (const auto& [key, value] : properties) {
    Status st;
    if (key == "tickTime") st = parse_number(key, value, s.keeper.tick_time_ms, 1);
    else if (key == "dataDir") s.store.data_dir = value;
    else if (key == "dataLogDir") s.store.data_log_dir = value;
    else if (key == "clientPort") st = parse_number<std::uint16_t>(key, value, s.client_port, 0);
    else if (key == "clientPortAddress") s.client_port_address = value;
    else if (key == "minSessionTimeout") st = parse_number(key, value, s.keeper.min_session_timeout_ms, -1);
    else if (key == "maxSessionTimeout") st = parse_number(key, value, s.keeper.max_session_timeout_ms, -1);
    else if (key == "maxClientCnxns") st = parse_number<std::size_t>(key, value, s.keeper.max_client_cnxns, 0);
    else if (key == "snapCount") st = parse_number<std::int64_t>(key, value, s.store.snap_count, 1);
    else if (key == "autopurge.snapRetainCount") st = parse_number<std::size_t>(key, value, s.store.snap_retain_count, 0);
    else if (key == "autopurge.purgeInterval") st = parse_number(key, value, purge_interval_hours, 0);
    else if (key == "jute.maxbuffer") st = parse_number<std::size_t>(key, value, s.keeper.jute_max_buffer, 1024);
    else if (key == "preAllocSize") {  // kilobytes, as ZooKeeper's
      std::uint64_t kib = 0;
      st = parse_number<std::uint64_t>(key, value, kib, 0);
      s.store.log.preallocate_bytes = kib << 10;
    } else if (key == "forceSync") st = parse_bool(key, value, s.store.log.force_sync);
    else if (key == "zookeeper.extendedTypesEnabled") st = parse_bool(key, value, s.keeper.extended_types);
    else if (key == "znode.container.checkIntervalMs")
      st = parse_number<std::int64_t>(key, value, s.keeper.container_check_interval_ms, 1);
    else if (key == "4lw.commands.whitelist") {
      s.keeper.four_letter_words.clear();
      std::size_t start = 0;
      while (start <= value.size()) {
        auto end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        auto word = value.substr(start, end - start);
        word.erase(0, word.find_first_not_of(" \t"));
        word.erase(word.find_last_not_of(" \t") + 1);
        if (!word.empty()) s.keeper.four_letter_words.insert(word);
        start = end + 1;
      }
    } else if (key == "initLimit" || key == "syncLimit" || key.starts_with("server.")) {
      s.warnings.push_back(fmt::format("{} configures an ensemble (chapter 6); a single keeper ignores it", key));
    } else {
      s.warnings.push_back(fmt::format("unknown setting {} is ignored", key));
    }
    if (!st) return st.error();
  }
  if (s.store.data_dir.empty()) return make_error(Errc::invalid_config, "dataDir is required");
  if (s.keeper.min_timeout() > s.keeper.max_timeout())
    return make_error(Errc::invalid_config, fmt::format("minSessionTimeout {} is above maxSessionTimeout {}",
                                                        s.keeper.min_timeout(), s.keeper.max_timeout()));
  s.store.autopurge = purge_interval_hours > 0;
  return s;
}

}  // namespace streamcraft::keeper
