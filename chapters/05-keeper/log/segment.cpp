// generated from final/log/segment.cpp; edit there
// log/segment.cpp — appending to, reading from and recovering one segment.
#include "log/segment.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "record/record.h"

namespace streamcraft::log {

namespace {

Error inconsistent(const std::filesystem::path& path, std::uint64_t pos, std::string_view what) {
  return make_error(Errc::corrupt_message, fmt::format("{} at position {}: {}", path.string(), pos, what));
}

// Reads the 61-byte batch header at pos and checks that it frames a batch that fits in
// the file (magic 2, a plausible length). Every walk over a segment's batches steps by
// the length read here, so a damaged length must stop the walk with an error: stepping
// by 0 would loop forever, stepping past the end would hide data or allocate gigabytes.
Result<record::BatchHeader> read_header_at(const File& file, const std::filesystem::path& path, std::uint64_t pos) {
  std::byte buf[record::layout::header_size];
  auto n = file.read_at(buf, pos);
  if (!n) return n.error();
  const std::uint64_t size = file.size();
  auto frame = record::read_frame(ByteSpan(buf, *n), static_cast<std::size_t>(size - std::min(pos, size)));
  if (!frame) return inconsistent(path, pos, frame.error().message);
  if (*n < sizeof buf) return inconsistent(path, pos, "truncated batch header");
  auto h = *record::decode_header(buf);
  if (h.magic != record::kMagicV2) return inconsistent(path, pos, fmt::format("unsupported magic {}", h.magic));
  return h;
}

}  // namespace

std::string segment_file_name(std::int64_t base_offset, std::string_view extension) {
  return fmt::format("{:020d}{}", base_offset, extension);
}

std::optional<std::int64_t> parse_segment_file_name(std::string_view name, std::string_view extension) {
  if (name.size() != 20 + extension.size() || !name.ends_with(extension)) return std::nullopt;
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + 20, value);
  if (ec != std::errc{} || ptr != name.data() + 20 || value < 0) return std::nullopt;
  return value;
}

Result<Bytes> FileRange::read() const {
  if (size == 0) return Bytes{};  // an empty range (nothing yet at the log end) has no file
  Bytes out(size);
  auto n = file->read_at(out, position);
  if (!n) return n.error();
  if (*n != size) return make_error(Errc::kafka_storage_error, "file shorter than the range read from it");
  return out;
}

Segment::Segment(Private /*only the factories*/, FileSystem& fs, std::filesystem::path dir, std::int64_t base_offset,
                 const SegmentConfig& config)
    : fs_(fs), dir_(std::move(dir)), base_offset_(base_offset), config_(config), next_offset_(base_offset) {}

std::filesystem::path Segment::path_with(std::string_view extension) const {
  auto name = segment_file_name(base_offset_, extension);
  name += suffix_;
  return dir_ / name;
}

std::filesystem::path Segment::log_path() const { return path_with(".log"); }
std::filesystem::path Segment::index_path() const { return path_with(".index"); }
std::filesystem::path Segment::time_index_path() const { return path_with(".timeindex"); }

Status Segment::open_files() {
  auto log = fs_.open(log_path(), OpenMode::read_write);
  if (!log) return log.error();
  log_ = std::shared_ptr<File>(std::move(*log));
  auto index = fs_.open(index_path(), OpenMode::read_write);
  if (!index) return index.error();
  index_file_ = std::move(*index);
  auto time_index = fs_.open(time_index_path(), OpenMode::read_write);
  if (!time_index) return time_index.error();
  time_index_file_ = std::move(*time_index);
  return {};
}

Result<std::unique_ptr<Segment>> Segment::create(FileSystem& fs, const std::filesystem::path& dir,
                                                 std::int64_t base_offset, const SegmentConfig& config) {
  auto seg = std::make_unique<Segment>(Private{}, fs, dir, base_offset, config);
  if (auto s = seg->open_files(); !s) return s.error();
  // A "new" segment whose files already hold bytes would silently mix old and new data.
  if (!seg->empty() || seg->index_file_->size() != 0 || seg->time_index_file_->size() != 0)
    return make_error(Errc::kafka_storage_error,
                      fmt::format("segment {} already exists in {}", base_offset, dir.string()));
  return seg;
}

Result<std::unique_ptr<Segment>> Segment::open_trusted(FileSystem& fs, const std::filesystem::path& dir,
                                                       std::int64_t base_offset, const SegmentConfig& config,
                                                       SegmentRecovery* recovery) {
  auto seg = std::make_unique<Segment>(Private{}, fs, dir, base_offset, config);
  if (auto s = seg->open_files(); !s) return s.error();
  auto loaded = seg->load_indexes();
  if (loaded) loaded = seg->find_end_from_last_index_entry();
  if (!loaded) {
    // The indexes (or the tail they describe) do not match the log: trust nothing and
    // rebuild from the log itself, which is the source of truth.
    SegmentRecovery local;
    SegmentRecovery& r = recovery ? *recovery : local;
    r.base_offset = base_offset;
    if (auto s = seg->recover(r); !s) return s.error();
  }
  return seg;
}

Result<std::unique_ptr<Segment>> Segment::open_and_recover(FileSystem& fs, const std::filesystem::path& dir,
                                                           std::int64_t base_offset, const SegmentConfig& config,
                                                           SegmentRecovery& recovery) {
  auto seg = std::make_unique<Segment>(Private{}, fs, dir, base_offset, config);
  if (auto s = seg->open_files(); !s) return s.error();
  recovery.base_offset = base_offset;
  if (auto s = seg->recover(recovery); !s) return s.error();
  return seg;
}

void Segment::reset_indexes() {
  offset_index_.clear();
  time_index_.clear();
  bytes_since_index_entry_ = 0;
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = -1;
  first_batch_timestamp_ = -1;
}

void Segment::index_batch(const BatchLocation& batch) {
  if (batch.position == 0) first_batch_timestamp_ = batch.max_timestamp;
  // The first batch always sets the maximum, even with a timestamp of -1 (no timestamp).
  if (offset_of_max_timestamp_ < 0 || batch.max_timestamp > max_timestamp_) {
    max_timestamp_ = batch.max_timestamp;
    offset_of_max_timestamp_ = batch.base_offset;
  }
  if (bytes_since_index_entry_ >= config_.index_interval_bytes) {
    offset_index_.push_back(IndexEntry{static_cast<std::uint32_t>(batch.base_offset - base_offset_),
                                       static_cast<std::uint32_t>(batch.position)});
    if (time_index_.empty() || max_timestamp_ > time_index_.back().timestamp)
      time_index_.push_back(
          TimeIndexEntry{max_timestamp_, static_cast<std::uint32_t>(offset_of_max_timestamp_ - base_offset_)});
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += batch.size;
}

Status Segment::recover(SegmentRecovery& recovery) {
  reset_indexes();
  recovery.scanned = true;
  auto scan = scan_segment(*log_, base_offset_, [this](const BatchLocation& b) { index_batch(b); });
  if (!scan) return scan.error();
  recovery.batches = scan->batches;
  next_offset_ = scan->next_offset;
  if (scan->valid_bytes < log_->size()) {
    recovery.truncated_bytes = log_->size() - scan->valid_bytes;
    recovery.reason = scan->stop_reason;
    if (auto s = log_->truncate(scan->valid_bytes); !s) return s;
    // Make the cut durable before anything is appended after it.
    if (auto s = log_->sync(); !s) return s;
  }
  return write_index_files(/*rewrite=*/true);
}

Status Segment::load_indexes() {
  auto index_bytes = fs_.read_all(index_path());
  if (!index_bytes) return index_bytes.error();
  auto entries = decode_index(*index_bytes, log_->size());
  if (!entries) return entries.error();
  auto time_bytes = fs_.read_all(time_index_path());
  if (!time_bytes) return time_bytes.error();
  auto time_entries = decode_time_index(*time_bytes);
  if (!time_entries) return time_entries.error();
  offset_index_ = std::move(*entries);
  time_index_ = std::move(*time_entries);
  offset_entries_on_disk_ = offset_index_.size();
  time_entries_on_disk_ = time_index_.size();
  if (!time_index_.empty()) {
    max_timestamp_ = time_index_.back().timestamp;
    offset_of_max_timestamp_ = base_offset_ + time_index_.back().relative_offset;
  }
  return {};
}

Status Segment::find_end_from_last_index_entry() {
  // Walk the batch headers after the last index entry (at most ~index_interval_bytes of
  // data) to learn next_offset and the bytes since that entry. No CRC checks: this path
  // is only taken for segments that were flushed and sealed before a clean shutdown.
  if (!empty()) {
    auto first = read_header_at(*log_, log_path(), 0);
    if (!first) return first.error();
    first_batch_timestamp_ = first->max_timestamp;
  }
  std::uint64_t pos = offset_index_.empty() ? 0 : offset_index_.back().position;
  std::int64_t expected = offset_index_.empty() ? base_offset_ : base_offset_ + offset_index_.back().relative_offset;
  const std::uint64_t size = log_->size();
  bytes_since_index_entry_ = 0;
  while (pos < size) {
    auto header = read_header_at(*log_, log_path(), pos);
    if (!header) return header.error();
    const auto& h = *header;
    if (h.base_offset != expected) return inconsistent(log_path(), pos, "batch header does not continue the index");
    // Past index_interval_bytes the index should have had an entry here: it is
    // incomplete (a lost or emptied .index file), so it must be rebuilt.
    if (bytes_since_index_entry_ >= config_.index_interval_bytes)
      return inconsistent(log_path(), pos, "the index is missing entries");
    if (offset_of_max_timestamp_ < 0 || h.max_timestamp > max_timestamp_) {
      // A sealed segment's time index ends with its largest timestamp; a larger one in
      // the tail means the time index is stale or was lost.
      if (offset_of_max_timestamp_ >= 0 || !time_index_.empty())
        return inconsistent(time_index_path(), pos, "the time index misses the segment's largest timestamp");
      max_timestamp_ = h.max_timestamp;
      offset_of_max_timestamp_ = h.base_offset;
    }
    pos += h.total_size();
    bytes_since_index_entry_ += h.total_size();
    expected = h.next_offset();
  }
  next_offset_ = expected;
  // Sealing always leaves at least one time index entry in a non-empty segment.
  if (size > 0 && time_index_.empty()) return inconsistent(time_index_path(), 0, "the time index is empty");
  if (!time_index_.empty() && base_offset_ + time_index_.back().relative_offset >= next_offset_)
    return inconsistent(time_index_path(), 0, "the time index points past the segment's last offset");
  return {};
}

Status Segment::append(ByteSpan batch, const record::BatchHeader& header) {
  const std::uint64_t position = log_->size();
  if (auto s = log_->append(batch); !s) {
    // Cut away whatever part of the batch reached the file, so that the log stays a
    // sequence of whole batches and the next append starts at a clean boundary.
    if (auto t = log_->truncate(position); !t)
      return make_error(Errc::kafka_storage_error, s.error().message + "; then " + t.error().message);
    return s;
  }
  index_batch(BatchLocation{header.base_offset, header.last_offset(), position,
                            static_cast<std::uint32_t>(batch.size()), header.max_timestamp});
  next_offset_ = header.next_offset();
  dirty_ = true;
  return {};
}

Result<std::optional<Segment::Located>> Segment::find_batch(std::int64_t offset) const {
  auto rel = static_cast<std::uint32_t>(std::max<std::int64_t>(0, offset - base_offset_));
  auto entry = index_floor(offset_index_, rel);
  std::uint64_t pos = entry ? entry->position : 0;
  const std::uint64_t size = log_->size();
  while (pos < size) {
    auto header = read_header_at(*log_, log_path(), pos);
    if (!header) return header.error();
    if (header->last_offset() >= offset) return std::optional<Located>{Located{pos, *header}};
    pos += header->total_size();
  }
  return std::optional<Located>{};
}

Result<std::optional<FileRange>> Segment::read(std::int64_t offset, std::uint64_t max_bytes,
                                               std::int64_t end_offset) const {
  if (offset >= next_offset_) return std::optional<FileRange>{};
  auto found = find_batch(offset);
  if (!found) return found.error();
  if (!*found || (*found)->header.base_offset >= end_offset) return std::optional<FileRange>{};
  const std::uint64_t start = (*found)->position;
  const std::uint64_t size = log_->size();
  // The first batch is always included, however large (see the comment in the header).
  std::uint64_t end = start + (*found)->header.total_size();
  // Add whole batches while even the smallest possible batch could still fit.
  while (end < size && end - start + record::layout::header_size <= max_bytes) {
    std::byte frame_bytes[record::layout::log_overhead];
    auto n = log_->read_at(frame_bytes, end);
    if (!n) return n.error();
    auto frame = record::read_frame(ByteSpan(frame_bytes, *n), static_cast<std::size_t>(size - end));
    if (!frame) return inconsistent(log_path(), end, frame.error().message);
    if (end + frame->total_size - start > max_bytes || frame->base_offset >= end_offset) break;
    end += frame->total_size;
  }
  return std::optional<FileRange>{FileRange{log_, start, end - start}};
}

Result<std::optional<std::int64_t>> Segment::offset_for_timestamp(std::int64_t timestamp) const {
  if (empty() || max_timestamp_ < timestamp) return std::optional<std::int64_t>{};
  auto floor = time_index_floor(time_index_, timestamp);
  std::int64_t start_offset = floor ? base_offset_ + floor->relative_offset : base_offset_;
  auto start = find_batch(start_offset);
  if (!start) return start.error();
  if (!*start) return std::optional<std::int64_t>{};
  const std::uint64_t size = log_->size();
  for (std::uint64_t pos = (*start)->position; pos < size;) {
    auto header = read_header_at(*log_, log_path(), pos);
    if (!header) return header.error();
    const auto& h = *header;
    if (h.max_timestamp >= timestamp) {
      if (h.compression() != record::Compression::none) return std::optional<std::int64_t>{h.base_offset};
      auto bytes = FileRange{log_, pos, h.total_size()}.read();
      if (!bytes) return bytes.error();
      auto records = record::decode_records(*bytes);
      if (!records) return inconsistent(log_path(), pos, records.error().message);
      for (const auto& r : *records)
        if (r.timestamp >= timestamp && r.offset >= start_offset) return std::optional<std::int64_t>{r.offset};
    }
    pos += h.total_size();
  }
  return std::optional<std::int64_t>{};
}

Status Segment::write_index_files(bool rewrite) {
  if (rewrite) {
    if (auto s = index_file_->truncate(0); !s) return s;
    if (auto s = time_index_file_->truncate(0); !s) return s;
    offset_entries_on_disk_ = 0;
    time_entries_on_disk_ = 0;
  }
  if (offset_entries_on_disk_ < offset_index_.size()) {
    auto bytes = encode_index(std::span(offset_index_).subspan(offset_entries_on_disk_));
    if (auto s = index_file_->append(bytes); !s) return s;
    offset_entries_on_disk_ = offset_index_.size();
  }
  if (time_entries_on_disk_ < time_index_.size()) {
    auto bytes = encode_time_index(std::span(time_index_).subspan(time_entries_on_disk_));
    if (auto s = time_index_file_->append(bytes); !s) return s;
    time_entries_on_disk_ = time_index_.size();
  }
  return {};
}

Status Segment::flush() {
  if (dirty_) {
    if (auto s = log_->sync(); !s) return s;
    dirty_ = false;
  }
  // Index files are written but not fsynced here: after a crash, every segment past the
  // recovery point is rebuilt from the log anyway (see log/log.h).
  return write_index_files(/*rewrite=*/false);
}

Status Segment::prepare_seal() {
  if (!empty() && (time_index_.empty() || max_timestamp_ > time_index_.back().timestamp))
    time_index_.push_back(
        TimeIndexEntry{max_timestamp_, static_cast<std::uint32_t>(offset_of_max_timestamp_ - base_offset_)});
  return write_index_files(/*rewrite=*/false);
}

Status Segment::seal() {
  if (auto s = prepare_seal(); !s) return s;
  if (auto s = flush(); !s) return s;
  // A sealed segment's indexes are trusted at the next start, so they must be durable.
  if (auto s = index_file_->sync(); !s) return s;
  return time_index_file_->sync();
}

Status Segment::truncate_to(std::int64_t offset) {
  if (offset >= next_offset_) return {};
  auto found = find_batch(offset);
  if (!found) return found.error();
  if (*found) {
    if (auto s = log_->truncate((*found)->position); !s) return s;
    // Durable before anything else happens: a clean shutdown after this must not find
    // the cut-off batches back after a power loss.
    if (auto s = log_->sync(); !s) return s;
  }
  SegmentRecovery ignored;
  return recover(ignored);  // rebuilds the indexes for what is left
}

Status Segment::remove_files() {
  for (const auto& p : {log_path(), index_path(), time_index_path()})
    if (auto s = fs_.remove(p); !s) return s;
  return {};
}

Result<std::unique_ptr<Segment>> Segment::create_with_suffix(FileSystem& fs, const std::filesystem::path& dir,
                                                             std::int64_t base_offset, const SegmentConfig& config,
                                                             std::string suffix) {
  auto seg = std::make_unique<Segment>(Private{}, fs, dir, base_offset, config);
  seg->suffix_ = std::move(suffix);
  if (auto s = seg->open_files(); !s) return s.error();
  if (!seg->empty() || seg->index_file_->size() != 0 || seg->time_index_file_->size() != 0)
    return make_error(Errc::kafka_storage_error,
                      fmt::format("segment file {} already exists", seg->log_path().string()));
  return seg;
}

Status Segment::change_suffix(std::string suffix) {
  const std::string old = suffix_;
  const std::filesystem::path from[] = {index_path(), time_index_path(), log_path()};
  suffix_ = std::move(suffix);
  const std::filesystem::path to[] = {index_path(), time_index_path(), log_path()};
  // The open descriptors follow a rename, so the segment stays readable throughout.
  for (std::size_t i = 0; i < 3; ++i) {
    if (auto s = fs_.rename(from[i], to[i]); !s) {
      suffix_ = old;
      return s;
    }
  }
  return {};
}

}  // namespace streamcraft::log
