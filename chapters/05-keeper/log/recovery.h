// generated from final/log/recovery.h; edit there
// log/recovery.h — finding the valid prefix of a segment file after a crash.
//
// A crash can leave the last batch of the active segment half-written (the OS wrote
// some of its pages, not all), and a failing disk can flip bits anywhere. Recovery walks
// the file batch by batch from the start and accepts a batch only if
//   * its 12-byte frame is complete and its length is plausible,
//   * all of its bytes are present,
//   * its magic is 2 and its CRC-32C matches (check_integrity), and
//   * its base offset is exactly the offset that should come next.
// The first batch that fails any test marks the end of the valid data; the caller
// truncates the file there. Nothing before that point is ever discarded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "common/error.h"
#include "log/file.h"

namespace streamcraft::log {

// Where one valid batch sits in a segment file.
struct BatchLocation {
  std::int64_t base_offset = 0;
  std::int64_t last_offset = 0;
  std::uint64_t position = 0;  // byte position of the batch in the .log file
  std::uint32_t size = 0;      // total bytes of the batch
  std::int64_t max_timestamp = 0;
};

struct ScanResult {
  std::uint64_t valid_bytes = 0;       // length of the valid prefix of the file
  std::int64_t next_offset = 0;        // the offset after the last valid batch
  std::uint64_t batches = 0;           // number of valid batches
  std::optional<Error> stop_reason;    // why the scan stopped before the end of the file
};

// Scans `log` from position 0, expecting the first batch at base offset `base_offset`.
// Calls on_batch for every valid batch, in order. Returns an error only when the file
// cannot be read at all; corruption is not an error here but a stop_reason.
Result<ScanResult> scan_segment(const File& log, std::int64_t base_offset,
                                const std::function<void(const BatchLocation&)>& on_batch);

}  // namespace streamcraft::log
