// generated from final/log/log.h; edit there
// log/log.h — a partition's log: an append-only sequence of record batches on disk.
//
// The log is the heart of the system. Producers append batches; the log gives every
// record the next offset (a 64-bit position that never changes and is never reused) and
// consumers read from any offset they like. Underneath, the log is a directory of
// segments (log/segment.h), the newest of which is "active":
//
//   my-partition/
//     00000000000000000000.log .index .timeindex   oldest segment
//     00000000000000004096.log .index .timeindex   …
//     00000000000000008192.log .index .timeindex   active segment, appended to
//     recovery-point      offset below which all data was flushed before the last roll
//     log-start-offset    the first offset still readable (retention moves it forward)
//     cleaner-offset-checkpoint  how far the log cleaner got (log/cleaner.h)
//     leader-epoch-checkpoint    which leader epoch starts where (log/leader_epoch_cache.h)
//     .clean-shutdown     present only between a clean close and the next open
//
// Durability. An append is in the OS page cache when append() returns; it becomes
// durable at the next flush, which the FlushPolicy triggers (every N messages, every T
// ms, or on every append), or which the caller requests. After a crash the log reopens
// from the last clean point: segments below the recovery point were flushed and sealed
// and are trusted; later segments are scanned batch by batch, and a torn or corrupt tail
// is cut off (log/recovery.h). After a clean close the marker file lets open() skip the
// scan altogether.
//
// Rolling. When the active segment is full, a new one is started at once; fsyncing the
// old one and moving the recovery point past it is a job for a background executor
// (common/executor.h), which reports back on the log's thread (flush(), tick()). Until
// then the on-disk recovery point stays where it was, so a crash meanwhile only costs a
// longer scan.
//
// Not thread-safe: one thread (chapter 2: the partition's strand) drives a Log.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/executor.h"
#include "log/file.h"
#include "log/leader_epoch_cache.h"
#include "log/producer_state.h"
#include "log/retention.h"
#include "log/segment.h"
#include "record/batch.h"

namespace streamcraft::log {

struct FlushPolicy {
  // Flush when this many records have been appended since the last flush (1 = every append).
  std::int64_t interval_messages = std::numeric_limits<std::int64_t>::max();
  // Flush when the oldest unflushed append is this old.
  std::int64_t interval_ms = std::numeric_limits<std::int64_t>::max();

  static FlushPolicy every_append() { return {1, std::numeric_limits<std::int64_t>::max()}; }
  static FlushPolicy never() { return {}; }  // leave it to the OS (Kafka's default)
};

// cleanup.policy: how old data goes. "delete": retention drops whole old segments
// (log/retention.h); "compact": the cleaner keeps the latest record of every key
// (log/cleaner.h), and retention is off; "compact,delete": both.
enum class CleanupPolicy : std::uint8_t { delete_segments, compact, compact_and_delete };
constexpr bool compacts(CleanupPolicy p) { return p != CleanupPolicy::delete_segments; }
constexpr bool deletes(CleanupPolicy p) { return p != CleanupPolicy::compact; }

// The per-log settings; names follow Kafka's topic configs.
struct LogConfig {
  std::uint64_t segment_bytes = 1ull << 30;              // segment.bytes: roll when a segment would exceed it
  std::int64_t segment_ms = 7ll * 24 * 3600 * 1000;      // segment.ms: roll when records are this much newer
                                                          // than the segment's first batch
  SegmentConfig segment;                                  // index.interval.bytes, segment.index.bytes
  std::uint32_t max_batch_bytes = 1048588;                // max.message.bytes: largest accepted batch
  std::int64_t retention_bytes = -1;                      // retention.bytes (-1: unlimited)
  std::int64_t retention_ms = 7ll * 24 * 3600 * 1000;    // retention.ms (-1: forever)
  FlushPolicy flush;                                      // flush.messages / flush.ms
  CleanupPolicy cleanup_policy = CleanupPolicy::delete_segments;  // cleanup.policy
  std::int64_t delete_retention_ms = 24ll * 3600 * 1000;  // delete.retention.ms: how long a tombstone
                                                          // outlives the first cleaning that saw it
  double min_cleanable_dirty_ratio = 0.5;                 // min.cleanable.dirty.ratio: clean when this
                                                          // share of the sealed bytes is uncleaned
  std::int32_t min_insync_replicas = 1;  // min.insync.replicas: acks=all needs this many in-sync replicas
};

// INVALID_CONFIG for settings no log can run with (a segment larger than its 32-bit
// index positions reach, an empty index). Log::open checks them; so does whoever must
// refuse a topic's settings before any log is opened with them.
Status check_config(const LogConfig& config);

// What an append did.
struct AppendInfo {
  std::int64_t first_offset = 0;
  std::int64_t last_offset = 0;
  std::int64_t max_timestamp = 0;
  bool rolled = false;  // a new segment was started for this batch
  bool duplicate = false;  // a producer's retry of a batch already in the log: not appended
};

// What open() found and repaired.
struct OpenReport {
  bool clean_shutdown = false;
  std::int64_t recovery_point = 0;
  std::vector<SegmentRecovery> recovered;     // segments that were scanned
  std::vector<std::int64_t> deleted_segments; // segments dropped because they followed corruption
  std::uint64_t truncated_bytes() const;
};

struct RetentionReport {
  std::vector<std::int64_t> deleted_segments;
  std::int64_t log_start_offset = 0;
};

class Log {
 public:
  // Opens (or creates) the log in dir, recovering it if the last shutdown was not clean.
  // `background` runs the slow half of each segment roll (see roll() below); without one,
  // a roll does all of it before append() returns.
  static Result<std::unique_ptr<Log>> open(FileSystem& fs, const std::filesystem::path& dir,
                                           const LogConfig& config, const Clock& clock,
                                           Executor* background = nullptr);
  // Without a close(), destruction is like a crash: no flush, no clean-shutdown marker.
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Validates one client batch (record::validate_client_batch and max_batch_bytes),
  // assigns it offsets by rewriting its baseOffset field *in the caller's buffer*, and
  // appends it. Errors: CORRUPT_MESSAGE / INVALID_RECORD / INVALID_TIMESTAMP for a bad
  // batch (nothing is written), MESSAGE_TOO_LARGE, and KAFKA_STORAGE_ERROR when the
  // disk fails. A failed *write* leaves the log exactly as it was; a failed *flush*
  // after a successful write leaves the outcome unknown — the batch may be in the log
  // and may survive a restart — and takes the log offline. Kafka behaves the same, and
  // a retrying producer may then create a duplicate (chapter 3's idempotence fixes that).
  Result<AppendInfo> append(MutableByteSpan batch);

  // Whole batches from the one containing offset, up to max_bytes (at least one batch).
  // offset == log_end_offset() gives an empty range (nothing yet); an offset below
  // log_start_offset() or above log_end_offset() is OFFSET_OUT_OF_RANGE. Batches that
  // start at or after `end_offset` are left out: an offset in [end_offset, log end] gives
  // an empty range.
  Result<FileRange> read(std::int64_t offset, std::uint64_t max_bytes, std::int64_t end_offset = INT64_MAX) const;

  // The first offset whose record timestamp is >= timestamp; nullopt if there is none.
  Result<std::optional<std::int64_t>> offset_for_timestamp(std::int64_t timestamp) const;

  // Makes everything appended so far durable — also what a sealed segment whose
  // background fsync has not finished still holds, and the names of new segment files.
  Status flush();
  // Call regularly (e.g. every second): applies the time-based flush policy.
  Status tick();
  // Deletes segments that retention.bytes / retention.ms no longer keep.
  Result<RetentionReport> apply_retention();
  // Removes every offset >= offset (rounded down to a batch boundary).
  Status truncate_to(std::int64_t offset);
  // Clean shutdown: flush, seal the active segment, write the checkpoints and the marker.
  Status close();

  std::int64_t log_start_offset() const { return log_start_offset_; }
  std::int64_t log_end_offset() const { return next_offset_; }  // the offset the next record gets
  std::int64_t recovery_point() const { return recovery_point_; }
  // Sealed segments whose background fsync has not reported back yet.
  std::size_t seals_in_progress() const { return sealing_.size(); }
  std::uint64_t size_bytes() const;
  std::size_t segment_count() const { return segments_.size(); }
  std::vector<SegmentInfo> segment_infos() const;
  const OpenReport& open_report() const { return open_report_; }
  const std::filesystem::path& dir() const { return dir_; }
  // False after an unrecoverable storage error: every later call fails (Kafka takes the
  // log directory offline rather than risk writing after a hole).
  bool online() const { return !offline_reason_; }

  static constexpr const char* kCleanShutdownFile = ".clean-shutdown";
  static constexpr const char* kRecoveryPointFile = "recovery-point";
  static constexpr const char* kLogStartOffsetFile = "log-start-offset";

  // For the log cleaner (log/cleaner.h) ------------------------------------------------
  const LogConfig& config() const { return config_; }
  // How many truncations have removed records. A cleaning planned before one must not be
  // swapped in after it: its offset map may count records that are gone, or that were
  // replaced by others at the same offsets (a follower truncating to its new leader).
  std::uint64_t truncations() const { return truncations_; }
  FileSystem& file_system() const { return fs_; }
  // The segments, oldest first; the last one is the active segment.
  std::vector<const Segment*> segments() const;
  // The cleaner's swap (Kafka's replaceSegments). Each of `cleaned` is a sealed segment
  // whose files end in kCleanedSuffix and which covers exactly the offsets of the sealed
  // segments it replaces: from its base offset up to the base offset of a later segment.
  // If the log has changed so that this no longer holds (retention, truncation), nothing
  // happens and the error is INVALID_REQUEST. Otherwise, in this order, each step made
  // durable by a directory fsync before the next begins:
  //   1. rename every cleaned segment's files to kSwapSuffix   (the commit point)
  //   2. delete the files of the segments they replace
  //   3. rename the .swap files to their final names
  // A failure after step 1 has begun takes the log offline; reopening completes the swap
  // (see load()). On success `cleaned` is left empty: the segments now belong to the log.
  Status replace_segments(std::vector<std::unique_ptr<Segment>>& cleaned);
  static constexpr const char* kCleanedSuffix = ".cleaned";
  static constexpr const char* kSwapSuffix = ".swap";
  static constexpr const char* kProducerStateFile = "producer-state";
  const ProducerStateTable& producers() const { return producers_; }
  // Group commit: with deferred flushing, append() never fsyncs because of
  // flush.messages; the caller gathers appends to many logs and calls flush() once per
  // log for all of them (broker/request_handler.cpp: durable acks).
  void defer_flush(bool on) { flush_deferred_ = on; }
  bool flush_deferred() const { return flush_deferred_; }
  bool has_unflushed() const { return unflushed_messages_ > 0; }

  // For replication (chapter 4) --------------------------------------------------------
  // Which leader epoch starts at which offset in this log (log/leader_epoch_cache.h).
  const LeaderEpochCache& leader_epochs() const { return epochs_; }
  // Where `epoch` ended in this log: what OffsetsForLeaderEpoch answers a follower.
  EpochEndOffset end_offset_for_epoch(std::int32_t epoch) const { return epochs_.end_offset_for(epoch, next_offset_); }
  // This replica now leads the partition at `epoch`: from here on append() writes the
  // epoch into every batch's partitionLeaderEpoch, and the epoch table says at once that
  // the epoch starts at the log end — before any record of it exists, because a follower
  // may hold records of an epoch this leader never saw and must learn where this log
  // leaves that history (Kafka's KAFKA-7415).
  Status become_leader(std::int32_t epoch);
  // This replica no longer leads: append() stores batches' epochs as they come again, and
  // records arrive through append_as_follower().
  void become_follower() { leader_epoch_.reset(); }
  std::optional<std::int32_t> leader_epoch() const { return leader_epoch_; }
  // A follower's append: batches as its leader wrote them — offsets, leader epochs and
  // all — copied, never renumbered. The first must start at log_end_offset() (else
  // OFFSET_OUT_OF_RANGE, nothing written); each one's CRC is checked (CORRUPT_MESSAGE); a
  // last batch cut short by the fetch's size limit is left for the next fetch. The epoch
  // table and the producer table learn from them as the leader's did.
  Result<AppendInfo> append_as_follower(ByteSpan batches);
  // A follower's log starts where its leader's does (Kafka's maybeIncrementLogStartOffset):
  // what retention removed at the leader is gone from the partition, and a follower that
  // became leader must not serve it again. Moves the log start to `offset` (never back,
  // never past the log end) and deletes the segments wholly below it.
  Status advance_log_start(std::int64_t offset);
  // A follower so far behind that its log ends below the leader's log start (it was down
  // longer than the leader's retention) can copy nothing: the records it lacks are gone.
  // It drops everything and starts again, empty, at `offset` — records, epochs and
  // producer state (Kafka's truncateFullyAndStartAt).
  Status truncate_fully_and_start_at(std::int64_t offset);
  static constexpr const char* kLeaderEpochFile = "leader-epoch-checkpoint";

 private:
  struct Private {
    explicit Private() = default;
  };

 public:
  Log(Private, FileSystem& fs, std::filesystem::path dir, const LogConfig& config, const Clock& clock);

 private:
  Status load();
  Status finish_interrupted_swap(std::vector<std::string>& names);
  Status load_producer_state();
  // Calls `f` with the header of every batch from the one holding `from` to the end.
  Status scan_batches(std::int64_t from, const std::function<void(const record::BatchHeader&)>& f) const;
  Status load_leader_epochs();
  Status write_leader_epochs();
  Segment& active() { return *segments_.rbegin()->second; }
  const Segment& active() const { return *segments_.rbegin()->second; }
  bool should_roll(std::size_t batch_size, const record::BatchHeader& batch) const;
  Status roll();
  // The three checkpoint files' names and contents, as of now.
  std::vector<std::pair<std::filesystem::path, std::vector<std::byte>>> checkpoints(
      std::int64_t recovery_point) const;
  Status write_checkpoints();
  // Takes in what finished background seals reported (on the log's thread).
  Status collect_seals();
  Result<std::optional<std::int64_t>> read_checkpoint(const char* name);
  Status check_online() const;
  Status go_offline(const Error& error);
  Status maybe_flush();

  FileSystem& fs_;
  std::filesystem::path dir_;
  LogConfig config_;
  const Clock& clock_;
  std::map<std::int64_t, std::unique_ptr<Segment>> segments_;  // by base offset
  std::int64_t log_start_offset_ = 0;
  std::int64_t next_offset_ = 0;
  ProducerStateTable producers_;
  bool flush_deferred_ = false;
  std::uint64_t truncations_ = 0;
  LeaderEpochCache epochs_;
  std::optional<std::int32_t> leader_epoch_;  // set while this replica leads
  std::int64_t recovery_point_ = 0;
  // Background sealing. The state a seal job shares with the log's thread, the jobs not
  // yet collected (oldest first, with the files each one fsyncs), and the executor.
  struct SealState;
  struct Sealing {
    Segment::Files files;
    bool synced_by_flush = false;  // flush() already made its data and its name durable
  };
  std::shared_ptr<SealState> seal_state_;
  std::deque<Sealing> sealing_;
  Executor* background_ = nullptr;
  std::int64_t unflushed_messages_ = 0;
  std::optional<std::int64_t> first_unflushed_ms_;
  std::optional<Error> offline_reason_;
  OpenReport open_report_;
  bool closed_ = false;
};

}  // namespace streamcraft::log
