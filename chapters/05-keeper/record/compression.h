// generated from final/record/compression.h; edit there
// record/compression.h — the four codecs of RecordBatch v2, for the log cleaner.
//
// A compressed batch keeps its 61-byte header in the clear and compresses only what
// follows it: the records, as one stream. The broker stores such a batch as it came and
// a consumer decompresses it; only compaction (log/cleaner.h) must look inside, because
// the keys it compares are in the compressed part. So this is the one place where the
// broker turns bytes a client wrote into a buffer whose size the client chose — and the
// first rule here is that a decompressed stream is never larger than the caller's limit.
//
//   codec  attributes  what Kafka clients write
//   gzip   1           a gzip stream (RFC 1952; members may be concatenated)
//   snappy 2           librdkafka: one raw snappy block; the Java client: xerial's
//                      framing ("\x82SNAPPY\0", two int32 versions, then blocks of an
//                      int32 length and a raw snappy block). Both are read; compress
//                      writes whichever the caller asks for.
//   lz4    3           an LZ4 frame (the lz4 frame format, independent blocks). The
//                      broken header checksum of KIP-57 concerns only magic 0 and 1.
//   zstd   4           one or more zstd frames
//
// Invariants: decompress never allocates more than max_output (+ one byte to see that
// a stream goes past it) plus the codec's own bounded state, and reports anything it
// cannot decode — damaged, truncated, or too large — as CORRUPT_MESSAGE. compress is
// deterministic: the same input gives the same bytes, which the cleaner relies on
// (it measures what it will write before writing it).
#pragma once

#include <cstddef>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "record/batch.h"
#include "record/record.h"

namespace streamcraft::record {

// The most bytes one batch may decompress to: 64 MiB. A producer compresses what it
// gathered into one batch, which is bounded by its batch size (librdkafka's batch.size
// is 1,000,000 bytes, the Java client's 16 KiB — or one record up to max.request.size,
// 1 MiB) and by the broker's max.message.bytes (1 MiB here), so a real batch decompresses
// to a few MiB at most; 64 MiB leaves room for producers configured for large messages.
// Without a limit, a "decompression bomb" — a 1 MiB batch of zstd or gzip that expands
// a thousandfold or more — would make the cleaner allocate gigabytes and could take the
// broker down; with it, such a batch is simply a batch the cleaner cannot read.
inline constexpr std::size_t kMaxDecompressedBatchBytes = std::size_t{64} << 20;

enum class SnappyFraming { raw, xerial };
// How a snappy stream is framed: xerial when it starts with xerial's magic header.
SnappyFraming snappy_framing(ByteSpan compressed);

// Decompresses one stream. CORRUPT_MESSAGE if it does not decode, if it would exceed
// max_output bytes, or for Compression::none and unknown codecs.
Result<Bytes> decompress(Compression codec, ByteSpan input, std::size_t max_output = kMaxDecompressedBatchBytes);

struct CompressOptions {
  SnappyFraming snappy = SnappyFraming::raw;
};
// Compresses one stream with each codec's usual default level (gzip 6, lz4 fast,
// zstd 3). Fails only if the library does (or for none and unknown codecs).
Result<Bytes> compress(Compression codec, ByteSpan input, const CompressOptions& options = {});

// The records of one compressed batch (check_integrity first). The views point into
// `bytes`, the decompressed records, so the object is movable but not copyable.
struct DecompressedRecords {
  Bytes bytes;
  std::vector<RecordView> records;
  SnappyFraming snappy = SnappyFraming::raw;  // for recompressing a snappy batch alike

  DecompressedRecords() = default;
  DecompressedRecords(DecompressedRecords&&) = default;
  DecompressedRecords& operator=(DecompressedRecords&&) = default;
  DecompressedRecords(const DecompressedRecords&) = delete;
  DecompressedRecords& operator=(const DecompressedRecords&) = delete;
};
// Decompresses a batch's records and decodes them (decode_record_bytes: a compacted
// batch may have gaps between its offset deltas).
Result<DecompressedRecords> decompress_records(ByteSpan batch, std::size_t max_output = kMaxDecompressedBatchBytes);

}  // namespace streamcraft::record
