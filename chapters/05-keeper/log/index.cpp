// generated from final/log/index.cpp; edit there
// log/index.cpp — offset index lookup and (de)serialisation.
#include "log/index.h"

#include <algorithm>

#include <fmt/format.h>

namespace streamcraft::log {

std::optional<IndexEntry> index_floor(std::span<const IndexEntry> entries, std::uint32_t target) {
  // upper_bound finds the first entry greater than target; the one before it is the floor.
  auto it = std::upper_bound(entries.begin(), entries.end(), target,
                             [](std::uint32_t t, const IndexEntry& e) { return t < e.relative_offset; });
  if (it == entries.begin()) return std::nullopt;
  return *std::prev(it);
}

Bytes encode_index(std::span<const IndexEntry> entries) {
  Bytes out(entries.size() * kIndexEntrySize);
  std::byte* p = out.data();
  for (const auto& e : entries) {
    store_be<std::uint32_t>(p, e.relative_offset);
    store_be<std::uint32_t>(p + 4, e.position);
    p += kIndexEntrySize;
  }
  return out;
}

Result<std::vector<IndexEntry>> decode_index(ByteSpan bytes, std::uint64_t log_size) {
  if (bytes.size() % kIndexEntrySize != 0)
    return make_error(Errc::corrupt_message,
                      fmt::format("index size {} is not a multiple of {}", bytes.size(), kIndexEntrySize));
  std::vector<IndexEntry> entries;
  entries.reserve(bytes.size() / kIndexEntrySize);
  for (std::size_t i = 0; i < bytes.size(); i += kIndexEntrySize) {
    IndexEntry e{load_be<std::uint32_t>(bytes.data() + i), load_be<std::uint32_t>(bytes.data() + i + 4)};
    if (!entries.empty() && (e.relative_offset <= entries.back().relative_offset ||
                             e.position <= entries.back().position))
      return make_error(Errc::corrupt_message, fmt::format("index entry {} is not increasing", i / kIndexEntrySize));
    if (e.position >= log_size)
      return make_error(Errc::corrupt_message,
                        fmt::format("index entry {} points at {}, past the end of the log ({})",
                                    i / kIndexEntrySize, e.position, log_size));
    entries.push_back(e);
  }
  return entries;
}

}  // namespace streamcraft::log
