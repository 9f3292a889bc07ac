// generated from final/broker/log_manager.cpp; edit there
// broker/log_manager.cpp — creating, opening and deleting topics.
#include "broker/log_manager.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <algorithm>
#include <charconv>
#include <chrono>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace streamcraft::broker {

Status validate_topic_name(std::string_view name) {
  if (name.empty()) return make_error(Errc::invalid_topic, "topic name is empty");
  if (name == "." || name == "..") return make_error(Errc::invalid_topic, "topic name cannot be '.' or '..'");
  if (name.size() > 249)
    return make_error(Errc::invalid_topic, fmt::format("topic name is {} characters long, at most 249 are allowed",
                                                       name.size()));
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok)
      return make_error(Errc::invalid_topic,
                        fmt::format("topic name '{}' contains '{}': only [a-zA-Z0-9._-] are allowed", name, c));
  }
  return {};
}

LogManager::LogManager(Private, log::FileSystem& fs, const BrokerConfig& config, const Clock& clock)
    : fs_(fs), config_(config), clock_(clock), last_retention_check_ms_(clock.now_ms()) {}

LogManager::~LogManager() = default;

Result<std::unique_ptr<LogManager>> LogManager::open(log::FileSystem& fs, const BrokerConfig& config,
                                                     const Clock& clock, Executor* background) {
  auto manager = std::make_unique<LogManager>(Private{}, fs, config, clock);
  if (background) {
    manager->flusher_ = manager->cleaner_executor_ = background;
  } else {
    manager->own_flusher_ = std::make_unique<ThreadExecutor>();
    manager->own_cleaner_ = std::make_unique<ThreadExecutor>();
    manager->flusher_ = manager->own_flusher_.get();
    manager->cleaner_executor_ = manager->own_cleaner_.get();
  }
  if (auto s = manager->load(); !s) return s.error();
  return manager;
}

std::filesystem::path LogManager::partition_dir(std::string_view topic, std::int32_t partition) const {
  return config_.log_dir / fmt::format("{}-{}", topic, partition);
}

Result<log::LogConfig> LogManager::topic_config(
    const std::vector<std::pair<std::string, std::string>>& overrides) const {
  log::LogConfig c = config_.log;
  for (const auto& [key, value] : overrides)
    if (auto s = apply_topic_setting(c, key, value); !s) return s.error();
  // Refused now, before the topic file exists, rather than by the first Log::open.
  if (auto s = log::check_config(c); !s) return s.error();
  return c;
}

Status LogManager::open_partitions(Topic& topic) {
  for (std::int32_t p = 0; p < topic.info.partitions; ++p) {
    auto log = log::Log::open(fs_, partition_dir(topic.info.name, p), topic.config, clock_, flusher_);
    if (!log) return log.error();
    topic.partitions.push_back(std::move(*log));
  }
  return {};
}

Status LogManager::load() {
  if (auto s = fs_.create_directories(topics_dir()); !s) return s;
  auto names = fs_.list(topics_dir());
  if (!names) return names.error();
  for (const auto& file : *names) {
    if (!file.ends_with(".properties")) continue;
    auto text = fs_.read_all(topics_dir() / file);
    if (!text) return text.error();
    auto props = parse_properties(as_chars(*text));
    if (!props) return props.error();
    Topic topic;
    topic.info.name = file.substr(0, file.size() - std::string_view(".properties").size());
    for (const auto& [key, value] : *props) {
      if (key == "partitions") {
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), topic.info.partitions);
        if (ec != std::errc{}) return make_error(Errc::invalid_config, fmt::format("{}: bad partitions", file));
      } else {
        topic.info.overrides.emplace_back(key, value);
      }
    }
    auto config = topic_config(topic.info.overrides);
    if (!config) return config.error();
    topic.config = *config;
    if (auto s = open_partitions(topic); !s) return s;
    topics_.emplace(topic.info.name, std::move(topic));
  }
  // Partition directories of no topic are what an interrupted deletion leaves behind.
  auto dirs = fs_.list_directories(config_.log_dir);
  if (!dirs) return dirs.error();
  for (const auto& name : *dirs) {
    auto dash = name.rfind('-');
    if (name.starts_with(".") || dash == std::string::npos) continue;
    if (!topics_.contains(std::string_view(name).substr(0, dash))) {
      const auto path = config_.log_dir / name;
      spdlog::info("removing {}: it belongs to no topic (an interrupted deletion)", path.string());
      if (auto s = fs_.remove_all(path); !s) return s;
    }
  }
  spdlog::info("opened {} topic(s) in {}", topics_.size(), config_.log_dir.string());
  return {};
}

Result<TopicInfo> LogManager::create_topic(const std::string& name, std::int32_t partitions,
                                           const std::vector<std::pair<std::string, std::string>>& overrides,
                                           bool validate_only) {
  if (auto s = validate_topic_name(name); !s) return s.error();
  if (topics_.contains(name)) return make_error(Errc::topic_already_exists, fmt::format("topic '{}' already exists", name));
  if (partitions == -1) partitions = config_.num_partitions;
  if (partitions <= 0 || partitions > 10'000)
    return make_error(Errc::invalid_partitions, fmt::format("{} partitions: must be between 1 and 10000", partitions));
  auto config = topic_config(overrides);
  if (!config) return config.error();
  Topic topic;
  topic.info = TopicInfo{name, partitions, overrides};
  topic.config = *config;
  if (validate_only) return topic.info;

  std::string text = fmt::format("partitions={}\n", partitions);
  for (const auto& [key, value] : overrides) text += fmt::format("{}={}\n", key, value);
  // The topic file first: from here on the topic exists, even if we crash before all of
  // its partitions have been created (they are created at the next start).
  if (auto s = fs_.write_atomically(topics_dir() / (name + ".properties"), as_bytes(text)); !s) return s.error();
  if (auto s = open_partitions(topic); !s) return s.error();
  auto info = topic.info;
  topics_.emplace(name, std::move(topic));
  spdlog::info("created topic {} with {} partition(s)", name, partitions);
  return info;
}

Status LogManager::delete_topic(const std::string& name) {
  auto it = topics_.find(name);
  if (it == topics_.end())
    return make_error(Errc::unknown_topic_or_partition, fmt::format("topic '{}' does not exist", name));
  // The topic file first: after that the topic is gone, whatever happens to its data.
  if (auto s = fs_.remove(topics_dir() / (name + ".properties")); !s) return s;
  if (auto s = fs_.sync_directory(topics_dir()); !s) return s;
  const std::int32_t partitions = it->second.info.partitions;
  abandon_cleaning(name);  // the cleaner must not swap segments into a deleted log
  topics_.erase(it);  // closes the logs' files
  for (std::int32_t p = 0; p < partitions; ++p)
    if (auto s = fs_.remove_all(partition_dir(name, p)); !s) return s;
  spdlog::info("deleted topic {}", name);
  return {};
}

const TopicInfo* LogManager::topic(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : &it->second.info;
}

std::vector<TopicInfo> LogManager::topics() const {
  std::vector<TopicInfo> out;
  for (const auto& [name, t] : topics_) out.push_back(t.info);
  return out;
}

const std::shared_ptr<log::Log>* LogManager::find_partition(std::string_view topic, std::int32_t partition) const {
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= it->second.info.partitions) return nullptr;
  return &it->second.partitions[static_cast<std::size_t>(partition)];
}

log::Log* LogManager::partition(std::string_view topic, std::int32_t partition) {
  const auto* found = find_partition(topic, partition);
  return found ? found->get() : nullptr;
}

std::weak_ptr<log::Log> LogManager::partition_handle(std::string_view topic, std::int32_t partition) {
  const auto* found = find_partition(topic, partition);
  return found ? std::weak_ptr<log::Log>(*found) : std::weak_ptr<log::Log>();
}

Status LogManager::tick() {
  Status first_error;
  const bool retention_due = clock_.now_ms() - last_retention_check_ms_ >= config_.retention_check_interval_ms;
  if (retention_due) last_retention_check_ms_ = clock_.now_ms();
  for (auto& [name, topic] : topics_) {
    for (auto& log : topic.partitions) {
      // One failing partition must not stop the others from flushing: remember the
      // first error and carry on.
      if (!log->online()) continue;
      if (auto s = log->tick(); !s && first_error) first_error = s;
      if (retention_due) {
        if (auto r = log->apply_retention(); !r && first_error) first_error = r.error();
      }
    }
  }
  if (auto s = run_cleaner(); !s && first_error) first_error = s;
  return first_error;
}

Status LogManager::close() {
  Status first_error;
  wait_for_cleaner();
  cleaning_.reset();  // a cleaning built but not swapped: its .cleaned files are dropped
  for (auto& [name, topic] : topics_)
    for (auto& log : topic.partitions)
      if (log->online())
        if (auto s = log->close(); !s && first_error) first_error = s;
  return first_error;
}


void LogManager::wait_for_cleaner() {
  if (cleaning_) cleaner_executor_->drain();
}

void LogManager::abandon_cleaning(std::string_view topic) {
  if (!cleaning_ || cleaning_->topic != topic) return;
  wait_for_cleaner();
  cleaning_.reset();
}

Status LogManager::run_cleaner() {
  if (cleaning_) {
    // Finished building? Then swap on this thread, where the log lives.
    std::optional<Result<log::CleanedSegments>> result;
    {
      std::lock_guard lock(cleaning_->built->mutex);
      result.swap(cleaning_->built->result);
    }
    if (!result) return {};
    auto built = std::move(*result);
    Cleaning done = std::move(*cleaning_);
    cleaning_.reset();
    if (!built) return built.error();
    auto stats = log::swap_cleaned_segments(*done.log, std::move(*built));
    if (!stats && stats.error().code == Errc::invalid_request) {
      // The log moved under the plan (retention, truncation): nothing was changed, and
      // the next tick plans afresh. Routine, not a failure.
      spdlog::info("cleaning of {}-{} abandoned: {}", done.topic, done.partition, stats.error().message);
      return {};
    }
    if (!stats) return stats.error();
    spdlog::info("cleaned {}-{}: {} record(s) removed, {} → {} bytes", done.topic, done.partition,
                 stats->records_removed, stats->bytes_before, stats->bytes_after);
    return {};
  }
  // Otherwise look for the next compacted partition that is due, round robin.
  std::vector<std::tuple<std::string, std::int32_t, log::Log*>> candidates;
  for (auto& [name, topic] : topics_)
    if (log::compacts(topic.config.cleanup_policy))
      for (std::size_t p = 0; p < topic.partitions.size(); ++p)
        if (topic.partitions[p]->online())
          candidates.emplace_back(name, static_cast<std::int32_t>(p), topic.partitions[p].get());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    auto& [name, partition, log] = candidates[(next_cleaner_candidate_ + i) % candidates.size()];
    auto plan = log::plan_cleaning(*log, clock_.now_ms());
    if (!plan) return plan.error();
    if (!plan->due) continue;
    next_cleaner_candidate_ = (next_cleaner_candidate_ + i + 1) % candidates.size();
    // The plan holds its own handles on the segment files, so the task reads them safely
    // while this thread goes on appending to the active segment.
    auto built = std::make_shared<Built>();
    cleaning_ = Cleaning{name, partition, log, built};
    cleaner_executor_->submit([&fs = fs_, p = std::move(*plan), built] {
      auto result = log::build_cleaned_segments(fs, p);
      std::lock_guard lock(built->mutex);
      built->result.emplace(std::move(result));
    });
    return {};
  }
  return {};
}

}  // namespace streamcraft::broker
