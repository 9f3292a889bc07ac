// generated from final/protocol/header.h; edit there
// protocol/header.h — framing, API keys and the request/response headers.
//
// On a Kafka connection every message is an int32 size followed by that many bytes.
// A request starts with a header:
//
//   api_key int16 · api_version int16 · correlation_id int32 · client_id nullable_string
//
// (request header v1; flexible versions add tagged fields, which this broker never
// advertises). The response starts with the correlation_id of its request (response
// header v0) — that is how a client that pipelines several requests matches answers,
// and why a broker must answer a connection's requests in the order they arrived.
//
// api_key, api_version and correlation_id sit at fixed offsets in every header version,
// so a broker can always read them — even from a request it cannot otherwise parse — and
// answer with the right error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

enum class ApiKey : std::int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  offset_commit = 8,
  offset_fetch = 9,
  find_coordinator = 10,
  join_group = 11,
  heartbeat = 12,
  leave_group = 13,
  sync_group = 14,
  describe_groups = 15,
  list_groups = 16,
  init_producer_id = 22,
  delete_groups = 42,
  offsets_for_leader_epoch = 23,
  elect_leaders = 43,
  // The control requests between brokers and the controller (protocol/control.h): Kafka's
  // own, then the course's, in a range of keys Kafka never uses.
  leader_and_isr = 4,
  stop_replica = 5,
  update_metadata = 6,
  controlled_shutdown = 7,
  broker_registration = 1000,
  broker_heartbeat = 1001,
  alter_isr = 1002,
  topic_configs = 1003,
  api_versions = 18,
  create_topics = 19,
  delete_topics = 20,
};

std::string_view api_name(std::int16_t key);  // "Produce", … or "Unknown"

struct RequestHeader {
  std::int16_t api_key = 0;
  std::int16_t api_version = 0;
  std::int32_t correlation_id = 0;
  std::optional<std::string> client_id;
  std::size_t size = 0;  // bytes of the header; the body follows
};

// Reads the three fixed fields; succeeds for any frame of at least 8 bytes.
std::optional<RequestHeader> peek_header(ByteSpan frame);
// Reads the full v1 header (with client_id). CORRUPT_MESSAGE if malformed.
Result<RequestHeader> decode_request_header(ByteSpan frame);

// The size prefix of a frame: how many bytes follow it. An error (the connection must be
// closed) when negative or larger than max_frame_bytes.
Result<std::size_t> read_frame_size(ByteSpan four_bytes, std::size_t max_frame_bytes);

}  // namespace streamcraft::protocol
