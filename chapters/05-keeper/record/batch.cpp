// generated from final/record/batch.cpp; edit there
// record/batch.cpp — decoding, framing and validating RecordBatch v2 headers.
#include "record/batch.h"

#include <fmt/format.h>

#include "common/crc32c.h"
#include "record/record.h"

namespace streamcraft::record {

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "none";
    case Compression::gzip: return "gzip";
    case Compression::snappy: return "snappy";
    case Compression::lz4: return "lz4";
    case Compression::zstd: return "zstd";
  }
  return "unknown";
}

std::optional<BatchHeader> decode_header(ByteSpan b) {
  if (b.size() < layout::header_size) return std::nullopt;
  const std::byte* p = b.data();
  BatchHeader h;
  h.base_offset = load_be<std::int64_t>(p + layout::base_offset);
  h.batch_length = load_be<std::int32_t>(p + layout::batch_length);
  h.partition_leader_epoch = load_be<std::int32_t>(p + layout::partition_leader_epoch);
  h.magic = load_be<std::int8_t>(p + layout::magic);
  h.crc = load_be<std::uint32_t>(p + layout::crc);
  h.attributes = load_be<std::int16_t>(p + layout::attributes);
  h.last_offset_delta = load_be<std::int32_t>(p + layout::last_offset_delta);
  h.base_timestamp = load_be<std::int64_t>(p + layout::base_timestamp);
  h.max_timestamp = load_be<std::int64_t>(p + layout::max_timestamp);
  h.producer_id = load_be<std::int64_t>(p + layout::producer_id);
  h.producer_epoch = load_be<std::int16_t>(p + layout::producer_epoch);
  h.base_sequence = load_be<std::int32_t>(p + layout::base_sequence);
  h.records_count = load_be<std::int32_t>(p + layout::records_count);
  return h;
}

Result<BatchFrame> read_frame(ByteSpan b, std::size_t max_batch_size) {
  if (b.size() < layout::log_overhead)
    return make_error(Errc::corrupt_message,
                      fmt::format("only {} bytes, a batch needs at least {}", b.size(), layout::header_size));
  auto base_offset = load_be<std::int64_t>(b.data() + layout::base_offset);
  auto length = load_be<std::int32_t>(b.data() + layout::batch_length);
  constexpr auto min_length = static_cast<std::int32_t>(layout::header_size - layout::log_overhead);
  if (length < min_length)
    return make_error(Errc::corrupt_message,
                      fmt::format("batch length {} is smaller than a batch header ({})", length, min_length));
  auto total = static_cast<std::size_t>(length) + layout::log_overhead;
  if (total > max_batch_size)
    return make_error(Errc::corrupt_message, fmt::format("batch length {} means {} bytes, more than the {} allowed here",
                                                         length, total, max_batch_size));
  return BatchFrame{base_offset, total};
}

std::uint32_t compute_crc(ByteSpan batch) { return crc32c(batch.subspan(layout::attributes)); }

Status check_integrity(ByteSpan batch) {
  auto frame = read_frame(batch, batch.size() < layout::header_size ? layout::header_size : batch.size());
  if (!frame) return frame.error();
  if (batch.size() < layout::header_size || frame->total_size != batch.size())
    return make_error(Errc::corrupt_message, fmt::format("batch length says {} bytes but {} are present",
                                                         frame->total_size, batch.size()));
  auto h = *decode_header(batch);
  if (h.magic != kMagicV2)
    return make_error(Errc::corrupt_message,
                      fmt::format("unsupported magic {} (only RecordBatch v2, magic 2, is stored)", h.magic));
  if (std::uint32_t actual = compute_crc(batch); actual != h.crc)
    return make_error(Errc::corrupt_message,
                      fmt::format("CRC mismatch: batch says {:#010x}, bytes give {:#010x}", h.crc, actual));
  if (h.last_offset_delta < 0)
    return make_error(Errc::corrupt_message, fmt::format("negative lastOffsetDelta {}", h.last_offset_delta));
  return {};
}

Result<ClientBatch> validate_client_batch(ByteSpan batch) {
  if (auto s = check_integrity(batch); !s) return s.error();
  auto h = *decode_header(batch);
  if (h.records_count <= 0)
    return make_error(Errc::invalid_record, "a batch must hold at least one record");
  if (static_cast<std::int64_t>(h.last_offset_delta) + 1 != h.records_count)
    return make_error(Errc::invalid_record,
                      fmt::format("recordsCount {} does not match lastOffsetDelta {} + 1", h.records_count,
                                  h.last_offset_delta));
  if (h.is_control()) return make_error(Errc::invalid_record, "clients may not write control batches");
  if (h.timestamp_type() == TimestampType::log_append_time)
    return make_error(Errc::invalid_timestamp, "clients may not set the LogAppendTime attribute");
  // An idempotent producer (producerId set) numbers its batches (chapter 3).
  if (h.producer_id >= 0 && h.base_sequence < 0)
    return make_error(Errc::invalid_record, "a batch with a producer id needs a base sequence");
  ClientBatch info;
  if (h.compression() == Compression::none) {
    // Uncompressed records are cheap to walk, so we check that they agree with the
    // header. Compressed batches are trusted as a whole: the log never decompresses.
    auto summary = check_records(batch);
    if (!summary) return summary.error();
    info.records_max_timestamp = summary->max_timestamp;
  }
  return info;
}

void set_base_offset(MutableByteSpan batch, std::int64_t base_offset) {
  store_be<std::int64_t>(batch.data() + layout::base_offset, base_offset);
}

void set_partition_leader_epoch(MutableByteSpan batch, std::int32_t epoch) {
  store_be<std::int32_t>(batch.data() + layout::partition_leader_epoch, epoch);
}

void set_max_timestamp(MutableByteSpan batch, std::int64_t max_timestamp) {
  store_be<std::int64_t>(batch.data() + layout::max_timestamp, max_timestamp);
  store_be<std::uint32_t>(batch.data() + layout::crc, compute_crc(batch));
}

}  // namespace streamcraft::record
