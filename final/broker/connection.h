// broker/connection.h — one client connection: frames in, responses out, in order.
//
// TCP delivers a byte stream, not messages: one read may hold half a request or three.
// The connection collects bytes until a whole frame (size prefix + that many bytes) is
// there, and refuses a frame larger than socket.request.max.bytes as soon as its size
// prefix arrives — before buffering a single byte of it.
//
// Clients pipeline requests and require responses in request order. Each request takes
// a slot when it arrives; a response fills its slot whenever it is ready (a long-polling
// fetch may finish after the produce that followed it); responses leave strictly in slot
// order, and a slot without a response (acks=0) simply passes.
#pragma once

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
  Bytes buffer_;
  std::deque<Slot> slots_;
  std::uint64_t next_slot_ = 0;
};

}  // namespace streamcraft::broker
