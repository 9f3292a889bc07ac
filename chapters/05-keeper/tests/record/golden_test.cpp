// generated from tests/record/golden_test.cpp; edit there
// record/golden_test.cpp — batches captured from a real Kafka client (kcat 1.7.1 with
// librdkafka 2.0.2; see tests/data/kcat-batches.md for how they were captured).
//
// These bytes are what a real producer puts on the wire. The log must accept them,
// store them verbatim, and give them back unchanged except for baseOffset.
#include <catch2/catch.hpp>

#include "log/log.h"
#include "record/batch.h"
#include "record/record.h"
#include "support/log_fixture.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::record;

TEST_CASE("kcat's uncompressed batch decodes field by field", "[ch01][golden]") {
  auto batch = test::test_data("kcat-batch-uncompressed.bin");
  REQUIRE(batch.size() == 155);
  REQUIRE(check_integrity(batch).ok());
  REQUIRE(validate_client_batch(batch).ok());
  auto h = *decode_header(batch);
  CHECK(h.base_offset == 0);
  CHECK(h.batch_length == 143);
  CHECK(h.partition_leader_epoch == 0);
  CHECK(h.magic == 2);
  CHECK(h.crc == 0x78dfe10eu);
  CHECK(h.attributes == 0);
  CHECK(h.last_offset_delta == 2);
  CHECK(h.base_timestamp == 1795249642158);
  CHECK(h.max_timestamp == 1795249642158);
  CHECK(h.producer_id == -1);
  CHECK(h.producer_epoch == -1);
  CHECK(h.base_sequence == -1);
  CHECK(h.records_count == 3);

  auto records = decode_records(batch);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 3);
  const char* keys[] = {"k1", "k2", "k3"};
  const char* values[] = {"hello", "streamcraft", "log"};
  const std::size_t sizes[] = {30, 36, 28};  // record length varint (1 byte) + length
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& r = (*records)[i];
    CHECK(r.offset == static_cast<std::int64_t>(i));
    CHECK(r.timestamp == 1795249642158);
    CHECK(as_chars(*r.key) == keys[i]);
    CHECK(as_chars(*r.value) == values[i]);
    CHECK(r.size_in_batch == sizes[i]);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].key == "app");
    CHECK(as_chars(*r.headers[0].value) == "streamcraft");
  }
}

TEST_CASE("our batch builder writes the same bytes as librdkafka", "[ch01][golden]") {
  auto golden = test::test_data("kcat-batch-uncompressed.bin");
  std::vector<RecordSpec> specs = {
      {"k1", "hello", {{"app", "streamcraft"}}, 1795249642158},
      {"k2", "streamcraft", {{"app", "streamcraft"}}, 1795249642158},
      {"k3", "log", {{"app", "streamcraft"}}, 1795249642158},
  };
  BatchOptions options;
  options.partition_leader_epoch = 0;  // librdkafka sends 0 here
  CHECK(build_batch(specs, options) == golden);

  auto single = test::test_data("kcat-batch-null-key.bin");
  std::vector<RecordSpec> solo = {{std::nullopt, "solo", {}, decode_header(single)->base_timestamp}};
  CHECK(build_batch(solo, options) == single);
}

TEST_CASE("kcat's gzip batch is valid and is never decompressed", "[ch01][golden]") {
  auto batch = test::test_data("kcat-batch-gzip.bin");
  REQUIRE(check_integrity(batch).ok());
  REQUIRE(validate_client_batch(batch).ok());
  auto h = *decode_header(batch);
  CHECK(h.compression() == Compression::gzip);
  CHECK(h.records_count == 3);
  CHECK(h.crc == 0xfefd8837u);
  auto records = decode_records(batch);
  REQUIRE_FALSE(records.ok());
  CHECK_THAT(records.error().message, Catch::Contains("gzip"));
}

TEST_CASE("captured batches round-trip through the log unchanged except baseOffset", "[ch01][golden]") {
  test::LogFixture f;
  auto& log = f.open();
  std::vector<Bytes> originals;
  for (const char* name : {"kcat-batch-uncompressed.bin", "kcat-batch-gzip.bin", "kcat-batch-null-key.bin"})
    originals.push_back(test::test_data(name));

  std::vector<std::int64_t> expected_bases = {0, 3, 6};
  for (std::size_t i = 0; i < originals.size(); ++i) {
    Bytes copy = originals[i];
    auto info = log.append(copy);
    REQUIRE(info.ok());
    CHECK(info->first_offset == expected_bases[i]);
  }
  CHECK(log.log_end_offset() == 7);

  auto check_stored = [&](const log::Log& l) {
    for (std::size_t i = 0; i < originals.size(); ++i) {
      auto range = l.read(expected_bases[i], 1);  // max_bytes 1: still one whole batch
      REQUIRE(range.ok());
      auto stored = range->read();
      REQUIRE(stored.ok());
      REQUIRE(stored->size() == originals[i].size());
      // Bytes 0..7 are baseOffset, the one field the log writes.
      CHECK(decode_header(*stored)->base_offset == expected_bases[i]);
      CHECK(std::equal(stored->begin() + 8, stored->end(), originals[i].begin() + 8));
      CHECK(check_integrity(*stored).ok());
    }
  };
  check_stored(log);
  f.close_cleanly();
  check_stored(f.open());  // and after a restart
}
