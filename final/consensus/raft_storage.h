// consensus/raft_storage.h — what a keeper server's Raft keeps on disk.
//
// Three things, in one directory (dataDir/raft/):
//   raft-state      the current term and the vote cast in it, replaced atomically;
//   raft-snapshot   the state machine as of one applied index, with that entry's term,
//                   replaced atomically (the newest only: it stands for the whole log
//                   before it);
//   log/            the entries after the snapshot — chapter 1's log again. Entry index i
//                   is log offset i − 1, one record batch each (its value: the entry's
//                   bytes; its partitionLeaderEpoch: the entry's term — Raft's terms are
//                   Kafka's leader epochs), and truncating an overruled suffix is chapter
//                   4's truncate_to.
//
// save(ready) carries out a Ready's persistence (consensus/raft.h, persist()) and returns
// only when it is durable: then, and only then, may the server send the Ready's messages.
// A crash in the middle of a save leaves a state between the old and the new one, and
// every such state is safe to restart from: nothing anyone was told depended on the new
// one. Entries already on disk that agree with a new snapshot are never rewritten (they may
// have been acknowledged to the leader). open() finishes the one cut a crash can leave
// half done: a snapshot written, and the log behind it not yet cut.
//
// Terms are stored as leader epochs, so they must fit in 31 bits. Not thread-safe.
#pragma once

#include <filesystem>
#include <memory>

#include "common/clock.h"
#include "common/error.h"
#include "consensus/raft.h"
#include "log/file.h"
#include "log/log.h"

namespace streamcraft::consensus {

class RaftStorage {
 public:
  static Result<std::unique_ptr<RaftStorage>> open(log::FileSystem& fs, const std::filesystem::path& dir,
                                                   const Clock& clock);
  // What the disk held at open(), for Raft's constructor.
  const Durable& loaded() const { return loaded_; }
  Status save(const Ready& ready);
  Status close() { return log_->close(); }

  static constexpr const char* kStateFile = "raft-state";
  static constexpr const char* kSnapshotFile = "raft-snapshot";

 private:
  struct Private {
    explicit Private() = default;
  };

 public:
  RaftStorage(Private, log::FileSystem& fs, std::filesystem::path dir, std::unique_ptr<log::Log> log)
      : fs_(fs), dir_(std::move(dir)), log_(std::move(log)) {}

 private:
  Status load();
  Status save_snapshot(const Snapshot& snapshot);
  // The term of the entry at index, -1 if the log does not hold it.
  Result<std::int64_t> term_of(std::int64_t index) const;
  Status append(std::int64_t from, const std::vector<Entry>& entries);

  log::FileSystem& fs_;
  std::filesystem::path dir_;
  std::unique_ptr<log::Log> log_;
  Durable loaded_;
};

}  // namespace streamcraft::consensus
