// keeper/preallocated_file.h — log files that grow in large zero-filled steps.
//
// When an fdatasync follows an append that made the file longer, it must make two things
// durable: the bytes, and the file's new size, a change to its metadata that costs the
// file system a journal write of its own. ZooKeeper avoids the second one by
// preallocating: it extends its transaction log with zeros `preAllocSize` (64 MiB) at a
// time, so that the syncs between two extensions write data only. Keeper's log, chapter
// 1's, does the same through this decorator, which only the transaction log's file system
// goes through (keeper/txn_log.h). Each `.log` file it opens has two sizes:
//
//   physical  the file's size on disk: the log's bytes, then the zeros laid down ahead;
//   logical   where the log's bytes end: what size() tells chapter 1's segment, which
//             appends at size() and takes it for the end of its data.
//
// The zeros are written for real. A hole (ftruncate past the end) or fallocate's unwritten
// extents would make the file long at once, but a write into either still changes the
// file's metadata (a block is allocated, an extent marked written), and the sync would pay
// for it as before.
//
// A crash leaves the zeros in the file, and nothing on disk says where the log ends. Opening
// finds it again: it walks the record batches by their frames from the start; where the walk
// stops, the rest of the file must be zeros, and then that is the end. The walk is taken only
// for a file this decorator may have padded (its size a multiple of the step, its last byte
// zero), and correctness never rests on it: a tail that is not all zeros (a torn write that
// landed among them) leaves the logical size at the physical one, and chapter 1's recovery
// cuts the log at its first bad batch, as for any torn tail. truncate() and closing the file
// cut the zeros away; a clean shutdown leaves files that end where their logs do.
//
// Files that cannot be written at a position (log/positional_write.h) are not preallocated.
// Not thread-safe, like the log it serves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "log/file.h"

namespace streamcraft::keeper {

class PreallocatingFileSystem final : public log::FileSystem {
 public:
  // Every `.log` file opened through it grows `step` bytes at a time (step > 0).
  PreallocatingFileSystem(log::FileSystem& inner, std::uint64_t step) : inner_(inner), step_(step) {}

  Result<std::unique_ptr<log::File>> open(const std::filesystem::path& path, log::OpenMode mode) override;
  Status remove(const std::filesystem::path& path) override { return inner_.remove(path); }
  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    return inner_.rename(from, to);
  }
  bool exists(const std::filesystem::path& path) const override { return inner_.exists(path); }
  Result<std::vector<std::string>> list(const std::filesystem::path& dir) const override { return inner_.list(dir); }
  Result<std::vector<std::string>> list_directories(const std::filesystem::path& dir) const override {
    return inner_.list_directories(dir);
  }
  Status create_directories(const std::filesystem::path& dir) override { return inner_.create_directories(dir); }
  Status remove_all(const std::filesystem::path& dir) override { return inner_.remove_all(dir); }
  Status sync_directory(const std::filesystem::path& dir) override { return inner_.sync_directory(dir); }

 private:
  log::FileSystem& inner_;
  std::uint64_t step_;
};

// Where the record batches in `file` end, if everything after that point is zeros
// (preallocated space); nullopt if the file does not end in zeros after its batches.
Result<std::optional<std::uint64_t>> end_before_zeros(const log::File& file);

}  // namespace streamcraft::keeper
