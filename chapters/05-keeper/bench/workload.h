// generated from final/bench/workload.h; edit there
// bench/workload.h — the producer the broker benchmarks drive, and their small helpers.
//
// One producer loop for every benchmark that produces through the course's client:
// pipelined (up to 8 requests in flight, as real producers keep), one batch per request,
// round robin over partitions, with the acks asked for. It fails the benchmark on any
// refused produce: a figure for requests that did not succeed would mean nothing. And the
// baseline they share: raw loopback TCP.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>

#include <fmt/format.h>

#include "client/kafka_client.h"
#include "protocol/produce.h"
#include "record/record.h"

namespace streamcraft::bench {

using Stopwatch = std::chrono::steady_clock;

inline double seconds_since(Stopwatch::time_point t) {
  return std::chrono::duration<double>(Stopwatch::now() - t).count();
}

[[noreturn]] inline void fail(const std::string& what) {
  fmt::print(stderr, "benchmark failed: {}\n", what);
  std::exit(1);
}

// Produces `total` records of `value_size` bytes round-robin over `partitions` in batches
// of about `batch_bytes`, at most 8 requests in flight; returns seconds.
inline double produce(client::KafkaClient& c, const std::string& topic, std::int32_t partitions, std::size_t total,
                      std::size_t value_size, std::size_t batch_bytes, std::int16_t acks = 1) {
  const std::size_t per_batch = std::max<std::size_t>(1, batch_bytes / (value_size + 12));
  std::vector<record::RecordSpec> specs(per_batch);
  for (std::size_t i = 0; i < per_batch; ++i) specs[i] = {std::nullopt, std::string(value_size, 'x'), {}, 1'700'000'000'000};
  const Bytes batch = record::build_batch(specs);
  std::deque<std::int32_t> in_flight;
  auto drain_one = [&] {
    auto body = c.receive(in_flight.front());
    if (!body) fail(body.error().describe());
    in_flight.pop_front();
    auto resp = protocol::decode_produce_response(*body, *c.version(protocol::ApiKey::produce));
    if (!resp || resp->topics.at(0).partitions.at(0).error != Errc::none) fail("produce was refused");
  };
  auto start = Stopwatch::now();
  std::size_t sent = 0;
  for (std::int32_t p = 0; sent < total; p = (p + 1) % partitions) {
    protocol::ProduceRequest req;
    req.acks = acks;
    req.topics = {{topic, {{p, ByteSpan(batch)}}}};
    auto id = c.send(protocol::ApiKey::produce, protocol::encode_produce_request(req, *c.version(protocol::ApiKey::produce)));
    if (!id) fail(id.error().describe());
    in_flight.push_back(*id);
    if (in_flight.size() >= 8) drain_one();
    sent += per_batch;
  }
  while (!in_flight.empty()) drain_one();
  return seconds_since(start);
}

// Raw loopback TCP: one thread writes `total` bytes in 1 MiB writes, this one reads
// them `read_size` bytes at a time.
inline double loopback_once(std::size_t total, std::size_t read_size) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::thread writer([port, total] {
    asio::io_context wio;
    asio::ip::tcp::socket s(wio);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    s.set_option(asio::ip::tcp::no_delay(true));  // as the broker and its clients do
    std::vector<char> chunk(1 << 20, 'x');
    for (std::size_t sent = 0; sent < total; sent += chunk.size()) asio::write(s, asio::buffer(chunk));
  });
  auto socket = acceptor.accept();
  std::vector<char> buf(read_size);
  std::size_t got = 0;
  auto start = Stopwatch::now();
  std::error_code ec;
  while (got < total && !ec) got += socket.read_some(asio::buffer(buf), ec);
  double s = seconds_since(start);
  writer.join();
  return static_cast<double>(got) / s;
}

// The best of three runs with different read sizes: on a virtual machine loopback
// throughput swings by a third from run to run and with the read size, and a baseline
// caught on a slow moment would flatter the ratios.
inline double loopback_bytes_per_second(std::size_t total) {
  double best = 0;
  for (std::size_t read_size : {256u << 10, 1u << 20, 4u << 20}) best = std::max(best, loopback_once(total, read_size));
  return best;
}

}  // namespace streamcraft::bench
