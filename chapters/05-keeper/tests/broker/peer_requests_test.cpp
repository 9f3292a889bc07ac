// generated from tests/broker/peer_requests_test.cpp; edit there
// broker/peer_requests_test.cpp — the client side of broker-to-broker requests, as a
// state machine: the test is the driver (it carries out the actions and plays the
// network and the other node) on a manual clock.
#include <catch2/catch.hpp>

#include "broker/peer_requests.h"
#include "common/clock.h"
#include "protocol/header.h"
#include "protocol/wire.h"

using namespace streamcraft;
using broker::PeerRequests;
using Kind = PeerRequests::Action::Kind;
using protocol::ApiKey;

namespace {

PeerRequests::Options options(std::size_t in_flight) {
  PeerRequests::Options o;
  o.client_id = "broker-1";
  o.max_in_flight = in_flight;
  o.request_timeout_ms = 1'000;
  o.reconnect_backoff_ms = 100;
  return o;
}

// The other node's answer to a request frame (size prefix included): its correlation id,
// then a body.
Bytes answer(const Bytes& request_frame, std::string_view body) {
  auto header = protocol::decode_request_header(ByteSpan(request_frame).subspan(4));
  REQUIRE(header.ok());
  Bytes out;
  protocol::Encoder e(out);
  e.i32(header->correlation_id);
  for (char c : body) out.push_back(static_cast<std::byte>(c));
  return out;
}

std::string text(const Bytes& b) {
  std::string s;
  for (auto c : b) s.push_back(static_cast<char>(c));
  return s;
}

Bytes bytes(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

}  // namespace

TEST_CASE("peer requests connect once and pipeline up to the in-flight limit with answers matched in order", "[ch02][peer]") {
  ManualClock clock;
  PeerRequests peers(clock, options(2));
  peers.request(2, ApiKey::metadata, 1, bytes("m"), 10);
  peers.request(2, ApiKey::fetch, 4, bytes("f"), 11);
  peers.request(2, ApiKey::list_offsets, 1, bytes("l"), 12);

  // Nothing is sent before the connection is up; one connection for all three.
  auto actions = peers.take_actions();
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::connect);
  CHECK(actions[0].node == 2);
  CHECK(peers.pending() == 3);

  peers.on_connected(2);
  actions = peers.take_actions();
  REQUIRE(actions.size() == 2);  // the in-flight limit
  CHECK(actions[0].kind == Kind::send);
  auto header = protocol::decode_request_header(ByteSpan(actions[0].frame).subspan(4));
  REQUIRE(header.ok());
  CHECK(header->api_key == static_cast<std::int16_t>(ApiKey::metadata));
  CHECK(header->api_version == 1);
  CHECK(header->client_id == "broker-1");
  CHECK(load_be<std::int32_t>(actions[0].frame.data()) == static_cast<std::int32_t>(actions[0].frame.size() - 4));
  CHECK(actions[0].frame.back() == std::byte{'m'});
  const Bytes first = actions[0].frame, second = actions[1].frame;

  // The first answer completes the first request and lets the third one go.
  peers.on_response(2, answer(first, "meta"));
  auto done = peers.take_completions();
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == 10);
  REQUIRE(done[0].body.ok());
  CHECK(text(*done[0].body) == "meta");
  actions = peers.take_actions();
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].frame.back() == std::byte{'l'});

  peers.on_response(2, answer(second, "fetched"));
  peers.on_response(2, answer(actions[0].frame, "offsets"));
  done = peers.take_completions();
  REQUIRE(done.size() == 2);
  CHECK(done[0].token == 11);
  CHECK(done[1].token == 12);
  CHECK(text(*done[1].body) == "offsets");
  CHECK(peers.pending() == 0);
  CHECK_FALSE(peers.next_deadline_ms());
}

TEST_CASE("an answer that is not to the oldest request drops the connection and fails what was in flight", "[ch02][peer]") {
  ManualClock clock;
  PeerRequests peers(clock, options(2));
  peers.request(3, ApiKey::metadata, 1, bytes("a"), 1);
  peers.request(3, ApiKey::metadata, 1, bytes("b"), 2);
  peers.request(3, ApiKey::metadata, 1, bytes("c"), 3);
  peers.take_actions();
  peers.on_connected(3);
  auto actions = peers.take_actions();
  REQUIRE(actions.size() == 2);

  peers.on_response(3, answer(actions[1].frame, "out of order"));
  actions = peers.take_actions();
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::disconnect);
  auto done = peers.take_completions();
  REQUIRE(done.size() == 2);
  for (const auto& d : done) {
    REQUIRE_FALSE(d.body.ok());
    CHECK(d.body.error().code == Errc::network_exception);
  }

  // The third waits out the backoff, then gets a connection of its own.
  CHECK(peers.next_deadline_ms() == clock.monotonic_ms() + 100);
  clock.advance_ms(99);
  peers.tick();
  CHECK(peers.take_actions().empty());
  clock.advance_ms(1);
  peers.tick();
  actions = peers.take_actions();
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::connect);
  peers.on_connected(3);
  actions = peers.take_actions();
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].frame.back() == std::byte{'c'});
  // A late answer on the dropped connection would have been ignored; this one is current.
  peers.on_response(3, answer(actions[0].frame, "c!"));
  done = peers.take_completions();
  REQUIRE(done.size() == 1);
  CHECK(done[0].token == 3);
  CHECK(done[0].body.ok());
}

TEST_CASE("a request without an answer in time fails and takes its connection down", "[ch02][peer]") {
  ManualClock clock;
  PeerRequests peers(clock, options(5));
  peers.request(4, ApiKey::fetch, 4, bytes("slow"), 7);
  peers.take_actions();
  peers.on_connected(4);
  REQUIRE(peers.take_actions().size() == 1);
  clock.advance_ms(500);
  peers.request(4, ApiKey::fetch, 4, bytes("later"), 8);
  REQUIRE(peers.take_actions().size() == 1);

  CHECK(peers.next_deadline_ms() == clock.monotonic_ms() + 500);  // the first one's
  clock.advance_ms(499);
  peers.tick();
  CHECK(peers.take_completions().empty());
  clock.advance_ms(1);
  peers.tick();
  auto done = peers.take_completions();
  REQUIRE(done.size() == 2);
  CHECK(done[0].token == 7);
  CHECK(done[0].body.error().code == Errc::request_timed_out);
  CHECK(done[1].token == 8);
  CHECK(done[1].body.error().code == Errc::network_exception);
  auto actions = peers.take_actions();
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Kind::disconnect);
  CHECK(peers.pending() == 0);
}

TEST_CASE("an unreachable node is retried after the backoff until its queued requests time out", "[ch02][peer]") {
  ManualClock clock;
  PeerRequests peers(clock, options(5));
  peers.request(5, ApiKey::metadata, 1, bytes("x"), 1);
  int connects = 0;
  for (int i = 0; i < 100 && peers.pending() > 0; ++i) {
    for (const auto& a : peers.take_actions()) {
      REQUIRE(a.kind == Kind::connect);  // never a send: no connection was ever made
      ++connects;
      peers.on_disconnected(5);  // refused
    }
    auto next = peers.next_deadline_ms();
    REQUIRE(next);
    clock.advance_ms(*next - clock.monotonic_ms());
    peers.tick();
  }
  auto done = peers.take_completions();
  REQUIRE(done.size() == 1);
  CHECK(done[0].body.error().code == Errc::request_timed_out);
  // One attempt, then one per backoff period of the 1 s timeout — not a tight loop.
  CHECK(connects >= 5);
  CHECK(connects <= 11);
  // A connection that comes up after everything gave up is of no use.
  peers.on_connected(5);
  CHECK(peers.take_actions().empty());
}

TEST_CASE("requests to different nodes use separate connections and a broken one leaves the other alone", "[ch02][peer]") {
  ManualClock clock;
  PeerRequests peers(clock, options(5));
  peers.request(1, ApiKey::metadata, 1, bytes("one"), 1);
  peers.request(2, ApiKey::metadata, 1, bytes("two"), 2);
  auto actions = peers.take_actions();
  REQUIRE(actions.size() == 2);
  CHECK(actions[0].node != actions[1].node);
  peers.on_connected(1);
  peers.on_connected(2);
  actions = peers.take_actions();
  REQUIRE(actions.size() == 2);
  const Bytes to_two = actions[0].node == 2 ? actions[0].frame : actions[1].frame;
  peers.on_disconnected(1);
  peers.on_response(2, answer(to_two, "fine"));
  auto done = peers.take_completions();
  REQUIRE(done.size() == 2);
  for (const auto& d : done) {
    if (d.node == 1) CHECK(d.body.error().code == Errc::network_exception);
    else CHECK(text(*d.body) == "fine");
  }
}
