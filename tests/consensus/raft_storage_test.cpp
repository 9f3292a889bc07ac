// tests/consensus/raft_storage_test.cpp — Raft's term, vote, snapshot and log on disk.
#include <catch2/catch.hpp>

#include <random>

#include <fmt/format.h>

#include "common/clock.h"
#include "consensus/raft_storage.h"
#include "log/memory_file_system.h"

using namespace streamcraft;
using namespace streamcraft::consensus;

namespace {

const std::filesystem::path kDir = "/keeper/raft";

std::int64_t last(const Durable& d) { return d.snapshot.index + static_cast<std::int64_t>(d.log.size()); }
std::int64_t term_at(const Durable& d, std::int64_t i) {
  if (i == d.snapshot.index) return d.snapshot.term;
  if (i <= d.snapshot.index || i > last(d)) return 0;
  return d.log[static_cast<std::size_t>(i - d.snapshot.index - 1)].term;
}

// A random Ready of the kinds Raft makes, valid for the disk `d` holds: a term and vote,
// an append over an overruled suffix, a compaction, a snapshot from a leader.
// kind: -1 any (mostly appends), 0 a compaction, 1 a snapshot from a leader.
Ready random_ready(std::mt19937_64& rng, const Durable& d, int& serial, int kind_wanted = -1) {
  Ready r;
  if (rng() % 3 == 0) r.hard_state = HardState{d.hard.term + static_cast<std::int64_t>(rng() % 2), static_cast<NodeId>(rng() % 4)};
  const auto kind = kind_wanted >= 0 ? static_cast<std::uint64_t>(kind_wanted) : rng() % 10;
  if (kind == 0 && last(d) > d.snapshot.index) {
    const auto at = d.snapshot.index + 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(last(d) - d.snapshot.index));
    r.compacted = Snapshot{at, term_at(d, at), Bytes(8, std::byte{static_cast<unsigned char>(serial++)})};
    return r;
  }
  if (kind == 1) {
    const auto at = d.snapshot.index + 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(last(d) - d.snapshot.index + 10));
    // Of the log's term there (its suffix kept) or another (the log replaced).
    const auto term = rng() % 2 && at <= last(d) ? term_at(d, at) : term_at(d, last(d)) + 1;
    r.snapshot = Snapshot{at, term, Bytes(5, std::byte{static_cast<unsigned char>(serial++)})};
    return r;
  }
  const auto from = d.snapshot.index + 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(last(d) - d.snapshot.index + 1));
  r.append_from = from;
  auto term = std::max<std::int64_t>(term_at(d, from - 1), 1);
  for (auto n = rng() % 12; n > 0; --n) {
    if (rng() % 4 == 0) ++term;
    auto text = fmt::format("e{}", serial++);
    r.append.push_back(Entry{term, rng() % 5 == 0 ? Bytes{} : Bytes(as_bytes(text).begin(), as_bytes(text).end())});
  }
  return r;
}

std::unique_ptr<RaftStorage> open(log::FileSystem& fs, const Clock& clock) {
  auto s = RaftStorage::open(fs, kDir, clock);
  REQUIRE(s.ok());
  return std::move(*s);
}

}  // namespace

TEST_CASE("raft storage gives back after a restart exactly what was saved", "[ch06][raft][durability]") {
  log::MemoryFileSystem fs;
  ManualClock clock;
  auto storage = open(fs, clock);
  CHECK(storage->loaded() == Durable{});
  std::mt19937_64 rng(3);
  Durable model;
  int serial = 0;
  for (int i = 0; i < 300; ++i) {
    auto ready = random_ready(rng, model, serial);
    persist(model, ready);
    auto saved = storage->save(ready);
    INFO("save " << i << ": " << (saved.ok() ? std::string("ok") : saved.error().message));
    REQUIRE(saved.ok());
    if (i % 7 == 0 || ready.snapshot || ready.compacted) {
      storage.reset();  // a kill -9: no close
      fs.crash();       // and only what was synced is there
      storage = open(fs, clock);
      INFO("after save " << i);
      REQUIRE(storage->loaded() == model);
    }
  }
  REQUIRE(storage->close().ok());
  storage = open(fs, clock);
  CHECK(storage->loaded() == model);
  CHECK(model.snapshot.index > 0);  // snapshots of both kinds were saved and survived
}

TEST_CASE("a crash in the middle of a save leaves a state to restart from", "[ch06][raft][durability]") {
  // Cut the power after each disk change of one save in turn. The disk then holds the old
  // term or the new, the old snapshot or the new, and a log whose every entry is the old
  // one's or the new one's at its index — the new one's only, once the new snapshot is
  // there; and an append (no snapshot) never loses the entries before where it starts.
  std::mt19937_64 rng(11);
  int serial = 0;
  int cuts = 0;
  for (int round = 0; round < 30; ++round) {
    ManualClock clock;
    Durable before;
    std::vector<Ready> history;
    for (int i = 0; i < 20; ++i) {
      history.push_back(random_ready(rng, before, serial));
      persist(before, history.back());
    }
    // A third each: an append, a compaction, a snapshot from a leader.
    const auto ready = random_ready(rng, before, serial, round % 3 == 0 ? -1 : round % 3 - 1);
    Durable after = before;
    persist(after, ready);
    for (std::uint64_t k = 0;; ++k) {
      log::MemoryFileSystem copy;  // the same disk for every cut: the history saved again
      {
        auto storage = open(copy, clock);
        for (const auto& r : history) REQUIRE(storage->save(r).ok());
        REQUIRE(storage->close().ok());
      }
      auto storage = open(copy, clock);
      copy.power_cut_after(k);
      // On a dead disk each change "succeeds" at doing nothing, and what the log then reads
      // back may make the save fail: either way the machine is gone.
      const bool saved = storage->save(ready).ok();
      const bool finished = !copy.powered_off();
      if (finished) REQUIRE(saved);
      storage.reset();
      copy.crash();
      auto again = open(copy, clock);
      const auto& got = again->loaded();
      INFO(fmt::format("round {} cut after {} changes", round, k));
      CHECK((got.hard == before.hard || got.hard == after.hard));
      CHECK((got.snapshot == before.snapshot || got.snapshot == after.snapshot));
      for (std::int64_t i = got.snapshot.index + 1; i <= last(got); ++i) {
        const auto& e = got.log[static_cast<std::size_t>(i - got.snapshot.index - 1)];
        const bool old_one = i > before.snapshot.index && i <= last(before) && e == before.log[static_cast<std::size_t>(i - before.snapshot.index - 1)];
        const bool new_one = i > after.snapshot.index && i <= last(after) && e == after.log[static_cast<std::size_t>(i - after.snapshot.index - 1)];
        // Once the new snapshot is on disk, the log after it must be the new log: entries
        // of the old one that disagree with it would break the log matching property.
        if (got.snapshot == after.snapshot && !(after.snapshot == before.snapshot)) CHECK(new_one);
        else CHECK((old_one || new_one));
      }
      if (!ready.snapshot && !ready.compacted && ready.append_from > 0)
        CHECK(last(got) >= std::min(last(before), ready.append_from - 1));
      if (finished) {
        CHECK(got == after);
        break;
      }
      ++cuts;
    }
  }
  CHECK(cuts > 100);
}
