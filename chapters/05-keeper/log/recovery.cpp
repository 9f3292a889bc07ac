// generated from final/log/recovery.cpp; edit there
// log/recovery.cpp — the recovery scan.
#include "log/recovery.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <fmt/format.h>

#include "record/batch.h"

namespace streamcraft::log {

// Walk the file batch by batch. For each position: read the frame (12 bytes) and check
// its length against what is left in the file; read the whole batch; check its
// integrity (record::check_integrity); check that its base offset is the one expected;
// then report it through on_batch and move on. Stop at the first batch that fails, with
// a stop_reason saying where and why; a clean end of file has no stop_reason.
Result<ScanResult> scan_segment(const File& log, std::int64_t base_offset,
                                const std::function<void(const BatchLocation&)>& on_batch) {
  ScanResult result;
  result.next_offset = base_offset;
  const std::uint64_t file_size = log.size();
  Bytes buffer;
  std::uint64_t pos = 0;
  auto stop = [&](std::string why) {
    result.stop_reason = make_error(Errc::corrupt_message, fmt::format("at position {}: {}", pos, why));
  };

  while (pos < file_size) {
    const std::uint64_t left = file_size - pos;
    std::byte frame_bytes[record::layout::log_overhead];
    if (left < sizeof frame_bytes) {
      stop(fmt::format("{} trailing bytes, too few for a batch frame (torn write)", left));
      break;
    }
    auto n = log.read_at(frame_bytes, pos);
    if (!n) return n.error();
    // The length may not point past the end of the file: that is a torn write, and
    // believing it could make us read or allocate far more than exists.
    auto frame = record::read_frame(ByteSpan(frame_bytes, *n), static_cast<std::size_t>(left));
    if (!frame) {
      stop(frame.error().message + " (torn write or corrupt length)");
      break;
    }
    buffer.resize(frame->total_size);
    auto got = log.read_at(buffer, pos);
    if (!got) return got.error();
    if (*got != buffer.size()) {
      stop("batch is cut short by the end of the file");
      break;
    }
    if (auto ok = record::check_integrity(buffer); !ok) {
      stop(ok.error().message);
      break;
    }
    auto header = *record::decode_header(buffer);
    if (header.base_offset != result.next_offset) {
      stop(fmt::format("batch has base offset {} where {} was expected", header.base_offset, result.next_offset));
      break;
    }
    on_batch(BatchLocation{header.base_offset, header.last_offset(), pos,
                           static_cast<std::uint32_t>(frame->total_size), header.max_timestamp});
    pos += frame->total_size;
    result.next_offset = header.next_offset();
    result.valid_bytes = pos;
    ++result.batches;
  }
  return result;
}

}  // namespace streamcraft::log
