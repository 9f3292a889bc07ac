// generated from tests/broker/request_handler_test.cpp; edit there
// broker/request_handler_test.cpp — the broker core fed with request bytes, no sockets.
#include <catch2/catch.hpp>

#include "broker/connection.h"
#include "broker/request_handler.h"
#include "protocol/api_versions.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/wire.h"
#include "protocol/elect_leaders.h"
#include "support/batches.h"
#include "support/broker_fixture.h"

using namespace streamcraft;
using namespace streamcraft::broker;
using namespace streamcraft::protocol;

namespace {

using test::Broker;

FetchRequest fetch_of(const std::string& topic, std::int32_t partition, std::int64_t offset, std::int32_t min_bytes,
                      std::int32_t max_wait_ms) {
  FetchRequest req;
  req.min_bytes = min_bytes;
  req.max_wait_ms = max_wait_ms;
  req.topics = {{topic, {{partition, -1, offset, -1, 1 << 20}}}};
  return req;
}

}  // namespace

TEST_CASE("ApiVersions lists the supported versions", "[ch02][broker]") {
  Broker b;
  for (std::int16_t v = 0; v <= 2; ++v) {
    auto resp = decode_api_versions_response(b.call(ApiKey::api_versions, v, {}), v);
    REQUIRE(resp.ok());
    CHECK(resp->error == Errc::none);
    CHECK(resp->apis.size() == supported_apis().size());
  }
}

TEST_CASE("librdkafka's ApiVersions v3 gets UNSUPPORTED_VERSION in a v0 body", "[ch02][broker]") {
  Broker b;
  auto captured = test::test_data("protocol/kcat-apiversions-v3.bin");
  auto o = b.handler->handle(MutableByteSpan(captured).subspan(4));
  REQUIRE(o.kind == Outcome::Kind::respond);
  auto body = Broker::body_of(o.response, 1);
  auto resp = decode_api_versions_response(body, 0);
  REQUIRE(resp.ok());
  CHECK(resp->error == Errc::unsupported_version);
  REQUIRE(resp->apis.size() == 1);
  CHECK(resp->apis[0].api_key == 18);
  CHECK(resp->apis[0].max_version == 2);
}

TEST_CASE("requests the broker cannot answer close the connection", "[ch02][broker][bad-input]") {
  Broker b;
  CHECK(b.send(static_cast<ApiKey>(999), 0, {}).kind == Outcome::Kind::close_connection);
  CHECK(b.send(ApiKey::produce, 2, {}).kind == Outcome::Kind::close_connection);  // below our range
  CHECK(b.send(ApiKey::fetch, 12, {}).kind == Outcome::Kind::close_connection);   // flexible
  Bytes garbage = {std::byte{1}, std::byte{2}, std::byte{3}};
  CHECK(b.send(ApiKey::metadata, 1, garbage).kind == Outcome::Kind::close_connection);
  Bytes tiny(5);
  CHECK(b.handler->handle(tiny).kind == Outcome::Kind::close_connection);
  // and the broker still answers the next request
  CHECK(b.send(ApiKey::api_versions, 0, {}).kind == Outcome::Kind::respond);
}

TEST_CASE("Metadata auto-creates a requested topic and describes the single broker", "[ch02][broker]") {
  Broker b;
  MetadataRequest req;
  req.topics = std::vector<std::string>{"orders", "bad name"};
  auto resp = decode_metadata_response(b.call(ApiKey::metadata, 5, encode_metadata_request(req, 5)), 5);
  REQUIRE(resp.ok());
  REQUIRE(resp->brokers.size() == 1);
  CHECK(resp->brokers[0].host == "127.0.0.1");
  CHECK(resp->brokers[0].port == 9092);
  CHECK(resp->controller_id == 0);
  REQUIRE(resp->topics.size() == 2);
  CHECK(resp->topics[0].error == Errc::none);
  CHECK(resp->topics[0].partitions.size() == 2);  // num.partitions
  CHECK(resp->topics[0].partitions[1].leader == 0);
  CHECK(resp->topics[1].error == Errc::invalid_topic);

  req.topics = std::vector<std::string>{"quiet"};
  req.allow_auto_topic_creation = false;
  resp = decode_metadata_response(b.call(ApiKey::metadata, 5, encode_metadata_request(req, 5)), 5);
  REQUIRE(resp.ok());
  CHECK(resp->topics[0].error == Errc::unknown_topic_or_partition);

  MetadataRequest all;  // null: every topic
  resp = decode_metadata_response(b.call(ApiKey::metadata, 1, encode_metadata_request(all, 1)), 1);
  REQUIRE(resp.ok());
  REQUIRE(resp->topics.size() == 1);
  CHECK(resp->topics[0].name == "orders");
}

// The handler asks the cluster metadata, and only it, who leads what: a cluster of three
// where this broker leads partition 0 only and has replicated two records of it.
struct ThreeBrokers final : ClusterMetadata {
  std::vector<BrokerEndpoint> brokers() const override {
    return {{0, "broker-0", 9092, {}}, {1, "broker-1", 9093, {}}, {2, "broker-2", 9094, {}}};
  }
  std::int32_t controller_id() const override { return 2; }
  PartitionState partition(std::string_view, std::int32_t p) const override {
    return {p == 0 ? 0 : 1, 7, {0, 1, 2}, {0, 1}, {2}};
  }
  bool leads(std::string_view, std::int32_t p) const override { return p == 0; }
  std::int64_t high_watermark(std::string_view, std::int32_t, const log::Log&) const override { return 2; }
  Status check_replication(std::int16_t rf) const override {
    if (rf <= 3) return {};
    return make_error(Errc::invalid_replication_factor, "3 brokers");
  }
  std::optional<BrokerEndpoint> coordinator(std::int32_t) const override { return brokers()[1]; }
};

TEST_CASE("the handler answers who leads what from the cluster metadata", "[ch02][broker]") {
  ThreeBrokers cluster;
  Broker b;
  b.cluster = &cluster;
  b.open();
  REQUIRE(b.logs->create_topic("orders", 2, {}).ok());

  MetadataRequest req;
  req.topics = std::vector<std::string>{"orders"};
  auto meta = decode_metadata_response(b.call(ApiKey::metadata, 5, encode_metadata_request(req, 5)), 5);
  REQUIRE(meta.ok());
  CHECK(meta->brokers.size() == 3);
  CHECK(meta->controller_id == 2);
  REQUIRE(meta->topics.at(0).partitions.size() == 2);
  CHECK(meta->topics[0].partitions[1].leader == 1);
  CHECK(meta->topics[0].partitions[1].isr == std::vector<std::int32_t>{0, 1});
  CHECK(meta->topics[0].partitions[1].offline_replicas == std::vector<std::int32_t>{2});

  // Partition 1 is led elsewhere: produce, fetch and ListOffsets send the client there.
  auto batch = test::make_batch(1);
  ProduceRequest produce;
  produce.acks = 1;
  produce.topics = {{"orders", {{1, ByteSpan(batch)}}}};
  auto p = decode_produce_response(b.call(ApiKey::produce, 7, encode_produce_request(produce, 7)), 7);
  REQUIRE(p.ok());
  CHECK(p->topics[0].partitions[0].error == Errc::not_leader_or_follower);
  auto f = decode_fetch_response(b.call(ApiKey::fetch, 4, encode_fetch_request(fetch_of("orders", 1, 0, 1, 0), 4)), 4);
  REQUIRE(f.ok());
  CHECK(f->topics[0].partitions[0].error == Errc::not_leader_or_follower);

  // Partition 0 is ours: five records written, two of them committed (the high watermark).
  CHECK(b.produce("orders", 0, 5, /*acks=*/1) == 0);
  f = decode_fetch_response(b.call(ApiKey::fetch, 4, encode_fetch_request(fetch_of("orders", 0, 0, 1, 0), 4)), 4);
  REQUIRE(f.ok());
  CHECK(f->topics[0].partitions[0].high_watermark == 2);
  ListOffsetsRequest lo;
  lo.topics = {{"orders", {{0, protocol::kLatestTimestamp}}}};
  auto offsets = decode_list_offsets_response(b.call(ApiKey::list_offsets, 1, encode_list_offsets_request(lo, 1)), 1);
  REQUIRE(offsets.ok());
  CHECK(offsets->topics[0].partitions[0].offset == 2);

  // A replication factor the cluster can place is accepted; one it cannot is refused.
  CreateTopicsRequest create;
  create.topics = {{"three", 1, 3, {}, {}}, {"four", 1, 4, {}, {}}};
  auto created = decode_create_topics_response(b.call(ApiKey::create_topics, 2, encode_create_topics_request(create, 2)), 2);
  REQUIRE(created.ok());
  CHECK(created->topics[0].error == Errc::none);
  CHECK(created->topics[1].error == Errc::invalid_replication_factor);
}

TEST_CASE("produce then fetch returns the batch with the assigned offsets", "[ch02][broker]") {
  Broker b;
  REQUIRE(b.logs->create_topic("orders", 2, {}).ok());
  CHECK(b.produce("orders", 1, 3) == 0);
  CHECK(b.produce("orders", 1, 2) == 3);
  auto req = fetch_of("orders", 1, 4, 1, 0);
  const auto body = b.call(ApiKey::fetch, 11, encode_fetch_request(req, 11));  // records point into it
  auto resp = decode_fetch_response(body, 11);
  REQUIRE(resp.ok());
  const auto& p = resp->topics.at(0).partitions.at(0);
  CHECK(p.error == Errc::none);
  CHECK(p.high_watermark == 5);
  CHECK(p.log_start_offset == 0);
  REQUIRE(p.records.has_value());
  // The batch containing offset 4 starts at 3: whole batches, the client skips offset 3.
  CHECK(record::decode_header(*p.records)->base_offset == 3);

  auto out_of_range = fetch_of("orders", 1, 99, 1, 0);
  resp = decode_fetch_response(b.call(ApiKey::fetch, 11, encode_fetch_request(out_of_range, 11)), 11);
  CHECK(resp->topics[0].partitions[0].error == Errc::offset_out_of_range);
  auto unknown = fetch_of("nope", 0, 0, 1, 0);
  resp = decode_fetch_response(b.call(ApiKey::fetch, 4, encode_fetch_request(unknown, 4)), 4);
  CHECK(resp->topics[0].partitions[0].error == Errc::unknown_topic_or_partition);
}

// Regression: after the first partition, a partition's first batch was returned whole
// even when it was larger than what was left of max_bytes, so a consumer reading 900 KiB
// records from three partitions with fetch.max.bytes=1000000 got ~1.8 MB responses.
TEST_CASE("a fetch response stays within max_bytes except for the first batch of the first partition", "[ch02][broker]") {
  Broker b;
  REQUIRE(b.logs->create_topic("big", 3, {}).ok());
  for (std::int32_t p = 0; p < 3; ++p) {
    auto batch = test::make_batch(1, 1'700'000'000'000, 900 * 1024);
    ProduceRequest req;
    req.acks = 1;
    req.topics = {{"big", {{p, ByteSpan(batch)}}}};
    auto r = decode_produce_response(b.call(ApiKey::produce, 7, encode_produce_request(req, 7)), 7);
    REQUIRE(r.ok());
    REQUIRE(r->topics.at(0).partitions.at(0).error == Errc::none);
  }
  auto fetch = [&](std::int32_t max_bytes, std::int32_t partition_max_bytes) {
    FetchRequest req;
    req.min_bytes = 1;
    req.max_wait_ms = 0;
    req.max_bytes = max_bytes;
    req.topics = {{"big", {}}};
    for (std::int32_t p = 0; p < 3; ++p) req.topics[0].partitions.push_back({p, -1, 0, -1, partition_max_bytes});
    auto body = b.call(ApiKey::fetch, 11, encode_fetch_request(req, 11));
    auto resp = decode_fetch_response(body, 11);
    REQUIRE(resp.ok());
    std::vector<std::size_t> sizes;
    for (const auto& p : resp->topics.at(0).partitions) {
      CHECK(p.error == Errc::none);
      sizes.push_back(p.records ? p.records->size() : 0);
    }
    return sizes;
  };
  // librdkafka's defaults in the report: one partition's batch, the others wait their turn.
  auto sizes = fetch(1'000'000, 20'000'000);
  CHECK(sizes[0] > 900 * 1024);
  CHECK(sizes[1] == 0);
  CHECK(sizes[2] == 0);
  // The first batch is whole even above both limits, so the consumer always progresses.
  sizes = fetch(1000, 1000);
  CHECK(sizes[0] > 900 * 1024);
  CHECK(sizes[1] == 0);
  // With room for all three, all three come back.
  sizes = fetch(10'000'000, 1'000'000);
  for (auto s : sizes) CHECK(s > 900 * 1024);
}

TEST_CASE("produce errors are per partition and acks=0 gets no response", "[ch02][broker][bad-input]") {
  Broker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  auto good = test::make_batch(1);
  auto bad = test::make_batch(1);
  bad.back() ^= std::byte{1};  // CRC no longer matches
  ProduceRequest req;
  req.acks = 1;
  req.topics = {{"orders", {{0, ByteSpan(bad)}, {0, ByteSpan(good)}, {7, ByteSpan(good)}}}, {"nope", {{0, ByteSpan(good)}}}};
  auto resp = decode_produce_response(b.call(ApiKey::produce, 5, encode_produce_request(req, 5)), 5);
  REQUIRE(resp.ok());
  CHECK(resp->topics[0].partitions[0].error == Errc::corrupt_message);
  CHECK(resp->topics[0].partitions[1].error == Errc::none);
  CHECK(resp->topics[0].partitions[1].base_offset == 0);
  CHECK(resp->topics[0].partitions[2].error == Errc::unknown_topic_or_partition);
  CHECK(resp->topics[1].partitions[0].error == Errc::unknown_topic_or_partition);

  req.acks = 2;
  req.topics = {{"orders", {{0, ByteSpan(good)}}}};
  resp = decode_produce_response(b.call(ApiKey::produce, 7, encode_produce_request(req, 7)), 7);
  CHECK(resp->topics[0].partitions[0].error == Errc::invalid_required_acks);

  auto again = test::make_batch(1);
  req.acks = 0;
  req.topics = {{"orders", {{0, ByteSpan(again)}}}};
  CHECK(b.send(ApiKey::produce, 7, encode_produce_request(req, 7)).kind == Outcome::Kind::no_response);
  CHECK(b.logs->partition("orders", 0)->log_end_offset() == 2);
}

TEST_CASE("a long poll waits for data and answers as soon as it arrives", "[ch02][broker][long-poll]") {
  Broker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  auto req = fetch_of("orders", 0, 0, 1, 500);
  auto o = b.send(ApiKey::fetch, 11, encode_fetch_request(req, 11));
  REQUIRE(o.kind == Outcome::Kind::deferred);
  CHECK(b.handler->next_deadline_ms() == b.clock.now_ms() + 500);
  b.clock.advance_ms(100);
  CHECK(b.handler->poll_deferred().empty());  // nothing yet, and not timed out
  b.produce("orders", 0, 2);
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  CHECK(done[0].deferred_id == o.deferred_id);
  const auto body = Broker::body_of(done[0].response, 1);
  auto resp = decode_fetch_response(body, 11);
  REQUIRE(resp.ok());
  CHECK(resp->topics[0].partitions[0].records.has_value());
  CHECK(b.handler->deferred_count() == 0);
}

TEST_CASE("a long poll that gets no data answers empty when max_wait_ms is over", "[ch02][broker][long-poll]") {
  Broker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  auto o = b.send(ApiKey::fetch, 11, encode_fetch_request(fetch_of("orders", 0, 0, 1, 500), 11));
  REQUIRE(o.kind == Outcome::Kind::deferred);
  b.clock.advance_ms(499);
  CHECK(b.handler->poll_deferred().empty());
  b.clock.advance_ms(1);
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  const auto body = Broker::body_of(done[0].response, 1);
  auto resp = decode_fetch_response(body, 11);
  REQUIRE(resp.ok());
  CHECK(resp->topics[0].partitions[0].error == Errc::none);
  CHECK(resp->topics[0].partitions[0].records->empty());
  // min_bytes counts bytes: a fetch wanting more than one batch keeps waiting after one.
  auto big = b.send(ApiKey::fetch, 11, encode_fetch_request(fetch_of("orders", 0, 0, 100'000, 500), 11));
  REQUIRE(big.kind == Outcome::Kind::deferred);
  b.produce("orders", 0, 1);
  CHECK(b.handler->poll_deferred().empty());
  b.handler->cancel_deferred(big.deferred_id);
  CHECK(b.handler->deferred_count() == 0);
}

// Regression: every parked fetch was read again every 10 ms, whatever had happened. Now
// an append wakes only the fetches waiting on its partition, and time only those whose
// wait is over; next_deadline_ms() tells the server's timer when that is.
TEST_CASE("a parked fetch is looked at again only when its partition gets data or its time is up", "[ch02][broker][long-poll]") {
  Broker b;
  REQUIRE(b.logs->create_topic("busy", 1, {}).ok());
  REQUIRE(b.logs->create_topic("quiet", 1, {}).ok());
  CHECK_FALSE(b.handler->next_deadline_ms().has_value());
  std::vector<std::uint64_t> parked;
  for (int i = 0; i < 10; ++i) {
    auto o = b.send(ApiKey::fetch, 4, encode_fetch_request(fetch_of("quiet", 0, 0, 1, 1000 + i), 4));
    REQUIRE(o.kind == Outcome::Kind::deferred);
    parked.push_back(o.deferred_id);
  }
  CHECK(b.handler->next_deadline_ms() == b.clock.monotonic_ms() + 1000);
  for (int i = 0; i < 20; ++i) {
    b.produce("busy", 0, 1, 1);  // another partition: nothing for the parked fetches
    b.clock.advance_ms(10);
    CHECK_FALSE(b.handler->has_completions());
    CHECK(b.handler->poll_deferred().empty());
  }
  CHECK(b.handler->fetch_rechecks() == 0);
  // Data for their partition wakes them all, once each, and answers them.
  b.produce("quiet", 0, 1, 1);
  CHECK(b.handler->has_completions());
  CHECK(b.handler->poll_deferred().size() == 10);
  CHECK(b.handler->fetch_rechecks() == 10);
  CHECK(b.handler->deferred_count() == 0);
  CHECK_FALSE(b.handler->next_deadline_ms().has_value());
  // A fetch with nothing to wake it is answered when its time is up, and not before.
  auto o = b.send(ApiKey::fetch, 4, encode_fetch_request(fetch_of("quiet", 0, 1, 1, 300), 4));
  REQUIRE(o.kind == Outcome::Kind::deferred);
  b.clock.advance_ms(299);
  CHECK_FALSE(b.handler->has_completions());
  b.clock.advance_ms(1);
  CHECK(b.handler->has_completions());
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  CHECK(done[0].deferred_id == o.deferred_id);
  CHECK(b.handler->fetch_rechecks() == 11);
}

TEST_CASE("ListOffsets finds earliest latest and by timestamp", "[ch02][broker]") {
  Broker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  b.produce("orders", 0, 3);  // make_batch's timestamp: 1'700'000'000'000
  for (std::int16_t v = 0; v <= 2; ++v) {
    ListOffsetsRequest req;
    req.topics = {{"orders", {{0, kEarliestTimestamp, 1}}}, {"orders", {{0, kLatestTimestamp, 1}}},
                  {"orders", {{0, 1'700'000'000'000, 1}}}, {"orders", {{0, 1'800'000'000'000, 1}}}};
    auto resp = decode_list_offsets_response(b.call(ApiKey::list_offsets, v, encode_list_offsets_request(req, v)), v);
    REQUIRE(resp.ok());
    CHECK(resp->topics[0].partitions[0].offset == 0);
    CHECK(resp->topics[1].partitions[0].offset == 3);
    CHECK(resp->topics[2].partitions[0].offset == 0);
    CHECK(resp->topics[3].partitions[0].offset == -1);  // no record that late
  }
}

TEST_CASE("CreateTopics and DeleteTopics report per-topic results", "[ch02][broker]") {
  Broker b;
  CreateTopicsRequest create;
  CreatableTopic good;
  good.name = "orders";
  good.num_partitions = 3;
  good.replication_factor = 1;
  good.configs = {{"retention.ms", std::string("60000")}};
  CreatableTopic replicated = good;
  replicated.name = "replicated";
  replicated.replication_factor = 3;
  CreatableTopic bad = good;
  bad.name = "bad name";
  create.topics = {good, replicated, bad, good};
  auto resp = decode_create_topics_response(b.call(ApiKey::create_topics, 4, encode_create_topics_request(create, 4)), 4);
  REQUIRE(resp.ok());
  REQUIRE(resp->topics.size() == 4);
  CHECK(resp->topics[0].error == Errc::none);
  CHECK(resp->topics[1].error == Errc::invalid_replication_factor);
  CHECK(resp->topics[2].error == Errc::invalid_topic);
  CHECK(resp->topics[3].error == Errc::invalid_request);  // listed twice
  CHECK(b.logs->topic("orders")->partitions == 3);

  DeleteTopicsRequest del;
  del.names = {"orders", "orders"};
  auto dresp = decode_delete_topics_response(b.call(ApiKey::delete_topics, 3, encode_delete_topics_request(del, 3)), 3);
  REQUIRE(dresp.ok());
  CHECK(dresp->topics[0].error == Errc::none);
  CHECK(dresp->topics[1].error == Errc::unknown_topic_or_partition);
}

TEST_CASE("a connection reassembles frames delivered a byte at a time", "[ch02][ex:framing]") {
  Connection c(1000);
  Bytes stream;
  Encoder e(stream);
  for (std::int32_t i = 0; i < 3; ++i) {
    e.i32(4);
    e.i32(100 + i);
  }
  std::vector<Bytes> frames;
  for (auto byte : stream) {
    auto got = c.receive(ByteSpan(&byte, 1));
    REQUIRE(got.ok());
    for (auto& f : *got) frames.push_back(std::move(f));
  }
  REQUIRE(frames.size() == 3);
  for (std::int32_t i = 0; i < 3; ++i) {
    REQUIRE(frames[static_cast<std::size_t>(i)].size() == 4);
    CHECK(load_be<std::int32_t>(frames[static_cast<std::size_t>(i)].data()) == 100 + i);
  }
}

TEST_CASE("a connection returns several frames from one read and keeps a partial one", "[ch02][ex:framing]") {
  Connection c(1000);
  Bytes stream;
  Encoder e(stream);
  e.i32(2);
  e.i16(7);
  e.i32(0);  // an empty frame is legal framing
  e.i32(6);
  e.i16(8);  // ... only 2 of its 6 bytes so far
  auto first = c.receive(stream);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 2);
  CHECK((*first)[0].size() == 2);
  CHECK((*first)[1].empty());
  Bytes rest;
  Encoder(rest).i32(99);
  auto second = c.receive(rest);
  REQUIRE(second.ok());
  REQUIRE(second->size() == 1);
  REQUIRE((*second)[0].size() == 6);
  CHECK(load_be<std::int16_t>((*second)[0].data()) == 8);
  CHECK(load_be<std::int32_t>((*second)[0].data() + 2) == 99);
}

TEST_CASE("a big frame can be read straight into its own buffer", "[ch02]") {
  Connection c(1 << 20);
  CHECK(c.direct_space().empty());  // between frames there is nothing to read into
  Bytes start;
  Encoder e(start);
  e.i32(100'000);
  e.i16(5);  // the first 2 bytes of the frame arrive with its prefix
  auto none = c.receive(start);
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto space = c.direct_space();
  REQUIRE(space.size() == 100'000 - 2);
  space[0] = std::byte{0x42};
  space[space.size() - 1] = std::byte{0x43};
  CHECK_FALSE(c.commit_direct(1000).has_value());
  CHECK(c.direct_space().size() == 100'000 - 2 - 1000);
  auto frame = c.commit_direct(c.direct_space().size());
  REQUIRE(frame.has_value());
  REQUIRE(frame->size() == 100'000);
  CHECK(load_be<std::int16_t>(frame->data()) == 5);
  CHECK((*frame)[2] == std::byte{0x42});
  CHECK(frame->back() == std::byte{0x43});
  CHECK(c.direct_space().empty());
  // The byte stream carries on with the next frame's prefix.
  Bytes next;
  Encoder n(next);
  n.i32(2);
  n.i16(6);
  auto after = c.receive(next);
  REQUIRE(after.ok());
  REQUIRE(after->size() == 1);
  CHECK(load_be<std::int16_t>((*after)[0].data()) == 6);
}

TEST_CASE("responses leave in request order whatever order they finish in", "[ch02][ex:response-order]") {
  Connection c(1000);
  auto s0 = c.open_slot(), s1 = c.open_slot(), s2 = c.open_slot();
  c.fill(s2, response_frame(2, {}));
  c.fill(s1, std::nullopt);  // acks=0: nothing to send
  CHECK(c.take_ready().empty());  // slot 0 (a long poll, say) still open
  c.fill(s0, response_frame(0, {}));
  auto ready = c.take_ready();
  REQUIRE(ready.size() == 2);
  CHECK(load_be<std::int32_t>(ready[0].flatten()->data() + 4) == 0);
  CHECK(load_be<std::int32_t>(ready[1].flatten()->data() + 4) == 2);
  CHECK(c.open_slots() == 0);
  CHECK(c.take_ready().empty());
}

TEST_CASE("a slot without a response does not block the ones behind it", "[ch02][ex:response-order]") {
  Connection c(1000);
  auto s0 = c.open_slot(), s1 = c.open_slot();
  c.fill(s0, std::nullopt);
  auto none = c.take_ready();
  CHECK(none.empty());
  CHECK(c.open_slots() == 1);
  c.fill(s1, response_frame(9, {}));
  auto ready = c.take_ready();
  REQUIRE(ready.size() == 1);
  CHECK(load_be<std::int32_t>(ready[0].flatten()->data() + 4) == 9);
}

TEST_CASE("an oversized frame is refused from its size prefix alone", "[ch02][ex:framing][bad-input]") {
  Connection c(1000);
  Bytes prefix;
  Encoder(prefix).i32(1001);
  auto got = c.receive(prefix);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code == Errc::corrupt_message);
}

TEST_CASE("a broker alone answers ElectLeaders with its only replica already leading", "[ch04][broker]") {
  Broker b;
  b.open();
  REQUIRE(b.logs->create_topic("orders", 2, {}).ok());
  ElectLeadersRequest req;
  req.topic_partitions = std::vector<ElectLeadersTopic>{{"orders", {1}}, {"missing", {0}}};
  auto r = decode_elect_leaders_response(b.call(ApiKey::elect_leaders, 1, encode_elect_leaders_request(req, 1)), 1);
  REQUIRE(r.ok());
  CHECK(r->error == Errc::none);
  REQUIRE(r->results.size() == 2);
  CHECK(r->results[0].partition_results.at(0).error == Errc::election_not_needed);
  CHECK(r->results[1].partition_results.at(0).error == Errc::unknown_topic_or_partition);
  // An unclean election is not taken by request, in either shape of the error.
  req.election_type = kUncleanElection;
  r = decode_elect_leaders_response(b.call(ApiKey::elect_leaders, 1, encode_elect_leaders_request(req, 1)), 1);
  REQUIRE(r.ok());
  CHECK(r->error == Errc::invalid_request);
  CHECK(r->results.at(0).partition_results.at(0).error == Errc::invalid_request);
}

// A cluster whose controller already has the topic this broker has not heard of yet.
struct ControllerHasIt final : ClusterMetadata {
  std::vector<BrokerEndpoint> brokers() const override { return {{0, "broker-0", 9092, {}}, {1, "broker-1", 9093, {}}}; }
  std::int32_t controller_id() const override { return 1; }
  PartitionState partition(std::string_view, std::int32_t) const override { return {1, 0, {0, 1}, {0, 1}, {}}; }
  bool leads(std::string_view, std::int32_t) const override { return false; }
  std::int64_t high_watermark(std::string_view, std::int32_t, const log::Log&) const override { return 0; }
  Status check_replication(std::int16_t) const override { return {}; }
  std::optional<BrokerEndpoint> coordinator(std::int32_t) const override { return brokers()[1]; }
  std::optional<Status> create_topic(const NewTopic& t, TopicRequest) override {
    return Status{make_error(Errc::topic_already_exists, "topic " + t.name + " already exists")};
  }
};

TEST_CASE("a topic the controller has and this broker does not yet is leader not available", "[ch04][broker]") {
  ControllerHasIt cluster;
  Broker b;
  b.cluster = &cluster;
  b.open();
  MetadataRequest req;
  req.topics = std::vector<std::string>{"orders"};
  req.allow_auto_topic_creation = true;
  auto meta = decode_metadata_response(b.call(ApiKey::metadata, 5, encode_metadata_request(req, 5)), 5);
  REQUIRE(meta.ok());
  // Not TOPIC_ALREADY_EXISTS, which no client expects from Metadata: "ask again".
  CHECK(meta->topics.at(0).error == Errc::leader_not_available);
}
