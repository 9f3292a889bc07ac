// generated from final/log/record_scan.h; edit there
// log/record_scan.h — every record of a log from an offset on, batch by batch.
//
// The broker serves a log to consumers as raw batches; the logs that hold a server's own
// state — keeper's transaction log (chapter 5), Raft's entries (chapter 6) — are read back
// record by record when the server starts. This is that reading: the batches from the one
// holding `from`, each decoded, and each record at or after `from` handed to `visit` with
// its batch's header (where Raft keeps an entry's term).
#pragma once

#include <cstdint>
#include <functional>

#include "common/error.h"
#include "log/log.h"
#include "record/batch.h"
#include "record/record.h"

namespace streamcraft::log {

// visit returns true to go on, false to stop there, or an error to stop with.
using RecordVisitor = std::function<Result<bool>(const record::BatchHeader& batch, const record::RecordView& record)>;

// CORRUPT_MESSAGE for a batch that does not decode, or a log whose batches do not advance.
Status for_each_record(const Log& log, std::int64_t from, const RecordVisitor& visit);

}  // namespace streamcraft::log
