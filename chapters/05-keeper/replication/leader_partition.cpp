// generated from final/replication/leader_partition.cpp; edit there
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
  // The candidate is the leader's end, lowered to the end of every follower that counts:
  // an ISR member (proposed ones included), or one caught up within the lag time. An ISR
  // member that has not fetched yet (-1) holds the HW where it is.
  std::int64_t candidate = leader_end;
  for (const auto& f : followers_) {
    const bool caught_up_lately = f.last_caught_up_ms >= 0 && now_ms - f.last_caught_up_ms <= lag_ms_;
    const bool counts = in_maximal_isr(f.broker) || caught_up_lately;
    if (counts) candidate = std::min(candidate, f.log_end_offset);
  }
  if (candidate <= high_watermark_) return false;
  high_watermark_ = candidate;
  return true;
}

FetchUpdate LeaderPartition::on_follower_fetch(std::int32_t follower, std::int64_t fetch_offset,
                                               std::int64_t follower_log_start, std::int64_t leader_end,
                                               std::int64_t now_ms) {
  FetchUpdate update;
  FollowerProgress* f = find(follower);
  if (!f) return update;  // not a replica of this partition: it gets data, not a say
  // Caught up now, or caught up with where the leader was at the previous fetch (a
  // follower always one small produce behind under a steady trickle stays in sync).
  if (fetch_offset >= leader_end) {
    f->last_caught_up_ms = std::max(f->last_caught_up_ms, now_ms);
  } else if (f->last_fetch_ms >= 0 && fetch_offset >= f->leader_end_at_last_fetch) {
    f->last_caught_up_ms = std::max(f->last_caught_up_ms, f->last_fetch_ms);
  }
  f->log_end_offset = fetch_offset;
  f->log_start_offset = follower_log_start;
  f->last_fetch_ms = now_ms;
  f->leader_end_at_last_fetch = leader_end;

  // Back into the ISR once it has everything committed, and everything of this epoch.
  if (!pending_isr_ && !contains(isr_, follower) && fetch_offset >= high_watermark_ &&
      fetch_offset >= epoch_start_offset_) {
    auto proposed = isr_;
    proposed.push_back(follower);
    update.propose_isr = std::move(proposed);
  }
  update.high_watermark_moved = maybe_advance_high_watermark(leader_end, now_ms);
  return update;
}

bool LeaderPartition::on_leader_append(std::int64_t leader_end, std::int64_t now_ms) {
  return maybe_advance_high_watermark(leader_end, now_ms);
}

std::optional<std::vector<std::int32_t>> LeaderPartition::shrink_proposal(std::int64_t leader_end,
                                                                          std::int64_t now_ms) const {
  if (pending_isr_) return std::nullopt;
  std::vector<std::int32_t> kept;
  for (auto broker : isr_) {
    const FollowerProgress* f = follower(broker);
    const bool out_of_sync = f && f->log_end_offset != leader_end &&
                             (f->last_caught_up_ms < 0 || now_ms - f->last_caught_up_ms > lag_ms_);
    if (!out_of_sync) kept.push_back(broker);  // the leader itself has no FollowerProgress
  }
  if (kept.size() == isr_.size()) return std::nullopt;
  return kept;
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
