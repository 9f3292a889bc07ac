// starter generated from final/replication/truncation.cpp for exercise truncation-point; edit freely, this is your copy
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
  streamcraft::not_implemented("04-replication/truncation-point", follower_epochs, log_end_offset, high_watermark, leader);
}

}  // namespace streamcraft::replication
