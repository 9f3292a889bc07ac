// generated from final/broker/producer_ids.cpp; edit there
// broker/producer_ids.cpp — durable producer id blocks.
#include "broker/producer_ids.h"

#include <charconv>
#include <string>

#include <fmt/format.h>

namespace streamcraft::broker {

Result<std::int64_t> ProducerIdAllocator::next() {
  if (next_ == block_end_) {
    std::int64_t start = 0;
    const auto path = dir_ / kFileName;
    if (fs_.exists(path)) {
      auto bytes = fs_.read_all(path);
      if (!bytes) return bytes.error();
      const auto* text = reinterpret_cast<const char*>(bytes->data());
      auto [ptr, ec] = std::from_chars(text, text + bytes->size(), start);
      // A damaged file must not send ids back to 0: refuse rather than guess.
      if (ec != std::errc{} || start < 0)
        return make_error(Errc::kafka_storage_error, fmt::format("{} is unreadable", path.string()));
    }
    const auto reserved = fmt::format("{}\n", start + kBlockSize);
    Bytes out(reinterpret_cast<const std::byte*>(reserved.data()),
              reinterpret_cast<const std::byte*>(reserved.data()) + reserved.size());
    if (auto s = fs_.write_atomically(path, out); !s) return s.error();
    next_ = start;
    block_end_ = start + kBlockSize;
  }
  if (count_ > 1) return next_++ * count_ + index_;
  return next_++;
}

}  // namespace streamcraft::broker
