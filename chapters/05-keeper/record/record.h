// generated from final/record/record.h; edit there
// record/record.h — the records inside an uncompressed RecordBatch v2, and a builder.
//
// Each record is: length (varint), attributes (int8, unused), timestampDelta (varlong),
// offsetDelta (varint), key length (varint, -1 = null) + key, value length + value,
// header count (varint) + headers (key length + key, value length + value). Deltas are
// relative to the batch's baseTimestamp and baseOffset, which is why the log can assign
// offsets to a whole batch by rewriting one header field.
//
// The log itself never needs to look inside records; decoding is for validation of
// uncompressed client batches, for reading them back in the CLI, and for the dump tool.
// From chapter 3 on, compaction looks inside too (log/cleaner.h): it decodes the records
// of uncompressed batches here, and of compressed ones after record/compression.h has
// decompressed them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "record/batch.h"

namespace streamcraft::record {

struct HeaderView {
  std::string_view key;
  std::optional<ByteSpan> value;
};

// One decoded record. The spans point into the batch bytes it was decoded from.
struct RecordView {
  std::int64_t offset = 0;     // baseOffset + offsetDelta
  std::int64_t timestamp = 0;  // baseTimestamp + timestampDelta
  std::optional<ByteSpan> key;
  std::optional<ByteSpan> value;
  std::vector<HeaderView> headers;
  std::size_t size_in_batch = 0;  // bytes of this record, including its length varint
};

// Decodes all records of one uncompressed batch (check_integrity first). Fails with
// CORRUPT_MESSAGE if the batch is compressed, if a record is malformed, if the number of
// records disagrees with recordsCount, or if offset deltas are not 0, 1, 2, …
Result<std::vector<RecordView>> decode_records(ByteSpan batch);
// The same checks as decode_records, without building anything (the append path).
struct RecordsSummary {
  std::int64_t max_timestamp = INT64_MIN;  // the largest record timestamp
};
Result<RecordsSummary> check_records(ByteSpan batch);
// Decodes `records`, the decompressed records of the batch with this header (see
// record/compression.h). Offset deltas need only increase, up to lastOffsetDelta: the
// cleaner leaves gaps inside the compressed batches it thins out, as Kafka's does.
Result<std::vector<RecordView>> decode_record_bytes(const BatchHeader& header, ByteSpan records);

// What a producer wants to send: the input of the builder.
struct RecordSpec {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t timestamp = 0;
};

struct BatchOptions {
  std::int64_t base_offset = 0;
  std::int32_t partition_leader_epoch = -1;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
};

// Encodes an uncompressed batch the way a Kafka client does, CRC included.
// Requires at least one record (an empty batch is a programmer error).
Bytes build_batch(std::span<const RecordSpec> records, const BatchOptions& options = {});

}  // namespace streamcraft::record
