// generated from final/log/producer_state.cpp; edit there
// log/producer_state.cpp — sequence checks, and the producer-state snapshot format.
#include "log/producer_state.h"
#include "common/not_implemented.h"  // the stubs of this file's exercises

#include <fmt/format.h>

#include "common/crc32c.h"

namespace streamcraft::log {

namespace {
constexpr std::int16_t kSnapshotVersion = 1;
// version int16 · crc32c of the rest uint32 · offset int64 · count int32 · entries
constexpr std::size_t kSnapshotHeader = 2 + 4 + 8 + 4;
}  // namespace

std::int32_t last_sequence_of(std::int32_t base_sequence, std::int32_t last_offset_delta) {
  const std::int64_t last = static_cast<std::int64_t>(base_sequence) + last_offset_delta;
  return static_cast<std::int32_t>(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

Result<SequenceCheck> ProducerStateTable::check(const record::BatchHeader& batch) const {
  const std::int32_t first = batch.base_sequence;
  const std::int32_t last = last_sequence_of(first, batch.last_offset_delta);
  if (first < 0)
    return make_error(Errc::invalid_record, fmt::format("producer {} sent base sequence {}", batch.producer_id, first));
  auto it = entries_.find(batch.producer_id);
  if (it == entries_.end()) {
    if (first != 0)
      return make_error(Errc::unknown_producer_id,
                        fmt::format("producer {} is unknown here and its batch starts at sequence {}",
                                    batch.producer_id, first));
    return SequenceCheck{};
  }
  const ProducerEntry& e = it->second;
  if (batch.producer_epoch < e.epoch)
    return make_error(Errc::invalid_producer_epoch,
                      fmt::format("producer {} epoch {} is older than {}: fenced", batch.producer_id,
                                  batch.producer_epoch, e.epoch));
  if (batch.producer_epoch > e.epoch) {
    if (first != 0)
      return make_error(Errc::out_of_order_sequence_number,
                        fmt::format("producer {} starts epoch {} at sequence {}, not 0", batch.producer_id,
                                    batch.producer_epoch, first));
    return SequenceCheck{};
  }
  for (const auto& b : e.batches)
    if (b.first_sequence == first && b.last_sequence == last) return SequenceCheck{b};
  const std::int32_t expected = e.batches.empty() ? 0 : last_sequence_of(e.batches.back().last_sequence, 1);
  if (first != expected)
    return make_error(Errc::out_of_order_sequence_number,
                      fmt::format("producer {} sent sequence {} where {} was expected", batch.producer_id, first,
                                  expected));
  return SequenceCheck{};
}

void ProducerStateTable::record(const record::BatchHeader& batch) {
  if (batch.producer_id < 0) return;
  ProducerEntry& e = entries_[batch.producer_id];
  if (batch.producer_epoch != e.epoch) {
    e.epoch = batch.producer_epoch;
    e.batches.clear();
  }
  e.batches.push_back({batch.base_sequence, last_sequence_of(batch.base_sequence, batch.last_offset_delta),
                       batch.base_offset, batch.last_offset(), batch.max_timestamp});
  while (e.batches.size() > kProducerBatchesKept) e.batches.pop_front();
}

Bytes ProducerStateTable::encode_snapshot(std::int64_t offset) const {
  Bytes out;
  Writer w(out);
  w.write_be<std::int16_t>(kSnapshotVersion);
  w.write_be<std::uint32_t>(0);  // CRC, patched below
  w.write_be<std::int64_t>(offset);
  w.write_be<std::int32_t>(static_cast<std::int32_t>(entries_.size()));
  for (const auto& [id, e] : entries_) {
    w.write_be<std::int64_t>(id);
    w.write_be<std::int16_t>(e.epoch);
    w.write_be<std::int32_t>(static_cast<std::int32_t>(e.batches.size()));
    for (const auto& b : e.batches) {
      w.write_be<std::int32_t>(b.first_sequence);
      w.write_be<std::int32_t>(b.last_sequence);
      w.write_be<std::int64_t>(b.first_offset);
      w.write_be<std::int64_t>(b.last_offset);
      w.write_be<std::int64_t>(b.max_timestamp);
    }
  }
  store_be<std::uint32_t>(out.data() + 2, crc32c(ByteSpan(out).subspan(6)));
  return out;
}

Result<std::int64_t> ProducerStateTable::load_snapshot(ByteSpan bytes) {
  auto bad = [](std::string_view why) { return make_error(Errc::corrupt_message, fmt::format("producer-state snapshot: {}", why)); };
  if (bytes.size() < kSnapshotHeader) return bad("too short");
  if (load_be<std::int16_t>(bytes.data()) != kSnapshotVersion) return bad("unknown version");
  if (load_be<std::uint32_t>(bytes.data() + 2) != crc32c(bytes.subspan(6))) return bad("CRC mismatch");
  Reader r(bytes.subspan(6));
  // A missing field reads as 0 and leaves r.ok() false, checked once at the end.
  auto i64 = [&] { return r.read_be<std::int64_t>().value_or(0); };
  auto i32 = [&] { return r.read_be<std::int32_t>().value_or(0); };
  const auto offset = i64();
  const auto count = i32();
  std::map<std::int64_t, ProducerEntry> loaded;
  for (std::int32_t i = 0; i < count && r.ok(); ++i) {
    const auto id = i64();
    ProducerEntry e;
    e.epoch = r.read_be<std::int16_t>().value_or(0);
    const auto n = i32();
    if (n < 0 || static_cast<std::size_t>(n) > kProducerBatchesKept) return bad("batch count out of range");
    for (std::int32_t j = 0; j < n && r.ok(); ++j) {
      ProducerBatch b;
      b.first_sequence = i32();
      b.last_sequence = i32();
      b.first_offset = i64();
      b.last_offset = i64();
      b.max_timestamp = i64();
      e.batches.push_back(b);
    }
    loaded.emplace(id, std::move(e));
  }
  if (!r.ok()) return bad("truncated");
  entries_ = std::move(loaded);
  return offset;
}

}  // namespace streamcraft::log
