// generated from tests/support/compressed_batch.h; edit there
// support/compressed_batch.h — compressed batches for tests, made the way a producer makes them.
//
// A producer encodes its records, compresses the records section as one stream, sets
// the codec bits of `attributes`, and computes batchLength and the CRC over the result.
// compress_batch does exactly that to a batch from record::build_batch, so a test can
// write any codec without a Kafka client.
#pragma once

#include <algorithm>

#include <stdexcept>

#include "record/batch.h"
#include "record/compression.h"
#include "record/record.h"

namespace streamcraft::test {

inline Bytes compress_batch(ByteSpan uncompressed, record::Compression codec,
                            const record::CompressOptions& options = {}) {
  namespace layout = record::layout;
  auto compressed = record::compress(codec, uncompressed.subspan(layout::records), options);
  if (!compressed) throw std::runtime_error(compressed.error().describe());
  // Sized once and filled (GCC 12's -Warray-bounds misreads an insert after a range
  // construction at -O2).
  Bytes out(layout::header_size + compressed->size());
  std::copy_n(uncompressed.begin(), layout::header_size, out.begin());
  std::copy(compressed->begin(), compressed->end(), out.begin() + layout::header_size);
  const auto attributes = load_be<std::int16_t>(out.data() + layout::attributes);
  store_be<std::int16_t>(out.data() + layout::attributes,
                         static_cast<std::int16_t>((attributes & ~0x07) | static_cast<int>(codec)));
  store_be<std::int32_t>(out.data() + layout::batch_length, static_cast<std::int32_t>(out.size() - layout::log_overhead));
  store_be<std::uint32_t>(out.data() + layout::crc, record::compute_crc(out));
  return out;
}

}  // namespace streamcraft::test
