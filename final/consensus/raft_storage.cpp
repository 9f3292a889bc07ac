// consensus/raft_storage.cpp — the term, the vote, the snapshot and the log on disk.
#include "consensus/raft_storage.h"

#include <fmt/format.h>

#include "common/crc32c.h"
#include "log/record_scan.h"
#include "record/batch.h"
#include "record/record.h"

namespace streamcraft::consensus {

namespace {

constexpr std::uint32_t kStateMagic = 0x52535431;     // "RST1"
constexpr std::uint32_t kSnapshotMagic = 0x52534e31;  // "RSN1"

log::LogConfig log_config() {
  log::LogConfig c;
  c.segment_bytes = 64ull << 20;
  c.segment_ms = INT64_MAX;  // roll by size only
  c.retention_ms = -1;       // entries go when a snapshot covers them, never by age
  c.retention_bytes = -1;
  c.max_batch_bytes = 64u << 20;
  return c;
}

// A small file: magic, fields, CRC-32C of everything before it.
Bytes sealed(std::uint32_t magic, const Bytes& body) {
  Bytes out;
  Writer w(out);
  w.write_be<std::uint32_t>(magic);
  w.write_bytes(body);
  w.write_be<std::uint32_t>(crc32c(out));
  return out;
}
Result<ByteSpan> unseal(std::uint32_t magic, ByteSpan file, const std::filesystem::path& path) {
  auto bad = [&](std::string_view why) {
    return make_error(Errc::corrupt_message, fmt::format("{}: {}", path.string(), why));
  };
  if (file.size() < 8) return bad("too short");
  if (load_be<std::uint32_t>(file.data()) != magic) return bad("not this kind of file");
  const auto body = file.first(file.size() - 4);
  if (crc32c(body) != load_be<std::uint32_t>(file.data() + file.size() - 4)) return bad("checksum mismatch");
  return body.subspan(4);
}

// A sealed file's body; nullopt if there is no such file (a server's first start).
Result<std::optional<Bytes>> read_sealed(log::FileSystem& fs, std::uint32_t magic, const std::filesystem::path& path) {
  if (!fs.exists(path)) return std::optional<Bytes>{};
  auto bytes = fs.read_all(path);
  if (!bytes) return bytes.error();
  auto body = unseal(magic, *bytes, path);
  if (!body) return body.error();
  return std::optional<Bytes>(Bytes(body->begin(), body->end()));
}

}  // namespace

Result<std::unique_ptr<RaftStorage>> RaftStorage::open(log::FileSystem& fs, const std::filesystem::path& dir,
                                                       const Clock& clock) {
  if (auto s = fs.create_directories(dir); !s) return s.error();
  auto log = log::Log::open(fs, dir / "log", log_config(), clock);
  if (!log) return log.error();
  auto storage = std::make_unique<RaftStorage>(Private{}, fs, dir, std::move(*log));
  if (auto s = storage->load(); !s) return s.error();
  return storage;
}

Status RaftStorage::load() {
  // The term and the vote.
  auto state = read_sealed(fs_, kStateMagic, dir_ / kStateFile);
  if (!state) return state.error();
  if (*state) {
    Reader r(**state);
    auto term = r.read_be<std::int64_t>();
    auto vote = r.read_be<std::int32_t>();
    if (!term || !vote || r.remaining() != 0) return make_error(Errc::corrupt_message, "raft-state: bad fields");
    loaded_.hard = {*term, *vote};
  }
  auto snapshot = read_sealed(fs_, kSnapshotMagic, dir_ / kSnapshotFile);
  if (!snapshot) return snapshot.error();
  if (*snapshot) {
    Reader r(**snapshot);
    auto index = r.read_be<std::int64_t>();
    auto term = r.read_be<std::int64_t>();
    if (!index || !term || *index < 0) return make_error(Errc::corrupt_message, "raft-snapshot: bad fields");
    auto data = r.read_bytes(r.remaining());
    loaded_.snapshot = {*index, *term, Bytes(data->begin(), data->end())};
  }
  // The entries after the snapshot, each batch's epoch its entry's term.
  const auto snap = loaded_.snapshot.index;
  bool agrees = snap == 0 || log_->log_start_offset() >= snap;  // nothing at the snapshot's index to check
  auto status = log::for_each_record(*log_, snap > 0 ? snap - 1 : 0,
                                     [&](const record::BatchHeader& batch, const record::RecordView& r) -> Result<bool> {
    const auto index = r.offset + 1;
    if (index == snap) {
      // The entry the snapshot ends with: the log after it is the snapshot's only if this
      // entry is the snapshot's (a crash can leave the log of before an install).
      agrees = batch.partition_leader_epoch == loaded_.snapshot.term;
      return agrees;
    }
    if (!agrees) return false;
    const auto value = r.value.value_or(ByteSpan{});
    loaded_.log.push_back(Entry{batch.partition_leader_epoch, Bytes(value.begin(), value.end())});
    return true;
  });
  if (!status) return status;
  // A crash between writing a snapshot and cutting the log behind it: finish the cut.
  if (!agrees || log_->log_end_offset() < snap) {
    loaded_.log.clear();
    if (auto s = log_->truncate_fully_and_start_at(snap); !s) return s;
    return log_->flush();
  }
  if (log_->log_start_offset() < snap) return log_->advance_log_start(snap);
  return {};
}

Status RaftStorage::append(std::int64_t from, const std::vector<Entry>& entries) {
  // One batch per entry, all written with one append. Raft must be able to cut the log
  // exactly between any two entries (an overruled suffix), and chapter 1's log cuts at
  // batch boundaries; rewriting an entry that agrees, to cut after it, is not an option:
  // it may have been acknowledged to the leader, and a crash in between would lose it.
  Bytes batches;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.term > INT32_MAX) return make_error(Errc::invalid_request, fmt::format("term {} does not fit a leader epoch", e.term));
    record::BatchOptions options;
    options.base_offset = from + static_cast<std::int64_t>(i) - 1;
    options.partition_leader_epoch = static_cast<std::int32_t>(e.term);
    const record::RecordSpec spec{std::nullopt, std::string(as_chars(e.data)), {}, 0};
    auto batch = record::build_batch(std::span(&spec, 1), options);
    batches.insert(batches.end(), batch.begin(), batch.end());
  }
  if (batches.empty()) return {};
  auto appended = log_->append_as_follower(batches);
  if (!appended) return appended.error();
  return {};
}

Result<std::int64_t> RaftStorage::term_of(std::int64_t index) const {
  const auto offset = index - 1;
  if (index <= 0 || offset < log_->log_start_offset() || offset >= log_->log_end_offset()) return std::int64_t{-1};
  auto range = log_->read(offset, 1);  // at least the batch holding it
  if (!range) return range.error();
  auto bytes = range->read();
  if (!bytes) return bytes.error();
  auto header = record::decode_header(*bytes);
  if (!header) return make_error(Errc::corrupt_message, "raft log: an unreadable batch");
  return std::int64_t{header->partition_leader_epoch};
}

Status RaftStorage::save_snapshot(const Snapshot& snapshot) {
  Bytes body;
  Writer w(body);
  w.write_be<std::int64_t>(snapshot.index);
  w.write_be<std::int64_t>(snapshot.term);
  w.write_bytes(snapshot.data);
  if (auto s = fs_.write_atomically(dir_ / kSnapshotFile, sealed(kSnapshotMagic, body)); !s) return s;
  // The log before the snapshot is no longer needed: whole segments of it go (the log
  // start moves to the snapshot's end). The entries after it stay if the log holds the
  // snapshot's last entry with its term (persist()'s rule); otherwise the log starts again,
  // empty, where the snapshot ends.
  auto term = term_of(snapshot.index);
  if (!term) return term.error();
  if (*term != snapshot.term) return log_->truncate_fully_and_start_at(snapshot.index);
  return log_->advance_log_start(snapshot.index);
}

Status RaftStorage::save(const Ready& ready) {
  if (ready.snapshot) {
    if (auto s = save_snapshot(*ready.snapshot); !s) return s;
  } else if (ready.compacted) {
    if (auto s = save_snapshot(*ready.compacted); !s) return s;
  }
  if (ready.append_from > 0) {
    // Entries from append_from on are replaced: an overruled suffix, or what a snapshot kept.
    if (ready.append_from - 1 < log_->log_end_offset())
      if (auto s = log_->truncate_to(ready.append_from - 1); !s) return s;
    if (auto s = append(ready.append_from, ready.append); !s) return s;
    if (auto s = log_->flush(); !s) return s;
  }
  if (ready.hard_state) {
    Bytes body;
    Writer w(body);
    w.write_be<std::int64_t>(ready.hard_state->term);
    w.write_be<std::int32_t>(ready.hard_state->voted_for);
    if (auto s = fs_.write_atomically(dir_ / kStateFile, sealed(kStateMagic, body)); !s) return s;
  }
  return {};
}

}  // namespace streamcraft::consensus
