// generated from final/log/log.cpp; edit there
// log/log.cpp — opening, recovering, appending to, reading and trimming a log.
#include "log/log.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <algorithm>
#include <charconv>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "record/batch.h"

namespace streamcraft::log {

std::uint64_t OpenReport::truncated_bytes() const {
  std::uint64_t total = 0;
  for (const auto& r : recovered) total += r.truncated_bytes;
  return total;
}

// What a roll's background seal job shares with the log's thread.
//
// Checkpoint files are written by jobs and by the log's thread (truncation, retention,
// close). `checkpoint_mutex` makes those writes one at a time, and `epoch` — bumped by
// every write from the log's thread and when the log goes away — lets a job see that
// newer checkpoints exist than the ones it carries: it then writes nothing, so an old
// recovery point can never replace a newer one, nor land in the directory of a deleted
// log. `done` is the jobs' report, under its own mutex so that the log's thread never
// waits behind a job's fsyncs just to look at it.
struct Log::SealState {
  std::mutex checkpoint_mutex;
  std::uint64_t epoch = 0;  // written under checkpoint_mutex, by the log's thread only
  struct Done {
    std::uint64_t epoch;          // the epoch the job was submitted in
    std::int64_t recovery_point;  // what the job made true on disk
    std::optional<Error> error;
  };
  std::mutex done_mutex;
  std::vector<Done> done;
};

namespace {
InlineExecutor inline_executor;  // for logs opened without a background executor
}

Log::Log(Private, FileSystem& fs, std::filesystem::path dir, const LogConfig& config, const Clock& clock)
    : fs_(fs), dir_(std::move(dir)), config_(config), clock_(clock), seal_state_(std::make_shared<SealState>()) {}

Log::~Log() {
  // Jobs still queued for this log must not write its checkpoints any more: the log may
  // be deleted, or its directory reused by a new log of the same name.
  std::lock_guard lock(seal_state_->checkpoint_mutex);
  ++seal_state_->epoch;
}

Status check_config(const LogConfig& config) {
  // Index positions are 32-bit, so a segment cannot be larger than 2 GiB (as in Kafka).
  if (config.segment_bytes < record::layout::header_size || config.segment_bytes > INT32_MAX)
    return make_error(Errc::invalid_config,
                      fmt::format("segment.bytes must be between {} and {}", record::layout::header_size, INT32_MAX));
  if (config.segment.index_interval_bytes == 0 || config.segment.max_index_entries == 0)
    return make_error(Errc::invalid_config, "index.interval.bytes and segment.index.bytes must be positive");
  return {};
}

Result<std::unique_ptr<Log>> Log::open(FileSystem& fs, const std::filesystem::path& dir, const LogConfig& config,
                                       const Clock& clock, Executor* background) {
  if (auto s = check_config(config); !s) return s.error();
  auto log = std::make_unique<Log>(Private{}, fs, dir, config, clock);
  log->background_ = background ? background : &inline_executor;
  if (auto s = log->load(); !s) return s.error();
  return log;
}

Result<std::optional<std::int64_t>> Log::read_checkpoint(const char* name) {
  auto path = dir_ / name;
  if (!fs_.exists(path)) return std::optional<std::int64_t>{};
  auto bytes = fs_.read_all(path);
  if (!bytes) return bytes.error();
  auto text = as_chars(*bytes);
  std::int64_t value = -1;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || value < 0) {
    // A damaged checkpoint costs time, not data: we fall back to scanning everything.
    spdlog::warn("ignoring unreadable checkpoint {}", path.string());
    return std::optional<std::int64_t>{};
  }
  return std::optional<std::int64_t>{value};
}

Status Log::load() {
  if (auto s = fs_.create_directories(dir_); !s) return s;
  auto names = fs_.list(dir_);
  if (!names) return names.error();
  if (auto s = finish_interrupted_swap(*names); !s) return s;

  std::set<std::int64_t> bases;
  for (const auto& name : *names)
    if (auto base = parse_segment_file_name(name, ".log")) bases.insert(*base);
  for (const auto& name : *names) {
    // Leftovers of an interrupted atomic write, and indexes whose log is gone (a crash
    // during segment deletion), are removed: they describe nothing.
    auto idx = parse_segment_file_name(name, ".index");
    auto tidx = parse_segment_file_name(name, ".timeindex");
    bool orphan = (idx && !bases.contains(*idx)) || (tidx && !bases.contains(*tidx));
    if (orphan || name.ends_with(".tmp")) {
      if (auto s = fs_.remove(dir_ / name); !s) return s;
    }
  }

  const bool clean = fs_.exists(dir_ / kCleanShutdownFile);
  auto rp = read_checkpoint(kRecoveryPointFile);
  if (!rp) return rp.error();
  auto lso = read_checkpoint(kLogStartOffsetFile);
  if (!lso) return lso.error();
  open_report_.clean_shutdown = clean;
  open_report_.recovery_point = rp->value_or(0);

  std::vector<std::int64_t> ordered(bases.begin(), bases.end());
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    const std::int64_t base = ordered[i];
    // A segment is trusted when the shutdown was clean, or when the whole segment lies
    // below the recovery point (it was flushed and sealed when the log rolled past it).
    const bool below_recovery_point = i + 1 < ordered.size() && ordered[i + 1] <= open_report_.recovery_point;
    SegmentRecovery recovery;
    auto seg = (clean || below_recovery_point)
                   ? Segment::open_trusted(fs_, dir_, base, config_.segment, &recovery)
                   : Segment::open_and_recover(fs_, dir_, base, config_.segment, recovery);
    if (!seg) return seg.error();
    if (recovery.scanned) open_report_.recovered.push_back(recovery);
    if (recovery.reason)
      spdlog::warn("segment {} of {}: truncated {} bytes ({})", base, dir_.string(), recovery.truncated_bytes,
                   recovery.reason->message);

    bool overlaps = !segments_.empty() && base < segments_.rbegin()->second->next_offset();
    if (overlaps) {
      spdlog::warn("segment {} overlaps the previous segment; dropping it and all later segments", base);
    } else {
      segments_.emplace(base, std::move(*seg));
    }
    if (overlaps || recovery.reason) {
      // Data after a corrupt point can't be trusted to follow on from what we kept.
      for (std::size_t j = overlaps ? i : i + 1; j < ordered.size(); ++j) {
        for (const char* ext : {".log", ".index", ".timeindex"})
          if (auto s = fs_.remove(dir_ / segment_file_name(ordered[j], ext)); !s) return s;
        open_report_.deleted_segments.push_back(ordered[j]);
      }
      break;
    }
  }

  if (segments_.empty()) {
    auto base = lso->value_or(0);
    auto seg = Segment::create(fs_, dir_, base, config_.segment);
    if (!seg) return seg.error();
    segments_.emplace(base, std::move(*seg));
  }
  next_offset_ = active().next_offset();
  log_start_offset_ = std::clamp(lso->value_or(0), segments_.begin()->first, next_offset_);
  recovery_point_ = std::min(open_report_.recovery_point, next_offset_);
  if (auto s = load_producer_state(); !s) return s;
  if (auto s = load_leader_epochs(); !s) return s;

  // Remove the marker durably *before* accepting appends: if we crashed later with the
  // marker still on disk, the next open would trust indexes that no longer match.
  if (clean) {
    if (auto s = fs_.remove(dir_ / kCleanShutdownFile); !s) return s;
  }
  if (auto s = fs_.sync_directory(dir_); !s) return s;
  spdlog::debug("opened log {}: offsets [{}, {}), {} segment(s), {}", dir_.string(), log_start_offset_,
                next_offset_, segments_.size(), clean ? "clean shutdown" : "recovered");
  return {};
}

Status Log::check_online() const {
  if (offline_reason_)
    return make_error(Errc::kafka_storage_error, "log is offline after an earlier failure: " + offline_reason_->message);
  if (closed_) return make_error(Errc::kafka_storage_error, "log is closed");
  return {};
}

Status Log::go_offline(const Error& error) {
  // After a failed fsync the state of the page cache is unknown (the OS may have dropped
  // the dirty pages), so retrying could report data as durable that is not. Stop instead.
  spdlog::error("taking log {} offline: {}", dir_.string(), error.message);
  offline_reason_ = error;
  return error;
}

bool Log::should_roll(std::size_t batch_size, const record::BatchHeader& batch) const {
  const Segment& seg = active();
  if (seg.empty()) return false;
  // Age, as Kafka measures it: record time since the segment's first batch. Batches
  // without timestamps (-1) never trigger it; both sides >= 0 also rules out overflow.
  const bool too_old = seg.first_batch_timestamp() >= 0 && batch.max_timestamp >= 0 &&
                       batch.max_timestamp - seg.first_batch_timestamp() > config_.segment_ms;
  // Relative offsets in the index are 32-bit: the batch's last offset must still fit.
  const bool offsets_overflow =
      next_offset_ + batch.last_offset_delta - seg.base_offset() > std::numeric_limits<std::int32_t>::max();
  return seg.size_bytes() + batch_size > config_.segment_bytes || too_old || seg.index_full() || offsets_overflow;
}

Status Log::roll() {
  // A roll has a fast half and a slow half. The fast half happens here, on the log's
  // thread: the old segment gets its last index entries, and the new segment's files
  // are created. From then on the old segment's files never change.
  if (auto s = collect_seals(); !s) return s;
  if (auto s = active().prepare_seal(); !s) return go_offline(s.error());
  const Segment::Files sealed = active().files();
  auto seg = Segment::create(fs_, dir_, next_offset_, config_.segment);
  if (!seg) return seg.error();
  segments_.emplace(next_offset_, std::move(*seg));
  sealing_.push_back(Sealing{sealed});

  // The slow half — fsyncing up to a whole segment, naming the new files durably, and
  // three checkpoint files with their own fsyncs — is a job for the background executor,
  // so that appends go on meanwhile (with segment.bytes at 128 MiB, doing it here stalled
  // every producer for the time it takes to write 128 MiB to the disk). The order inside
  // the job is what keeps a crash at any moment safe: the recovery point on disk moves
  // past the old segment only after its data and indexes are durable; until then a
  // restart scans the old segment as well. Nothing acknowledged depends on the job:
  // flush() makes the old segment durable itself if it has to (see flush()).
  background_->submit([state = seal_state_, sealed, &fs = fs_, dir = dir_, epoch = seal_state_->epoch,
                       recovery_point = next_offset_, contents = checkpoints(next_offset_)] {
    Status s = sealed.log->sync();
    if (s) s = sealed.index->sync();
    if (s) s = sealed.time_index->sync();
    if (s) s = fs.sync_directory(dir);  // the new segment's files, by name
    if (s) {
      std::lock_guard lock(state->checkpoint_mutex);
      if (state->epoch == epoch) {
        for (const auto& [path, bytes] : contents)
          if (s) s = fs.write_atomically(path, bytes);
      }
    }
    std::lock_guard lock(state->done_mutex);
    state->done.push_back({epoch, recovery_point, s ? std::nullopt : std::optional<Error>(s.error())});
  });
  return {};
}

Status Log::collect_seals() {
  if (sealing_.empty()) return {};
  std::vector<SealState::Done> done;
  {
    std::lock_guard lock(seal_state_->done_mutex);
    done.swap(seal_state_->done);
  }
  for (const auto& d : done) {
    sealing_.pop_front();  // jobs finish in the order they were submitted
    // A failed fsync leaves the page cache in an unknown state: offline, as for flush().
    if (d.error) return go_offline(*d.error);
    // Checkpoints written here since the job was submitted (a truncation, say) make the
    // job's recovery point stale: it may name offsets that have been cut and rewritten.
    if (d.epoch == seal_state_->epoch) recovery_point_ = std::max(recovery_point_, d.recovery_point);
  }
  return {};
}

Result<AppendInfo> Log::append(MutableByteSpan batch) {
  if (auto s = check_online(); !s) return s.error();
  if (batch.size() > config_.max_batch_bytes)
    return make_error(Errc::message_too_large, fmt::format("batch of {} bytes exceeds max.message.bytes {}",
                                                           batch.size(), config_.max_batch_bytes));
  auto client = record::validate_client_batch(batch);
  if (!client) return client.error();
  auto header = *record::decode_header(batch);
  // An idempotent producer's batch: a retry of a batch already written is answered with
  // the original offsets and not written again; a gap or a fenced epoch is refused.
  if (header.producer_id >= 0) {
    auto check = producers_.check(header);
    if (!check) return check.error();
    if (check->duplicate_of) {
      AppendInfo dup;
      dup.first_offset = check->duplicate_of->first_offset;
      dup.last_offset = check->duplicate_of->last_offset;
      dup.max_timestamp = check->duplicate_of->max_timestamp;
      dup.duplicate = true;
      return dup;
    }
  }
  // The time index and time retention trust maxTimestamp. Like Kafka's LogValidator, we
  // correct a wrong one (sarama 1.22 sends -1) — the one case where the stored bytes
  // differ from the producer's beyond baseOffset, and which costs a CRC recomputation.
  if (client->records_max_timestamp && *client->records_max_timestamp != header.max_timestamp) {
    record::set_max_timestamp(batch, *client->records_max_timestamp);
    header.max_timestamp = *client->records_max_timestamp;
  }

  AppendInfo info;
  if (should_roll(batch.size(), header)) {
    if (auto s = roll(); !s) return s.error();
    info.rolled = true;
  }
  // The log's one change to a client's batch: offsets. baseOffset lies outside the CRC.
  record::set_base_offset(batch, next_offset_);
  header.base_offset = next_offset_;
  // And, on a leader, its epoch (also outside the CRC): whatever the producer put there is
  // replaced, so that every replica can tell which leader wrote the batch.
  if (leader_epoch_) {
    record::set_partition_leader_epoch(batch, *leader_epoch_);
    header.partition_leader_epoch = *leader_epoch_;
  }
  const std::uint64_t size_before = active().size_bytes();
  if (auto s = active().append(batch, header); !s) {
    if (active().size_bytes() != size_before) return go_offline(s.error()).error();
    return s.error();
  }
  next_offset_ = header.next_offset();
  producers_.record(header);
  unflushed_messages_ += header.records_count;
  if (!first_unflushed_ms_) first_unflushed_ms_ = clock_.now_ms();
  if (flush_deferred_) {
    info.first_offset = header.base_offset;
    info.last_offset = header.last_offset();
    info.max_timestamp = header.max_timestamp;
    return info;  // the caller flushes, once for many appends
  }
  if (auto s = maybe_flush(); !s) return s.error();

  info.first_offset = header.base_offset;
  info.last_offset = header.last_offset();
  info.max_timestamp = header.max_timestamp;
  return info;
}

Status Log::maybe_flush() {
  bool by_count = unflushed_messages_ >= config_.flush.interval_messages;
  bool by_time = first_unflushed_ms_ && clock_.now_ms() - *first_unflushed_ms_ >= config_.flush.interval_ms;
  return (by_count || by_time) ? flush() : Status{};
}

Status Log::flush() {
  if (auto s = check_online(); !s) return s;
  if (auto s = collect_seals(); !s) return s;
  // Records acknowledged after this flush may sit in a segment sealed by a roll whose
  // background job has not run yet, or in a new segment whose name is not durable yet.
  // Both are made durable here, once per roll (fsyncing what the job already synced
  // costs nothing); the job then still syncs the indexes and writes the checkpoints.
  bool synced_any = false;
  for (auto& pending : sealing_) {
    if (pending.synced_by_flush) continue;
    if (auto s = pending.files.log->sync(); !s) return go_offline(s.error());
    pending.synced_by_flush = synced_any = true;
  }
  if (synced_any) {
    if (auto s = fs_.sync_directory(dir_); !s) return go_offline(s.error());
  }
  if (auto s = active().flush(); !s) return go_offline(s.error());
  recovery_point_ = next_offset_;
  unflushed_messages_ = 0;
  first_unflushed_ms_.reset();
  return {};
}

Status Log::tick() {
  if (auto s = check_online(); !s) return s;
  if (auto s = collect_seals(); !s) return s;
  return maybe_flush();
}

Result<FileRange> Log::read(std::int64_t offset, std::uint64_t max_bytes, std::int64_t end_offset) const {
  if (auto s = check_online(); !s) return s.error();
  if (offset < log_start_offset_ || offset > next_offset_)
    return make_error(Errc::offset_out_of_range, fmt::format("offset {} is outside the log's range [{}, {}]", offset,
                                                             log_start_offset_, next_offset_));
  if (offset == next_offset_ || offset >= end_offset) return FileRange{};
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) {
    auto range = it->second->read(offset, max_bytes, end_offset);
    if (!range) return range.error();
    if (*range) return **range;
  }
  return FileRange{};
}

Result<std::optional<std::int64_t>> Log::offset_for_timestamp(std::int64_t timestamp) const {
  if (auto s = check_online(); !s) return s.error();
  for (const auto& [base, seg] : segments_) {
    if (seg->max_timestamp() < timestamp) continue;
    auto found = seg->offset_for_timestamp(timestamp);
    if (!found) return found.error();
    if (*found) return std::optional<std::int64_t>{std::max(**found, log_start_offset_)};
  }
  return std::optional<std::int64_t>{};
}

std::uint64_t Log::size_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [base, seg] : segments_) total += seg->size_bytes();
  return total;
}

std::vector<SegmentInfo> Log::segment_infos() const {
  std::vector<SegmentInfo> infos;
  for (const auto& [base, seg] : segments_) infos.push_back({base, seg->size_bytes(), seg->max_timestamp()});
  return infos;
}

Result<RetentionReport> Log::apply_retention() {
  if (auto s = check_online(); !s) return s.error();
  // retention.ms and retention.bytes apply only when cleanup.policy includes "delete".
  if (!deletes(config_.cleanup_policy)) return RetentionReport{{}, log_start_offset_};
  auto infos = segment_infos();
  std::size_t n = std::max(segments_to_delete_by_size(infos, config_.retention_bytes),
                           segments_to_delete_by_time(infos, config_.retention_ms, clock_.now_ms()));
  RetentionReport report;
  for (std::size_t i = 0; i < n; ++i) {
    auto it = segments_.begin();
    // The start offset moves before the files go: a segment that is half deleted must
    // already be out of reach for readers.
    log_start_offset_ = std::max(log_start_offset_, std::next(it)->first);
    report.deleted_segments.push_back(it->first);
    auto removed = it->second->remove_files();
    segments_.erase(it);
    if (!removed) return go_offline(removed.error()).error();
  }
  if (n > 0) {
    if (auto s = write_checkpoints(); !s) return go_offline(s.error()).error();
    if (epochs_.truncate_from_start(log_start_offset_)) {
      if (auto s = write_leader_epochs(); !s) return go_offline(s.error()).error();
    }
    spdlog::info("retention deleted {} segment(s) of {}; log start offset is now {}", n, dir_.string(),
                 log_start_offset_);
  }
  report.log_start_offset = log_start_offset_;
  return report;
}

Status Log::truncate_to(std::int64_t offset) {
  if (auto s = check_online(); !s) return s;
  // No record goes, but an epoch may: one that starts at the log end (a leader's epoch
  // with no record yet) is not in a log that is to end here.
  if (offset >= next_offset_ && epochs_.truncate_from_end(offset)) return write_leader_epochs();
  if (offset >= next_offset_) return {};
  ++truncations_;  // before any change: a cleaning planned until now is stale (cleaner.h)
  // Drop whole segments that start at or after the cut, newest first.
  while (segments_.size() > 1 && segments_.rbegin()->first >= offset) {
    auto it = std::prev(segments_.end());
    if (auto s = it->second->remove_files(); !s) return go_offline(s.error());
    segments_.erase(it);
  }
  if (auto s = active().truncate_to(offset); !s) return go_offline(s.error());
  next_offset_ = active().next_offset();
  log_start_offset_ = std::min(log_start_offset_, next_offset_);
  recovery_point_ = std::min(recovery_point_, next_offset_);
  // Batches above the cut never happened: rebuild the producer table without them.
  if (auto s = load_producer_state(); !s) return go_offline(s.error());
  // Nor did their epochs: a follower that cuts the records of an epoch it will refetch
  // from its new leader must not claim that epoch still starts here.
  if (epochs_.truncate_from_end(next_offset_)) {
    if (auto s = write_leader_epochs(); !s) return go_offline(s.error());
  }
  if (auto s = write_checkpoints(); !s) return go_offline(s.error());
  return {};
}

std::vector<std::pair<std::filesystem::path, std::vector<std::byte>>> Log::checkpoints(
    std::int64_t recovery_point) const {
  auto text = [](std::int64_t value) {
    auto t = fmt::format("{}\n", value);
    auto bytes = as_bytes(t);
    return std::vector<std::byte>(bytes.begin(), bytes.end());
  };
  std::vector<std::pair<std::filesystem::path, std::vector<std::byte>>> out;
  out.emplace_back(dir_ / kRecoveryPointFile, text(recovery_point));
  out.emplace_back(dir_ / kLogStartOffsetFile, text(log_start_offset_));
  // The producer table as of now: a restart only reads the log written after it.
  out.emplace_back(dir_ / kProducerStateFile, producers_.encode_snapshot(next_offset_));
  return out;
}

Status Log::write_checkpoints() {
  // Waits for a job that is writing checkpoints right now, and makes the ones still
  // queued skip theirs: what is written here is newer (see SealState).
  std::lock_guard lock(seal_state_->checkpoint_mutex);
  ++seal_state_->epoch;
  for (const auto& [path, bytes] : checkpoints(recovery_point_))
    if (auto s = fs_.write_atomically(path, bytes); !s) return s;
  return {};
}

Status Log::close() {
  if (auto s = check_online(); !s) return s;
  if (auto s = collect_seals(); !s) return s;
  // Segments whose background seal has not reported are sealed here as well: after a
  // clean shutdown every segment's indexes are trusted.
  for (const auto& pending : sealing_) {
    for (const auto& file : {pending.files.log, pending.files.index, pending.files.time_index})
      if (auto s = file->sync(); !s) return go_offline(s.error());
  }
  if (auto s = active().seal(); !s) return go_offline(s.error());
  recovery_point_ = next_offset_;
  if (auto s = write_checkpoints(); !s) return go_offline(s.error());
  // Written last: its presence promises that everything above is complete and durable.
  if (auto s = fs_.write_atomically(dir_ / kCleanShutdownFile, {}); !s) return go_offline(s.error());
  closed_ = true;
  return {};
}

std::vector<const Segment*> Log::segments() const {
  std::vector<const Segment*> out;
  out.reserve(segments_.size());
  for (const auto& [base, seg] : segments_) out.push_back(seg.get());
  return out;
}

Status Log::replace_segments(std::vector<std::unique_ptr<Segment>>& cleaned) {
  if (auto s = check_online(); !s) return s;
  // Check everything before touching a file: a cleaner that planned against an older
  // state of the log (retention or truncation since) must change nothing.
  std::int64_t previous_end = std::numeric_limits<std::int64_t>::min();
  for (const auto& c : cleaned) {
    const bool exact = segments_.contains(c->base_offset()) && segments_.contains(c->next_offset()) &&
                       c->base_offset() >= previous_end && c->suffix() == kCleanedSuffix;
    if (!exact)
      return make_error(Errc::invalid_request,
                        fmt::format("cleaned segment [{}, {}) of {} no longer matches the log's segments",
                                    c->base_offset(), c->next_offset(), dir_.string()));
    previous_end = c->next_offset();
  }
  if (cleaned.empty()) return {};

  // 1. The commit point: once every file of a cleaned segment is named .swap (and the
  //    directory fsync made the names durable), a crash rolls the swap forward.
  for (auto& c : cleaned)
    if (auto s = c->change_suffix(kSwapSuffix); !s) return go_offline(s.error());
  if (auto s = fs_.sync_directory(dir_); !s) return go_offline(s.error());
  // 2. Out with the old segments, from memory first: like retention, a segment that is
  //    half deleted must already be out of reach. Readers holding a FileRange of an old
  //    segment keep reading it (an unlinked file lives on while it is open).
  std::vector<std::unique_ptr<Segment>> old;
  for (const auto& c : cleaned) {
    auto first = segments_.find(c->base_offset());
    auto last = segments_.find(c->next_offset());
    for (auto it = first; it != last; ++it) old.push_back(std::move(it->second));
    segments_.erase(first, last);
  }
  for (auto& c : cleaned) {
    const std::int64_t base = c->base_offset();
    segments_.emplace(base, std::move(c));
  }
  cleaned.clear();
  for (auto& seg : old)
    if (auto s = seg->remove_files(); !s) return go_offline(s.error());
  // Durable before any final name appears: were a rename to reach the disk and a delete
  // not, a restart would find an old segment overlapping the new one, and load() drops
  // everything from an overlap on.
  if (auto s = fs_.sync_directory(dir_); !s) return go_offline(s.error());
  // 3. The final names. Until the directory fsync, a crash finds the .swap files again
  //    (or some already renamed) and finishes the job; see finish_interrupted_swap().
  for (auto& [base, seg] : segments_)
    if (!seg->suffix().empty())
      if (auto s = seg->change_suffix(""); !s) return go_offline(s.error());
  if (auto s = fs_.sync_directory(dir_); !s) return go_offline(s.error());
  return {};
}

// The recovery half of replace_segments, as Kafka's LogLoader does it:
//   * *.cleaned files are the output of a cleaning that never reached its commit point:
//     the segments they were to replace are all still there, so they are deleted;
//   * a 00…B.log.swap file is a committed swap: it was complete and fsynced before it got
//     that name. Its batches cover [B, end) exactly, so every segment file with a base
//     offset in [B, end) belongs to a segment it replaces (or is an index of its own that
//     was already renamed): those go, then its .swap files take their final names. An
//     index .swap file may be missing (renamed already, or not yet renamed when the .log
//     was still .cleaned); opening the segment then rebuilds that index from the log;
//   * an index .swap file without its .log.swap is stale and deleted.
Status Log::finish_interrupted_swap(std::vector<std::string>& names) {
  // The base offset of a segment file with a suffix ("00…42.log.swap" → 42).
  auto base_of = [](std::string_view name, std::string_view ext,
                    std::string_view suffix) -> std::optional<std::int64_t> {
    if (!name.ends_with(suffix)) return std::nullopt;
    return parse_segment_file_name(name.substr(0, name.size() - suffix.size()), ext);
  };
  auto is_segment_file = [&](std::string_view name, std::string_view suffix) {
    return base_of(name, ".log", suffix) || base_of(name, ".index", suffix) || base_of(name, ".timeindex", suffix);
  };
  auto is_segment_swap = [&](std::string_view name) { return is_segment_file(name, kSwapSuffix); };
  bool changed = false;
  for (const auto& name : names) {
    if (!is_segment_file(name, kCleanedSuffix)) continue;
    if (auto s = fs_.remove(dir_ / name); !s) return s;
    changed = true;
  }
  for (const auto& name : names) {
    auto base = base_of(name, ".log", kSwapSuffix);
    if (!base) continue;
    auto file = fs_.open(dir_ / name, OpenMode::read_only);
    if (!file) return file.error();
    auto scan = scan_segment(**file, *base, [](const BatchLocation&) {});
    if (!scan) return scan.error();
    // Never guess here: deleting by a wrong range would lose data.
    if (scan->stop_reason)
      return make_error(Errc::kafka_storage_error,
                        fmt::format("cannot finish the interrupted cleaner swap of {}: {}", (dir_ / name).string(),
                                    scan->stop_reason->message));
    for (const auto& other : names)
      for (const char* ext : {".log", ".index", ".timeindex"})
        if (auto b = parse_segment_file_name(other, ext); b && *b >= *base && *b < scan->next_offset)
          if (auto s = fs_.remove(dir_ / other); !s) return s;
    if (auto s = fs_.sync_directory(dir_); !s) return s;  // as in replace_segments, step 2
    for (const char* ext : {".index", ".timeindex", ".log"}) {
      auto final_name = segment_file_name(*base, ext);
      auto swapped = dir_ / fmt::format("{}{}", final_name, kSwapSuffix);
      if (fs_.exists(swapped))
        if (auto s = fs_.rename(swapped, dir_ / final_name); !s) return s;
    }
    spdlog::warn("finished an interrupted cleaner swap in {}: segment {} replaces offsets [{}, {})", dir_.string(),
                 *base, *base, scan->next_offset);
    changed = true;
  }
  if (!changed && std::none_of(names.begin(), names.end(), is_segment_swap)) return {};
  auto listed = fs_.list(dir_);
  if (!listed) return listed.error();
  for (const auto& name : *listed)
    if (is_segment_swap(name))
      if (auto s = fs_.remove(dir_ / name); !s) return s;
  // Durable before the rest of load() builds on it (repeating all this is harmless, too).
  if (auto s = fs_.sync_directory(dir_); !s) return s;
  listed = fs_.list(dir_);
  if (!listed) return listed.error();
  names = std::move(*listed);
  return {};
}


Status Log::load_producer_state() {
  // Start from the snapshot when it is intact and not ahead of the log (a crash may
  // have cut the log shorter than it was when the snapshot was written); otherwise
  // rebuild from the log start.
  std::int64_t from = log_start_offset_;
  producers_.clear();
  if (fs_.exists(dir_ / kProducerStateFile)) {
    auto bytes = fs_.read_all(dir_ / kProducerStateFile);
    if (!bytes) return bytes.error();
    auto at = producers_.load_snapshot(*bytes);
    if (at && *at <= next_offset_ && *at >= log_start_offset_) {
      from = *at;
    } else {
      // A snapshot ahead of the log is expected after a truncation (or a crash that cut
      // the tail); a damaged one is worth a warning.
      spdlog::log(at ? spdlog::level::debug : spdlog::level::warn,
                  "{}: producer-state snapshot not usable ({}); rebuilding from the log", dir_.string(),
                  at ? "ahead of the log" : at.error().message);
      producers_.clear();
    }
  }
  return scan_batches(from, [&](const record::BatchHeader& header) {
    if (header.last_offset() >= from) producers_.record(header);
  });
}

Status Log::scan_batches(std::int64_t from, const std::function<void(const record::BatchHeader&)>& f) const {
  for (std::int64_t offset = from; offset < next_offset_;) {
    auto range = read(offset, 1 << 20);
    if (!range) return range.error();
    auto bytes = range->read();
    if (!bytes) return bytes.error();
    ByteSpan rest(*bytes);
    const std::int64_t before = offset;
    while (rest.size() >= record::layout::header_size) {
      auto header = record::decode_header(rest);
      if (!header || header->total_size() > rest.size()) break;
      f(*header);
      offset = header->next_offset();
      rest = rest.subspan(header->total_size());
    }
    if (offset == before) break;  // nothing readable: recovery already cut what was damaged
  }
  return {};
}


Status Log::load_leader_epochs() {
  epochs_.clear();
  bool rebuild = true;
  if (fs_.exists(dir_ / kLeaderEpochFile)) {
    auto bytes = fs_.read_all(dir_ / kLeaderEpochFile);
    if (!bytes) return bytes.error();
    auto table = LeaderEpochCache::decode(as_chars(*bytes));
    if (table) {
      epochs_ = std::move(*table);
      rebuild = false;
    } else {
      spdlog::warn("{}: {}; rebuilding the epoch table from the log", dir_.string(), table.error().message);
    }
  }
  if (rebuild) {
    // No table (a log of chapters 1-3, or a damaged file): the batches say who wrote them.
    auto s = scan_batches(log_start_offset_, [&](const record::BatchHeader& h) {
      const auto latest = epochs_.latest_epoch();
      if (h.partition_leader_epoch >= 0 && (!latest || h.partition_leader_epoch > *latest))
        epochs_.assign(h.partition_leader_epoch, std::max(h.base_offset, log_start_offset_));
    });
    if (!s) return s;
  }
  // The table is written before the records it describes (append_as_follower), so after a
  // crash it may name epochs whose records did not survive: those entries go.
  const bool cut = epochs_.truncate_from_end(next_offset_);
  const bool moved = epochs_.truncate_from_start(log_start_offset_);
  if (rebuild || cut || moved) return write_leader_epochs();
  return {};
}

Status Log::write_leader_epochs() {
  // Atomic and durable (temporary file, fsync, rename, directory fsync) and on this thread:
  // the table changes once per leader epoch, not per batch, and a record of a new epoch
  // must never reach the disk before the entry that names its epoch.
  const std::string text = epochs_.encode();
  return fs_.write_atomically(dir_ / kLeaderEpochFile, as_bytes(text));
}

Status Log::become_leader(std::int32_t epoch) {
  if (auto s = check_online(); !s) return s;
  if (epoch < 0) return make_error(Errc::invalid_request, fmt::format("leader epoch {} is negative", epoch));
  leader_epoch_ = epoch;
  if (epochs_.assign(epoch, next_offset_)) {
    if (auto s = write_leader_epochs(); !s) return go_offline(s.error());
  }
  return {};
}

Status Log::advance_log_start(std::int64_t offset) {
  if (auto s = check_online(); !s) return s;
  offset = std::min(offset, next_offset_);
  if (offset <= log_start_offset_) return {};
  ++truncations_;  // a cleaning planned over the segments that go is stale (cleaner.h)
  // The start moves before the files go, as in apply_retention().
  log_start_offset_ = offset;
  while (segments_.size() > 1 && std::next(segments_.begin())->first <= offset) {
    auto it = segments_.begin();
    if (auto s = it->second->remove_files(); !s) return go_offline(s.error());
    segments_.erase(it);
  }
  if (auto s = write_checkpoints(); !s) return go_offline(s.error());
  if (epochs_.truncate_from_start(log_start_offset_)) {
    if (auto s = write_leader_epochs(); !s) return go_offline(s.error());
  }
  return {};
}

Status Log::truncate_fully_and_start_at(std::int64_t offset) {
  if (auto s = check_online(); !s) return s;
  if (offset < 0) return make_error(Errc::invalid_request, fmt::format("log start {} is negative", offset));
  if (auto s = collect_seals(); !s) return s;
  ++truncations_;
  // The old segments go first, then the new one is created, then the checkpoints name
  // the new start. A crash part-way leaves either some of the old log — which still ends
  // below the leader's start, so the follower comes back here — or the new empty segment,
  // whose base open() takes as the log start whatever the old checkpoint says.
  while (!segments_.empty()) {
    auto it = segments_.begin();
    if (auto s = it->second->remove_files(); !s) return go_offline(s.error());
    segments_.erase(it);
  }
  auto seg = Segment::create(fs_, dir_, offset, config_.segment);
  if (!seg) return go_offline(seg.error());
  segments_.emplace(offset, std::move(*seg));
  if (auto s = fs_.sync_directory(dir_); !s) return go_offline(s.error());
  log_start_offset_ = offset;
  next_offset_ = offset;
  recovery_point_ = offset;
  epochs_.clear();
  if (auto s = write_leader_epochs(); !s) return go_offline(s.error());
  if (auto s = write_checkpoints(); !s) return go_offline(s.error());
  if (auto s = load_producer_state(); !s) return go_offline(s.error());
  spdlog::info("{}: truncated fully; the log starts again, empty, at {}", dir_.string(), offset);
  return {};
}

Result<AppendInfo> Log::append_as_follower(ByteSpan batches) {
  if (auto s = check_online(); !s) return s.error();
  AppendInfo info;
  info.first_offset = next_offset_;
  info.last_offset = next_offset_ - 1;
  std::size_t at = 0;
  while (batches.size() - at >= record::layout::header_size) {
    auto batch = batches.subspan(at);
    // The leader's bytes are checked like a disk's: a length that does not fit a batch, a
    // wrong magic or CRC, a negative offset delta — nothing of it is written.
    auto frame = record::read_frame(batch, std::numeric_limits<std::size_t>::max());
    if (!frame) return frame.error();
    if (frame->total_size > batch.size()) break;  // cut by the fetch's size limit
    batch = batch.first(frame->total_size);
    if (auto s = record::check_integrity(batch); !s) return s.error();
    auto header = record::decode_header(batch);
    if (header->base_offset != next_offset_)
      return make_error(Errc::offset_out_of_range, fmt::format("replicated batch at offset {}, but the log ends at {}",
                                                               header->base_offset, next_offset_));
    const auto latest = epochs_.latest_epoch();
    if (header->partition_leader_epoch >= 0 && (!latest || header->partition_leader_epoch > *latest)) {
      epochs_.assign(header->partition_leader_epoch, header->base_offset);
      if (auto s = write_leader_epochs(); !s) return go_offline(s.error()).error();
    }
    if (should_roll(batch.size(), *header)) {
      if (auto s = roll(); !s) return s.error();
      info.rolled = true;
    }
    const std::uint64_t size_before = active().size_bytes();
    if (auto s = active().append(batch, *header); !s) {
      if (active().size_bytes() != size_before) return go_offline(s.error()).error();
      return s.error();
    }
    next_offset_ = header->next_offset();
    // A follower keeps the producers' sequence numbers too: if it becomes the leader, a
    // producer's retry of a batch it already has is recognised as one (idempotence
    // survives failover).
    producers_.record(*header);
    unflushed_messages_ += header->records_count;
    if (!first_unflushed_ms_) first_unflushed_ms_ = clock_.now_ms();
    info.last_offset = header->last_offset();
    info.max_timestamp = std::max(info.max_timestamp, header->max_timestamp);
    at += batch.size();
  }
  // The flush policy applies here even when the leader's group commit had the log defer
  // its flushes: that deferral was the request handler's, for its own appends, and nobody
  // gathers a follower's. (A follower that fetches again says "I have it"; with
  // flush.messages=1 that must mean "on disk".)
  if (auto s = maybe_flush(); !s) return s.error();
  return info;
}

}  // namespace streamcraft::log
