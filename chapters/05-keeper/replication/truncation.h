// generated from final/replication/truncation.h; edit there
// replication/truncation.h — where a follower cuts its log before it copies a new leader.
//
// After a change of leader a follower's log may end with records the new leader does not
// have: records the old leader wrote that never reached the new one. Fetching from its own
// log end would then leave the two logs different at the same offsets, forever. So before
// it fetches, the follower asks the leader (OffsetsForLeaderEpoch): "my latest epoch is E —
// where did E end in your log?", and cuts its own log at the first offset where the two
// histories part.
//
// Why not simply cut at the high watermark, the last offset known to be committed? Because
// a follower learns the HW one fetch late: cutting there can throw away records that were
// committed and acknowledged, and if that follower is then elected, they are lost for good
// (KIP-101, scenario 1). And a follower that kept everything above its HW may keep records
// that a later leader overwrote (KIP-101, scenario 2). Epochs say exactly which records
// each leader wrote.
//
// The exchange may take several rounds: if the leader answers with an epoch the follower
// never had (it skipped that leader), the follower cuts its records of later epochs and
// asks again about its latest remaining epoch (KIP-279).
//
// Pure functions over the follower's epoch table; the caller does the asking and cutting.
#pragma once

#include <cstdint>
#include <optional>

#include "log/leader_epoch_cache.h"

namespace streamcraft::replication {

struct TruncationStep {
  std::int64_t truncate_to = 0;  // cut the log to end here (nothing to do if >= its end)
  bool done = true;              // false: cut, then ask again about the latest epoch left
  bool operator==(const TruncationStep&) const = default;
};

// The epoch to ask the leader about first: the follower's latest, or nullopt when its log
// has no epochs (then it can only cut to its high watermark: first_step_without_epochs).
std::optional<std::int32_t> epoch_to_ask(const log::LeaderEpochCache& follower_epochs);

// The follower (epoch table, log end, high watermark) asked about an epoch and the leader
// answered `leader` (its end_offset_for of that epoch).
TruncationStep truncation_step(const log::LeaderEpochCache& follower_epochs, std::int64_t log_end_offset,
                               std::int64_t high_watermark, log::EpochEndOffset leader);

// A follower with no epochs to ask about keeps what it knows to be committed.
inline TruncationStep first_step_without_epochs(std::int64_t log_end_offset, std::int64_t high_watermark) {
  return {high_watermark < log_end_offset ? high_watermark : log_end_offset, true};
}

}  // namespace streamcraft::replication
