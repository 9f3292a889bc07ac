// generated from tests/broker/log_manager_test.cpp; edit there
// broker/log_manager_test.cpp — topics as directories of partition logs.
#include <catch2/catch.hpp>

#include "broker/log_manager.h"
#include "support/batches.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::broker;

namespace {
struct Fixture {
  test::TempDir dir;
  ManualClock clock;
  BrokerConfig config;
  std::unique_ptr<LogManager> logs;
  Fixture() { config.log_dir = dir.path(); }
  LogManager& open() {
    logs.reset();
    auto opened = LogManager::open(log::posix_file_system(), config, clock);
    INFO((opened ? std::string() : opened.error().describe()));
    REQUIRE(opened.ok());
    logs = std::move(*opened);
    return *logs;
  }
};
}  // namespace

TEST_CASE("topic names follow Kafka's rules", "[ch02][topics]") {
  CHECK(validate_topic_name("orders").ok());
  CHECK(validate_topic_name("my.topic_name-1").ok());
  CHECK(validate_topic_name(std::string(249, 'a')).ok());
  CHECK(validate_topic_name(std::string(250, 'a')).error().code == Errc::invalid_topic);
  CHECK(validate_topic_name("").error().code == Errc::invalid_topic);
  CHECK(validate_topic_name(".").error().code == Errc::invalid_topic);
  CHECK(validate_topic_name("..").error().code == Errc::invalid_topic);
  CHECK(validate_topic_name("a/b").error().code == Errc::invalid_topic);
  CHECK(validate_topic_name("with space").error().code == Errc::invalid_topic);
}

TEST_CASE("a topic is a set of partition directories that survives a restart", "[ch02][ex:topic-store][topics]") {
  Fixture f;
  auto& logs = f.open();
  auto created = logs.create_topic("orders", 3, {{"retention.ms", "60000"}});
  REQUIRE(created.ok());
  CHECK(created->partitions == 3);
  for (int p = 0; p < 3; ++p) CHECK(std::filesystem::is_directory(f.dir / ("orders-" + std::to_string(p))));
  auto batch = test::make_batch(2);
  REQUIRE(logs.partition("orders", 1)->append(batch).ok());
  CHECK(logs.partition("orders", 3) == nullptr);
  CHECK(logs.partition("nope", 0) == nullptr);

  REQUIRE(logs.close().ok());
  auto& reopened = f.open();
  const auto* t = reopened.topic("orders");
  REQUIRE(t != nullptr);
  CHECK(t->partitions == 3);
  REQUIRE(t->overrides.size() == 1);
  CHECK(t->overrides[0].second == "60000");
  CHECK(reopened.partition("orders", 1)->log_end_offset() == 2);
}

TEST_CASE("creating topics reports Kafka's errors", "[ch02][ex:topic-store][topics][bad-input]") {
  Fixture f;
  auto& logs = f.open();
  REQUIRE(logs.create_topic("orders", 1, {}).ok());
  CHECK(logs.create_topic("orders", 1, {}).error().code == Errc::topic_already_exists);
  CHECK(logs.create_topic("bad name", 1, {}).error().code == Errc::invalid_topic);
  CHECK(logs.create_topic("zero", 0, {}).error().code == Errc::invalid_partitions);
  CHECK(logs.create_topic("cfg", 1, {{"no.such.setting", "1"}}).error().code == Errc::invalid_config);
  CHECK(logs.create_topic("cfg", 1, {{"retention.ms", "soon"}}).error().code == Errc::invalid_config);
  CHECK(logs.create_topic("dry", 2, {}, /*validate_only=*/true).ok());
  CHECK(logs.topic("dry") == nullptr);
  f.config.num_partitions = 4;
  auto& with_default = f.open();
  CHECK(with_default.create_topic("defaulted", -1, {})->partitions == 4);
}

TEST_CASE("deleting a topic removes its data and a half-deleted topic is cleaned up", "[ch02][ex:topic-store][topics]") {
  Fixture f;
  auto& logs = f.open();
  REQUIRE(logs.create_topic("gone", 2, {}).ok());
  REQUIRE(logs.delete_topic("gone").ok());
  CHECK_FALSE(std::filesystem::exists(f.dir / "gone-0"));
  CHECK(logs.topic("gone") == nullptr);
  CHECK(logs.delete_topic("gone").error().code == Errc::unknown_topic_or_partition);

  // A crash after the topic file went but before the partition directories did.
  std::filesystem::create_directories(f.dir / "orphan-0");
  test::write_file(f.dir / "orphan-0" / "00000000000000000000.log", {});
  f.open();
  CHECK_FALSE(std::filesystem::exists(f.dir / "orphan-0"));
}

TEST_CASE("a topic whose partitions were not all created before a crash gets them at the next start", "[ch02][ex:topic-store][topics]") {
  Fixture f;
  f.open();
  f.logs.reset();
  // The topic file is written first (create_topic): a crash right after it leaves a
  // topic without partition directories.
  test::write_file(f.dir / ".topics" / "half.properties", as_bytes("partitions=2\n"));
  auto& logs = f.open();
  REQUIRE(logs.topic("half") != nullptr);
  CHECK(logs.topic("half")->partitions == 2);
  for (int p = 0; p < 2; ++p) {
    CHECK(std::filesystem::is_directory(f.dir / ("half-" + std::to_string(p))));
    REQUIRE(logs.partition("half", p) != nullptr);
  }
  auto batch = test::make_batch(1);
  CHECK(logs.partition("half", 1)->append(batch).ok());
}

TEST_CASE("a topic's own settings apply to its logs and survive a restart", "[ch02][ex:topic-store][topics]") {
  Fixture f;
  auto& logs = f.open();
  REQUIRE(logs.create_topic("small", 1, {{"segment.bytes", "1024"}}).ok());
  REQUIRE(logs.create_topic("plain", 1, {}).ok());
  for (int i = 0; i < 8; ++i) {
    auto a = test::make_batch(2, 1'700'000'000'000, 200);
    auto b = test::make_batch(2, 1'700'000'000'000, 200);
    REQUIRE(logs.partition("small", 0)->append(a).ok());
    REQUIRE(logs.partition("plain", 0)->append(b).ok());
  }
  CHECK(logs.partition("small", 0)->segment_count() > 1);  // rolled at 1 KiB
  CHECK(logs.partition("plain", 0)->segment_count() == 1);
  REQUIRE(logs.close().ok());
  auto& reopened = f.open();
  const auto before = reopened.partition("small", 0)->segment_count();
  for (int i = 0; i < 8; ++i) {
    auto a = test::make_batch(2, 1'700'000'000'000, 200);
    REQUIRE(reopened.partition("small", 0)->append(a).ok());
  }
  CHECK(reopened.partition("small", 0)->segment_count() > before);  // still 1 KiB segments
}

TEST_CASE("a damaged topic file stops the broker from opening with a clear error", "[ch02][ex:topic-store][topics][bad-input]") {
  Fixture f;
  f.open();
  f.logs.reset();
  test::write_file(f.dir / ".topics" / "broken.properties", as_bytes("partitions=many\n"));
  auto opened = LogManager::open(log::posix_file_system(), f.config, f.clock);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == Errc::invalid_config);
  CHECK(opened.error().message.find("broken.properties") != std::string::npos);
}
