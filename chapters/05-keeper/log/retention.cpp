// generated from final/log/retention.cpp; edit there
// log/retention.cpp — retention decisions.
#include "log/retention.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

namespace streamcraft::log {

// Walk from the oldest segment. Track how many bytes are over the limit; a segment may go
// when its whole size fits in that excess. Never count the active (last) segment.
std::size_t segments_to_delete_by_size(std::span<const SegmentInfo> segments, std::int64_t retention_bytes) {
  if (retention_bytes < 0 || segments.size() < 2) return 0;
  std::uint64_t total = 0;
  for (const auto& s : segments) total += s.size_bytes;
  if (total <= static_cast<std::uint64_t>(retention_bytes)) return 0;
  std::uint64_t excess = total - static_cast<std::uint64_t>(retention_bytes);
  std::size_t count = 0;
  while (count + 1 < segments.size() && segments[count].size_bytes <= excess) {
    excess -= segments[count].size_bytes;
    ++count;
  }
  return count;
}

std::size_t segments_to_delete_by_time(std::span<const SegmentInfo> segments, std::int64_t retention_ms,
                                       std::int64_t now_ms) {
  if (retention_ms < 0) return 0;
  std::size_t count = 0;
  while (count + 1 < segments.size() && segments[count].max_timestamp < now_ms - retention_ms) ++count;
  return count;
}

}  // namespace streamcraft::log
