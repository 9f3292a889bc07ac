// generated from tests/keeper/client_session_test.cpp; edit there
// tests/keeper/client_session_test.cpp — the client's side of the protocol, against keeper.
#include <catch2/catch.hpp>

#include "keeper/client_session.h"
#include "support/keeper_harness.h"

using namespace streamcraft;
using namespace streamcraft::keeper;
using namespace streamcraft::keeper::testing;

namespace {

// Sends the client's frame and hands it what came back.
std::vector<std::variant<ClientSession::Answer, WatcherEvent>> exchange(Harness& h, net::ConnectionId conn,
                                                                       ClientSession& c, Bytes frame) {
  h.send(conn, std::move(frame));
  std::vector<std::variant<ClientSession::Answer, WatcherEvent>> out;
  for (auto& f : h.take(conn)) {
    auto got = c.on_frame(f);
    REQUIRE(got.ok());
    out.push_back(std::move(*got));
  }
  return out;
}

Code handshake(Harness& h, net::ConnectionId conn, ClientSession& c) {
  h.send(conn, c.handshake());
  auto frames = h.take(conn);
  REQUIRE(frames.size() == 1);
  auto code = c.on_handshake(frames[0]);
  REQUIRE(code.ok());
  return *code;
}

}  // namespace

TEST_CASE("the client session handshakes writes and reads through keeper", "[ch05][keeper][client]") {
  Harness h;
  ClientSession c({1000});
  const auto conn = h.open();
  REQUIRE(handshake(h, conn, c) == Code::ok);
  CHECK(c.connected());
  CHECK(c.negotiated_timeout_ms() == 1000);
  CHECK(c.ping_interval_ms() == 333);
  auto created = exchange(h, conn, c, c.request(OpCode::create, create_req("/c", "v")));
  REQUIRE(created.size() == 1);
  const auto& answer = std::get<ClientSession::Answer>(created[0]);
  CHECK(answer.op == OpCode::create);
  CHECK(std::get<PathResponse>(answer.reply.body).path == "/c");
  CHECK(c.last_zxid() == answer.reply.header.zxid);
  auto got = exchange(h, conn, c, c.request(OpCode::get_data, PathWatchRequest{"/c", true}));
  CHECK(std::get<DataResponse>(std::get<ClientSession::Answer>(got[0]).reply.body).data == bytes_of("v"));
  auto pinged = exchange(h, conn, c, c.ping());
  CHECK(std::get<ClientSession::Answer>(pinged[0]).op == OpCode::ping);
  CHECK(c.outstanding() == 0);
  // The watch fires: a notification, told apart from replies.
  auto changed = exchange(h, conn, c, c.request(OpCode::set_data, SetDataRequest{"/c", bytes_of("w"), -1}));
  REQUIRE(changed.size() == 2);
  CHECK(std::get<WatcherEvent>(changed[0]).type == EventType::node_data_changed);
  CHECK(std::get<ClientSession::Answer>(changed[1]).op == OpCode::set_data);
}

TEST_CASE("a reply out of request order is refused by the client session", "[ch05][keeper][client][bad-input]") {
  ClientSession c({1000});
  c.request(OpCode::exists, PathWatchRequest{"/a", false});  // xid 1
  c.request(OpCode::exists, PathWatchRequest{"/b", false});  // xid 2
  auto wrong = encode_reply({2, 5, Code::no_node}, EmptyResponse{});
  auto r = c.on_frame(wrong);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("out of order") != std::string::npos);
}

TEST_CASE("a client session that comes back within its timeout keeps it and a stale one is refused", "[ch05][keeper][client]") {
  Harness h;
  ClientSession first({1000});
  const auto a = h.open();
  REQUIRE(handshake(h, a, first) == Code::ok);
  exchange(h, a, first, first.request(OpCode::create, create_req("/mine", "", create_flag::ephemeral)));
  h.close(a);
  h.advance(500);
  ClientSession again({1000, first.session_id(), first.password(), first.last_zxid()});
  const auto b = h.open();
  REQUIRE(handshake(h, b, again) == Code::ok);
  CHECK(again.session_id() == first.session_id());
  CHECK(h.keeper.tree().find("/mine") != nullptr);

  h.close(b);
  h.advance(3000);  // past the timeout: the session is gone
  ClientSession late({1000, first.session_id(), first.password(), again.last_zxid()});
  const auto c = h.open();
  CHECK(handshake(h, c, late) == Code::session_expired);
  CHECK_FALSE(late.connected());
  CHECK(h.keeper.tree().find("/mine") == nullptr);
}
