// starter generated from final/client/partitioner.cpp for exercise murmur2; edit freely, this is your copy
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
  streamcraft::not_implemented("02-topics/murmur2", key);
}

std::int32_t partition_for_key(std::string_view key, std::int32_t partitions) {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffu) %
                                   static_cast<std::uint32_t>(partitions));
}

}  // namespace streamcraft::client
