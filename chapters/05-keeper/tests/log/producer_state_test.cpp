// generated from tests/log/producer_state_test.cpp; edit there
// log/producer_state_test.cpp — idempotent appends: duplicates, gaps, fencing, restart.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "log/producer_state.h"
#include "record/record.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::log;
using streamcraft::test::LogFixture;

namespace {

// A batch of `count` records from producer `pid` with epoch and base sequence.
Bytes idempotent_batch(std::int64_t pid, std::int16_t epoch, std::int32_t base_sequence, int count) {
  std::vector<record::RecordSpec> specs;
  for (int i = 0; i < count; ++i)
    specs.push_back({std::nullopt, fmt::format("seq-{}", base_sequence + i), {}, 1'700'000'000'000 + i});
  record::BatchOptions o;
  o.producer_id = pid;
  o.producer_epoch = epoch;
  o.base_sequence = base_sequence;
  return record::build_batch(specs, o);
}

record::BatchHeader header(std::int64_t pid, std::int16_t epoch, std::int32_t base_sequence, int count,
                           std::int64_t base_offset = 0) {
  record::BatchHeader h;
  h.producer_id = pid;
  h.producer_epoch = epoch;
  h.base_sequence = base_sequence;
  h.last_offset_delta = count - 1;
  h.records_count = count;
  h.base_offset = base_offset;
  return h;
}

}  // namespace

TEST_CASE("a new producer starts at sequence 0 and continues without gaps", "[ch03][ex:sequence-check]") {
  ProducerStateTable t;
  CHECK(t.check(header(7, 0, 0, 3)).ok());
  CHECK(t.check(header(7, 0, 5, 3)).error().code == Errc::unknown_producer_id);
  t.record(header(7, 0, 0, 3, 100));
  CHECK_FALSE(t.check(header(7, 0, 3, 2))->duplicate_of.has_value());
  CHECK(t.check(header(7, 0, 4, 2)).error().code == Errc::out_of_order_sequence_number);
  CHECK(t.check(header(7, 0, 2, 2)).error().code == Errc::out_of_order_sequence_number);
}

TEST_CASE("a retried batch is recognised among the last five and carries its original offsets", "[ch03][ex:sequence-check]") {
  ProducerStateTable t;
  for (int i = 0; i < 7; ++i) t.record(header(1, 0, i * 10, 10, 1000 + i * 10));
  auto dup = t.check(header(1, 0, 60, 10));
  REQUIRE(dup.ok());
  REQUIRE(dup->duplicate_of.has_value());
  CHECK(dup->duplicate_of->first_offset == 1060);
  CHECK(dup->duplicate_of->last_offset == 1069);
  CHECK(t.check(header(1, 0, 20, 10))->duplicate_of.has_value());  // the 5th newest
  // Older than the last five: neither a known duplicate nor the next batch.
  CHECK(t.check(header(1, 0, 10, 10)).error().code == Errc::out_of_order_sequence_number);
  CHECK(t.entries().at(1).batches.size() == kProducerBatchesKept);
}

TEST_CASE("an older epoch is fenced and a newer one starts over at sequence 0", "[ch03][ex:sequence-check]") {
  ProducerStateTable t;
  t.record(header(3, 2, 0, 5));
  CHECK(t.check(header(3, 1, 5, 1)).error().code == Errc::invalid_producer_epoch);
  CHECK(t.check(header(3, 3, 5, 1)).error().code == Errc::out_of_order_sequence_number);
  CHECK(t.check(header(3, 3, 0, 1)).ok());
  t.record(header(3, 3, 0, 1));
  CHECK(t.entries().at(3).epoch == 3);
  CHECK(t.entries().at(3).batches.size() == 1);
}

TEST_CASE("sequence numbers wrap from INT32_MAX to 0", "[ch03][ex:sequence-check]") {
  CHECK(last_sequence_of(INT32_MAX - 1, 3) == 1);
  CHECK(last_sequence_of(5, 0) == 5);
  ProducerStateTable t;
  t.record(header(9, 0, INT32_MAX - 1, 2));
  CHECK(t.check(header(9, 0, 0, 1)).ok());
}

TEST_CASE("the producer state snapshot round-trips and a damaged one is refused", "[ch03]") {
  ProducerStateTable t;
  t.record(header(1, 0, 0, 3, 10));
  t.record(header(2, 4, 0, 1, 13));
  auto bytes = t.encode_snapshot(14);
  ProducerStateTable back;
  auto at = back.load_snapshot(bytes);
  REQUIRE(at.ok());
  CHECK(*at == 14);
  REQUIRE(back.entries().size() == 2);
  CHECK(back.entries().at(2).epoch == 4);
  CHECK(back.entries().at(1).batches.back().last_offset == 12);
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(back.load_snapshot(ByteSpan(bytes).first(n)).ok());
  bytes[bytes.size() - 1] ^= std::byte{1};
  CHECK(back.load_snapshot(bytes).error().code == Errc::corrupt_message);
}

TEST_CASE("the log answers a retried batch with its first offsets and does not append it again", "[ch03]") {
  LogFixture f;
  auto& log = f.open();
  f.append(2);  // a plain batch first: offsets 0..1
  auto first = idempotent_batch(42, 0, 0, 3);
  auto retry = first;  // the same bytes, as a producer retries them
  auto a = log.append(first);
  REQUIRE(a.ok());
  CHECK(a->first_offset == 2);
  auto b = log.append(retry);
  REQUIRE(b.ok());
  CHECK(b->duplicate);
  CHECK(b->first_offset == 2);
  CHECK(b->last_offset == 4);
  CHECK(log.log_end_offset() == 5);
  auto gap = idempotent_batch(42, 0, 5, 1);
  CHECK(log.append(gap).error().code == Errc::out_of_order_sequence_number);
  auto next = idempotent_batch(42, 0, 3, 1);
  CHECK(log.append(next)->first_offset == 5);
  CHECK(test::read_all(log, 0).size() == 6);
}

TEST_CASE("producer state survives a clean restart and a crash", "[ch03]") {
  LogFixture f;
  f.config.segment_bytes = 300;  // rolls, so snapshots are written along the way
  f.open();
  for (int i = 0; i < 6; ++i) {
    auto batch = idempotent_batch(5, 0, i * 2, 2);
    REQUIRE(f.log->append(batch).ok());
  }
  f.close_cleanly();
  f.open();
  auto retry = idempotent_batch(5, 0, 10, 2);
  auto again = f.log->append(retry);
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->first_offset == 10);
  auto more = idempotent_batch(5, 0, 12, 2);
  REQUIRE(f.log->append(more).ok());
  f.open();  // a crash: no clean close; the tail after the last snapshot is re-read
  auto retry2 = idempotent_batch(5, 0, 12, 2);
  auto r2 = f.log->append(retry2);
  REQUIRE(r2.ok());
  CHECK(r2->duplicate);
  CHECK(r2->first_offset == 12);
  CHECK(f.log->log_end_offset() == 14);
}

TEST_CASE("a damaged producer state snapshot is rebuilt from the log", "[ch03]") {
  LogFixture f;
  f.open();
  auto batch = idempotent_batch(8, 0, 0, 4);
  REQUIRE(f.log->append(batch).ok());
  f.close_cleanly();
  REQUIRE(f.fs->write_atomically(f.dir.path() / Log::kProducerStateFile, Bytes(5, std::byte{0x7f})).ok());
  f.open();
  auto retry = idempotent_batch(8, 0, 0, 4);
  auto r = f.log->append(retry);
  REQUIRE(r.ok());
  CHECK(r->duplicate);
}

TEST_CASE("truncating the log forgets the producer batches above the cut", "[ch03]") {
  LogFixture f;
  f.open();
  for (int i = 0; i < 3; ++i) {
    auto batch = idempotent_batch(4, 0, i * 2, 2);
    REQUIRE(f.log->append(batch).ok());
  }
  REQUIRE(f.log->truncate_to(4).ok());
  // The batch at sequences 4..5 is gone: it is the next one again, not a duplicate.
  auto again = idempotent_batch(4, 0, 4, 2);
  auto r = f.log->append(again);
  REQUIRE(r.ok());
  CHECK_FALSE(r->duplicate);
  CHECK(r->first_offset == 4);
}
