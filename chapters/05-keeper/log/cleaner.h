// generated from final/log/cleaner.h; edit there
// log/cleaner.h — log compaction (cleanup.policy=compact): keep the latest record per key.
//
// Retention (log/retention.h) forgets old data by age or size. Some topics want the
// opposite: remember the *latest* value of every key forever, however old — the
// committed offsets of consumer groups (chapter 3's __consumer_offsets), a table's
// change log. Such a topic is "compacted": a cleaner rewrites its old segments keeping,
// for each key, only the record with the highest offset. A record with a null value (a
// "tombstone") says "this key is deleted"; it is kept for delete.retention.ms so that
// consumers catch up on the deletion, and then removed too.
//
//   before   0:a=1 1:b=1 2:a=2 3:c=1 | 4:b=2 5:c=null | 6:a=3     ("|" ends a segment;
//   after                               4:b=2 5:c=null | 6:a=3      the last is active)
//
// a's latest value is in the active segment, so 0 and 2 go; 1 and 3 have later values;
// the tombstone 5 stays for now; the two small sealed segments became one.
//
// What one cleaning does (clean_log runs all three steps):
//   plan (on the log's thread, cheap): decide whether the log is due — the "dirty" part,
//        the sealed bytes after the cleaner checkpoint, is at least
//        min.cleanable.dirty.ratio of all sealed bytes, or tombstones are due to expire —
//        and take a snapshot: every sealed segment and the active segment up to its
//        current size, as FileRanges (open files that retention cannot pull away).
//   build (any thread, the expensive part: it only reads the snapshot and writes new
//        files, never touches the Log):
//          pass 1, the offset map: key → latest offset, over the dirty part *and the
//             active segment* (so a key rewritten since the last roll loses its older
//             records at once; Kafka stops at the active segment, which is simpler for a
//             background thread but keeps such records one cleaning longer);
//          pass 2, measure and group: consecutive sealed segments go together while
//             their cleaned size fits in segment.bytes (as Kafka does, so that cleaning
//             shrinks the segment count instead of leaving many tiny segments);
//          pass 3, write: each group that changes becomes one new segment named after
//             the group's first base offset, in files ending in ".cleaned", fsynced.
//             A group of one segment from which nothing goes is left alone, which is
//             why cleaning an already clean log writes nothing.
//   swap (on the log's thread, short: renames and deletes): Log::replace_segments —
//        rename to ".swap" (the commit point), delete the old segments, rename to the
//        final names; then the cleaner checkpoint file. Log::open finishes a swap that a
//        crash interrupted, or drops ".cleaned" files of a build that never committed.
// The synchronous clean_log is what this chapter uses; a background cleaner thread would
// run build off the strand and post swap back to it (and the log would then have to cancel
// a cleaning on truncate_to, which can remove the records that made others obsolete —
// Kafka's LogCleanerManager aborts cleaning on truncation for this reason).
//
// Which records are kept (for each record of a sealed segment, at offset o):
//   * a null key: kept (Kafka refuses such records on compacted topics; we keep them);
//   * the map has a later offset for its key: removed;
//   * otherwise it is its key's latest record: kept — unless it is a tombstone whose
//     horizon has passed: Kafka's rule, delete.retention.ms after the first cleaning
//     that saw it (the checkpoint file remembers when each cleaned range was first
//     cleaned). A tombstone seen for the first time is always kept.
//
// Invariants of the result:
//   * offsets never change, and nothing is added; only records are removed;
//   * the active segment is never touched, so appends never wait for the cleaner;
//   * every offset of a cleaned segment is still covered by exactly one batch (see below),
//     so segments stay contiguous and recovery's "each batch starts where the previous
//     ended" check (log/recovery.h) holds for cleaned segments too.
//
// How a batch is rewritten. Kafka keeps a v2 batch's baseOffset and lastOffsetDelta and
// leaves gaps between the records inside it (MemoryRecords.filterTo: "we must preserve
// the last offset from the initial batch in order to ensure that the last sequence number
// from the batch remains even after compaction"). Streamcraft's record decoder insists on
// offsetDeltas 0, 1, 2, … (record/record.h), as do the tools built on it, so we express
// the same thing differently: a batch becomes a sequence of slices covering its offset
// range — each run of kept records becomes a batch of its own (baseOffset = the run's
// first offset, offsetDeltas renumbered 0, 1, …, baseSequence moved along so every record
// keeps its sequence number), and each run of removed offsets becomes an *empty* batch
// (recordsCount 0, the run's baseOffset and lastOffsetDelta, no records — a form Kafka's
// own cleaner writes too and every client skips). Adjacent empty batches merge (when
// their producer and leader epoch agree), so a gap costs 61 bytes however long it is. A
// batch from which nothing is removed is copied byte for byte. Timestamps, headers,
// producer id/epoch and partitionLeaderEpoch are kept; an empty batch carries the
// largest timestamp of what it replaces, so time retention still sees the right age.
//
// A compressed batch is different: its keys are inside the compressed stream, so the
// cleaner decompresses it (record/compression.h, at most kMaxDecompressedBatchBytes) in
// each pass. If nothing goes, it is copied byte for byte; if everything goes, it becomes
// an empty batch like any run of removed offsets; otherwise the kept records are
// recompressed with the batch's codec (snappy in the framing it came in) into *one* new
// batch, as Kafka's filterTo does: same baseOffset, lastOffsetDelta, baseTimestamp,
// attributes, producer id/epoch and baseSequence, recordsCount the kept records, which
// keep their bytes and so their offsetDeltas — with gaps between them, which
// record::decode_record_bytes accepts — and maxTimestamp the largest kept timestamp.
// Splitting it into slices would compress each slice on its own and pay a header for
// each, undoing much of what the compression was for. Compressing the same records
// always gives the same bytes, so the measuring pass knows the written size exactly.
//
// Limitations (a teaching edition):
//   * batches with any attribute but the codec set — transactional, control,
//     LogAppendTime — are copied whole and their keys are not seen, as are compressed
//     batches that do not decompress (a client can write them: the broker checks only
//     their CRC); a tombstone after such a batch is never removed (an older value might
//     hide inside it and would come back);
//   * a compressed batch is decompressed in every pass (and recompressed when measured
//     and when written): simple, at the price of CPU;
//   * the offset map is an unordered_map of whole keys in memory (Kafka uses a fixed-size
//     map of key hashes and cleans only what fits);
//   * splitting batches costs a header per run, so a segment of tiny records can get
//     bigger; a cleaned group that would pass 2 GiB (index positions are 32-bit) is left
//     as it was.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "log/file.h"
#include "log/log.h"
#include "log/segment.h"

namespace streamcraft::log {

// Kafka's spellings: "delete", "compact", "compact,delete" (or "delete,compact").
std::optional<CleanupPolicy> parse_cleanup_policy(std::string_view text);
std::string_view cleanup_policy_name(CleanupPolicy policy);

// The cleaner's memory, in the file `cleaner-offset-checkpoint` of the log directory
// (Kafka keeps one such file per data directory; one per log is simpler here).
struct CleanerCheckpoint {
  static constexpr const char* kFile = "cleaner-offset-checkpoint";
  // Everything below this offset has been cleaned (the log's "clean" part); the next
  // cleaning builds its offset map from here on. 0 (or below the log start): nothing yet.
  std::int64_t first_dirty_offset = 0;
  // Offset ranges [start, end) that still hold tombstones, with the time of the cleaning
  // that first saw them: a tombstone in such a range is removed once now_ms >=
  // first_cleaned_ms + delete.retention.ms. A tombstone below first_dirty_offset in no
  // range has passed that horizon already (ranges are dropped once expired).
  struct TombstoneRange {
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::int64_t first_cleaned_ms = 0;
    bool operator==(const TombstoneRange&) const = default;
  };
  std::vector<TombstoneRange> tombstones;
  bool operator==(const CleanerCheckpoint&) const = default;
};
// A missing or unreadable file gives the default: a damaged checkpoint costs a full
// re-cleaning and keeps tombstones longer, never loses a record that should stay.
Result<CleanerCheckpoint> read_cleaner_checkpoint(FileSystem& fs, const std::filesystem::path& dir);
// Atomically (FileSystem::write_atomically): a crash leaves the old or the new one.
Status write_cleaner_checkpoint(FileSystem& fs, const std::filesystem::path& dir, const CleanerCheckpoint& checkpoint);

struct CleanerStats {
  bool ran = false;             // false: the log was not due (see skipped_reason)
  std::string skipped_reason;
  double dirty_ratio = 0;       // dirty sealed bytes / all sealed bytes, at planning
  std::int64_t first_dirty_offset = 0;  // the checkpoint before this cleaning
  std::int64_t cleaned_up_to = 0;       // … and after it (the active segment's base offset)
  std::size_t segments_before = 0;      // sealed segments
  std::size_t segments_after = 0;
  std::size_t segments_written = 0;     // cleaned segments swapped in
  std::uint64_t bytes_before = 0;       // bytes of the sealed segments
  std::uint64_t bytes_after = 0;
  std::uint64_t records_read = 0;       // records of the sealed segments looked at
  std::uint64_t records_removed = 0;    // superseded records and expired tombstones
  std::uint64_t tombstones_removed = 0;
  std::uint64_t opaque_batches = 0;     // transactional/control/LogAppendTime batches copied whole
  std::uint64_t recompressed_batches = 0;  // compressed batches thinned out and recompressed
  std::uint64_t undecodable_batches = 0;   // compressed batches that would not decompress, copied whole
};

struct CleanOptions {
  bool force = false;  // clean even if min.cleanable.dirty.ratio says not yet
};

// Step 1: what to clean. Reads the checkpoint file; holds the segments' files open.
struct CleaningPlan {
  struct Input {
    std::int64_t base_offset = 0;
    std::int64_t end_offset = 0;  // the next segment's base offset
    FileRange file;
  };
  bool due = false;
  CleanerStats stats;  // skipped_reason when !due; the "before" figures otherwise
  std::filesystem::path dir;
  LogConfig config;
  std::int64_t now_ms = 0;
  CleanerCheckpoint checkpoint;  // as read, first_dirty_offset clamped to the log
  std::vector<Input> sealed;     // oldest first
  Input active;                  // up to its size at planning time
  std::uint64_t log_truncations = 0;  // Log::truncations() at planning time
};
Result<CleaningPlan> plan_cleaning(const Log& log, std::int64_t now_ms, const CleanOptions& options = {});

// Step 2's output: sealed segments named *.cleaned, not yet part of any log. Destroying
// it without a swap deletes their files (a cleaning given up leaves nothing behind).
class CleanedSegments {
 public:
  CleanedSegments() = default;
  CleanedSegments(CleanedSegments&&) = default;
  CleanedSegments& operator=(CleanedSegments&&) = default;
  ~CleanedSegments();

  std::vector<std::unique_ptr<Segment>> segments;  // oldest first
  CleanerStats stats;
  CleanerCheckpoint next_checkpoint;  // to write once the swap is done
  std::int64_t map_end_offset = 0;    // the offset map looked at records below this
  std::uint64_t log_truncations = 0;  // the plan's: a truncation since makes the swap refuse
};
// Step 2: the expensive part. Reads only the plan's files; writes only *.cleaned files.
Result<CleanedSegments> build_cleaned_segments(FileSystem& fs, const CleaningPlan& plan);

// Step 3: swaps the cleaned segments in (Log::replace_segments) and writes the
// checkpoint. INVALID_REQUEST if the log was truncated since the plan (nothing happened
// then: the cleaned files are deleted, and the next plan starts afresh).
Result<CleanerStats> swap_cleaned_segments(Log& log, CleanedSegments cleaned);

// All three steps, synchronously.
Result<CleanerStats> clean_log(Log& log, std::int64_t now_ms, const CleanOptions& options = {});

}  // namespace streamcraft::log
