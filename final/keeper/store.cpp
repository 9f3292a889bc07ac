// keeper/store.cpp — recovery, the snapshots' schedule, and purging.
#include "keeper/store.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace streamcraft::keeper {

namespace {

std::string snapshot_name(std::int64_t zxid) { return fmt::format("snapshot.{:x}", zxid); }

std::optional<std::int64_t> snapshot_zxid_of(std::string_view name) {
  if (!name.starts_with("snapshot.")) return std::nullopt;
  const auto hex = name.substr(9);
  std::int64_t zxid = 0;
  auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), zxid, 16);
  if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size()) return std::nullopt;
  return zxid;
}

}  // namespace

void replay(KeeperState& state, const Txn& txn) {
  state.tree.apply(txn.header, txn.body);
  if (const auto* cs = std::get_if<CreateSessionTxn>(&txn.body)) state.sessions[txn.header.session_id] = cs->timeout_ms;
  if (std::holds_alternative<CloseSessionTxn>(txn.body)) state.sessions.erase(txn.header.session_id);
}

Result<std::unique_ptr<Store>> Store::open(log::FileSystem& fs, StoreConfig config, const Clock& clock) {
  if (config.data_log_dir.empty()) config.data_log_dir = config.data_dir;
  config.snap_retain_count = std::max<std::size_t>(config.snap_retain_count, 3);
  if (auto s = fs.create_directories(config.data_dir); !s) return s.error();
  auto log = TxnLog::open(fs, config.data_log_dir / "txn-log", clock, config.log);
  if (!log) return log.error();
  auto store = std::make_unique<Store>(Private{}, fs, std::move(config), std::move(*log));
  if (auto s = store->recover(); !s) return s.error();
  return store;
}

std::vector<std::int64_t> Store::snapshot_zxids() const {
  std::vector<std::int64_t> out;
  if (auto names = fs_.list(config_.data_dir)) {
    for (const auto& name : *names)
      if (auto z = snapshot_zxid_of(name)) out.push_back(*z);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status Store::recover() {
  recovery_.log_bytes_cut = log_->open_report().truncated_bytes();
  // A snapshot a crash interrupted never got its name: its temporary file goes.
  if (auto names = fs_.list(config_.data_dir)) {
    for (const auto& name : *names)
      if (name.starts_with("snapshot.") && name.ends_with(".tmp"))
        if (auto s = fs_.remove(config_.data_dir / name); !s) return s;
  }
  // The newest snapshot that reads back whole; a damaged one costs a longer replay.
  auto zxids = snapshot_zxids();
  for (auto it = zxids.rbegin(); it != zxids.rend(); ++it) {
    const auto path = config_.data_dir / snapshot_name(*it);
    auto bytes = fs_.read_all(path);
    if (!bytes) return bytes.error();
    auto state = decode_snapshot(*bytes);
    if (!state) {
      spdlog::warn("skipping {}: {}", path.string(), state.error().describe());
      recovery_.damaged_snapshots.push_back(path.filename().string());
      continue;
    }
    state_ = std::move(*state);
    recovery_.snapshot_zxid = *it;
    break;
  }
  auto txns = log_->read_after(state_.tree.last_zxid());
  if (!txns) return txns.error();
  for (const auto& t : *txns) replay(state_, t);
  recovery_.replayed = txns->size();
  synced_since_snapshot_ = static_cast<std::int64_t>(txns->size());
  return {};
}

Status Store::append(const Txn& txn) {
  ++appended_since_sync_;
  return log_->append(txn);
}

Status Store::sync() {
  auto s = log_->sync();
  if (s) synced_since_snapshot_ += std::exchange(appended_since_sync_, 0);
  return s;
}

Status Store::after_sync(const DataTree& tree, const SessionTracker& sessions) {
  if (!in_progress_) {
    if (synced_since_snapshot_ < config_.snap_count) return {};
    std::map<std::int64_t, std::int32_t> timeouts;
    for (const auto& [id, s] : sessions.all()) timeouts[id] = s.timeout_ms;
    if (auto s = start_snapshot(tree, timeouts); !s) return s;
  }
  return continue_snapshot(tree, config_.snapshot_step_bytes);
}

Status Store::start_snapshot(const DataTree& tree, const std::map<std::int64_t, std::int32_t>& sessions) {
  auto snap = FuzzySnapshot::start(fs_, config_.data_dir / snapshot_name(tree.last_zxid()), tree, sessions);
  if (!snap) return snap.error();
  in_progress_ = std::move(*snap);
  // Started right after a sync, or with nothing unsynced: the log holds exactly the
  // transactions up to this zxid, and the next snapshot is due snap_count after it.
  in_progress_end_offset_ = log_->end_offset();
  synced_since_snapshot_ = 0;
  return {};
}

Status Store::continue_snapshot(const DataTree& tree, std::size_t budget) {
  auto done = in_progress_->step(tree, budget);
  if (!done) {
    in_progress_->abandon();
    in_progress_.reset();
    return done.error();
  }
  if (!*done) return {};
  const auto zxid = in_progress_->zxid();
  snapshot_end_offsets_[zxid] = in_progress_end_offset_;
  spdlog::info("keeper snapshot from zxid {:#x}: {} nodes, {} bytes", zxid, in_progress_->nodes_written(),
               in_progress_->bytes_written());
  in_progress_.reset();
  return config_.autopurge ? purge() : Status{};
}

Status Store::purge() {
  auto zxids = snapshot_zxids();
  if (zxids.size() <= config_.snap_retain_count) return {};
  const auto keep_from = zxids.size() - config_.snap_retain_count;
  for (std::size_t i = 0; i < keep_from; ++i)
    if (auto s = fs_.remove(config_.data_dir / snapshot_name(zxids[i])); !s) return s;
  // The oldest snapshot kept replays from its zxid on: older transactions may go.
  const auto oldest_kept = zxids[keep_from];
  std::erase_if(snapshot_end_offsets_, [&](const auto& e) { return e.first < oldest_kept; });
  if (auto it = snapshot_end_offsets_.find(oldest_kept); it != snapshot_end_offsets_.end())
    return log_->purge_before(it->second);
  return log_->purge_through(oldest_kept);  // a snapshot from before a restart
}

Status Store::close() {
  if (in_progress_) {
    in_progress_->abandon();
    in_progress_.reset();
  }
  return log_->close();
}

}  // namespace streamcraft::keeper
