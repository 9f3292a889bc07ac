// generated from final/log/memory_file_system.h; edit there
// log/memory_file_system.h — a disk in memory that forgets what was not fsynced.
//
// The deterministic tests of later chapters (the seeded simulator, the handler fuzzer)
// run many brokers' real logs in one process and crash them at any moment. They need a
// disk that is fast, private to the test, and honest about durability:
//
// - A file's bytes are durable once File::sync() returned; bytes appended or truncated
//   after that are not.
// - A name (a created, renamed or removed file) is durable once sync_directory() of its
//   directory returned — as on a real POSIX file system, where an fsync of the file does
//   not make its directory entry durable.
// - crash() is the power cut: every file goes back to its durable bytes, plus, if the
//   caller says so, part of what was appended after them (a torn tail), and every
//   directory goes back to its durable names. Everything that used the disk before the
//   crash (logs, open files) must be dropped first: they stand for the process that died.
//
// Directories themselves are always durable (created at once, never lost); that is the
// one simplification, and the log never relies on a directory appearing or vanishing in
// a crash. Not thread-safe: one thread drives it (the simulator's, or a test's).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "log/file.h"

namespace streamcraft::log {

class MemoryFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> open(const std::filesystem::path& path, OpenMode mode) override;
  Status remove(const std::filesystem::path& path) override;
  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  bool exists(const std::filesystem::path& path) const override;
  Result<std::vector<std::string>> list(const std::filesystem::path& dir) const override;
  Result<std::vector<std::string>> list_directories(const std::filesystem::path& dir) const override;
  Status create_directories(const std::filesystem::path& dir) override;
  Status remove_all(const std::filesystem::path& dir) override;
  Status sync_directory(const std::filesystem::path& dir) override;

  // The power cut. torn_tail(path, unsynced_bytes) says how many of a file's bytes
  // appended since its last sync survive (0 when not given: none do).
  void crash(const std::function<std::uint64_t(const std::filesystem::path&, std::uint64_t)>& torn_tail = {});

  // A power cut in the middle of things: after `writes` more changes (appends,
  // truncations, syncs, creations, renames, removals), the disk stops taking any — each
  // later change "succeeds" and does nothing, as if the machine had died just there.
  // The caller then crashes whatever was running (its answers never left the machine)
  // and calls crash(). powered_off() tells whether the cut has happened.
  void power_cut_after(std::uint64_t writes) { writes_left_ = writes; }
  bool powered_off() const { return writes_left_ && *writes_left_ == 0; }
  // How many more changes the disk takes before the cut (0 when none is coming): a test
  // counts the changes some work makes, to cut the power after each of them in turn.
  std::uint64_t writes_left() const { return writes_left_.value_or(0); }

  // Observations for tests: fsyncs of files and directories, and bytes not yet durable.
  std::uint64_t syncs() const { return syncs_; }
  std::uint64_t unsynced_bytes() const;

  struct Inode {
    Bytes data;    // what reads see now
    Bytes synced;  // what a crash leaves (before any torn tail)
  };

 private:
  static std::string key(const std::filesystem::path& path);
  bool is_directory(const std::string& path) const;

  std::map<std::string, std::shared_ptr<Inode>> names_;          // path → file, as now
  std::map<std::string, std::shared_ptr<Inode>> durable_names_;  // path → file, after a crash
  std::set<std::string> directories_;
  std::uint64_t syncs_ = 0;
  std::optional<std::uint64_t> writes_left_;  // set: a power cut is coming

 public:
  // For the files: false once the power is off (the change must not happen).
  bool take_write() {
    if (!writes_left_) return true;
    if (*writes_left_ == 0) return false;
    --*writes_left_;
    return true;
  }
};

}  // namespace streamcraft::log
