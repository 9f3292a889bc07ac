// generated from tests/net/peer_connector_test.cpp; edit there
// net/peer_connector_test.cpp — a broker's own requests (broker::PeerRequests) on real
// sockets: to a whole broker on 127.0.0.1 and a free port, to a port nobody listens on,
// and to a node whose address is unknown. The connector runs on the test's own
// io_context, the broker on its background thread; every wait is bounded in time.
#include <catch2/catch.hpp>

#include <chrono>

#include <asio.hpp>

#include "bench/in_process_broker.h"
#include "broker/peer_requests.h"
#include "net/peer_connector.h"
#include "protocol/api_versions.h"
#include "protocol/metadata.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using broker::PeerRequests;

namespace {

// Runs the io_context until `count` completions arrived or `limit` passed.
struct Harness {
  asio::io_context io;
  SystemClock clock;
  PeerRequests requests;
  std::vector<PeerRequests::Completion> done;
  net::PeerConnector connector;

  Harness(PeerRequests::Options options, net::PeerConnector::AddressOf address_of)
      : requests(clock, std::move(options)),
        connector(io, requests, clock, std::move(address_of), [this](auto completions) {
          for (auto& c : completions) done.push_back(std::move(c));
        }) {}

  bool run_until(std::size_t count, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (done.size() < count && std::chrono::steady_clock::now() < until) io.run_for(std::chrono::milliseconds(20));
    return done.size() >= count;
  }
};

PeerRequests::Options quick() {
  PeerRequests::Options o;
  o.client_id = "broker-7";
  o.request_timeout_ms = 600;
  o.reconnect_backoff_ms = 50;
  return o;
}

// A port on 127.0.0.1 that nobody listens on (bound once, then released).
std::uint16_t unused_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

}  // namespace

TEST_CASE("a broker's own requests reach another broker over loopback and come back matched", "[ch02][net][peer]") {
  test::TempDir dir;
  bench::InProcessBroker other(dir.path());
  Harness h(quick(), [&](std::int32_t node) -> std::optional<net::NodeAddress> {
    if (node != 2) return std::nullopt;
    return net::NodeAddress{"127.0.0.1", other.port()};
  });
  h.requests.request(2, protocol::ApiKey::api_versions, 0, {}, 1);
  protocol::MetadataRequest meta;
  meta.topics = std::vector<std::string>{};
  h.requests.request(2, protocol::ApiKey::metadata, 1, protocol::encode_metadata_request(meta, 1), 2);
  h.connector.pump();
  REQUIRE(h.run_until(2));
  REQUIRE(h.done[0].token == 1);
  REQUIRE(h.done[0].body.ok());
  auto versions = protocol::decode_api_versions_response(*h.done[0].body, 0);
  REQUIRE(versions.ok());
  CHECK(versions->error == Errc::none);
  CHECK_FALSE(versions->apis.empty());
  REQUIRE(h.done[1].token == 2);
  REQUIRE(h.done[1].body.ok());
  auto metadata = protocol::decode_metadata_response(*h.done[1].body, 1);
  REQUIRE(metadata.ok());
  REQUIRE(metadata->brokers.size() == 1);
  CHECK(metadata->brokers[0].port == other.port());
  CHECK(h.requests.pending() == 0);
  CHECK(other.stats().connections == 1);  // both on one connection
}

TEST_CASE("a request to a node nobody listens on fails in time and the node is not hammered", "[ch02][net][peer]") {
  const auto port = unused_port();
  Harness h(quick(), [&](std::int32_t) { return std::optional<net::NodeAddress>(net::NodeAddress{"127.0.0.1", port}); });
  const auto start = std::chrono::steady_clock::now();
  h.requests.request(3, protocol::ApiKey::api_versions, 0, {}, 9);
  h.connector.pump();
  REQUIRE(h.run_until(1));
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(h.done[0].body.ok());
  CHECK(h.done[0].body.error().code == Errc::request_timed_out);
  CHECK(took >= std::chrono::milliseconds(550));  // it kept trying until its timeout…
  CHECK(took < std::chrono::seconds(5));          // …and no longer
}

TEST_CASE("a node without an address fails its requests in time", "[ch02][net][peer]") {
  Harness h(quick(), [](std::int32_t) { return std::optional<net::NodeAddress>{}; });
  h.requests.request(4, protocol::ApiKey::api_versions, 0, {}, 5);
  h.connector.pump();
  REQUIRE(h.run_until(1));
  CHECK(h.done[0].body.error().code == Errc::request_timed_out);
}
