// keeper/store.h — keeper on disk: the transaction log, snapshots, and recovery.
//
// Two kinds of files, as ZooKeeper keeps them:
//   dataLogDir/  the transaction log (keeper/txn_log.h): every transaction, in zxid order;
//   dataDir/     snapshots, `snapshot.<zxid in hex>`: the whole tree and the sessions as
//                of one zxid, written atomically (a crash leaves the old file or the new).
// Recovery loads the newest snapshot that reads back whole (a damaged one is skipped for
// the one before it) and replays every logged transaction after its zxid. The log makes
// writes durable one group commit at a time; snapshots make recovery short and let old
// log segments go: after each snapshot, all but the newest `snap_retain_count` snapshots
// are deleted, and the log segments that only the deleted ones needed (autopurge).
//
// A snapshot is started every `snap_count` transactions and written *fuzzily*, a step at a
// time between batches of requests while writes go on (keeper/snapshot.h explains why
// that is correct); autopurge runs when one is complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "keeper/data_tree.h"
#include "keeper/journal.h"
#include "keeper/keeper_service.h"
#include "keeper/snapshot.h"
#include "keeper/txn_log.h"
#include "log/file.h"

namespace streamcraft::keeper {

struct StoreConfig {
  std::filesystem::path data_dir;
  std::filesystem::path data_log_dir;  // empty: the same as data_dir
  TxnLogConfig log;
  std::int64_t snap_count = 100000;    // snapCount: transactions between snapshots
  std::size_t snap_retain_count = 3;   // autopurge.snapRetainCount (at least 3, as ZooKeeper)
  bool autopurge = false;              // autopurge.purgeInterval > 0
  // How much of a snapshot is written per step (per batch of requests, or per turn of the
  // server's loop while idle): a small step keeps requests waiting behind it short.
  std::size_t snapshot_step_bytes = 256 << 10;
};

class Store final : public Journal {
 public:
  // Opens both directories and recovers: `state()` is what keeper starts from.
  static Result<std::unique_ptr<Store>> open(log::FileSystem& fs, StoreConfig config, const Clock& clock);

  Status append(const Txn& txn) override;
  Status sync() override;
  // Starts a snapshot once snap_count transactions were synced since the last one
  // started, and writes the next step of one under way (keeper calls this after each
  // sync, and while busy()); purges when one is complete, if configured.
  Status after_sync(const DataTree& tree, const SessionTracker& sessions) override;
  bool busy() const override { return in_progress_ != nullptr; }
  Status close();

  // What recovery found; moved out once, to start keeper.
  KeeperState take_state() { return std::move(state_); }
  struct Recovery {
    std::optional<std::int64_t> snapshot_zxid;  // the snapshot loaded, if any
    std::vector<std::string> damaged_snapshots;
    std::size_t replayed = 0;                   // transactions applied on top of it
    std::uint64_t log_bytes_cut = 0;            // a torn tail cut from the log
  };
  const Recovery& recovery() const { return recovery_; }
  std::vector<std::int64_t> snapshot_zxids() const;  // on disk, oldest first
  const TxnLog& txn_log() const { return *log_; }

  struct Private {
    explicit Private() = default;
  };
  Store(Private, log::FileSystem& fs, StoreConfig config, std::unique_ptr<TxnLog> log)
      : fs_(fs), config_(std::move(config)), log_(std::move(log)) {}

 private:
  Status recover();
  Status start_snapshot(const DataTree& tree, const std::map<std::int64_t, std::int32_t>& sessions);
  Status continue_snapshot(const DataTree& tree, std::size_t budget);
  Status purge();

  log::FileSystem& fs_;
  StoreConfig config_;
  std::unique_ptr<TxnLog> log_;
  KeeperState state_;
  Recovery recovery_;
  std::int64_t synced_since_snapshot_ = 0;
  // Where in the log each snapshot of this run ends (zxid → the log's end offset then),
  // so that a purge need not read the log to find it.
  std::map<std::int64_t, std::int64_t> snapshot_end_offsets_;
  std::int64_t appended_since_sync_ = 0;
  std::unique_ptr<FuzzySnapshot> in_progress_;
  std::int64_t in_progress_end_offset_ = 0;  // the log's end when it started
};

// Applies one recovered transaction to a starting state (the tree and the sessions).
void replay(KeeperState& state, const Txn& txn);

}  // namespace streamcraft::keeper
