// generated from tests/log/time_index_test.cpp; edit there
// log/time_index_test.cpp — time index lookups at every boundary, and its file format.
#include <catch2/catch.hpp>

#include "log/time_index.h"

using namespace streamcraft;
using namespace streamcraft::log;

namespace {
const std::vector<TimeIndexEntry> kEntries = {{1000, 0}, {2000, 7}, {2500, 9}, {9000, 40}};
}

TEST_CASE("time index floor on an empty index", "[ch01][ex:time-index]") {
  CHECK_FALSE(time_index_floor({}, 0).has_value());
  CHECK_FALSE(time_index_floor({}, 1'700'000'000'000).has_value());
}

TEST_CASE("time index floor before the first entry", "[ch01][ex:time-index]") {
  CHECK_FALSE(time_index_floor(kEntries, 999).has_value());
  CHECK_FALSE(time_index_floor(kEntries, -1).has_value());
}

TEST_CASE("time index floor on exact timestamps", "[ch01][ex:time-index]") {
  for (const auto& e : kEntries) CHECK(time_index_floor(kEntries, e.timestamp) == e);
}

TEST_CASE("time index floor between and after entries", "[ch01][ex:time-index]") {
  CHECK(time_index_floor(kEntries, 1001) == TimeIndexEntry{1000, 0});
  CHECK(time_index_floor(kEntries, 1999) == TimeIndexEntry{1000, 0});
  CHECK(time_index_floor(kEntries, 2499) == TimeIndexEntry{2000, 7});
  CHECK(time_index_floor(kEntries, 8999) == TimeIndexEntry{2500, 9});
  CHECK(time_index_floor(kEntries, 9001) == TimeIndexEntry{9000, 40});
  CHECK(time_index_floor(kEntries, INT64_MAX) == TimeIndexEntry{9000, 40});
}

TEST_CASE("time index floor on a single entry and on many entries", "[ch01][ex:time-index]") {
  std::vector<TimeIndexEntry> one = {{50, 3}};
  CHECK_FALSE(time_index_floor(one, 49).has_value());
  CHECK(time_index_floor(one, 50) == TimeIndexEntry{50, 3});
  std::vector<TimeIndexEntry> many;
  for (std::uint32_t i = 0; i < 1000; ++i) many.push_back({10 * static_cast<std::int64_t>(i), i});
  for (std::int64_t t = 0; t < 10000; t += 3) REQUIRE(time_index_floor(many, t)->relative_offset == t / 10);
}

TEST_CASE("time index entries are 12 big-endian bytes and round-trip", "[ch01][index]") {
  auto bytes = encode_time_index(kEntries);
  REQUIRE(bytes.size() == kEntries.size() * 12);
  CHECK(bytes[7] == std::byte{0xe8});  // 1000 = 0x3e8
  auto decoded = decode_time_index(bytes);
  REQUIRE(decoded.ok());
  CHECK(*decoded == kEntries);
}

TEST_CASE("a damaged time index file is refused", "[ch01][index][bad-input]") {
  auto bytes = encode_time_index(kEntries);
  CHECK_FALSE(decode_time_index(ByteSpan(bytes).first(13)).ok());
  std::vector<TimeIndexEntry> not_increasing = {{1000, 0}, {1000, 5}};
  CHECK_FALSE(decode_time_index(encode_time_index(not_increasing)).ok());
  std::vector<TimeIndexEntry> offsets_backwards = {{1000, 5}, {2000, 4}};
  CHECK_FALSE(decode_time_index(encode_time_index(offsets_backwards)).ok());
}
