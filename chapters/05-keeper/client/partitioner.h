// generated from final/client/partitioner.h; edit there
// client/partitioner.h — which partition a key goes to.
//
// Partitioning is the producer's choice, not the broker's: the broker stores whatever
// partition it is sent. For records with a key, the Java client (and kafkajs, and kcat
// with topic.partitioner=murmur2_random) hash the key with murmur2 and take it modulo
// the partition count, so the same key always lands in the same partition — and, across
// clients that agree on the hash, in the same partition whoever produces it. librdkafka's
// default is different (CRC32 of the key), which is why a topic written by kcat and by a
// Java producer can split one key over two partitions unless both are configured alike.
#pragma once

#include <cstdint>
#include <string_view>

namespace streamcraft::client {

// Kafka's murmur2 (seed 0x9747b28c), as in the Java client's Utils.murmur2.
std::int32_t murmur2(std::string_view key);

// The Java client's partition for a key: (murmur2(key) & 0x7fffffff) % partitions.
std::int32_t partition_for_key(std::string_view key, std::int32_t partitions);

}  // namespace streamcraft::client
