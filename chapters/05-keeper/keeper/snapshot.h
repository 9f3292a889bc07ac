// generated from final/keeper/snapshot.h; edit there
// keeper/snapshot.h — snapshot files, and the fuzzy snapshot written while writes go on.
//
// A snapshot is the whole tree and the sessions on disk, so that recovery replays only
// the transaction log after it. Keeper writes it as ZooKeeper does: **fuzzy**. It starts
// at one zxid Z — the sessions as of Z, and the list of the tree's paths — and then
// writes the nodes a few at a time, between batches of requests, each as it is *when it
// is written*. Writes go on meanwhile, so the file is not the tree of any one moment: a
// node may be saved before or after a change made during the snapshot. It is still a
// correct starting point, because recovery replays every transaction after Z, and
// replaying a change onto a node that already has it changes nothing:
//   - a setData sets the data and version the transaction carries: the same result twice;
//   - a create of a node the file lacks creates it; a parent's cversion and pzxid only
//     move forward (DataTree::create and remove), so counting a child twice is impossible;
//   - a delete of a node the file lacks deletes nothing;
//   - a session opened or closed after Z is opened or closed again by its transaction.
// Two rules keep the file loadable: nodes are written in path order, parents first, and a
// node whose parent was not written (deleted when its turn came, re-created later) is not
// written either — the replay creates both.
//
// Only durable state goes into the file: the store writes a step only when every
// transaction applied to the tree is synced (keeper/keeper_service.cpp's poll()), so a
// snapshot never holds a change the log could lose.
//
// File: "SCKS" · version int8 (2) · zxid int64 · session count int32, then (id int64,
// timeout int32) each · per node: path ustring, data buffer, ACL, stat (jute types) · a
// null ustring ending the nodes · node count int32 · crc32c uint32 of everything between
// the version and the CRC. It is written to `<name>.tmp`, synced, and renamed: a crash
// leaves the old snapshots and a temporary file that the next start removes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "keeper/data_tree.h"
#include "keeper/keeper_service.h"
#include "log/file.h"

namespace streamcraft::keeper {

// The whole snapshot of a tree in memory (tests, the fuzz target). CORRUPT_MESSAGE on a
// damaged one.
Bytes encode_snapshot(const DataTree& tree, const std::map<std::int64_t, std::int32_t>& sessions);
Result<KeeperState> decode_snapshot(ByteSpan bytes);

class FuzzySnapshot {
 public:
  // Starts a snapshot of `tree` as of its last zxid into `path` (written as path.tmp):
  // the header, the sessions and the list of paths are taken now.
  static Result<std::unique_ptr<FuzzySnapshot>> start(log::FileSystem& fs, std::filesystem::path path,
                                                       const DataTree& tree,
                                                       const std::map<std::int64_t, std::int32_t>& sessions);

  // Writes nodes until about `byte_budget` bytes are out; true once the last one is
  // written and the file is synced and in place.
  Result<bool> step(const DataTree& tree, std::size_t byte_budget);
  // Gives up: the temporary file is removed.
  void abandon();

  std::int64_t zxid() const { return zxid_; }
  std::size_t nodes_written() const { return written_; }
  std::uint64_t bytes_written() const { return bytes_; }

  struct Private {
    explicit Private() = default;
  };
  FuzzySnapshot(Private, log::FileSystem& fs, std::filesystem::path path, std::int64_t zxid)
      : fs_(fs), path_(std::move(path)), zxid_(zxid) {}

 private:
  Status write(const Bytes& bytes, std::size_t crc_from);
  Status finish();

  log::FileSystem& fs_;
  std::filesystem::path path_;
  std::filesystem::path tmp_;
  std::int64_t zxid_;
  std::unique_ptr<log::File> file_;
  std::vector<std::string> paths_;  // sorted at the start: parents before children
  std::size_t next_ = 0;
  std::unordered_set<std::string> skipped_;  // not written: their children are not either
  std::uint32_t crc_ = 0;
  std::size_t written_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace streamcraft::keeper
