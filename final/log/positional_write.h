// log/positional_write.h — files that can also be written in the middle.
//
// The log only appends (log/file.h). Keeper's transaction log, from chapter 5, writes into
// zeros it laid down ahead of its data (keeper/preallocated_file.h), and that takes a write
// at a position. The real disk's files and the memory disk's offer it through this second
// interface, next to File; a file that lacks it (a test's failing disk, say) is simply not
// preallocated. It is an interface of its own, not a method of File, so that the log's
// files stay what chapter 1 made them.
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::log {

class PositionalWrite {
 public:
  virtual ~PositionalWrite() = default;
  // Writes all of data at position, over the bytes there or past the end.
  virtual Status write_at(ByteSpan data, std::uint64_t position) = 0;
};

}  // namespace streamcraft::log
