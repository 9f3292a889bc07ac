// generated from tests/protocol/golden_requests_test.cpp; edit there
// protocol/golden_requests_test.cpp — requests captured from real clients (kcat,
// confluent-kafka, kafka-python, kafkajs; see tests/data/protocol/README.md).
//
// Each frame must decode, and re-encoding what we decoded must give back the client's
// exact bytes: that is the strongest evidence that our codecs and the clients agree on
// every field at every version the clients really use.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "record/batch.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::protocol;

namespace {

struct Frame {
  Bytes bytes;
  RequestHeader header;
  ByteSpan body() const { return ByteSpan(bytes).subspan(4 + header.size); }
};

Frame load(const std::string& name) {
  Frame f{test::test_data("protocol/" + name), {}};
  REQUIRE(f.bytes.size() >= 4);
  auto size = read_frame_size(ByteSpan(f.bytes).first(4), 1 << 20);
  REQUIRE(size.ok());
  REQUIRE(*size == f.bytes.size() - 4);
  auto h = decode_request_header(ByteSpan(f.bytes).subspan(4));
  REQUIRE(h.ok());
  f.header = *h;
  return f;
}

// Decodes the body and encodes the result again; both must succeed and agree.
template <class Decode, class Encode>
void check_round_trip(const Frame& f, Decode decode, Encode encode) {
  auto decoded = decode(f.body(), f.header.api_version);
  INFO((decoded ? std::string() : decoded.error().describe()));
  REQUIRE(decoded.ok());
  auto again = encode(*decoded, f.header.api_version);
  CHECK(Bytes(f.body().begin(), f.body().end()) == again);
}

std::vector<std::string> frames_for(std::string_view api) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(STREAMCRAFT_TEST_DATA_DIR) / "protocol"))
    if (e.path().extension() == ".bin" && e.path().filename().string().find(fmt::format("-{}-v", api)) != std::string::npos)
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("real clients' Metadata requests decode and re-encode byte for byte", "[ch02][protocol][golden]") {
  auto names = frames_for("metadata");
  REQUIRE(names.size() >= 5);
  for (const auto& name : names) {
    INFO(name);
    auto f = load(name);
    CHECK(f.header.api_key == 3);
    check_round_trip(f, decode_metadata_request, encode_metadata_request);
  }
  // librdkafka's first Metadata asks for brokers only: no topics, no auto-creation.
  auto kcat = load("kcat-metadata-v4.bin");
  auto req = decode_metadata_request(kcat.body(), 4);
  REQUIRE(req.ok());
  CHECK(req->topics.has_value());
  CHECK(req->topics->empty());
  CHECK_FALSE(req->allow_auto_topic_creation);
}

TEST_CASE("real clients' Produce requests carry valid record batches", "[ch02][protocol][golden]") {
  auto names = frames_for("produce");
  REQUIRE(names.size() == 4);
  for (const auto& name : names) {
    INFO(name);
    auto f = load(name);
    CHECK(f.header.api_version == 7);
    check_round_trip(f, decode_produce_request, encode_produce_request);
    auto req = decode_produce_request(f.body(), 7);
    REQUIRE(req.ok());
    CHECK(req->acks == -1);  // every capture used acks=all
    REQUIRE(req->topics.size() == 1);
    CHECK(req->topics[0].name == "golden");
    for (const auto& p : req->topics[0].partitions) {
      REQUIRE(p.records.has_value());
      auto s = record::validate_client_batch(*p.records);
      INFO((s ? std::string() : s.error().describe()));
      REQUIRE(s.ok());
      // Every real client here writes the true maxTimestamp (sarama 1.22 does not).
      CHECK(s->records_max_timestamp == record::decode_header(*p.records)->max_timestamp);
    }
  }
}

TEST_CASE("real clients' Fetch and ListOffsets requests decode and re-encode", "[ch02][protocol][golden]") {
  for (const auto& name : frames_for("fetch")) {
    INFO(name);
    auto f = load(name);
    check_round_trip(f, decode_fetch_request, encode_fetch_request);
    auto req = decode_fetch_request(f.body(), f.header.api_version);
    REQUIRE(req.ok());
    CHECK(req->replica_id == -1);  // a consumer, not a follower
    REQUIRE_FALSE(req->topics.empty());
    CHECK(req->topics[0].name == "golden");
  }
  auto names = frames_for("listoffsets");
  REQUIRE(names.size() >= 3);
  for (const auto& name : names) {
    INFO(name);
    auto f = load(name);
    check_round_trip(f, decode_list_offsets_request, encode_list_offsets_request);
  }
}

TEST_CASE("real admin clients' CreateTopics and DeleteTopics decode and re-encode", "[ch02][protocol][golden]") {
  auto creates = frames_for("createtopics");
  REQUIRE(creates.size() >= 3);
  for (const auto& name : creates) {
    INFO(name);
    auto f = load(name);
    check_round_trip(f, decode_create_topics_request, encode_create_topics_request);
    auto req = decode_create_topics_request(f.body(), f.header.api_version);
    REQUIRE(req.ok());
    REQUIRE(req->topics.size() == 1);
    CHECK(req->topics[0].num_partitions >= 1);
  }
  for (const auto& name : frames_for("deletetopics")) {
    INFO(name);
    auto f = load(name);
    check_round_trip(f, decode_delete_topics_request, encode_delete_topics_request);
  }
}

TEST_CASE("librdkafka opens with a flexible ApiVersions whose fixed fields we can read", "[ch02][protocol][golden]") {
  // v3 is flexible (header v2): we cannot parse its body, but api_key, version and
  // correlation id sit where they always do, so we can answer UNSUPPORTED_VERSION.
  for (const char* name : {"kcat-apiversions-v3.bin", "confluent-apiversions-v3.bin"}) {
    auto bytes = test::test_data(std::string("protocol/") + name);
    auto h = peek_header(ByteSpan(bytes).subspan(4));
    REQUIRE(h.has_value());
    CHECK(h->api_key == 18);
    CHECK(h->api_version == 3);
    CHECK(h->correlation_id == 1);
  }
  auto v0 = load("kcat-apiversions-v0.bin");
  CHECK(v0.header.api_version == 0);
  CHECK(v0.body().empty());
}
