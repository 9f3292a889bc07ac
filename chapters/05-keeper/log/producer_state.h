// generated from final/log/producer_state.h; edit there
// log/producer_state.h — exactly-once appends from a retrying producer.
//
// A producer that gets no answer to a produce request cannot know whether the batch was
// appended (and the answer lost) or not: it must retry, and a plain retry may write the
// batch twice. An *idempotent* producer numbers its batches: it gets a producer id (and
// an epoch) from the broker with InitProducerId, and each batch carries
// (producerId, producerEpoch, baseSequence), sequences counting records per partition
// from 0. For every producer the partition remembers the metadata of its last 5 batches
// (5 = max.in.flight.requests.per.connection), and checks each new batch:
//
//   same sequences as a remembered batch   a retry of something already written: do not
//                                          append; answer with the original offsets
//   first sequence = last sequence + 1     the next batch: append
//   anything else                          a gap (a lost batch): OUT_OF_ORDER_SEQUENCE_NUMBER
//   an older epoch                         a zombie producer replaced by a newer
//                                          instance: INVALID_PRODUCER_EPOCH (fenced)
//   a newer epoch                          must start again at sequence 0
//   unknown producer, sequence ≠ 0         UNKNOWN_PRODUCER_ID (its state is gone)
//
// The table is part of the partition's state, so it must survive a restart: it is
// rebuilt from the batches in the log (they carry all of the above), starting from a
// snapshot (`producer-state`, written at each roll and clean close) so that only the
// log after the snapshot's offset is read.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "common/bytes.h"
#include "common/error.h"
#include "record/batch.h"

namespace streamcraft::log {

// How many batches per producer are remembered for duplicate detection (Kafka's 5).
inline constexpr std::size_t kProducerBatchesKept = 5;

struct ProducerBatch {
  std::int32_t first_sequence = 0;
  std::int32_t last_sequence = 0;
  std::int64_t first_offset = 0;
  std::int64_t last_offset = 0;
  std::int64_t max_timestamp = 0;
};

struct ProducerEntry {
  std::int16_t epoch = 0;
  std::deque<ProducerBatch> batches;  // oldest first, at most kProducerBatchesKept
};

// The verdict on a batch: append it, or it is a duplicate of `original`.
struct SequenceCheck {
  std::optional<ProducerBatch> duplicate_of;
};

// The last sequence of a batch: sequences wrap from INT32_MAX to 0, as Kafka's do.
std::int32_t last_sequence_of(std::int32_t base_sequence, std::int32_t last_offset_delta);

class ProducerStateTable {
 public:
  // Checks a batch of an idempotent producer (producer_id >= 0) before it is appended.
  Result<SequenceCheck> check(const record::BatchHeader& batch) const;
  // Records an appended batch (with its final offsets). Also used to rebuild the table
  // from the log, where no check is made: the log is what happened.
  void record(const record::BatchHeader& batch);

  const std::map<std::int64_t, ProducerEntry>& entries() const { return entries_; }
  void clear() { entries_.clear(); }

  // The snapshot file: the table as of `offset` (the log end when it was written).
  Bytes encode_snapshot(std::int64_t offset) const;
  // Replaces the table with a snapshot's; returns the snapshot's offset.
  // CORRUPT_MESSAGE on a damaged snapshot (the caller then rebuilds from the log).
  Result<std::int64_t> load_snapshot(ByteSpan bytes);

 private:
  std::map<std::int64_t, ProducerEntry> entries_;
};

}  // namespace streamcraft::log
