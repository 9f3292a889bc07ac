// generated from final/keeper/store.cpp; edit there
// keeper/store.cpp — snapshots, recovery and purging.
//
// Snapshot file: "SCKS" · version int8 (1) · crc32c uint32 of what follows · zxid int64 ·
// session count int32, then (id int64, timeout int32) each · node count int32, then per
// node in path order (parents first): path, data, ACL, stat (jute types).
#include "keeper/store.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crc32c.h"

namespace streamcraft::keeper {

namespace {

constexpr std::string_view kMagic = "SCKS";
constexpr std::int8_t kSnapshotVersion = 1;
constexpr std::size_t kHeader = 4 + 1 + 4;

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

Bytes encode_snapshot(const DataTree& tree, const std::map<std::int64_t, std::int32_t>& sessions) {
  Bytes out(as_bytes(kMagic).begin(), as_bytes(kMagic).end());
  Encoder e(out);
  e.i8(kSnapshotVersion);
  e.i32(0);  // the CRC, patched below
  e.i64(tree.last_zxid());
  e.array_length(sessions.size());
  for (const auto& [id, timeout] : sessions) {
    e.i64(id);
    e.i32(timeout);
  }
  const auto paths = tree.paths();  // sorted: a parent before its children
  e.array_length(paths.size());
  for (const auto& p : paths) {
    const Znode& n = *tree.find(p);
    write_ustring(e, p);
    write_buffer(e, n.data);
    write_acl_vector(e, n.acl);
    write_stat(e, n.stat);
  }
  store_be<std::uint32_t>(out.data() + 5, crc32c(ByteSpan(out).subspan(kHeader)));
  return out;
}

Result<KeeperState> decode_snapshot(ByteSpan bytes) {
  auto bad = [](std::string_view why) { return make_error(Errc::corrupt_message, fmt::format("snapshot: {}", why)); };
  if (bytes.size() < kHeader || as_chars(bytes.first(4)) != kMagic) return bad("not a keeper snapshot");
  if (static_cast<std::int8_t>(bytes[4]) != kSnapshotVersion) return bad("unknown version");
  if (load_be<std::uint32_t>(bytes.data() + 5) != crc32c(bytes.subspan(kHeader))) return bad("CRC mismatch");
  Decoder d(bytes.subspan(kHeader));
  KeeperState state;
  const auto zxid = d.i64();
  const auto n_sessions = d.array_length(12);
  for (std::int32_t i = 0; i < n_sessions && d.ok(); ++i) {
    const auto id = d.i64();
    state.sessions[id] = d.i32();
  }
  const auto n_nodes = d.array_length(kStatSize);
  for (std::int32_t i = 0; i < n_nodes && d.ok(); ++i) {
    auto path = read_ustring(d);
    Znode n;
    n.data = read_buffer(d);
    n.acl = read_acl_vector(d);
    n.stat = read_stat(d);
    if (!d.ok()) break;
    if (!valid_path(path) || (path != "/" && !state.tree.find(parent_of(path)))) return bad("a node without its parent");
    state.tree.restore(path, std::move(n));
  }
  if (!d.ok()) return bad(d.problem());
  state.tree.set_last_zxid(zxid);
  return state;
}

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
  if (synced_since_snapshot_ < config_.snap_count) return {};
  std::map<std::int64_t, std::int32_t> timeouts;
  for (const auto& [id, s] : sessions.all()) timeouts[id] = s.timeout_ms;
  return snapshot(tree, timeouts);
}

Status Store::snapshot(const DataTree& tree, const std::map<std::int64_t, std::int32_t>& sessions) {
  const auto bytes = encode_snapshot(tree, sessions);
  if (auto s = fs_.write_atomically(config_.data_dir / snapshot_name(tree.last_zxid()), bytes); !s) return s;
  synced_since_snapshot_ = 0;
  // Taken right after a sync: the log holds exactly the transactions up to this zxid.
  snapshot_end_offsets_[tree.last_zxid()] = log_->end_offset();
  spdlog::info("keeper snapshot at zxid {:#x}: {} nodes, {} bytes", tree.last_zxid(), tree.node_count(), bytes.size());
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

Status Store::close() { return log_->close(); }

}  // namespace streamcraft::keeper
