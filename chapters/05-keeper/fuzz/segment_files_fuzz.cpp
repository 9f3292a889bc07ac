// generated from final/fuzz/segment_files_fuzz.cpp; edit there
// fuzz/segment_files_fuzz.cpp — random bytes as index files and as a segment to recover.
//
// Files on disk are untrusted too: a crash or a bad disk can leave anything in them.
// Index decoding must reject garbage cleanly, and the recovery scan must accept only a
// prefix of whole, valid batches — never more bytes than the file holds.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "log/index.h"
#include "log/recovery.h"
#include "log/time_index.h"

using namespace streamcraft;

namespace {

// A read-only in-memory file.
class MemoryFile final : public log::File {
 public:
  explicit MemoryFile(ByteSpan data) : data_(data) {}
  Status append(ByteSpan) override { return make_error(Errc::kafka_storage_error, "read-only"); }
  Result<std::size_t> read_at(MutableByteSpan out, std::uint64_t position) const override {
    if (position >= data_.size()) return std::size_t{0};
    auto n = std::min<std::size_t>(out.size(), data_.size() - position);
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(position), n, out.begin());
    return n;
  }
  Status sync() override { return {}; }
  Status truncate(std::uint64_t) override { return make_error(Errc::kafka_storage_error, "read-only"); }
  std::uint64_t size() const override { return data_.size(); }

 private:
  ByteSpan data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteSpan input(reinterpret_cast<const std::byte*>(data), size);
  if (auto entries = log::decode_index(input, size)) {
    for (const auto& e : *entries)
      if (e.position >= size) throw std::logic_error("index entry past the log accepted");
  }
  (void)log::decode_time_index(input);

  MemoryFile file(input);
  std::uint64_t covered = 0;
  auto scan = log::scan_segment(file, 0, [&](const log::BatchLocation& b) {
    if (b.position != covered) throw std::logic_error("scan skipped bytes");
    covered += b.size;
  });
  if (!scan) throw std::logic_error("a memory file cannot fail to read");
  if (scan->valid_bytes != covered || scan->valid_bytes > size) throw std::logic_error("scan overran the file");
  if ((scan->valid_bytes < size) != scan->stop_reason.has_value())
    throw std::logic_error("scan stopped early without a reason");
  return 0;
}
