// generated from tests/support/faulty_file_system.cpp; edit there
// support/faulty_file_system.cpp — injected disk failures.
#include "support/faulty_file_system.h"

#include <cerrno>

namespace streamcraft::test {
namespace {

class FaultyFile final : public log::File {
 public:
  FaultyFile(std::unique_ptr<log::File> inner, FaultPlan& plan, std::filesystem::path path)
      : inner_(std::move(inner)), plan_(plan), path_(std::move(path)) {}

  Status append(ByteSpan data) override {
    if (data.size() <= plan_.bytes_until_full) {
      plan_.bytes_until_full -= data.size();
      return inner_->append(data);
    }
    // A full disk accepts what fits, then refuses: a partial write, like the real thing.
    auto fits = data.first(static_cast<std::size_t>(plan_.bytes_until_full));
    plan_.bytes_until_full = 0;
    if (auto s = inner_->append(fits); !s) return s;
    return log::storage_error(path_, "write", ENOSPC);
  }
  Result<std::size_t> read_at(MutableByteSpan out, std::uint64_t position) const override {
    auto n = inner_->read_at(out, position);
    if (n && plan_.on_read) plan_.on_read(path_, position, out.first(*n));
    return n;
  }
  Status sync() override {
    if (plan_.fail_sync) return log::storage_error(path_, "fdatasync", EIO);
    ++plan_.syncs;
    return inner_->sync();
  }
  Status truncate(std::uint64_t size) override {
    if (plan_.fail_truncate) return log::storage_error(path_, "truncate", EIO);
    return inner_->truncate(size);
  }
  std::uint64_t size() const override { return inner_->size(); }

 private:
  std::unique_ptr<log::File> inner_;
  FaultPlan& plan_;
  std::filesystem::path path_;
};

}  // namespace

Result<std::unique_ptr<log::File>> FaultyFileSystem::open(const std::filesystem::path& path, log::OpenMode mode) {
  auto inner = real().open(path, mode);
  if (!inner) return inner.error();
  return std::unique_ptr<log::File>(std::make_unique<FaultyFile>(std::move(*inner), plan, path));
}

Status FaultyFileSystem::sync_directory(const std::filesystem::path& dir) {
  if (plan.fail_sync) return log::storage_error(dir, "fsync directory", EIO);
  ++plan.syncs;
  return real().sync_directory(dir);
}

Status FaultyFileSystem::remove(const std::filesystem::path& path) {
  if (plan.fail_remove) return log::storage_error(path, "delete", EIO);
  return real().remove(path);
}

}  // namespace streamcraft::test
