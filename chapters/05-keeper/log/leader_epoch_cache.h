// generated from final/log/leader_epoch_cache.h; edit there
// log/leader_epoch_cache.h — which leader wrote which offsets: epoch -> first offset.
//
// Every partition has a leader, and every new leader gets a larger **leader epoch** from
// the controller. The leader stamps its epoch into every batch it appends (the batch
// header's partitionLeaderEpoch), and each replica keeps, beside its log, this small
// table: for every epoch in the log, the offset of the first record written in it.
//
//     epoch  start offset
//       0         0        leader A wrote offsets 0..6
//       2         7        leader B (epoch 1 wrote nothing that survived) from 7 on
//
// It answers the question replication asks after every change of leader: "where did my
// epoch E end in *your* log?" (end_offset_for, what the OffsetsForLeaderEpoch API
// serves). A follower compares the answer with its own log and cuts what the new leader
// never had — by epochs, not by the high watermark, whose use lost acknowledged records
// in the scenarios of KIP-101 (see replication/truncation.h).
//
// Invariants: epochs and start offsets both strictly increase from entry to entry, every
// epoch is >= 0, and (kept by Log) every start offset lies in [log start, log end].
// Adding an entry first removes every entry it would break the order with.
//
// The table is stored in the partition's directory as `leader-epoch-checkpoint`, the
// text format of Kafka's file of the same name:
//
//     0            format version
//     2            number of entries
//     0 0          epoch, start offset
//     2 7
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace streamcraft::log {

inline constexpr std::int32_t kUndefinedEpoch = -1;
inline constexpr std::int64_t kUndefinedEpochOffset = -1;

struct EpochEntry {
  std::int32_t epoch = 0;
  std::int64_t start_offset = 0;
  bool operator==(const EpochEntry&) const = default;
};

// An answer of end_offset_for: the epoch the answer is about and the offset where it
// ended (exclusive). Both undefined (-1) when the cache cannot say.
struct EpochEndOffset {
  std::int32_t epoch = kUndefinedEpoch;
  std::int64_t end_offset = kUndefinedEpochOffset;
  bool operator==(const EpochEndOffset&) const = default;
};

class LeaderEpochCache {
 public:
  LeaderEpochCache() = default;
  explicit LeaderEpochCache(std::vector<EpochEntry> entries);

  // Records that `epoch` starts at `start_offset`. Nothing changes when it is the latest
  // epoch already, starting there or earlier. Otherwise every entry with an epoch >=
  // `epoch` or a start offset >= `start_offset` is removed first (they describe a history
  // this one replaces) and the entry is appended. Returns whether the table changed.
  // Precondition: epoch >= 0 and start_offset >= 0.
  bool assign(std::int32_t epoch, std::int64_t start_offset);

  // Where `epoch` ended in a log whose end offset is `log_end_offset`:
  //  - the latest epoch: it has not ended, the answer is (epoch, log end);
  //  - a later epoch exists: the answer is (the largest known epoch <= `epoch`, the start
  //    of the first epoch after `epoch`) — if `epoch` itself is unknown (this log never
  //    had records of it) the answer names the epoch before it, and the asker learns that
  //    its own records of `epoch` are not here;
  //  - `epoch` is older than every entry: (epoch, the first entry's start offset);
  //  - `epoch` is undefined (-1), newer than every entry, or the cache is empty:
  //    undefined (-1, -1).
  EpochEndOffset end_offset_for(std::int32_t epoch, std::int64_t log_end_offset) const;

  // After the log was cut to end at `end_offset`: removes the entries that start at or
  // after it. Returns whether the table changed.
  bool truncate_from_end(std::int64_t end_offset);
  // After the log start moved up to `start_offset` (retention): removes the entries that
  // start at or before it, and keeps the last of them, moved to start there — its epoch
  // is still the epoch of the records from `start_offset` on. Returns whether it changed.
  bool truncate_from_start(std::int64_t start_offset);

  std::optional<std::int32_t> latest_epoch() const;
  // The start offset of `epoch`, if it is in the table.
  std::optional<std::int64_t> start_offset_of(std::int32_t epoch) const;
  std::span<const EpochEntry> entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  void clear() { entries_.clear(); }

  // The checkpoint file's contents, and back. A file that does not follow the format,
  // or whose entries break the invariants, is CORRUPT_MESSAGE.
  std::string encode() const;
  static Result<LeaderEpochCache> decode(std::string_view text);

 private:
  std::vector<EpochEntry> entries_;  // in increasing epoch and start offset
};

}  // namespace streamcraft::log
