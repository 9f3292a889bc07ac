// generated from final/log/record_scan.cpp; edit there
// log/record_scan.cpp — reading a log back record by record.
#include "log/record_scan.h"

#include <algorithm>

#include <fmt/format.h>

namespace streamcraft::log {

Status for_each_record(const Log& log, std::int64_t from, const RecordVisitor& visit) {
  const std::int64_t start = std::max(from, log.log_start_offset());
  std::int64_t offset = start;
  while (offset < log.log_end_offset()) {
    const auto before = offset;
    auto range = log.read(offset, 1 << 20);
    if (!range) return range.error();
    if (range->size == 0) break;
    auto bytes = range->read();
    if (!bytes) return bytes.error();
    ByteSpan rest(*bytes);
    while (!rest.empty()) {
      auto frame = record::read_frame(rest, rest.size());
      if (!frame) return frame.error();
      const auto batch = rest.first(frame->total_size);
      auto header = record::decode_header(batch);
      auto records = record::decode_records(batch);
      if (!header) return make_error(Errc::corrupt_message, fmt::format("no batch header at offset {}", offset));
      if (!records) return records.error();
      for (const auto& r : *records) {
        if (r.offset < start) continue;  // the front of a batch the log start cut into
        offset = r.offset + 1;
        auto go_on = visit(*header, r);
        if (!go_on) return go_on.error();
        if (!*go_on) return {};
      }
      rest = rest.subspan(frame->total_size);
    }
    // A log whose reads do not move forward is damaged; stop rather than loop.
    if (offset == before) return make_error(Errc::corrupt_message, fmt::format("no record at offset {}", offset));
  }
  return {};
}

}  // namespace streamcraft::log
