// generated from final/protocol/message.cpp; edit there
// protocol/message.cpp — responses with file ranges.
#include "protocol/message.h"

namespace streamcraft::protocol {

Bytes& OutMessage::bytes() {
  if (parts_.empty() || !std::holds_alternative<Bytes>(parts_.back())) parts_.emplace_back(Bytes{});
  return std::get<Bytes>(parts_.back());
}

void OutMessage::append_file(const log::FileRange& range) {
  if (range.size > 0) parts_.emplace_back(range);
}

std::size_t OutMessage::size() const {
  std::size_t total = 0;
  for (const auto& p : parts_)
    total += std::holds_alternative<Bytes>(p) ? std::get<Bytes>(p).size() : std::get<log::FileRange>(p).size;
  return total;
}

void OutMessage::write_size_prefix() {
  auto& first = std::get<Bytes>(parts_.front());
  store_be<std::int32_t>(first.data(), static_cast<std::int32_t>(size() - 4));
}

Result<Bytes> OutMessage::flatten() const {
  Bytes out;
  out.reserve(size());
  for (const auto& p : parts_) {
    if (const auto* b = std::get_if<Bytes>(&p)) {
      out.insert(out.end(), b->begin(), b->end());
    } else {
      auto data = std::get<log::FileRange>(p).read();
      if (!data) return data.error();
      out.insert(out.end(), data->begin(), data->end());
    }
  }
  return out;
}

}  // namespace streamcraft::protocol
