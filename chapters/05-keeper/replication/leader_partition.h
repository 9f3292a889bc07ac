// generated from final/replication/leader_partition.h; edit there
// replication/leader_partition.h — a partition leader's view of its followers: how far
// each one has copied, which of them are in sync, and the high watermark.
//
// The leader appends; each follower copies the leader's log by sending Fetch requests with
// its broker id as replica_id. A follower acknowledges by asking for more: a fetch at
// offset N says "I have everything below N", so N is that follower's log end offset (LEO).
// From those numbers the leader decides two things, by Kafka's rules:
//
// - The **high watermark** (HW): the offset below which a record is on every in-sync
//   replica. It is the smallest LEO among the leader and the ISR — and also among the
//   replicas outside the ISR that have been caught up within replica.lag.time.max.ms, so
//   that the HW does not run away from a follower that is about to rejoin. It never moves
//   back, and never past the leader's LEO. Consumers read below it only; acks=all answers
//   once it has passed the batch.
// - The **in-sync replica set** (ISR): the replicas that keep up. "Keeping up" is measured
//   in time, not in records: a follower is out of sync when its LEO differs from the
//   leader's and it has not been caught up (fetched up to the leader's end) for
//   replica.lag.time.max.ms. A follower comes back in when its LEO reaches the HW and the
//   start of the current leader epoch (so that a replica missing records the leader
//   committed can never be counted in, and later elected).
//
// The leader does not change the ISR alone: it proposes a new ISR to the controller, which
// commits it (or refuses it). One proposal is in flight at a time. While an expansion is in
// flight the HW already counts the new member (it has the records); a shrink counts only
// once committed — the "maximal ISR" of Kafka's AlterIsr design.
//
// Sans-I/O and deterministic: the caller passes the leader's log end and the time in, and
// takes proposals out. The lessons' exercise "leader-partition" is this file's .cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/error.h"

namespace streamcraft::replication {

// What the leader knows of one follower.
struct FollowerProgress {
  std::int32_t broker = -1;
  std::int64_t log_end_offset = -1;     // -1: not known yet (it has not fetched from this leader)
  std::int64_t log_start_offset = -1;   // as the follower reported it
  std::int64_t last_caught_up_ms = -1;  // the last time it had everything the leader had; -1: never
  std::int64_t last_fetch_ms = -1;
  std::int64_t leader_end_at_last_fetch = -1;
};

// What a follower's fetch changed.
struct FetchUpdate {
  bool high_watermark_moved = false;
  // A new ISR to propose to the controller (this follower added), when it has caught up.
  std::optional<std::vector<std::int32_t>> propose_isr;
};

class LeaderPartition {
 public:
  // This broker (`self`) leads the partition from now on at `leader_epoch`, which starts
  // at offset `epoch_start_offset` (the log end when it became leader). `replicas` are all
  // assigned replicas, `isr` the in-sync ones as the controller committed them (both
  // include `self`), `high_watermark` what this replica knew of the HW.
  LeaderPartition(std::int32_t self, std::int32_t leader_epoch, std::vector<std::int32_t> replicas,
                  std::vector<std::int32_t> isr, std::int64_t epoch_start_offset, std::int64_t high_watermark,
                  std::int64_t now_ms, std::int64_t replica_lag_time_max_ms);

  // A fetch from `follower` at `fetch_offset`, reporting its `follower_log_start`, at a
  // moment when the leader's log ends at `leader_end`. Updates the follower's progress,
  // the HW, and says whether the follower should join the ISR. A broker that is not an
  // assigned replica changes nothing.
  FetchUpdate on_follower_fetch(std::int32_t follower, std::int64_t fetch_offset, std::int64_t follower_log_start,
                                std::int64_t leader_end, std::int64_t now_ms);
  // The leader appended and its log now ends at `leader_end`. With an ISR of one the HW
  // follows at once. Returns whether the HW moved.
  bool on_leader_append(std::int64_t leader_end, std::int64_t now_ms);

  // The ISR to propose because some members fell behind (they are left out), or nullopt
  // when all keep up or a proposal is already in flight. Call it periodically (Kafka: every
  // replica.lag.time.max.ms / 2). The leader never leaves itself out.
  std::optional<std::vector<std::int32_t>> shrink_proposal(std::int64_t leader_end, std::int64_t now_ms) const;

  // The proposal was sent: until it is answered, no other is made, and an expansion counts
  // for the HW already.
  void proposal_sent(std::vector<std::int32_t> isr);
  // The controller committed an ISR (the one proposed, or another): it becomes the ISR and
  // the HW is recomputed — after a shrink it may move forward at once. Returns whether the
  // HW moved.
  bool isr_committed(std::vector<std::int32_t> isr, std::int64_t leader_end, std::int64_t now_ms);
  // The controller refused the proposal (a newer partition state exists).
  void proposal_refused() { pending_isr_.reset(); }

  // acks=all before the append: NOT_ENOUGH_REPLICAS when the ISR is smaller than
  // min.insync.replicas (nothing may be written then).
  Status check_min_isr(int min_insync_replicas) const;
  // acks=all after the append of a batch ending at `required_offset` (its last offset + 1):
  // nullopt while the HW has not reached it; then success, or
  // NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR has meanwhile shrunk below
  // min.insync.replicas (the batch is in the log and may well be committed).
  std::optional<Status> acks_all_outcome(std::int64_t required_offset, int min_insync_replicas) const;

  std::int64_t high_watermark() const { return high_watermark_; }
  std::int32_t leader_epoch() const { return leader_epoch_; }
  std::int64_t epoch_start_offset() const { return epoch_start_offset_; }
  const std::vector<std::int32_t>& isr() const { return isr_; }
  const std::vector<std::int32_t>& replicas() const { return replicas_; }
  const std::optional<std::vector<std::int32_t>>& pending_isr() const { return pending_isr_; }
  const FollowerProgress* follower(std::int32_t broker) const;

 private:
  bool in_maximal_isr(std::int32_t broker) const;
  bool maybe_advance_high_watermark(std::int64_t leader_end, std::int64_t now_ms);
  FollowerProgress* find(std::int32_t broker);

  std::int32_t self_;
  std::int32_t leader_epoch_;
  std::vector<std::int32_t> replicas_;
  std::vector<std::int32_t> isr_;
  std::optional<std::vector<std::int32_t>> pending_isr_;
  std::int64_t epoch_start_offset_;
  std::int64_t high_watermark_;
  std::int64_t lag_ms_;
  std::vector<FollowerProgress> followers_;  // every assigned replica but this broker
};

}  // namespace streamcraft::replication
