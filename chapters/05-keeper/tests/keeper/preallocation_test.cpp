// generated from tests/keeper/preallocation_test.cpp; edit there
// tests/keeper/preallocation_test.cpp — the transaction log's files grow in zero-filled steps.
#include <catch2/catch.hpp>

#include <filesystem>

#include "common/clock.h"
#include "keeper/preallocated_file.h"
#include "keeper/txn_log.h"
#include "log/memory_file_system.h"
#include "log/positional_write.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::keeper;

namespace {

const std::filesystem::path kDir = "/keeper/log";
const std::filesystem::path kSegment = kDir / "00000000000000000000.log";

TxnLogConfig prealloc_config() {
  TxnLogConfig c;
  c.segment_bytes = 1 << 20;
  c.preallocate_bytes = 4096;
  return c;
}

Txn create_txn(std::int64_t zxid) {
  return Txn{{1, static_cast<std::int32_t>(zxid), zxid, 0, OpCode::create},
             CreateTxn{"/n" + std::to_string(zxid), Bytes(40, std::byte{7}), open_acl_unsafe(), 0, 1}};
}

std::unique_ptr<TxnLog> open_log(log::FileSystem& fs, const Clock& clock, TxnLogConfig config = prealloc_config()) {
  auto log = TxnLog::open(fs, kDir, clock, config);
  REQUIRE(log.ok());
  return std::move(*log);
}

// Appends zxids [from, to) as one group commit.
void write(TxnLog& log, std::int64_t from, std::int64_t to) {
  for (auto z = from; z < to; ++z) REQUIRE(log.append(create_txn(z)).ok());
  REQUIRE(log.sync().ok());
}

std::vector<std::int64_t> zxids(const TxnLog& log) {
  auto txns = log.read_after(0);
  REQUIRE(txns.ok());
  std::vector<std::int64_t> out;
  for (const auto& t : *txns) out.push_back(t.header.zxid);
  return out;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> out;
  for (auto z = from; z < to; ++z) out.push_back(z);
  return out;
}

std::uint64_t physical_size(log::FileSystem& fs, const std::filesystem::path& path) {
  auto f = fs.open(path, log::OpenMode::read_only);
  REQUIRE(f.ok());
  return (*f)->size();
}

// The log end as the decorator finds it from the file alone.
std::uint64_t logical_size(log::FileSystem& fs, const std::filesystem::path& path) {
  auto f = fs.open(path, log::OpenMode::read_only);
  REQUIRE(f.ok());
  auto end = end_before_zeros(**f);
  REQUIRE(end.ok());
  REQUIRE(end->has_value());
  return **end;
}

// kill -9 or a power cut: the process's objects go without touching the disk again.
void crash(log::MemoryFileSystem& fs, std::unique_ptr<TxnLog>& log) {
  fs.power_cut_after(0);
  log.reset();
  fs.crash();
}

// After a crash, the log opens with no torn tail and exactly zxids [1, to).
void check_recovers(log::MemoryFileSystem& fs, const Clock& clock, std::unique_ptr<TxnLog>& log, std::int64_t to,
                    TxnLogConfig config = prealloc_config()) {
  crash(fs, log);
  log = open_log(fs, clock, config);
  CHECK(log->open_report().truncated_bytes() == 0);  // recovery scanned the log's bytes only
  CHECK(zxids(*log) == range(1, to));
}

}  // namespace

TEST_CASE("the transaction log grows in whole zero-filled steps ahead of its data", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  ManualClock clock;
  auto log = open_log(fs, clock);
  write(*log, 1, 4);
  const auto end = logical_size(fs, kSegment);
  CHECK(end > 0);
  CHECK(physical_size(fs, kSegment) == 4096);  // one step, the rest zeros
  write(*log, 4, 80);                          // past the first step: whole steps only
  CHECK(physical_size(fs, kSegment) % 4096 == 0);
  CHECK(physical_size(fs, kSegment) > logical_size(fs, kSegment));
  CHECK(zxids(*log) == range(1, 80));
  // A clean close cuts the zeros away: the file ends where the log does.
  const auto logical = logical_size(fs, kSegment);
  REQUIRE(log->close().ok());
  log.reset();
  CHECK(physical_size(fs, kSegment) == logical);
  log = open_log(fs, clock);
  CHECK(zxids(*log) == range(1, 80));
}

TEST_CASE("after a crash the preallocated zeros are not taken for a torn tail", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  ManualClock clock;
  auto log = open_log(fs, clock);
  write(*log, 1, 11);
  check_recovers(fs, clock, log, 11);
  CHECK(physical_size(fs, kSegment) == 4096);  // the zeros survived the crash
  // The next write lands right after the last batch, not after the zeros.
  write(*log, 11, 16);
  check_recovers(fs, clock, log, 16);
}

TEST_CASE("a torn write among the preallocated zeros is cut by recovery", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  ManualClock clock;
  auto log = open_log(fs, clock);
  write(*log, 1, 6);
  const auto end = logical_size(fs, kSegment);
  crash(fs, log);

  auto raw = fs.open(kSegment, log::OpenMode::read_write);
  REQUIRE(raw.ok());
  auto& at = dynamic_cast<log::PositionalWrite&>(**raw);
  Bytes first(static_cast<std::size_t>(end));
  REQUIRE((*raw)->read_at(first, 0).ok());
  SECTION("the end of a batch reached the disk and its start did not") {
    // Zeros where the header should be, bytes after it: not preallocated space.
    REQUIRE(at.write_at(ByteSpan(first).subspan(100, 50), end + 100).ok());
  }
  SECTION("a whole frame with damaged contents") {
    // The frame walk steps over it (it checks no CRC); chapter 1's recovery must not.
    Bytes damaged = first;
    damaged[damaged.size() / 2] ^= std::byte{0xff};
    REQUIRE(at.write_at(damaged, end).ok());
  }
  REQUIRE((*raw)->sync().ok());
  raw->reset();

  log = open_log(fs, clock);
  CHECK(log->open_report().truncated_bytes() > 0);
  CHECK(zxids(*log) == range(1, 6));
  write(*log, 6, 9);
  crash(fs, log);
  log = open_log(fs, clock);
  CHECK(zxids(*log) == range(1, 9));
}

TEST_CASE("a segment rolled before a crash keeps its zeros and still opens trusted", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  ManualClock clock;
  auto config = prealloc_config();
  config.segment_bytes = 2048;  // a roll every few group commits
  auto log = open_log(fs, clock, config);
  for (std::int64_t z = 1; z < 100; z += 3) write(*log, z, z + 3);
  REQUIRE(log->segment_count() > 3);
  check_recovers(fs, clock, log, 100, config);
}

TEST_CASE("on the real disk the log file is one step long until it is closed", "[ch05][keeper][durability]") {
  test::TempDir dir;
  ManualClock clock;
  auto config = prealloc_config();
  config.preallocate_bytes = 1 << 20;
  auto opened = TxnLog::open(log::posix_file_system(), dir.path(), clock, config);
  REQUIRE(opened.ok());
  auto log = std::move(*opened);
  write(*log, 1, 21);
  const auto file = dir / "00000000000000000000.log";
  CHECK(std::filesystem::file_size(file) == 1u << 20);
  REQUIRE(log->close().ok());
  log.reset();
  const auto closed = std::filesystem::file_size(file);
  CHECK(closed < 1u << 20);
  CHECK(closed == logical_size(log::posix_file_system(), file));
  opened = TxnLog::open(log::posix_file_system(), dir.path(), clock, config);
  REQUIRE(opened.ok());
  CHECK(zxids(**opened) == range(1, 21));
}
