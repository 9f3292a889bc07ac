// generated from final/bench/rdkafka_peer_missing.cpp; edit there
// bench/rdkafka_peer_missing.cpp — stands in for bench/rdkafka_peer.cpp when the build
// did not find librdkafka-dev: the benchmark still runs, with librdkafka's column "n/a".
#include "bench/rdkafka_peer.h"

namespace streamcraft::bench {

bool rdkafka_available() { return false; }

RdkafkaRun rdkafka_produce(const std::string&, const std::string&, std::int32_t, std::size_t, std::size_t, bool) {
  return {0, "built without librdkafka"};
}

RdkafkaRun rdkafka_consume(const std::string&, const std::string&, std::size_t) {
  return {0, "built without librdkafka"};
}

}  // namespace streamcraft::bench
