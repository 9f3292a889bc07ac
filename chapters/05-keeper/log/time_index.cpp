// generated from final/log/time_index.cpp; edit there
// log/time_index.cpp — time index lookup and (de)serialisation.
#include "log/time_index.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <fmt/format.h>

namespace streamcraft::log {

// Find the last entry with timestamp <= target. Entries are sorted by timestamp
// (strictly increasing), so a binary search does it in O(log n). Return nullopt when the
// span is empty or its first entry is already later than target.
std::optional<TimeIndexEntry> time_index_floor(std::span<const TimeIndexEntry> entries, std::int64_t target) {
  std::size_t lo = 0;
  std::size_t hi = entries.size();  // answer index is in [lo, hi); search for first entry > target
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (entries[mid].timestamp <= target)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return std::nullopt;
  return entries[lo - 1];
}

Bytes encode_time_index(std::span<const TimeIndexEntry> entries) {
  Bytes out(entries.size() * kTimeIndexEntrySize);
  std::byte* p = out.data();
  for (const auto& e : entries) {
    store_be<std::int64_t>(p, e.timestamp);
    store_be<std::uint32_t>(p + 8, e.relative_offset);
    p += kTimeIndexEntrySize;
  }
  return out;
}

Result<std::vector<TimeIndexEntry>> decode_time_index(ByteSpan bytes) {
  if (bytes.size() % kTimeIndexEntrySize != 0)
    return make_error(Errc::corrupt_message, fmt::format("time index size {} is not a multiple of {}",
                                                         bytes.size(), kTimeIndexEntrySize));
  std::vector<TimeIndexEntry> entries;
  entries.reserve(bytes.size() / kTimeIndexEntrySize);
  for (std::size_t i = 0; i < bytes.size(); i += kTimeIndexEntrySize) {
    TimeIndexEntry e{load_be<std::int64_t>(bytes.data() + i), load_be<std::uint32_t>(bytes.data() + i + 8)};
    if (!entries.empty() &&
        (e.timestamp <= entries.back().timestamp || e.relative_offset <= entries.back().relative_offset))
      return make_error(Errc::corrupt_message,
                        fmt::format("time index entry {} is not increasing", i / kTimeIndexEntrySize));
    entries.push_back(e);
  }
  return entries;
}

}  // namespace streamcraft::log
