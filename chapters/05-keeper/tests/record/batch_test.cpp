// generated from tests/record/batch_test.cpp; edit there
// record/batch_test.cpp — RecordBatch v2 encoding, decoding and validation.
#include <catch2/catch.hpp>

#include <limits>

#include "common/bytes.h"
#include "record/batch.h"
#include "record/record.h"
#include "support/batches.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::record;

TEST_CASE("varints round-trip at every size boundary", "[ch01][format]") {
  const std::int64_t values[] = {0, 1, -1, 63, -64, 64, 8191, -8192, std::int64_t{1} << 40, -(std::int64_t{1} << 40),
                                 std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
  for (std::int64_t v : values) {
    Bytes out;
    Writer(out).write_varlong(v);
    CHECK(out.size() == varlong_size(v));
    Reader r(out);
    CHECK(r.read_varlong() == v);
    CHECK(r.remaining() == 0);
  }
}

TEST_CASE("a varint longer than ten bytes is rejected", "[ch01][format]") {
  Bytes bad(11, std::byte{0x80});
  Reader r(bad);
  CHECK_FALSE(r.read_varlong().has_value());
  CHECK_FALSE(r.ok());
}

TEST_CASE("a built batch decodes to the records it was built from", "[ch01][format]") {
  std::vector<RecordSpec> specs(3);
  specs[0] = {"k1", "hello", {{"app", "streamcraft"}}, 1000};
  specs[1] = {std::nullopt, "no key", {}, 1005};
  specs[2] = {"k3", std::nullopt, {{"a", "1"}, {"b", ""}}, 999};
  auto batch = build_batch(specs);

  REQUIRE(check_integrity(batch).ok());
  auto h = *decode_header(batch);
  CHECK(h.magic == 2);
  CHECK(h.base_offset == 0);
  CHECK(h.total_size() == batch.size());
  CHECK(h.records_count == 3);
  CHECK(h.last_offset_delta == 2);
  CHECK(h.base_timestamp == 1000);
  CHECK(h.max_timestamp == 1005);
  CHECK(h.producer_id == -1);
  CHECK(h.compression() == Compression::none);

  auto records = decode_records(batch);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 3);
  const auto& r = *records;
  CHECK(as_chars(*r[0].key) == "k1");
  CHECK(as_chars(*r[0].value) == "hello");
  REQUIRE(r[0].headers.size() == 1);
  CHECK(r[0].headers[0].key == "app");
  CHECK(as_chars(*r[0].headers[0].value) == "streamcraft");
  CHECK_FALSE(r[1].key.has_value());
  CHECK(r[1].timestamp == 1005);
  CHECK_FALSE(r[2].value.has_value());
  CHECK(r[2].timestamp == 999);
  CHECK(r[2].offset == 2);
  CHECK(r[2].headers.size() == 2);
}

TEST_CASE("rewriting baseOffset and partitionLeaderEpoch keeps the CRC valid", "[ch01][format]") {
  auto batch = test::make_batch(3);
  set_base_offset(batch, 123456789);
  set_partition_leader_epoch(batch, 7);
  REQUIRE(check_integrity(batch).ok());
  auto h = *decode_header(batch);
  CHECK(h.base_offset == 123456789);
  CHECK(h.partition_leader_epoch == 7);
  CHECK(h.last_offset() == 123456791);
  auto records = decode_records(batch);
  REQUIRE(records.ok());
  CHECK((*records)[2].offset == 123456791);
}

TEST_CASE("a batch with a wrong magic byte is rejected", "[ch01][format][bad-input]") {
  auto batch = test::make_batch(1);
  batch[layout::magic] = std::byte{1};
  auto s = check_integrity(batch);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == Errc::corrupt_message);
  CHECK_THAT(s.error().message, Catch::Contains("magic"));
}

TEST_CASE("a batch with a bad CRC is rejected", "[ch01][format][bad-input]") {
  auto batch = test::make_batch(2);
  batch.back() ^= std::byte{0x01};  // flip one bit of the last record
  auto s = check_integrity(batch);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == Errc::corrupt_message);
  CHECK_THAT(s.error().message, Catch::Contains("CRC"));
}

TEST_CASE("an absurd batch length is rejected without allocating", "[ch01][format][bad-input]") {
  auto batch = test::make_batch(1);
  store_be<std::int32_t>(batch.data() + layout::batch_length, std::numeric_limits<std::int32_t>::max());
  auto frame = read_frame(batch, 1 << 20);
  REQUIRE_FALSE(frame.ok());
  CHECK(frame.error().code == Errc::corrupt_message);
  CHECK_THAT(frame.error().message, Catch::Contains("more than the 1048576 allowed"));
  CHECK_FALSE(check_integrity(batch).ok());

  store_be<std::int32_t>(batch.data() + layout::batch_length, -5);
  CHECK_FALSE(read_frame(batch, 1 << 20).ok());
  CHECK_FALSE(check_integrity(batch).ok());
}

TEST_CASE("truncated batches are rejected at every length", "[ch01][format][bad-input]") {
  auto batch = test::make_batch(3);
  for (std::size_t n = 0; n < batch.size(); ++n) {
    ByteSpan part(batch.data(), n);
    REQUIRE_FALSE(check_integrity(part).ok());
    REQUIRE_FALSE(validate_client_batch(part).ok());
  }
}

TEST_CASE("client batches must agree with their own header", "[ch01][format][bad-input]") {
  auto fix_crc = [](Bytes& b) { store_be<std::uint32_t>(b.data() + layout::crc, compute_crc(b)); };

  auto batch = test::make_batch(3);
  store_be<std::int32_t>(batch.data() + layout::records_count, 4);
  fix_crc(batch);
  CHECK(validate_client_batch(batch).error().code == Errc::invalid_record);

  batch = test::make_batch(3);
  store_be<std::int16_t>(batch.data() + layout::attributes, 0x20);  // control batch
  fix_crc(batch);
  CHECK(validate_client_batch(batch).error().code == Errc::invalid_record);

  batch = test::make_batch(3);
  store_be<std::int16_t>(batch.data() + layout::attributes, 0x08);  // LogAppendTime
  fix_crc(batch);
  CHECK(validate_client_batch(batch).error().code == Errc::invalid_timestamp);

  // A record whose offsetDelta skips ahead: the header still says 3 records.
  batch = test::make_batch(3);
  auto records = decode_records(batch);
  REQUIRE(records.ok());
  std::size_t second = layout::records + (*records)[0].size_in_batch;
  // record layout: length varint (1 byte here), attributes, timestampDelta (1 byte), offsetDelta
  batch[second + 3] = std::byte{static_cast<unsigned char>(zigzag_encode(5))};
  fix_crc(batch);
  auto s = validate_client_batch(batch);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == Errc::corrupt_message);
  CHECK_THAT(s.error().message, Catch::Contains("offsetDelta"));

  CHECK(validate_client_batch(test::make_batch(3)).ok());
}

TEST_CASE("validation reports the records' true maxTimestamp", "[ch01][format]") {
  std::vector<RecordSpec> specs = {{"k", "a", {}, 1000}, {"k", "b", {}, 5000}, {"k", "c", {}, 3000}};
  auto batch = build_batch(specs);
  auto ok = validate_client_batch(batch);
  REQUIRE(ok.ok());
  CHECK(ok->records_max_timestamp == 5000);
  set_max_timestamp(batch, -1);  // as sarama 1.22 sends it
  REQUIRE(check_integrity(batch).ok());  // the CRC was recomputed
  auto wrong = validate_client_batch(batch);
  REQUIRE(wrong.ok());
  CHECK(wrong->records_max_timestamp == 5000);
  CHECK(decode_header(batch)->max_timestamp == -1);
  auto gzip = test::test_data("kcat-batch-gzip.bin");
  CHECK_FALSE(validate_client_batch(gzip)->records_max_timestamp.has_value());  // never decompressed
}

TEST_CASE("a batch with a producer id needs a sequence number", "[ch01][format][bad-input]") {
  BatchOptions idempotent;
  idempotent.producer_id = 42;
  idempotent.producer_epoch = 0;
  idempotent.base_sequence = 0;
  std::vector<RecordSpec> specs = {{"k", "v", {}, 1000}};
  CHECK(validate_client_batch(build_batch(specs, idempotent)).ok());
  idempotent.base_sequence = -1;
  CHECK(validate_client_batch(build_batch(specs, idempotent)).error().code == Errc::invalid_record);
}

TEST_CASE("hostile offsets and timestamps never overflow", "[ch01][format][bad-input]") {
  // Run under UBSan: INT64_MAX plus a delta must wrap, not be undefined behaviour.
  std::vector<RecordSpec> specs = {{"k", "a", {}, 0}, {"k", "b", {}, 1}};
  BatchOptions options;
  options.base_offset = std::numeric_limits<std::int64_t>::max();
  auto batch = build_batch(specs, options);
  store_be<std::int64_t>(batch.data() + layout::base_timestamp, std::numeric_limits<std::int64_t>::max());
  auto h = *decode_header(batch);
  CHECK(h.last_offset() == std::numeric_limits<std::int64_t>::min());  // wrapped
  auto records = decode_records(batch);
  REQUIRE(records.ok());
  CHECK((*records)[1].offset == std::numeric_limits<std::int64_t>::min());
}
