// log/file.h — the log's only door to the disk.
//
// Segments and indexes never call open(2) or write(2) themselves; they go through this
// small interface. Production uses the POSIX implementation; tests wrap it to inject the
// failures a real disk produces — a write torn half-way by a crash, a full disk (ENOSPC),
// an fsync that fails — and check that the log reports an error and loses nothing it
// had already accepted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::log {

// An open file. Appends go to the end; reads are positional, so concurrent readers
// (chapter 2's fetch requests) need no shared file offset.
class File {
 public:
  virtual ~File() = default;

  // Writes all of data at the end of the file. On failure some prefix may have been
  // written: size() says how much, and the caller truncates it away.
  virtual Status append(ByteSpan data) = 0;
  // Reads up to out.size() bytes at position; returns how many were read (short at EOF).
  virtual Result<std::size_t> read_at(MutableByteSpan out, std::uint64_t position) const = 0;
  // Makes written data durable (fdatasync): after it returns, a power cut keeps it.
  virtual Status sync() = 0;
  virtual Status truncate(std::uint64_t size) = 0;
  virtual std::uint64_t size() const = 0;
  // The OS file descriptor, for zero-copy sends (sendfile) in later chapters; -1 if none.
  virtual int native_handle() const { return -1; }
};

enum class OpenMode { read_only, read_write };  // read_write creates the file if missing

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual Result<std::unique_ptr<File>> open(const std::filesystem::path& path, OpenMode mode) = 0;
  // Removing a file that does not exist is not an error (it is gone, as asked).
  virtual Status remove(const std::filesystem::path& path) = 0;
  virtual Status rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  virtual bool exists(const std::filesystem::path& path) const = 0;
  // Names (not paths) of the regular files in dir, sorted.
  virtual Result<std::vector<std::string>> list(const std::filesystem::path& dir) const = 0;
  // Names of the directories in dir, sorted (a broker's partition directories).
  virtual Result<std::vector<std::string>> list_directories(const std::filesystem::path& dir) const = 0;
  virtual Status create_directories(const std::filesystem::path& dir) = 0;
  // Deletes a directory and everything in it (a deleted topic's partitions).
  virtual Status remove_all(const std::filesystem::path& dir) = 0;
  // fsync of a directory: makes file creations, renames and deletions in it durable.
  virtual Status sync_directory(const std::filesystem::path& dir) = 0;

  // Replaces path with contents so that a crash leaves either the old or the new file,
  // never a mixture: write a temporary file, fsync it, rename over, fsync the directory.
  Status write_atomically(const std::filesystem::path& path, ByteSpan contents);
  // Whole-file read, for small files such as checkpoints.
  Result<Bytes> read_all(const std::filesystem::path& path);
};

// The real disk.
FileSystem& posix_file_system();

// Storage errors are KAFKA_STORAGE_ERROR with the path and the OS's reason.
Error storage_error(const std::filesystem::path& path, std::string_view what, int err);

}  // namespace streamcraft::log
