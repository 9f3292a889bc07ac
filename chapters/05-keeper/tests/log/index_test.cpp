// generated from tests/log/index_test.cpp; edit there
// log/index_test.cpp — offset index lookups at every boundary, and its file format.
#include <catch2/catch.hpp>

#include "log/index.h"

using namespace streamcraft;
using namespace streamcraft::log;

TEST_CASE("index floor finds the last entry at or before the target", "[ch01][index]") {
  std::vector<IndexEntry> entries = {{10, 4100}, {20, 8300}, {35, 12500}};
  CHECK_FALSE(index_floor({}, 5).has_value());
  CHECK_FALSE(index_floor(entries, 0).has_value());
  CHECK_FALSE(index_floor(entries, 9).has_value());
  CHECK(index_floor(entries, 10) == IndexEntry{10, 4100});
  CHECK(index_floor(entries, 11) == IndexEntry{10, 4100});
  CHECK(index_floor(entries, 19) == IndexEntry{10, 4100});
  CHECK(index_floor(entries, 20) == IndexEntry{20, 8300});
  CHECK(index_floor(entries, 34) == IndexEntry{20, 8300});
  CHECK(index_floor(entries, 35) == IndexEntry{35, 12500});
  CHECK(index_floor(entries, 4'000'000'000u) == IndexEntry{35, 12500});
}

TEST_CASE("index entries are 8 big-endian bytes and round-trip", "[ch01][index]") {
  std::vector<IndexEntry> entries = {{1, 4096}, {0x01020304, 0x0a0b0c0d}};
  auto bytes = encode_index(entries);
  REQUIRE(bytes.size() == 16);
  CHECK(bytes[8] == std::byte{0x01});
  CHECK(bytes[11] == std::byte{0x04});
  CHECK(bytes[12] == std::byte{0x0a});
  auto decoded = decode_index(bytes, 0x10000000);
  REQUIRE(decoded.ok());
  CHECK(*decoded == entries);
}

TEST_CASE("a damaged index file is refused", "[ch01][index][bad-input]") {
  std::vector<IndexEntry> entries = {{1, 100}, {2, 200}};
  auto bytes = encode_index(entries);
  CHECK_FALSE(decode_index(ByteSpan(bytes).first(12), 1000).ok());  // partial entry
  CHECK_FALSE(decode_index(bytes, 150).ok());                        // points past the log
  std::vector<IndexEntry> backwards = {{2, 200}, {1, 300}};
  CHECK_FALSE(decode_index(encode_index(backwards), 1000).ok());
  std::vector<IndexEntry> same_position = {{1, 200}, {2, 200}};
  CHECK_FALSE(decode_index(encode_index(same_position), 1000).ok());
  CHECK(decode_index({}, 0).ok());
}
