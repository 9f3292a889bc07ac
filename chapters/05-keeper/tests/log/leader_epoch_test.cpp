// generated from tests/log/leader_epoch_test.cpp; edit there
// log/leader_epoch_test.cpp — the leader-epoch table, and the log's leader and follower
// appends that keep it.
#include <catch2/catch.hpp>

#include "log/leader_epoch_cache.h"
#include "log/log.h"
#include "log/memory_file_system.h"
#include "record/batch.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::test;
using log::EpochEndOffset;
using log::EpochEntry;
using log::LeaderEpochCache;

namespace {

std::vector<EpochEntry> entries_of(const LeaderEpochCache& c) { return {c.entries().begin(), c.entries().end()}; }

// The batches of a log as stored, from `from` on.
Bytes stored_bytes(const log::Log& l, std::int64_t from) {
  Bytes out;
  for (std::int64_t offset = from; offset < l.log_end_offset();) {
    auto range = l.read(offset, 1 << 20);
    REQUIRE(range.ok());
    auto bytes = range->read();
    REQUIRE(bytes.ok());
    out.insert(out.end(), bytes->begin(), bytes->end());
    ByteSpan rest = *bytes;
    while (rest.size() >= record::layout::header_size) {
      auto h = record::decode_header(rest);
      REQUIRE(h.has_value());
      offset = h->next_offset();
      rest = rest.subspan(h->total_size());
    }
  }
  return out;
}

std::vector<std::int32_t> batch_epochs(ByteSpan bytes) {
  std::vector<std::int32_t> out;
  while (bytes.size() >= record::layout::header_size) {
    auto h = record::decode_header(bytes);
    REQUIRE(h.has_value());
    out.push_back(h->partition_leader_epoch);
    bytes = bytes.subspan(h->total_size());
  }
  return out;
}

}  // namespace

TEST_CASE("the epoch table keeps epochs and start offsets increasing", "[ch04][log][epochs]") {
  LeaderEpochCache c;
  CHECK(c.assign(0, 0));
  CHECK_FALSE(c.assign(0, 5));  // the same epoch goes on: nothing to record
  CHECK(c.assign(2, 7));
  CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}, {2, 7}});
  CHECK(c.latest_epoch() == 2);
  CHECK(c.start_offset_of(2) == 7);
  CHECK_FALSE(c.start_offset_of(1).has_value());

  SECTION("an older epoch replaces the history it contradicts") {
    // Epoch 1 starting at 4: epoch 2 (>= 1) goes, and so would anything starting at >= 4.
    CHECK(c.assign(1, 4));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}, {1, 4}});
  }
  SECTION("a newer epoch at an earlier offset removes the entries at or after it") {
    CHECK(c.assign(3, 7));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}, {3, 7}});
    CHECK(c.assign(4, 6));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}, {4, 6}});
  }
  SECTION("the latest epoch starting earlier than recorded moves back") {
    CHECK(c.assign(2, 5));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}, {2, 5}});
  }
}

TEST_CASE("end_offset_for answers where an epoch ended", "[ch04][log][epochs][ex:epoch-end-offset]") {
  // Epoch 0 wrote 0..9, epoch 2 wrote 10..19, epoch 5 writes from 20; the log ends at 30.
  LeaderEpochCache c({{0, 0}, {2, 10}, {5, 20}});
  const std::int64_t leo = 30;
  CHECK(c.end_offset_for(5, leo) == EpochEndOffset{5, 30});   // the latest: it has not ended
  CHECK(c.end_offset_for(2, leo) == EpochEndOffset{2, 20});   // ended where epoch 5 began
  CHECK(c.end_offset_for(0, leo) == EpochEndOffset{0, 10});
  // Epochs this log never saw answer with the epoch before them: their records are not here.
  CHECK(c.end_offset_for(1, leo) == EpochEndOffset{0, 10});
  CHECK(c.end_offset_for(3, leo) == EpochEndOffset{2, 20});
  CHECK(c.end_offset_for(4, leo) == EpochEndOffset{2, 20});
  // Newer than anything here, or undefined: no answer.
  CHECK(c.end_offset_for(6, leo) == EpochEndOffset{});
  CHECK(c.end_offset_for(log::kUndefinedEpoch, leo) == EpochEndOffset{});
  CHECK(LeaderEpochCache().end_offset_for(0, leo) == EpochEndOffset{});

  // After retention the table may start later than the asker's epoch.
  LeaderEpochCache late({{3, 40}, {4, 50}});
  CHECK(late.end_offset_for(1, 60) == EpochEndOffset{1, 40});
  CHECK(late.end_offset_for(4, 60) == EpochEndOffset{4, 60});
}

TEST_CASE("the epoch table follows truncation and retention", "[ch04][log][epochs]") {
  LeaderEpochCache c({{0, 0}, {2, 10}, {5, 20}});
  SECTION("cutting the end drops the epochs that start at or after the cut") {
    CHECK(c.truncate_from_end(20));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}, {2, 10}});
    CHECK_FALSE(c.truncate_from_end(25));
    CHECK(c.truncate_from_end(5));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{0, 0}});
  }
  SECTION("moving the start keeps the epoch of the first record left") {
    CHECK_FALSE(c.truncate_from_start(0));
    CHECK(c.truncate_from_start(15));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{2, 15}, {5, 20}});
    CHECK(c.truncate_from_start(20));
    CHECK(entries_of(c) == std::vector<EpochEntry>{{5, 20}});
    CHECK_FALSE(c.truncate_from_start(20));
  }
}

TEST_CASE("the epoch checkpoint reads back and refuses damaged files", "[ch04][log][epochs]") {
  LeaderEpochCache c({{0, 0}, {2, 10}});
  CHECK(c.encode() == "0\n2\n0 0\n2 10\n");
  auto back = LeaderEpochCache::decode(c.encode());
  REQUIRE(back.ok());
  CHECK(entries_of(*back) == entries_of(c));
  CHECK(LeaderEpochCache::decode("0\n0\n").ok());
  for (std::string_view bad : {"", "1\n0\n", "0\n2\n0 0\n", "0\n1\n0 0", "0\n1\nx 0\n", "0\n2\n2 0\n1 5\n",
                               "0\n2\n0 5\n1 5\n", "0\n1\n-3 0\n", "0\n1\n0 0 0\n"}) {
    INFO(bad);
    auto decoded = LeaderEpochCache::decode(bad);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == Errc::corrupt_message);
  }
}

TEST_CASE("a leader stamps its epoch on every batch and records where the epoch starts", "[ch04][log][epochs]") {
  LogFixture f;
  auto& log = f.open();
  f.append(3);  // no leader yet: the producer's value (-1 from the test builder) is kept
  REQUIRE(log.become_leader(4).ok());
  CHECK(entries_of(log.leader_epochs()) == std::vector<EpochEntry>{{4, 3}});
  auto producer_batch = make_batch(2);
  record::set_partition_leader_epoch(producer_batch, 0);  // what librdkafka sends
  REQUIRE(log.append(producer_batch).ok());
  REQUIRE(log.become_leader(6).ok());
  f.append(1);
  CHECK(batch_epochs(stored_bytes(log, 0)) == std::vector<std::int32_t>{-1, 4, 6});
  CHECK(entries_of(log.leader_epochs()) == std::vector<EpochEntry>{{4, 3}, {6, 5}});
  CHECK(log.end_offset_for_epoch(4) == EpochEndOffset{4, 5});
  CHECK(log.end_offset_for_epoch(6) == EpochEndOffset{6, 6});

  // The table is on disk, and a restart (even a crash) reads it back.
  CHECK(std::filesystem::exists(f.dir.path() / log::Log::kLeaderEpochFile));
  auto& reopened = f.open();
  CHECK(entries_of(reopened.leader_epochs()) == std::vector<EpochEntry>{{4, 3}, {6, 5}});
  CHECK_FALSE(reopened.leader_epoch().has_value());  // leadership is not the log's to remember
}

TEST_CASE("truncating a log removes the epochs of the records it cuts", "[ch04][log][epochs]") {
  LogFixture f;
  auto& log = f.open();
  REQUIRE(log.become_leader(1).ok());
  f.append(5);
  REQUIRE(log.become_leader(2).ok());
  f.append(5);
  REQUIRE(log.truncate_to(5).ok());
  CHECK(entries_of(log.leader_epochs()) == std::vector<EpochEntry>{{1, 0}});
  CHECK(entries_of(f.open().leader_epochs()) == std::vector<EpochEntry>{{1, 0}});
}

TEST_CASE("a follower copies its leader's batches unchanged", "[ch04][log][epochs]") {
  LogFixture leader_f;
  auto& leader = leader_f.open();
  REQUIRE(leader.become_leader(0).ok());
  leader_f.append(3);
  leader_f.append(2, 1'700'000'000'500, 100);
  REQUIRE(leader.become_leader(3).ok());
  leader_f.append(4);
  Bytes copied = stored_bytes(leader, 0);

  LogFixture follower_f;
  auto& follower = follower_f.open();
  auto info = follower.append_as_follower(copied);
  REQUIRE(info.ok());
  CHECK(info->first_offset == 0);
  CHECK(info->last_offset == 8);
  CHECK(follower.log_end_offset() == leader.log_end_offset());
  CHECK(stored_bytes(follower, 0) == stored_bytes(leader, 0));  // byte for byte
  CHECK(entries_of(follower.leader_epochs()) == entries_of(leader.leader_epochs()));

  SECTION("a batch that does not start at the log end is refused, nothing written") {
    auto again = follower.append_as_follower(copied);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().code == Errc::offset_out_of_range);
    CHECK(follower.log_end_offset() == 9);
  }
  SECTION("a damaged copy is refused") {
    LogFixture other_f;
    auto& other = other_f.open();
    Bytes damaged = copied;
    damaged[record::layout::header_size + 3] ^= std::byte{0x01};  // inside the first batch's CRC range
    auto bad = other.append_as_follower(damaged);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == Errc::corrupt_message);
    CHECK(other.log_end_offset() == 0);
  }
  SECTION("a batch whose length does not fit a batch header is refused") {
    LogFixture other_f;
    auto& other = other_f.open();
    Bytes bad = copied;
    store_be<std::int32_t>(bad.data() + record::layout::batch_length, 5);  // found by the replication fuzzer
    auto refused = other.append_as_follower(bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::corrupt_message);
    CHECK(other.log_end_offset() == 0);
  }
  SECTION("a last batch cut short waits for the next fetch") {
    LogFixture other_f;
    auto& other = other_f.open();
    Bytes cut(copied.begin(), copied.end() - 10);
    auto part = other.append_as_follower(cut);
    REQUIRE(part.ok());
    CHECK(other.log_end_offset() == 5);  // the first two batches
    CHECK(part->last_offset == 4);
  }
}

TEST_CASE("after a crash the epoch table names no epoch the log lost", "[ch04][log][epochs]") {
  log::MemoryFileSystem disk;
  LogFixture leader_f;
  auto& leader = leader_f.open();
  REQUIRE(leader.become_leader(0).ok());
  leader_f.append(3);
  REQUIRE(leader.become_leader(1).ok());
  leader_f.append(3);
  Bytes copied = stored_bytes(leader, 0);

  LogFixture f;
  f.fs = &disk;
  auto& follower = f.open();
  // The epoch table is written (durably) before the records of a new epoch, which here
  // stay in the page cache: the power cut takes the records, and the reopened log must
  // not claim an epoch it has no record of.
  REQUIRE(follower.append_as_follower(copied).ok());
  CHECK(follower.leader_epochs().latest_epoch() == 1);
  f.log.reset();
  disk.crash();
  auto& reopened = f.open();
  CHECK(reopened.log_end_offset() == 0);
  CHECK(reopened.leader_epochs().empty());
}

TEST_CASE("a log without an epoch checkpoint rebuilds the table from its batches", "[ch04][log][epochs]") {
  LogFixture f;
  auto& log = f.open();
  REQUIRE(log.become_leader(2).ok());
  f.append(2);
  REQUIRE(log.become_leader(7).ok());
  f.append(2);
  f.close_cleanly();
  std::filesystem::remove(f.dir.path() / log::Log::kLeaderEpochFile);
  auto& reopened = f.open();
  CHECK(entries_of(reopened.leader_epochs()) == std::vector<EpochEntry>{{2, 0}, {7, 2}});
  CHECK(std::filesystem::exists(f.dir.path() / log::Log::kLeaderEpochFile));
}
