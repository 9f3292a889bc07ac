// generated from final/bench/rdkafka_peer.h; edit there
// bench/rdkafka_peer.h — librdkafka, the C client most Kafka clients wrap, as a second
// client in the broker benchmark.
//
// A benchmark of a broker measured only with its own client could be measuring the
// client. librdkafka (librdkafka-dev from Debian) is the reference for a fast, batching
// producer: it decides batch sizes, linger and pipelining itself, with its defaults, so
// its figures show what an unmodified real client gets from this broker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace streamcraft::bench {

// True when the benchmark was built with librdkafka (its -dev package was found).
bool rdkafka_available();

// Produces `total` records of `value_size` bytes, round-robin over `partitions`, acks=1;
// returns seconds from the first send to the last delivery report, or an error message.
struct RdkafkaRun {
  double seconds = 0;
  std::string error;  // empty when it worked
};
// With `idempotent`, as enable.idempotence=true (chapter 3): InitProducerId, sequence
// numbers, acks=all.
RdkafkaRun rdkafka_produce(const std::string& bootstrap, const std::string& topic, std::int32_t partitions,
                           std::size_t total, std::size_t value_size, bool idempotent = false);

// Reads partition 0 from the beginning until `count` records arrived (the simple,
// group-less consumer API); returns seconds.
RdkafkaRun rdkafka_consume(const std::string& bootstrap, const std::string& topic, std::size_t count);

}  // namespace streamcraft::bench
