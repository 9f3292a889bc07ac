// generated from tests/log/memory_file_system_test.cpp; edit there
// log/memory_file_system_test.cpp — the in-memory disk keeps exactly what was fsynced,
// and the real log recovers from its power cuts.
#include <catch2/catch.hpp>

#include "log/log.h"
#include "log/memory_file_system.h"
#include "support/batches.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using log::MemoryFileSystem;
using log::OpenMode;

namespace {

Bytes text(std::string_view s) {
  auto b = as_bytes(s);
  return Bytes(b.begin(), b.end());
}

Bytes contents(log::FileSystem& fs, const std::filesystem::path& path) {
  auto bytes = fs.read_all(path);
  REQUIRE(bytes.ok());
  return *bytes;
}

}  // namespace

TEST_CASE("the memory disk keeps synced bytes and synced names across a crash", "[ch01][memory-disk]") {
  MemoryFileSystem fs;
  REQUIRE(fs.create_directories("/d").ok());
  {
    auto f = fs.open("/d/a", OpenMode::read_write);
    REQUIRE(f.ok());
    REQUIRE((*f)->append(text("durable")).ok());
    REQUIRE((*f)->sync().ok());
    REQUIRE((*f)->append(text(" and lost")).ok());
  }
  REQUIRE(fs.sync_directory("/d").ok());  // the name "a" is durable from here
  {
    auto f = fs.open("/d/b", OpenMode::read_write);  // a name never made durable
    REQUIRE(f.ok());
    REQUIRE((*f)->append(text("x")).ok());
    REQUIRE((*f)->sync().ok());
  }
  CHECK(fs.unsynced_bytes() == 9);
  fs.crash();
  CHECK(contents(fs, "/d/a") == text("durable"));
  CHECK_FALSE(fs.exists("/d/b"));
  auto names = fs.list("/d");
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"a"});
  CHECK(fs.unsynced_bytes() == 0);
}

TEST_CASE("a torn tail keeps part of what was appended after the last sync", "[ch01][memory-disk]") {
  MemoryFileSystem fs;
  REQUIRE(fs.create_directories("/d").ok());
  auto f = fs.open("/d/a", OpenMode::read_write);
  REQUIRE(f.ok());
  REQUIRE((*f)->append(text("abc")).ok());
  REQUIRE((*f)->sync().ok());
  REQUIRE((*f)->append(text("defgh")).ok());
  REQUIRE(fs.sync_directory("/d").ok());
  f->reset();
  fs.crash([](const std::filesystem::path&, std::uint64_t unsynced) {
    CHECK(unsynced == 5);
    return 2;
  });
  CHECK(contents(fs, "/d/a") == text("abcde"));
}

TEST_CASE("a rename becomes durable with its directory's sync and an open file outlives its removal", "[ch01][memory-disk]") {
  MemoryFileSystem fs;
  REQUIRE(fs.create_directories("/d").ok());
  REQUIRE(fs.write_atomically("/d/checkpoint", text("1")).ok());
  REQUIRE(fs.write_atomically("/d/checkpoint", text("2")).ok());
  auto reader = fs.open("/d/checkpoint", OpenMode::read_only);
  REQUIRE(reader.ok());
  REQUIRE(fs.remove("/d/checkpoint").ok());
  std::array<std::byte, 1> one{};
  auto n = (*reader)->read_at(one, 0);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(one[0] == std::byte{'2'});
  fs.crash();  // the removal was never synced: the last durable name comes back
  CHECK(contents(fs, "/d/checkpoint") == text("2"));
}

// The real log on the memory disk: a crash loses exactly the records after the last
// flush, recovery cuts a torn batch, and appends go on from there.
TEST_CASE("a log on the memory disk keeps its flushed records through a crash and a torn tail", "[ch01][memory-disk]") {
  MemoryFileSystem fs;
  test::LogFixture f;
  f.fs = &fs;
  REQUIRE(fs.create_directories(f.dir.path()).ok());
  f.open();
  f.append(3);
  f.append(2);
  REQUIRE(f.log->flush().ok());
  f.append(4);  // not flushed
  f.log.reset();  // the process dies
  fs.crash([](const std::filesystem::path& path, std::uint64_t unsynced) {
    // Half of the last batch reaches the segment file; the indexes lose their tails.
    return path.extension() == ".log" ? unsynced / 2 : 0;
  });
  f.open();
  CHECK(f.log->log_end_offset() == 5);
  CHECK(test::read_all(*f.log, 0).size() == 5);
  CHECK(f.append(1) == 5);
}

TEST_CASE("a power cut after n writes drops every later change and the crash brings the power back", "[ch01][memory-disk]") {
  MemoryFileSystem fs;
  REQUIRE(fs.create_directories("/d").ok());
  auto f = fs.open("/d/a", OpenMode::read_write);
  REQUIRE(f.ok());
  REQUIRE(fs.sync_directory("/d").ok());
  fs.power_cut_after(2);
  REQUIRE((*f)->append(text("one")).ok());
  REQUIRE((*f)->sync().ok());
  CHECK(fs.powered_off());
  REQUIRE((*f)->append(text("two")).ok());  // "succeeds": the machine no longer knows
  REQUIRE(fs.rename("/d/a", "/d/b").ok());
  CHECK((*f)->size() == 3);
  CHECK(fs.exists("/d/a"));
  f->reset();
  fs.crash();
  CHECK_FALSE(fs.powered_off());
  CHECK(contents(fs, "/d/a") == text("one"));
  auto g = fs.open("/d/a", OpenMode::read_write);
  REQUIRE(g.ok());
  REQUIRE((*g)->append(text("+")).ok());
  CHECK((*g)->size() == 4);
}

// The cleaner clears what a dead build may have left by removing names that usually do
// not exist; the memory disk once refused that where the real one does not, and the
// simulator's compaction scenario found it.
TEST_CASE("removing a missing file succeeds on the memory disk as on the real one", "[ch01][memory-disk]") {
  MemoryFileSystem memory;
  REQUIRE(memory.create_directories("/d").ok());
  CHECK(memory.remove("/d/never-there").ok());
  test::TempDir dir;
  CHECK(log::posix_file_system().remove(dir.path() / "never-there").ok());
}
