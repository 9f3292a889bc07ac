// generated from tests/support/broker_fixture.h; edit there
// support/broker_fixture.h — a broker core (logs + request handler) in a temporary
// directory on a manual clock, and helpers that speak to it in request frames: the
// sans-I/O broker tests of every chapter from 2 on use it.
#pragma once

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "broker/request_handler.h"
#include "common/clock.h"
#include "common/executor.h"
#include "protocol/produce.h"
#include "protocol/wire.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace streamcraft::test {

using broker::BrokerConfig;
using broker::ClusterMetadata;
using broker::LogManager;
using broker::Outcome;
using broker::RequestHandler;
using protocol::ApiKey;
using protocol::Encoder;
using protocol::OutMessage;
using protocol::ProduceRequest;

// A broker core on a manual clock, and helpers that speak to it in frames.
struct Broker {
  TempDir dir;
  ManualClock clock;
  BrokerConfig config;
  log::FileSystem* fs = &log::posix_file_system();  // a test may put a faulty one here
  // Background disk work runs at once, inside the call that asks for it: the tests see
  // one thread, and a faulty file system counts every fsync in order.
  InlineExecutor background;
  // Who leads what; nullptr: the handler's own single-broker answers.
  ClusterMetadata* cluster = nullptr;
  std::unique_ptr<LogManager> logs;
  std::unique_ptr<RequestHandler> handler;
  std::int32_t next_correlation = 1;

  Broker() {
    config.log_dir = dir.path();
    config.num_partitions = 2;
    open();
  }

  // (Re)opens the logs and a fresh handler over the same directory. Dropping the old
  // ones without closing the logs is what a crash (kill -9) leaves behind.
  void open() {
    handler.reset();
    logs.reset();
    auto opened = LogManager::open(*fs, config, clock, &background);
    REQUIRE(opened.ok());
    logs = std::move(*opened);
    handler = std::make_unique<RequestHandler>(config, *logs, clock, cluster);
    handler->set_advertised("127.0.0.1", 9092);
  }

  static Bytes frame(ApiKey key, std::int16_t version, std::int32_t correlation, const Bytes& body) {
    Bytes f;
    Encoder e(f);
    e.i16(static_cast<std::int16_t>(key));
    e.i16(version);
    e.i32(correlation);
    e.nullable_string(std::string("test"));
    e.raw(body);
    return f;
  }

  Outcome send(ApiKey key, std::int16_t version, const Bytes& body) {
    auto f = frame(key, version, next_correlation++, body);
    return handler->handle(f);
  }

  // The body of a response frame, after checking its size prefix and correlation id.
  static Bytes body_of(const OutMessage& m, std::int32_t correlation) {
    auto flat = m.flatten();
    REQUIRE(flat.ok());
    REQUIRE(flat->size() >= 8);
    CHECK(load_be<std::int32_t>(flat->data()) == static_cast<std::int32_t>(flat->size() - 4));
    CHECK(load_be<std::int32_t>(flat->data() + 4) == correlation);
    return Bytes(flat->begin() + 8, flat->end());
  }

  Bytes call(ApiKey key, std::int16_t version, const Bytes& body) {
    const auto correlation = next_correlation;
    auto o = send(key, version, body);
    REQUIRE(o.kind == Outcome::Kind::respond);
    return body_of(o.response, correlation);
  }

  std::int64_t produce(const std::string& topic, std::int32_t partition, int records, std::int16_t acks = -1) {
    auto batch = make_batch(records);
    ProduceRequest req;
    req.acks = acks;
    req.topics = {{topic, {{partition, ByteSpan(batch)}}}};
    auto resp = protocol::decode_produce_response(call(ApiKey::produce, 7, protocol::encode_produce_request(req, 7)), 7);
    REQUIRE(resp.ok());
    const auto& p = resp->topics.at(0).partitions.at(0);
    REQUIRE(p.error == Errc::none);
    return p.base_offset;
  }
};

}  // namespace streamcraft::test
