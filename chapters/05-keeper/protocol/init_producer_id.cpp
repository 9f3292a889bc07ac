// generated from final/protocol/init_producer_id.cpp; edit there
// protocol/init_producer_id.cpp — InitProducerId v0..v1 on the wire.
#include "protocol/init_producer_id.h"

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::protocol {
namespace {

Error malformed(const Decoder& d, const char* what) {
  return make_error(Errc::corrupt_message, fmt::format("malformed {} {}", what, d.problem()));
}

}  // namespace

Result<InitProducerIdRequest> decode_init_producer_id_request(ByteSpan body, std::int16_t /*version*/) {
  Decoder d(body);
  InitProducerIdRequest r;
  r.transactional_id = d.nullable_string();
  r.transaction_timeout_ms = d.i32();
  if (!d.ok()) return malformed(d, "InitProducerId request");
  return r;
}

Bytes encode_init_producer_id_request(const InitProducerIdRequest& r, std::int16_t /*version*/) {
  Bytes out;
  Encoder e(out);
  e.nullable_string(r.transactional_id);
  e.i32(r.transaction_timeout_ms);
  return out;
}

Bytes encode_init_producer_id_response(const InitProducerIdResponse& r, std::int16_t /*version*/) {
  Bytes out;
  Encoder e(out);
  e.i32(r.throttle_time_ms);
  e.i16(static_cast<std::int16_t>(r.error));
  e.i64(r.producer_id);
  e.i16(r.producer_epoch);
  return out;
}

Result<InitProducerIdResponse> decode_init_producer_id_response(ByteSpan body, std::int16_t /*version*/) {
  Decoder d(body);
  InitProducerIdResponse r;
  r.throttle_time_ms = d.i32();
  r.error = static_cast<Errc>(d.i16());
  r.producer_id = d.i64();
  r.producer_epoch = d.i16();
  if (!d.ok()) return malformed(d, "InitProducerId response");
  return r;
}

}  // namespace streamcraft::protocol
