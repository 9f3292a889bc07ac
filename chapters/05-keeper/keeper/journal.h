// generated from final/keeper/journal.h; edit there
// keeper/journal.h — where keeper's transactions become durable.
//
// The service (keeper/keeper_service.h) decides *what* to write and *when* a write must
// be durable; a Journal does the writing. append() may buffer; sync() returns once
// everything appended is on stable storage — or an error, after which keeper stops
// acknowledging anything (a disk that lost a write cannot be trusted with the next).
// The real one is the transaction log (keeper/txn_log.h); MemoryJournal below keeps
// them in memory, for the tests and for the simulator, which crashes it on purpose.
#pragma once

#include <cstddef>
#include <vector>

#include "common/error.h"
#include "keeper/txn.h"

namespace streamcraft::keeper {

class DataTree;
class SessionTracker;

class Journal {
 public:
  virtual ~Journal() = default;
  virtual Status append(const Txn& txn) = 0;
  virtual Status sync() = 0;
  // After each successful sync, with the state that is now durable — and, while busy(),
  // at every poll with nothing left to sync: the moments to start and to continue a
  // snapshot (keeper/store.h). An error is logged; keeper goes on.
  virtual Status after_sync(const DataTree& tree, const SessionTracker& sessions) {
    (void)tree;
    (void)sessions;
    return {};
  }
  // True while background work (a snapshot being written) wants more turns.
  virtual bool busy() const { return false; }
};

// Transactions in memory: appended ones, and how many of them a sync made durable.
class MemoryJournal final : public Journal {
 public:
  Status append(const Txn& txn) override {
    appended.push_back(txn);
    return {};
  }
  Status sync() override {
    ++syncs;
    if (fail_syncs) return make_error(Errc::kafka_storage_error, "the journal's disk failed");
    synced = appended.size();
    return {};
  }

  std::vector<Txn> appended;
  std::size_t synced = 0;  // appended[0, synced) are durable
  std::size_t syncs = 0;
  bool fail_syncs = false;
};

}  // namespace streamcraft::keeper
