// generated from tests/broker/group_partitions_test.cpp; edit there
// broker/group_partitions_test.cpp — group coordination follows the leadership of
// __consumer_offsets partitions: the handler serves the groups of the partitions it has
// loaded, answers NOT_COORDINATOR for all others, and unloads and loads a partition again
// as chapter 4 does when leadership moves. The cluster is a fake one in which this broker
// leads only some of the offsets partitions.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <fmt/format.h>

#include "broker/cluster_metadata.h"
#include "group/offsets_topic.h"
#include "protocol/groups.h"
#include "protocol/offsets.h"
#include "support/broker_fixture.h"

using namespace streamcraft;
using namespace streamcraft::protocol;
using broker::BrokerEndpoint;
using broker::Outcome;
using broker::PartitionState;
using test::Broker;

namespace {

constexpr std::int32_t kOffsetsPartitions = 3;

// Two brokers: this one (node 0) leads every partition of ordinary topics and the
// __consumer_offsets partitions in `ours`; node 1 leads the other offsets partitions and
// so coordinates their groups.
struct SomeOffsetsPartitions final : broker::ClusterMetadata {
  std::set<std::int32_t> ours;

  std::vector<BrokerEndpoint> brokers() const override {
    return {{0, "127.0.0.1", 9092, {}}, {1, "broker-1", 9093, {}}};
  }
  std::int32_t controller_id() const override { return 0; }
  PartitionState partition(std::string_view topic, std::int32_t p) const override {
    return {leads(topic, p) ? 0 : 1, 0, {0, 1}, {0, 1}, {}};
  }
  bool leads(std::string_view topic, std::int32_t p) const override {
    return topic != group::kOffsetsTopic || ours.contains(p);
  }
  std::int64_t high_watermark(std::string_view, std::int32_t, const log::Log& log) const override {
    return log.log_end_offset();
  }
  Status check_replication(std::int16_t) const override { return {}; }
  std::optional<BrokerEndpoint> coordinator(std::int32_t p) const override {
    return brokers()[ours.contains(p) ? 0 : 1];
  }
};

// A group id whose offsets partition is p.
std::string group_in(std::int32_t p) {
  for (int i = 0; i < 10'000; ++i) {
    auto id = fmt::format("group-{}", i);
    if (group::offsets_partition_for(id, kOffsetsPartitions) == p) return id;
  }
  FAIL("no group id found for partition " << p);
  return {};
}

Bytes text(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

JoinGroupRequest join_request(const std::string& group, const std::string& member_id) {
  JoinGroupRequest j;
  j.group_id = group;
  j.session_timeout_ms = 10'000;
  j.rebalance_timeout_ms = 10'000;
  j.member_id = member_id;
  j.protocol_type = "consumer";
  j.protocols = {{"range", text("subscription")}};
  return j;
}

struct StableGroup {
  std::string leader, follower;
  std::int32_t generation = -1;
};

// A broker on the fake cluster, with the group APIs spoken in frames.
struct PartlyCoordinating : Broker {
  SomeOffsetsPartitions metadata;
  std::map<std::uint64_t, std::int32_t> correlations;  // deferred id → correlation id

  explicit PartlyCoordinating(std::set<std::int32_t> ours) {
    config.group.offsets_partitions = kOffsetsPartitions;
    config.group.initial_rebalance_delay_ms = 100;  // members that join together share a generation
    metadata.ours = std::move(ours);
    cluster = &metadata;
    open();
    REQUIRE(handler->load_groups().ok());
    REQUIRE(logs->create_topic("orders", 1, {}).ok());  // commits need a partition
  }

  // A restart (as after a crash) in which this broker leads the offsets partitions `ours`.
  void restart(std::set<std::int32_t> ours) {
    metadata.ours = std::move(ours);
    open();
    REQUIRE(handler->load_groups().ok());
  }

  std::int64_t offsets_log_end(std::int32_t p) { return logs->partition(group::kOffsetsTopic, p)->log_end_offset(); }

  // Sends a request that is answered later; its answer comes from poll().
  std::uint64_t send_deferred(ApiKey key, std::int16_t version, const Bytes& body) {
    const auto correlation = next_correlation;
    auto o = send(key, version, body);
    REQUIRE(o.kind == Outcome::Kind::deferred);
    correlations[o.deferred_id] = correlation;
    return o.deferred_id;
  }
  // The deferred answers that are ready, by deferred id.
  std::map<std::uint64_t, Bytes> poll() {
    std::map<std::uint64_t, Bytes> out;
    for (const auto& d : handler->poll_deferred()) out[d.deferred_id] = body_of(d.response, correlations.at(d.deferred_id));
    return out;
  }

  JoinGroupResponse join_now(const std::string& group, const std::string& member_id, std::int16_t version = 5) {
    auto r = decode_join_group_response(
        call(ApiKey::join_group, version, encode_join_group_request(join_request(group, member_id), version)), version);
    REQUIRE(r.ok());
    return *r;
  }
  Errc heartbeat(const std::string& group, const std::string& member, std::int32_t generation) {
    HeartbeatRequest hb{group, generation, member, std::nullopt};
    auto r = decode_heartbeat_response(call(ApiKey::heartbeat, 3, encode_heartbeat_request(hb, 3)), 3);
    REQUIRE(r.ok());
    return r->error;
  }
  SyncGroupResponse sync_now(const std::string& group, const std::string& member, std::int32_t generation) {
    SyncGroupRequest s{group, generation, member, std::nullopt, {}};
    auto r = decode_sync_group_response(call(ApiKey::sync_group, 3, encode_sync_group_request(s, 3)), 3);
    REQUIRE(r.ok());
    return *r;
  }
  Errc commit(const std::string& group, std::int64_t offset, const std::string& member = "", std::int32_t generation = -1) {
    OffsetCommitRequest req;
    req.group_id = group;
    req.generation_id = generation;
    req.member_id = member;
    req.topics = {{"orders", {{0, offset, -1, -1, std::string("m")}}}};
    auto r = decode_offset_commit_response(call(ApiKey::offset_commit, 7, encode_offset_commit_request(req, 7)), 7);
    REQUIRE(r.ok());
    return r->topics.at(0).partitions.at(0).error;
  }
  OffsetFetchResponse fetch(const std::string& group, std::int16_t version = 5) {
    OffsetFetchRequest req;
    req.group_id = group;
    req.topics = std::vector<OffsetFetchTopic>{{"orders", {0}}};
    auto r = decode_offset_fetch_response(call(ApiKey::offset_fetch, version, encode_offset_fetch_request(req, version)),
                                          version);
    REQUIRE(r.ok());
    return *r;
  }
  std::int64_t committed(const std::string& group) {
    auto r = fetch(group);
    REQUIRE(r.error == Errc::none);
    return r.topics.at(0).partitions.at(0).committed_offset;
  }
  DescribedGroup describe(const std::string& group) {
    auto r = decode_describe_groups_response(
        call(ApiKey::describe_groups, 2, encode_describe_groups_request({{group}}, 2)), 2);
    REQUIRE(r.ok());
    REQUIRE(r->groups.size() == 1);
    return r->groups[0];
  }
  std::set<std::string> listed() {
    auto r = decode_list_groups_response(call(ApiKey::list_groups, 2, encode_list_groups_request({}, 2)), 2);
    REQUIRE(r.ok());
    CHECK(r->error == Errc::none);
    std::set<std::string> ids;
    for (const auto& g : r->groups) ids.insert(g.group_id);
    return ids;
  }

  // Two members join the group together (JoinGroup v3: no member id round trip) and the
  // leader hands out "share-of-leader" and "share-of-follower": a Stable group.
  StableGroup stable_group(const std::string& group) {
    auto first = send_deferred(ApiKey::join_group, 3, encode_join_group_request(join_request(group, ""), 3));
    auto second = send_deferred(ApiKey::join_group, 3, encode_join_group_request(join_request(group, ""), 3));
    clock.advance_ms(100);  // the initial rebalance delay
    auto joins = poll();
    REQUIRE(joins.size() == 2);
    auto a = decode_join_group_response(joins.at(first), 3);
    auto b = decode_join_group_response(joins.at(second), 3);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a->error == Errc::none);
    REQUIRE(b->error == Errc::none);
    StableGroup g{a->leader, a->member_id == a->leader ? b->member_id : a->member_id, a->generation_id};
    SyncGroupRequest follower{group, g.generation, g.follower, std::nullopt, {}};
    SyncGroupRequest leader{group, g.generation, g.leader, std::nullopt,
                            {{g.leader, text("share-of-leader")}, {g.follower, text("share-of-follower")}}};
    send_deferred(ApiKey::sync_group, 3, encode_sync_group_request(follower, 3));
    send_deferred(ApiKey::sync_group, 3, encode_sync_group_request(leader, 3));
    auto syncs = poll();
    REQUIRE(syncs.size() == 2);
    for (const auto& [id, body] : syncs) REQUIRE(decode_sync_group_response(body, 3)->error == Errc::none);
    REQUIRE(describe(group).group_state == "Stable");
    return g;
  }
};

}  // namespace

TEST_CASE("groups of offsets partitions led by another broker get NOT_COORDINATOR from every group API", "[ch03][broker]") {
  PartlyCoordinating b({0, 1, 2});
  const auto mine = group_in(0);
  const auto theirs = group_in(1);
  REQUIRE(b.commit(mine, 5) == Errc::none);
  REQUIRE(b.commit(theirs, 7) == Errc::none);
  REQUIRE(b.offsets_log_end(1) == 1);
  // The broker restarts, and partition 1's leadership has moved to node 1: its records
  // are still in this broker's log, but they are not loaded.
  b.restart({0, 2});

  // FindCoordinator sends each group to its partition's leader.
  auto find = [&](const std::string& group) {
    auto r = decode_find_coordinator_response(
        b.call(ApiKey::find_coordinator, 2, encode_find_coordinator_request({group, kCoordinatorKeyGroup}, 2)), 2);
    REQUIRE(r.ok());
    CHECK(r->error == Errc::none);
    return *r;
  };
  CHECK(find(mine).node_id == 0);
  CHECK(find(theirs).node_id == 1);
  CHECK(find(theirs).port == 9093);
  CHECK(b.listed() == std::set<std::string>{mine});

  // Every group API, answered at once.
  CHECK(b.join_now(theirs, "").error == Errc::not_coordinator);
  CHECK(b.join_now(theirs, "", 3).error == Errc::not_coordinator);  // not deferred either
  CHECK(b.sync_now(theirs, "m", 1).error == Errc::not_coordinator);
  CHECK(b.heartbeat(theirs, "m", 1) == Errc::not_coordinator);
  LeaveGroupRequest leave{theirs, "m", {}};
  auto left = decode_leave_group_response(b.call(ApiKey::leave_group, 1, encode_leave_group_request(leave, 1)), 1);
  REQUIRE(left.ok());
  CHECK(left->error == Errc::not_coordinator);
  leave.members = {{"m", std::nullopt}, {"", std::string("inst")}};
  left = decode_leave_group_response(b.call(ApiKey::leave_group, 3, encode_leave_group_request(leave, 3)), 3);
  REQUIRE(left.ok());
  CHECK(left->error == Errc::not_coordinator);  // for the whole request, as Kafka answers
  CHECK(left->members.empty());
  CHECK(b.commit(theirs, 8) == Errc::not_coordinator);
  auto fetched = b.fetch(theirs);  // v2+: one error for the request
  CHECK(fetched.error == Errc::not_coordinator);
  CHECK(fetched.topics.empty());
  fetched = b.fetch(theirs, 1);  // v1: the error of each partition
  REQUIRE(fetched.topics.size() == 1);
  REQUIRE(fetched.topics[0].partitions.size() == 1);
  CHECK(fetched.topics[0].partitions[0].error == Errc::not_coordinator);
  CHECK(fetched.topics[0].partitions[0].committed_offset == -1);
  auto described = b.describe(theirs);
  CHECK(described.error == Errc::not_coordinator);
  CHECK(described.group_state.empty());
  auto deleted = decode_delete_groups_response(
      b.call(ApiKey::delete_groups, 1, encode_delete_groups_request({{theirs}}, 1)), 1);
  REQUIRE(deleted.ok());
  REQUIRE(deleted->results.size() == 1);
  CHECK(deleted->results[0].error == Errc::not_coordinator);
  // Nothing was written to the partition this broker no longer leads.
  CHECK(b.offsets_log_end(1) == 1);

  // The group of a partition this broker leads is served as before.
  CHECK(b.committed(mine) == 5);
  CHECK(b.describe(mine).group_state == "Empty");
  CHECK(b.join_now(mine, "").error == Errc::member_id_required);
}

TEST_CASE("unloading an offsets partition answers a member waiting in JoinGroup with NOT_COORDINATOR", "[ch03][broker]") {
  PartlyCoordinating b({0, 1, 2});
  const auto group = group_in(1);
  auto waiting = b.send_deferred(ApiKey::join_group, 3, encode_join_group_request(join_request(group, ""), 3));
  CHECK(b.poll().empty());  // within the initial rebalance delay: waiting for more members
  const auto log_end = b.offsets_log_end(1);

  b.handler->unload_offsets_partition(1);
  CHECK(b.handler->has_completions());
  auto done = b.poll();
  REQUIRE(done.size() == 1);
  auto joined = decode_join_group_response(done.at(waiting), 3);
  REQUIRE(joined.ok());
  CHECK(joined->error == Errc::not_coordinator);
  CHECK(static_cast<int>(joined->error) == 16);  // Kafka's number on the wire
  // Forgotten, not written: nothing is left to time out, and the log did not grow.
  CHECK(b.offsets_log_end(1) == log_end);
  CHECK_FALSE(b.handler->next_deadline_ms().has_value());
  b.clock.advance_ms(20'000);  // past the rebalance timeout
  CHECK(b.poll().empty());
  CHECK(b.join_now(group, "", 3).error == Errc::not_coordinator);
}

TEST_CASE("committed offsets and a stable group survive an unload and a load of their offsets partition", "[ch03][broker]") {
  PartlyCoordinating b({0, 1, 2});
  const auto group = group_in(2);
  auto g = b.stable_group(group);
  REQUIRE(b.commit(group, 42, g.leader, g.generation) == Errc::none);
  const auto log_end = b.offsets_log_end(2);

  b.handler->unload_offsets_partition(2);
  CHECK(b.offsets_log_end(2) == log_end);  // nothing written
  CHECK(b.fetch(group).error == Errc::not_coordinator);
  CHECK(b.heartbeat(group, g.leader, g.generation) == Errc::not_coordinator);
  CHECK(b.listed().empty());

  // The leadership comes back (chapter 4: this broker is elected leader again).
  REQUIRE(b.handler->load_offsets_partition(2).ok());
  CHECK(b.committed(group) == 42);
  auto d = b.describe(group);
  CHECK(d.group_state == "Stable");
  REQUIRE(d.members.size() == 2);
  CHECK(std::set<std::string>{d.members[0].member_id, d.members[1].member_id} ==
        std::set<std::string>{g.leader, g.follower});
  // Both members carry on in their generation, with their shares.
  CHECK(b.heartbeat(group, g.leader, g.generation) == Errc::none);
  CHECK(b.heartbeat(group, g.follower, g.generation) == Errc::none);
  CHECK(b.heartbeat(group, g.follower, g.generation + 1) == Errc::illegal_generation);
  auto share = b.sync_now(group, g.follower, g.generation);
  CHECK(share.error == Errc::none);
  CHECK(share.assignment == text("share-of-follower"));
  CHECK(b.listed() == std::set<std::string>{group});
  // Loading a loaded partition again changes nothing, and still writes nothing.
  REQUIRE(b.handler->load_offsets_partition(2).ok());
  CHECK(b.heartbeat(group, g.leader, g.generation) == Errc::none);
  CHECK(b.offsets_log_end(2) == log_end);
}

TEST_CASE("unloading an offsets partition leaves the groups of the other partitions alone", "[ch03][broker]") {
  PartlyCoordinating b({0, 1, 2});
  const auto kept = group_in(0);
  const auto dropped = group_in(1);
  auto g = b.stable_group(kept);
  REQUIRE(b.commit(kept, 11, g.leader, g.generation) == Errc::none);
  REQUIRE(b.commit(dropped, 12) == Errc::none);
  auto waiting = b.send_deferred(ApiKey::join_group, 3, encode_join_group_request(join_request(dropped, ""), 3));

  b.handler->unload_offsets_partition(1);
  auto done = b.poll();
  REQUIRE(done.size() == 1);  // only the member of the unloaded partition is answered
  CHECK(decode_join_group_response(done.at(waiting), 3)->error == Errc::not_coordinator);
  CHECK(b.fetch(dropped).error == Errc::not_coordinator);

  CHECK(b.heartbeat(kept, g.leader, g.generation) == Errc::none);
  CHECK(b.heartbeat(kept, g.follower, g.generation) == Errc::none);
  auto d = b.describe(kept);
  CHECK(d.error == Errc::none);
  CHECK(d.group_state == "Stable");
  CHECK(d.members.size() == 2);
  CHECK(b.committed(kept) == 11);
  CHECK(b.listed() == std::set<std::string>{kept});
  // A commit of the kept group is still written to its own partition.
  const auto log_end = b.offsets_log_end(0);
  REQUIRE(b.commit(kept, 13, g.leader, g.generation) == Errc::none);
  CHECK(b.offsets_log_end(0) == log_end + 1);
}
