// generated from final/protocol/init_producer_id.h; edit there
// protocol/init_producer_id.h — InitProducerId (key 22): an identity for a producer.
//
// An idempotent producer (enable.idempotence) first asks any broker for a producer id and
// an epoch. It then numbers the batches it sends to each partition (a sequence number per
// partition, in the batch header), so that the partition's leader can recognise a retried
// batch it has already appended — answering with the original offsets instead of writing
// it twice — and a gap (OUT_OF_ORDER_SEQUENCE_NUMBER). A transactional producer sends its
// transactional id, and gets the same producer id back each time with a bumped epoch,
// which fences older instances of itself (INVALID_PRODUCER_EPOCH); a plain idempotent
// producer sends null and gets a fresh id. Versions 0..1 have the same layout (v1 only
// tells the broker that the client handles throttling); v2 is the first flexible version
// and v3 adds the current producer id and epoch to the request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::protocol {

struct InitProducerIdRequest {
  std::optional<std::string> transactional_id;  // null: idempotence only, no transactions
  std::int32_t transaction_timeout_ms = 0;      // relevant only with a transactional id
};

struct InitProducerIdResponse {
  std::int32_t throttle_time_ms = 0;
  Errc error = Errc::none;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};

Result<InitProducerIdRequest> decode_init_producer_id_request(ByteSpan body, std::int16_t version);
Bytes encode_init_producer_id_request(const InitProducerIdRequest& r, std::int16_t version);
Bytes encode_init_producer_id_response(const InitProducerIdResponse& r, std::int16_t version);
Result<InitProducerIdResponse> decode_init_producer_id_response(ByteSpan body, std::int16_t version);

}  // namespace streamcraft::protocol
