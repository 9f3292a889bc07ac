// generated from tests/support/faulty_file_system.h; edit there
// support/faulty_file_system.h — a file system that fails when a test tells it to.
//
// Wraps the real (POSIX) file system. A test can make the disk "full" after a number of
// further bytes (writes then stop part-way with ENOSPC, as a real full disk does), make
// fsync fail, or make truncation fail (so that a failed append cannot be undone). The
// log under test must turn each of these into a KAFKA_STORAGE_ERROR and never lose data
// it had already acknowledged.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>

#include "log/file.h"

namespace streamcraft::test {

struct FaultPlan {
  // Bytes that may still be written (across all files) before writes fail with ENOSPC.
  std::uint64_t bytes_until_full = std::numeric_limits<std::uint64_t>::max();
  bool fail_sync = false;
  bool fail_truncate = false;
  bool fail_remove = false;
  // Damage after the fact (bit rot under an open file): called with every read's bytes,
  // which it may change. Reads of the same bytes can then disagree.
  std::function<void(const std::filesystem::path& path, std::uint64_t position, MutableByteSpan bytes)> on_read;
  // Not a fault but an observation: how many fsyncs reached the disk (files and
  // directories), so tests can check that "flush" really means fsync.
  std::uint64_t syncs = 0;
};

class FaultyFileSystem final : public log::FileSystem {
 public:
  FaultPlan plan;

  Result<std::unique_ptr<log::File>> open(const std::filesystem::path& path, log::OpenMode mode) override;
  Status remove(const std::filesystem::path& path) override;
  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    return real().rename(from, to);
  }
  bool exists(const std::filesystem::path& path) const override { return real().exists(path); }
  Result<std::vector<std::string>> list(const std::filesystem::path& dir) const override { return real().list(dir); }
  Result<std::vector<std::string>> list_directories(const std::filesystem::path& dir) const override {
    return real().list_directories(dir);
  }
  Status create_directories(const std::filesystem::path& dir) override { return real().create_directories(dir); }
  Status remove_all(const std::filesystem::path& dir) override { return real().remove_all(dir); }
  Status sync_directory(const std::filesystem::path& dir) override;

 private:
  static log::FileSystem& real() { return log::posix_file_system(); }
};

}  // namespace streamcraft::test
