// generated from tests/record/compression_test.cpp; edit there
// record/compression_test.cpp — the four codecs: round trips, real clients' batches,
// damaged input and decompression bombs.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "record/batch.h"
#include "record/compression.h"
#include "record/record.h"
#include "support/compressed_batch.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::record;

namespace {

struct Codec {
  const char* name;
  Compression codec;
  SnappyFraming snappy = SnappyFraming::raw;
};
const Codec kCodecs[] = {
    {"gzip", Compression::gzip},
    {"snappy", Compression::snappy, SnappyFraming::raw},
    {"snappy-xerial", Compression::snappy, SnappyFraming::xerial},
    {"lz4", Compression::lz4},
    {"zstd", Compression::zstd},
};

// Bytes that compress somewhat but not trivially: text with a counter in it, and a run
// of pseudo-random bytes (a small LCG, so the test is the same every time).
Bytes sample(std::size_t size) {
  Bytes out;
  out.reserve(size);
  std::uint32_t x = 12345;
  for (std::size_t i = 0; out.size() < size; ++i) {
    if (i % 2 == 0) {
      auto text = "record number " + std::to_string(i) + " of the stream; ";
      for (char c : text) out.push_back(static_cast<std::byte>(c));
    } else {
      for (int k = 0; k < 16; ++k) {
        x = x * 1103515245 + 12345;
        out.push_back(static_cast<std::byte>(x >> 24));
      }
    }
  }
  out.resize(size);
  return out;
}

Bytes compressed(const Codec& c, ByteSpan input) {
  auto out = compress(c.codec, input, CompressOptions{c.snappy});
  INFO(c.name);
  REQUIRE(out.ok());
  return *out;
}

void check_corrupt(const Result<Bytes>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::corrupt_message);
}

template <class T>
bool is_corrupt(const Result<T>& r) {
  return !r.ok() && r.error().code == Errc::corrupt_message;
}

std::string text(const std::optional<ByteSpan>& s) { return s ? std::string(as_chars(*s)) : "<null>"; }

}  // namespace

TEST_CASE("each codec round trips bytes through compress and decompress", "[ch03]") {
  // 0 and 1 byte, a typical batch, and more than one lz4 block (64 KiB) and xerial
  // block (32 KiB).
  for (const auto& c : kCodecs) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1000}, std::size_t{300'000}}) {
      INFO(c.name << " " << size << " bytes");
      const Bytes input = sample(size);
      const Bytes packed = compressed(c, input);
      if (c.codec == Compression::snappy) CHECK(snappy_framing(packed) == c.snappy);
      auto unpacked = decompress(c.codec, packed);
      REQUIRE(unpacked.ok());
      CHECK(*unpacked == input);
      // Deterministic: the cleaner measures a recompressed batch before writing it.
      CHECK(compressed(c, input) == packed);
    }
  }
}

TEST_CASE("kcat's gzip snappy lz4 and zstd batches decompress to their records", "[ch03][golden]") {
  // See tests/data/kcat-batches.md: gzip and snappy carry the three records of the
  // uncompressed capture; lz4 and zstd the same keys with values that repeat.
  const std::vector<std::string> short_values = {"hello", "streamcraft", "log"};
  auto repeat = [](const std::string& word) {
    std::string s;
    for (int i = 0; i < 8; ++i) s += word + " ";
    return s;
  };
  const std::vector<std::string> long_values = {repeat("hello"), repeat("streamcraft"), repeat("log")};
  struct Sample {
    const char* file;
    Compression codec;
    const std::vector<std::string>* values;
  };
  const Sample samples[] = {{"kcat-batch-gzip.bin", Compression::gzip, &short_values},
                            {"kcat-batch-snappy.bin", Compression::snappy, &short_values},
                            {"kcat-batch-lz4.bin", Compression::lz4, &long_values},
                            {"kcat-batch-zstd.bin", Compression::zstd, &long_values}};
  const Bytes uncompressed = test::test_data("kcat-batch-uncompressed.bin");
  for (const auto& s : samples) {
    INFO(s.file);
    const Bytes batch = test::test_data(s.file);
    REQUIRE(check_integrity(batch).ok());
    const auto h = *decode_header(batch);
    REQUIRE(h.compression() == s.codec);
    auto content = decompress_records(batch);
    INFO((content ? std::string() : content.error().describe()));
    REQUIRE(content.ok());
    REQUIRE(content->records.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& r = content->records[i];
      CHECK(r.offset == static_cast<std::int64_t>(i));
      CHECK(r.timestamp == h.base_timestamp);
      CHECK(text(r.key) == "k" + std::to_string(i + 1));
      CHECK(text(r.value) == (*s.values)[i]);
      REQUIRE(r.headers.size() == 1);
      CHECK(r.headers[0].key == "app");
    }
    if (s.values == &short_values)  // the very bytes of the uncompressed capture
      CHECK(content->bytes == Bytes(uncompressed.begin() + layout::records, uncompressed.end()));
    // librdkafka writes snappy as one raw block, not in xerial's framing.
    if (s.codec == Compression::snappy) CHECK(content->snappy == SnappyFraming::raw);
  }
}

TEST_CASE("a snappy stream in xerial framing decodes like the raw blocks inside it", "[ch03]") {
  // The Java client's framing, built here by hand around librdkafka's raw block split in
  // two: magic, version 1, compatible version 1, then (int32 length, block) twice.
  const Bytes batch = test::test_data("kcat-batch-snappy.bin");
  const ByteSpan raw = ByteSpan(batch).subspan(layout::records);
  const Bytes records = *decompress(Compression::snappy, raw);
  const ByteSpan halves[] = {ByteSpan(records).first(40), ByteSpan(records).subspan(40)};
  Bytes framed = {std::byte{0x82}, std::byte{'S'}, std::byte{'N'}, std::byte{'A'},
                  std::byte{'P'},  std::byte{'P'}, std::byte{'Y'}, std::byte{0}};
  Bytes word(4);
  store_be<std::int32_t>(word.data(), 1);
  framed.insert(framed.end(), word.begin(), word.end());
  framed.insert(framed.end(), word.begin(), word.end());
  for (ByteSpan half : halves) {
    const Bytes block = *compress(Compression::snappy, half);  // raw
    store_be<std::int32_t>(word.data(), static_cast<std::int32_t>(block.size()));
    framed.insert(framed.end(), word.begin(), word.end());
    framed.insert(framed.end(), block.begin(), block.end());
  }
  REQUIRE(snappy_framing(framed) == SnappyFraming::xerial);
  auto out = decompress(Compression::snappy, framed);
  REQUIRE(out.ok());
  CHECK(*out == records);
  // A length running past the end is damage, not a short block.
  framed.pop_back();
  check_corrupt(decompress(Compression::snappy, framed));
}

TEST_CASE("damaged or truncated compressed data is CORRUPT_MESSAGE", "[ch03]") {
  const Bytes input = sample(5000);
  // Bytes that are no codec's stream: no gzip, lz4 or zstd magic, and as raw snappy a
  // claimed length the rest cannot produce.
  const Bytes garbage = {std::byte{0x40}, std::byte{0xde}, std::byte{0xad}, std::byte{0xbe}, std::byte{0xef},
                         std::byte{0x01}, std::byte{0x02}, std::byte{0x03}, std::byte{0x04}, std::byte{0x05}};
  for (const auto& c : kCodecs) {
    INFO(c.name);
    const Bytes packed = compressed(c, input);
    check_corrupt(decompress(c.codec, ByteSpan(packed).first(packed.size() / 2)));
    check_corrupt(decompress(c.codec, ByteSpan(packed).first(packed.size() - 1)));
    check_corrupt(decompress(c.codec, garbage));
  }
  check_corrupt(decompress(Compression::gzip, {}));
  check_corrupt(decompress(Compression::snappy, {}));
  check_corrupt(decompress(Compression::lz4, {}));
  check_corrupt(decompress(Compression::zstd, {}));
  // "none" and the unused codec numbers 5-7 are nothing to decompress.
  check_corrupt(decompress(Compression::none, input));
  check_corrupt(decompress(static_cast<Compression>(5), input));
  // A batch whose compressed records are damaged (its CRC recomputed, as a client that
  // wrote it so would): decompress_records says so, too.
  Bytes batch = test::test_data("kcat-batch-zstd.bin");
  batch[layout::records + 10] ^= std::byte{0x5a};
  store_be<std::uint32_t>(batch.data() + layout::crc, compute_crc(batch));
  REQUIRE(check_integrity(batch).ok());
  auto records = decompress_records(batch);
  REQUIRE_FALSE(records.ok());
  CHECK(records.error().code == Errc::corrupt_message);
}

TEST_CASE("a decompression bomb is refused with CORRUPT_MESSAGE before it exhausts memory", "[ch03]") {
  // A megabyte of zeros compresses to a few hundred bytes or less with every codec.
  constexpr std::size_t limit = 1 << 20;
  const Bytes at_limit(limit);
  const Bytes past_limit(limit + 1);
  for (const auto& c : kCodecs) {
    INFO(c.name);
    const Bytes fits = compressed(c, at_limit);
    const Bytes bomb = compressed(c, past_limit);
    CHECK(bomb.size() < limit / 16);
    auto ok = decompress(c.codec, fits, limit);
    REQUIRE(ok.ok());
    CHECK(ok->size() == limit);
    check_corrupt(decompress(c.codec, bomb, limit));
  }
  // Raw snappy states its length first: a claim of 4 GiB is refused before any
  // allocation (a varint 0xffffffff, then one literal byte).
  const Bytes claim = {std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xff},
                       std::byte{0x0f}, std::byte{0x00}, std::byte{0x41}};
  check_corrupt(decompress(Compression::snappy, claim));

  // The default limit, kMaxDecompressedBatchBytes, applies to a whole batch: a zstd
  // batch of one record whose value is 64 MiB of zeros, about 2 KiB on the wire.
  std::vector<RecordSpec> specs(1);
  specs[0].key = "k";
  specs[0].value = std::string(kMaxDecompressedBatchBytes, '\0');
  const Bytes batch = test::compress_batch(build_batch(specs), Compression::zstd);
  specs[0].value.reset();
  CHECK(batch.size() < 64 * 1024);
  REQUIRE(check_integrity(batch).ok());
  auto records = decompress_records(batch);
  REQUIRE_FALSE(records.ok());
  CHECK(records.error().code == Errc::corrupt_message);
}

TEST_CASE("records of a compacted compressed batch may have gaps between offset deltas", "[ch03]") {
  // What the cleaner leaves: records 0 and 2 of three, lastOffsetDelta still 2.
  std::vector<RecordSpec> specs = {{"a", "1", {}, 100}, {"b", "2", {}, 101}, {"c", "3", {}, 102}};
  const Bytes full = build_batch(specs);
  auto all = decode_records(full);
  REQUIRE(all.ok());
  const auto h = *decode_header(full);
  auto bytes_of = [&](std::size_t i) {
    std::size_t at = layout::records;
    for (std::size_t k = 0; k < i; ++k) at += (*all)[k].size_in_batch;
    return ByteSpan(full).subspan(at, (*all)[i].size_in_batch);
  };
  Bytes kept;
  for (std::size_t i : {0, 2}) {
    auto b = bytes_of(i);
    kept.insert(kept.end(), b.begin(), b.end());
  }
  auto thinned = h;
  thinned.records_count = 2;
  auto records = decode_record_bytes(thinned, kept);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].offset == 0);
  CHECK((*records)[1].offset == 2);
  CHECK(text((*records)[1].key) == "c");
  CHECK((*records)[1].timestamp == 102);

  // Deltas must increase and stay within lastOffsetDelta.
  Bytes backwards;
  for (std::size_t i : {2, 0}) {
    auto b = bytes_of(i);
    backwards.insert(backwards.end(), b.begin(), b.end());
  }
  CHECK(is_corrupt(decode_record_bytes(thinned, backwards)));
  auto shorter = thinned;
  shorter.last_offset_delta = 1;
  CHECK(is_corrupt(decode_record_bytes(shorter, kept)));
  // And a count the bytes do not hold is still an error.
  auto more = thinned;
  more.records_count = 3;
  CHECK(is_corrupt(decode_record_bytes(more, kept)));
}
