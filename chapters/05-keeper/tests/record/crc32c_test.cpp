// generated from tests/record/crc32c_test.cpp; edit there
// record/crc32c_test.cpp — CRC-32C against known values, and hardware against software.
#include <catch2/catch.hpp>

#include <random>

#include "common/crc32c.h"

using namespace streamcraft;

TEST_CASE("crc32c matches the standard check value", "[ch01][crc]") {
  // "123456789" → 0xE3069283 is the published check value of CRC-32C (Castagnoli).
  CHECK(crc32c(as_bytes("123456789")) == 0xE3069283u);
  CHECK(crc32c_software(as_bytes("123456789")) == 0xE3069283u);
  CHECK(crc32c(as_bytes("")) == 0u);
}

TEST_CASE("crc32c hardware and software paths agree at every length and alignment", "[ch01][crc]") {
  std::mt19937 rng(42);
  Bytes data(300);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  for (std::size_t start = 0; start < 9; ++start)
    for (std::size_t len = 0; start + len <= data.size(); len += 7) {
      ByteSpan s(data.data() + start, len);
      REQUIRE(crc32c(s) == crc32c_software(s));
    }
}

TEST_CASE("crc32c can be computed in pieces", "[ch01][crc]") {
  auto whole = crc32c(as_bytes("hello, streamcraft"));
  auto part = crc32c(as_bytes(", streamcraft"), crc32c(as_bytes("hello")));
  CHECK(whole == part);
}

TEST_CASE("crc32c of long buffers matches the bytewise definition", "[ch01][crc]") {
  // Long buffers take the three-stream path, whose partial CRCs are combined; compare
  // it with the software version at lengths around the lane boundaries.
  std::mt19937 rng(7);
  Bytes data(70'000);
  for (auto& b : data) b = static_cast<std::byte>(rng());
  for (std::size_t len : {3071u, 3072u, 3073u, 3080u, 4096u, 16'384u, 16'391u, 65'536u, 69'999u}) {
    for (std::size_t start : {0u, 1u, 5u}) {
      ByteSpan s(data.data() + start, std::min(len, data.size() - start));
      REQUIRE(crc32c(s) == crc32c_software(s));
      REQUIRE(crc32c(s, 0x12345678) == crc32c_software(s, 0x12345678));
    }
  }
}
