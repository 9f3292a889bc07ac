// generated from final/broker/connection.cpp; edit there
// broker/connection.cpp — framing and response ordering.
#include "broker/connection.h"
#include "common/not_implemented.h"  // the stubs of this file's exercises

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "protocol/header.h"

namespace streamcraft::broker {

// Consume the bytes in order. Between frames, collect the 4-byte size prefix in prefix_;
// once complete, check it with protocol::read_frame_size against max_frame_bytes_ (before
// waiting for any of the frame), size frame_ to it and set in_frame_. Inside a frame, copy
// bytes into frame_ until it is full, then hand it out and start over. A frame of size 0
// is complete as soon as its prefix is.
Result<std::vector<Bytes>> Connection::receive(ByteSpan bytes) {
  std::vector<Bytes> frames;
  while (!bytes.empty() || (in_frame_ && frame_filled_ == frame_.size())) {
    if (!in_frame_) {
      const auto n = std::min(bytes.size(), prefix_.size() - prefix_filled_);
      std::copy_n(bytes.begin(), n, prefix_.begin() + static_cast<std::ptrdiff_t>(prefix_filled_));
      prefix_filled_ += n;
      bytes = bytes.subspan(n);
      if (prefix_filled_ < prefix_.size()) break;  // the rest of the prefix is on its way
      auto size = protocol::read_frame_size(prefix_, max_frame_bytes_);
      if (!size) return size.error();
      frame_.resize(*size);
      frame_filled_ = 0;
      prefix_filled_ = 0;
      in_frame_ = true;
    }
    const auto n = std::min(bytes.size(), frame_.size() - frame_filled_);
    std::copy_n(bytes.begin(), n, frame_.begin() + static_cast<std::ptrdiff_t>(frame_filled_));
    frame_filled_ += n;
    bytes = bytes.subspan(n);
    if (frame_filled_ == frame_.size()) {
      frames.push_back(std::move(frame_));
      frame_ = Bytes();
      in_frame_ = false;
    }
  }
  return frames;
}

MutableByteSpan Connection::direct_space() {
  if (!in_frame_) return {};
  return MutableByteSpan(frame_).subspan(frame_filled_);
}

std::optional<Bytes> Connection::commit_direct(std::size_t n) {
  if (!in_frame_ || n > frame_.size() - frame_filled_) throw std::logic_error("commit_direct beyond the frame");
  frame_filled_ += n;
  if (frame_filled_ < frame_.size()) return std::nullopt;
  in_frame_ = false;
  frame_filled_ = 0;
  return std::exchange(frame_, Bytes());
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
  std::vector<protocol::OutMessage> ready;
  while (!slots_.empty() && slots_.front().filled) {
    if (slots_.front().response) ready.push_back(std::move(*slots_.front().response));
    slots_.pop_front();
  }
  return ready;
}

}  // namespace streamcraft::broker
