// generated from final/cli/log_commands.cpp; edit there
// cli/log_commands.cpp — `streamcraft log …`: work with a log directory directly.
//
// These commands open a log directory the way a broker would (recovering it if needed),
// do one thing, and close it cleanly. They are the lesson's way to poke at a log:
// append records, read them back, dump the files, recover from a crash, apply retention.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "common/clock.h"
#include "log/dump.h"
#include "log/log.h"
#include "record/record.h"

namespace streamcraft::cli {
namespace {

// Settings shared by every command that opens a log.
struct LogOptions {
  std::string dir;
  std::uint64_t segment_bytes = log::LogConfig{}.segment_bytes;
  std::uint32_t index_interval_bytes = log::LogConfig{}.segment.index_interval_bytes;
  std::string flush = "none";
  std::int64_t retention_bytes = -1;
  std::int64_t retention_ms = -1;

  log::LogConfig config() const {
    log::LogConfig c;
    c.segment_bytes = segment_bytes;
    c.segment.index_interval_bytes = index_interval_bytes;
    c.flush = flush == "every-append" ? log::FlushPolicy::every_append() : log::FlushPolicy::never();
    c.retention_bytes = retention_bytes;
    c.retention_ms = retention_ms;
    return c;
  }
};

void add_log_options(CLI::App* cmd, LogOptions& o) {
  cmd->add_option("--dir", o.dir, "log directory")->required();
  cmd->add_option("--segment-bytes", o.segment_bytes, "roll to a new segment beyond this size")
      ->capture_default_str();
  cmd->add_option("--index-interval-bytes", o.index_interval_bytes, "bytes of log between index entries")
      ->capture_default_str();
  cmd->add_option("--flush", o.flush, "fsync policy: none (leave it to the OS) or every-append")
      ->check(CLI::IsMember({"none", "every-append"}))
      ->capture_default_str();
}

int fail(const Error& e) {
  fmt::print(stderr, "error: {}\n", e.describe());
  return 1;
}

const SystemClock& clock() {
  static SystemClock c;
  return c;
}

Result<std::unique_ptr<log::Log>> open_log(const LogOptions& o) {
  return log::Log::open(log::posix_file_system(), o.dir, o.config(), clock());
}

// Splits "k=v" into its two halves (v may contain '=').
std::pair<std::string, std::string> split_header(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos) return {kv, ""};
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

struct AppendOptions {
  LogOptions log;
  std::vector<std::string> values;
  std::string key;
  bool has_key = false;
  std::vector<std::string> headers;
  std::int64_t timestamp = -1;
  bool from_stdin = false;
  std::size_t batch_records = 100;
  bool crash = false;
  std::int32_t leader_epoch = -1;
};

int run_append(AppendOptions& o) {
  auto log = open_log(o.log);
  if (!log) return fail(log.error());
  // As the partition's leader at that epoch: the log stamps it into the batch and notes
  // in its epoch table where the epoch starts.
  if (o.leader_epoch >= 0) {
    if (auto s = (*log)->become_leader(o.leader_epoch); !s) return fail(s.error());
  }
  const std::int64_t ts = o.timestamp >= 0 ? o.timestamp : clock().now_ms();
  auto make_record = [&](std::string value, std::optional<std::string> key) {
    record::RecordSpec r;
    r.key = std::move(key);
    r.value = std::move(value);
    r.timestamp = ts;
    for (const auto& h : o.headers) r.headers.push_back(split_header(h));
    return r;
  };
  std::vector<record::RecordSpec> pending;
  std::int64_t first = -1, last = -1, batches = 0;
  auto flush_batch = [&]() -> bool {
    if (pending.empty()) return true;
    auto batch = record::build_batch(pending);
    auto info = (*log)->append(batch);
    pending.clear();
    if (!info) {
      fail(info.error());
      return false;
    }
    if (first < 0) first = info->first_offset;
    last = info->last_offset;
    ++batches;
    return true;
  };
  if (o.from_stdin) {
    // Each line is a record; "key<TAB>value" lines carry a key.
    for (std::string line; std::getline(std::cin, line);) {
      auto tab = line.find('\t');
      if (tab == std::string::npos)
        pending.push_back(make_record(line, o.has_key ? std::optional(o.key) : std::nullopt));
      else
        pending.push_back(make_record(line.substr(tab + 1), line.substr(0, tab)));
      if (pending.size() >= o.batch_records && !flush_batch()) return 1;
    }
  }
  for (auto& v : o.values) pending.push_back(make_record(v, o.has_key ? std::optional(o.key) : std::nullopt));
  if (!flush_batch()) return 1;
  if (first < 0) {
    fmt::print("nothing to append\n");
  } else {
    fmt::print("appended offsets {}..{} in {} batch(es); log end offset is now {}\n", first, last, batches,
               (*log)->log_end_offset());
  }
  if (o.crash) {
    // Exit as a crash would: no flush, no clean-shutdown marker. (The data stays in the
    // page cache and reaches the disk anyway; what is missing is the promise.)
    fmt::print("exiting without a clean shutdown\n");
    return 0;
  }
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}

struct ReadOptions {
  LogOptions log;
  std::int64_t offset = -1;
  std::int64_t timestamp = -1;
  std::uint64_t max_bytes = 1 << 20;
  std::int64_t count = -1;
};

int run_read(const ReadOptions& o) {
  auto log = open_log(o.log);
  if (!log) return fail(log.error());
  std::int64_t offset = o.offset >= 0 ? o.offset : (*log)->log_start_offset();
  if (o.timestamp >= 0) {
    auto found = (*log)->offset_for_timestamp(o.timestamp);
    if (!found) return fail(found.error());
    if (!*found) {
      fmt::print("no record has a timestamp >= {}\n", o.timestamp);
      return (*log)->close() ? 0 : 1;
    }
    offset = **found;
  }
  std::int64_t printed = 0;
  while (o.count < 0 || printed < o.count) {
    // Read even at or past the end: the log says OFFSET_OUT_OF_RANGE beyond it, and an
    // empty range at it.
    auto range = (*log)->read(offset, o.max_bytes);
    if (!range) return fail(range.error());
    if (range->size == 0) break;
    auto bytes = range->read();
    if (!bytes) return fail(bytes.error());
    ByteSpan rest = *bytes;
    while (!rest.empty()) {
      auto frame = record::read_frame(rest, rest.size());
      if (!frame) return fail(frame.error());
      auto batch = rest.first(frame->total_size);
      rest = rest.subspan(frame->total_size);
      auto h = *record::decode_header(batch);
      if (h.compression() != record::Compression::none) {
        fmt::print("offsets {}..{}: {} records compressed with {} (not decoded)\n", h.base_offset, h.last_offset(),
                   h.records_count, record::compression_name(h.compression()));
        offset = h.next_offset();
        continue;
      }
      auto records = record::decode_records(batch);
      if (!records) return fail(records.error());
      for (const auto& r : *records) {
        // A read returns whole batches; records before the requested offset are skipped,
        // exactly as a Kafka consumer does.
        if (r.offset < offset || (o.count >= 0 && printed >= o.count)) continue;
        std::string headers;
        for (const auto& hd : r.headers)
          headers += fmt::format(" {}={}", hd.key, hd.value ? as_chars(*hd.value) : "null");
        fmt::print("offset: {} timestamp: {} key: {} value: {}{}{}\n", r.offset, r.timestamp,
                   r.key ? as_chars(*r.key) : "null", r.value ? as_chars(*r.value) : "null",
                   headers.empty() ? "" : " headers:", headers);
        ++printed;
      }
      offset = h.next_offset();
    }
  }
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}

int run_info(const LogOptions& o) {
  auto log = open_log(o);
  if (!log) return fail(log.error());
  const auto& l = **log;
  fmt::print("log start offset: {}\nlog end offset: {}\nsize: {} bytes in {} segment(s)\n", l.log_start_offset(),
             l.log_end_offset(), l.size_bytes(), l.segment_count());
  for (const auto& s : l.segment_infos())
    fmt::print("  segment {:020d}: {} bytes, max timestamp {}\n", s.base_offset, s.size_bytes, s.max_timestamp);
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}

int run_recover(const LogOptions& o) {
  // Forget the promises of the last shutdown, so that every segment is scanned.
  auto& fs = log::posix_file_system();
  for (const char* name : {log::Log::kCleanShutdownFile, log::Log::kRecoveryPointFile})
    if (auto s = fs.remove(std::filesystem::path(o.dir) / name); !s) return fail(s.error());
  auto log = open_log(o);
  if (!log) return fail(log.error());
  const auto& report = (*log)->open_report();
  for (const auto& r : report.recovered) {
    fmt::print("segment {:020d}: {} valid batch(es)", r.base_offset, r.batches);
    if (r.reason)
      fmt::print(", truncated {} byte(s): {}\n", r.truncated_bytes, r.reason->message);
    else
      fmt::print(", nothing to repair\n");
  }
  for (auto base : report.deleted_segments) fmt::print("segment {:020d}: deleted (it followed corrupt data)\n", base);
  fmt::print("log end offset: {}\n", (*log)->log_end_offset());
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}

int run_retention(const LogOptions& o) {
  auto log = open_log(o);
  if (!log) return fail(log.error());
  auto report = (*log)->apply_retention();
  if (!report) return fail(report.error());
  for (auto base : report->deleted_segments) fmt::print("deleted segment {:020d}\n", base);
  fmt::print("log start offset: {}\n", report->log_start_offset);
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}


struct EpochsOptions {
  LogOptions log;
  std::optional<std::int32_t> end_offset_for;
};

// The leader-epoch table, and (like a leader answering OffsetsForLeaderEpoch) where an
// epoch ended in this log.
int run_epochs(const EpochsOptions& o) {
  auto log = open_log(o.log);
  if (!log) return fail(log.error());
  const auto& l = **log;
  fmt::print("log end offset: {}\n", l.log_end_offset());
  for (const auto& e : l.leader_epochs().entries())
    fmt::print("epoch {} starts at offset {}\n", e.epoch, e.start_offset);
  if (o.end_offset_for) {
    const auto end = l.end_offset_for_epoch(*o.end_offset_for);
    if (end.end_offset < 0)
      fmt::print("epoch {}: no answer (undefined)\n", *o.end_offset_for);
    else
      fmt::print("epoch {}: ended at offset {} (in epoch {})\n", *o.end_offset_for, end.end_offset, end.epoch);
  }
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}

int run_truncate(const LogOptions& o, std::int64_t offset) {
  auto log = open_log(o);
  if (!log) return fail(log.error());
  if (auto s = (*log)->truncate_to(offset); !s) return fail(s.error());
  fmt::print("log end offset: {}\n", (*log)->log_end_offset());
  if (auto s = (*log)->close(); !s) return fail(s.error());
  return 0;
}

}  // namespace

void add_log_commands(CLI::App& app, int& exit_code) {
  auto* group = app.add_subcommand("log", "work with a log directory directly (chapter 1)");
  group->require_subcommand(1);

  auto append = std::make_shared<AppendOptions>();
  auto* a = group->add_subcommand("append", "append records as one batch (or stdin lines in batches)");
  add_log_options(a, append->log);
  a->add_option("values", append->values, "record values");
  a->add_option("--key", append->key, "key of every record")->each([append](const std::string&) {
    append->has_key = true;
  });
  a->add_option("--header", append->headers, "header key=value on every record (repeatable)");
  a->add_option("--timestamp", append->timestamp, "record timestamp in ms (default: now)");
  a->add_flag("--stdin", append->from_stdin, "read records from stdin, one per line (key<TAB>value for keys)");
  a->add_option("--batch-records", append->batch_records, "records per batch with --stdin")->capture_default_str();
  a->add_flag("--crash", append->crash, "exit without a clean shutdown, as if the process died");
  a->add_option("--leader-epoch", append->leader_epoch, "append as the partition's leader at this epoch (chapter 4)");
  a->callback([append, &exit_code] { exit_code = run_append(*append); });

  auto read = std::make_shared<ReadOptions>();
  auto* r = group->add_subcommand("read", "print records from an offset (or a timestamp) on");
  add_log_options(r, read->log);
  r->add_option("--offset", read->offset, "first offset (default: the log start offset)");
  r->add_option("--timestamp", read->timestamp, "start at the first record with a timestamp >= this (ms)");
  r->add_option("--max-bytes", read->max_bytes, "bytes per read")->capture_default_str();
  r->add_option("--count", read->count, "print at most this many records");
  r->callback([read, &exit_code] { exit_code = run_read(*read); });

  auto info = std::make_shared<LogOptions>();
  auto* i = group->add_subcommand("info", "offsets, size and segments of a log");
  add_log_options(i, *info);
  i->callback([info, &exit_code] { exit_code = run_info(*info); });

  auto recover = std::make_shared<LogOptions>();
  auto* rc = group->add_subcommand("recover", "scan every segment, cut a torn or corrupt tail, rebuild indexes");
  add_log_options(rc, *recover);
  rc->callback([recover, &exit_code] { exit_code = run_recover(*recover); });

  auto retention = std::make_shared<LogOptions>();
  auto* rt = group->add_subcommand("retention", "delete old segments beyond the retention limits");
  add_log_options(rt, *retention);
  rt->add_option("--retention-bytes", retention->retention_bytes, "keep about this many bytes (-1: no limit)");
  rt->add_option("--retention-ms", retention->retention_ms, "keep segments younger than this (-1: forever)");
  rt->callback([retention, &exit_code] { exit_code = run_retention(*retention); });

  auto epochs = std::make_shared<EpochsOptions>();
  auto* ep = group->add_subcommand("epochs", "the leader-epoch table, and where an epoch ended (chapter 4)");
  add_log_options(ep, epochs->log);
  ep->add_option("--end-offset-for", epochs->end_offset_for, "answer as a leader: where did this epoch end here?");
  ep->callback([epochs, &exit_code] { exit_code = run_epochs(*epochs); });

  auto truncate = std::make_shared<std::pair<LogOptions, std::int64_t>>();
  auto* tr = group->add_subcommand("truncate", "remove every offset from --to on, as a follower does (chapter 4)");
  add_log_options(tr, truncate->first);
  tr->add_option("--to", truncate->second, "the new log end offset")->required();
  tr->callback([truncate, &exit_code] { exit_code = run_truncate(truncate->first, truncate->second); });

  auto dump = std::make_shared<std::pair<std::vector<std::string>, bool>>();
  auto* d = group->add_subcommand("dump", "print .log, .index and .timeindex files (like kafka-dump-log)");
  d->add_option("files", dump->first, "segment files")->required()->check(CLI::ExistingFile);
  d->add_flag("--records", dump->second, "also print each record");
  d->callback([dump, &exit_code] {
    for (const auto& f : dump->first) {
      if (auto s = log::dump_file(log::posix_file_system(), f, {dump->second}, std::cout); !s) {
        exit_code = fail(s.error());
        return;
      }
    }
  });
}

}  // namespace streamcraft::cli
