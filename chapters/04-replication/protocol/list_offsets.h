// generated from final/protocol/list_offsets.h; edit there
// protocol/list_offsets.h — ListOffsets (key 2): offsets by time.
//
// Where should a consumer start? ListOffsets turns a timestamp into an offset: -2 means
// "earliest" (the log start offset), -1 means "latest" (the log end offset — where new
// records will appear), and any other value the first offset whose record timestamp is
// at or after it (the time index at work). Versions 0..2: v0 returns a list of offsets
// (we return one), v1+ a single offset with its timestamp, v2 adds the isolation level
// and throttle time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

inline constexpr std::int64_t kLatestTimestamp = -1;
inline constexpr std::int64_t kEarliestTimestamp = -2;

struct ListOffsetsPartition {
  std::int32_t partition = 0;
  std::int64_t timestamp = kLatestTimestamp;
  std::int32_t max_num_offsets = 1;  // v0 only
};

struct ListOffsetsTopic {
  std::string name;
  std::vector<ListOffsetsPartition> partitions;
};

struct ListOffsetsRequest {
  std::int32_t replica_id = -1;
  std::int8_t isolation_level = 0;
  std::vector<ListOffsetsTopic> topics;
};

struct ListOffsetsPartitionResponse {
  std::int32_t partition = 0;
  Errc error = Errc::none;
  std::int64_t timestamp = -1;
  std::int64_t offset = -1;
};

struct ListOffsetsTopicResponse {
  std::string name;
  std::vector<ListOffsetsPartitionResponse> partitions;
};

struct ListOffsetsResponse {
  std::int32_t throttle_time_ms = 0;
  std::vector<ListOffsetsTopicResponse> topics;
};

Result<ListOffsetsRequest> decode_list_offsets_request(ByteSpan body, std::int16_t version);
Bytes encode_list_offsets_request(const ListOffsetsRequest& r, std::int16_t version);
Bytes encode_list_offsets_response(const ListOffsetsResponse& r, std::int16_t version);
Result<ListOffsetsResponse> decode_list_offsets_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
