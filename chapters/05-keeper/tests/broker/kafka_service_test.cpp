// generated from tests/broker/kafka_service_test.cpp; edit there
// broker/kafka_service_test.cpp — the Kafka protocol as a net::Service, without a socket:
// the adapter that the generic server drives (broker/kafka_service.h), on a manual clock.
#include <catch2/catch.hpp>

#include <variant>

#include "broker/kafka_service.h"
#include "protocol/fetch.h"
#include "protocol/metadata.h"
#include "support/broker_fixture.h"

using namespace streamcraft;
using namespace streamcraft::protocol;
using test::Broker;

namespace {

Bytes long_poll(const std::string& topic, std::int32_t correlation, std::int32_t max_wait_ms) {
  FetchRequest req;
  req.min_bytes = 1;
  req.max_wait_ms = max_wait_ms;
  req.topics = {{topic, {{0, -1, 0, -1, 1 << 20}}}};
  return Broker::frame(ApiKey::fetch, 11, correlation, encode_fetch_request(req, 11));
}

MetadataBroker advertised(Broker& b) {
  auto resp = decode_metadata_response(b.call(ApiKey::metadata, 5, encode_metadata_request(MetadataRequest{}, 5)), 5);
  REQUIRE(resp.ok());
  REQUIRE(resp->brokers.size() == 1);
  return resp->brokers[0];
}

}  // namespace

TEST_CASE("the Kafka service advertises the address the server listens on", "[ch02][broker]") {
  Broker b;
  broker::KafkaService service(b.config, *b.handler, *b.logs, b.clock);
  service.on_listening("0.0.0.0", 4321);  // every interface: clients are told loopback
  CHECK(advertised(b).host == "127.0.0.1");
  CHECK(advertised(b).port == 4321);
  service.on_listening("10.1.2.3", 4322);
  CHECK(advertised(b).host == "10.1.2.3");
  CHECK(advertised(b).port == 4322);
  b.config.advertised = broker::Listener{"kafka.example", 9000};  // advertised.listeners wins
  service.on_listening("0.0.0.0", 4323);
  CHECK(advertised(b).host == "kafka.example");
  CHECK(advertised(b).port == 9000);
}

TEST_CASE("the Kafka service cancels the deferred requests of a closed connection", "[ch02][broker][long-poll]") {
  Broker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  broker::KafkaService service(b.config, *b.handler, *b.logs, b.clock);
  service.on_open(1, "127.0.0.1");
  service.on_open(2, "127.0.0.1");
  auto first = long_poll("orders", 100, 500);
  auto second = long_poll("orders", 200, 800);
  const auto gone = service.handle(1, first);
  const auto stays = service.handle(2, second);
  REQUIRE(gone.kind == net::Outcome::Kind::deferred);
  REQUIRE(stays.kind == net::Outcome::Kind::deferred);
  CHECK(b.handler->deferred_count() == 2);
  CHECK(service.next_deadline_ms() == b.clock.monotonic_ms() + 500);

  // The first connection goes: its parked fetch is forgotten, and with it its deadline.
  service.on_close(1);
  CHECK(b.handler->deferred_count() == 1);
  CHECK(service.next_deadline_ms() == b.clock.monotonic_ms() + 800);

  // An append answers the other one, through poll(), by its id; Kafka pushes nothing.
  CHECK_FALSE(service.has_completions());
  b.produce("orders", 0, 1);
  CHECK(service.has_completions());
  auto done = service.poll();
  REQUIRE(done.size() == 1);
  const auto* completed = std::get_if<net::Completed>(&done[0]);
  REQUIRE(completed != nullptr);
  CHECK(completed->deferred_id == stays.deferred_id);
  CHECK(Broker::body_of(completed->response, 200).size() > 0);
  CHECK(b.handler->deferred_count() == 0);
  // Closing a connection whose requests were all answered cancels nothing.
  service.on_close(2);
  CHECK(b.handler->deferred_count() == 0);
  CHECK_FALSE(service.next_deadline_ms().has_value());
}

TEST_CASE("the Kafka service's log maintenance is due once a second", "[ch02][broker]") {
  Broker b;
  broker::KafkaService service(b.config, *b.handler, *b.logs, b.clock);
  const auto start = b.clock.monotonic_ms();
  CHECK(service.next_tick_ms() == start + 1000);
  b.clock.advance_ms(1200);  // the server's timer may fire late
  service.tick(b.clock.monotonic_ms());
  CHECK(service.next_tick_ms() == start + 2200);
}
