// generated from tests/support/keeper_harness.h; edit there
// tests/support/keeper_harness.h — a keeper and its clients, without a network.
//
// Drives a KeeperService the way net::Server does — one slot per request, replies leave
// a connection in request order, a push goes out after the replies ready before it, a
// CloseAfterWrites closes once what is queued is delivered — on a ManualClock and a
// MemoryJournal, so every test sees exactly what a client would receive, and when.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/clock.h"
#include "keeper/journal.h"
#include "keeper/keeper_service.h"

namespace streamcraft::keeper::testing {

class Harness {
 public:
  explicit Harness(KeeperConfig config = small_config(), KeeperState state = {})
      : keeper(clock, std::move(config), journal, std::move(state)) {}

  static KeeperConfig small_config() {
    KeeperConfig c;
    c.tick_time_ms = 100;  // sessions from 200 ms to 2 s
    c.four_letter_words = {"*"};
    return c;
  }

  net::ConnectionId open(const std::string& host = "127.0.0.1") {
    const auto id = next_conn_++;
    keeper.on_open(id, host);
    return id;
  }

  void close(net::ConnectionId conn) {
    if (closed.insert(conn).second) keeper.on_close(conn);
  }

  // One frame from a client (its body, without the size prefix).
  void send(net::ConnectionId conn, Bytes frame) {
    REQUIRE_FALSE(closed.contains(conn));
    auto outcome = keeper.handle(conn, frame);
    auto& q = slots_[conn];
    switch (outcome.kind) {
      case net::Outcome::Kind::respond: q.push_back(Slot{body_of(outcome.response), 0}); break;
      case net::Outcome::Kind::no_response: q.push_back(Slot{Bytes{}, 0, true}); break;
      case net::Outcome::Kind::deferred: q.push_back(Slot{std::nullopt, outcome.deferred_id}); break;
      case net::Outcome::Kind::close_connection:
        close_reasons[conn] = outcome.reason;
        close(conn);
        return;
    }
    pump();
  }

  // A frame handled without the harness's delivery (to see the bare outcome).
  net::Outcome handle_only(net::ConnectionId conn, Bytes frame) { return keeper.handle(conn, frame); }

  // What net::Server does after requests and on its timer: poll and deliver.
  void pump() {
    while (keeper.has_completions()) {
      for (auto& c : keeper.poll()) {
        if (auto* done = std::get_if<net::Completed>(&c)) {
          for (auto& [conn, q] : slots_)
            for (auto& s : q)
              if (!s.frame && s.deferred == done->deferred_id) s.frame = body_of(done->response);
        } else if (auto* push = std::get_if<net::Push>(&c)) {
          deliver(push->connection);
          if (!closed.contains(push->connection)) received[push->connection].push_back(body_of(push->message));
        } else {
          const auto& close_req = std::get<net::CloseAfterWrites>(c);
          deliver(close_req.connection);
          close_reasons[close_req.connection] = close_req.reason;
          close(close_req.connection);
        }
      }
    }
    for (auto& [conn, q] : slots_) deliver(conn);
  }

  // Time passes; the server's timer runs the ticks that fall due.
  void advance(std::int64_t ms) {
    const auto until = clock.monotonic_ms() + ms;
    while (true) {
      auto due = keeper.next_tick_ms();
      if (!due || *due > until) break;
      clock.set_ms(*due);
      keeper.tick(*due);
      pump();
    }
    clock.set_ms(until);
  }

  // Frames delivered to a connection and not yet taken, in order.
  std::vector<Bytes> take(net::ConnectionId conn) { return std::exchange(received[conn], {}); }

  ManualClock clock{1'700'000'000'000};
  MemoryJournal journal;
  KeeperService keeper;
  std::map<net::ConnectionId, std::vector<Bytes>> received;
  std::set<net::ConnectionId> closed;
  std::map<net::ConnectionId, std::string> close_reasons;

 private:
  struct Slot {
    std::optional<Bytes> frame;
    std::uint64_t deferred = 0;
    bool silent = false;
  };
  static Bytes body_of(const protocol::OutMessage& m) {
    auto flat = m.flatten();
    REQUIRE(flat.ok());
    return Bytes(flat->begin() + 4, flat->end());
  }
  void deliver(net::ConnectionId conn) {
    auto& q = slots_[conn];
    while (!q.empty() && q.front().frame) {
      if (!q.front().silent && !closed.contains(conn)) received[conn].push_back(std::move(*q.front().frame));
      q.pop_front();
    }
  }

  std::map<net::ConnectionId, std::deque<Slot>> slots_;
  net::ConnectionId next_conn_ = 1;
};

// A client speaking to the harness: the handshake, then requests with increasing xids.
class Client {
 public:
  explicit Client(Harness& h, std::string host = "127.0.0.1") : h_(h), conn(h.open(host)) {}

  ConnectResponse connect(std::int32_t timeout_ms = 1000, std::int64_t session = 0, Bytes password = Bytes(16),
                          std::int64_t last_seen = 0) {
    h_.send(conn, encode_connect_request({0, last_seen, timeout_ms, session, std::move(password), false}));
    auto frames = h_.take(conn);
    REQUIRE(frames.size() == 1);
    auto r = decode_connect_response(frames[0]);
    REQUIRE(r.ok());
    session_id = r->session_id;
    password_ = r->password;
    return *r;
  }

  // Sends a request; the reply (notifications before it go to `events`).
  Reply call(OpCode op, RequestBody body) {
    const auto xid = op == OpCode::ping ? kPingXid : op == OpCode::auth ? kAuthXid : next_xid_++;
    send(op, std::move(body), xid);
    return await(op, xid);
  }

  void send(OpCode op, RequestBody body, std::int32_t xid) { h_.send(conn, encode_request({{xid, op}, std::move(body)})); }

  // Reads what has arrived: notifications into `events`, and the reply to `xid`.
  Reply await(OpCode op, std::int32_t xid) {
    collect();
    REQUIRE_FALSE(replies_.empty());
    auto frame = std::move(replies_.front());
    replies_.pop_front();
    auto r = decode_reply(op, frame);
    REQUIRE(r.ok());
    REQUIRE(r->header.xid == xid);
    last_zxid = std::max(last_zxid, r->header.zxid);
    return std::move(*r);
  }

  // Whatever arrived that is not a reply.
  void collect() {
    for (auto& f : h_.take(conn)) {
      auto header = decode_reply_header(f);
      REQUIRE(header.ok());
      if (header->xid == kNotificationXid) {
        auto ev = decode_notification(f);
        REQUIRE(ev.ok());
        events.push_back(std::move(*ev));
      } else {
        replies_.push_back(std::move(f));
      }
    }
  }

  Bytes password() const { return password_; }
  bool closed() const { return h_.closed.contains(conn); }

  Harness& h_;
  net::ConnectionId conn;
  std::int64_t session_id = 0;
  std::int64_t last_zxid = 0;
  std::vector<WatcherEvent> events;

 private:
  Bytes password_;
  std::deque<Bytes> replies_;
  std::int32_t next_xid_ = 1;
};

inline Bytes bytes_of(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

inline CreateRequest create_req(std::string path, std::string data = "", std::int32_t flags = 0) {
  return CreateRequest{std::move(path), bytes_of(data), open_acl_unsafe(), flags, -1};
}

}  // namespace streamcraft::keeper::testing
