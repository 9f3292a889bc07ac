// generated from final/broker/connection.h; edit there
// broker/connection.h — one client connection: frames in, responses out, in order.
//
// TCP delivers a byte stream, not messages: one read may hold half a request or three.
// The connection collects bytes until a whole frame (size prefix + that many bytes) is
// there, and refuses a frame larger than socket.request.max.bytes as soon as its size
// prefix arrives — before buffering a single byte of it.
//
// Every byte is copied once, straight into a buffer of its frame's exact size, allocated
// when the size prefix arrives: a megabyte produce request is never re-buffered or
// shifted. For big frames the socket can even read straight into that buffer
// (direct_space / commit_direct), so the only copy left is the kernel's.
//
// Clients pipeline requests and require responses in request order. Each request takes
// a slot when it arrives; a response fills its slot whenever it is ready (a long-polling
// fetch may finish after the produce that followed it); responses leave strictly in slot
// order, and a slot without a response (acks=0) simply passes.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "protocol/message.h"

namespace streamcraft::broker {

class Connection {
 public:
  explicit Connection(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Adds received bytes; returns the frames now complete (without their size prefix).
  // An error means the peer broke the framing: close the connection.
  Result<std::vector<Bytes>> receive(ByteSpan bytes);

  // The still-missing part of the frame being received (empty between frames). A caller
  // may read from the socket into it and then report how many bytes arrived.
  MutableByteSpan direct_space();
  // Returns the frame if those bytes completed it.
  std::optional<Bytes> commit_direct(std::size_t n);

  std::uint64_t open_slot();
  // Fills a slot; nullopt means "this request gets no response".
  void fill(std::uint64_t slot, std::optional<protocol::OutMessage> response);
  // The responses that may be sent now, in order.
  std::vector<protocol::OutMessage> take_ready();
  std::size_t open_slots() const { return slots_.size(); }

 private:
  struct Slot {
    std::uint64_t id;
    bool filled = false;
    std::optional<protocol::OutMessage> response;
  };
  std::size_t max_frame_bytes_;
  std::array<std::byte, 4> prefix_{};  // the size prefix of the next frame, as it arrives
  std::size_t prefix_filled_ = 0;
  bool in_frame_ = false;               // the prefix is complete; frame_ has the frame's size
  Bytes frame_;
  std::size_t frame_filled_ = 0;
  std::deque<Slot> slots_;
  std::uint64_t next_slot_ = 0;
};

}  // namespace streamcraft::broker
