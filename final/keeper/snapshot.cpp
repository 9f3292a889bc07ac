// keeper/snapshot.cpp — the snapshot format, and writing one a few nodes at a time.
#include "keeper/snapshot.h"

#include <fmt/format.h>

#include "common/crc32c.h"

namespace streamcraft::keeper {

namespace {

constexpr std::string_view kMagic = "SCKS";
constexpr std::int8_t kSnapshotVersion = 2;
constexpr std::size_t kCrcFrom = 5;  // the CRC covers everything after magic and version

Bytes header(std::int64_t zxid, const std::map<std::int64_t, std::int32_t>& sessions) {
  Bytes out(as_bytes(kMagic).begin(), as_bytes(kMagic).end());
  Encoder e(out);
  e.i8(kSnapshotVersion);
  e.i64(zxid);
  e.array_length(sessions.size());
  for (const auto& [id, timeout] : sessions) {
    e.i64(id);
    e.i32(timeout);
  }
  return out;
}

void append_node(Bytes& out, const std::string& path, const Znode& n) {
  Encoder e(out);
  write_ustring(e, path);
  write_buffer(e, n.data);
  write_acl_vector(e, n.acl);
  write_stat(e, n.stat);
}

// The end of the nodes, and their count; the CRC follows.
void append_end(Bytes& out, std::size_t nodes) {
  Encoder e(out);
  write_null_ustring(e);
  e.array_length(nodes);
}

void append_crc(Bytes& out, std::uint32_t crc) {
  Encoder e(out);
  e.i32(static_cast<std::int32_t>(crc));
}

}  // namespace

Bytes encode_snapshot(const DataTree& tree, const std::map<std::int64_t, std::int32_t>& sessions) {
  Bytes out = header(tree.last_zxid(), sessions);
  const auto paths = tree.paths();  // sorted: a parent before its children
  for (const auto& p : paths) append_node(out, p, *tree.find(p));
  append_end(out, paths.size());
  append_crc(out, crc32c(ByteSpan(out).subspan(kCrcFrom)));
  return out;
}

Result<KeeperState> decode_snapshot(ByteSpan bytes) {
  auto bad = [](std::string_view why) { return make_error(Errc::corrupt_message, fmt::format("snapshot: {}", why)); };
  if (bytes.size() < kCrcFrom + 4 || as_chars(bytes.first(4)) != kMagic) return bad("not a keeper snapshot");
  if (static_cast<std::int8_t>(bytes[4]) != kSnapshotVersion) return bad("unknown version");
  const auto body = bytes.subspan(kCrcFrom, bytes.size() - kCrcFrom - 4);
  if (load_be<std::uint32_t>(bytes.data() + bytes.size() - 4) != crc32c(body)) return bad("CRC mismatch");
  Decoder d(body);
  KeeperState state;
  const auto zxid = d.i64();
  const auto n_sessions = d.array_length(12);
  for (std::int32_t i = 0; i < n_sessions && d.ok(); ++i) {
    const auto id = d.i64();
    state.sessions[id] = d.i32();
  }
  std::size_t nodes = 0;
  while (d.ok()) {
    auto path = read_nullable_ustring(d);
    if (!path || !d.ok()) break;
    Znode n;
    n.data = read_buffer(d);
    n.acl = read_acl_vector(d);
    n.stat = read_stat(d);
    if (!d.ok()) break;
    if (!valid_path(*path) || (*path != "/" && !state.tree.find(parent_of(*path)))) return bad("a node without its parent");
    state.tree.restore(*path, std::move(n));
    ++nodes;
  }
  const auto count = d.i32();
  if (!d.ok()) return bad(d.problem());
  if (d.remaining() != 0 || count < 0 || static_cast<std::size_t>(count) != nodes) return bad("wrong node count");
  state.tree.set_last_zxid(zxid);
  return state;
}

Result<std::unique_ptr<FuzzySnapshot>> FuzzySnapshot::start(log::FileSystem& fs, std::filesystem::path path,
                                                            const DataTree& tree,
                                                            const std::map<std::int64_t, std::int32_t>& sessions) {
  auto snap = std::make_unique<FuzzySnapshot>(Private{}, fs, std::move(path), tree.last_zxid());
  snap->tmp_ = snap->path_;
  snap->tmp_ += ".tmp";
  auto file = fs.open(snap->tmp_, log::OpenMode::read_write);
  if (!file) return file.error();
  snap->file_ = std::move(*file);
  if (auto s = snap->file_->truncate(0); !s) return s.error();  // a leftover of a crash
  // The one pause of a snapshot: listing and sorting the paths, far less than writing
  // every node's data.
  snap->paths_ = tree.paths();
  if (auto s = snap->write(header(snap->zxid_, sessions), kCrcFrom); !s) return s.error();
  return snap;
}

Status FuzzySnapshot::write(const Bytes& bytes, std::size_t crc_from) {
  crc_ = crc32c(ByteSpan(bytes).subspan(crc_from), crc_);
  bytes_ += bytes.size();
  return file_->append(bytes);
}

Result<bool> FuzzySnapshot::step(const DataTree& tree, std::size_t byte_budget) {
  Bytes out;
  while (next_ < paths_.size() && out.size() < byte_budget) {
    const auto& path = paths_[next_++];
    const Znode* n = tree.find(path);
    // Deleted since the start, or its parent was not written: the replay creates it if
    // it is to exist.
    if (!n || (path != "/" && skipped_.contains(std::string(parent_of(path))))) {
      skipped_.insert(path);
      continue;
    }
    append_node(out, path, *n);
    ++written_;
  }
  if (!out.empty()) {
    if (auto s = write(out, 0); !s) return s.error();
  }
  if (next_ < paths_.size()) return false;
  if (auto s = finish(); !s) return s.error();
  return true;
}

Status FuzzySnapshot::finish() {
  Bytes end;
  append_end(end, written_);
  if (auto s = write(end, 0); !s) return s;
  Bytes crc;
  append_crc(crc, crc_);
  bytes_ += crc.size();
  if (auto s = file_->append(crc); !s) return s;
  // Durable before it is visible under its name: recovery may trust any snapshot.* file
  // whose CRC matches, and a rename of unsynced data could leave a named, empty file.
  if (auto s = file_->sync(); !s) return s;
  file_.reset();
  if (auto s = fs_.rename(tmp_, path_); !s) return s;
  return fs_.sync_directory(path_.parent_path());
}

void FuzzySnapshot::abandon() {
  file_.reset();
  (void)fs_.remove(tmp_);
}

}  // namespace streamcraft::keeper
