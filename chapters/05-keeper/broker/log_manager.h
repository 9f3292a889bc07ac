// generated from final/broker/log_manager.h; edit there
// broker/log_manager.h — topics and partitions: a directory of chapter 1's logs.
//
// A topic is a name and a number of partitions; each partition is one Log (chapter 1) in
// its own directory, named like Kafka's: `<log.dir>/<topic>-<partition>/`. Partitions
// are the unit of parallelism (different partitions can be written and read
// independently, by different producers, consumers and — in chapter 4 — brokers) and of
// ordering (order is defined only within one partition).
//
// A topic's settings (its partition count and per-topic overrides such as retention.ms)
// live in `<log.dir>/.topics/<topic>.properties`, written atomically when the topic is
// created. That file is what makes a topic exist: it is written before the partition
// directories and deleted before them, so a crash half-way through creating or deleting
// a topic leaves either no topic (and orphan directories, removed at the next start) or
// a whole one (missing partition logs are created at the next start).
//
// Not thread-safe: the broker's one network thread drives it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.h"
#include "common/clock.h"
#include "common/executor.h"
#include "common/error.h"
#include "log/file.h"
#include "log/log.h"
#include <mutex>

#include "log/cleaner.h"

namespace streamcraft::broker {

// Kafka's rules: 1..249 characters from [a-zA-Z0-9._-], and not "." or "..".
Status validate_topic_name(std::string_view name);

struct TopicInfo {
  std::string name;
  std::int32_t partitions = 0;
  std::vector<std::pair<std::string, std::string>> overrides;  // per-topic settings
};

class LogManager {
 public:
  // Opens every topic's partitions under config.log_dir, recovering each log as needed.
  // Slow disk work (the fsyncs of a segment roll, the cleaner's copying) runs on
  // `background`; without one, the manager starts its own background threads. The
  // simulator and the fuzzer pass an executor they run themselves (common/executor.h).
  static Result<std::unique_ptr<LogManager>> open(log::FileSystem& fs, const BrokerConfig& config,
                                                  const Clock& clock, Executor* background = nullptr);
  ~LogManager();
  LogManager(const LogManager&) = delete;
  LogManager& operator=(const LogManager&) = delete;

  // Errors: INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
  // INVALID_REPLICATION_FACTOR (this broker has one node), INVALID_CONFIG.
  Result<TopicInfo> create_topic(const std::string& name, std::int32_t partitions,
                                 const std::vector<std::pair<std::string, std::string>>& overrides,
                                 bool validate_only = false);
  // Deletes the topic and its data. UNKNOWN_TOPIC_OR_PARTITION if there is none.
  Status delete_topic(const std::string& name);

  const TopicInfo* topic(std::string_view name) const;
  std::vector<TopicInfo> topics() const;
  // The log of one partition, or nullptr. The pointer is valid until the topic is
  // deleted: use it within one request, never keep it.
  log::Log* partition(std::string_view topic, std::int32_t partition);
  // A handle on the same log for work that outlives a request (an ack waiting for an
  // fsync): it expires when the topic is deleted, instead of dangling.
  std::weak_ptr<log::Log> partition_handle(std::string_view topic, std::int32_t partition);
  log::FileSystem& file_system() const { return fs_; }
  // Blocks until the cleaning in progress (if any) has been built; the next tick()
  // swaps it in. For tests and shutdown.
  void wait_for_cleaner();

  // Runs the time-based flush policy, and retention every retention_check_interval_ms.
  Status tick();
  // Closes every log cleanly (flush, seal, clean-shutdown marker).
  Status close();

 private:
  struct Private {
    explicit Private() = default;
  };

 public:
  LogManager(Private, log::FileSystem& fs, const BrokerConfig& config, const Clock& clock);

 private:
  struct Topic {
    TopicInfo info;
    log::LogConfig config;
    std::vector<std::shared_ptr<log::Log>> partitions;  // shared only with weak handles
  };
  Status load();
  Result<log::LogConfig> topic_config(const std::vector<std::pair<std::string, std::string>>& overrides) const;
  Status open_partitions(Topic& topic);
  const std::shared_ptr<log::Log>* find_partition(std::string_view topic, std::int32_t partition) const;
  std::filesystem::path topics_dir() const { return config_.log_dir / ".topics"; }
  std::filesystem::path partition_dir(std::string_view topic, std::int32_t partition) const;

  log::FileSystem& fs_;
  BrokerConfig config_;
  const Clock& clock_;
  std::map<std::string, Topic, std::less<>> topics_;
  std::int64_t last_retention_check_ms_ = 0;
  // Background work. Without an executor from outside there are two threads: one seals
  // rolled segments, one builds cleaned segments — a long cleaning must not hold up the
  // fsyncs that move recovery points on. Declared after the logs, so destroyed before
  // them: the threads finish their queued jobs while everything those touch still exists.
  std::unique_ptr<ThreadExecutor> own_flusher_;
  std::unique_ptr<ThreadExecutor> own_cleaner_;
  Executor* flusher_ = nullptr;
  Executor* cleaner_executor_ = nullptr;
  // Compaction runs beside the network thread: tick() plans a cleaning (cheap), a
  // background task builds the cleaned segments (reading and writing whole segments),
  // and a later tick() swaps them in (a few renames). Appends never wait for it.
  struct Built {  // filled in by the background job, read on this thread
    std::mutex mutex;
    std::optional<Result<log::CleanedSegments>> result;
  };
  struct Cleaning {
    std::string topic;
    std::int32_t partition = 0;
    log::Log* log = nullptr;
    std::shared_ptr<Built> built;
  };
  Status run_cleaner();
  void abandon_cleaning(std::string_view topic);
  std::optional<Cleaning> cleaning_;
  std::size_t next_cleaner_candidate_ = 0;  // round robin over compacted partitions
};

}  // namespace streamcraft::broker
