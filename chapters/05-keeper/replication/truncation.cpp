// generated from final/replication/truncation.cpp; edit there
// replication/truncation.cpp — the truncation point from leader epochs (Kafka's
// AbstractFetcherThread rules, KIP-101 and KIP-279).
#include "replication/truncation.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <algorithm>

namespace streamcraft::replication {

std::optional<std::int32_t> epoch_to_ask(const log::LeaderEpochCache& follower_epochs) {
  return follower_epochs.latest_epoch();
}

TruncationStep truncation_step(const log::LeaderEpochCache& follower_epochs, std::int64_t log_end_offset,
                               std::int64_t high_watermark, log::EpochEndOffset leader) {
  // The leader cannot say where our epoch ended (it has no epochs, or ours is newer than
  // any it knows): keep what is known to be committed.
  if (leader.end_offset == log::kUndefinedEpochOffset) return first_step_without_epochs(log_end_offset, high_watermark);
  // An answer without an epoch: trust its offset.
  if (leader.epoch == log::kUndefinedEpoch) return {std::min(leader.end_offset, log_end_offset), true};
  // Where the epoch the leader answered about ends in our log.
  const log::EpochEndOffset ours = follower_epochs.end_offset_for(leader.epoch, log_end_offset);
  if (ours.end_offset == log::kUndefinedEpochOffset) return {std::min(leader.end_offset, log_end_offset), true};
  if (ours.epoch != leader.epoch) {
    // We never had the leader's epoch: everything we have of later epochs goes, and we ask
    // again about the latest epoch we keep.
    return {std::min(ours.end_offset, log_end_offset), false};
  }
  // The histories agree up to where that epoch ended in the shorter of the two logs.
  return {std::min({ours.end_offset, leader.end_offset, log_end_offset}), true};
}

}  // namespace streamcraft::replication
