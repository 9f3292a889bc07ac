// generated from final/log/leader_epoch_cache.cpp; edit there
// log/leader_epoch_cache.cpp — the epoch table's rules and its checkpoint format.
#include "log/leader_epoch_cache.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace streamcraft::log {

namespace {

bool ordered(std::span<const EpochEntry> entries) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].epoch < 0 || entries[i].start_offset < 0) return false;
    if (i > 0 && (entries[i].epoch <= entries[i - 1].epoch || entries[i].start_offset <= entries[i - 1].start_offset))
      return false;
  }
  return true;
}

}  // namespace

LeaderEpochCache::LeaderEpochCache(std::vector<EpochEntry> entries) : entries_(std::move(entries)) {}

bool LeaderEpochCache::assign(std::int32_t epoch, std::int64_t start_offset) {
  if (!entries_.empty()) {
    const auto& last = entries_.back();
    // The usual case, once per batch: the latest epoch goes on.
    if (last.epoch == epoch && last.start_offset <= start_offset) return false;
  }
  std::erase_if(entries_, [&](const EpochEntry& e) { return e.epoch >= epoch || e.start_offset >= start_offset; });
  entries_.push_back({epoch, start_offset});
  return true;
}

EpochEndOffset LeaderEpochCache::end_offset_for(std::int32_t epoch, std::int64_t log_end_offset) const {
  if (epoch == kUndefinedEpoch || entries_.empty()) return {};
  if (epoch == entries_.back().epoch) return {epoch, log_end_offset};
  // The first entry of a later epoch: where `epoch` (or the last epoch before it) ended.
  auto later = std::upper_bound(entries_.begin(), entries_.end(), epoch,
                                [](std::int32_t e, const EpochEntry& entry) { return e < entry.epoch; });
  if (later == entries_.end()) return {};  // newer than anything this log has seen
  if (later == entries_.begin()) return {epoch, later->start_offset};  // older than the table
  return {std::prev(later)->epoch, later->start_offset};
}

bool LeaderEpochCache::truncate_from_end(std::int64_t end_offset) {
  return std::erase_if(entries_, [&](const EpochEntry& e) { return e.start_offset >= end_offset; }) > 0;
}

bool LeaderEpochCache::truncate_from_start(std::int64_t start_offset) {
  // The entries that start at or before the new log start; the last of them still names
  // the epoch of the first record that is left.
  auto first_kept = std::upper_bound(entries_.begin(), entries_.end(), start_offset,
                                     [](std::int64_t o, const EpochEntry& entry) { return o < entry.start_offset; });
  if (first_kept == entries_.begin()) return false;
  EpochEntry moved = *std::prev(first_kept);
  const bool changed = moved.start_offset != start_offset || std::prev(first_kept) != entries_.begin();
  if (!changed) return false;
  moved.start_offset = start_offset;
  entries_.erase(entries_.begin(), first_kept);
  entries_.insert(entries_.begin(), moved);
  return true;
}

std::optional<std::int32_t> LeaderEpochCache::latest_epoch() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().epoch;
}

std::optional<std::int64_t> LeaderEpochCache::start_offset_of(std::int32_t epoch) const {
  for (const auto& e : entries_)
    if (e.epoch == epoch) return e.start_offset;
  return std::nullopt;
}

std::string LeaderEpochCache::encode() const {
  std::string out = fmt::format("0\n{}\n", entries_.size());
  for (const auto& e : entries_) out += fmt::format("{} {}\n", e.epoch, e.start_offset);
  return out;
}

Result<LeaderEpochCache> LeaderEpochCache::decode(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return make_error(Errc::corrupt_message, "leader-epoch-checkpoint: last line unfinished");
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  auto number = [](std::string_view s, auto& value) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    return ec == std::errc{} && p == s.data() + s.size();
  };
  std::int64_t count = 0;
  if (lines.size() < 2 || lines[0] != "0" || !number(lines[1], count) || count < 0 ||
      static_cast<std::size_t>(count) != lines.size() - 2)
    return make_error(Errc::corrupt_message, "leader-epoch-checkpoint: bad version or entry count");
  std::vector<EpochEntry> entries;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    auto space = lines[i].find(' ');
    EpochEntry e;
    if (space == std::string_view::npos || !number(lines[i].substr(0, space), e.epoch) ||
        !number(lines[i].substr(space + 1), e.start_offset))
      return make_error(Errc::corrupt_message, fmt::format("leader-epoch-checkpoint: bad entry on line {}", i + 1));
    entries.push_back(e);
  }
  if (!ordered(entries))
    return make_error(Errc::corrupt_message, "leader-epoch-checkpoint: epochs and offsets must both increase");
  return LeaderEpochCache(std::move(entries));
}

}  // namespace streamcraft::log
