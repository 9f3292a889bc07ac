// log/memory_file_system.cpp — the in-memory disk and its power cut.
#include "log/memory_file_system.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
// @from ch05

#include "log/positional_write.h"
// @end

namespace streamcraft::log {
namespace {

class MemoryFile final : public File
// @from ch05
    , public PositionalWrite
// @end
{
 public:
  MemoryFile(std::shared_ptr<MemoryFileSystem::Inode> inode, MemoryFileSystem& fs, std::uint64_t& syncs, bool writable)
      : inode_(std::move(inode)), fs_(fs), syncs_(syncs), writable_(writable) {}

  Status append(ByteSpan data) override {
    if (!writable_) return storage_error("<memory>", "write to a read-only file", EBADF);
    if (!fs_.take_write()) return {};
    inode_->data.insert(inode_->data.end(), data.begin(), data.end());
    return {};
  }
  Result<std::size_t> read_at(MutableByteSpan out, std::uint64_t position) const override {
    const auto& d = inode_->data;
    if (position >= d.size()) return std::size_t{0};
    const auto n = std::min<std::uint64_t>(out.size(), d.size() - position);
    std::memcpy(out.data(), d.data() + position, static_cast<std::size_t>(n));
    return static_cast<std::size_t>(n);
  }
  Status sync() override {
    if (!fs_.take_write()) return {};
    inode_->synced = inode_->data;
    ++syncs_;
    return {};
  }
  Status truncate(std::uint64_t size) override {
    if (!writable_) return storage_error("<memory>", "truncate a read-only file", EBADF);
    if (!fs_.take_write()) return {};
    inode_->data.resize(static_cast<std::size_t>(size));
    return {};
  }
  std::uint64_t size() const override { return inode_->data.size(); }
  // @from ch05
  Status write_at(ByteSpan data, std::uint64_t position) override {
    if (!writable_) return storage_error("<memory>", "write to a read-only file", EBADF);
    if (!fs_.take_write()) return {};
    auto& d = inode_->data;
    if (d.size() < position + data.size()) d.resize(static_cast<std::size_t>(position + data.size()));
    std::copy(data.begin(), data.end(), d.begin() + static_cast<std::ptrdiff_t>(position));
    return {};
  }
  // @end

 private:
  std::shared_ptr<MemoryFileSystem::Inode> inode_;  // outlives a remove(), as an open fd does
  MemoryFileSystem& fs_;
  std::uint64_t& syncs_;
  bool writable_;
};

std::string parent_of(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }

}  // namespace

std::string MemoryFileSystem::key(const std::filesystem::path& path) { return path.lexically_normal().string(); }

bool MemoryFileSystem::is_directory(const std::string& path) const { return directories_.contains(path); }

Result<std::unique_ptr<File>> MemoryFileSystem::open(const std::filesystem::path& path, OpenMode mode) {
  const auto k = key(path);
  auto it = names_.find(k);
  if (it == names_.end()) {
    if (mode == OpenMode::read_only) return storage_error(path, "open", ENOENT);
    if (!is_directory(parent_of(k))) return storage_error(path, "create", ENOENT);
    auto inode = std::make_shared<Inode>();
    if (!take_write()) return std::unique_ptr<File>(std::make_unique<MemoryFile>(inode, *this, syncs_, true));
    it = names_.emplace(k, std::move(inode)).first;  // durable once its directory is synced
  }
  return std::unique_ptr<File>(std::make_unique<MemoryFile>(it->second, *this, syncs_, mode == OpenMode::read_write));
}

Status MemoryFileSystem::remove(const std::filesystem::path& path) {
  if (!take_write()) return {};
  names_.erase(key(path));  // a missing file is already removed, as for the POSIX disk
  return {};
}

Status MemoryFileSystem::rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (!take_write()) return {};  // the machine is dead: nothing it does reaches the disk
  auto it = names_.find(key(from));
  if (it == names_.end()) return storage_error(from, "rename", ENOENT);
  auto inode = it->second;
  names_.erase(it);
  names_[key(to)] = std::move(inode);
  return {};
}

bool MemoryFileSystem::exists(const std::filesystem::path& path) const {
  const auto k = key(path);
  return names_.contains(k) || is_directory(k);
}

Result<std::vector<std::string>> MemoryFileSystem::list(const std::filesystem::path& dir) const {
  const auto d = key(dir);
  if (!is_directory(d)) return storage_error(dir, "list", ENOENT);
  std::vector<std::string> out;
  for (const auto& [path, inode] : names_)
    if (parent_of(path) == d) out.push_back(std::filesystem::path(path).filename().string());
  return out;  // names_ is ordered, so this is sorted
}

Result<std::vector<std::string>> MemoryFileSystem::list_directories(const std::filesystem::path& dir) const {
  const auto d = key(dir);
  if (!is_directory(d)) return storage_error(dir, "list", ENOENT);
  std::vector<std::string> out;
  for (const auto& path : directories_)
    if (parent_of(path) == d && path != d) out.push_back(std::filesystem::path(path).filename().string());
  return out;
}

Status MemoryFileSystem::create_directories(const std::filesystem::path& dir) {
  for (auto p = std::filesystem::path(key(dir)); !p.empty(); p = p.parent_path()) {
    if (names_.contains(p.string())) return storage_error(dir, "create directory", ENOTDIR);
    directories_.insert(p.string());
    if (p == p.parent_path()) break;
  }
  return {};
}

Status MemoryFileSystem::remove_all(const std::filesystem::path& dir) {
  if (!take_write()) return {};
  const auto d = key(dir);
  auto inside = [&](const std::string& path) { return path == d || path.starts_with(d + "/"); };
  std::erase_if(names_, [&](const auto& e) { return inside(e.first); });
  // A whole-directory removal is made durable at once (the log fsyncs the parent, and
  // this disk keeps no directory state of its own to lose).
  std::erase_if(durable_names_, [&](const auto& e) { return inside(e.first); });
  std::erase_if(directories_, inside);
  return {};
}

Status MemoryFileSystem::sync_directory(const std::filesystem::path& dir) {
  const auto d = key(dir);
  if (!is_directory(d)) return storage_error(dir, "fsync directory", ENOENT);
  if (!take_write()) return {};
  std::erase_if(durable_names_, [&](const auto& e) { return parent_of(e.first) == d; });
  for (const auto& [path, inode] : names_)
    if (parent_of(path) == d) durable_names_[path] = inode;
  ++syncs_;
  return {};
}

void MemoryFileSystem::crash(const std::function<std::uint64_t(const std::filesystem::path&, std::uint64_t)>& torn_tail) {
  writes_left_.reset();  // the power is back
  names_ = durable_names_;
  for (auto& [path, inode] : names_) {
    // Appended bytes beyond the durable ones may partly survive; anything else since the
    // last sync (a truncation, bytes rewritten) is undone.
    const bool appended_since = inode->data.size() > inode->synced.size() &&
                                std::equal(inode->synced.begin(), inode->synced.end(), inode->data.begin());
    std::uint64_t keep = 0;
    if (appended_since && torn_tail)
      keep = std::min<std::uint64_t>(torn_tail(path, inode->data.size() - inode->synced.size()),
                                     inode->data.size() - inode->synced.size());
    inode->data.resize(inode->synced.size() + static_cast<std::size_t>(keep));
    inode->synced = inode->data;
  }
}

std::uint64_t MemoryFileSystem::unsynced_bytes() const {
  std::uint64_t n = 0;
  for (const auto& [path, inode] : names_)
    if (inode->data.size() > inode->synced.size()) n += inode->data.size() - inode->synced.size();
  return n;
}

}  // namespace streamcraft::log
