// generated from tests/log/retention_test.cpp; edit there
// log/retention_test.cpp — deleting old segments by size and by time.
#include <catch2/catch.hpp>

#include "log/log.h"
#include "log/retention.h"
#include "support/faulty_file_system.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::log;

namespace {
std::vector<SegmentInfo> sizes(std::initializer_list<std::uint64_t> s) {
  std::vector<SegmentInfo> out;
  std::int64_t base = 0;
  for (auto size : s) {
    out.push_back({base, size, 0});
    base += 10;
  }
  return out;
}
}  // namespace

TEST_CASE("size retention keeps everything within the limit", "[ch01][ex:size-retention]") {
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 300) == 0);
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 1000) == 0);
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), -1) == 0);
  CHECK(segments_to_delete_by_size({}, 0) == 0);
}

TEST_CASE("size retention deletes the oldest segments while the rest stays at the limit", "[ch01][ex:size-retention]") {
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 200) == 1);
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 199) == 1);  // 100 left over 199 is not enough for another
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 100) == 2);
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 101) == 1);
  CHECK(segments_to_delete_by_size(sizes({50, 300, 10, 10}), 100) == 1);  // the 300 can't go without dropping below 100
  CHECK(segments_to_delete_by_size(sizes({50, 300, 10, 10}), 20) == 2);
}

TEST_CASE("size retention never deletes the active segment", "[ch01][ex:size-retention]") {
  CHECK(segments_to_delete_by_size(sizes({100, 100, 100}), 0) == 2);
  CHECK(segments_to_delete_by_size(sizes({5000}), 0) == 0);
}

TEST_CASE("time retention deletes the prefix of expired segments", "[ch01][retention]") {
  std::vector<SegmentInfo> segs = {{0, 10, 1000}, {1, 10, 5000}, {2, 10, 2000}, {3, 10, 9000}};
  CHECK(segments_to_delete_by_time(segs, 1000, 5000) == 1);   // 1000 < 4000
  CHECK(segments_to_delete_by_time(segs, 1000, 6001) == 3);   // 5000 < 5001 and 2000 < 5001
  CHECK(segments_to_delete_by_time(segs, 0, 100000) == 3);    // never the active one
  CHECK(segments_to_delete_by_time(segs, -1, 100000) == 0);
  CHECK(segments_to_delete_by_time(segs, 1000, 2000) == 0);   // 1000 is not < 1000
}

TEST_CASE("applying retention deletes files and moves the log start offset", "[ch01][retention]") {
  test::LogFixture f;
  f.config.segment_bytes = 500;
  f.config.retention_bytes = 1000;
  f.config.retention_ms = -1;
  auto& log = f.open();
  for (int i = 0; i < 20; ++i) f.append(2, 1'700'000'000'000, 40);
  auto before = log.segment_infos();
  REQUIRE(before.size() >= 5);

  auto report = log.apply_retention();
  REQUIRE(report.ok());
  REQUIRE_FALSE(report->deleted_segments.empty());
  CHECK(log.size_bytes() >= 1000);
  CHECK(log.size_bytes() - log.segment_infos().front().size_bytes < 1000);
  for (auto base : report->deleted_segments) CHECK_FALSE(std::filesystem::exists(f.segment_path(base, ".log")));
  CHECK(log.log_start_offset() == log.segment_infos().front().base_offset);
  CHECK(log.read(0, 100).error().code == Errc::offset_out_of_range);
  CHECK(log.read(log.log_start_offset(), 100).ok());

  // The start offset survives a crash.
  auto start = log.log_start_offset();
  f.open();
  CHECK(f.log->log_start_offset() == start);
  CHECK(f.log->log_end_offset() == 40);
}

TEST_CASE("applying time retention uses the clock", "[ch01][retention]") {
  test::LogFixture f;
  f.config.segment_bytes = 300;
  f.config.retention_ms = 60'000;
  auto& log = f.open();
  const auto t0 = f.clock.now_ms();
  for (int i = 0; i < 6; ++i) f.append(2, t0, 40);
  for (int i = 0; i < 6; ++i) f.append(2, t0 + 50'000, 40);
  f.clock.advance_ms(60'001);  // the t0 segments are now older than 60 s
  auto report = log.apply_retention();
  REQUIRE(report.ok());
  CHECK_FALSE(report->deleted_segments.empty());
  auto first = log.segment_infos().front();
  CHECK(first.max_timestamp == t0 + 50'000);
}

TEST_CASE("a failed delete during retention moves the start offset and takes the log offline", "[ch01][retention][faults]") {
  test::FaultyFileSystem disk;
  test::LogFixture f;
  f.fs = &disk;
  f.config.segment_bytes = 500;
  f.config.retention_bytes = 600;
  auto& log = f.open();
  for (int i = 0; i < 20; ++i) f.append(2, 1'700'000'000'000, 40);
  auto second_base = log.segment_infos()[1].base_offset;
  disk.plan.fail_remove = true;
  auto report = log.apply_retention();
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code == Errc::kafka_storage_error);
  // The half-deleted segment is out of reach even though its files are still there.
  CHECK(log.log_start_offset() == second_base);
  CHECK_FALSE(log.online());
}
