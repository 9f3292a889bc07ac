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

TEST_CASE("a topic is a set of partition directories that survives a restart", "[ch02][topics]") {
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

TEST_CASE("creating topics reports Kafka's errors", "[ch02][topics][bad-input]") {
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

TEST_CASE("deleting a topic removes its data and a half-deleted topic is cleaned up", "[ch02][topics]") {
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
