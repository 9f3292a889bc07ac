// starter generated from final/replication/leader_partition.cpp for exercise leader-partition; edit freely, this is your copy
// replication/leader_partition.cpp — the high-watermark and ISR rules of a partition leader.
#include "replication/leader_partition.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <algorithm>

#include <fmt/format.h>

namespace streamcraft::replication {

namespace {

bool contains(const std::vector<std::int32_t>& v, std::int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

LeaderPartition::LeaderPartition(std::int32_t self, std::int32_t leader_epoch, std::vector<std::int32_t> replicas,
                                 std::vector<std::int32_t> isr, std::int64_t epoch_start_offset,
                                 std::int64_t high_watermark, std::int64_t now_ms, std::int64_t replica_lag_time_max_ms)
    : self_(self),
      leader_epoch_(leader_epoch),
      replicas_(std::move(replicas)),
      isr_(std::move(isr)),
      epoch_start_offset_(epoch_start_offset),
      high_watermark_(high_watermark),
      lag_ms_(replica_lag_time_max_ms) {
  for (auto broker : replicas_) {
    if (broker == self_) continue;
    FollowerProgress p;
    p.broker = broker;
    // A new leader knows nothing of its followers' logs until they fetch from it, so the
    // HW waits for every ISR member's first fetch. The ISR members get the benefit of the
    // doubt for the lag time; the others have never been caught up.
    p.last_caught_up_ms = contains(isr_, broker) ? now_ms : -1;
    followers_.push_back(p);
  }
}

FollowerProgress* LeaderPartition::find(std::int32_t broker) {
  for (auto& f : followers_)
    if (f.broker == broker) return &f;
  return nullptr;
}

const FollowerProgress* LeaderPartition::follower(std::int32_t broker) const {
  for (const auto& f : followers_)
    if (f.broker == broker) return &f;
  return nullptr;
}

bool LeaderPartition::in_maximal_isr(std::int32_t broker) const {
  return contains(isr_, broker) || (pending_isr_ && contains(*pending_isr_, broker));
}

bool LeaderPartition::maybe_advance_high_watermark(std::int64_t leader_end, std::int64_t now_ms) {
  streamcraft::not_implemented("04-replication/leader-partition", leader_end, now_ms);
}

FetchUpdate LeaderPartition::on_follower_fetch(std::int32_t follower, std::int64_t fetch_offset,
                                               std::int64_t follower_log_start, std::int64_t leader_end,
                                               std::int64_t now_ms) {
  FetchUpdate update;
  FollowerProgress* f = find(follower);
  if (!f) return update;  // not a replica of this partition: it gets data, not a say
  streamcraft::not_implemented("04-replication/leader-partition", fetch_offset, follower_log_start, leader_end, now_ms);
}

bool LeaderPartition::on_leader_append(std::int64_t leader_end, std::int64_t now_ms) {
  return maybe_advance_high_watermark(leader_end, now_ms);
}

std::optional<std::vector<std::int32_t>> LeaderPartition::shrink_proposal(std::int64_t leader_end,
                                                                          std::int64_t now_ms) const {
  if (pending_isr_) return std::nullopt;
  streamcraft::not_implemented("04-replication/leader-partition", leader_end, now_ms);
}

void LeaderPartition::proposal_sent(std::vector<std::int32_t> isr) { pending_isr_ = std::move(isr); }

bool LeaderPartition::isr_committed(std::vector<std::int32_t> isr, std::int64_t leader_end, std::int64_t now_ms) {
  isr_ = std::move(isr);
  pending_isr_.reset();
  return maybe_advance_high_watermark(leader_end, now_ms);
}

Status LeaderPartition::check_min_isr(int min_insync_replicas) const {
  if (static_cast<int>(isr_.size()) < min_insync_replicas)
    return make_error(Errc::not_enough_replicas, fmt::format("{} in-sync replica(s), min.insync.replicas is {}",
                                                             isr_.size(), min_insync_replicas));
  return {};
}

std::optional<Status> LeaderPartition::acks_all_outcome(std::int64_t required_offset, int min_insync_replicas) const {
  if (high_watermark_ < required_offset) return std::nullopt;
  if (static_cast<int>(isr_.size()) < min_insync_replicas)
    return Status(make_error(Errc::not_enough_replicas_after_append,
                             fmt::format("the ISR shrank to {} while the batch waited (min.insync.replicas {})",
                                         isr_.size(), min_insync_replicas)));
  return Status{};
}

}  // namespace streamcraft::replication
