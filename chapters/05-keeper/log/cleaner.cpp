// generated from final/log/cleaner.cpp; edit there
// log/cleaner.cpp — planning, building and swapping in cleaned segments (see cleaner.h).
#include "log/cleaner.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <iterator>
#include <limits>
#include <span>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "record/batch.h"
#include "record/compression.h"
#include "record/record.h"

namespace streamcraft::log {

std::optional<CleanupPolicy> parse_cleanup_policy(std::string_view text) {
  bool compact = false;
  bool remove = false;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "compact")
      compact = true;
    else if (item == "delete")
      remove = true;
    else
      return std::nullopt;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (compact && remove) return CleanupPolicy::compact_and_delete;
  return compact ? CleanupPolicy::compact : CleanupPolicy::delete_segments;
}

std::string_view cleanup_policy_name(CleanupPolicy policy) {
  switch (policy) {
    case CleanupPolicy::delete_segments: return "delete";
    case CleanupPolicy::compact: return "compact";
    case CleanupPolicy::compact_and_delete: return "compact,delete";
  }
  return "unknown";
}

// ---- the checkpoint file -----------------------------------------------------------
//
//   0                      format version
//   4096                   first dirty offset
//   1                      number of tombstone ranges, then one line each:
//   1024 4096 1700000000000   start end first_cleaned_ms

Result<CleanerCheckpoint> read_cleaner_checkpoint(FileSystem& fs, const std::filesystem::path& dir) {
  const auto path = dir / CleanerCheckpoint::kFile;
  if (!fs.exists(path)) return CleanerCheckpoint{};
  auto bytes = fs.read_all(path);
  if (!bytes) return bytes.error();
  std::vector<std::int64_t> numbers;
  auto text = as_chars(*bytes);
  const char* p = text.data();
  const char* end = p + text.size();
  bool malformed = false;
  while (p != end) {
    if (*p == ' ' || *p == '\n') {
      ++p;
      continue;
    }
    std::int64_t value = 0;
    auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc{}) {
      malformed = true;
      break;
    }
    numbers.push_back(value);
    p = next;
  }
  CleanerCheckpoint c;
  malformed = malformed || numbers.size() < 3 || numbers[0] != 0 || numbers[1] < 0 || numbers[2] < 0 ||
              numbers.size() != 3 + 3 * static_cast<std::size_t>(numbers[2]);
  if (malformed) {
    spdlog::warn("ignoring unreadable cleaner checkpoint {}: the log will be cleaned from its start", path.string());
    return CleanerCheckpoint{};
  }
  c.first_dirty_offset = numbers[1];
  for (std::size_t i = 3; i < numbers.size(); i += 3)
    c.tombstones.push_back({numbers[i], numbers[i + 1], numbers[i + 2]});
  return c;
}

Status write_cleaner_checkpoint(FileSystem& fs, const std::filesystem::path& dir, const CleanerCheckpoint& c) {
  std::string text = fmt::format("0\n{}\n{}\n", c.first_dirty_offset, c.tombstones.size());
  for (const auto& r : c.tombstones) fmt::format_to(std::back_inserter(text), "{} {} {}\n", r.start, r.end, r.first_cleaned_ms);
  return fs.write_atomically(dir / CleanerCheckpoint::kFile, as_bytes(text));
}

namespace {

namespace layout = record::layout;

Error corrupt(const FileRange& range, std::uint64_t pos, std::string_view what) {
  return make_error(Errc::corrupt_message, fmt::format("cleaner: at position {} of a segment: {}", range.position + pos, what));
}

// Walks the batches of a FileRange, checking each one's integrity (CRC included): the
// cleaner writes what it reads into new files, and must not launder a damaged batch
// into a freshly checksummed one.
class BatchCursor {
 public:
  explicit BatchCursor(const FileRange& range) : range_(range) {}

  // The next batch (valid until the next call), or nullopt at the end of the range.
  Result<std::optional<ByteSpan>> next() {
    if (pos_ >= range_.size) return std::optional<ByteSpan>{};
    const std::uint64_t left = range_.size - pos_;
    std::byte frame_bytes[layout::log_overhead];
    auto n = range_.file->read_at(frame_bytes, range_.position + pos_);
    if (!n) return n.error();
    auto frame = record::read_frame(ByteSpan(frame_bytes, *n), static_cast<std::size_t>(left));
    if (!frame) return corrupt(range_, pos_, frame.error().message);
    buffer_.resize(frame->total_size);
    auto got = range_.file->read_at(buffer_, range_.position + pos_);
    if (!got) return got.error();
    if (*got != buffer_.size()) return corrupt(range_, pos_, "batch cut short");
    if (auto s = record::check_integrity(buffer_); !s) return corrupt(range_, pos_, s.error().message);
    pos_ += frame->total_size;
    return std::optional<ByteSpan>{ByteSpan(buffer_)};
  }

 private:
  const FileRange& range_;
  Bytes buffer_;
  std::uint64_t pos_ = 0;
};

// Keys are looked up as string_views into batch bytes, without a copy.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};
using OffsetMap = std::unordered_map<std::string, std::int64_t, KeyHash, std::equal_to<>>;

// Batches the cleaner does not look into (see "Limitations" in cleaner.h): any attribute
// but the codec (bits 0-2) — transactional, control, LogAppendTime.
bool is_opaque(const record::BatchHeader& h) { return (h.attributes & ~std::int16_t{0x07}) != 0; }
bool is_compressed(const record::BatchHeader& h) { return h.compression() != record::Compression::none; }

// Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from INT32_MAX to 0.
std::int32_t add_to_sequence(std::int32_t sequence, std::int64_t delta) {
  if (sequence < 0) return sequence;  // no sequence
  constexpr std::int64_t modulus = std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1;
  return static_cast<std::int32_t>((sequence + delta) % modulus);
}

// The header fields of a batch the cleaner writes.
struct BatchFields {
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = -1;
  std::int16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = -1;
  std::int64_t max_timestamp = -1;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::int32_t records_count = 0;
};

// Fills in the 61-byte header at the front of `out` (records already follow it) and the CRC.
void finish_batch(Bytes& out, const BatchFields& f) {
  std::byte* p = out.data();
  store_be<std::int64_t>(p + layout::base_offset, f.base_offset);
  store_be<std::int32_t>(p + layout::batch_length, static_cast<std::int32_t>(out.size() - layout::log_overhead));
  store_be<std::int32_t>(p + layout::partition_leader_epoch, f.partition_leader_epoch);
  store_be<std::int8_t>(p + layout::magic, record::kMagicV2);
  store_be<std::int16_t>(p + layout::attributes, f.attributes);
  store_be<std::int32_t>(p + layout::last_offset_delta, f.last_offset_delta);
  store_be<std::int64_t>(p + layout::base_timestamp, f.base_timestamp);
  store_be<std::int64_t>(p + layout::max_timestamp, f.max_timestamp);
  store_be<std::int64_t>(p + layout::producer_id, f.producer_id);
  store_be<std::int16_t>(p + layout::producer_epoch, f.producer_epoch);
  store_be<std::int32_t>(p + layout::base_sequence, f.base_sequence);
  store_be<std::int32_t>(p + layout::records_count, f.records_count);
  store_be<std::uint32_t>(p + layout::crc, record::compute_crc(out));
}

// A run of offsets with no records left: written as an empty batch (recordsCount 0).
struct Gap {
  std::int64_t base_offset = 0;
  std::int64_t last_offset = 0;
  std::int64_t max_timestamp = -1;  // the largest timestamp of what it replaces
  std::int32_t partition_leader_epoch = -1;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;  // the sequence number the first offset had

  // Two gaps become one batch when nothing a reader of the header could use is lost:
  // same leader epoch, same producer, and sequence numbers that continue.
  bool can_absorb(const Gap& next) const {
    return next.base_offset == last_offset + 1 && next.partition_leader_epoch == partition_leader_epoch &&
           next.producer_id == producer_id && next.producer_epoch == producer_epoch &&
           next.base_sequence == add_to_sequence(base_sequence, next.base_offset - base_offset) &&
           next.last_offset - base_offset <= std::numeric_limits<std::int32_t>::max();
  }
  Bytes encode() const {
    Bytes out(layout::header_size);
    finish_batch(out, BatchFields{base_offset, partition_leader_epoch, 0,
                                  static_cast<std::int32_t>(last_offset - base_offset), max_timestamp, max_timestamp,
                                  producer_id, producer_epoch, base_sequence, 0});
    return out;
  }
};

// What becomes of one record.
enum class Verdict { keep, keep_new_tombstone, remove, remove_tombstone };
bool kept(Verdict v) { return v == Verdict::keep || v == Verdict::keep_new_tombstone; }

// The keep-or-remove rule of cleaner.h, in one place for both passes over the data.
struct Judge {
  const OffsetMap& map;
  const CleanerCheckpoint& checkpoint;  // first_dirty_offset as clamped by the plan
  std::int64_t now_ms;
  std::int64_t delete_retention_ms;
  // The first batch the cleaner cannot look into: a tombstone after it stays (an older
  // value of its key might be inside). Passes see batches in offset order, so when a
  // record is judged this already holds every opaque batch before it.
  std::int64_t first_opaque_offset = std::numeric_limits<std::int64_t>::max();

  Verdict operator()(const record::RecordView& r) const {
    if (!r.key) return Verdict::keep;
    auto it = map.find(as_chars(*r.key));
    if (it != map.end() && it->second > r.offset) return Verdict::remove;
    if (r.value) return Verdict::keep;
    // The latest record of its key is a tombstone.
    if (r.offset >= checkpoint.first_dirty_offset) return Verdict::keep_new_tombstone;
    if (r.offset > first_opaque_offset) return Verdict::keep;
    for (const auto& range : checkpoint.tombstones)
      if (r.offset >= range.start && r.offset < range.end && now_ms - range.first_cleaned_ms < delete_retention_ms)
        return Verdict::keep;
    return Verdict::remove_tombstone;
  }
};

// What rewriting a group of sealed segments did (or would do).
struct SegmentOutcome {
  std::uint64_t bytes = 0;  // of the cleaned segment
  bool changed = false;     // differs from the original segment(s)
  std::uint64_t records_read = 0;
  std::uint64_t records_removed = 0;
  std::uint64_t tombstones_removed = 0;
  std::uint64_t new_tombstones = 0;  // kept tombstones seen for the first time
  std::uint64_t opaque_batches = 0;
  std::uint64_t recompressed_batches = 0;
  std::uint64_t undecodable_batches = 0;
};

// Rewrites the batches of consecutive sealed segments into one cleaned segment, through
// `sink`: batches with nothing removed byte for byte, the others as slices (see "How a
// batch is rewritten" in cleaner.h). Without a sink it only measures. A rewriter is a
// small value: grouping copies one to try whether a further segment still fits.
class SegmentRewriter {
 public:
  using Sink = std::function<Status(ByteSpan)>;
  SegmentRewriter(Judge& judge, std::int64_t base_offset, Sink sink = {})
      : judge_(&judge), sink_(std::move(sink)), expected_(base_offset) {}

  Status add(ByteSpan batch) {
    const auto h = *record::decode_header(batch);
    if (h.base_offset < expected_)
      return make_error(Errc::corrupt_message,
                        fmt::format("cleaner: batch at offset {} overlaps the one before (next was {})", h.base_offset,
                                    expected_));
    if (h.base_offset > expected_) {
      // A hole between batches (not written by this log, which is contiguous): cover it
      // so that the cleaned segment is contiguous.
      if (auto s = add_gap(Gap{expected_, h.base_offset - 1}); !s) return s;
      outcome_.changed = true;
    }
    expected_ = h.next_offset();
    if (is_opaque(h)) {
      ++outcome_.opaque_batches;
      judge_->first_opaque_offset = std::min(judge_->first_opaque_offset, h.base_offset);
      return emit_copy(batch);
    }
    if (h.records_count == 0)  // a gap a previous cleaning left: merge it with its neighbours
      return add_gap(whole_batch_gap(h));
    if (is_compressed(h)) return add_compressed(batch, h);

    auto records = record::decode_records(batch);
    if (!records) return records.error();
    const auto& rs = *records;
    const auto verdicts = judge_all(rs);
    // (decode_records checked that record i has offset base + i.)
    const std::int64_t records_end = h.base_offset + static_cast<std::int64_t>(rs.size());
    if (records_end > h.next_offset())
      return make_error(Errc::corrupt_message,
                        fmt::format("cleaner: batch at offset {} holds more records than offsets", h.base_offset));
    if (std::all_of(verdicts.begin(), verdicts.end(), kept) && records_end == h.next_offset()) return emit_copy(batch);
    outcome_.changed = true;

    // Where each record starts in the batch, to copy its bytes.
    std::vector<std::size_t> starts(rs.size());
    std::size_t at = layout::records;
    for (std::size_t i = 0; i < rs.size(); ++i) {
      starts[i] = at;
      at += rs[i].size_in_batch;
    }
    for (std::size_t i = 0; i < rs.size();) {
      std::size_t j = i;
      while (j < rs.size() && kept(verdicts[j]) == kept(verdicts[i])) ++j;
      if (kept(verdicts[i])) {
        if (auto s = flush_gap(); !s) return s;
        if (auto s = emit(encode_slice(batch, h, rs, starts, i, j)); !s) return s;
      } else {
        std::int64_t max_ts = -1;
        for (std::size_t k = i; k < j; ++k) max_ts = std::max(max_ts, rs[k].timestamp);
        if (auto s = add_gap(Gap{rs[i].offset, rs[j - 1].offset, max_ts, h.partition_leader_epoch, h.producer_id,
                                 h.producer_epoch, add_to_sequence(h.base_sequence, rs[i].offset - h.base_offset)});
            !s)
          return s;
      }
      i = j;
    }
    if (records_end < h.next_offset())  // lastOffsetDelta beyond the last record (Kafka-cleaned input)
      return add_gap(Gap{records_end, h.last_offset(), h.max_timestamp, h.partition_leader_epoch, h.producer_id,
                         h.producer_epoch, add_to_sequence(h.base_sequence, records_end - h.base_offset)});
    return {};
  }

  // A compressed batch (see "How a batch is rewritten" in cleaner.h): unchanged, copied;
  // emptied, a gap; thinned, its kept records recompressed into one batch that keeps
  // the original header — base offset, lastOffsetDelta, producer fields, attributes —
  // and the records their offset and timestamp deltas.
  Status add_compressed(ByteSpan batch, const record::BatchHeader& h) {
    auto content = record::decompress_records(batch);
    if (!content) {
      // Its CRC is right, so a client wrote it like this: records that do not decode, or
      // a bomb past kMaxDecompressedBatchBytes. It is kept whole, as an opaque batch is,
      // so that a bad batch never stops the cleaning of the whole log.
      if (sink_)
        spdlog::warn("cleaner: the {} batch at offset {} cannot be decompressed ({}); it is kept whole",
                     record::compression_name(h.compression()), h.base_offset, content.error().message);
      ++outcome_.undecodable_batches;
      judge_->first_opaque_offset = std::min(judge_->first_opaque_offset, h.base_offset);
      return emit_copy(batch);
    }
    const auto& rs = content->records;
    const auto verdicts = judge_all(rs);
    if (std::all_of(verdicts.begin(), verdicts.end(), kept)) return emit_copy(batch);
    outcome_.changed = true;
    if (std::none_of(verdicts.begin(), verdicts.end(), kept)) return add_gap(whole_batch_gap(h));

    // The kept records' bytes, as they were: baseOffset and baseTimestamp stay, so their
    // offsetDeltas and timestampDeltas stay right.
    Bytes records;
    std::int64_t max_ts = std::numeric_limits<std::int64_t>::min();
    std::int32_t count = 0;
    std::size_t at = 0;
    for (std::size_t k = 0; k < rs.size(); ++k) {
      if (kept(verdicts[k])) {
        const auto bytes = ByteSpan(content->bytes).subspan(at, rs[k].size_in_batch);
        records.insert(records.end(), bytes.begin(), bytes.end());
        max_ts = std::max(max_ts, rs[k].timestamp);
        ++count;
      }
      at += rs[k].size_in_batch;
    }
    auto compressed = record::compress(h.compression(), records, record::CompressOptions{content->snappy});
    if (!compressed) return compressed.error();
    Bytes out(layout::header_size);
    out.insert(out.end(), compressed->begin(), compressed->end());
    finish_batch(out, BatchFields{h.base_offset, h.partition_leader_epoch, h.attributes, h.last_offset_delta,
                                  h.base_timestamp, max_ts, h.producer_id, h.producer_epoch, h.base_sequence, count});
    ++outcome_.recompressed_batches;
    if (auto s = flush_gap(); !s) return s;
    return emit(out);
  }

  // Called after the last batch of an input segment: its offsets must reach end_offset,
  // the next segment's base offset (a hole before it is covered).
  Status reach(std::int64_t end_offset) {
    if (expected_ > end_offset)
      return make_error(Errc::corrupt_message,
                        fmt::format("cleaner: segment runs to offset {}, past the next segment at {}", expected_,
                                    end_offset));
    if (expected_ < end_offset) {
      if (auto s = add_gap(Gap{expected_, end_offset - 1}); !s) return s;
      outcome_.changed = true;
    }
    return {};
  }
  Result<SegmentOutcome> finish() {
    if (auto s = flush_gap(); !s) return s.error();
    return outcome_;
  }
  // The cleaned segment's size if it ended here.
  std::uint64_t size_if_finished() const { return outcome_.bytes + (pending_ ? layout::header_size : 0); }

 private:
  // A batch of the kept records [i, j): the record bytes are copied, only offsetDelta is
  // renumbered. baseTimestamp stays, so every timestampDelta stays valid too.
  static Bytes encode_slice(ByteSpan batch, const record::BatchHeader& h, std::span<const record::RecordView> rs,
                            std::span<const std::size_t> starts, std::size_t i, std::size_t j) {
    Bytes out(layout::header_size);
    Writer w(out);
    Bytes body;
    std::int64_t max_ts = std::numeric_limits<std::int64_t>::min();
    for (std::size_t k = i; k < j; ++k) {
      // length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | key…headers
      ByteSpan rec = batch.subspan(starts[k], rs[k].size_in_batch);
      Reader r(rec);
      r.read_varint();
      const std::size_t head_start = r.position();
      r.read_be<std::int8_t>();
      r.read_varlong();
      const std::size_t head_end = r.position();
      r.read_varint();
      const std::size_t tail_start = r.position();  // decode_records validated all of this
      body.clear();
      Writer bw(body);
      bw.write_bytes(rec.subspan(head_start, head_end - head_start));
      bw.write_varint(static_cast<std::int32_t>(k - i));
      bw.write_bytes(rec.subspan(tail_start));
      w.write_varint(static_cast<std::int32_t>(body.size()));
      w.write_bytes(body);
      max_ts = std::max(max_ts, rs[k].timestamp);
    }
    finish_batch(out, BatchFields{rs[i].offset, h.partition_leader_epoch, h.attributes,
                                  static_cast<std::int32_t>(j - i - 1), h.base_timestamp, max_ts, h.producer_id,
                                  h.producer_epoch, add_to_sequence(h.base_sequence, rs[i].offset - h.base_offset),
                                  static_cast<std::int32_t>(j - i)});
    return out;
  }

  // The verdict on each record, counted into the outcome.
  std::vector<Verdict> judge_all(std::span<const record::RecordView> rs) {
    outcome_.records_read += rs.size();
    std::vector<Verdict> verdicts;
    verdicts.reserve(rs.size());
    for (const auto& r : rs) {
      verdicts.push_back((*judge_)(r));
      if (verdicts.back() == Verdict::keep_new_tombstone) ++outcome_.new_tombstones;
      if (!kept(verdicts.back())) ++outcome_.records_removed;
      if (verdicts.back() == Verdict::remove_tombstone) ++outcome_.tombstones_removed;
    }
    return verdicts;
  }
  // All the offsets of a batch, as a gap.
  static Gap whole_batch_gap(const record::BatchHeader& h) {
    return Gap{h.base_offset, h.last_offset(), h.max_timestamp, h.partition_leader_epoch, h.producer_id,
               h.producer_epoch, h.base_sequence};
  }

  Status add_gap(const Gap& gap) {
    if (pending_ && pending_->can_absorb(gap)) {
      pending_->last_offset = gap.last_offset;
      pending_->max_timestamp = std::max(pending_->max_timestamp, gap.max_timestamp);
      outcome_.changed = true;  // two batches became one
      return {};
    }
    if (auto s = flush_gap(); !s) return s;
    pending_ = gap;
    return {};
  }
  Status flush_gap() {
    if (!pending_) return {};
    auto bytes = pending_->encode();
    pending_.reset();
    return emit(bytes);
  }
  Status emit_copy(ByteSpan batch) {
    if (auto s = flush_gap(); !s) return s;
    return emit(batch);
  }
  Status emit(ByteSpan batch) {
    outcome_.bytes += batch.size();
    return sink_ ? sink_(batch) : Status{};
  }

  Judge* judge_;
  Sink sink_;
  std::int64_t expected_;
  std::optional<Gap> pending_;
  SegmentOutcome outcome_;
};

// Feeds one planned segment to a rewriter.
Status feed(SegmentRewriter& rewriter, const CleaningPlan::Input& input) {
  BatchCursor cursor(input.file);
  while (true) {
    auto batch = cursor.next();
    if (!batch) return batch.error();
    if (!*batch) break;
    if (auto s = rewriter.add(**batch); !s) return s;
  }
  return rewriter.reach(input.end_offset);
}

// Pass 1: key → latest offset over [from, …) of `input`. Returns the next offset after
// the last batch read.
Result<std::int64_t> add_to_offset_map(OffsetMap& map, const CleaningPlan::Input& input, std::int64_t from) {
  std::int64_t next = input.base_offset;
  BatchCursor cursor(input.file);
  while (true) {
    auto batch = cursor.next();
    if (!batch) return batch.error();
    if (!*batch) break;
    const auto h = *record::decode_header(**batch);
    next = h.next_offset();
    if (h.last_offset() < from || is_opaque(h) || h.records_count == 0) continue;
    std::vector<record::RecordView> records;
    record::DecompressedRecords content;  // owns what the views of a compressed batch point into
    if (is_compressed(h)) {
      auto decompressed = record::decompress_records(**batch);
      if (!decompressed) continue;  // kept whole by the rewriter, which says why
      content = std::move(*decompressed);
      records = std::move(content.records);
    } else {
      auto decoded = record::decode_records(**batch);
      if (!decoded) return decoded.error();
      records = std::move(*decoded);
    }
    for (const auto& r : records) {
      if (!r.key || r.offset < from) continue;
      auto key = as_chars(*r.key);
      if (auto it = map.find(key); it != map.end())
        it->second = r.offset;  // later records come later: the last one wins
      else
        map.emplace(std::string(key), r.offset);
    }
  }
  return next;
}

}  // namespace

// ---- step 1: plan --------------------------------------------------------------------

Result<CleaningPlan> plan_cleaning(const Log& log, std::int64_t now_ms, const CleanOptions& options) {
  if (!log.online()) return make_error(Errc::kafka_storage_error, "log is offline");
  CleaningPlan plan;
  plan.dir = log.dir();
  plan.config = log.config();
  plan.now_ms = now_ms;
  plan.log_truncations = log.truncations();
  auto skip = [&](std::string reason) {
    plan.stats.skipped_reason = std::move(reason);
    return std::move(plan);
  };
  if (!compacts(plan.config.cleanup_policy))
    return skip(fmt::format("cleanup.policy is {}", cleanup_policy_name(plan.config.cleanup_policy)));
  const auto segments = log.segments();
  if (segments.size() < 2) return skip("no sealed segments");
  auto checkpoint = read_cleaner_checkpoint(log.file_system(), plan.dir);
  if (!checkpoint) return checkpoint.error();
  plan.checkpoint = std::move(*checkpoint);

  const Segment& active = *segments.back();
  // A checkpoint past the active segment means the log was truncated since, and one
  // before the first segment that retention removed the cleaned part: either way, start
  // from the beginning (as Kafka does).
  auto& first_dirty = plan.checkpoint.first_dirty_offset;
  if (first_dirty < segments.front()->base_offset() || first_dirty > active.base_offset())
    first_dirty = segments.front()->base_offset();

  std::uint64_t dirty_bytes = 0;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const Segment& seg = *segments[i];
    plan.sealed.push_back({seg.base_offset(), segments[i + 1]->base_offset(), seg.file_range()});
    plan.stats.bytes_before += seg.size_bytes();
    if (segments[i + 1]->base_offset() > first_dirty) dirty_bytes += seg.size_bytes();
  }
  // The active segment as it is now: the bytes below its current size never change
  // (appends only add), which is what lets a background build read it safely.
  plan.active = {active.base_offset(), log.log_end_offset(), active.file_range()};
  plan.stats.segments_before = plan.sealed.size();
  plan.stats.first_dirty_offset = first_dirty;
  plan.stats.dirty_ratio =
      plan.stats.bytes_before ? static_cast<double>(dirty_bytes) / static_cast<double>(plan.stats.bytes_before) : 0;

  const bool tombstones_due = std::any_of(plan.checkpoint.tombstones.begin(), plan.checkpoint.tombstones.end(),
                                          [&](const auto& r) { return now_ms - r.first_cleaned_ms >= plan.config.delete_retention_ms; });
  const bool dirty_enough = dirty_bytes > 0 && plan.stats.dirty_ratio >= plan.config.min_cleanable_dirty_ratio;
  if (!options.force && !dirty_enough && !tombstones_due)
    return skip(fmt::format("dirty ratio {:.3f} is below min.cleanable.dirty.ratio {}", plan.stats.dirty_ratio,
                            plan.config.min_cleanable_dirty_ratio));
  plan.due = true;
  return plan;
}

// ---- step 2: build ---------------------------------------------------------------------

CleanedSegments::~CleanedSegments() {
  for (const auto& seg : segments) {
    // Only files still named *.cleaned: a .swap file is a committed swap that the log's
    // recovery must finish, never something to throw away.
    if (!seg || seg->suffix() != Log::kCleanedSuffix) continue;
    if (auto s = seg->remove_files(); !s)
      spdlog::warn("could not remove unused cleaned segment {}: {}", seg->log_path().string(), s.error().message);
  }
}

Result<CleanedSegments> build_cleaned_segments(FileSystem& fs, const CleaningPlan& plan) {
  CleanedSegments out;
  out.stats = plan.stats;
  out.stats.ran = true;
  const std::int64_t first_dirty = plan.checkpoint.first_dirty_offset;

  // Pass 1: the offset map of the dirty part and the active segment.
  OffsetMap map;
  for (const auto& input : plan.sealed) {
    if (input.end_offset <= first_dirty) continue;
    if (auto r = add_to_offset_map(map, input, first_dirty); !r) return r.error();
  }
  auto active_end = add_to_offset_map(map, plan.active, first_dirty);
  if (!active_end) return active_end.error();
  out.map_end_offset = *active_end;
  out.log_truncations = plan.log_truncations;

  // Pass 2: measure, and group. Consecutive segments go into one cleaned segment while
  // its size stays within segment.bytes (Kafka's groupSegmentsBySize, but on the cleaned
  // sizes), its offsets within 32-bit index entries and its entries within the index.
  // Measuring the group as a whole (copying the measuring rewriter to try one more
  // segment) counts exactly what pass 3 will write, merged gaps included.
  Judge judge{map, plan.checkpoint, plan.now_ms, plan.config.delete_retention_ms};
  struct Group {
    std::size_t first, last;  // [first, last) of plan.sealed
    SegmentOutcome measured;
  };
  std::vector<Group> groups;
  const std::uint64_t limit = plan.config.segment_bytes;
  const std::uint64_t interval = plan.config.segment.index_interval_bytes;
  const std::uint64_t max_entries = plan.config.segment.max_index_entries;
  for (std::size_t i = 0; i < plan.sealed.size();) {
    SegmentRewriter measure(judge, plan.sealed[i].base_offset);
    if (auto s = feed(measure, plan.sealed[i]); !s) return s.error();
    std::size_t j = i + 1;
    for (; j < plan.sealed.size(); ++j) {
      if (plan.sealed[j].end_offset - plan.sealed[i].base_offset > std::numeric_limits<std::int32_t>::max()) break;
      SegmentRewriter attempt = measure;
      if (auto s = feed(attempt, plan.sealed[j]); !s) return s.error();
      const std::uint64_t size = attempt.size_if_finished();
      if (size > limit || size / interval >= max_entries) break;
      measure = std::move(attempt);
    }
    auto measured = measure.finish();
    if (!measured) return measured.error();
    groups.push_back({i, j, *measured});
    out.stats.records_read += measured->records_read;
    out.stats.opaque_batches += measured->opaque_batches;
    out.stats.undecodable_batches += measured->undecodable_batches;
    i = j;
  }

  // Pass 3: write each group that changes as one segment named after its first base offset.
  std::uint64_t new_tombstones = 0;
  for (const auto& g : groups) {
    new_tombstones += g.measured.new_tombstones;
    const std::int64_t base = plan.sealed[g.first].base_offset;
    const std::int64_t end = plan.sealed[g.last - 1].end_offset;
    if (!g.measured.changed && g.last - g.first == 1) continue;  // it would come out the same
    if (g.measured.bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
      spdlog::warn("cleaner: segment {} of {} would grow to {} bytes; left as it is", base, plan.dir.string(),
                   g.measured.bytes);
      continue;
    }
    for (const char* ext : {".log", ".index", ".timeindex"})  // left by a build that died
      if (auto s = fs.remove(plan.dir / fmt::format("{}{}", segment_file_name(base, ext), Log::kCleanedSuffix)); !s)
        return s.error();
    auto created = Segment::create_with_suffix(fs, plan.dir, base, plan.config.segment, Log::kCleanedSuffix);
    if (!created) return created.error();
    out.segments.push_back(std::move(*created));  // from now on `out` deletes it on failure
    Segment& seg = *out.segments.back();
    SegmentRewriter write(judge, base, [&seg](ByteSpan batch) { return seg.append(batch, *record::decode_header(batch)); });
    for (std::size_t k = g.first; k < g.last; ++k)
      if (auto s = feed(write, plan.sealed[k]); !s) return s.error();
    auto written = write.finish();
    if (!written) return written.error();
    // Both passes ran the same rule over the same bytes; if they disagree, something is
    // badly wrong and nothing must be swapped in.
    if (seg.size_bytes() != g.measured.bytes || seg.next_offset() != end)
      return make_error(Errc::unknown_server_error,
                        fmt::format("cleaner: segment {} measured {} bytes up to offset {} but wrote {} up to {}", base,
                                    g.measured.bytes, end, seg.size_bytes(), seg.next_offset()));
    out.stats.records_removed += written->records_removed;
    out.stats.tombstones_removed += written->tombstones_removed;
    out.stats.recompressed_batches += written->recompressed_batches;
    // Durable before it can be renamed to .swap: after that name a crash trusts it.
    if (auto s = seg.seal(); !s) return s.error();
  }

  // The next checkpoint: everything sealed is clean now. Tombstone ranges whose horizon
  // has passed are dropped (their tombstones went in this cleaning); the dirty part's
  // kept tombstones were seen for the first time now.
  auto& next = out.next_checkpoint;
  next.first_dirty_offset = plan.active.base_offset;
  for (const auto& r : plan.checkpoint.tombstones)
    if (r.end <= first_dirty && plan.now_ms - r.first_cleaned_ms < plan.config.delete_retention_ms)
      next.tombstones.push_back(r);
  if (new_tombstones > 0) next.tombstones.push_back({first_dirty, plan.active.base_offset, plan.now_ms});
  out.stats.cleaned_up_to = next.first_dirty_offset;
  out.stats.segments_written = out.segments.size();
  return out;
}

// ---- step 3: swap ------------------------------------------------------------------------

Result<CleanerStats> swap_cleaned_segments(Log& log, CleanedSegments cleaned) {
  // The offset map counted records up to map_end_offset as "later", and the cleaned
  // segments hold copies of the sealed ones. If a truncation took records away since the
  // plan, the records they made obsolete may be the latest ones again, and the copies may
  // hold records that no longer exist — even when new appends have since brought the log
  // end back past map_end_offset. So any truncation since the plan cancels the swap.
  if (log.truncations() != cleaned.log_truncations)
    return make_error(Errc::invalid_request,
                      fmt::format("log {} was truncated while it was being cleaned (below offset {}); "
                                  "the cleaning is abandoned",
                                  log.dir().string(), cleaned.map_end_offset));
  if (auto s = log.replace_segments(cleaned.segments); !s) return s.error();
  // Only after the swap: a checkpoint ahead of the data would make the next cleaning
  // skip records it never cleaned. A crash between the two costs a repeated cleaning.
  if (auto s = write_cleaner_checkpoint(log.file_system(), log.dir(), cleaned.next_checkpoint); !s) return s.error();

  CleanerStats stats = cleaned.stats;
  const auto segments = log.segments();
  stats.segments_after = segments.size() - 1;
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) stats.bytes_after += segments[i]->size_bytes();
  spdlog::info("cleaned {}: {} sealed segment(s) of {} bytes became {} of {} bytes; {} record(s) removed",
               log.dir().string(), stats.segments_before, stats.bytes_before, stats.segments_after, stats.bytes_after,
               stats.records_removed);
  return stats;
}

Result<CleanerStats> clean_log(Log& log, std::int64_t now_ms, const CleanOptions& options) {
  auto plan = plan_cleaning(log, now_ms, options);
  if (!plan) return plan.error();
  if (!plan->due) return plan->stats;
  auto built = build_cleaned_segments(log.file_system(), *plan);
  if (!built) return built.error();
  return swap_cleaned_segments(log, std::move(*built));
}

}  // namespace streamcraft::log
