// log/file.cpp — POSIX implementation of the file interface.
#include "log/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>
// @from ch05

#include "log/positional_write.h"
// @end

namespace streamcraft::log {

Error storage_error(const std::filesystem::path& path, std::string_view what, int err) {
  return make_error(Errc::kafka_storage_error,
                    fmt::format("{} {}: {}", what, path.string(), std::strerror(err)));
}

namespace {

// Owns a file descriptor; closing it is the only cleanup a file needs.
class PosixFile final : public File
// @from ch05
    , public PositionalWrite
// @end
{
 public:
  PosixFile(int fd, std::filesystem::path path, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixFile() override { ::close(fd_); }
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Status append(ByteSpan data) override {
    while (!data.empty()) {
      // pwrite at our own idea of the end: one positional write, no shared file offset.
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(size_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return storage_error(path_, "write", errno);
      }
      size_ += static_cast<std::uint64_t>(n);
      data = data.subspan(static_cast<std::size_t>(n));
    }
    return {};
  }

  Result<std::size_t> read_at(MutableByteSpan out, std::uint64_t position) const override {
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(position + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return storage_error(path_, "read", errno);
      }
      if (n == 0) break;  // end of file
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

  Status sync() override {
    if (::fdatasync(fd_) != 0) return storage_error(path_, "fdatasync", errno);
    return {};
  }

  Status truncate(std::uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return storage_error(path_, "truncate", errno);
    size_ = size;
    return {};
  }

  std::uint64_t size() const override { return size_; }
  int native_handle() const override { return fd_; }
  // @from ch05
  Status write_at(ByteSpan data, std::uint64_t position) override {
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(position));
      if (n < 0) {
        if (errno == EINTR) continue;
        return storage_error(path_, "write", errno);
      }
      position += static_cast<std::uint64_t>(n);
      size_ = std::max(size_, position);
      data = data.subspan(static_cast<std::size_t>(n));
    }
    return {};
  }
  // @end

 private:
  int fd_;
  std::filesystem::path path_;
  std::uint64_t size_;
};

class PosixFileSystem final : public FileSystem {
  // The names of the entries of dir that `keep` accepts, sorted.
  template <class Keep>
  static Result<std::vector<std::string>> entries(const std::filesystem::path& dir, Keep keep) {
    std::error_code ec;
    std::vector<std::string> names;
    for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
      if (keep(*it, ec)) names.push_back(it->path().filename().string());
    }
    if (ec) return storage_error(dir, "list", ec.value());
    std::sort(names.begin(), names.end());
    return names;
  }

 public:
  Result<std::unique_ptr<File>> open(const std::filesystem::path& path, OpenMode mode) override {
    int flags = O_CLOEXEC | (mode == OpenMode::read_only ? O_RDONLY : (O_RDWR | O_CREAT));
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return storage_error(path, "open", errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return storage_error(path, "stat", err);
    }
    return std::unique_ptr<File>(std::make_unique<PosixFile>(fd, path, static_cast<std::uint64_t>(st.st_size)));
  }

  Status remove(const std::filesystem::path& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return storage_error(path, "delete", errno);
    return {};
  }

  Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return storage_error(from, "rename", errno);
    return {};
  }

  bool exists(const std::filesystem::path& path) const override {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
  }

  Result<std::vector<std::string>> list(const std::filesystem::path& dir) const override {
    return entries(dir, [](const std::filesystem::directory_entry& e, std::error_code& ec) {
      return e.is_regular_file(ec);
    });
  }

  Result<std::vector<std::string>> list_directories(const std::filesystem::path& dir) const override {
    return entries(dir, [](const std::filesystem::directory_entry& e, std::error_code& ec) {
      return e.is_directory(ec);
    });
  }

  Status create_directories(const std::filesystem::path& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return storage_error(dir, "create directory", ec.value());
    return {};
  }

  Status remove_all(const std::filesystem::path& dir) override {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) return storage_error(dir, "delete directory", ec.value());
    return {};
  }

  Status sync_directory(const std::filesystem::path& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return storage_error(dir, "open directory", errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return storage_error(dir, "fsync directory", err);
    return {};
  }
};

}  // namespace

Status FileSystem::write_atomically(const std::filesystem::path& path, ByteSpan contents) {
  auto tmp = path;
  tmp += ".tmp";
  {
    auto file = open(tmp, OpenMode::read_write);
    if (!file) return file.error();
    if (auto s = (*file)->truncate(0); !s) return s;
    if (auto s = (*file)->append(contents); !s) return s;
    if (auto s = (*file)->sync(); !s) return s;
  }
  if (auto s = rename(tmp, path); !s) return s;
  return sync_directory(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

Result<Bytes> FileSystem::read_all(const std::filesystem::path& path) {
  auto file = open(path, OpenMode::read_only);
  if (!file) return file.error();
  Bytes out((*file)->size());
  auto n = (*file)->read_at(out, 0);
  if (!n) return n.error();
  out.resize(*n);
  return out;
}

FileSystem& posix_file_system() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace streamcraft::log
