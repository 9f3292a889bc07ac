// generated from final/log/segment.h; edit there
// log/segment.h — one segment: a `.log` file of batches and its two sparse indexes.
//
// A partition's log is split into segments so that old data can be deleted a whole file
// at a time (retention) and so that indexes stay small. A segment is named by its base
// offset, the offset of its first record, in 20 digits so that names sort like numbers:
//
//   00000000000000000000.log        the batches, exactly as producers sent them
//   00000000000000000000.index      sparse offset index   (log/index.h)
//   00000000000000000000.timeindex  sparse time index     (log/time_index.h)
//
// Only the newest segment (the "active" one) is appended to. Index entries are kept in
// memory and written to their files when the segment is flushed or closed: an index can
// always be rebuilt from the log, so it never needs its own fsync on the append path.
//
// Invariants: batches are contiguous in offsets starting at base_offset; index entries
// point at batch starts; next_offset() is one past the last offset in the file.
// Not thread-safe: a partition's log is driven by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "log/file.h"
#include "log/index.h"
#include "log/recovery.h"
#include "log/time_index.h"
#include "record/batch.h"

namespace streamcraft::log {

struct SegmentConfig {
  // Bytes of log data between two index entries (Kafka: index.interval.bytes).
  std::uint32_t index_interval_bytes = 4096;
  // Entries an index may hold before the segment must roll (Kafka: segment.index.bytes / 8).
  std::size_t max_index_entries = (10u << 20) / kIndexEntrySize;
};

// A byte range of a segment file: what a read returns. It holds the file open, so the
// bytes stay readable even if retention deletes the segment meanwhile (POSIX keeps an
// unlinked file alive while a descriptor is open); chapter 2 sends such ranges to the
// network with sendfile(2), without copying them through user space.
struct FileRange {
  std::shared_ptr<const File> file;
  std::uint64_t position = 0;
  std::uint64_t size = 0;

  // Copies the bytes into memory.
  Result<Bytes> read() const;
};

// What recovery did to one segment.
struct SegmentRecovery {
  std::int64_t base_offset = 0;
  bool scanned = false;  // the segment was read batch by batch (not trusted)
  std::uint64_t batches = 0;
  std::uint64_t truncated_bytes = 0;
  std::optional<Error> reason;  // set when bytes were truncated
};

std::string segment_file_name(std::int64_t base_offset, std::string_view extension);
// Parses "00000000000000000042.log" → 42; nullopt for any other name.
std::optional<std::int64_t> parse_segment_file_name(std::string_view name, std::string_view extension);

class Segment {
  // Passed to the constructor so that only the factories below can call it.
  struct Private {
    explicit Private() = default;
  };

 public:
  // A new, empty segment (creates the files).
  static Result<std::unique_ptr<Segment>> create(FileSystem& fs, const std::filesystem::path& dir,
                                                 std::int64_t base_offset, const SegmentConfig& config);

  // An existing segment that was cleanly written (closed or flushed before a roll): load
  // its indexes and find its end by reading batch headers after the last index entry. If
  // an index file is missing or fails its checks, fall back to recover().
  static Result<std::unique_ptr<Segment>> open_trusted(FileSystem& fs, const std::filesystem::path& dir,
                                                       std::int64_t base_offset, const SegmentConfig& config,
                                                       SegmentRecovery* recovery = nullptr);

  // An existing segment after a crash: scan every batch, truncate a torn or corrupt tail,
  // rebuild both indexes from the log.
  static Result<std::unique_ptr<Segment>> open_and_recover(FileSystem& fs, const std::filesystem::path& dir,
                                                           std::int64_t base_offset, const SegmentConfig& config,
                                                           SegmentRecovery& recovery);

  // Use the factories above (Private is out of reach elsewhere).
  Segment(Private, FileSystem& fs, std::filesystem::path dir, std::int64_t base_offset, const SegmentConfig& config);
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  // Appends one batch whose base offset the log has already set to next_offset().
  // On a write error the file is cut back to its previous length, so a failed append
  // leaves no partial batch behind.
  Status append(ByteSpan batch, const record::BatchHeader& header);

  // Whole batches starting with the one that contains `offset`, up to max_bytes — but
  // always at least that first batch, even if it is larger (so a consumer can never get
  // stuck behind a batch bigger than its buffer). nullopt if offset >= next_offset().
  // Batches starting at or after `end_offset` are left out (chapter 4: consumers read
  // below the high watermark only).
  Result<std::optional<FileRange>> read(std::int64_t offset, std::uint64_t max_bytes,
                                        std::int64_t end_offset = INT64_MAX) const;

  // The first offset whose record timestamp is >= timestamp, or nullopt if none here.
  // Inside a compressed batch the answer is the batch's first offset (we never decompress).
  Result<std::optional<std::int64_t>> offset_for_timestamp(std::int64_t timestamp) const;

  // Makes appended data durable (fdatasync) and writes new index entries to their files.
  Status flush();
  // Flush, then seal the time index with the segment's largest timestamp. Called when the
  // segment stops being active at clean shutdown: prepare_seal() and a sync of files().
  Status seal();
  // The part of sealing that changes the segment: the time index gets its last entry and
  // both indexes are written out (not fsynced). After it the segment's files do not
  // change any more, so a background job may fsync them (Log::roll, log/log.h).
  Status prepare_seal();
  // The segment's three files, shared: a background fsync keeps them open even if the
  // segment is deleted meanwhile (fsyncing a deleted file is harmless).
  struct Files {
    std::shared_ptr<File> log, index, time_index;
  };
  Files files() const { return Files{log_, index_file_, time_index_file_}; }
  // Cuts the segment back so that next_offset() <= offset (truncation to a batch boundary).
  Status truncate_to(std::int64_t offset);
  // Deletes the three files.
  Status remove_files();

  // For the log cleaner (log/cleaner.h), which builds a segment under temporary names
  // and renames it into place, as Kafka does with its LogSegment file suffixes:
  // `create_with_suffix(…, ".cleaned")` makes 00…42.log.cleaned, .index.cleaned and
  // .timeindex.cleaned; `change_suffix("")` later gives the files their usual names.
  static Result<std::unique_ptr<Segment>> create_with_suffix(FileSystem& fs, const std::filesystem::path& dir,
                                                             std::int64_t base_offset, const SegmentConfig& config,
                                                             std::string suffix);
  // Renames the three files to carry `suffix` (empty: the usual names). The two indexes
  // go first and the .log last, so "00…42.log<suffix> exists" implies that every file of
  // the segment has been renamed: the log's crash recovery keys on the .log name. On a
  // failure the segment keeps its old suffix (its .log still has it).
  Status change_suffix(std::string suffix);
  const std::string& suffix() const { return suffix_; }
  // The whole .log file as a range; it keeps the file open (see FileRange), so a reader
  // off the log's thread can go on reading it even if retention deletes the segment.
  FileRange file_range() const { return FileRange{log_, 0, log_->size()}; }

  std::int64_t base_offset() const { return base_offset_; }
  std::int64_t next_offset() const { return next_offset_; }
  std::uint64_t size_bytes() const { return log_->size(); }
  bool empty() const { return log_->size() == 0; }
  // Largest record timestamp in the segment (-1 if empty).
  std::int64_t max_timestamp() const { return max_timestamp_; }
  // The max timestamp of the segment's first batch (-1 if empty): segment.ms measures a
  // segment's age from it, as Kafka does, so that age survives restarts and follows the
  // records' own time rather than the broker's clock.
  std::int64_t first_batch_timestamp() const { return first_batch_timestamp_; }
  bool index_full() const { return offset_index_.size() >= config_.max_index_entries; }
  std::span<const IndexEntry> offset_index() const { return offset_index_; }
  std::span<const TimeIndexEntry> time_index() const { return time_index_; }
  std::filesystem::path log_path() const;
  std::filesystem::path index_path() const;
  std::filesystem::path time_index_path() const;

 private:
  Status open_files();
  // dir / the segment's file name with `extension` (and, from chapter 3, the suffix).
  std::filesystem::path path_with(std::string_view extension) const;
  Status recover(SegmentRecovery& recovery);
  Status load_indexes();
  Status find_end_from_last_index_entry();
  // The one place that decides which batches get index entries, used both while
  // appending and while rebuilding, so that a rebuilt index equals the original.
  void index_batch(const BatchLocation& batch);
  void reset_indexes();
  Status write_index_files(bool rewrite);
  // The batch that contains offset (or the first batch after it), and where it starts.
  struct Located {
    std::uint64_t position;
    record::BatchHeader header;
  };
  Result<std::optional<Located>> find_batch(std::int64_t offset) const;

  FileSystem& fs_;
  std::filesystem::path dir_;
  std::int64_t base_offset_;
  SegmentConfig config_;
  std::shared_ptr<File> log_;
  std::shared_ptr<File> index_file_;
  std::shared_ptr<File> time_index_file_;

  std::int64_t next_offset_;
  std::vector<IndexEntry> offset_index_;
  std::vector<TimeIndexEntry> time_index_;
  std::size_t offset_entries_on_disk_ = 0;
  std::size_t time_entries_on_disk_ = 0;
  std::uint64_t bytes_since_index_entry_ = 0;
  std::int64_t max_timestamp_ = -1;
  std::int64_t offset_of_max_timestamp_ = -1;
  std::int64_t first_batch_timestamp_ = -1;
  bool dirty_ = false;  // appended since the last flush
  std::string suffix_;  // after the file names: "" except while the cleaner builds or swaps
};

}  // namespace streamcraft::log
