// generated from final/keeper/txn_log.h; edit there
// keeper/txn_log.h — the transaction log: chapter 1's log, holding keeper's transactions.
//
// ZooKeeper writes every transaction to a log before it acknowledges it, and so does
// keeper — and the log it writes to is the one you built in chapter 1. Each transaction
// is one record (its value: keeper/txn.h's bytes; its timestamp: the transaction's time),
// and a group commit is one record batch: the transactions of one batch of requests,
// appended with one write and made durable with one fdatasync. Chapter 1's guarantees
// carry over unchanged: segments roll, a torn or corrupt tail is cut when the log opens
// (the acknowledged transactions were synced, so they are before the cut), and whole old
// segments are deleted when no snapshot needs them any more.
//
// Log offsets count transactions; zxids are in the transactions themselves (a replicated
// keeper's zxids, in chapter 6, are not dense). forceSync=no (`force_sync = false`)
// skips the fdatasync — and with it the promise that an acknowledged write survives a
// power cut; it still survives kill -9, since the data is in the page cache.
//
// The log's files grow `preallocate_bytes` at a time, filled with zeros ahead of the data
// (keeper/preallocated_file.h), so that most syncs need not also record a new file size.
//
// Not thread-safe: keeper's one thread appends, syncs and reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "keeper/journal.h"
#include "keeper/preallocated_file.h"
#include "keeper/txn.h"
#include "log/file.h"
#include "log/log.h"

namespace streamcraft::keeper {

struct TxnLogConfig {
  std::uint64_t segment_bytes = 64ull << 20;       // a new file every 64 MiB, as ZooKeeper's
  std::uint64_t preallocate_bytes = 64ull << 20;   // preAllocSize: grow files in zero-filled steps (0: don't)
  bool force_sync = true;                          // forceSync
  std::size_t max_batch_bytes = 8u << 20;     // a group commit larger than this is split
};

class TxnLog final : public Journal {
 public:
  static Result<std::unique_ptr<TxnLog>> open(log::FileSystem& fs, const std::filesystem::path& dir,
                                              const Clock& clock, TxnLogConfig config = {});

  Status append(const Txn& txn) override;  // buffered until sync()
  Status sync() override;                  // writes the buffer as batches, then fdatasync
  Status close() { return log_->close(); }

  // Every transaction with a zxid above `after`, in log order (recovery replays them on
  // the latest snapshot). CORRUPT_MESSAGE if a record is not a transaction.
  Result<std::vector<Txn>> read_after(std::int64_t after) const;
  // Deletes the segments whose transactions all have zxids at or below `zxid` (a
  // snapshot at `zxid` makes them unnecessary): autopurge. Reads the log to find where
  // that zxid is; purge_before() is for a caller that knows the offset already.
  Status purge_through(std::int64_t zxid);
  Status purge_before(std::int64_t offset);
  // The offset the next transaction gets: everything appended so far is below it.
  std::int64_t end_offset() const { return log_->log_end_offset(); }
  const log::OpenReport& open_report() const { return log_->open_report(); }
  std::size_t segment_count() const { return log_->segment_count(); }

 private:
  struct Private {
    explicit Private() = default;
  };

 public:
  TxnLog(Private, std::unique_ptr<PreallocatingFileSystem> fs, std::unique_ptr<log::Log> log, TxnLogConfig config)
      : fs_(std::move(fs)), log_(std::move(log)), config_(config) {}

 private:
  // Calls f(offset, txn) for each transaction from offset `from` on; stops when f is false.
  template <class F>
  Status scan(std::int64_t from, F&& f) const;

  std::unique_ptr<PreallocatingFileSystem> fs_;  // null without preallocation; outlives log_
  std::unique_ptr<log::Log> log_;
  TxnLogConfig config_;
  std::vector<Txn> buffered_;
};

}  // namespace streamcraft::keeper
