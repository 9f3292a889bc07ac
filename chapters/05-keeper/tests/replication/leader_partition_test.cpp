// generated from tests/replication/leader_partition_test.cpp; edit there
// replication/leader_partition_test.cpp — the leader's high-watermark and ISR rules.
#include <catch2/catch.hpp>

#include "replication/leader_partition.h"

using namespace streamcraft;
using replication::LeaderPartition;
using Isr = std::vector<std::int32_t>;

namespace {

constexpr std::int64_t kLag = 30'000;  // replica.lag.time.max.ms

// Broker 1 leads replicas 1, 2, 3 from offset 10 (its log end), all in sync, HW 8.
LeaderPartition three_replicas(std::int64_t now = 1'000) { return {1, 5, {1, 2, 3}, {1, 2, 3}, 10, 8, now, kLag}; }

}  // namespace

TEST_CASE("a new leader's high watermark waits for every in-sync follower", "[ch04][replication][ex:leader-partition]") {
  auto p = three_replicas();
  CHECK_FALSE(p.on_leader_append(15, 1'000));  // followers' logs unknown: HW stays
  CHECK(p.high_watermark() == 8);
  CHECK_FALSE(p.on_follower_fetch(2, 12, 0, 15, 1'010).high_watermark_moved);  // 3 not heard from
  CHECK(p.high_watermark() == 8);
  CHECK(p.on_follower_fetch(3, 11, 0, 15, 1'020).high_watermark_moved);
  CHECK(p.high_watermark() == 11);  // the smallest end among leader (15), 2 (12), 3 (11)
  CHECK(p.on_follower_fetch(3, 15, 0, 15, 1'030).high_watermark_moved);
  CHECK(p.high_watermark() == 12);
  CHECK(p.on_follower_fetch(2, 15, 0, 15, 1'040).high_watermark_moved);
  CHECK(p.high_watermark() == 15);
  CHECK(p.follower(2)->log_end_offset == 15);
}

TEST_CASE("the high watermark never moves back and never passes the leader", "[ch04][replication][ex:leader-partition]") {
  auto p = three_replicas();
  p.on_follower_fetch(2, 10, 0, 10, 1'000);
  p.on_follower_fetch(3, 10, 0, 10, 1'000);
  CHECK(p.high_watermark() == 10);
  // A follower that went back (it truncated) lowers no HW.
  CHECK_FALSE(p.on_follower_fetch(2, 9, 0, 10, 1'100).high_watermark_moved);
  CHECK(p.high_watermark() == 10);
  // Followers reporting more than the leader has do not lift the HW past the leader.
  LeaderPartition q(1, 5, {1, 2}, {1, 2}, 0, 0, 0, kLag);
  q.on_follower_fetch(2, 50, 0, 20, 10);
  CHECK(q.high_watermark() == 20);
}

TEST_CASE("with an ISR of one the high watermark follows the leader's appends", "[ch04][replication][ex:leader-partition]") {
  LeaderPartition p(1, 0, {1}, {1}, 0, 0, 0, kLag);
  CHECK(p.on_leader_append(7, 10));
  CHECK(p.high_watermark() == 7);
  // Replicas outside the ISR that never caught up do not hold it back either.
  LeaderPartition q(1, 0, {1, 2}, {1}, 0, 0, 100'000, kLag);
  CHECK(q.on_leader_append(7, 100'000));
  CHECK(q.high_watermark() == 7);
}

TEST_CASE("a follower that stops fetching leaves the ISR after the lag time", "[ch04][replication][ex:leader-partition]") {
  auto p = three_replicas(0);
  p.on_follower_fetch(2, 10, 0, 10, 0);
  p.on_follower_fetch(3, 10, 0, 10, 0);
  // Broker 3 goes silent; the leader keeps appending and 2 keeps up.
  for (std::int64_t t = 1'000; t <= 40'000; t += 1'000) {
    p.on_leader_append(10 + t / 1'000, t);
    p.on_follower_fetch(2, 10 + t / 1'000, 0, 10 + t / 1'000, t);
    const auto proposal = p.shrink_proposal(10 + t / 1'000, t);
    if (t <= kLag) {
      INFO(t);
      CHECK_FALSE(proposal.has_value());  // last caught up at 0: not yet lagging for > 30 s
    } else {
      REQUIRE(proposal.has_value());
      CHECK(*proposal == Isr{1, 2});
      break;
    }
  }
  CHECK(p.high_watermark() == 10);  // still held by 3, which is in the ISR until committed
}

TEST_CASE("an idle partition keeps a silent follower that has everything", "[ch04][replication][ex:leader-partition]") {
  auto p = three_replicas(0);
  p.on_follower_fetch(2, 10, 0, 10, 0);
  p.on_follower_fetch(3, 10, 0, 10, 0);
  // Nothing is produced for a minute, and nobody fetches: nobody is behind.
  CHECK_FALSE(p.shrink_proposal(10, 60'000).has_value());
}

TEST_CASE("a follower that fetches but never catches up leaves the ISR", "[ch04][replication][ex:leader-partition]") {
  auto p = three_replicas(0);
  p.on_follower_fetch(2, 10, 0, 10, 0);
  p.on_follower_fetch(3, 10, 0, 10, 0);
  std::int64_t leader_end = 10;
  std::optional<Isr> proposal;
  for (std::int64_t t = 500; t <= 40'000 && !proposal; t += 500) {
    leader_end += 100;  // the producers write 100 records each half second
    p.on_follower_fetch(2, leader_end, 0, leader_end, t);
    // 3 copies only 50 per fetch: always further behind, never where the leader was.
    p.on_follower_fetch(3, 10 + t / 10, 0, leader_end, t);
    proposal = p.shrink_proposal(leader_end, t);
    if (proposal) CHECK(t > kLag);
  }
  REQUIRE(proposal.has_value());
  CHECK(*proposal == Isr{1, 2});
}

TEST_CASE("a follower always one produce behind stays in sync", "[ch04][replication][ex:leader-partition]") {
  auto p = three_replicas(0);
  p.on_follower_fetch(2, 10, 0, 10, 0);
  p.on_follower_fetch(3, 10, 0, 10, 0);
  // Each fetch of 3 asks for the offset the leader had at its previous fetch: by then one
  // more record has been appended, so 3 is never level — but it always catches up with
  // where the leader was, and that counts.
  std::int64_t leader_end = 10;
  for (std::int64_t t = 1'000; t <= 100'000; t += 1'000) {
    p.on_follower_fetch(3, leader_end, 0, leader_end + 1, t);
    ++leader_end;
    p.on_follower_fetch(2, leader_end, 0, leader_end, t);
    INFO(t);
    REQUIRE_FALSE(p.shrink_proposal(leader_end, t).has_value());
  }
}

TEST_CASE("a follower rejoins the ISR at the high watermark and the epoch's start", "[ch04][replication][ex:leader-partition]") {
  // Leader 1 at epoch 5 from offset 10, ISR {1, 2}; 3 is out. HW 8.
  LeaderPartition p(1, 5, {1, 2, 3}, {1, 2}, 10, 8, 0, kLag);
  p.on_leader_append(20, 0);
  auto below_hw = p.on_follower_fetch(3, 5, 0, 20, 100);
  CHECK_FALSE(below_hw.propose_isr.has_value());
  // At the HW (8) but before the epoch's start (10): it may lack records of this epoch
  // that the HW does not show yet, so it must not count as in sync (KAFKA-7128).
  auto before_epoch = p.on_follower_fetch(3, 9, 0, 20, 200);
  CHECK_FALSE(before_epoch.propose_isr.has_value());
  p.on_follower_fetch(2, 20, 0, 20, 250);
  CHECK(p.high_watermark() == 20);
  auto joined = p.on_follower_fetch(3, 20, 0, 20, 300);
  REQUIRE(joined.propose_isr.has_value());
  CHECK(*joined.propose_isr == Isr{1, 2, 3});
  p.proposal_sent(*joined.propose_isr);
  // One proposal at a time.
  CHECK_FALSE(p.on_follower_fetch(3, 20, 0, 20, 400).propose_isr.has_value());
  CHECK_FALSE(p.isr_committed({1, 2, 3}, 20, 500));
  CHECK(p.isr() == Isr{1, 2, 3});
  CHECK_FALSE(p.pending_isr().has_value());
}

TEST_CASE("an expansion in flight counts for the high watermark and a shrink does not", "[ch04][replication][ex:leader-partition]") {
  // ISR {1, 2}; 3 caught up and proposed for the ISR.
  LeaderPartition p(1, 0, {1, 2, 3}, {1, 2}, 0, 0, 0, kLag);
  p.on_follower_fetch(2, 0, 0, 0, 0);
  p.on_follower_fetch(3, 0, 0, 0, 0);
  p.proposal_sent({1, 2, 3});
  p.on_leader_append(10, 40'000);  // 3's last catch-up (0) is older than the lag now
  p.on_follower_fetch(2, 10, 0, 10, 40'000);
  CHECK(p.high_watermark() == 0);  // held by 3: it is in the ISR as proposed
  p.on_follower_fetch(3, 10, 0, 10, 40'100);
  CHECK(p.high_watermark() == 10);
  p.isr_committed({1, 2, 3}, 10, 40'100);

  // Now 3 falls behind; the shrink is proposed, and until it is committed 3 holds the HW.
  p.on_leader_append(30, 41'000);
  p.on_follower_fetch(2, 30, 0, 30, 71'000);
  auto shrink = p.shrink_proposal(30, 71'000);
  REQUIRE(shrink.has_value());
  CHECK(*shrink == Isr{1, 2});
  p.proposal_sent(*shrink);
  CHECK(p.high_watermark() == 10);
  CHECK(p.isr_committed({1, 2}, 30, 71'100));  // committed: the HW moves at once
  CHECK(p.high_watermark() == 30);
}

TEST_CASE("a caught-up follower outside the ISR still holds the high watermark", "[ch04][replication][ex:leader-partition]") {
  LeaderPartition p(1, 0, {1, 2}, {1}, 0, 0, 0, kLag);
  p.on_follower_fetch(2, 0, 0, 0, 1'000);  // caught up at 1 s, not in the ISR yet
  p.on_leader_append(10, 2'000);
  CHECK(p.high_watermark() == 0);  // it may rejoin any moment: the HW waits for it
  p.on_follower_fetch(2, 6, 0, 10, 3'000);
  CHECK(p.high_watermark() == 6);
  // Once it has not been caught up for longer than the lag, the leader stops waiting.
  p.on_leader_append(12, 40'000);
  CHECK(p.high_watermark() == 12);
}

TEST_CASE("acks=all waits for the high watermark and checks min.insync.replicas", "[ch04][replication]") {
  auto p = three_replicas(0);
  CHECK(p.check_min_isr(2).ok());
  CHECK(p.check_min_isr(3).ok());
  auto refused = p.check_min_isr(4);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::not_enough_replicas);

  p.on_leader_append(12, 0);  // a batch ending at 12 waits
  CHECK_FALSE(p.acks_all_outcome(12, 2).has_value());
  p.on_follower_fetch(2, 12, 0, 12, 10);
  CHECK_FALSE(p.acks_all_outcome(12, 2).has_value());  // 3 has not fetched it
  p.on_follower_fetch(3, 12, 0, 12, 20);
  auto done = p.acks_all_outcome(12, 2);
  REQUIRE(done.has_value());
  CHECK(done->ok());

  // A batch ending at 20 waits, and the followers stop fetching: once they have not been
  // caught up for the lag time the ISR shrinks to {1}, and the HW passes the batch without
  // them — committed, but by fewer replicas than min.insync.replicas.
  p.on_leader_append(20, 30);
  CHECK_FALSE(p.acks_all_outcome(20, 2).has_value());
  p.isr_committed({1}, 20, 40'000);
  auto after = p.acks_all_outcome(20, 2);
  REQUIRE(after.has_value());
  REQUIRE_FALSE(after->ok());
  CHECK(after->error().code == Errc::not_enough_replicas_after_append);
}

TEST_CASE("a fetch from a broker that is not a replica changes nothing", "[ch04][replication]") {
  auto p = three_replicas();
  auto u = p.on_follower_fetch(9, 10, 0, 10, 1'000);
  CHECK_FALSE(u.high_watermark_moved);
  CHECK_FALSE(u.propose_isr.has_value());
  CHECK(p.follower(9) == nullptr);
  CHECK(p.high_watermark() == 8);
}
