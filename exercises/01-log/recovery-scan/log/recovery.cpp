// starter generated from final/log/recovery.cpp for exercise recovery-scan; edit freely, this is your copy
// log/recovery.cpp — the recovery scan.
#include "log/recovery.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <fmt/format.h>

#include "record/batch.h"

namespace streamcraft::log {

// Walk the file batch by batch. For each position: read the frame (12 bytes) and check
// its length against what is left in the file; read the whole batch; check its
// integrity (record::check_integrity); check that its base offset is the one expected;
// then report it through on_batch and move on. Stop at the first batch that fails, with
// a stop_reason saying where and why; a clean end of file has no stop_reason.
Result<ScanResult> scan_segment(const File& log, std::int64_t base_offset,
                                const std::function<void(const BatchLocation&)>& on_batch) {
  streamcraft::not_implemented("01-log/recovery-scan", log, base_offset, on_batch);
}

}  // namespace streamcraft::log
