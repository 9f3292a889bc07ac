// generated from final/protocol/produce.h; edit there
// protocol/produce.h — Produce (key 0): appending batches to partitions.
//
// A request carries, per topic and partition, one RecordBatch (v2 since Produce v3),
// plus `acks`: 0 = the client wants no answer at all, 1 = answer after the leader's
// append, -1 ("all") = answer once the in-sync replicas have it (chapter 4; until then
// the same as 1). The response gives each partition's error and the base offset the log
// assigned. Versions 3..7 differ only in response fields: log_append_time (v2+),
// log_start_offset (v5+); v4..v7 exist so clients can signal newer error handling.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

struct ProducePartitionData {
  std::int32_t partition = 0;
  std::optional<ByteSpan> records;  // points into the request frame
};

struct ProduceTopicData {
  std::string name;
  std::vector<ProducePartitionData> partitions;
};

struct ProduceRequest {
  std::optional<std::string> transactional_id;
  std::int16_t acks = 1;
  std::int32_t timeout_ms = 30000;
  std::vector<ProduceTopicData> topics;
};

struct ProducePartitionResponse {
  std::int32_t partition = 0;
  Errc error = Errc::none;
  std::int64_t base_offset = -1;
  std::int64_t log_append_time_ms = -1;
  std::int64_t log_start_offset = -1;
};

struct ProduceTopicResponse {
  std::string name;
  std::vector<ProducePartitionResponse> partitions;
};

struct ProduceResponse {
  std::vector<ProduceTopicResponse> topics;
  std::int32_t throttle_time_ms = 0;
};

Result<ProduceRequest> decode_produce_request(ByteSpan body, std::int16_t version);
Bytes encode_produce_request(const ProduceRequest& r, std::int16_t version);
Bytes encode_produce_response(const ProduceResponse& r, std::int16_t version);
Result<ProduceResponse> decode_produce_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
