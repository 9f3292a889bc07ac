// generated from tests/protocol/codec_test.cpp; edit there
// protocol/codec_test.cpp — every request and response round-trips at every version,
// and malformed input is an error, never a crash.
#include <catch2/catch.hpp>

#include "protocol/api_versions.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/wire.h"
#include "support/batches.h"

using namespace streamcraft;
using namespace streamcraft::protocol;

TEST_CASE("the request header exposes api key version and correlation id", "[ch02][protocol]") {
  Bytes frame;
  Encoder e(frame);
  e.i16(3);
  e.i16(4);
  e.i32(77);
  e.nullable_string(std::string("rdkafka"));
  e.i32(123);  // start of a body
  auto h = decode_request_header(frame);
  REQUIRE(h.ok());
  CHECK(h->api_key == 3);
  CHECK(h->api_version == 4);
  CHECK(h->correlation_id == 77);
  CHECK(h->client_id == "rdkafka");
  CHECK(h->size == 17);
  auto peek = peek_header(ByteSpan(frame).first(8));
  REQUIRE(peek.has_value());
  CHECK(peek->correlation_id == 77);
  CHECK_FALSE(peek_header(ByteSpan(frame).first(7)).has_value());
  CHECK_FALSE(decode_request_header(ByteSpan(frame).first(12)).ok());  // client id cut short
}

TEST_CASE("frame sizes are checked against the limit", "[ch02][protocol][bad-input]") {
  std::byte four[4];
  store_be<std::int32_t>(four, 100);
  CHECK(*read_frame_size(four, 100) == 100);
  CHECK_FALSE(read_frame_size(four, 99).ok());
  store_be<std::int32_t>(four, -1);
  CHECK(read_frame_size(four, 100).error().code == Errc::corrupt_message);
}

TEST_CASE("ApiVersions v0 has Kafka's exact layout", "[ch02][protocol]") {
  ApiVersionsResponse r;
  r.apis = {{0, 3, 7}};
  auto v0 = encode_api_versions_response(r, 0);
  // error_code 0 · one entry · key 0, min 3, max 7
  const std::uint8_t expected[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 7};
  REQUIRE(v0.size() == sizeof expected);
  CHECK(std::equal(v0.begin(), v0.end(), reinterpret_cast<const std::byte*>(expected)));
  auto v1 = encode_api_versions_response(r, 1);
  CHECK(v1.size() == v0.size() + 4);  // + throttle_time_ms
  auto back = decode_api_versions_response(v1, 1);
  REQUIRE(back.ok());
  REQUIRE(back->apis.size() == 1);
  CHECK(back->apis[0].max_version == 7);
}

TEST_CASE("the advertised versions stop below every flexible version", "[ch02][protocol]") {
  // First flexible version per API (Kafka's message schemas): we must stay below them.
  const std::pair<std::int16_t, std::int16_t> first_flexible[] = {{0, 9}, {1, 12}, {2, 6}, {3, 9},
                                                                   {18, 3}, {19, 5}, {20, 4}};
  for (auto [key, flexible] : first_flexible) {
    const auto* api = find_api(key);
    REQUIRE(api != nullptr);
    CHECK(api->max_version < flexible);
    CHECK(api->min_version <= api->max_version);
  }
  // librdkafka enables RecordBatch v2 only with Produce 3 and Fetch 4 in range.
  CHECK(find_api(0)->min_version <= 3);
  CHECK(find_api(1)->min_version <= 4);
  CHECK(find_api(1000) == nullptr);
}

TEST_CASE("Metadata round-trips at every version", "[ch02][protocol]") {
  for (std::int16_t v = 0; v <= 5; ++v) {
    INFO("version " << v);
    MetadataRequest req;
    req.topics = std::vector<std::string>{"orders", "clicks"};
    req.allow_auto_topic_creation = false;
    auto back = decode_metadata_request(encode_metadata_request(req, v), v);
    REQUIRE(back.ok());
    CHECK(*back->topics == *req.topics);
    CHECK(back->allow_auto_topic_creation == (v >= 4 ? false : true));

    MetadataRequest all;  // null list: all topics (an empty list in v0)
    auto all_back = decode_metadata_request(encode_metadata_request(all, v), v);
    REQUIRE(all_back.ok());
    CHECK_FALSE(all_back->topics.has_value());

    MetadataResponse resp;
    resp.brokers = {{0, "127.0.0.1", 9092, std::nullopt}};
    resp.cluster_id = "streamcraft";
    resp.controller_id = 0;
    resp.topics = {{Errc::none, "orders", false, {{Errc::none, 0, 0, {0}, {0}, {}}, {Errc::none, 1, 0, {0}, {0}, {}}}},
                   {Errc::unknown_topic_or_partition, "nope", false, {}}};
    auto rb = decode_metadata_response(encode_metadata_response(resp, v), v);
    REQUIRE(rb.ok());
    REQUIRE(rb->brokers.size() == 1);
    CHECK(rb->brokers[0].port == 9092);
    CHECK(rb->topics.size() == 2);
    CHECK(rb->topics[0].partitions.size() == 2);
    CHECK(rb->topics[1].error == Errc::unknown_topic_or_partition);
    CHECK(rb->controller_id == (v >= 1 ? 0 : -1));
    CHECK(rb->cluster_id == (v >= 2 ? std::optional<std::string>("streamcraft") : std::nullopt));
  }
}

TEST_CASE("Produce round-trips at every supported version", "[ch02][protocol]") {
  auto batch = test::make_batch(3);
  for (std::int16_t v = 3; v <= 7; ++v) {
    INFO("version " << v);
    ProduceRequest req;
    req.acks = -1;
    req.timeout_ms = 1500;
    req.topics = {{"orders", {{0, ByteSpan(batch)}, {1, std::nullopt}}}};
    auto body = encode_produce_request(req, v);
    auto back = decode_produce_request(body, v);
    REQUIRE(back.ok());
    CHECK(back->acks == -1);
    CHECK(back->timeout_ms == 1500);
    REQUIRE(back->topics.size() == 1);
    REQUIRE(back->topics[0].partitions.size() == 2);
    CHECK(std::equal(back->topics[0].partitions[0].records->begin(), back->topics[0].partitions[0].records->end(),
                     batch.begin(), batch.end()));
    CHECK_FALSE(back->topics[0].partitions[1].records.has_value());

    ProduceResponse resp;
    resp.topics = {{"orders", {{0, Errc::none, 42, -1, 7}, {1, Errc::corrupt_message, -1, -1, -1}}}};
    auto rb = decode_produce_response(encode_produce_response(resp, v), v);
    REQUIRE(rb.ok());
    CHECK(rb->topics[0].partitions[0].base_offset == 42);
    CHECK(rb->topics[0].partitions[0].log_start_offset == (v >= 5 ? 7 : -1));
    CHECK(rb->topics[0].partitions[1].error == Errc::corrupt_message);
  }
}

TEST_CASE("Fetch round-trips at every supported version", "[ch02][protocol]") {
  auto batch = test::make_batch(2);
  for (std::int16_t v = 4; v <= 11; ++v) {
    INFO("version " << v);
    FetchRequest req;
    req.max_wait_ms = 500;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.topics = {{"orders", {{0, -1, 10, -1, 65536}, {3, -1, 0, -1, 1024}}}};
    req.rack_id = "";
    auto back = decode_fetch_request(encode_fetch_request(req, v), v);
    REQUIRE(back.ok());
    CHECK(back->max_wait_ms == 500);
    REQUIRE(back->topics[0].partitions.size() == 2);
    CHECK(back->topics[0].partitions[0].fetch_offset == 10);
    CHECK(back->topics[0].partitions[1].partition_max_bytes == 1024);

    FetchResponse resp;
    FetchPartitionResponse p;
    p.partition = 0;
    p.high_watermark = 12;
    p.last_stable_offset = 12;
    p.log_start_offset = 0;
    p.records = ByteSpan(batch);
    resp.topics = {{"orders", {p}}};
    OutMessage out;
    encode_fetch_response(resp, v, out);
    auto flat = out.flatten();
    REQUIRE(flat.ok());
    auto rb = decode_fetch_response(*flat, v);
    REQUIRE(rb.ok());
    REQUIRE(rb->topics[0].partitions.size() == 1);
    const auto& rp = rb->topics[0].partitions[0];
    CHECK(rp.high_watermark == 12);
    CHECK(rp.log_start_offset == (v >= 5 ? 0 : -1));
    CHECK(std::equal(rp.records->begin(), rp.records->end(), batch.begin(), batch.end()));
  }
}

TEST_CASE("ListOffsets round-trips at every supported version", "[ch02][protocol]") {
  for (std::int16_t v = 0; v <= 2; ++v) {
    INFO("version " << v);
    ListOffsetsRequest req;
    req.topics = {{"orders", {{0, kEarliestTimestamp, 1}, {1, 1'700'000'000'000, 1}}}};
    auto back = decode_list_offsets_request(encode_list_offsets_request(req, v), v);
    REQUIRE(back.ok());
    CHECK(back->topics[0].partitions[1].timestamp == 1'700'000'000'000);
    ListOffsetsResponse resp;
    resp.topics = {{"orders", {{0, Errc::none, -1, 5}, {1, Errc::none, 1'700'000'000'000, 9}}}};
    auto rb = decode_list_offsets_response(encode_list_offsets_response(resp, v), v);
    REQUIRE(rb.ok());
    CHECK(rb->topics[0].partitions[0].offset == 5);
    CHECK(rb->topics[0].partitions[1].offset == 9);
  }
}

TEST_CASE("CreateTopics and DeleteTopics round-trip at every supported version", "[ch02][protocol]") {
  for (std::int16_t v = 0; v <= 4; ++v) {
    INFO("version " << v);
    CreateTopicsRequest req;
    CreatableTopic t;
    t.name = "orders";
    t.num_partitions = 6;
    t.replication_factor = 1;
    t.configs = {{"retention.ms", std::string("60000")}, {"cleanup.policy", std::nullopt}};
    req.topics = {t};
    req.validate_only = true;
    auto back = decode_create_topics_request(encode_create_topics_request(req, v), v);
    REQUIRE(back.ok());
    CHECK(back->topics[0].num_partitions == 6);
    CHECK(back->topics[0].configs.size() == 2);
    CHECK(back->validate_only == (v >= 1));
    CreateTopicsResponse resp;
    resp.topics = {{"orders", Errc::topic_already_exists, std::string("exists")}};
    auto rb = decode_create_topics_response(encode_create_topics_response(resp, v), v);
    REQUIRE(rb.ok());
    CHECK(rb->topics[0].error == Errc::topic_already_exists);
  }
  for (std::int16_t v = 0; v <= 3; ++v) {
    DeleteTopicsRequest req;
    req.names = {"a", "b"};
    auto back = decode_delete_topics_request(encode_delete_topics_request(req, v), v);
    REQUIRE(back.ok());
    CHECK(back->names == req.names);
    DeleteTopicsResponse resp;
    resp.topics = {{"a", Errc::none, std::nullopt}, {"b", Errc::unknown_topic_or_partition, std::nullopt}};
    auto rb = decode_delete_topics_response(encode_delete_topics_response(resp, v), v);
    REQUIRE(rb.ok());
    CHECK(rb->topics[1].error == Errc::unknown_topic_or_partition);
  }
}

TEST_CASE("truncated requests are errors at every length", "[ch02][protocol][bad-input]") {
  auto batch = test::make_batch(1);
  ProduceRequest produce;
  produce.topics = {{"orders", {{0, ByteSpan(batch)}}}};
  auto produce_body = encode_produce_request(produce, 7);
  FetchRequest fetch;
  fetch.topics = {{"orders", {{0, -1, 0, -1, 100}}}};
  auto fetch_body = encode_fetch_request(fetch, 11);
  MetadataRequest metadata;
  metadata.topics = std::vector<std::string>{"orders"};
  auto metadata_body = encode_metadata_request(metadata, 5);
  for (std::size_t n = 0; n < produce_body.size(); ++n)
    REQUIRE_FALSE(decode_produce_request(ByteSpan(produce_body).first(n), 7).ok());
  for (std::size_t n = 0; n < fetch_body.size(); ++n)
    REQUIRE_FALSE(decode_fetch_request(ByteSpan(fetch_body).first(n), 11).ok());
  for (std::size_t n = 0; n < metadata_body.size(); ++n)
    REQUIRE_FALSE(decode_metadata_request(ByteSpan(metadata_body).first(n), 5).ok());
}

TEST_CASE("a hostile array count is refused before anything is allocated", "[ch02][protocol][bad-input]") {
  Bytes body;
  Encoder e(body);
  e.i32(0x7fffffff);  // two billion topics, in a 4-byte request
  auto r = decode_metadata_request(body, 1);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("cannot fit"));
  Bytes negative;
  Encoder(negative).i32(-7);
  CHECK_FALSE(decode_delete_topics_request(negative, 0).ok());
}
