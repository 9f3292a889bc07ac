// generated from final/protocol/topics.h; edit there
// protocol/topics.h — CreateTopics (key 19) and DeleteTopics (key 20).
//
// Admin clients create topics with a partition count, a replication factor and config
// overrides (e.g. retention.ms), and delete them by name. Each topic gets its own error,
// so one bad name does not fail the others. CreateTopics v0..v4 (v1 validate_only and
// error messages, v2 throttle time); DeleteTopics v0..v3 (v1 throttle time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

struct CreatableTopic {
  std::string name;
  std::int32_t num_partitions = -1;      // -1: the broker's default
  std::int16_t replication_factor = -1;  // -1: the broker's default
  std::vector<std::pair<std::int32_t, std::vector<std::int32_t>>> assignments;
  std::vector<std::pair<std::string, std::optional<std::string>>> configs;
};

struct CreateTopicsRequest {
  std::vector<CreatableTopic> topics;
  std::int32_t timeout_ms = 30000;
  bool validate_only = false;
};

struct TopicResult {
  std::string name;
  Errc error = Errc::none;
  std::optional<std::string> error_message;
};

struct CreateTopicsResponse {
  std::int32_t throttle_time_ms = 0;
  std::vector<TopicResult> topics;
};

struct DeleteTopicsRequest {
  std::vector<std::string> names;
  std::int32_t timeout_ms = 30000;
};

struct DeleteTopicsResponse {
  std::int32_t throttle_time_ms = 0;
  std::vector<TopicResult> topics;  // error_message is not on the wire before v5
};

Result<CreateTopicsRequest> decode_create_topics_request(ByteSpan body, std::int16_t version);
Bytes encode_create_topics_request(const CreateTopicsRequest& r, std::int16_t version);
Bytes encode_create_topics_response(const CreateTopicsResponse& r, std::int16_t version);
Result<CreateTopicsResponse> decode_create_topics_response(ByteSpan body, std::int16_t version);

Result<DeleteTopicsRequest> decode_delete_topics_request(ByteSpan body, std::int16_t version);
Bytes encode_delete_topics_request(const DeleteTopicsRequest& r, std::int16_t version);
Bytes encode_delete_topics_response(const DeleteTopicsResponse& r, std::int16_t version);
Result<DeleteTopicsResponse> decode_delete_topics_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
