// generated from final/protocol/api_versions.h; edit there
// protocol/api_versions.h — ApiVersions (key 18): what this broker speaks.
//
// A client's first request on a connection asks which versions of which APIs the broker
// supports; the client then picks, per API, a version both sides know. Clients read more
// into the answer than that: librdkafka switches features on from the ranges (record
// batches v2 need Produce >= 3 and Fetch >= 4 in range), and kafka-python infers a Kafka
// release from them and then uses that release's fixed versions. So the table must look
// like a real Kafka release, and every version inside a range must really work.
//
// No flexible version (the ones with tagged fields and compact encodings) is advertised.
// librdkafka nevertheless opens with ApiVersions v3; the answer, as Apache Kafka gives
// it, is UNSUPPORTED_VERSION in a v0-shaped body, after which the client retries with v0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

struct ApiVersionRange {
  std::int16_t api_key;
  std::int16_t min_version;
  std::int16_t max_version;
};

// The versions this broker supports, ordered by key.
std::span<const ApiVersionRange> supported_apis();
// The range for a key, or nullptr if the key is not supported.
const ApiVersionRange* find_api(std::int16_t api_key);
// The range of one of the course's inter-broker requests (keys 1000–1002), which the
// broker accepts but does not advertise; nullptr for any other key.
const ApiVersionRange* find_course_api(std::int16_t api_key);

struct ApiVersionsResponse {
  Errc error = Errc::none;
  std::vector<ApiVersionRange> apis;
  std::int32_t throttle_time_ms = 0;
};

// Encodes the response body at `version` (0..2). For an unsupported (e.g. flexible)
// request version pass version 0 and error unsupported_version, as Kafka does.
Bytes encode_api_versions_response(const ApiVersionsResponse& r, std::int16_t version);
Result<ApiVersionsResponse> decode_api_versions_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
