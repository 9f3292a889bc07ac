// generated from final/keeper/client_session.h; edit there
// keeper/client_session.h — the client's side of the ZooKeeper protocol, sans-I/O.
//
// What every ZooKeeper client library does between its API and its socket: the handshake
// (and what a refused one means), numbering requests with xids, matching each reply to its
// request — replies come strictly in request order, so a reply that is not for the oldest
// outstanding request means the stream is broken — telling notifications (xid -1) from
// replies, remembering the highest zxid seen (sent at the next handshake, so that no
// server shows this client an older state), and pinging when idle. Bytes in, bytes out:
// the transport around it is someone else's (the course's blocking client, the tests,
// chapter 7's brokers).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <variant>

#include "common/bytes.h"
#include "common/error.h"
#include "keeper/protocol.h"

namespace streamcraft::keeper {

struct ClientOptions {
  std::int32_t timeout_ms = 10'000;  // the session timeout asked for
  std::int64_t session_id = 0;       // 0: a new session; else re-attach
  Bytes password = Bytes(kPasswordSize);
  std::int64_t last_zxid_seen = 0;
};

class ClientSession {
 public:
  explicit ClientSession(ClientOptions options) : options_(std::move(options)) {}

  // The first frame's body.
  Bytes handshake() const;
  // The server's answer: ok, or SESSIONEXPIRED when it refused the session (timeout 0).
  Result<Code> on_handshake(ByteSpan body);
  bool connected() const { return connected_; }
  std::int64_t session_id() const { return options_.session_id; }
  const Bytes& password() const { return options_.password; }
  std::int32_t negotiated_timeout_ms() const { return negotiated_timeout_ms_; }
  std::int64_t last_zxid() const { return options_.last_zxid_seen; }
  std::size_t outstanding() const { return outstanding_.size(); }

  // A request's frame body, with its xid (pings and auth use their fixed xids).
  Bytes request(OpCode op, RequestBody body);
  Bytes ping() { return request(OpCode::ping, EmptyRequest{}); }

  // One frame from the server: the reply to the oldest outstanding request, with the op
  // it answers, or a notification. CORRUPT_MESSAGE for a reply out of order or that does
  // not decode — the connection must then be dropped.
  struct Answer {
    OpCode op;
    Reply reply;
  };
  Result<std::variant<Answer, WatcherEvent>> on_frame(ByteSpan body);

  // The client pings when it has sent nothing for a third of the negotiated timeout, as
  // kazoo and the Java client do, so that the session is renewed well before it expires.
  std::int64_t ping_interval_ms() const { return std::max(negotiated_timeout_ms_ / 3, 1); }

 private:
  ClientOptions options_;
  bool connected_ = false;
  std::int32_t negotiated_timeout_ms_ = 0;
  std::int32_t next_xid_ = 1;
  std::deque<std::pair<std::int32_t, OpCode>> outstanding_;  // in the order sent
};

}  // namespace streamcraft::keeper
