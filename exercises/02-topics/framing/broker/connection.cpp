// starter generated from final/broker/connection.cpp for exercise framing; edit freely, this is your copy
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
  streamcraft::not_implemented("02-topics/framing", bytes);
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
