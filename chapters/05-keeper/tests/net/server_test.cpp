// generated from tests/net/server_test.cpp; edit there
// net/server_test.cpp — the Asio server against clients that misbehave on real sockets:
// one that vanishes half-way through a large fetch response, one that pipelines
// requests and never reads, one that keeps a connection for many long polls. Each test
// runs a whole broker on a background thread (bench/in_process_broker.h) on 127.0.0.1
// and a free port; every loop is bounded in count and time.
#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <chrono>
#include <thread>

#include <asio.hpp>

#include "bench/in_process_broker.h"
#include "client/kafka_client.h"
#include "protocol/fetch.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/wire.h"
#include "support/batches.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using asio::ip::tcp;

namespace {

// A request frame with its size prefix, as a client sends it.
Bytes request(protocol::ApiKey key, std::int16_t version, std::int32_t correlation, const Bytes& body) {
  Bytes f;
  protocol::Encoder e(f);
  e.i32(0);
  e.i16(static_cast<std::int16_t>(key));
  e.i16(version);
  e.i32(correlation);
  e.nullable_string(std::string("raw-test"));
  e.raw(body);
  store_be<std::int32_t>(f.data(), static_cast<std::int32_t>(f.size() - 4));
  return f;
}

Bytes fetch_request(const std::string& topic, std::int32_t correlation, std::int32_t max_wait_ms) {
  protocol::FetchRequest req;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = max_wait_ms > 0 ? 1 << 30 : 1;  // a long poll waits its whole max_wait_ms
  req.max_bytes = 64 << 20;
  req.topics = {{topic, {{0, -1, 0, -1, 64 << 20}}}};
  return request(protocol::ApiKey::fetch, 4, correlation, protocol::encode_fetch_request(req, 4));
}

// Waits (bounded) until the broker's connections satisfy a condition.
template <class Pred>
bool eventually(bench::InProcessBroker& broker, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred(broker.stats())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a real server, not synchronising a test
  }
  return false;
}

void create_topic(client::KafkaClient& c, const std::string& name) {
  protocol::CreateTopicsRequest req;
  req.topics = {{name, 1, -1, {}, {}}};
  auto r = c.create_topics(req);
  REQUIRE(r.ok());
  REQUIRE(r->topics.at(0).error == Errc::none);
}

void produce(client::KafkaClient& c, const std::string& topic, const Bytes& batch) {
  protocol::ProduceRequest req;
  req.acks = 1;
  req.topics = {{topic, {{0, ByteSpan(batch)}}}};
  auto r = c.produce(req);
  REQUIRE(r.ok());
  REQUIRE(r->topics.at(0).partitions.at(0).error == Errc::none);
}

// A fresh client does a full round trip: the broker is alive and serving.
void still_serves(bench::InProcessBroker& broker, const std::string& topic) {
  auto c = client::KafkaClient::connect(broker.bootstrap());
  REQUIRE(c.ok());
  auto md = (*c)->metadata(std::vector<std::string>{topic}, /*allow_auto_create=*/true);
  REQUIRE(md.ok());
  CHECK(md->topics.at(0).error == Errc::none);
}

}  // namespace

// Regression: a client that closed its connection while a fetch response was being
// written with sendfile(2) killed the broker with SIGPIPE (exit status 141, nothing
// logged). kcat did it with a receive.message.max.bytes smaller than a stored record.
TEST_CASE("a client that vanishes half-way through a large fetch response does not stop the broker", "[ch02][net][bad-input]") {
  test::TempDir dir;
  bench::InProcessBroker broker(dir.path());
  {
    auto c = client::KafkaClient::connect(broker.bootstrap());
    REQUIRE(c.ok());
    create_topic(**c, "big");
    for (int i = 0; i < 8; ++i) produce(**c, "big", test::make_batch(1, 1'700'000'000'000, 900 * 1024, i));
    // 8 × 900 KiB: far more than any socket buffer holds
  }
  asio::io_context io;
  for (int round = 0; round < 20; ++round) {
    tcp::socket s(io);
    s.open(tcp::v4());
    s.set_option(asio::socket_base::receive_buffer_size(4096));  // the response stalls in the broker
    s.connect({asio::ip::make_address("127.0.0.1"), broker.port()});
    asio::write(s, asio::buffer(fetch_request("big", round, 0)));
    // Read the size and a little, take what else has arrived (so the close is a clean FIN
    // with nothing unread, as a client that gives up on a frame does), and go.
    std::array<std::byte, 16 * 1024> buf{};
    std::size_t got = 0;
    while (got < 8) got += s.read_some(asio::buffer(buf));
    CHECK(load_be<std::int32_t>(buf.data()) > 7 * 900 * 1024);  // the whole response was on its way
    s.non_blocking(true);
    std::error_code ec;
    while (s.read_some(asio::buffer(buf), ec) > 0 && !ec) {
    }
    s.close();
  }
  // Every one of those connections is closed by the broker, and it goes on serving.
  CHECK(eventually(broker, [](const net::Server::Stats& st) { return st.connections == 0; }));
  still_serves(broker, "big");
}

// Regression: a client that pipelined requests and never read a response grew the
// broker's per-connection queues without bound.
TEST_CASE("a connection that never reads is paused at its queue limit while others are served", "[ch02][net][bad-input]") {
  test::TempDir dir;
  bench::InProcessBroker broker(dir.path(), [](broker::BrokerConfig& c) { c.max_queued_requests = 50; });
  asio::io_context io;
  tcp::socket greedy(io);
  greedy.open(tcp::v4());
  greedy.set_option(asio::socket_base::receive_buffer_size(4096));
  greedy.set_option(asio::socket_base::send_buffer_size(4096));  // the pile-up is the broker's, not ours
  greedy.connect({asio::ip::make_address("127.0.0.1"), broker.port()});
  greedy.non_blocking(true);
  // Metadata for every topic: each response is larger than its request. Send until the
  // broker stops reading and the socket's send buffer is full (bounded in count and time).
  protocol::MetadataRequest md;
  const auto one = request(protocol::ApiKey::metadata, 1, 7, protocol::encode_metadata_request(md, 1));
  Bytes burst;
  for (int i = 0; i < 256; ++i) burst.insert(burst.end(), one.begin(), one.end());
  std::size_t bytes_sent = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int blocked_for = 0;
  while (bytes_sent < 200'000 * one.size() && std::chrono::steady_clock::now() < deadline && blocked_for < 50) {
    std::error_code ec;
    const auto at = bytes_sent % burst.size();  // the burst is whole requests, so this continues the stream
    auto n = greedy.write_some(asio::buffer(burst.data() + at, burst.size() - at), ec);
    if (ec == asio::error::would_block) {
      ++blocked_for;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // give the broker time to read more, if it would
      continue;
    }
    REQUIRE_FALSE(ec);
    blocked_for = 0;
    bytes_sent += n;
  }
  const std::size_t requests_sent = bytes_sent / one.size();
  const std::size_t cut = bytes_sent % one.size();  // of the last request, sent when the broker reads again
  REQUIRE(blocked_for >= 50);  // the broker stopped reading us
  auto st = broker.stats();
  CHECK(st.paused_connections == 1);
  CHECK(st.queued_requests <= 50);
  CHECK(requests_sent > 50);
  // Another client is served meanwhile.
  still_serves(broker, "anything");
  // Once the greedy client reads, the broker resumes it and answers every request, in order.
  // (A larger receive buffer for the reading: with 4 KiB, every few responses wait for a
  // window update, and on a loaded machine the thousands of them take longer than the
  // read deadline. What is tested is that they all come, in order.)
  greedy.set_option(asio::socket_base::receive_buffer_size(1 << 20));
  greedy.non_blocking(false);
  std::size_t answered = 0, wrong_correlation = 0;
  bool cut_finished = false;
  std::array<std::byte, 64 * 1024> buf{};
  Bytes pending;
  const std::size_t expected = requests_sent + (cut > 0 ? 1 : 0);
  const auto read_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (answered < expected && std::chrono::steady_clock::now() < read_deadline) {
    if (answered == requests_sent && cut > 0 && !cut_finished) {
      asio::write(greedy, asio::buffer(one.data() + cut, one.size() - cut));
      cut_finished = true;
    }
    auto have = greedy.read_some(asio::buffer(buf));
    pending.insert(pending.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(have));
    std::size_t at = 0;
    while (pending.size() - at >= 8) {
      auto size = static_cast<std::size_t>(load_be<std::int32_t>(pending.data() + at));
      if (pending.size() - at < 4 + size) break;
      wrong_correlation += load_be<std::int32_t>(pending.data() + at + 4) != 7 ? 1 : 0;
      ++answered;
      at += 4 + size;
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(at));
  }
  CHECK(answered == expected);
  CHECK(wrong_correlation == 0);
}

// Regression: every deferred request a connection ever made stayed in its list of
// deferred ids, so a long-lived consumer's connection grew without bound.
TEST_CASE("a connection forgets its deferred requests once they are answered", "[ch02][net]") {
  test::TempDir dir;
  bench::InProcessBroker broker(dir.path());
  {
    auto c = client::KafkaClient::connect(broker.bootstrap());
    REQUIRE(c.ok());
    create_topic(**c, "quiet");
  }
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), broker.port()});
  constexpr int kPolls = 100;
  for (int i = 0; i < kPolls; ++i) asio::write(s, asio::buffer(fetch_request("quiet", i, 1)));
  // Each long poll times out (1 ms) and is answered, in order.
  for (int i = 0; i < kPolls; ++i) {
    std::array<std::byte, 4> size{};
    asio::read(s, asio::buffer(size));
    Bytes body(static_cast<std::size_t>(load_be<std::int32_t>(size.data())));
    asio::read(s, asio::buffer(body));
    REQUIRE(load_be<std::int32_t>(body.data()) == i);
  }
  // (The broker finishes its bookkeeping of the last write just after the bytes left.)
  CHECK(eventually(broker, [](const net::Server::Stats& st) { return st.queued_requests == 0; }));
  auto st = broker.stats();
  CHECK(st.connections == 1);
  CHECK(st.deferred_tracked == 0);
}
