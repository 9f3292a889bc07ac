// generated from final/keeper/client_session.cpp; edit there
// keeper/client_session.cpp — handshakes, xids and replies in order.
#include "keeper/client_session.h"

#include <algorithm>

#include <fmt/format.h>

namespace streamcraft::keeper {

Bytes ClientSession::handshake() const {
  return encode_connect_request(
      {0, options_.last_zxid_seen, options_.timeout_ms, options_.session_id, options_.password, false});
}

Result<Code> ClientSession::on_handshake(ByteSpan body) {
  auto r = decode_connect_response(body);
  if (!r) return r.error();
  // A refused session is answered with timeout 0 (and session 0): it has expired, or
  // was never ours. Whatever it held — ephemeral nodes, watches — is gone.
  if (r->timeout_ms <= 0) return Code::session_expired;
  options_.session_id = r->session_id;
  options_.password = r->password;
  negotiated_timeout_ms_ = r->timeout_ms;
  connected_ = true;
  return Code::ok;
}

Bytes ClientSession::request(OpCode op, RequestBody body) {
  std::int32_t xid = next_xid_;
  if (op == OpCode::ping) xid = kPingXid;
  else if (op == OpCode::auth) xid = kAuthXid;
  else if (op == OpCode::set_watches || op == OpCode::set_watches2) xid = kSetWatchesXid;
  else next_xid_ = next_xid_ == INT32_MAX ? 1 : next_xid_ + 1;
  outstanding_.emplace_back(xid, op);
  return encode_request({{xid, op}, std::move(body)});
}

Result<std::variant<ClientSession::Answer, WatcherEvent>> ClientSession::on_frame(ByteSpan body) {
  auto header = decode_reply_header(body);
  if (!header) return header.error();
  if (header->xid == kNotificationXid) {
    auto ev = decode_notification(body);
    if (!ev) return ev.error();
    return std::variant<Answer, WatcherEvent>{std::move(*ev)};
  }
  if (outstanding_.empty() || outstanding_.front().first != header->xid)
    return make_error(Errc::corrupt_message,
                      fmt::format("reply for xid {} while {} was expected: the stream is out of order", header->xid,
                                  outstanding_.empty() ? std::string("none") : std::to_string(outstanding_.front().first)));
  const auto op = outstanding_.front().second;
  outstanding_.pop_front();
  auto reply = decode_reply(op, body);
  if (!reply) return reply.error();
  if (reply->header.zxid > 0) options_.last_zxid_seen = std::max(options_.last_zxid_seen, reply->header.zxid);
  return std::variant<Answer, WatcherEvent>{Answer{op, std::move(*reply)}};
}

}  // namespace streamcraft::keeper
