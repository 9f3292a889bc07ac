// generated from final/log/time_index.h; edit there
// log/time_index.h — the sparse time index of a segment (the `.timeindex` file).
//
// Consumers sometimes ask "where does the data of 9 o'clock start?" (ListOffsets by
// timestamp, kcat -o s@…). Timestamps in a log are set by producers and need not be in
// order, so the time index records the *largest timestamp seen so far* together with
// the first offset at which it was reached: an entry (t, o) promises that every record
// before offset o has a timestamp smaller than t. Entries are added at the same cadence
// as offset-index entries, and only when the largest timestamp grew.
//
// An entry is 12 bytes on disk: timestamp (int64) and relative offset (int32), big-endian.
// Invariant: both fields strictly increase from entry to entry.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::log {

struct TimeIndexEntry {
  std::int64_t timestamp = 0;
  std::uint32_t relative_offset = 0;
  bool operator==(const TimeIndexEntry&) const = default;
};

inline constexpr std::size_t kTimeIndexEntrySize = 12;

// The last entry whose timestamp is <= target, or nullopt when every entry's timestamp is
// greater than target (or there are no entries). Because of the promise above, a search
// for the first record with timestamp >= target can start at the returned entry's offset
// (or at the start of the segment when nullopt): nothing before it can qualify.
std::optional<TimeIndexEntry> time_index_floor(std::span<const TimeIndexEntry> entries, std::int64_t target);

Bytes encode_time_index(std::span<const TimeIndexEntry> entries);
// Decodes and checks: whole entries, both fields strictly increasing.
Result<std::vector<TimeIndexEntry>> decode_time_index(ByteSpan bytes);

}  // namespace streamcraft::log
