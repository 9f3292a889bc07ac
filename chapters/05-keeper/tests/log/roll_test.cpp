// generated from tests/log/roll_test.cpp; edit there
// log/roll_test.cpp — a segment roll hands its slow half to the background executor,
// and a crash at any moment of that half loses nothing that was flushed.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "common/executor.h"
#include "log/log.h"
#include "log/memory_file_system.h"
#include "support/log_fixture.h"

using namespace streamcraft;

namespace {

// A log on the memory disk whose rolls wait for the test to run their background job.
struct RollingLog : test::LogFixture {
  log::MemoryFileSystem disk;
  ManualExecutor jobs;

  RollingLog() {
    fs = &disk;
    background = &jobs;
    config.segment_bytes = 400;  // a few small batches per segment
    REQUIRE(disk.create_directories(dir.path()).ok());
    open();
  }
  // Appends batches until one of them starts a new segment; returns that segment's base.
  std::int64_t append_until_roll() {
    for (int i = 0; i < 100; ++i) {
      auto batch = test::make_batch(2, 1'700'000'000'000, 40);
      auto info = log->append(batch);
      REQUIRE(info.ok());
      if (info->rolled) return info->first_offset;
    }
    FAIL("no roll after 100 batches");
    return -1;
  }
  std::optional<std::string> recovery_point_file() {
    auto path = dir.path() / log::Log::kRecoveryPointFile;
    if (!disk.exists(path)) return std::nullopt;
    auto bytes = disk.read_all(path);
    REQUIRE(bytes.ok());
    return std::string(as_chars(*bytes));
  }
};

}  // namespace

TEST_CASE("a segment roll does not wait for the disk", "[ch01][log][roll]") {
  RollingLog f;
  const auto unsynced_before = f.disk.unsynced_bytes();
  const auto base = f.append_until_roll();
  // Everything appended before the roll is still only in the page cache: the append that
  // rolled did not fsync the sealed segment, nor write the recovery point.
  CHECK(f.disk.unsynced_bytes() > unsynced_before);
  CHECK(f.jobs.pending() == 1);
  CHECK(f.log->seals_in_progress() == 1);
  CHECK(f.recovery_point_file() != std::optional<std::string>(fmt::format("{}\n", base)));
  CHECK(f.log->recovery_point() < base);

  // The job seals the old segment and moves the recovery point past it, on disk first;
  // the log takes the news in on its own thread, at the next tick.
  REQUIRE(f.jobs.run_next());
  CHECK(f.recovery_point_file() == fmt::format("{}\n", base));
  CHECK(f.log->seals_in_progress() == 1);
  REQUIRE(f.log->tick().ok());
  CHECK(f.log->seals_in_progress() == 0);
  CHECK(f.log->recovery_point() == base);
}

TEST_CASE("a flush after a roll makes the sealed segment durable before its background job runs", "[ch01][log][roll]") {
  RollingLog f;
  f.append_until_roll();
  f.append(3);
  const auto end = f.log->log_end_offset();
  REQUIRE(f.log->flush().ok());
  CHECK(f.jobs.pending() == 1);  // the job has not run
  f.log.reset();
  f.jobs.discard();  // the process dies, and its background jobs with it
  f.disk.crash();    // nothing that was not fsynced survives
  f.open();
  CHECK(f.log->log_end_offset() == end);
  CHECK(test::read_all(*f.log, 0).size() == static_cast<std::size_t>(end));
}

TEST_CASE("a power cut at any moment of a roll's background job loses no flushed record", "[ch01][log][roll]") {
  // Count the disk changes the job makes, then cut the power after each of them in turn.
  std::uint64_t changes = 0;
  {
    RollingLog f;
    f.append_until_roll();
    REQUIRE(f.log->flush().ok());
    f.disk.power_cut_after(1'000'000);
    REQUIRE(f.jobs.run_next());
    changes = 1'000'000 - f.disk.writes_left();
  }
  REQUIRE(changes >= 4);  // three fsyncs, a directory fsync and the checkpoint files
  for (std::uint64_t n = 0; n <= changes; ++n) {
    INFO("power cut after " << n << " of the job's " << changes << " disk changes");
    RollingLog f;
    const auto base = f.append_until_roll();
    f.append(2);
    const auto end = f.log->log_end_offset();
    REQUIRE(f.log->flush().ok());
    f.disk.power_cut_after(n);
    f.jobs.run_next();
    f.log.reset();
    f.jobs.discard();
    f.disk.crash([n](const std::filesystem::path&, std::uint64_t unsynced) { return (n * 7) % (unsynced + 1); });
    f.open();
    CHECK(f.log->log_end_offset() == end);
    CHECK(test::read_all(*f.log, 0).size() == static_cast<std::size_t>(end));
    // Never past what was sealed: the recovery point names a segment start at most.
    CHECK(f.log->recovery_point() <= base);
    CHECK(f.append(1) == end);
  }
}

TEST_CASE("a truncation while a roll's job waits keeps the job from writing a stale recovery point", "[ch01][log][roll]") {
  RollingLog f;
  const auto first = f.append_until_roll();
  const auto second = f.append_until_roll();  // two jobs queued
  REQUIRE(f.jobs.pending() == 2);
  REQUIRE(f.log->truncate_to(first - 1).ok());  // cuts into the first sealed segment
  f.jobs.run_all();
  REQUIRE(f.log->tick().ok());
  CHECK(f.log->seals_in_progress() == 0);
  CHECK(f.log->recovery_point() < first);
  auto on_disk = f.recovery_point_file();
  REQUIRE(on_disk);
  CHECK(std::stoll(*on_disk) < first);
  CHECK(second > first);
}

TEST_CASE("a clean close seals the segments whose background job has not run", "[ch01][log][roll]") {
  RollingLog f;
  f.append_until_roll();
  f.append_until_roll();
  const auto end = f.log->log_end_offset();
  REQUIRE(f.jobs.pending() == 2);
  f.close_cleanly();
  f.jobs.run_all();  // too late to matter: they write nothing over the close's checkpoints
  f.disk.crash();
  f.open();
  CHECK(f.log->open_report().clean_shutdown);
  CHECK(f.log->log_end_offset() == end);
  CHECK(test::read_all(*f.log, 0).size() == static_cast<std::size_t>(end));
}
