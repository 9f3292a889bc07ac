// generated from tests/log/recovery_test.cpp; edit there
// log/recovery_test.cpp — crash recovery: torn writes, flipped bytes, lost indexes.
#include <catch2/catch.hpp>

#include "log/log.h"
#include "log/recovery.h"
#include "log/time_index.h"
#include "record/batch.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::test;

namespace {

// A log of `batches` batches of 3 records in one segment, left as by a crash (no close).
struct CrashedLog {
  LogFixture f;
  std::vector<std::uint64_t> batch_starts;  // position of each batch in the segment
  std::uint64_t file_size = 0;

  explicit CrashedLog(int batches) {
    f.config.segment.index_interval_bytes = 200;
    auto& log = f.open();
    for (int i = 0; i < batches; ++i) {
      batch_starts.push_back(log.size_bytes());
      f.append(3, 1'700'000'000'000 + i, 40);
    }
    file_size = log.size_bytes();
    REQUIRE(log.flush().ok());
    f.log.reset();  // crash: no clean-shutdown marker
  }
  std::filesystem::path log_file() const { return f.segment_path(0, ".log"); }
};

Result<log::ScanResult> scan(const std::filesystem::path& path, std::vector<log::BatchLocation>* seen = nullptr) {
  auto file = log::posix_file_system().open(path, log::OpenMode::read_only);
  REQUIRE(file.ok());
  return log::scan_segment(**file, 0, [&](const log::BatchLocation& b) {
    if (seen) seen->push_back(b);
  });
}

}  // namespace

TEST_CASE("recovery scan accepts every batch of an intact segment", "[ch01][ex:recovery-scan]") {
  CrashedLog c(5);
  std::vector<log::BatchLocation> seen;
  auto result = scan(c.log_file(), &seen);
  REQUIRE(result.ok());
  CHECK(result->valid_bytes == c.file_size);
  CHECK(result->next_offset == 15);
  CHECK(result->batches == 5);
  CHECK_FALSE(result->stop_reason.has_value());
  REQUIRE(seen.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(seen[i].position == c.batch_starts[i]);
    CHECK(seen[i].base_offset == static_cast<std::int64_t>(3 * i));
    CHECK(seen[i].last_offset == static_cast<std::int64_t>(3 * i + 2));
    CHECK(seen[i].max_timestamp == 1'700'000'000'000 + static_cast<std::int64_t>(i));
  }
}

TEST_CASE("recovery scan of an empty segment", "[ch01][ex:recovery-scan]") {
  TempDir dir;
  write_file(dir / "empty.log", {});
  auto result = scan(dir / "empty.log");
  REQUIRE(result.ok());
  CHECK(result->valid_bytes == 0);
  CHECK(result->batches == 0);
  CHECK(result->next_offset == 0);
  CHECK_FALSE(result->stop_reason.has_value());
}

TEST_CASE("recovery scan stops at a torn last batch at every byte", "[ch01][ex:recovery-scan]") {
  CrashedLog c(3);
  auto original = read_file(c.log_file());
  for (std::uint64_t cut = c.batch_starts[2] + 1; cut < c.file_size; ++cut) {
    write_file(c.log_file(), ByteSpan(original).first(cut));
    auto result = scan(c.log_file());
    REQUIRE(result.ok());
    REQUIRE(result->valid_bytes == c.batch_starts[2]);
    REQUIRE(result->next_offset == 6);
    REQUIRE(result->stop_reason.has_value());
  }
}

TEST_CASE("recovery scan stops at a corrupt batch and at an unexpected offset", "[ch01][ex:recovery-scan]") {
  CrashedLog c(4);
  auto original = read_file(c.log_file());
  auto damaged = original;
  damaged[c.batch_starts[2] + 70] ^= std::byte{0x10};  // inside batch 2's records: CRC fails
  write_file(c.log_file(), damaged);
  auto result = scan(c.log_file());
  REQUIRE(result.ok());
  CHECK(result->valid_bytes == c.batch_starts[2]);
  CHECK(result->batches == 2);
  REQUIRE(result->stop_reason.has_value());
  CHECK(result->stop_reason->code == Errc::corrupt_message);
  CHECK_THAT(result->stop_reason->message, Catch::Contains("CRC"));

  // baseOffset is outside the CRC; a wrong one is caught by the offset sequence.
  damaged = original;
  store_be<std::int64_t>(damaged.data() + c.batch_starts[1], 99);
  write_file(c.log_file(), damaged);
  result = scan(c.log_file());
  REQUIRE(result.ok());
  CHECK(result->valid_bytes == c.batch_starts[1]);
  CHECK(result->next_offset == 3);
  CHECK_THAT(result->stop_reason->message, Catch::Contains("base offset 99"));
}

TEST_CASE("a torn last batch is cut off at every byte position and appends continue", "[ch01][ex:log-open][recovery]") {
  CrashedLog c(3);
  auto original = read_file(c.log_file());
  for (std::uint64_t cut = c.batch_starts[2]; cut < c.file_size; ++cut) {
    write_file(c.log_file(), ByteSpan(original).first(cut));
    auto& log = c.f.open();
    REQUIRE(log.log_end_offset() == 6);
    REQUIRE(log.size_bytes() == c.batch_starts[2]);
    REQUIRE(log.open_report().truncated_bytes() == cut - c.batch_starts[2]);
    auto all = read_all(log, 0);
    REQUIRE(all.size() == 6);  // the two complete batches survive whole
    REQUIRE(c.f.append(1) == 6);
    c.f.log.reset();
  }
}

TEST_CASE("a flipped byte cuts the log at the damaged batch and keeps everything before", "[ch01][ex:log-open][recovery]") {
  CrashedLog c(4);
  auto original = read_file(c.log_file());
  const std::uint64_t start = c.batch_starts[2], end = c.batch_starts[3];
  for (std::uint64_t pos = start; pos < end; ++pos) {
    // partitionLeaderEpoch (bytes 12..15) is outside the CRC so that a leader can set it
    // without recomputing the checksum; like Kafka, recovery cannot see a flip there.
    if (pos - start >= record::layout::partition_leader_epoch && pos - start < record::layout::magic) continue;
    auto damaged = original;
    damaged[pos] ^= std::byte{0x40};
    write_file(c.log_file(), damaged);
    auto& log = c.f.open();
    INFO("flipped byte " << pos - start << " of batch 2");
    REQUIRE(log.log_end_offset() == 6);
    REQUIRE(read_all(log, 0).size() == 6);
    c.f.log.reset();
  }
}

TEST_CASE("corruption in an old segment drops the segments after it", "[ch01][ex:log-open][recovery]") {
  LogFixture f;
  f.config.segment_bytes = 400;
  auto& log = f.open();
  for (int i = 0; i < 12; ++i) f.append(2, 1'700'000'000'000, 40);
  auto infos = log.segment_infos();
  REQUIRE(infos.size() >= 3);
  f.log.reset();
  // Damage the second segment and pretend no segment was flushed (recovery point 0).
  auto second = f.segment_path(infos[1].base_offset, ".log");
  auto bytes = read_file(second);
  bytes[bytes.size() - 1] ^= std::byte{1};
  write_file(second, bytes);
  std::filesystem::remove(f.dir / log::Log::kRecoveryPointFile);

  auto& reopened = f.open();
  const auto& report = reopened.open_report();
  CHECK(report.deleted_segments.size() == infos.size() - 2);
  CHECK(reopened.segment_count() == 2);
  CHECK_FALSE(std::filesystem::exists(f.segment_path(infos[2].base_offset, ".log")));
  // Everything before the damaged batch is still readable, and offsets continue from there.
  auto all = read_all(reopened, 0);
  CHECK(all.size() == static_cast<std::size_t>(reopened.log_end_offset()));
  CHECK(reopened.log_end_offset() < infos[2].base_offset);
  CHECK(reopened.log_end_offset() >= infos[1].base_offset);
}

TEST_CASE("a missing or corrupt index is rebuilt identical to the original", "[ch01][recovery][index]") {
  LogFixture f;
  f.config.segment.index_interval_bytes = 300;
  f.config.segment_bytes = 5000;
  auto& log = f.open();
  for (int i = 0; i < 40; ++i) f.append(2, 1'700'000'000'000 + i, 30);
  REQUIRE(log.segment_count() >= 2);
  REQUIRE(log.flush().ok());
  f.log.reset();  // crash; the first segment was sealed at its roll
  auto index = f.segment_path(0, ".index");
  auto original_index = read_file(index);
  REQUIRE(original_index.size() >= 3 * 8);

  SECTION("index deleted") { std::filesystem::remove(index); }
  SECTION("index garbage") {
    auto garbage = original_index;
    garbage[0] = std::byte{0x7f};  // first entry now larger than the second
    write_file(index, garbage);
  }
  SECTION("index truncated mid-entry") { write_file(index, ByteSpan(original_index).first(13)); }

  auto& reopened = f.open();
  CHECK(read_file(index) == original_index);
  CHECK(read_all(reopened, 0).size() == 80);
  CHECK(*reopened.offset_for_timestamp(1'700'000'000'010) == 20);
}

TEST_CASE("after a clean shutdown nothing is scanned and after a crash only the active segment", "[ch01][ex:log-open][recovery]") {
  LogFixture f;
  f.config.segment_bytes = 500;
  auto& log = f.open();
  for (int i = 0; i < 10; ++i) f.append(2, 1'700'000'000'000, 40);
  auto segments = log.segment_count();
  REQUIRE(segments >= 3);
  f.close_cleanly();
  CHECK(std::filesystem::exists(f.dir / log::Log::kCleanShutdownFile));

  auto& clean = f.open();
  CHECK(clean.open_report().clean_shutdown);
  CHECK(clean.open_report().recovered.empty());
  // The marker is gone as soon as the log is open: a crash from now on is a crash.
  CHECK_FALSE(std::filesystem::exists(f.dir / log::Log::kCleanShutdownFile));
  f.append(1);
  f.log.reset();  // crash

  auto& crashed = f.open();
  CHECK_FALSE(crashed.open_report().clean_shutdown);
  REQUIRE(crashed.open_report().recovered.size() == 1);
  CHECK(crashed.open_report().recovered[0].base_offset == crashed.segment_infos().back().base_offset);
  CHECK(crashed.log_end_offset() == 21);
}

TEST_CASE("leftover temporary and orphan index files are removed on open", "[ch01][ex:log-open][recovery]") {
  LogFixture f;
  f.open();
  f.append(1);
  f.close_cleanly();
  write_file(f.segment_path(500, ".index"), {});
  write_file(f.dir / "recovery-point.tmp", as_bytes("12"));
  f.open();
  CHECK_FALSE(std::filesystem::exists(f.segment_path(500, ".index")));
  CHECK_FALSE(std::filesystem::exists(f.dir / "recovery-point.tmp"));
  CHECK(f.log->log_end_offset() == 1);
}

TEST_CASE("a damaged batch length in a trusted segment is an error and never a hang", "[ch01][recovery][bad-input]") {
  // After a clean shutdown segments are trusted and only the tail after the last index
  // entry is checked. A walk that starts before that entry must still refuse a length
  // that steps nowhere (-12: total size 0) or past the end of the file.
  for (std::int32_t bad_length : {-12, 0, 2'000'000'000}) {
    INFO("batchLength " << bad_length);
    LogFixture f;
    f.config.segment.index_interval_bytes = 1;  // an index entry at every batch but the first
    f.open();
    for (int i = 0; i < 10; ++i) f.append(1, 1'700'000'000'000 + i, 10);
    f.close_cleanly();
    auto bytes = read_file(f.segment_path(0, ".log"));
    const std::size_t batch_size = record::decode_header(bytes)->total_size();
    store_be<std::int32_t>(bytes.data() + 2 * batch_size + record::layout::batch_length, bad_length);  // batch 2
    write_file(f.segment_path(0, ".log"), bytes);

    auto& reopened = f.open();
    CHECK(reopened.open_report().recovered.empty());  // the damage is before the checked tail
    for (std::int64_t offset : {0, 2}) {
      auto read = reopened.read(offset, 1 << 20);
      REQUIRE_FALSE(read.ok());
      CHECK(read.error().code == Errc::corrupt_message);
    }
    auto by_time = reopened.offset_for_timestamp(1'700'000'000'002);
    REQUIRE_FALSE(by_time.ok());
    CHECK(by_time.error().code == Errc::corrupt_message);
    CHECK(reopened.read(5, 1 << 20).ok());  // the rest stays readable
  }
}

TEST_CASE("a missing or emptied time index is rebuilt after a clean shutdown", "[ch01][ex:log-open][recovery][index]") {
  LogFixture f;
  f.config.segment_bytes = 800;
  f.config.retention_ms = 3'600'000;
  auto& log = f.open();
  const std::int64_t t0 = 1'700'000'000'000;
  // Segment 0 holds a late timestamp early on: its maximum is t0 + 50 min.
  f.append(1, t0 + 3'000'000, 40);
  for (int i = 0; i < 20; ++i) f.append(1, t0 + i, 40);
  REQUIRE(log.segment_count() >= 2);
  f.close_cleanly();
  auto timeindex = f.segment_path(0, ".timeindex");
  auto original = read_file(timeindex);
  REQUIRE_FALSE(original.empty());

  SECTION("deleted") { std::filesystem::remove(timeindex); }
  SECTION("emptied") { write_file(timeindex, {}); }
  SECTION("stale") { write_file(timeindex, ByteSpan(original).first(original.size() - 12)); }

  auto& reopened = f.open();
  CHECK(reopened.segment_infos().front().max_timestamp == t0 + 3'000'000);
  CHECK(*reopened.offset_for_timestamp(t0 + 3'000'000) == 0);
  // Retention must see the segment's true age: at t0 + 70 min it is 20 minutes old.
  f.clock.set_ms(t0 + 4'200'000);
  auto report = reopened.apply_retention();
  REQUIRE(report.ok());
  CHECK(report->deleted_segments.empty());
}

TEST_CASE("records without timestamps keep the time index valid", "[ch01][recovery][index]") {
  LogFixture f;
  f.config.segment.index_interval_bytes = 1;
  auto& log = f.open();
  for (int i = 0; i < 5; ++i) f.append(1, -1);  // NO_TIMESTAMP
  CHECK(*log.offset_for_timestamp(-1) == 0);
  CHECK_FALSE(log.offset_for_timestamp(0)->has_value());
  f.close_cleanly();
  auto entries = log::decode_time_index(read_file(f.segment_path(0, ".timeindex")));
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0] == log::TimeIndexEntry{-1, 0});
  auto& reopened = f.open();
  CHECK(reopened.open_report().recovered.empty());  // the index was consistent
  CHECK(*reopened.offset_for_timestamp(-1) == 0);
}
