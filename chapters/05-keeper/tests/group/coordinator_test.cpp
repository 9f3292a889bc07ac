// generated from tests/group/coordinator_test.cpp; edit there
// group/coordinator_test.cpp — the group state machine on a manual clock: joins,
// syncs, heartbeats, crashes, fencing, commits, a coordinator restart, and the groups of
// one __consumer_offsets partition unloaded and loaded again.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "group/coordinator.h"
#include "group/offsets_topic.h"

using namespace streamcraft;
using namespace streamcraft::group;

namespace {

Bytes bytes_of(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

// Members that join within 100 ms of a group's first member share its first generation.
CoordinatorConfig test_config() {
  CoordinatorConfig c;
  c.initial_rebalance_delay_ms = 100;
  return c;
}

// A test bench: a coordinator, its clock, and helpers that speak for members.
struct Bench {
  ManualClock clock;
  Coordinator coord{clock, test_config()};
  Token next_token = 1;

  // A coordinator alone serves every group: each partition is loaded (from an empty log).
  explicit Bench(CoordinatorConfig config = test_config()) : coord(clock, config) {
    for (std::int32_t p = 0; p < config.offsets_partitions; ++p) coord.load_partition(p, {});
  }

  JoinParams params(const std::string& member_id, std::vector<std::string> protocols = {"range"},
                    std::int32_t session_ms = 10'000, std::int32_t rebalance_ms = 30'000) {
    JoinParams p;
    p.group_id = "g";
    p.member_id = member_id;
    p.client_id = "c";
    p.client_host = "/127.0.0.1";
    p.session_timeout_ms = session_ms;
    p.rebalance_timeout_ms = rebalance_ms;
    p.protocol_type = "consumer";
    for (const auto& name : protocols) p.protocols.push_back({name, bytes_of("meta-of-" + member_id)});
    return p;
  }

  // Joins and returns the token (the answer is collected with answers()).
  Token join(const JoinParams& p) {
    auto t = next_token++;
    auto now = coord.join(t, p);
    if (now) early[t] = *now;
    return t;
  }

  std::map<Token, JoinResult> early;
  std::map<Token, JoinResult> joins;
  std::map<Token, SyncResult> syncs;

  // Lets the initial rebalance delay pass, then collects the answers.
  void settle() {
    clock.advance_ms(100);
    coord.tick();
    collect();
  }

  void collect() {
    for (auto& c : coord.take_completed()) {
      if (auto* j = std::get_if<JoinResult>(&c.result)) joins[c.token] = *j;
      else syncs[c.token] = std::get<SyncResult>(c.result);
    }
  }
};

// Two members join a fresh group and finish the rebalance; returns their member ids
// (leader first) and the generation.
struct TwoMembers {
  std::string leader, follower;
  std::int32_t generation;
};
TwoMembers two_stable_members(Bench& b) {
  auto t1 = b.join(b.params(""));
  auto t2 = b.join(b.params(""));
  b.settle();
  REQUIRE(b.joins.count(t1) == 1);
  REQUIRE(b.joins.count(t2) == 1);
  TwoMembers m{b.joins[t1].leader_id, "", b.joins[t1].generation};
  m.follower = b.joins[t1].member_id == m.leader ? b.joins[t2].member_id : b.joins[t1].member_id;
  SyncParams leader{"g", m.leader, m.generation, {{m.leader, bytes_of("p0")}, {m.follower, bytes_of("p1")}}};
  SyncParams follower{"g", m.follower, m.generation, {}};
  REQUIRE_FALSE(b.coord.sync(100, follower).has_value());
  REQUIRE_FALSE(b.coord.sync(101, leader).has_value());
  b.collect();
  REQUIRE(b.syncs.count(100) == 1);
  REQUIRE(b.syncs.count(101) == 1);
  return m;
}

}  // namespace

TEST_CASE("members that join together share one generation and the leader gets everyone's metadata", "[ch03]") {
  Bench b;
  auto t1 = b.join(b.params(""));
  auto t2 = b.join(b.params(""));
  auto t3 = b.join(b.params(""));
  CHECK(b.early.empty());
  b.coord.tick();
  b.collect();
  CHECK(b.joins.empty());  // within the initial delay: waiting for more members
  b.settle();
  REQUIRE(b.joins.size() == 3);
  const auto& leader = b.joins[t1].leader_id;
  int leaders = 0;
  for (auto t : {t1, t2, t3}) {
    const auto& r = b.joins[t];
    CHECK(r.error == Errc::none);
    CHECK(r.generation == 1);
    CHECK(r.protocol_name == "range");
    CHECK(r.leader_id == leader);
    if (r.member_id == leader) {
      ++leaders;
      CHECK(r.members.size() == 3);
    } else {
      CHECK(r.members.empty());
    }
  }
  CHECK(leaders == 1);
  CHECK(b.coord.describe("g").state == "CompletingRebalance");
}

TEST_CASE("the leader's sync hands every member its own assignment and the group becomes stable", "[ch03]") {
  Bench b;
  auto m = two_stable_members(b);
  CHECK(b.syncs[100].error == Errc::none);
  CHECK(b.syncs[100].assignment == bytes_of("p1"));
  CHECK(b.syncs[101].assignment == bytes_of("p0"));
  CHECK(b.coord.describe("g").state == "Stable");
  // A later sync of the same generation returns the same share at once.
  auto again = b.coord.sync(102, {"g", m.follower, m.generation, {}});
  REQUIRE(again.has_value());
  CHECK(again->assignment == bytes_of("p1"));
  // The finished generation is to be recorded in __consumer_offsets.
  auto records = b.coord.take_records();
  REQUIRE(records.size() == 1);
  const auto& g = std::get<GroupRecord>(records[0]);
  REQUIRE(g.value.has_value());
  CHECK(g.value->generation == m.generation);
  CHECK(g.value->members.size() == 2);
}

TEST_CASE("a join storm within the initial delay ends in a single generation", "[ch03]") {
  CoordinatorConfig config = test_config();
  config.initial_rebalance_delay_ms = 3'000;
  Bench b(config);
  std::vector<Token> tokens;
  for (int i = 0; i < 5; ++i) {
    tokens.push_back(b.join(b.params("")));
    b.clock.advance_ms(500);
    b.coord.tick();
    b.collect();
    CHECK(b.joins.empty());  // still waiting for more members
  }
  b.clock.advance_ms(600);
  b.coord.tick();
  b.collect();
  REQUIRE(b.joins.size() == 5);
  for (auto t : tokens) CHECK(b.joins[t].generation == 1);
}

TEST_CASE("a member that stops heartbeating is removed after its session timeout and the rest rebalance", "[ch03]") {
  Bench b;
  auto m = two_stable_members(b);
  // Only the leader keeps heartbeating.
  for (int i = 0; i < 3; ++i) {
    b.clock.advance_ms(3'000);
    CHECK(b.coord.heartbeat("g", m.leader, m.generation) == Errc::none);
    b.coord.tick();
  }
  CHECK(b.coord.describe("g").members.size() == 2);  // 9 s: within the 10 s session
  b.clock.advance_ms(2'000);
  b.coord.tick();
  CHECK(b.coord.describe("g").members.size() == 1);
  CHECK(b.coord.describe("g").state == "PreparingRebalance");
  CHECK(b.coord.heartbeat("g", m.leader, m.generation) == Errc::rebalance_in_progress);
  CHECK(b.coord.heartbeat("g", m.follower, m.generation) == Errc::unknown_member_id);
  auto t = b.join(b.params(m.leader));
  b.collect();
  REQUIRE(b.joins.count(t) == 1);
  CHECK(b.joins[t].generation == m.generation + 1);
  CHECK(b.joins[t].members.size() == 1);
}

TEST_CASE("a member leaving starts a rebalance at once", "[ch03]") {
  Bench b;
  auto m = two_stable_members(b);
  CHECK(b.coord.leave("g", m.follower) == Errc::none);
  CHECK(b.coord.describe("g").state == "PreparingRebalance");
  CHECK(b.coord.leave("g", m.follower) == Errc::unknown_member_id);
  auto t = b.join(b.params(m.leader));
  b.collect();
  REQUIRE(b.joins.count(t) == 1);
  CHECK(b.joins[t].generation == m.generation + 1);
}

TEST_CASE("requests from an old generation or a removed member are fenced", "[ch03][ex:committed-offsets]") {
  Bench b;
  auto m = two_stable_members(b);
  CHECK(b.coord.heartbeat("g", m.follower, m.generation - 1) == Errc::illegal_generation);
  CHECK(b.coord.sync(200, {"g", m.follower, m.generation + 1, {}})->error == Errc::illegal_generation);
  CHECK(b.coord.heartbeat("g", "nobody", m.generation) == Errc::unknown_member_id);
  CHECK(b.coord.heartbeat("other-group", m.follower, m.generation) == Errc::unknown_member_id);
  CommitParams stale{"g", m.follower, m.generation - 1, {{"t", 0, 5, -1, std::nullopt}}};
  CHECK(b.coord.plan_commit(stale).errors == std::vector<Errc>{Errc::illegal_generation});
  CommitParams outsider{"g", "", -1, {{"t", 0, 5, -1, std::nullopt}}};
  CHECK(b.coord.plan_commit(outsider).errors == std::vector<Errc>{Errc::unknown_member_id});
  auto unknown = b.join(b.params("made-up-id"));
  REQUIRE(b.early.count(unknown) == 1);
  CHECK(b.early[unknown].error == Errc::unknown_member_id);
}

TEST_CASE("a member that does not rejoin within the rebalance timeout is dropped", "[ch03]") {
  Bench b;
  auto m = two_stable_members(b);
  // A third member arrives: a rebalance starts; only the leader rejoins.
  auto t3 = b.join(b.params(""));
  auto tl = b.join(b.params(m.leader));
  // The follower keeps heartbeating (it is told to rejoin) but never does.
  for (int i = 0; i < 11; ++i) {
    b.clock.advance_ms(2'900);
    CHECK(b.coord.heartbeat("g", m.follower, m.generation) == Errc::rebalance_in_progress);
    b.coord.tick();
    b.collect();
  }
  REQUIRE(b.joins.count(t3) == 1);  // at the 30 s rebalance timeout
  REQUIRE(b.joins.count(tl) == 1);
  CHECK(b.joins[tl].generation == m.generation + 1);
  CHECK(b.joins[tl].members.size() == 2);
  CHECK(b.coord.heartbeat("g", m.follower, m.generation) == Errc::unknown_member_id);
}

TEST_CASE("a rebalance answers members still waiting for the previous assignment", "[ch03]") {
  Bench b;
  auto t1 = b.join(b.params(""));
  auto t2 = b.join(b.params(""));
  b.settle();
  const auto leader = b.joins[t1].leader_id;
  const auto follower = b.joins[t1].member_id == leader ? b.joins[t2].member_id : b.joins[t1].member_id;
  REQUIRE_FALSE(b.coord.sync(300, {"g", follower, 1, {}}).has_value());
  CommitParams during{"g", follower, 1, {{"t", 0, 1, -1, std::nullopt}}};
  CHECK(b.coord.plan_commit(during).errors == std::vector<Errc>{Errc::rebalance_in_progress});
  b.join(b.params(""));  // a newcomer before the leader synced
  b.collect();
  REQUIRE(b.syncs.count(300) == 1);
  CHECK(b.syncs[300].error == Errc::rebalance_in_progress);
}

TEST_CASE("JoinGroup v4 hands out the member id first and the member joins with it", "[ch03]") {
  Bench b;
  auto p = b.params("");
  p.require_known_member_id = true;
  auto first = b.join(p);
  REQUIRE(b.early.count(first) == 1);
  CHECK(b.early[first].error == Errc::member_id_required);
  const auto id = b.early[first].member_id;
  CHECK_FALSE(id.empty());
  CHECK(b.coord.describe("g").members.empty());
  auto second = b.join(b.params(id));
  b.settle();
  REQUIRE(b.joins.count(second) == 1);
  CHECK(b.joins[second].member_id == id);
  CHECK(b.joins[second].leader_id == id);
}

// Regression: an id handed out with MEMBER_ID_REQUIRED stayed pending for ever when its
// client never came back, and its group could never be forgotten.
TEST_CASE("a member id nobody joins with expires after the session timeout", "[ch03]") {
  Bench b;
  auto p = b.params("", {"range"}, 6'000);
  p.require_known_member_id = true;
  auto first = b.join(p);
  REQUIRE(b.early.count(first) == 1);
  const auto id = b.early[first].member_id;
  CHECK(b.coord.next_deadline_ms() == b.clock.monotonic_ms() + 6'000);
  CHECK(b.coord.list_groups().size() == 1);
  b.clock.advance_ms(5'999);
  b.coord.tick();
  CHECK(b.coord.list_groups().size() == 1);  // still pending
  b.clock.advance_ms(1);
  b.coord.tick();
  CHECK(b.coord.list_groups().empty());  // the id expired and the empty group was forgotten
  CHECK_FALSE(b.coord.next_deadline_ms().has_value());
  auto late = b.join(b.params(id));
  REQUIRE(b.early.count(late) == 1);
  CHECK(b.early[late].error == Errc::unknown_member_id);
}

// Regression (found by the simulator): while a rebalance waited for a member after the
// initial delay was over, next_deadline_ms() kept reporting the end of that delay — a
// time in the past — so the server's timer fired again and again with nothing to do.
TEST_CASE("the next deadline after a tick is never in the past", "[ch03]") {
  Bench b;
  two_stable_members(b);
  // A third member joins: the group prepares a rebalance and waits for the other two to
  // join again (they never do here), long after the initial delay is over.
  b.join(b.params(""));
  for (int i = 0; i < 50; ++i) {
    b.clock.advance_ms(100);
    b.coord.tick();
    auto next = b.coord.next_deadline_ms();
    REQUIRE(next.has_value());
    CHECK(*next > b.clock.monotonic_ms());
  }
}

TEST_CASE("the protocol chosen is one every member supports", "[ch03][ex:protocol-selection]") {
  Bench b;
  auto t1 = b.join(b.params("", {"range", "roundrobin"}));
  auto t2 = b.join(b.params("", {"roundrobin"}));
  b.settle();
  CHECK(b.joins[t1].protocol_name == "roundrobin");
  CHECK(b.joins[t2].protocol_name == "roundrobin");
  auto odd = b.join(b.params("", {"sticky"}));
  REQUIRE(b.early.count(odd) == 1);
  CHECK(b.early[odd].error == Errc::inconsistent_group_protocol);
  auto p = b.params("");
  p.session_timeout_ms = 10;
  auto short_session = b.join(p);
  CHECK(b.early[short_session].error == Errc::invalid_session_timeout);
}

TEST_CASE("committed offsets are returned once applied and absent ones are -1", "[ch03][ex:committed-offsets]") {
  Bench b;
  auto m = two_stable_members(b);
  CommitParams c{"g", m.leader, m.generation, {{"t", 0, 42, 3, std::string("note")}, {"t", 1, 7, -1, std::nullopt}}};
  auto plan = b.coord.plan_commit(c);
  CHECK(plan.errors == std::vector<Errc>{Errc::none, Errc::none});
  REQUIRE(plan.records.size() == 2);
  // Nothing is visible before the records are durable and applied.
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == -1);
  for (const auto& r : plan.records) b.coord.apply(r);
  auto got = b.coord.fetch_offsets("g", {{{"t", 0}, {"t", 1}, {"t", 2}}}).value();
  REQUIRE(got.size() == 3);
  CHECK(got[0].offset == 42);
  CHECK(got[0].leader_epoch == 3);
  CHECK(got[0].metadata == "note");
  CHECK(got[1].offset == 7);
  CHECK(got[2].offset == -1);
  CHECK(b.coord.fetch_offsets("g", std::nullopt)->size() == 2);
  CHECK(b.coord.fetch_offsets("unknown", {{{"t", 0}}})->at(0).offset == -1);
}

TEST_CASE("a consumer outside any group may commit to a group without members", "[ch03][ex:committed-offsets]") {
  Bench b;
  CommitParams c{"standalone", "", -1, {{"t", 0, 10, -1, std::nullopt}}};
  auto plan = b.coord.plan_commit(c);
  CHECK(plan.errors == std::vector<Errc>{Errc::none});
  for (const auto& r : plan.records) b.coord.apply(r);
  CHECK(b.coord.fetch_offsets("standalone", {{{"t", 0}}})->at(0).offset == 10);
  auto listed = b.coord.list_groups();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].state == "Empty");
  CommitParams big{"standalone", "", -1, {{"t", 0, 10, -1, std::string(5000, 'x')}}};
  CHECK(b.coord.plan_commit(big).errors == std::vector<Errc>{Errc::offset_metadata_too_large});
}

// Regression: committed offsets of groups without members were kept for ever; Kafka
// expires them offsets.retention.minutes after the group became empty (KIP-211).
TEST_CASE("committed offsets of an empty group expire after the retention and the group with them", "[ch03][ex:committed-offsets]") {
  Bench b;
  const std::int64_t week = 7LL * 24 * 60 * 60 * 1000;
  auto commit = [&](const std::string& group, std::int32_t partition) {
    auto plan = b.coord.plan_commit({group, "", -1, {{"t", partition, 10, -1, std::nullopt}}});
    REQUIRE(plan.errors == std::vector<Errc>{Errc::none});
    for (const auto& r : plan.records) b.coord.apply(r);
  };
  auto apply_taken = [&] {
    auto records = b.coord.take_records();
    for (const auto& r : records) b.coord.apply(r);  // what the handler does once they are in the log
    return records.size();
  };
  commit("old", 0);
  commit("old", 1);
  b.clock.advance_ms(week / 2);
  commit("recent", 0);
  b.clock.advance_ms(week / 2 - 1);
  b.coord.tick();
  CHECK(apply_taken() == 0);  // "old" is one millisecond short of a week
  // The check runs every offsets.retention.check.interval.ms (10 minutes): the next one
  // finds "old" past its retention and writes tombstones for both offsets and the group.
  CHECK(b.coord.next_deadline_ms().has_value());
  b.clock.advance_ms(600'000);
  b.coord.tick();
  CHECK(apply_taken() == 3);
  CHECK(b.coord.fetch_offsets("old", {{{"t", 0}}})->at(0).offset == -1);
  CHECK(b.coord.fetch_offsets("recent", {{{"t", 0}}})->at(0).offset == 10);
  auto listed = b.coord.list_groups();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].group_id == "recent");
}

TEST_CASE("a group's offsets expire counting from when it lost its last member", "[ch03][ex:committed-offsets]") {
  Bench b;
  const std::int64_t week = 7LL * 24 * 60 * 60 * 1000;
  auto two = two_stable_members(b);
  auto plan = b.coord.plan_commit({"g", two.leader, two.generation, {{"t", 0, 5, -1, std::nullopt}}});
  REQUIRE(plan.errors == std::vector<Errc>{Errc::none});
  for (const auto& r : plan.records) b.coord.apply(r);
  // The members live on (heartbeating) for more than a week after the commit.
  for (int day = 0; day < 8; ++day) {
    b.clock.advance_ms(week / 7);
    CHECK(b.coord.heartbeat("g", two.leader, two.generation) == Errc::none);
    CHECK(b.coord.heartbeat("g", two.follower, two.generation) == Errc::none);
    b.coord.tick();
  }
  (void)b.coord.take_records();
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == 5);  // a live group keeps its offsets
  b.coord.leave("g", two.leader);
  b.coord.leave("g", two.follower);
  b.coord.tick();
  (void)b.coord.take_records();
  b.clock.advance_ms(week - 1);
  b.coord.tick();
  for (const auto& r : b.coord.take_records()) CHECK_FALSE(std::holds_alternative<OffsetRecord>(r));
  b.clock.advance_ms(600'000);
  b.coord.tick();
  bool tombstone = false;
  for (const auto& r : b.coord.take_records()) tombstone |= std::holds_alternative<OffsetRecord>(r);
  CHECK(tombstone);
}

TEST_CASE("a restarted coordinator reloads offsets and groups from its records", "[ch03][ex:committed-offsets]") {
  Bench b;
  auto m = two_stable_members(b);
  std::vector<EncodedRecord> log;  // what the broker would have appended
  for (const auto& r : b.coord.take_records()) log.push_back(encode_group_record("g", std::get<GroupRecord>(r).value));
  auto plan = b.coord.plan_commit({"g", m.leader, m.generation, {{"t", 0, 99, -1, std::nullopt}}});
  for (const auto& r : plan.records) {
    const auto& o = std::get<OffsetRecord>(r);
    log.push_back(encode_offset_record(o.key, o.value));
  }

  Bench restarted;
  restarted.clock.set_ms(b.clock.now_ms());
  for (const auto& e : log) {
    auto decoded = decode_offsets_record(e.key, e.value ? std::optional<ByteSpan>(ByteSpan(*e.value)) : std::nullopt);
    REQUIRE(decoded.ok());
    restarted.coord.apply(*decoded, /*replay=*/true);
  }
  CHECK(restarted.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == 99);
  auto d = restarted.coord.describe("g");
  CHECK(d.state == "Stable");
  CHECK(d.generation == m.generation);
  CHECK(d.members.size() == 2);
  // The members carry on with their generation …
  CHECK(restarted.coord.heartbeat("g", m.leader, m.generation) == Errc::none);
  auto sync = restarted.coord.sync(1, {"g", m.follower, m.generation, {}});
  REQUIRE(sync.has_value());
  CHECK(sync->assignment == bytes_of("p1"));
  // … and one that never comes back is removed after its session timeout.
  restarted.clock.advance_ms(6'000);
  CHECK(restarted.coord.heartbeat("g", m.leader, m.generation) == Errc::none);
  restarted.clock.advance_ms(6'000);
  restarted.coord.tick();
  CHECK(restarted.coord.describe("g").members.size() == 1);
}

TEST_CASE("deleting a group needs it empty and removes its offsets", "[ch03][ex:committed-offsets]") {
  Bench b;
  auto m = two_stable_members(b);
  for (const auto& r : b.coord.plan_commit({"g", m.leader, m.generation, {{"t", 0, 5, -1, std::nullopt}}}).records)
    b.coord.apply(r);
  auto refused = b.coord.plan_delete("g");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::non_empty_group);
  CHECK(b.coord.plan_delete("nope").error().code == Errc::group_id_not_found);
  CHECK(b.coord.leave("g", m.leader) == Errc::none);
  CHECK(b.coord.leave("g", m.follower) == Errc::none);
  b.coord.tick();
  CHECK(b.coord.describe("g").state == "Empty");
  auto tombstones = b.coord.plan_delete("g");
  REQUIRE(tombstones.ok());
  CHECK(tombstones->size() == 2);  // one offset, and the group
  for (const auto& r : *tombstones) b.coord.apply(r);
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == -1);
  CHECK(b.coord.list_groups().empty());
  CHECK(b.coord.describe("g").state == "Dead");
}

TEST_CASE("a cancelled join is not answered and the member is dropped at the rebalance timeout", "[ch03]") {
  Bench b;
  auto m = two_stable_members(b);
  auto newcomer = b.join(b.params(""));
  auto leader = b.join(b.params(m.leader));
  b.coord.cancel(leader);  // the leader's connection closed while it waited
  auto follower = b.join(b.params(m.follower));
  b.collect();
  CHECK(b.joins.count(newcomer) == 0);  // the leader counts as not rejoined
  CHECK(b.joins.count(follower) == 0);
  b.clock.advance_ms(30'000);
  b.coord.tick();
  b.collect();
  CHECK(b.joins.count(leader) == 0);
  REQUIRE(b.joins.count(newcomer) == 1);
  REQUIRE(b.joins.count(follower) == 1);
  CHECK(b.joins[follower].generation == m.generation + 1);
  CHECK(b.joins[follower].leader_id != m.leader);
  CHECK(b.coord.describe("g").members.size() == 2);
}

TEST_CASE("the offsets partition of a group follows Java's String hashCode", "[ch03][ex:group-hash]") {
  CHECK(java_string_hash("abc") == 96354);
  CHECK(java_string_hash("") == 0);
  CHECK(java_string_hash("polygenelubricants") == INT32_MIN);  // Kafka's Utils.abs maps it to 0
  CHECK(offsets_partition_for("abc", 50) == 96354 % 50);
  CHECK(offsets_partition_for("polygenelubricants", 50) == 0);
  for (int i = 0; i < 100; ++i) {
    auto p = offsets_partition_for(fmt::format("group-{}", i), 50);
    CHECK(p >= 0);
    CHECK(p < 50);
  }
}

TEST_CASE("offsets topic records round-trip in Kafka's key and value formats", "[ch03]") {
  auto offset = encode_offset_record({"g", "orders", 3}, OffsetValue{42, 7, "m", 1'700'000'000'000});
  // Key v1: int16 version, group, topic, partition.
  CHECK(offset.key.size() == 2 + (2 + 1) + (2 + 6) + 4);
  auto back = decode_offsets_record(offset.key, ByteSpan(*offset.value));
  REQUIRE(back.ok());
  const auto& o = std::get<OffsetRecord>(*back);
  CHECK(o.key == OffsetKey{"g", "orders", 3});
  CHECK(o.value->offset == 42);
  CHECK(o.value->leader_epoch == 7);
  CHECK(o.value->metadata == "m");
  auto tombstone = decode_offsets_record(offset.key, std::nullopt);
  REQUIRE(tombstone.ok());
  CHECK_FALSE(std::get<OffsetRecord>(*tombstone).value.has_value());

  GroupValue gv{"consumer", 4, std::string("range"), std::string("m-1"), 5, {}};
  gv.members.push_back({"m-1", std::nullopt, "c", "/h", 300, 10, bytes_of("sub"), bytes_of("asg")});
  auto group = encode_group_record("g", gv);
  auto gback = decode_offsets_record(group.key, ByteSpan(*group.value));
  REQUIRE(gback.ok());
  const auto& g = std::get<GroupRecord>(*gback);
  CHECK(g.group == "g");
  CHECK(g.value->generation == 4);
  REQUIRE(g.value->members.size() == 1);
  CHECK(g.value->members[0].assignment == bytes_of("asg"));
  CHECK(g.value->members[0].rebalance_timeout_ms == 300);
  // Truncated bytes are an error, never a crash.
  for (std::size_t n = 0; n < group.value->size(); ++n) {
    auto cut = decode_offsets_record(group.key, ByteSpan(group.value->data(), n));
    CHECK_FALSE(cut.ok());
  }
  Bytes bad_key;
  bad_key.push_back(std::byte{0});
  bad_key.push_back(std::byte{9});
  CHECK_FALSE(decode_offsets_record(bad_key, std::nullopt).ok());
}

TEST_CASE("the most preferred protocol among the candidates wins the vote", "[ch03][ex:protocol-selection]") {
  Bench b;
  auto t1 = b.join(b.params("", {"range", "roundrobin", "sticky"}));
  auto t2 = b.join(b.params("", {"roundrobin", "range"}));
  auto t3 = b.join(b.params("", {"sticky", "roundrobin", "range"}));
  b.settle();
  // Candidates: range and roundrobin (sticky is missing from the second member). Votes:
  // range 1, roundrobin 2 (the third member's sticky is no candidate: it votes roundrobin).
  for (auto t : {t1, t2, t3}) {
    REQUIRE(b.joins.count(t) == 1);
    CHECK(b.joins[t].protocol_name == "roundrobin");
  }
}

TEST_CASE("a tie between protocols goes to the first candidate", "[ch03][ex:protocol-selection]") {
  Bench b;
  auto t1 = b.join(b.params("", {"range", "roundrobin"}));
  auto t2 = b.join(b.params("", {"roundrobin", "range"}));
  b.settle();
  REQUIRE(b.joins.count(t1) == 1);
  CHECK(b.joins[t1].protocol_name == "range");
  CHECK(b.joins[t2].protocol_name == "range");
}

TEST_CASE("replaying a group's records at start-up keeps the latest generation", "[ch03][ex:committed-offsets]") {
  Bench b;
  GroupValue two{"consumer", 1, std::string("range"), std::string("a"), 1, {}};
  two.members.push_back({"a", std::nullopt, "c", "/h", 1000, 10'000, bytes_of("s"), bytes_of("p0")});
  two.members.push_back({"b", std::nullopt, "c", "/h", 1000, 10'000, bytes_of("s"), bytes_of("p1")});
  GroupValue one{"consumer", 2, std::string("range"), std::string("b"), 2, {}};
  one.members.push_back({"b", std::nullopt, "c", "/h", 1000, 10'000, bytes_of("s"), bytes_of("p0p1")});
  b.coord.apply(GroupRecord{"g", two}, true);
  b.coord.apply(GroupRecord{"g", one}, true);
  auto d = b.coord.describe("g");
  CHECK(d.generation == 2);
  REQUIRE(d.members.size() == 1);
  CHECK(d.members[0].member_id == "b");
  CHECK(d.members[0].assignment == bytes_of("p0p1"));
  GroupValue empty{"consumer", 3, std::nullopt, std::nullopt, 3, {}};
  b.coord.apply(GroupRecord{"g", empty}, true);
  CHECK(b.coord.describe("g").state == "Empty");
  CHECK(b.coord.describe("g").generation == 3);
  // Live, a group's own record never rolls its state back.
  b.coord.apply(GroupRecord{"g", two});
  CHECK(b.coord.describe("g").generation == 3);
}

// --- static membership (KIP-345) --------------------------------------------------------

namespace {

// A join of a static member: its group.instance.id, and the metadata of the instance (not
// of the process), so that a restarted process joins with exactly the same protocols.
JoinParams static_params(Bench& b, const std::string& instance, const std::string& member_id = "") {
  auto p = b.params(member_id);
  p.group_instance_id = instance;
  p.require_known_member_id = true;  // JoinGroup v5: KIP-394 must not apply to static members
  p.protocols = {{"range", bytes_of("meta-of-" + instance)}};
  return p;
}

// Static members "a" and "b" join a fresh group and finish the rebalance: "a" is given
// partition p-a, "b" p-b.
struct StaticPair {
  std::map<std::string, std::string> id;  // instance → member id
  std::string leader;
  std::int32_t generation;
};
StaticPair two_static_members(Bench& b) {
  auto ta = b.join(static_params(b, "a"));
  auto tb = b.join(static_params(b, "b"));
  CHECK(b.early.empty());  // no MEMBER_ID_REQUIRED round trip: both are in the first rebalance
  b.settle();
  REQUIRE(b.joins.count(ta) == 1);
  REQUIRE(b.joins.count(tb) == 1);
  StaticPair s{{{"a", b.joins[ta].member_id}, {"b", b.joins[tb].member_id}}, b.joins[ta].leader_id,
               b.joins[ta].generation};
  const std::string leader = s.leader == s.id["a"] ? "a" : "b";
  const std::string follower = leader == "a" ? "b" : "a";
  REQUIRE_FALSE(b.coord.sync(100, {"g", s.id[follower], s.generation, {}}, follower).has_value());
  SyncParams assignment{"g", s.leader, s.generation, {{s.id["a"], bytes_of("p-a")}, {s.id["b"], bytes_of("p-b")}}};
  REQUIRE_FALSE(b.coord.sync(101, assignment, leader).has_value());
  b.collect();
  REQUIRE(b.syncs.count(100) == 1);
  REQUIRE(b.coord.describe("g").state == "Stable");
  b.coord.take_records();  // the generation's record: tests look at what comes after
  b.early.clear();
  b.joins.clear();
  b.syncs.clear();
  return s;
}

// The instance that is not the leader, and the one that is.
std::string follower_of(const StaticPair& s) { return s.leader == s.id.at("a") ? "b" : "a"; }
std::string leader_of(const StaticPair& s) { return s.leader == s.id.at("a") ? "a" : "b"; }

}  // namespace

TEST_CASE("a static member gets its member id at once with the instance id at its front", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  CHECK(s.id["a"].rfind("a-", 0) == 0);
  CHECK(s.id["b"].rfind("b-", 0) == 0);
  CHECK(s.generation == 1);
}

TEST_CASE("a static member restarting within its session timeout keeps its assignment and generation without a rebalance", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  const auto instance = follower_of(s);
  const auto other = leader_of(s);
  const auto old_id = s.id[instance];
  // The process dies without LeaveGroup (that is what static members do) and comes back
  // 4 s later, well within its 10 s session, without its member id.
  b.clock.advance_ms(4'000);
  CHECK(b.coord.heartbeat("g", s.id[other], s.generation, other) == Errc::none);
  b.coord.tick();
  auto t = b.join(static_params(b, instance));
  REQUIRE(b.early.count(t) == 1);  // answered at once: nobody else has to rejoin
  const auto& joined = b.early[t];
  CHECK(joined.error == Errc::none);
  CHECK(joined.generation == s.generation);
  CHECK(joined.leader_id == s.leader);
  CHECK(joined.member_id != old_id);
  CHECK(joined.members.empty());
  CHECK(b.coord.describe("g").state == "Stable");
  CHECK(b.coord.describe("g").generation == s.generation);
  // Its SyncGroup of the same generation hands back the old assignment, at once.
  auto sync = b.coord.sync(200, {"g", joined.member_id, s.generation, {}}, instance);
  REQUIRE(sync.has_value());
  CHECK(sync->error == Errc::none);
  CHECK(sync->assignment == bytes_of("p-" + instance));
  // The other member never hears of it, and the old session's end removes nothing.
  CHECK(b.coord.heartbeat("g", s.id[other], s.generation, other) == Errc::none);
  for (int i = 0; i < 4; ++i) {
    b.clock.advance_ms(3'000);
    CHECK(b.coord.heartbeat("g", s.id[other], s.generation, other) == Errc::none);
    CHECK(b.coord.heartbeat("g", joined.member_id, s.generation, instance) == Errc::none);
    b.coord.tick();
  }
  CHECK(b.coord.describe("g").state == "Stable");
  CHECK(b.coord.describe("g").members.size() == 2);
  b.collect();
  CHECK(b.joins.empty());
  // The new member id is recorded, instance id and assignment with it.
  auto records = b.coord.take_records();
  REQUIRE(records.size() == 1);
  const auto& value = std::get<GroupRecord>(records[0]).value;
  REQUIRE(value.has_value());
  CHECK(value->generation == s.generation);
  bool found = false;
  for (const auto& m : value->members) {
    if (m.member_id != joined.member_id) continue;
    found = true;
    CHECK(m.group_instance_id == std::optional<std::string>(instance));
    CHECK(m.assignment == bytes_of("p-" + instance));
  }
  CHECK(found);
}

TEST_CASE("a restarted static leader gets the current generation and stays leader of the next rebalance", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  const auto instance = leader_of(s);
  const auto other = follower_of(s);
  b.clock.advance_ms(2'000);
  auto t = b.join(static_params(b, instance));
  REQUIRE(b.early.count(t) == 1);
  const auto joined = b.early[t];
  CHECK(joined.error == Errc::none);
  CHECK(joined.generation == s.generation);
  // Answered with the leader as it was: the restarted leader takes itself for a follower
  // and does not compute an assignment that a Stable group would never hand out.
  CHECK(joined.leader_id == s.leader);
  CHECK(joined.leader_id != joined.member_id);
  CHECK(joined.members.empty());
  auto sync = b.coord.sync(200, {"g", joined.member_id, s.generation, {}}, instance);
  REQUIRE(sync.has_value());
  CHECK(sync->assignment == bytes_of("p-" + instance));
  // Leadership moved to its new member id: when the other member leaves, it leads.
  CHECK(b.coord.leave("g", s.id[other], other) == Errc::none);
  auto again = b.join(static_params(b, instance, joined.member_id));
  b.collect();
  REQUIRE(b.joins.count(again) == 1);
  CHECK(b.joins[again].generation == s.generation + 1);
  CHECK(b.joins[again].leader_id == joined.member_id);
  REQUIRE(b.joins[again].members.size() == 1);
  CHECK(b.joins[again].members[0].group_instance_id == std::optional<std::string>(instance));
}

TEST_CASE("a static member rejoining with other metadata starts a rebalance", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  const auto instance = follower_of(s);
  auto p = static_params(b, instance);
  p.protocols = {{"range", bytes_of("another-subscription")}};
  auto t = b.join(p);
  CHECK(b.early.count(t) == 0);
  CHECK(b.coord.describe("g").state == "PreparingRebalance");
  CHECK(b.coord.heartbeat("g", s.id[leader_of(s)], s.generation, leader_of(s)) == Errc::rebalance_in_progress);
}

TEST_CASE("the old member id of a replaced static member gets FENCED_INSTANCE_ID on every request", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  const auto instance = follower_of(s);
  const auto old_id = s.id[instance];
  auto t = b.join(static_params(b, instance));
  REQUIRE(b.early.count(t) == 1);
  const auto new_id = b.early[t].member_id;
  // The old incarnation — a process that was only paused, say — wakes up.
  CHECK(b.coord.heartbeat("g", old_id, s.generation, instance) == Errc::fenced_instance_id);
  auto sync = b.coord.sync(300, {"g", old_id, s.generation, {}}, instance);
  REQUIRE(sync.has_value());
  CHECK(sync->error == Errc::fenced_instance_id);
  CommitParams commit{"g", old_id, s.generation, {{"t", 0, 5, -1, std::nullopt}}};
  auto plan = b.coord.plan_commit(commit, instance);
  CHECK(plan.errors == std::vector<Errc>{Errc::fenced_instance_id});
  CHECK(plan.records.empty());
  auto rejoin = b.join(static_params(b, instance, old_id));
  REQUIRE(b.early.count(rejoin) == 1);
  CHECK(b.early[rejoin].error == Errc::fenced_instance_id);
  CHECK(b.coord.leave("g", old_id, instance) == Errc::fenced_instance_id);
  // None of it disturbed the group or the new incarnation.
  CHECK(b.coord.describe("g").state == "Stable");
  CHECK(b.coord.describe("g").members.size() == 2);
  CHECK(b.coord.heartbeat("g", new_id, s.generation, instance) == Errc::none);
  CHECK(b.coord.plan_commit(commit, instance).errors == std::vector<Errc>{Errc::fenced_instance_id});
  commit.member_id = new_id;
  CHECK(b.coord.plan_commit(commit, instance).errors == std::vector<Errc>{Errc::none});
  // Without its instance id the old id is simply no member any more.
  CHECK(b.coord.heartbeat("g", old_id, s.generation) == Errc::unknown_member_id);
}

TEST_CASE("a static member replaced while it waits for its join or sync answer is answered FENCED_INSTANCE_ID", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  const auto instance = follower_of(s);
  const auto other = leader_of(s);
  // The instance's process rejoins with new metadata: a rebalance, and it waits for the
  // other member. Meanwhile a second process with the same instance id starts.
  auto first = static_params(b, instance, s.id[instance]);
  first.protocols = {{"range", bytes_of("another-subscription")}};
  auto waiting_join = b.join(first);
  auto second = b.join(static_params(b, instance));
  b.collect();
  REQUIRE(b.joins.count(waiting_join) == 1);
  CHECK(b.joins[waiting_join].error == Errc::fenced_instance_id);
  CHECK(b.joins.count(second) == 0);  // it takes the first one's place in the rebalance
  auto rejoin_other = b.join(static_params(b, other, s.id[other]));
  b.collect();
  REQUIRE(b.joins.count(second) == 1);
  REQUIRE(b.joins.count(rejoin_other) == 1);
  const auto second_id = b.joins[second].member_id;
  const auto generation = b.joins[second].generation;
  CHECK(generation == s.generation + 1);
  // The second process waits for its share; a third one starts: the waiting SyncGroup is
  // fenced, and the group starts over, since the leader's assignment would name an old id.
  REQUIRE_FALSE(b.coord.sync(400, {"g", second_id, generation, {}}, instance).has_value());
  REQUIRE(b.coord.describe("g").state == "CompletingRebalance");
  auto third = b.join(static_params(b, instance));
  b.collect();
  REQUIRE(b.syncs.count(400) == 1);
  CHECK(b.syncs[400].error == Errc::fenced_instance_id);
  CHECK(b.joins.count(third) == 0);
  CHECK(b.coord.describe("g").state == "PreparingRebalance");
  CHECK(b.coord.heartbeat("g", s.id[other], generation, other) == Errc::rebalance_in_progress);
}

TEST_CASE("LeaveGroup by instance id removes a static member and the rest rebalance", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  CHECK(b.coord.leave("g", "", "nobody") == Errc::unknown_member_id);
  CHECK(b.coord.leave("other-group", "", "a") == Errc::unknown_member_id);
  CHECK(b.coord.describe("g").state == "Stable");
  CHECK(b.coord.leave("g", "", "a") == Errc::none);
  CHECK(b.coord.describe("g").members.size() == 1);
  CHECK(b.coord.describe("g").state == "PreparingRebalance");
  CHECK(b.coord.heartbeat("g", s.id["a"], s.generation, "a") == Errc::unknown_member_id);
  CHECK(b.coord.heartbeat("g", s.id["b"], s.generation, "b") == Errc::rebalance_in_progress);
  // The instance comes back later as a new member of the next generation.
  auto ta = b.join(static_params(b, "a"));
  auto tb = b.join(static_params(b, "b", s.id["b"]));
  b.collect();
  REQUIRE(b.joins.count(ta) == 1);
  REQUIRE(b.joins.count(tb) == 1);
  CHECK(b.joins[ta].generation == s.generation + 1);
  CHECK(b.joins[ta].member_id != s.id["a"]);
}

TEST_CASE("a static member that stays away past its session timeout is removed and the rest rebalance", "[ch03]") {
  Bench b;
  auto s = two_static_members(b);
  for (int i = 0; i < 3; ++i) {
    b.clock.advance_ms(3'000);
    CHECK(b.coord.heartbeat("g", s.id["b"], s.generation, "b") == Errc::none);
    b.coord.tick();
  }
  CHECK(b.coord.describe("g").members.size() == 2);  // 9 s: within the 10 s session
  b.clock.advance_ms(2'000);
  b.coord.tick();
  CHECK(b.coord.describe("g").members.size() == 1);
  CHECK(b.coord.heartbeat("g", s.id["b"], s.generation, "b") == Errc::rebalance_in_progress);
  // Too late: the instance is forgotten, so it joins as a newcomer, in a new generation.
  auto ta = b.join(static_params(b, "a"));
  CHECK(b.early.count(ta) == 0);
  auto tb = b.join(static_params(b, "b", s.id["b"]));
  b.collect();
  REQUIRE(b.joins.count(ta) == 1);
  REQUIRE(b.joins.count(tb) == 1);
  CHECK(b.joins[ta].generation == s.generation + 1);
  CHECK(b.joins[tb].generation == s.generation + 1);
}

TEST_CASE("a static member replaced after a coordinator restart keeps its assignment", "[ch03]") {
  Bench b;
  auto ta = b.join(static_params(b, "a"));
  b.settle();
  REQUIRE(b.joins.count(ta) == 1);
  const auto id = b.joins[ta].member_id;
  b.coord.sync(1, {"g", id, b.joins[ta].generation, {{id, bytes_of("p-a")}}}, "a");
  auto records = b.coord.take_records();
  REQUIRE(records.size() == 1);
  // The broker restarts; the group is replayed from its last record.
  Bench restarted;
  const auto& value = std::get<GroupRecord>(records[0]).value;
  auto e = encode_group_record("g", value);
  auto decoded = decode_offsets_record(e.key, std::optional<ByteSpan>(ByteSpan(*e.value)));
  REQUIRE(decoded.ok());
  restarted.coord.apply(*decoded, /*replay=*/true);
  // The member's process restarted too and comes back without its member id.
  auto t = restarted.join(static_params(restarted, "a"));
  REQUIRE(restarted.early.count(t) == 1);
  CHECK(restarted.early[t].error == Errc::none);
  CHECK(restarted.early[t].generation == value->generation);
  auto sync = restarted.coord.sync(2, {"g", restarted.early[t].member_id, value->generation, {}}, "a");
  REQUIRE(sync.has_value());
  CHECK(sync->assignment == bytes_of("p-a"));
}

// --- groups per __consumer_offsets partition --------------------------------------------

namespace {

// A group id, none of `taken`, whose offsets partition is `p` (or, with `same` false, any
// partition but `p`).
std::string group_in(const Coordinator& c, std::int32_t p, bool same = true, const std::vector<std::string>& taken = {}) {
  for (int i = 0; i < 10'000; ++i) {
    auto id = fmt::format("group-{}", i);
    if ((c.partition_for(id) == p) == same && std::find(taken.begin(), taken.end(), id) == taken.end()) return id;
  }
  FAIL("no group id found for partition " << p);
  return {};
}

JoinParams params_for(Bench& b, const std::string& group, const std::string& member_id = "") {
  auto p = b.params(member_id);
  p.group_id = group;
  return p;
}

// The records a broker would have appended for the group so far: its generations and the
// commits the test applied.
std::vector<OffsetsTopicRecord> commit_and_record(Bench& b, const std::string& group, const std::string& member,
                                                 std::int32_t generation, std::int64_t offset) {
  auto log = b.coord.take_records();
  auto plan = b.coord.plan_commit({group, member, generation, {{"t", 0, offset, -1, std::nullopt}}});
  REQUIRE(plan.errors == std::vector<Errc>{Errc::none});
  for (const auto& r : plan.records) {
    b.coord.apply(r);
    log.push_back(r);
  }
  return log;
}

}  // namespace

TEST_CASE("every group API answers NOT_COORDINATOR for a group of a partition that is not loaded", "[ch03][ex:committed-offsets][group]") {
  Bench b;
  const auto p = b.coord.partition_for("g");
  b.coord.unload_partition(p);
  CHECK_FALSE(b.coord.is_loaded(p));
  CHECK_FALSE(b.coord.coordinates("g"));
  auto t = b.join(b.params(""));
  REQUIRE(b.early.count(t) == 1);
  CHECK(b.early[t].error == Errc::not_coordinator);
  CHECK(b.coord.sync(2, {"g", "m", 1, {}}).value().error == Errc::not_coordinator);
  CHECK(b.coord.heartbeat("g", "m", 1) == Errc::not_coordinator);
  CHECK(b.coord.leave("g", "m") == Errc::not_coordinator);
  CHECK(b.coord.leave("g", "", std::string("inst")) == Errc::not_coordinator);
  auto plan = b.coord.plan_commit({"g", "", -1, {{"t", 0, 5, -1, std::nullopt}, {"t", 1, 6, -1, std::nullopt}}});
  CHECK(plan.errors == std::vector<Errc>{Errc::not_coordinator, Errc::not_coordinator});
  CHECK(plan.records.empty());
  auto fetched = b.coord.fetch_offsets("g", std::nullopt);
  REQUIRE_FALSE(fetched.ok());
  CHECK(fetched.error().code == Errc::not_coordinator);
  CHECK(b.coord.describe("g").error == Errc::not_coordinator);
  CHECK(b.coord.describe("g").state.empty());
  auto deleted = b.coord.plan_delete("g");
  REQUIRE_FALSE(deleted.ok());
  CHECK(deleted.error().code == Errc::not_coordinator);
  // No request created the group, and a record of it does not either: it is served elsewhere.
  b.coord.apply(OffsetRecord{{"g", "t", 0}, OffsetValue{9, -1, "", 0}});
  CHECK(b.coord.list_groups().empty());
  CHECK_FALSE(b.coord.next_deadline_ms().has_value());
  b.coord.load_partition(p, {});
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == -1);  // the ignored record left nothing
  // A group of a loaded partition is served as ever.
  const auto other = group_in(b.coord, p, false);
  auto joined = b.join(params_for(b, other));
  CHECK(b.early.count(joined) == 0);  // waiting for the initial delay, not refused
  b.settle();
  REQUIRE(b.joins.count(joined) == 1);
  CHECK(b.joins[joined].error == Errc::none);
}

TEST_CASE("unloading a partition answers its members waiting to join or sync with NOT_COORDINATOR", "[ch03][group]") {
  Bench b;
  const auto p = b.coord.partition_for("g");
  // "g" will have a follower waiting for the leader's assignment; the only member of
  // another group of the partition joins with them and leaves again, so that the group's
  // record (it is empty now) is still to be written; …
  auto t1 = b.join(b.params(""));
  auto t2 = b.join(b.params(""));
  const auto lonely = group_in(b.coord, p, true, {"g"});
  auto t4 = b.join(params_for(b, lonely));
  b.settle();
  REQUIRE(b.joins.size() == 3);
  REQUIRE(b.coord.leave(lonely, b.joins[t4].member_id) == Errc::none);
  const auto follower = b.joins[t1].member_id == b.joins[t1].leader_id ? b.joins[t2].member_id : b.joins[t1].member_id;
  REQUIRE_FALSE(b.coord.sync(100, {"g", follower, b.joins[t1].generation, {}}).has_value());
  // … and a third group of the same partition has a member waiting in JoinGroup.
  const auto joining = group_in(b.coord, p, true, {"g", lonely});
  auto t3 = b.join(params_for(b, joining));
  b.collect();
  REQUIRE(b.syncs.empty());
  REQUIRE(b.joins.count(t3) == 0);

  b.coord.unload_partition(p);
  CHECK(b.coord.has_completed());
  b.collect();
  REQUIRE(b.joins.count(t3) == 1);
  CHECK(b.joins[t3].error == Errc::not_coordinator);
  REQUIRE(b.syncs.count(100) == 1);
  CHECK(b.syncs[100].error == Errc::not_coordinator);
  // Both groups are forgotten: nothing left to time out, nothing to write.
  CHECK(b.coord.list_groups().empty());
  CHECK_FALSE(b.coord.next_deadline_ms().has_value());
  CHECK(b.coord.take_records().empty());
  CHECK(b.coord.describe(joining).error == Errc::not_coordinator);
  // The leader's late assignment finds no group here.
  CHECK(b.coord.sync(101, {"g", b.joins[t1].leader_id, b.joins[t1].generation, {}}).value().error ==
        Errc::not_coordinator);
}

TEST_CASE("unloading a partition leaves the groups of other partitions alone", "[ch03][group]") {
  Bench b;
  auto m = two_stable_members(b);  // its generation's record is not taken yet
  auto plan = b.coord.plan_commit({"g", m.leader, m.generation, {{"t", 0, 42, -1, std::nullopt}}});
  for (const auto& r : plan.records) b.coord.apply(r);
  const auto elsewhere = group_in(b.coord, b.coord.partition_for("g"), false);
  auto commit = b.coord.plan_commit({elsewhere, "", -1, {{"t", 0, 7, -1, std::nullopt}}});
  REQUIRE(commit.records.size() == 1);
  b.coord.apply(commit.records[0]);
  auto waiting = b.join(params_for(b, elsewhere));

  b.coord.unload_partition(b.coord.partition_for(elsewhere));
  b.collect();
  REQUIRE(b.joins.count(waiting) == 1);
  CHECK(b.joins[waiting].error == Errc::not_coordinator);
  CHECK(b.joins.size() == 2 + 1);  // the two of two_stable_members, and this one
  CHECK(b.syncs.size() == 2);
  // "g" is as it was, down to the record of its generation still to be written.
  auto d = b.coord.describe("g");
  CHECK(d.error == Errc::none);
  CHECK(d.state == "Stable");
  CHECK(d.generation == m.generation);
  CHECK(d.members.size() == 2);
  CHECK(b.coord.heartbeat("g", m.follower, m.generation) == Errc::none);
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == 42);
  auto records = b.coord.take_records();
  REQUIRE(records.size() == 1);
  CHECK(group_of(records[0]) == "g");
  auto listed = b.coord.list_groups();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].group_id == "g");
}

TEST_CASE("a partition loaded again from its records brings back its commits and its stable group", "[ch03][ex:committed-offsets][group]") {
  Bench b;
  auto m = two_stable_members(b);
  const auto p = b.coord.partition_for("g");
  auto log = commit_and_record(b, "g", m.leader, m.generation, 99);
  REQUIRE(log.size() == 2);  // the generation and the commit

  b.coord.unload_partition(p);
  CHECK(b.coord.heartbeat("g", m.leader, m.generation) == Errc::not_coordinator);
  b.clock.advance_ms(1'000);
  b.coord.load_partition(p, log);
  CHECK(b.coord.is_loaded(p));
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == 99);
  auto d = b.coord.describe("g");
  CHECK(d.state == "Stable");
  CHECK(d.generation == m.generation);
  REQUIRE(d.members.size() == 2);
  CHECK(d.members[0].member_id != d.members[1].member_id);
  for (const auto& member : d.members) CHECK((member.member_id == m.leader || member.member_id == m.follower));
  // The members carry on in their generation, with their assignments.
  CHECK(b.coord.heartbeat("g", m.leader, m.generation) == Errc::none);
  CHECK(b.coord.heartbeat("g", m.follower, m.generation + 1) == Errc::illegal_generation);
  auto sync = b.coord.sync(1, {"g", m.follower, m.generation, {}});
  REQUIRE(sync.has_value());
  CHECK(sync->assignment == bytes_of("p1"));
  // Loading a loaded partition again replays nothing: here the tombstone would have
  // removed the commit.
  b.coord.load_partition(p, {OffsetRecord{{"g", "t", 0}, std::nullopt}});
  CHECK(b.coord.fetch_offsets("g", {{{"t", 0}}})->at(0).offset == 99);
}

TEST_CASE("a static member keeps its place when its group's partition is unloaded and loaded again", "[ch03][group]") {
  Bench b;
  auto s = two_static_members(b);
  const auto p = b.coord.partition_for("g");
  // Instance "a" restarts and rejoins under a new member id, which is recorded: the
  // group's latest record, and all a replay needs.
  auto t = b.join(static_params(b, "a"));
  REQUIRE(b.early.count(t) == 1);
  const auto new_id = b.early[t].member_id;
  REQUIRE(new_id != s.id["a"]);
  auto records = b.coord.take_records();
  REQUIRE(records.size() == 1);
  b.coord.unload_partition(p);
  b.coord.load_partition(p, records);
  CHECK(b.coord.heartbeat("g", new_id, s.generation, std::string("a")) == Errc::none);
  CHECK(b.coord.heartbeat("g", s.id["a"], s.generation, std::string("a")) == Errc::fenced_instance_id);
  auto sync = b.coord.sync(7, {"g", new_id, s.generation, {}}, std::string("a"));
  REQUIRE(sync.has_value());
  CHECK(sync->assignment == bytes_of("p-a"));
}
