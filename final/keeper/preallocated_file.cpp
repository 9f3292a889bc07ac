// keeper/preallocated_file.cpp — the two sizes of a preallocated log file.
#include "keeper/preallocated_file.h"

#include <algorithm>
#include <array>

#include "common/bytes.h"
#include "log/positional_write.h"
#include "record/batch.h"

namespace streamcraft::keeper {

namespace {

constexpr std::size_t kChunk = 1 << 20;  // zeros are written, and checked, a MiB at a time

const std::array<std::byte, kChunk>& zeros() {
  static const std::array<std::byte, kChunk> z{};
  return z;
}

class PreallocatedFile final : public log::File {
 public:
  PreallocatedFile(std::unique_ptr<log::File> inner, log::PositionalWrite& writer, std::uint64_t step,
                   std::uint64_t logical, bool writable)
      : inner_(std::move(inner)), writer_(writer), step_(step), logical_(logical), writable_(writable) {}
  // Closing cuts the zeros away, so that a cleanly stopped keeper leaves files that end
  // where their logs do. Best effort: if it fails, the next open finds the end anyway.
  ~PreallocatedFile() override {
    if (writable_ && inner_->size() > logical_) (void)inner_->truncate(logical_);
  }
  PreallocatedFile(const PreallocatedFile&) = delete;
  PreallocatedFile& operator=(const PreallocatedFile&) = delete;

  Status append(ByteSpan data) override {
    if (auto s = reserve(logical_ + data.size()); !s) return s;
    if (auto s = writer_.write_at(data, logical_); !s) return s;
    logical_ += data.size();
    return {};
  }
  Result<std::size_t> read_at(MutableByteSpan out, std::uint64_t position) const override {
    if (position >= logical_) return std::size_t{0};
    return inner_->read_at(out.first(static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), logical_ - position))),
                           position);
  }
  Status sync() override { return inner_->sync(); }
  // A cut (a torn tail at recovery, a failed append) takes the zeros with it; the next
  // append lays down a new step.
  Status truncate(std::uint64_t size) override {
    if (auto s = inner_->truncate(size); !s) return s;
    logical_ = size;
    return {};
  }
  std::uint64_t size() const override { return logical_; }
  int native_handle() const override { return inner_->native_handle(); }

 private:
  // Makes the file at least `end` bytes long by appending zeros up to the next multiple
  // of the step. The zeros are not synced here: the next sync makes them durable together
  // with the data written into them, and that one sync pays for the size change.
  Status reserve(std::uint64_t end) {
    std::uint64_t physical = inner_->size();
    if (end <= physical) return {};
    const std::uint64_t target = (end + step_ - 1) / step_ * step_;
    while (physical < target) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, target - physical));
      if (auto s = inner_->append(ByteSpan(zeros().data(), n)); !s) return s;
      physical += n;
    }
    return {};
  }

  std::unique_ptr<log::File> inner_;
  log::PositionalWrite& writer_;  // inner_, as a file that takes writes at a position
  std::uint64_t step_;
  std::uint64_t logical_;
  bool writable_;
};

bool all_zero(ByteSpan bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

}  // namespace

Result<std::optional<std::uint64_t>> end_before_zeros(const log::File& file) {
  const std::uint64_t physical = file.size();
  // Walk the batches by their frames (offset and length, no CRC: chapter 1's recovery
  // checks the batches themselves). A frame of length 0 is the first of the zeros.
  std::uint64_t pos = 0;
  while (pos + record::layout::log_overhead <= physical) {
    std::array<std::byte, record::layout::log_overhead> frame{};
    auto n = file.read_at(frame, pos);
    if (!n) return n.error();
    if (*n < frame.size()) break;
    const auto length = load_be<std::uint32_t>(frame.data() + record::layout::batch_length);
    if (length < record::layout::header_size - record::layout::log_overhead) break;
    const std::uint64_t next = pos + record::layout::log_overhead + length;
    if (next > physical) break;
    pos = next;
  }
  // Everything after the walk must be zeros for it to be preallocated space.
  std::vector<std::byte> buf(kChunk);
  for (std::uint64_t at = pos; at < physical;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, physical - at));
    auto n = file.read_at(MutableByteSpan(buf.data(), want), at);
    if (!n) return n.error();
    if (*n == 0) break;
    if (!all_zero(ByteSpan(buf.data(), *n))) return std::optional<std::uint64_t>{};
    at += *n;
  }
  return std::optional<std::uint64_t>(pos);
}

Result<std::unique_ptr<log::File>> PreallocatingFileSystem::open(const std::filesystem::path& path,
                                                                  log::OpenMode mode) {
  auto file = inner_.open(path, mode);
  if (!file || path.extension() != ".log") return file;
  // Only a file that can be written at a position can have zeros laid ahead of its data.
  auto* writer = dynamic_cast<log::PositionalWrite*>(file->get());
  if (!writer) return file;
  std::uint64_t logical = (*file)->size();
  // Only a file this decorator padded can end in zeros it laid down: its size is a whole
  // number of steps. Any other file (one closed cleanly, or never padded) is taken as it is.
  if (logical > 0 && logical % step_ == 0) {
    std::byte last{};
    auto n = (*file)->read_at(MutableByteSpan(&last, 1), logical - 1);
    if (!n) return n.error();
    if (*n == 1 && last == std::byte{0}) {
      auto end = end_before_zeros(**file);
      if (!end) return end.error();
      if (*end) logical = **end;
    }
  }
  return std::unique_ptr<log::File>(
      std::make_unique<PreallocatedFile>(std::move(*file), *writer, step_, logical, mode == log::OpenMode::read_write));
}

}  // namespace streamcraft::keeper
