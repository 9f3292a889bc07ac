// generated from final/record/batch.h; edit there
// record/batch.h — Kafka's RecordBatch v2 ("magic 2"), the unit the log stores.
//
// A producer sends records in batches; the broker stores each batch as the exact bytes
// it received and later hands the same bytes to consumers. Only two header fields are
// ever rewritten by a broker, and both sit *outside* the CRC so that rewriting them
// needs no checksum work: baseOffset (the log assigns offsets) and partitionLeaderEpoch
// (replication, chapter 4). Everything from `attributes` to the end is covered by a
// CRC-32C that the client computed.
//
//   offset  size  field                 written by
//   0       8     baseOffset            the broker (clients send 0)
//   8       4     batchLength           bytes after this field (total = batchLength + 12)
//   12      4     partitionLeaderEpoch  the broker (leader's epoch)
//   16      1     magic                 2
//   17      4     crc                   CRC-32C of bytes 21..end
//   21      2     attributes            compression (bits 0-2), timestamp type (bit 3),
//                                       transactional (bit 4), control (bit 5)
//   23      4     lastOffsetDelta       offset of the last record relative to baseOffset
//   27      8     baseTimestamp
//   35      8     maxTimestamp
//   43      8     producerId            -1 when the producer is not idempotent
//   51      2     producerEpoch
//   53      4     baseSequence
//   57      4     recordsCount
//   61      …     records (compressed as one stream when compression is not none)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::record {

namespace layout {
inline constexpr std::size_t base_offset = 0;
inline constexpr std::size_t batch_length = 8;
inline constexpr std::size_t partition_leader_epoch = 12;
inline constexpr std::size_t magic = 16;
inline constexpr std::size_t crc = 17;
inline constexpr std::size_t attributes = 21;
inline constexpr std::size_t last_offset_delta = 23;
inline constexpr std::size_t base_timestamp = 27;
inline constexpr std::size_t max_timestamp = 35;
inline constexpr std::size_t producer_id = 43;
inline constexpr std::size_t producer_epoch = 51;
inline constexpr std::size_t base_sequence = 53;
inline constexpr std::size_t records_count = 57;
inline constexpr std::size_t records = 61;
// baseOffset + batchLength: the bytes in front of what batchLength counts.
inline constexpr std::size_t log_overhead = 12;
inline constexpr std::size_t header_size = 61;
}  // namespace layout

inline constexpr std::int8_t kMagicV2 = 2;

enum class Compression : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };
std::string_view compression_name(Compression c);

enum class TimestampType : std::uint8_t { create_time = 0, log_append_time = 1 };

// The decoded 61-byte header of one batch.
struct BatchHeader {
  std::int64_t base_offset = 0;
  std::int32_t batch_length = 0;
  std::int32_t partition_leader_epoch = -1;
  std::int8_t magic = kMagicV2;
  std::uint32_t crc = 0;
  std::int16_t attributes = 0;
  std::int32_t last_offset_delta = 0;
  std::int64_t base_timestamp = 0;
  std::int64_t max_timestamp = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
  std::int32_t records_count = 0;

  // Wrapping: on hostile input these may be nonsense, but never undefined behaviour.
  std::int64_t last_offset() const { return wrapping_add(base_offset, last_offset_delta); }
  std::int64_t next_offset() const { return wrapping_add(last_offset(), 1); }
  std::size_t total_size() const { return static_cast<std::size_t>(batch_length) + layout::log_overhead; }
  Compression compression() const { return static_cast<Compression>(attributes & 0x07); }
  TimestampType timestamp_type() const {
    return (attributes & 0x08) ? TimestampType::log_append_time : TimestampType::create_time;
  }
  bool is_transactional() const { return (attributes & 0x10) != 0; }
  bool is_control() const { return (attributes & 0x20) != 0; }
};

// Decodes the header fields. Needs at least 61 bytes; checks nothing else.
std::optional<BatchHeader> decode_header(ByteSpan bytes);

// The two fields that frame a batch in a file or buffer: where the next one starts.
struct BatchFrame {
  std::int64_t base_offset;
  std::size_t total_size;  // batchLength + 12, the bytes this batch occupies
};
// Reads baseOffset and batchLength from the first 12 bytes of `bytes`. Fails with
// CORRUPT_MESSAGE when fewer than 12 bytes are present or when batchLength is smaller
// than a header or larger than max_batch_size (a torn or hostile length must never make
// us allocate or read gigabytes).
Result<BatchFrame> read_frame(ByteSpan bytes, std::size_t max_batch_size);

// The CRC a batch should carry: CRC-32C over bytes [21, end).
std::uint32_t compute_crc(ByteSpan batch);

// Structure and checksum of exactly one batch: size matches batchLength, magic is 2,
// the stored CRC matches. This is what recovery and reads trust.
Status check_integrity(ByteSpan batch);

// What a broker additionally demands of a batch that arrives from a client
// (mirroring Kafka's LogValidator): integrity, at least one record, recordsCount equal
// to lastOffsetDelta + 1, not a control batch, a timestamp type the client may set, a
// base sequence when a producer id is set, and — for uncompressed batches — records
// that decode and match the header.
struct ClientBatch {
  // For uncompressed batches: the largest record timestamp, which may differ from the
  // header's maxTimestamp (some clients, e.g. sarama 1.22, leave it at -1).
  std::optional<std::int64_t> records_max_timestamp;
};
Result<ClientBatch> validate_client_batch(ByteSpan batch);

// In-place rewrites of the fields outside the CRC.
void set_base_offset(MutableByteSpan batch, std::int64_t base_offset);
void set_partition_leader_epoch(MutableByteSpan batch, std::int32_t epoch);
// Rewrites maxTimestamp, which lies inside the CRC, and recomputes the CRC.
void set_max_timestamp(MutableByteSpan batch, std::int64_t max_timestamp);

}  // namespace streamcraft::record
