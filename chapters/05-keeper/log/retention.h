// generated from final/log/retention.h; edit there
// log/retention.h — which old segments to delete.
//
// A log cannot grow forever. Kafka deletes data a whole segment at a time, oldest first,
// when the partition is larger than `retention.bytes` or when a segment's newest record
// is older than `retention.ms`. Whole segments make deletion one unlink(2) instead of a
// rewrite, at the price of keeping up to one segment more than the limit asks. The
// active segment (the newest, still being appended to) is never deleted.
//
// These are pure functions over a description of the segments, so every boundary case
// can be tested without files. Log::apply_retention() carries out their verdict.
#pragma once

#include <cstdint>
#include <span>

namespace streamcraft::log {

struct SegmentInfo {
  std::int64_t base_offset = 0;
  std::uint64_t size_bytes = 0;
  std::int64_t max_timestamp = -1;  // largest record timestamp in the segment
};

// Given the segments oldest first (the last one is the active segment), how many of the
// oldest to delete so that the remaining size is as small as possible while still at
// least retention_bytes: delete a segment only if what remains after deleting it is
// still >= retention_bytes. retention_bytes < 0 means "no size limit".
std::size_t segments_to_delete_by_size(std::span<const SegmentInfo> segments, std::int64_t retention_bytes);

// How many of the oldest segments have max_timestamp < now_ms - retention_ms. Stops at
// the first segment that is young enough (retention deletes a prefix of the log).
// retention_ms < 0 means "keep forever".
std::size_t segments_to_delete_by_time(std::span<const SegmentInfo> segments, std::int64_t retention_ms,
                                       std::int64_t now_ms);

}  // namespace streamcraft::log
