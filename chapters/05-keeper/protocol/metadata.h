// generated from final/protocol/metadata.h; edit there
// protocol/metadata.h — Metadata (key 3): which brokers exist and who leads what.
//
// Before producing or fetching, a client asks for the cluster's brokers and, for each
// topic, its partitions with their leader and replicas; it then sends each partition's
// requests to that partition's leader. In this chapter there is one broker, which leads
// every partition. Versions 0..5; the differences that matter:
//   v0  an empty topic list means "all topics"
//   v1+ a null list means "all topics" and an empty one means none; controller id, racks
//   v2+ cluster id · v3+ throttle time · v4+ allow_auto_topic_creation · v5+ offline replicas
// Chapter 4 adds versions 6..8 (v9 is the first flexible one):
//   v6  v5's layout (a throttled client is answered first and throttled afterwards)
//   v7+ each partition's leader_epoch, after leader_id: a client that knows it sends it
//       back as current_leader_epoch in Fetch and ListOffsets, and ignores metadata from a
//       broker that knows an older epoch than it has already seen
//   v8+ authorized operations (KIP-430): the request asks for them with two booleans
//       (cluster, then topics); the response has a 32-bit set of operations per topic,
//       after its partitions, and one for the cluster at the very end. A broker without
//       authorization sends kAuthorizedOperationsOmitted (INT32_MIN) in both.
// Every field of the codec is written and read under `version >= N` (v0's empty list
// aside), so the versions advertised can grow without changes here.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

// Metadata v8's "authorized operations were not computed" (Kafka's default).
inline constexpr std::int32_t kAuthorizedOperationsOmitted = std::numeric_limits<std::int32_t>::min();

struct MetadataRequest {
  std::optional<std::vector<std::string>> topics;  // nullopt: all topics
  bool allow_auto_topic_creation = true;
  bool include_cluster_authorized_operations = false;  // v8+
  bool include_topic_authorized_operations = false;    // v8+
};

struct MetadataBroker {
  std::int32_t node_id = 0;
  std::string host;
  std::int32_t port = 0;
  std::optional<std::string> rack;
};

struct MetadataPartition {
  Errc error = Errc::none;
  std::int32_t partition = 0;
  std::int32_t leader = -1;
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> isr;
  std::vector<std::int32_t> offline_replicas;
  std::int32_t leader_epoch = -1;  // v7+, on the wire right after leader
};

struct MetadataTopic {
  Errc error = Errc::none;
  std::string name;
  bool is_internal = false;
  std::vector<MetadataPartition> partitions;
  std::int32_t topic_authorized_operations = kAuthorizedOperationsOmitted;  // v8+, after partitions
};

struct MetadataResponse {
  std::int32_t throttle_time_ms = 0;
  std::vector<MetadataBroker> brokers;
  std::optional<std::string> cluster_id;
  std::int32_t controller_id = -1;
  std::vector<MetadataTopic> topics;
  std::int32_t cluster_authorized_operations = kAuthorizedOperationsOmitted;  // v8+, after topics
};

Result<MetadataRequest> decode_metadata_request(ByteSpan body, std::int16_t version);
Bytes encode_metadata_request(const MetadataRequest& r, std::int16_t version);
Bytes encode_metadata_response(const MetadataResponse& r, std::int16_t version);
Result<MetadataResponse> decode_metadata_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
