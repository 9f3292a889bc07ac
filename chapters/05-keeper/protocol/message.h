// generated from final/protocol/message.h; edit there
// protocol/message.h — an encoded response made of memory bytes and file ranges.
//
// A fetch response mostly consists of record batches that already sit, byte for byte, in
// segment files. Copying them into a buffer only to write the buffer to a socket wastes
// memory bandwidth; instead the response is a list of parts — encoded bytes, then a
// range of a segment file, then more bytes — and the network adapter sends file ranges
// with sendfile(2), straight from the page cache to the socket ("zero copy").
#pragma once

#include <variant>
#include <vector>

#include "common/bytes.h"
#include "log/segment.h"

namespace streamcraft::protocol {

class OutMessage {
 public:
  using Part = std::variant<Bytes, log::FileRange>;

  // The buffer that encoders append to (a new one after each file range).
  Bytes& bytes();
  void append_file(const log::FileRange& range);
  std::size_t size() const;
  // Overwrites the first 4 bytes (reserved by the encoder) with the frame's size after
  // them: the size prefix of a response is known only once everything is encoded.
  void write_size_prefix();
  const std::vector<Part>& parts() const { return parts_; }
  // One contiguous copy (reads the file ranges): for tests and simple transports.
  Result<Bytes> flatten() const;

 private:
  std::vector<Part> parts_;
};

}  // namespace streamcraft::protocol
