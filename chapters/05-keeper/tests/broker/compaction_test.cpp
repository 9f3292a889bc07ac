// generated from tests/broker/compaction_test.cpp; edit there
// broker/compaction_test.cpp — compacted topics: the log manager cleans them beside the
// broker's thread, and appends go on while it does.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>

#include "broker/log_manager.h"
#include "record/record.h"
#include "support/log_fixture.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace streamcraft::broker;

namespace {

void put(log::Log& log, const std::string& key, const std::string& value, std::int64_t ts) {
  std::vector<record::RecordSpec> specs = {{key, value, {}, ts}};
  auto batch = record::build_batch(specs);
  REQUIRE(log.append(batch).ok());
}

}  // namespace

TEST_CASE("the log manager compacts a compacted topic in the background and keeps the latest value per key", "[ch03]") {
  test::TempDir dir;
  ManualClock clock;
  BrokerConfig config;
  config.log_dir = dir.path();
  auto logs = LogManager::open(log::posix_file_system(), config, clock);
  REQUIRE(logs.ok());
  auto& m = **logs;
  REQUIRE(m.create_topic("kv", 1, {{"cleanup.policy", "compact"}, {"segment.bytes", "1024"},
                                   {"min.cleanable.dirty.ratio", "0.01"}, {"retention.ms", "1"}})
              .ok());
  auto* log = m.partition("kv", 0);
  std::map<std::string, std::string> latest;
  for (int i = 0; i < 200; ++i) {
    const auto key = fmt::format("k{}", i % 5);
    const auto value = fmt::format("v{}", i);
    put(*log, key, value, clock.now_ms());
    latest[key] = value;
  }
  const auto end = log->log_end_offset();
  const auto before = test::read_all(*log, 0).size();
  CHECK(before == 200);

  // What the cleaning may clean: the sealed segments before the active one.
  const auto active_base = log->segment_infos().back().base_offset;
  REQUIRE(active_base > 0);
  clock.advance_ms(10'000);  // retention.ms=1 must not delete anything on a compact-only topic
  REQUIRE(m.tick().ok());    // plans a cleaning and starts building it
  put(*log, "k0", "during-cleaning", clock.now_ms());  // appends go on meanwhile
  latest["k0"] = "during-cleaning";
  m.wait_for_cleaner();
  REQUIRE(m.tick().ok());    // swaps the cleaned segments in

  auto after = test::read_all(*log, log->log_start_offset());
  CHECK(after.size() < before);
  CHECK(log->log_start_offset() == 0);
  CHECK(log->log_end_offset() == end + 1);
  // Every key's latest value is still there, in offset order.
  std::int64_t last_offset = -1;
  for (const auto& [offset, value] : after) {
    CHECK(offset > last_offset);
    last_offset = offset;
  }
  CHECK(after.back().second == "during-cleaning");
  // And the older values are gone: in the cleaned segments each key is left at most once
  // (none where a newer value follows in the active segment). Value v<i> was written
  // under key k<i % 5>; everything else left is in the segment that was active.
  std::map<std::string, int> kept;
  for (const auto& [offset, value] : after)
    if (offset < active_base) ++kept[fmt::format("k{}", std::stoi(value.substr(1)) % 5)];
  for (const auto& [key, count] : kept) CHECK(count == 1);
  CHECK(after.size() <= kept.size() + static_cast<std::size_t>(end + 1 - active_base));
  for (const auto& [key, value] : latest) {
    bool found = false;
    for (const auto& r : after) found |= r.second == value;
    CHECK(found);
  }
  REQUIRE(m.close().ok());
}
