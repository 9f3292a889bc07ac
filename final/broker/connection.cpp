// broker/connection.cpp — framing and response ordering.
#include "broker/connection.h"
#include "common/not_implemented.h"  // the stubs of this file's exercises

#include "protocol/header.h"

namespace streamcraft::broker {

// Append the bytes to buffer_, then cut off every complete frame: a 4-byte size prefix
// (checked with protocol::read_frame_size against max_frame_bytes_ before any of the
// frame is waited for) followed by that many bytes. Keep an incomplete frame's bytes for
// the next call.
Result<std::vector<Bytes>> Connection::receive(ByteSpan bytes) {
  // @exercise framing(bytes)
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  std::vector<Bytes> frames;
  std::size_t pos = 0;
  while (buffer_.size() - pos >= 4) {
    auto size = protocol::read_frame_size(ByteSpan(buffer_).subspan(pos, 4), max_frame_bytes_);
    if (!size) return size.error();
    if (buffer_.size() - pos - 4 < *size) break;  // the rest of this frame is still on its way
    auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(pos + 4);
    frames.emplace_back(begin, begin + static_cast<std::ptrdiff_t>(*size));
    pos += 4 + *size;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(pos));
  return frames;
  // @end
}

std::uint64_t Connection::open_slot() {
  slots_.push_back(Slot{next_slot_, false, std::nullopt});
  return next_slot_++;
}

void Connection::fill(std::uint64_t slot, std::optional<protocol::OutMessage> response) {
  for (auto& s : slots_) {
    if (s.id == slot) {
      s.filled = true;
      s.response = std::move(response);
      return;
    }
  }
}

// Release responses strictly in slot order: pop filled slots from the front until the
// first one still waiting; a filled slot without a response (acks=0) is dropped.
std::vector<protocol::OutMessage> Connection::take_ready() {
  // @exercise response-order
  std::vector<protocol::OutMessage> ready;
  while (!slots_.empty() && slots_.front().filled) {
    if (slots_.front().response) ready.push_back(std::move(*slots_.front().response));
    slots_.pop_front();
  }
  return ready;
  // @end
}

}  // namespace streamcraft::broker
