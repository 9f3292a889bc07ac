// generated from final/bench/log_bench.cpp; edit there
// bench/log_bench.cpp — how close does the log get to the disk it sits on?
//
// Each case runs our log and a raw-file baseline on the same filesystem, with the same
// bytes, in the same run, and reports the ratio log / raw:
//   append      Log::append of 16 KiB and 1 MiB batches   vs  write(2) of the same bytes
//   read        Log::read + copy of the same batches      vs  pread(2) of the same bytes
//   durable     append + fdatasync per append (and per group of 16 appends)
//                                                         vs  write(2) + fdatasync(2)
// Both sides of a case alternate for several rounds and the median is kept, so a noisy
// neighbour hurts both alike. Progress goes to stderr; a table goes to stdout and, with
// --out, to a Markdown file.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/clock.h"
#include "log/log.h"
#include "record/record.h"

namespace fs = std::filesystem;
using namespace streamcraft;
using Stopwatch = std::chrono::steady_clock;

namespace {

struct Row {
  std::string name;
  double ours = 0;  // MB/s (or appends/s for durable cases)
  double raw = 0;
  std::string unit;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A batch of roughly `bytes` bytes made of 1 KiB records, like a busy producer's.
Bytes make_batch(std::size_t bytes) {
  std::vector<record::RecordSpec> records;
  std::size_t total = record::layout::header_size;
  for (int i = 0; total < bytes - 1100; ++i) {
    record::RecordSpec r;
    r.key = fmt::format("key-{}", i);
    r.value = std::string(1000, static_cast<char>('a' + i % 26));
    r.timestamp = 1'700'000'000'000 + i;
    total += r.value->size() + r.key->size() + 12;
    records.push_back(std::move(r));
  }
  return record::build_batch(records);
}

void fail(const std::string& what) {
  fmt::print(stderr, "benchmark failed: {}\n", what);
  std::exit(1);
}

double seconds_since(Stopwatch::time_point t) { return std::chrono::duration<double>(Stopwatch::now() - t).count(); }

// Raw baseline: sequential write(2) of `count` copies of batch, optionally fdatasync
// after every `sync_every` writes. Returns seconds.
double raw_write(const fs::path& path, const Bytes& batch, std::size_t count, std::size_t sync_every) {
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) fail("open " + path.string());
  auto start = Stopwatch::now();
  for (std::size_t i = 0; i < count; ++i) {
    if (::write(fd, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size())) fail("write");
    if (sync_every && (i + 1) % sync_every == 0 && ::fdatasync(fd) != 0) fail("fdatasync");
  }
  double s = seconds_since(start);
  ::close(fd);
  return s;
}

double raw_read(const fs::path& path, std::size_t chunk) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open " + path.string());
  Bytes buf(chunk);
  auto start = Stopwatch::now();
  off_t pos = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), pos);
    if (n < 0) fail("pread");
    if (n == 0) break;
    pos += n;
  }
  double s = seconds_since(start);
  ::close(fd);
  return s;
}

// Our log: `count` appends of batch with the given flush policy. Returns seconds.
double log_append(const fs::path& dir, Bytes batch, std::size_t count, log::FlushPolicy flush,
                  std::unique_ptr<log::Log>* keep = nullptr) {
  fs::remove_all(dir);
  static SystemClock clock;
  log::LogConfig config;
  config.flush = flush;
  config.max_batch_bytes = static_cast<std::uint32_t>(batch.size());
  auto l = log::Log::open(log::posix_file_system(), dir, config, clock);
  if (!l) fail(l.error().describe());
  auto start = Stopwatch::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto r = (*l)->append(batch);
    if (!r) fail(r.error().describe());
  }
  double s = seconds_since(start);
  if (keep) *keep = std::move(*l);
  return s;
}

double log_read(const log::Log& l, std::size_t chunk) {
  auto start = Stopwatch::now();
  std::int64_t offset = 0;
  Bytes buf(chunk * 2);
  while (offset < l.log_end_offset()) {
    auto range = l.read(offset, chunk);
    if (!range) fail(range.error().describe());
    // Copy into user memory, as the raw side does (chapter 2 will send with sendfile).
    buf.resize(range->size);
    auto n = range->file->read_at(buf, range->position);
    if (!n || *n != range->size) fail("short read");
    // The offset after the last batch in the range: read the last batch's header.
    std::size_t pos = 0;
    while (pos < buf.size()) {
      auto h = record::decode_header(ByteSpan(buf).subspan(pos));
      offset = h->next_offset();
      pos += h->total_size();
    }
  }
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Log append/read throughput against raw file I/O on the same filesystem"};
  std::string dir = "bench-data";
  std::size_t total_mib = 256;
  int rounds = 3;
  std::string out;
  app.add_option("--dir", dir, "scratch directory on the filesystem to measure")->capture_default_str();
  app.add_option("--total-mib", total_mib, "MiB written per throughput run")->capture_default_str();
  app.add_option("--rounds", rounds, "alternating rounds per case (median is reported)")->capture_default_str();
  app.add_option("--out", out, "also write the results table to this Markdown file");
  CLI11_PARSE(app, argc, argv);

  fs::create_directories(dir);
  const fs::path raw_file = fs::path(dir) / "raw.bin";
  const fs::path log_dir = fs::path(dir) / "log";
  std::vector<Row> rows;
  const double mb = 1e6;

  for (std::size_t batch_kib : {16, 1024}) {
    Bytes batch = make_batch(batch_kib * 1024);
    const std::size_t count = std::max<std::size_t>(1, total_mib * 1024 * 1024 / batch.size());
    const double bytes = static_cast<double>(count * batch.size());
    std::vector<double> ours_w, raw_w, ours_r, raw_r;
    for (int round = 0; round < rounds; ++round) {
      fmt::print(stderr, "append {} KiB batches, round {}/{} …\n", batch_kib, round + 1, rounds);
      raw_w.push_back(bytes / raw_write(raw_file, batch, count, 0) / mb);
      std::unique_ptr<log::Log> l;
      ours_w.push_back(bytes / log_append(log_dir, batch, count, log::FlushPolicy::never(), &l) / mb);
      fmt::print(stderr, "read {} KiB batches, round {}/{} …\n", batch_kib, round + 1, rounds);
      raw_r.push_back(bytes / raw_read(raw_file, batch.size()) / mb);
      ours_r.push_back(bytes / log_read(*l, batch.size()) / mb);
    }
    rows.push_back({fmt::format("append, {} KiB batches", batch_kib), median(ours_w), median(raw_w), "MB/s"});
    rows.push_back({fmt::format("read, {} KiB batches", batch_kib), median(ours_r), median(raw_r), "MB/s"});
  }

  // Durable appends: every fsync goes to the device, so these are far slower; fewer ops.
  Bytes batch = make_batch(16 * 1024);
  for (std::size_t group : {1, 16}) {
    const std::size_t count = group == 1 ? 200 : 1600;
    std::vector<double> ours, raw;
    for (int round = 0; round < rounds; ++round) {
      fmt::print(stderr, "durable appends, fsync every {}, round {}/{} …\n", group, round + 1, rounds);
      raw.push_back(static_cast<double>(count) / raw_write(raw_file, batch, count, group));
      log::FlushPolicy policy;
      policy.interval_messages = static_cast<std::int64_t>(group) * record::decode_header(batch)->records_count;
      ours.push_back(static_cast<double>(count) / log_append(log_dir, batch, count, policy));
    }
    rows.push_back({fmt::format("durable append, fsync every {} × 16 KiB", group), median(ours), median(raw),
                    "appends/s"});
  }
  fs::remove_all(log_dir);
  fs::remove(raw_file);

  std::string table = "| case | streamcraft | raw file I/O | ratio |\n|---|---:|---:|---:|\n";
  for (const auto& r : rows)
    table += fmt::format("| {} | {:.0f} {} | {:.0f} {} | {:.2f}× |\n", r.name, r.ours, r.unit, r.raw, r.unit,
                         r.ours / r.raw);
  fmt::print("\n{}", table);
  if (!out.empty()) {
    std::ofstream f(out);
    f << "# Log benchmark\n\nSame filesystem, same bytes, same run; median of " << rounds << " rounds; "
      << total_mib << " MiB per throughput run.\n\n"
      << table;
  }
  return 0;
}
