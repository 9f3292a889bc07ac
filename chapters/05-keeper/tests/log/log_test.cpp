// generated from tests/log/log_test.cpp; edit there
// log/log_test.cpp — appending, offsets, segments, reads and timestamp lookups.
#include <catch2/catch.hpp>

#include <limits>

#include "log/log.h"
#include "record/batch.h"
#include "support/faulty_file_system.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::test;

TEST_CASE("an empty log starts at offset zero", "[ch01][ex:log-open][log]") {
  LogFixture f;
  auto& log = f.open();
  CHECK(log.log_start_offset() == 0);
  CHECK(log.log_end_offset() == 0);
  CHECK(log.segment_count() == 1);
  CHECK(std::filesystem::exists(f.segment_path(0, ".log")));
  auto range = log.read(0, 1000);
  REQUIRE(range.ok());
  CHECK(range->size == 0);
}

TEST_CASE("offsets are assigned consecutively and monotonically across segment rolls", "[ch01][log]") {
  LogFixture f;
  f.config.segment_bytes = 1000;  // a few batches per segment
  auto& log = f.open();
  std::int64_t expected = 0;
  for (int i = 0; i < 60; ++i) {
    int count = 1 + i % 4;
    auto batch = make_batch(count, 1'700'000'000'000 + i, 20, static_cast<int>(expected));
    auto info = log.append(batch);
    REQUIRE(info.ok());
    REQUIRE(info->first_offset == expected);
    REQUIRE(info->last_offset == expected + count - 1);
    expected += count;
  }
  CHECK(log.log_end_offset() == expected);
  REQUIRE(log.segment_count() > 5);

  // Segment files are named by their base offset, which increases from segment to segment.
  std::int64_t previous_base = -1;
  for (const auto& s : log.segment_infos()) {
    CHECK(s.base_offset > previous_base);
    CHECK(s.size_bytes <= 1000);
    for (const char* ext : {".log", ".index", ".timeindex"}) CHECK(std::filesystem::exists(f.segment_path(s.base_offset, ext)));
    previous_base = s.base_offset;
  }
  CHECK(log.segment_infos().front().base_offset == 0);
  CHECK(f.segment_path(1000, ".log").filename() == "00000000000000001000.log");

  // Every offset reads back its own record, in order, after a restart too.
  auto check_all = [&](const log::Log& l) {
    auto all = read_all(l, 0);
    REQUIRE(all.size() == static_cast<std::size_t>(expected));
    for (std::size_t i = 0; i < all.size(); ++i) {
      REQUIRE(all[i].first == static_cast<std::int64_t>(i));
      REQUIRE(all[i].second.rfind("value-" + std::to_string(i), 0) == 0);
    }
  };
  check_all(log);
  f.close_cleanly();
  check_all(f.open());
  CHECK(f.log->log_end_offset() == expected);
}

TEST_CASE("a read starts with the batch that contains the offset at every offset", "[ch01][log]") {
  LogFixture f;
  f.config.segment.index_interval_bytes = 150;  // several index entries
  f.config.segment_bytes = 2000;
  auto& log = f.open();
  for (int i = 0; i < 40; ++i) f.append(3, 1'700'000'000'000, 10);
  REQUIRE(log.segment_count() > 1);
  for (std::int64_t offset = 0; offset < log.log_end_offset(); ++offset) {
    auto range = log.read(offset, 1);
    REQUIRE(range.ok());
    auto bytes = range->read();
    REQUIRE(bytes.ok());
    auto h = record::decode_header(*bytes);
    REQUIRE(h.has_value());
    // Batches hold offsets 3k..3k+2: the read must start at 3*(offset/3).
    REQUIRE(h->base_offset == offset - offset % 3);
    REQUIRE(h->total_size() == bytes->size());  // max_bytes 1 still gives one whole batch
  }
}

TEST_CASE("a read returns whole batches up to max_bytes", "[ch01][log]") {
  LogFixture f;
  auto& log = f.open();
  for (int i = 0; i < 10; ++i) f.append(1, 1'700'000'000'000, 100);
  auto one = log.read(0, 1);
  REQUIRE(one.ok());
  const auto batch_size = one->size;
  for (std::uint64_t max = batch_size; max < batch_size * 12; max += 37) {
    auto range = log.read(0, max);
    REQUIRE(range.ok());
    auto expected_batches = std::min<std::uint64_t>(10, max / batch_size);
    REQUIRE(range->size == expected_batches * batch_size);
  }
}

TEST_CASE("reads outside the log are OFFSET_OUT_OF_RANGE", "[ch01][log][bad-input]") {
  LogFixture f;
  auto& log = f.open();
  f.append(5);
  CHECK(log.read(5, 100)->size == 0);  // the log end: nothing yet, not an error
  auto past = log.read(6, 100);
  REQUIRE_FALSE(past.ok());
  CHECK(past.error().code == Errc::offset_out_of_range);
  CHECK(log.read(-1, 100).error().code == Errc::offset_out_of_range);
}

TEST_CASE("a segment rolls when its records get old", "[ch01][log]") {
  // segment.ms compares record timestamps with the first batch of the active segment,
  // so a segment's age survives restarts.
  LogFixture f;
  f.config.segment_ms = 60'000;
  auto& log = f.open();
  const std::int64_t t0 = 1'700'000'000'000;
  f.append(1, t0);
  f.append(1, t0 + 60'000);  // exactly segment.ms newer: not yet (Kafka rolls on "more than")
  CHECK(log.segment_count() == 1);
  f.close_cleanly();
  auto& reopened = f.open();
  auto batch = make_batch(1, t0 + 60'001);
  auto info = reopened.append(batch);
  REQUIRE(info.ok());
  CHECK(info->rolled);
  CHECK(reopened.segment_count() == 2);
  CHECK(reopened.segment_infos().back().base_offset == 2);
  f.append(1, t0 + 60'002);
  CHECK(reopened.segment_count() == 2);
}

TEST_CASE("batches without timestamps never roll a segment by age", "[ch01][log]") {
  LogFixture f;
  f.config.segment_ms = 1;
  auto& log = f.open();
  f.append(1, -1);  // NO_TIMESTAMP
  f.append(1, 1'700'000'000'000);
  f.append(1, -1);
  CHECK(log.segment_count() == 1);
}

TEST_CASE("a segment rolls before its relative offsets overflow 32 bits", "[ch01][log]") {
  // A compressed batch is trusted as a whole, so one can claim two billion records in a
  // few bytes. Index entries hold offsets relative to the segment's base as 32 bits.
  auto huge = test_data("kcat-batch-gzip.bin");
  const std::int32_t delta = std::numeric_limits<std::int32_t>::max() - 10;
  store_be<std::int32_t>(huge.data() + record::layout::last_offset_delta, delta);
  store_be<std::int32_t>(huge.data() + record::layout::records_count, delta + 1);
  store_be<std::uint32_t>(huge.data() + record::layout::crc, record::compute_crc(huge));
  LogFixture f;
  auto& log = f.open();
  f.append(1);
  auto copy = huge;
  auto info = log.append(copy);
  REQUIRE(info.ok());
  CHECK(info->rolled);  // offsets 1 .. 2^31-10 would not fit in segment 0
  CHECK(log.segment_count() == 2);
  CHECK(log.log_end_offset() == 1 + static_cast<std::int64_t>(delta) + 1);
}

TEST_CASE("a segment rolls when its index is full", "[ch01][log]") {
  LogFixture f;
  f.config.segment.index_interval_bytes = 1;  // an entry for every batch after the first
  f.config.segment.max_index_entries = 3;
  auto& log = f.open();
  for (int i = 0; i < 4; ++i) f.append(1);
  CHECK(log.segment_count() == 1);
  f.append(1);
  CHECK(log.segment_count() == 2);
}

TEST_CASE("offset lookup by timestamp at every boundary", "[ch01][log][time]") {
  LogFixture f;
  f.config.segment.index_interval_bytes = 100;
  f.config.segment_bytes = 1500;
  auto& log = f.open();
  // Batch i holds two records with timestamps 1000 + 10*i and 1005 + 10*i.
  for (int i = 0; i < 30; ++i) {
    std::vector<record::RecordSpec> specs = {{"k", "a", {}, 1000 + 10 * i}, {"k", "b", {}, 1005 + 10 * i}};
    auto batch = record::build_batch(specs);
    REQUIRE(log.append(batch).ok());
  }
  REQUIRE(log.segment_count() > 1);
  auto lookup = [&](std::int64_t ts) {
    auto r = log.offset_for_timestamp(ts);
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(lookup(0) == 0);
  CHECK(lookup(1000) == 0);
  for (int i = 0; i < 30; ++i) {
    INFO("batch " << i);
    CHECK(lookup(1000 + 10 * i) == 2 * i);
    CHECK(lookup(1001 + 10 * i) == 2 * i + 1);
    CHECK(lookup(1005 + 10 * i) == 2 * i + 1);
    if (i < 29) CHECK(lookup(1006 + 10 * i) == 2 * i + 2);
  }
  CHECK_FALSE(lookup(1296).has_value());
  f.close_cleanly();
  auto& reopened = f.open();
  CHECK(*reopened.offset_for_timestamp(1151) == 31);
}

TEST_CASE("offset lookup by timestamp with timestamps out of order", "[ch01][log][time]") {
  LogFixture f;
  f.config.segment.index_interval_bytes = 1;
  auto& log = f.open();
  // Producers set timestamps; they need not increase. Max so far: 500, 500, 900, 900.
  for (std::int64_t ts : {500, 100, 900, 700}) {
    std::vector<record::RecordSpec> specs = {{"k", "v", {}, ts}};
    auto batch = record::build_batch(specs);
    REQUIRE(log.append(batch).ok());
  }
  CHECK(*log.offset_for_timestamp(50) == 0);
  CHECK(*log.offset_for_timestamp(500) == 0);
  CHECK(*log.offset_for_timestamp(501) == 2);
  CHECK(*log.offset_for_timestamp(900) == 2);
  CHECK_FALSE(log.offset_for_timestamp(901)->has_value());
}

TEST_CASE("a wrong maxTimestamp is corrected on append as Kafka does", "[ch01][log][time]") {
  LogFixture f;
  auto& log = f.open();
  std::vector<record::RecordSpec> specs = {{"k", "a", {}, 1000}, {"k", "b", {}, 5000}};
  auto batch = record::build_batch(specs);
  record::set_max_timestamp(batch, -1);  // what sarama 1.22 sends
  REQUIRE(log.append(batch).ok());
  auto stored = log.read(0, 1 << 20)->read();
  REQUIRE(stored.ok());
  CHECK(record::check_integrity(*stored).ok());
  CHECK(record::decode_header(*stored)->max_timestamp == 5000);
  CHECK(*log.offset_for_timestamp(5000) == 1);
}

TEST_CASE("bad batches are refused with a clear error and change nothing", "[ch01][log][bad-input]") {
  LogFixture f;
  f.config.max_batch_bytes = 4096;
  auto& log = f.open();
  f.append(3);
  const auto size_before = log.size_bytes();

  auto big = make_batch(1, 1'700'000'000'000, 5000);
  auto too_large = log.append(big);
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.error().code == Errc::message_too_large);

  auto bad_crc = make_batch(2);
  bad_crc[bad_crc.size() - 1] ^= std::byte{0xff};
  CHECK(log.append(bad_crc).error().code == Errc::corrupt_message);

  auto bad_magic = make_batch(2);
  bad_magic[record::layout::magic] = std::byte{0};
  CHECK(log.append(bad_magic).error().code == Errc::corrupt_message);

  auto absurd = make_batch(2);
  store_be<std::int32_t>(absurd.data() + record::layout::batch_length, 0x7fffffff);
  auto r = log.append(absurd);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::corrupt_message);

  Bytes garbage(100, std::byte{0xab});
  CHECK_FALSE(log.append(garbage).ok());
  Bytes empty;
  CHECK_FALSE(log.append(empty).ok());

  CHECK(log.size_bytes() == size_before);
  CHECK(log.log_end_offset() == 3);
  CHECK(f.append(1) == 3);  // and the log still works
}

TEST_CASE("a full disk fails the append and loses nothing acknowledged", "[ch01][log][faults]") {
  FaultyFileSystem faulty;
  LogFixture f;
  f.fs = &faulty;
  auto& log = f.open();
  for (int i = 0; i < 5; ++i) f.append(2, 1'700'000'000'000, 50);
  const auto size_before = log.size_bytes();

  faulty.plan.bytes_until_full = 30;  // the next batch is torn after 30 bytes
  auto batch = make_batch(2, 1'700'000'000'000, 50);
  auto r = log.append(batch);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::kafka_storage_error);
  CHECK_THAT(r.error().message, Catch::Contains("No space left"));
  CHECK(log.size_bytes() == size_before);  // the partial batch was cut away
  CHECK(log.log_end_offset() == 10);
  CHECK(log.online());

  faulty.plan.bytes_until_full = UINT64_MAX;  // space freed
  CHECK(f.append(1) == 10);
  f.open();  // crash and reopen: every acknowledged record is there
  auto all = read_all(*f.log, 0);
  REQUIRE(all.size() == 11);
  CHECK(all.back().first == 10);
}

TEST_CASE("a failed fsync takes the log offline", "[ch01][log][faults]") {
  FaultyFileSystem faulty;
  LogFixture f;
  f.fs = &faulty;
  f.config.flush = log::FlushPolicy::every_append();
  auto& log = f.open();
  f.append(1);
  faulty.plan.fail_sync = true;
  auto batch = make_batch(1);
  auto r = log.append(batch);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::kafka_storage_error);
  CHECK_FALSE(log.online());
  // The write itself succeeded, so the outcome is unknown to the producer: the batch is
  // in the log (and here survives the restart, as the page cache was not lost).
  CHECK(log.log_end_offset() == 2);
  auto again = make_batch(1);
  CHECK(log.append(again).error().code == Errc::kafka_storage_error);
  CHECK(log.read(0, 100).error().code == Errc::kafka_storage_error);
  faulty.plan.fail_sync = false;
  CHECK(f.open().log_end_offset() == 2);
}

TEST_CASE("a torn append that cannot be undone takes the log offline", "[ch01][log][faults]") {
  FaultyFileSystem faulty;
  LogFixture f;
  f.fs = &faulty;
  auto& log = f.open();
  f.append(1);
  faulty.plan.bytes_until_full = 10;
  faulty.plan.fail_truncate = true;
  auto batch = make_batch(1);
  CHECK_FALSE(log.append(batch).ok());
  CHECK_FALSE(log.online());
  // After a restart, recovery cuts the torn bytes and the acknowledged batch remains.
  faulty.plan = {};
  f.open();
  CHECK(f.log->log_end_offset() == 1);
  CHECK(f.log->open_report().truncated_bytes() == 10);
}

TEST_CASE("the flush policy flushes every N messages", "[ch01][log][durability]") {
  FaultyFileSystem disk;  // no faults: it counts fsyncs
  LogFixture f;
  f.fs = &disk;
  f.config.flush.interval_messages = 5;
  auto& log = f.open();
  const auto syncs_at_open = disk.plan.syncs;
  f.append(2);
  f.append(2);
  CHECK(log.recovery_point() == 0);
  CHECK(disk.plan.syncs == syncs_at_open);
  f.append(1);  // 5 messages since the last flush
  CHECK(log.recovery_point() == 5);
  CHECK(disk.plan.syncs == syncs_at_open + 1);
  f.append(4);
  CHECK(log.recovery_point() == 5);
  CHECK(disk.plan.syncs == syncs_at_open + 1);
}

TEST_CASE("the flush policy flushes every T milliseconds", "[ch01][log][durability]") {
  FaultyFileSystem disk;
  LogFixture f;
  f.fs = &disk;
  f.config.flush.interval_ms = 1000;
  auto& log = f.open();
  const auto syncs_at_open = disk.plan.syncs;
  f.append(1);
  f.clock.advance_ms(999);
  REQUIRE(log.tick().ok());
  CHECK(log.recovery_point() == 0);
  CHECK(disk.plan.syncs == syncs_at_open);
  f.clock.advance_ms(1);
  REQUIRE(log.tick().ok());
  CHECK(log.recovery_point() == 1);
  CHECK(disk.plan.syncs == syncs_at_open + 1);
}

TEST_CASE("flushing on every append keeps the recovery point at the log end", "[ch01][log][durability]") {
  FaultyFileSystem disk;
  LogFixture f;
  f.fs = &disk;
  f.config.flush = log::FlushPolicy::every_append();
  auto& log = f.open();
  const auto syncs_at_open = disk.plan.syncs;
  for (int i = 1; i <= 5; ++i) {
    f.append(1);
    CHECK(log.recovery_point() == i);
    CHECK(disk.plan.syncs == syncs_at_open + static_cast<std::uint64_t>(i));
  }
}

TEST_CASE("truncate_to removes whole batches from the end", "[ch01][log]") {
  LogFixture f;
  f.config.segment_bytes = 600;
  auto& log = f.open();
  for (int i = 0; i < 20; ++i) f.append(2, 1'700'000'000'000, 20);
  REQUIRE(log.segment_count() > 2);
  REQUIRE(log.truncate_to(15).ok());
  CHECK(log.log_end_offset() == 14);  // 15 is inside the batch 14..15, which goes
  CHECK(f.append(1) == 14);
  f.open();
  CHECK(f.log->log_end_offset() == 15);
  CHECK(read_all(*f.log, 0).size() == 15);
}

TEST_CASE("truncate_to is durable and survives a clean shutdown", "[ch01][ex:log-open][log][durability]") {
  FaultyFileSystem disk;
  LogFixture f;
  f.fs = &disk;
  f.config.segment_bytes = 600;
  auto& log = f.open();
  for (int i = 0; i < 20; ++i) f.append(2, 1'700'000'000'000, 20);
  const auto syncs_before = disk.plan.syncs;
  REQUIRE(log.truncate_to(7).ok());
  CHECK(disk.plan.syncs > syncs_before);  // the cut reached the disk
  CHECK(log.log_end_offset() == 6);
  f.close_cleanly();
  auto& reopened = f.open();
  CHECK(reopened.open_report().clean_shutdown);
  CHECK(reopened.log_end_offset() == 6);
  CHECK(read_all(reopened, 0).size() == 6);
  CHECK(f.append(1) == 6);
}
