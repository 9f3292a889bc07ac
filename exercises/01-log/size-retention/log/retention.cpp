// starter generated from final/log/retention.cpp for exercise size-retention; edit freely, this is your copy
// log/retention.cpp — retention decisions.
#include "log/retention.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

namespace streamcraft::log {

// Walk from the oldest segment. Track how many bytes are over the limit; a segment may go
// when its whole size fits in that excess. Never count the active (last) segment.
std::size_t segments_to_delete_by_size(std::span<const SegmentInfo> segments, std::int64_t retention_bytes) {
  streamcraft::not_implemented("01-log/size-retention", segments, retention_bytes);
}

std::size_t segments_to_delete_by_time(std::span<const SegmentInfo> segments, std::int64_t retention_ms,
                                       std::int64_t now_ms) {
  if (retention_ms < 0) return 0;
  std::size_t count = 0;
  while (count + 1 < segments.size() && segments[count].max_timestamp < now_ms - retention_ms) ++count;
  return count;
}

}  // namespace streamcraft::log
