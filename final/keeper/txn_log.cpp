// keeper/txn_log.cpp — transactions as records in chapter 1's log.
#include "keeper/txn_log.h"

#include <fmt/format.h>

#include "log/record_scan.h"
#include "record/batch.h"
#include "record/record.h"

namespace streamcraft::keeper {

namespace {

// The log holds keeper's batches only; it never sees a client's, so its limits are its own.
log::LogConfig log_config(const TxnLogConfig& c) {
  log::LogConfig lc;
  lc.segment_bytes = c.segment_bytes;
  lc.segment_ms = INT64_MAX;           // roll by size only
  lc.retention_ms = -1;                // old segments go by purge_through(), never by age
  lc.retention_bytes = -1;
  lc.max_batch_bytes = static_cast<std::uint32_t>(c.max_batch_bytes + (2u << 20));  // one txn past the split size
  return lc;
}

}  // namespace

Result<std::unique_ptr<TxnLog>> TxnLog::open(log::FileSystem& fs, const std::filesystem::path& dir,
                                             const Clock& clock, TxnLogConfig config) {
  std::unique_ptr<PreallocatingFileSystem> prealloc;
  if (config.preallocate_bytes > 0) prealloc = std::make_unique<PreallocatingFileSystem>(fs, config.preallocate_bytes);
  auto log = log::Log::open(prealloc ? *prealloc : fs, dir, log_config(config), clock);
  if (!log) return log.error();
  return std::make_unique<TxnLog>(Private{}, std::move(prealloc), std::move(*log), config);
}

Status TxnLog::append(const Txn& txn) {
  buffered_.push_back(txn);
  return {};
}

Status TxnLog::sync() {
  std::size_t i = 0;
  while (i < buffered_.size()) {
    // One batch per group commit, split only when it would pass the size limit.
    std::vector<record::RecordSpec> specs;
    std::size_t bytes = 0;
    while (i < buffered_.size() && (specs.empty() || bytes < config_.max_batch_bytes)) {
      const auto& txn = buffered_[i++];
      auto encoded = encode_txn(txn);
      bytes += encoded.size();
      specs.push_back({std::nullopt, std::string(as_chars(encoded)), {}, txn.header.time_ms});
    }
    auto batch = record::build_batch(specs);
    auto appended = log_->append(batch);
    if (!appended) {
      buffered_.clear();
      return appended.error();
    }
  }
  buffered_.clear();
  return config_.force_sync ? log_->flush() : Status{};
}

template <class F>
Status TxnLog::scan(std::int64_t from, F&& f) const {
  return log::for_each_record(*log_, from, [&](const record::BatchHeader&, const record::RecordView& r) -> Result<bool> {
    if (!r.value) return make_error(Errc::corrupt_message, fmt::format("transaction {} has no value", r.offset));
    auto txn = decode_txn(*r.value);
    if (!txn) return txn.error();
    return f(r.offset, *txn);
  });
}

Result<std::vector<Txn>> TxnLog::read_after(std::int64_t after) const {
  std::vector<Txn> out;
  auto status = scan(log_->log_start_offset(), [&](std::int64_t, const Txn& txn) {
    if (txn.header.zxid > after) out.push_back(txn);
    return true;
  });
  if (!status) return status.error();
  return out;
}

Status TxnLog::purge_before(std::int64_t offset) {
  // Only whole segments are deleted: the log start moves to `offset`, and the segment
  // holding it stays, as chapter 1's retention keeps the segment a reader is in.
  return log_->advance_log_start(offset);
}

Status TxnLog::purge_through(std::int64_t zxid) {
  // The first offset whose transaction is above zxid: everything before it may go.
  std::int64_t keep_from = log_->log_end_offset();
  auto status = scan(log_->log_start_offset(), [&](std::int64_t offset, const Txn& txn) {
    if (txn.header.zxid > zxid) {
      keep_from = offset;
      return false;
    }
    return true;
  });
  if (!status) return status;
  return purge_before(keep_from);
}

}  // namespace streamcraft::keeper
