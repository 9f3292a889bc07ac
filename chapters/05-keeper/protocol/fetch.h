// generated from final/protocol/fetch.h; edit there
// protocol/fetch.h — Fetch (key 1): reading batches from partitions.
//
// A consumer (and, in chapter 4, a follower replica) asks for data from an offset in
// each of several partitions. The broker answers with whole record batches, starting
// with the batch that contains the requested offset — the client skips the records
// before it — and always at least one batch, even one larger than the size limits, so a
// client can never get stuck. If there is less than min_bytes of data, the broker may
// hold the request up to max_wait_ms ("long poll") instead of answering empty at once.
//
// Versions 4..11: v4 isolation level, last stable offset, aborted transactions;
// v5 log start offset; v7 fetch sessions (we always answer session id 0: no session);
// v9 current leader epoch; v11 rack id and preferred read replica (-1: the leader).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "protocol/message.h"

namespace streamcraft::protocol {

struct FetchPartition {
  std::int32_t partition = 0;
  std::int32_t current_leader_epoch = -1;
  std::int64_t fetch_offset = 0;
  std::int64_t log_start_offset = -1;
  std::int32_t partition_max_bytes = 0;
};

struct FetchTopic {
  std::string name;
  std::vector<FetchPartition> partitions;
};

struct FetchRequest {
  std::int32_t replica_id = -1;  // -1 for consumers; a broker id for follower replicas
  std::int32_t max_wait_ms = 0;
  std::int32_t min_bytes = 0;
  std::int32_t max_bytes = 0x7fffffff;
  std::int8_t isolation_level = 0;
  std::int32_t session_id = 0;
  std::int32_t session_epoch = -1;
  std::vector<FetchTopic> topics;
  std::string rack_id;
};

struct FetchPartitionResponse {
  std::int32_t partition = 0;
  Errc error = Errc::none;
  std::int64_t high_watermark = -1;
  std::int64_t last_stable_offset = -1;
  std::int64_t log_start_offset = -1;
  std::int32_t preferred_read_replica = -1;
  std::optional<log::FileRange> records_file;  // broker side: sent from the segment file
  std::optional<ByteSpan> records;             // client side: the bytes received
};

struct FetchTopicResponse {
  std::string name;
  std::vector<FetchPartitionResponse> partitions;
};

struct FetchResponse {
  std::int32_t throttle_time_ms = 0;
  Errc error = Errc::none;
  std::int32_t session_id = 0;
  std::vector<FetchTopicResponse> topics;
};

Result<FetchRequest> decode_fetch_request(ByteSpan body, std::int16_t version);
Bytes encode_fetch_request(const FetchRequest& r, std::int16_t version);
void encode_fetch_response(const FetchResponse& r, std::int16_t version, OutMessage& out);
Result<FetchResponse> decode_fetch_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
