// generated from final/log/index.h; edit there
// log/index.h — the sparse offset index of a segment (the `.index` file).
//
// To read offset N, the log must find the byte position of the batch holding N in a
// segment file that may be a gigabyte long. Scanning from the start would cost a read
// per batch; keeping a position for every batch would cost memory per batch. Kafka's
// answer, and ours, is a *sparse* index: one entry roughly every `index.interval.bytes`
// (4 KiB by default) of log data. A lookup finds the last entry at or before N by binary
// search and then scans forward at most ~4 KiB of batch headers.
//
// An entry is 8 bytes on disk: the batch's base offset relative to the segment's base
// offset (int32, big-endian) and the batch's byte position in the `.log` file (int32).
// Relative offsets keep entries small; they are why a segment holds at most 2^31 offsets.
//
// Invariants: entries are strictly increasing in both fields; every entry points at the
// start of a batch whose base offset is exactly base + relative_offset.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::log {

struct IndexEntry {
  std::uint32_t relative_offset = 0;
  std::uint32_t position = 0;
  bool operator==(const IndexEntry&) const = default;
};

inline constexpr std::size_t kIndexEntrySize = 8;

// The last entry whose relative offset is <= target, or nullopt if every entry is
// greater (the answer is then "start at position 0").
std::optional<IndexEntry> index_floor(std::span<const IndexEntry> entries, std::uint32_t target);

// On-disk form.
Bytes encode_index(std::span<const IndexEntry> entries);
// Decodes and checks an index file: whole entries, strictly increasing, every position
// below log_size. A failure means "rebuild this index from the log".
Result<std::vector<IndexEntry>> decode_index(ByteSpan bytes, std::uint64_t log_size);

}  // namespace streamcraft::log
