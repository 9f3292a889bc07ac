// generated from tests/support/log_fixture.h; edit there
// support/log_fixture.h — a log in a temporary directory, on a manual clock.
#pragma once

#include <memory>
#include <catch2/catch.hpp>

#include "common/clock.h"
#include "common/executor.h"
#include "log/log.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace streamcraft::test {

struct LogFixture {
  TempDir dir;
  ManualClock clock;
  log::LogConfig config;
  log::FileSystem* fs = &log::posix_file_system();
  Executor* background = nullptr;  // nullptr: a roll does all its work before append() returns
  std::unique_ptr<log::Log> log;

  // Opens (or reopens) the log; any previous instance is dropped first *without* a
  // clean close, which is exactly what a crash looks like to the files.
  log::Log& open() {
    log.reset();
    auto opened = log::Log::open(*fs, dir.path(), config, clock, background);
    INFO((opened ? std::string() : opened.error().describe()));
    REQUIRE(opened.ok());
    log = std::move(*opened);
    return *log;
  }
  void close_cleanly() {
    REQUIRE(log->close().ok());
    log.reset();
  }
  // Appends a test batch and returns its first offset.
  std::int64_t append(int count, std::int64_t timestamp = 1'700'000'000'000, std::size_t value_size = 0) {
    auto batch = make_batch(count, timestamp, value_size);
    auto info = log->append(batch);
    INFO((info ? std::string() : info.error().describe()));
    REQUIRE(info.ok());
    return info->first_offset;
  }
  std::filesystem::path segment_path(std::int64_t base, const char* ext) const {
    return dir.path() / log::segment_file_name(base, ext);
  }
};

// All records readable from `from` to the log end, as (offset, value) pairs.
inline std::vector<std::pair<std::int64_t, std::string>> read_all(const log::Log& l, std::int64_t from) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  std::int64_t offset = from;
  while (offset < l.log_end_offset()) {
    auto range = l.read(offset, 1 << 20);
    REQUIRE(range.ok());
    REQUIRE(range->size > 0);
    auto bytes = range->read();
    REQUIRE(bytes.ok());
    ByteSpan rest = *bytes;
    while (!rest.empty()) {
      auto frame = record::read_frame(rest, rest.size());
      REQUIRE(frame.ok());
      auto records = record::decode_records(rest.first(frame->total_size));
      REQUIRE(records.ok());
      for (const auto& r : *records)
        if (r.offset >= offset) out.emplace_back(r.offset, std::string(as_chars(*r.value)));
      offset = record::decode_header(rest)->next_offset();
      rest = rest.subspan(frame->total_size);
    }
  }
  return out;
}

}  // namespace streamcraft::test
