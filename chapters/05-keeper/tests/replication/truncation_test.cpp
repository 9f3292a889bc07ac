// generated from tests/replication/truncation_test.cpp; edit there
// replication/truncation_test.cpp — a follower's truncation point from leader epochs,
// with the data-loss scenarios of KIP-101 and KIP-279 played on real logs.
#include <catch2/catch.hpp>

#include "log/log.h"
#include "replication/truncation.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::test;
using log::EpochEndOffset;
using log::LeaderEpochCache;
using replication::TruncationStep;
using replication::truncation_step;

namespace {

// One replica's log, on its own temporary directory.
struct Replica {
  LogFixture f;
  log::Log* log = nullptr;
  Replica() { log = &f.open(); }

  // As leader at `epoch`: appends records "value-<first>".."value-<first+count-1>".
  void lead_and_write(std::int32_t epoch, int first, int count = 1) {
    REQUIRE(log->become_leader(epoch).ok());
    auto batch = make_batch(count, 1'700'000'000'000, 0, first);
    REQUIRE(log->append(batch).ok());
  }
  // As follower: copies the leader's batches from this log's end up to `until` (exclusive).
  void copy_from(const Replica& leader, std::int64_t until) {
    log->become_follower();
    while (log->log_end_offset() < until) {
      auto range = leader.log->read(log->log_end_offset(), 1 << 20);
      REQUIRE(range.ok());
      auto bytes = range->read();
      REQUIRE(bytes.ok());
      // Only whole batches ending at or before `until`.
      std::size_t take = 0;
      ByteSpan rest = *bytes;
      while (rest.size() >= record::layout::header_size) {
        auto h = record::decode_header(rest);
        REQUIRE(h.has_value());
        if (h->next_offset() > until) break;
        take += h->total_size();
        rest = rest.subspan(h->total_size());
      }
      REQUIRE(take > 0);
      Bytes part(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(take));
      REQUIRE(log->append_as_follower(part).ok());
    }
  }
  std::vector<std::string> values() const {
    std::vector<std::string> out;
    for (const auto& [offset, value] : read_all(*log, 0)) out.push_back(value);
    return out;
  }
};

// The follower's side of OffsetsForLeaderEpoch, round after round, as a fetcher runs it.
// Returns the number of questions asked.
int truncate_to_leader(Replica& follower, const Replica& leader, std::int64_t follower_hw) {
  for (int round = 1; round <= 10; ++round) {
    const auto epoch = replication::epoch_to_ask(follower.log->leader_epochs());
    const TruncationStep step =
        epoch ? truncation_step(follower.log->leader_epochs(), follower.log->log_end_offset(), follower_hw,
                                leader.log->end_offset_for_epoch(*epoch))
              : replication::first_step_without_epochs(follower.log->log_end_offset(), follower_hw);
    REQUIRE(follower.log->truncate_to(step.truncate_to).ok());
    if (step.done) return round;
  }
  FAIL("the truncation exchange did not finish in 10 rounds");
  return -1;
}

}  // namespace

TEST_CASE("the truncation point from the leader's answer", "[ch04][replication][ex:truncation-point]") {
  // The follower: epoch 1 from 0, epoch 3 from 10, log end 15, HW 8.
  const LeaderEpochCache follower({{1, 0}, {3, 10}});
  const std::int64_t leo = 15;
  const std::int64_t hw = 8;
  // The leader has epoch 3 up to 12: keep 0..11.
  CHECK(truncation_step(follower, leo, hw, {3, 12}) == TruncationStep{12, true});
  // The leader has more of epoch 3 than we do: keep everything.
  CHECK(truncation_step(follower, leo, hw, {3, 20}) == TruncationStep{15, true});
  // The leader never had epoch 3 and says its epoch 1 ended at 11: our epoch 1 ended at 10,
  // so keep 0..9.
  CHECK(truncation_step(follower, leo, hw, {1, 11}) == TruncationStep{10, true});
  // The leader answers with epoch 2, which we never had: cut our epoch 3 and ask again.
  CHECK(truncation_step(follower, leo, hw, {2, 13}) == TruncationStep{10, false});
  // The leader cannot say: keep what is committed.
  CHECK(truncation_step(follower, leo, hw, EpochEndOffset{}) == TruncationStep{8, true});
  // An answer without an epoch: trust its offset.
  CHECK(truncation_step(follower, leo, hw, {log::kUndefinedEpoch, 9}) == TruncationStep{9, true});
  // An epoch older than all of ours.
  CHECK(truncation_step(LeaderEpochCache({{4, 6}}), 9, 2, {2, 7}) == TruncationStep{6, true});
  // Our table knows nothing of the epoch's surroundings: the leader's offset decides.
  CHECK(truncation_step(LeaderEpochCache({{4, 6}}), 9, 2, {5, 8}) == TruncationStep{8, true});
}

TEST_CASE("KIP-101 scenario 1: a restarted follower keeps an acknowledged record above its high watermark", "[ch04][replication]") {
  // Leader B writes m0 and m1 at epoch 0; follower A copies both. B's HW reaches 2 (m1 is
  // acknowledged with acks=all), but A has learned only HW 1: it would learn 2 on its
  // next fetch.
  Replica b;
  Replica a;
  b.lead_and_write(0, 0);
  b.lead_and_write(0, 1);
  a.copy_from(b, 2);
  const std::int64_t a_hw = 1;

  SECTION("cutting at the high watermark loses m1 if A is then elected") {
    // What Kafka did before leader epochs: A restarts and truncates to its HW.
    REQUIRE(a.log->truncate_to(a_hw).ok());
    // B dies; A becomes leader at epoch 1: the acknowledged m1 is gone everywhere.
    a.lead_and_write(1, 7);
    CHECK(a.values() == std::vector<std::string>{"value-0", "value-7"});
  }
  SECTION("with epochs A asks B where epoch 0 ended and keeps m1") {
    CHECK(truncate_to_leader(a, b, a_hw) == 1);
    CHECK(a.log->log_end_offset() == 2);
    a.lead_and_write(1, 7);  // B dies; A is elected; m1 is still there
    CHECK(a.values() == std::vector<std::string>{"value-0", "value-1", "value-7"});
  }
}

TEST_CASE("KIP-101 scenario 2: a follower that comes back drops the records the new leader overwrote", "[ch04][replication]") {
  // Leader A writes m0 (copied by B) and then m1 at epoch 0; the ISR has shrunk to {A}, so
  // A's HW covers m1. Both crash. B comes back first, is elected at epoch 1 and writes m2
  // at offset 1. A comes back as B's follower.
  Replica a;
  Replica b;
  a.lead_and_write(0, 0);
  b.copy_from(a, 1);
  a.lead_and_write(0, 1);
  const std::int64_t a_hw = 2;
  b.lead_and_write(1, 2);

  SECTION("cutting at the high watermark leaves two different records at offset 1") {
    REQUIRE(a.log->truncate_to(a_hw).ok());  // keeps m1
    a.copy_from(b, b.log->log_end_offset());  // nothing to copy: A thinks it is level
    CHECK(a.values() == std::vector<std::string>{"value-0", "value-1"});
    CHECK(b.values() == std::vector<std::string>{"value-0", "value-2"});  // the replicas diverge
  }
  SECTION("with epochs A learns that epoch 0 ended at 1 in B's log, cuts m1 and copies m2") {
    CHECK(truncate_to_leader(a, b, a_hw) == 1);
    CHECK(a.log->log_end_offset() == 1);
    a.copy_from(b, b.log->log_end_offset());
    CHECK(a.values() == b.values());
    CHECK(a.values() == std::vector<std::string>{"value-0", "value-2"});
  }
}

TEST_CASE("KIP-279: a follower that missed a leader's epoch needs more than one question", "[ch04][replication]") {
  // Epoch 1 (leader A): m0, m1, copied by B, C and D.
  // Epoch 2 (leader B): m2, which reaches nobody before B is cut off.
  // Epoch 3 (leader C): m3, m4 — and A copies them.
  // Epochs 4 and 5 (leader D, cut off from everyone): m20, then m21.
  // Epoch 6 (leader A): m5. Then B and D return as followers of A.
  Replica a;
  Replica b;
  Replica c;
  Replica d;
  a.lead_and_write(1, 0);
  a.lead_and_write(1, 1);
  b.copy_from(a, 2);
  c.copy_from(a, 2);
  d.copy_from(a, 2);
  b.lead_and_write(2, 2);
  c.lead_and_write(3, 3);
  c.lead_and_write(3, 4);
  a.copy_from(c, 4);
  d.lead_and_write(4, 20);
  d.lead_and_write(5, 21);
  a.lead_and_write(6, 5);
  // A's epochs: 1 from 0, 3 from 2, 6 from 4.

  // B asks about epoch 2. A never had it and answers with the epoch before, 1, ended at 2;
  // B's epoch 1 also ended at 2: B cuts m2 and is done after one question.
  CHECK(truncate_to_leader(b, a, 2) == 1);
  b.copy_from(a, a.log->log_end_offset());
  CHECK(b.values() == a.values());

  // D asks about epoch 5: A answers (3, 4). D never had epoch 3 — its epoch 1 ended at 2 —
  // so it cuts its records from 2 on and asks again about epoch 1: A answers (1, 2), and D
  // keeps m0 and m1.
  CHECK(truncate_to_leader(d, a, 0) == 2);
  CHECK(d.log->log_end_offset() == 2);
  d.copy_from(a, a.log->log_end_offset());
  CHECK(d.values() == a.values());
  CHECK(d.values() == std::vector<std::string>{"value-0", "value-1", "value-3", "value-4", "value-5"});
}

TEST_CASE("a follower without epochs cuts at its high watermark", "[ch04][replication]") {
  CHECK(replication::first_step_without_epochs(10, 6) == TruncationStep{6, true});
  CHECK(replication::first_step_without_epochs(4, 6) == TruncationStep{4, true});
  CHECK_FALSE(replication::epoch_to_ask(LeaderEpochCache()).has_value());
}
