// generated from final/fuzz/compression_fuzz.cpp; edit there
// fuzz/compression_fuzz.cpp — random bytes through the four decompressors (chapter 3).
//
// The cleaner decompresses what clients wrote. For any input, decompression must end in
// bytes or CORRUPT_MESSAGE, never allocate past its limit (libFuzzer's -rss_limit_mb
// and -malloc_limit_mb catch a bomb that gets through), and what it returns must survive
// a round trip through compress. An input of at least 61 bytes is read as a batch — its
// codec from the attributes, its records after the header, as the cleaner reads one —
// so the real clients' batches in tests/data are seeds; a shorter input is a codec
// number and a stream.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "record/batch.h"
#include "record/compression.h"
#include "record/record.h"

using namespace streamcraft;

namespace {
// Small enough that many executions fit in a second, large enough for real batches.
constexpr std::size_t kFuzzLimit = std::size_t{1} << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteSpan input(reinterpret_cast<const std::byte*>(data), size);
  if (input.empty()) return 0;
  record::Compression codec;
  ByteSpan stream;
  std::optional<record::BatchHeader> header;
  if (input.size() >= record::layout::header_size) {
    header = record::decode_header(input);
    codec = header->compression();
    stream = input.subspan(record::layout::records);
  } else {
    codec = static_cast<record::Compression>(data[0] % 8);  // 5-7 are no codec
    stream = input.subspan(1);
  }
  auto out = record::decompress(codec, stream, kFuzzLimit);
  if (!out) {
    if (out.error().code != Errc::corrupt_message) throw std::logic_error("decompress failed without CORRUPT_MESSAGE");
    return 0;
  }
  if (out->size() > kFuzzLimit) throw std::logic_error("decompress returned more than its limit");
  if (header) (void)record::decode_record_bytes(*header, *out);
  // What decodes must come back the same through our own compressor, in both snappy framings.
  for (auto framing : {record::SnappyFraming::raw, record::SnappyFraming::xerial}) {
    auto again = record::compress(codec, *out, record::CompressOptions{framing});
    if (!again) throw std::logic_error("compress failed on decompressed bytes");
    auto back = record::decompress(codec, *again, kFuzzLimit);
    if (!back || *back != *out) throw std::logic_error("round trip through compress changed the bytes");
    if (codec != record::Compression::snappy) break;
  }
  return 0;
}
