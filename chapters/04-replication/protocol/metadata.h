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
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

struct MetadataRequest {
  std::optional<std::vector<std::string>> topics;  // nullopt: all topics
  bool allow_auto_topic_creation = true;
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
};

struct MetadataTopic {
  Errc error = Errc::none;
  std::string name;
  bool is_internal = false;
  std::vector<MetadataPartition> partitions;
};

struct MetadataResponse {
  std::int32_t throttle_time_ms = 0;
  std::vector<MetadataBroker> brokers;
  std::optional<std::string> cluster_id;
  std::int32_t controller_id = -1;
  std::vector<MetadataTopic> topics;
};

Result<MetadataRequest> decode_metadata_request(ByteSpan body, std::int16_t version);
Bytes encode_metadata_request(const MetadataRequest& r, std::int16_t version);
Bytes encode_metadata_response(const MetadataResponse& r, std::int16_t version);
Result<MetadataResponse> decode_metadata_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
