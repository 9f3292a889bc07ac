// generated from tests/client/client_test.cpp; edit there
// client/client_test.cpp — the partitioner, and the client against a real broker thread.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "bench/in_process_broker.h"
#include "client/kafka_client.h"
#include "client/partitioner.h"
#include "support/batches.h"
#include "support/temp_dir.h"

using namespace streamcraft;

TEST_CASE("murmur2 matches the Java client's values", "[ch02][ex:murmur2]") {
  // Values from the Java client's own tests (Utils.murmur2).
  CHECK(client::murmur2("21") == -973932308);
  CHECK(client::murmur2("foobar") == -790332482);
  CHECK(client::murmur2("a-little-bit-long-string") == -985981536);
  CHECK(client::murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(client::murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(client::murmur2("abc") == 479470107);
}

TEST_CASE("murmur2 handles every tail length and high bytes", "[ch02][ex:murmur2]") {
  // Lengths 0..3 exercise each branch of the tail; bytes >= 0x80 catch signed chars.
  CHECK(client::murmur2("") == 275646681);
  CHECK(client::partition_for_key("user-42", 1) == 0);
  CHECK(client::murmur2("\xff\xfe\xfd") == 998637092);  // computed by a reference implementation
  CHECK(client::murmur2("\xff") == -311467685);
  for (int p = 1; p <= 12; ++p) CHECK(client::partition_for_key("user-42", p) < p);
}

TEST_CASE("the client creates a topic produces and fetches through a real socket", "[ch02][client]") {
  test::TempDir dir;
  bench::InProcessBroker broker(dir.path());  // on 127.0.0.1, any free port; stopped at scope exit

  auto c = client::KafkaClient::connect(broker.bootstrap());
  REQUIRE(c.ok());
  CHECK((*c)->version(protocol::ApiKey::produce) == 7);
  CHECK((*c)->version(protocol::ApiKey::fetch) == 11);

  protocol::CreateTopicsRequest create;
  create.topics = {{"orders", 2, 1, {}, {}}};
  auto created = (*c)->create_topics(create);
  REQUIRE(created.ok());
  CHECK(created->topics[0].error == Errc::none);

  // Pipelined: three produce requests on the wire before the first response is read.
  std::vector<Bytes> batches = {test::make_batch(2), test::make_batch(3), test::make_batch(1)};
  std::vector<std::int32_t> ids;
  for (auto& b : batches) {
    protocol::ProduceRequest req;
    req.acks = 1;
    req.topics = {{"orders", {{1, ByteSpan(b)}}}};
    auto id = (*c)->send(protocol::ApiKey::produce, protocol::encode_produce_request(req, 7));
    REQUIRE(id.ok());
    ids.push_back(*id);
  }
  std::vector<std::int64_t> bases;
  for (auto id : ids) {
    auto body = (*c)->receive(id);
    REQUIRE(body.ok());
    auto resp = protocol::decode_produce_response(*body, 7);
    REQUIRE(resp.ok());
    bases.push_back(resp->topics[0].partitions[0].base_offset);
  }
  CHECK(bases == std::vector<std::int64_t>{0, 2, 5});

  protocol::FetchRequest fetch;
  fetch.max_wait_ms = 100;
  fetch.min_bytes = 1;
  fetch.topics = {{"orders", {{1, -1, 0, -1, 1 << 20}}}};
  auto fetched = (*c)->fetch(fetch);  // sent with sendfile by the server
  REQUIRE(fetched.ok());
  const auto& p = fetched->response.topics[0].partitions[0];
  CHECK(p.high_watermark == 6);
  std::size_t total = 0;
  for (const auto& b : batches) total += b.size();
  CHECK(p.records->size() == total);
}

TEST_CASE("the client gives up on a broker that never answers and closes the connection", "[ch02][client]") {
  // A listener that never accepts: the kernel completes the TCP handshake from its
  // backlog, so the connection opens — and then nothing ever answers the ApiVersions.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = silent.local_endpoint().port();
  const auto started = std::chrono::steady_clock::now();
  auto c = client::KafkaClient::connect(fmt::format("127.0.0.1:{}", port), "test", std::chrono::milliseconds(300));
  const auto waited = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().code == Errc::request_timed_out);
  CHECK(waited >= std::chrono::milliseconds(300));
  CHECK(waited < std::chrono::seconds(10));
}

TEST_CASE("a fetch the broker holds for its max wait is not cut short by the request timeout", "[ch02][client]") {
  test::TempDir dir;
  bench::InProcessBroker broker(dir.path());
  // A request timeout shorter than the fetch's long poll: the poll's wait comes on top.
  auto c = client::KafkaClient::connect(broker.bootstrap(), "test", std::chrono::milliseconds(200));
  REQUIRE(c.ok());
  protocol::CreateTopicsRequest create;
  create.topics = {{"quiet", 1, 1, {}, {}}};
  REQUIRE((*c)->create_topics(create).ok());
  protocol::FetchRequest fetch;
  fetch.max_wait_ms = 600;  // nothing to read: the broker answers after 600 ms
  fetch.min_bytes = 1;
  fetch.topics = {{"quiet", {{0, -1, 0, -1, 1 << 20}}}};
  const auto started = std::chrono::steady_clock::now();
  auto fetched = (*c)->fetch(fetch);
  REQUIRE(fetched.ok());
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(500));
  CHECK(fetched->response.topics[0].partitions[0].high_watermark == 0);
  CHECK_FALSE((*c)->closed());
}
