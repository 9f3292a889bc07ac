// generated from final/client/partitioner.cpp; edit there
// client/partitioner.cpp — murmur2 as Kafka's Java client computes it.
#include "client/partitioner.h"
#include "common/not_implemented.h"  // the stub of this file's exercise

#include <cstring>

namespace streamcraft::client {

// Murmur2 mixes 4 bytes at a time: each little-endian block k is multiplied by m,
// shifted (k ^= k >> 24), multiplied again and folded into h (h = h * m ^ k); the 1..3
// leftover bytes are xored into h and multiplied once; three final mixing steps spread
// every input bit over the result. All arithmetic is on unsigned 32 bits, wrapping.
std::int32_t murmur2(std::string_view key) {
  const std::uint32_t seed = 0x9747b28c;
  const std::uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto length = static_cast<std::uint32_t>(key.size());
  std::uint32_t h = seed ^ length;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const std::size_t blocks = key.size() / 4;
  for (std::size_t i = 0; i < blocks; ++i) {
    // Little-endian 4-byte blocks, as the Java code assembles them.
    std::uint32_t k = static_cast<std::uint32_t>(data[4 * i]) | static_cast<std::uint32_t>(data[4 * i + 1]) << 8 |
                      static_cast<std::uint32_t>(data[4 * i + 2]) << 16 |
                      static_cast<std::uint32_t>(data[4 * i + 3]) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const unsigned char* tail = data + 4 * blocks;
  switch (key.size() % 4) {
    case 3: h ^= static_cast<std::uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<std::uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      h ^= static_cast<std::uint32_t>(tail[0]);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

std::int32_t partition_for_key(std::string_view key, std::int32_t partitions) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffu) %
                                   static_cast<std::uint32_t>(partitions));
}

}  // namespace streamcraft::client
