// generated from tests/broker/group_requests_test.cpp; edit there
// broker/group_requests_test.cpp — chapter 3's APIs through the request handler: group
// membership over the wire, commits that survive a crash, idempotent produce.
#include <catch2/catch.hpp>

#include <map>

#include <fmt/format.h>

#include "group/offsets_topic.h"
#include "protocol/groups.h"
#include "protocol/init_producer_id.h"
#include "protocol/offsets.h"
#include "protocol/topics.h"
#include "record/record.h"
#include "support/broker_fixture.h"
#include "support/faulty_file_system.h"

using namespace streamcraft;
using namespace streamcraft::protocol;
using test::Broker;

namespace {

Bytes text(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

// A small broker: few offsets partitions and no initial rebalance delay.
struct GroupBroker : Broker {
  GroupBroker() {
    config.group.offsets_partitions = 3;
    config.group.initial_rebalance_delay_ms = 0;
    open();
    REQUIRE(handler->load_groups().ok());
  }
  void restart() {
    open();
    REQUIRE(handler->load_groups().ok());
  }
  OffsetCommitResponse commit(const std::string& group, std::int32_t generation, const std::string& member,
                              std::int64_t offset) {
    if (!logs->topic("orders")) REQUIRE(logs->create_topic("orders", 1, {}).ok());  // commits need a partition
    OffsetCommitRequest req;
    req.group_id = group;
    req.generation_id = generation;
    req.member_id = member;
    req.topics = {{"orders", {{0, offset, -1, -1, std::string("m")}}}};
    auto r = decode_offset_commit_response(call(ApiKey::offset_commit, 7, encode_offset_commit_request(req, 7)), 7);
    REQUIRE(r.ok());
    return *r;
  }
  std::int64_t committed(const std::string& group) {
    OffsetFetchRequest req;
    req.group_id = group;
    req.topics = std::vector<OffsetFetchTopic>{{"orders", {0}}};
    auto r = decode_offset_fetch_response(call(ApiKey::offset_fetch, 5, encode_offset_fetch_request(req, 5)), 5);
    REQUIRE(r.ok());
    return r->topics.at(0).partitions.at(0).committed_offset;
  }
};

// A produce to the `durable` topic (flush.messages=1): deferred until its fsync.
std::pair<std::uint64_t, std::int32_t> send_durable(Broker& b, int records) {
  auto batch = test::make_batch(records);
  ProduceRequest req;
  req.acks = -1;
  req.topics = {{"durable", {{0, ByteSpan(batch)}}}};
  const auto correlation = b.next_correlation;
  auto o = b.send(ApiKey::produce, 7, encode_produce_request(req, 7));
  REQUIRE(o.kind == broker::Outcome::Kind::deferred);
  return {o.deferred_id, correlation};
}

void delete_topic(Broker& b, const std::string& name) {
  DeleteTopicsRequest del;
  del.names = {name};
  del.timeout_ms = 1000;
  auto r = decode_delete_topics_response(b.call(ApiKey::delete_topics, 3, encode_delete_topics_request(del, 3)), 3);
  REQUIRE(r.ok());
  REQUIRE(r->topics.at(0).error == Errc::none);
}


JoinGroupRequest join_request(const std::string& member_id) {
  JoinGroupRequest j;
  j.group_id = "g";
  j.session_timeout_ms = 10'000;
  j.rebalance_timeout_ms = 10'000;
  j.member_id = member_id;
  j.protocol_type = "consumer";
  j.protocols = {{"range", text("subscription")}};
  return j;
}

}  // namespace

TEST_CASE("FindCoordinator names this broker and creates the offsets topic", "[ch03]") {
  GroupBroker b;
  FindCoordinatorRequest req{"g", kCoordinatorKeyGroup};
  auto r = decode_find_coordinator_response(
      b.call(ApiKey::find_coordinator, 2, encode_find_coordinator_request(req, 2)), 2);
  REQUIRE(r.ok());
  CHECK(r->error == Errc::none);
  CHECK(r->node_id == b.config.node_id);
  CHECK(r->port == 9092);
  REQUIRE(b.logs->topic(group::kOffsetsTopic) != nullptr);
  CHECK(b.logs->topic(group::kOffsetsTopic)->partitions == 3);
}

TEST_CASE("a JoinGroup v4 member gets its id first and then a deferred answer", "[ch03]") {
  GroupBroker b;
  auto first = decode_join_group_response(b.call(ApiKey::join_group, 5, encode_join_group_request(join_request(""), 5)), 5);
  REQUIRE(first.ok());
  CHECK(first->error == Errc::member_id_required);
  REQUIRE_FALSE(first->member_id.empty());
  const auto correlation = b.next_correlation;
  auto o = b.send(ApiKey::join_group, 5, encode_join_group_request(join_request(first->member_id), 5));
  REQUIRE(o.kind == broker::Outcome::Kind::deferred);
  CHECK(b.handler->has_completions());
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  CHECK(done[0].deferred_id == o.deferred_id);
  auto joined = decode_join_group_response(Broker::body_of(done[0].response, correlation), 5);
  REQUIRE(joined.ok());
  CHECK(joined->error == Errc::none);
  CHECK(joined->generation_id == 1);
  CHECK(joined->leader == first->member_id);
  REQUIRE(joined->members.size() == 1);
  CHECK(joined->members[0].metadata == text("subscription"));
}

TEST_CASE("a committed offset survives a broker crash and restart", "[ch03]") {
  GroupBroker b;
  auto r = b.commit("reader", -1, "", 41);
  CHECK(r.topics.at(0).partitions.at(0).error == Errc::none);
  CHECK(b.committed("reader") == 41);
  b.restart();  // no clean close: the logs are simply dropped
  CHECK(b.committed("reader") == 41);
  CHECK(b.committed("someone-else") == -1);
  // The commit is a record in the group's partition of __consumer_offsets.
  const auto p = group::offsets_partition_for("reader", 3);
  CHECK(b.logs->partition(group::kOffsetsTopic, p)->log_end_offset() == 1);
}

TEST_CASE("a commit with a stale generation or an unknown member is refused and not recorded", "[ch03]") {
  GroupBroker b;
  const auto correlation = b.next_correlation;
  auto o = b.send(ApiKey::join_group, 3, encode_join_group_request(join_request(""), 3));
  REQUIRE(o.kind == broker::Outcome::Kind::deferred);  // v3: joins at once, answered when the rebalance ends
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  auto joined = decode_join_group_response(Broker::body_of(done[0].response, correlation), 3);
  REQUIRE(joined.ok());
  // Until the leader's SyncGroup, the generation is not settled: commits must wait.
  CHECK(b.commit("g", joined->generation_id, joined->member_id, 5).topics[0].partitions[0].error ==
        Errc::rebalance_in_progress);
  SyncGroupRequest sync;
  sync.group_id = "g";
  sync.generation_id = joined->generation_id;
  sync.member_id = joined->member_id;
  sync.assignments = {{joined->member_id, text("all of it")}};
  const auto sync_correlation = b.next_correlation;
  auto so = b.send(ApiKey::sync_group, 3, encode_sync_group_request(sync, 3));
  REQUIRE(so.kind == broker::Outcome::Kind::deferred);  // answered with everyone's, from poll_deferred
  auto sd = b.handler->poll_deferred();
  REQUIRE(sd.size() == 1);
  auto synced = decode_sync_group_response(Broker::body_of(sd[0].response, sync_correlation), 3);
  REQUIRE(synced.ok());
  CHECK(synced->assignment == text("all of it"));
  CHECK(b.commit("g", joined->generation_id, "nobody", 5).topics[0].partitions[0].error == Errc::unknown_member_id);
  CHECK(b.commit("g", joined->generation_id + 1, joined->member_id, 5).topics[0].partitions[0].error ==
        Errc::illegal_generation);
  CHECK(b.committed("g") == -1);
  CHECK(b.commit("g", joined->generation_id, joined->member_id, 5).topics[0].partitions[0].error == Errc::none);
  CHECK(b.committed("g") == 5);
}

TEST_CASE("InitProducerId hands out ids that are never reused after a restart", "[ch03]") {
  GroupBroker b;
  auto get = [&] {
    auto r = decode_init_producer_id_response(
        b.call(ApiKey::init_producer_id, 1, encode_init_producer_id_request({std::nullopt, 60'000}, 1)), 1);
    REQUIRE(r.ok());
    CHECK(r->error == Errc::none);
    CHECK(r->producer_epoch == 0);
    return r->producer_id;
  };
  auto a = get();
  auto c = get();
  CHECK(c == a + 1);
  b.restart();
  CHECK(get() > c);
  auto tx = decode_init_producer_id_response(
      b.call(ApiKey::init_producer_id, 1, encode_init_producer_id_request({std::string("tx"), 60'000}, 1)), 1);
  CHECK(tx->error == Errc::invalid_request);
}

TEST_CASE("a retried idempotent produce request gets the original offsets and is written once", "[ch03]") {
  GroupBroker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  b.produce("orders", 0, 3);  // someone else's records first: offsets 0..2
  std::vector<record::RecordSpec> specs = {{std::nullopt, std::string("a"), {}, 1}, {std::nullopt, std::string("b"), {}, 2}};
  record::BatchOptions o;
  o.producer_id = 17;
  o.producer_epoch = 0;
  o.base_sequence = 0;
  auto send = [&] {
    auto batch = record::build_batch(specs, o);
    ProduceRequest req;
    req.acks = -1;
    req.topics = {{"orders", {{0, ByteSpan(batch)}}}};
    auto r = decode_produce_response(b.call(ApiKey::produce, 7, encode_produce_request(req, 7)), 7);
    REQUIRE(r.ok());
    return r->topics.at(0).partitions.at(0);
  };
  auto first = send();
  CHECK(first.error == Errc::none);
  CHECK(first.base_offset == 3);
  auto retry = send();  // the response was lost; the producer sends the same batch again
  CHECK(retry.error == Errc::none);
  CHECK(retry.base_offset == 3);
  CHECK(b.logs->partition("orders", 0)->log_end_offset() == 5);
  o.base_sequence = 7;  // a gap: batches were lost in between
  CHECK(send().error == Errc::out_of_order_sequence_number);
}

TEST_CASE("with flush.messages=1 produce answers wait for one fsync shared by all appends", "[ch03]") {
  test::FaultyFileSystem counting;  // no faults: it counts the fsyncs that reach the disk
  GroupBroker b;
  b.fs = &counting;
  b.restart();
  REQUIRE(b.logs->create_topic("durable", 1, {{"flush.messages", "1"}}).ok());
  auto send = [&](int records) { return send_durable(b, records); };  // not acknowledged before the fsync
  auto first = send(3);
  auto second = send(2);
  auto* log = b.logs->partition("durable", 0);
  CHECK(log->has_unflushed());  // both appends wait for the same fsync
  CHECK(b.handler->has_completions());
  const auto syncs_before = counting.plan.syncs;
  auto done = b.handler->poll_deferred();
  const auto syncs_for_two = counting.plan.syncs - syncs_before;
  CHECK_FALSE(log->has_unflushed());
  CHECK(syncs_for_two >= 1);
  REQUIRE(done.size() == 2);
  std::map<std::uint64_t, std::int64_t> offsets;
  for (const auto& d : done) {
    const auto correlation = d.deferred_id == first.first ? first.second : second.second;
    auto r = decode_produce_response(Broker::body_of(d.response, correlation), 7);
    REQUIRE(r.ok());
    CHECK(r->topics.at(0).partitions.at(0).error == Errc::none);
    offsets[d.deferred_id] = r->topics.at(0).partitions.at(0).base_offset;
  }
  CHECK(offsets[first.first] == 0);
  CHECK(offsets[second.first] == 3);
  // One append alone costs the same fsyncs as the two together: they were shared.
  send(1);
  const auto syncs_before_one = counting.plan.syncs;
  CHECK(b.handler->poll_deferred().size() == 1);
  CHECK(counting.plan.syncs - syncs_before_one == syncs_for_two);
  // acks=0 never waits, and a topic without flush.messages=1 answers at once.
  REQUIRE(b.logs->create_topic("plain", 1, {}).ok());
  CHECK(b.produce("plain", 0, 2) == 0);
}

// Regression: the acks waiting for an fsync held raw Log pointers, and the fsync touched
// a log that DeleteTopics had destroyed (a heap-use-after-free under ASan).
TEST_CASE("a durable ack whose topic is deleted before its fsync is refused and not a use after free", "[ch03]") {
  GroupBroker b;
  REQUIRE(b.logs->create_topic("durable", 1, {{"flush.messages", "1"}}).ok());
  auto [id, correlation] = send_durable(b, 3);
  delete_topic(b, "durable");  // in the same read as the produce: before any fsync
  // A new topic of the same name must not be mistaken for the deleted one.
  REQUIRE(b.logs->create_topic("durable", 1, {{"flush.messages", "1"}}).ok());
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  CHECK(done[0].deferred_id == id);
  auto r = decode_produce_response(Broker::body_of(done[0].response, correlation), 7);
  REQUIRE(r.ok());
  CHECK(r->topics.at(0).partitions.at(0).error == Errc::unknown_topic_or_partition);
  CHECK(b.logs->partition("durable", 0)->log_end_offset() == 0);
}

TEST_CASE("a durable produce whose connection closed and then whose topic is deleted is forgotten safely", "[ch03]") {
  GroupBroker b;
  REQUIRE(b.logs->create_topic("durable", 1, {{"flush.messages", "1"}}).ok());
  auto [id, correlation] = send_durable(b, 2);
  (void)correlation;
  b.handler->cancel_deferred(id);  // its connection closed
  delete_topic(b, "durable");      // another connection deletes the topic
  CHECK(b.handler->poll_deferred().empty());
  CHECK_FALSE(b.handler->has_completions());
}

// Regression: OffsetCommit answered success for partitions that do not exist; Kafka (and
// librdkafka, which checks) expects UNKNOWN_TOPIC_OR_PARTITION for each of them.
TEST_CASE("a commit for a partition that does not exist is refused and the others are committed", "[ch03]") {
  GroupBroker b;
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  OffsetCommitRequest req;
  req.group_id = "reader";
  req.generation_id = -1;
  req.topics = {{"orders", {{0, 7, -1, -1, std::string("m")}, {5, 8, -1, -1, std::string("m")}}},
                {"no-such-topic", {{0, 9, -1, -1, std::string("m")}}}};
  auto r = decode_offset_commit_response(b.call(ApiKey::offset_commit, 7, encode_offset_commit_request(req, 7)), 7);
  REQUIRE(r.ok());
  CHECK(r->topics.at(0).partitions.at(0).error == Errc::none);
  CHECK(r->topics.at(0).partitions.at(1).error == Errc::unknown_topic_or_partition);
  CHECK(r->topics.at(1).partitions.at(0).error == Errc::unknown_topic_or_partition);
  CHECK(b.committed("reader") == 7);
  // Only the existing partition's offset was recorded.
  const auto p = group::offsets_partition_for("reader", 3);
  CHECK(b.logs->partition(group::kOffsetsTopic, p)->log_end_offset() == 1);
}

// Regression: the replay of __consumer_offsets at start-up read "from the last offset it
// reached" again whenever the bytes read held no whole batch, and so spun forever. Here
// the segment's own checks see a good second batch, and the replay's read of the same
// bytes sees its length damaged (bit rot under an open file): a batch longer than the
// range that holds it.
TEST_CASE("a replay of __consumer_offsets that cannot make progress fails instead of spinning", "[ch03]") {
  test::FaultyFileSystem faulty;
  GroupBroker b;
  b.fs = &faulty;
  b.restart();
  const auto p = group::offsets_partition_for("reader", 3);
  REQUIRE(b.commit("reader", -1, "", 1).topics.at(0).partitions.at(0).error == Errc::none);
  auto* log = b.logs->partition(group::kOffsetsTopic, p);
  const auto second_batch = log->size_bytes();
  REQUIRE(b.commit("reader", -1, "", 2).topics.at(0).partitions.at(0).error == Errc::none);
  REQUIRE(log->log_end_offset() == 2);
  const std::string dir = fmt::format("{}-{}", group::kOffsetsTopic, p);
  b.open();  // recovery (if any) reads undamaged bytes; the damage starts after it
  faulty.plan.on_read = [&](const std::filesystem::path& path, std::uint64_t position, MutableByteSpan bytes) {
    const auto field = second_batch + record::layout::batch_length;
    // Only reads larger than a header: the replay's, not the segment's header checks.
    if (path.parent_path().filename() != dir || bytes.size() <= record::layout::header_size) return;
    if (field < position || field + 4 > position + bytes.size()) return;
    auto* at = bytes.data() + (field - position);
    store_be<std::int32_t>(at, load_be<std::int32_t>(at) + 100);
  };
  auto loaded = b.handler->load_groups();
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == Errc::corrupt_message);
  CHECK_THAT(loaded.error().message, Catch::Contains("no batch can be read at offset 1"));
}

TEST_CASE("a static member rejoins over the wire without a rebalance and its new id survives a restart", "[ch03]") {
  GroupBroker b;
  auto join = join_request("");
  join.group_instance_id = "inst";
  // JoinGroup v5 with an instance id: no MEMBER_ID_REQUIRED, straight into the rebalance.
  auto correlation = b.next_correlation;
  auto o = b.send(ApiKey::join_group, 5, encode_join_group_request(join, 5));
  REQUIRE(o.kind == broker::Outcome::Kind::deferred);
  auto done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  auto joined = decode_join_group_response(Broker::body_of(done[0].response, correlation), 5);
  REQUIRE(joined.ok());
  REQUIRE(joined->error == Errc::none);
  const auto old_id = joined->member_id;
  REQUIRE(joined->members.size() == 1);
  CHECK(joined->members[0].group_instance_id == std::optional<std::string>("inst"));
  SyncGroupRequest sync{"g", joined->generation_id, old_id, std::string("inst"), {{old_id, text("p0")}}};
  correlation = b.next_correlation;
  o = b.send(ApiKey::sync_group, 3, encode_sync_group_request(sync, 3));
  REQUIRE(o.kind == broker::Outcome::Kind::deferred);
  done = b.handler->poll_deferred();
  REQUIRE(done.size() == 1);
  REQUIRE(decode_sync_group_response(Broker::body_of(done[0].response, correlation), 3)->assignment == text("p0"));

  // The broker and the member's process both restart; the member comes back without
  // its member id, within its session timeout.
  b.restart();
  auto again = decode_join_group_response(b.call(ApiKey::join_group, 5, encode_join_group_request(join, 5)), 5);
  REQUIRE(again.ok());
  CHECK(again->error == Errc::none);
  CHECK(again->generation_id == joined->generation_id);
  CHECK(again->leader == old_id);  // the leader as it was: no assignment to compute
  const auto new_id = again->member_id;
  CHECK(new_id != old_id);
  // The rejoin was recorded before its answer went out: a broker restart right now
  // keeps the new id as the member.
  b.restart();
  auto heartbeat = [&](const std::string& member) {
    HeartbeatRequest hb{"g", joined->generation_id, member, std::string("inst")};
    return decode_heartbeat_response(b.call(ApiKey::heartbeat, 3, encode_heartbeat_request(hb, 3)), 3)->error;
  };
  CHECK(heartbeat(old_id) == Errc::fenced_instance_id);
  CHECK(heartbeat(new_id) == Errc::none);
  sync = {"g", joined->generation_id, new_id, std::string("inst"), {}};
  auto share = decode_sync_group_response(b.call(ApiKey::sync_group, 3, encode_sync_group_request(sync, 3)), 3);
  REQUIRE(share.ok());
  CHECK(share->error == Errc::none);
  CHECK(share->assignment == text("p0"));
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = joined->generation_id;
  commit.member_id = old_id;
  commit.group_instance_id = "inst";
  REQUIRE(b.logs->create_topic("orders", 1, {}).ok());
  commit.topics = {{"orders", {{0, 5, -1, -1, std::string("m")}}}};
  auto committed = decode_offset_commit_response(b.call(ApiKey::offset_commit, 7, encode_offset_commit_request(commit, 7)), 7);
  REQUIRE(committed.ok());
  CHECK(committed->topics.at(0).partitions.at(0).error == Errc::fenced_instance_id);
  CHECK(b.committed("g") == -1);
}

TEST_CASE("LeaveGroup v3 removes members by member id or instance id with an error for each", "[ch03]") {
  GroupBroker b;
  auto join = join_request("");
  join.group_instance_id = "inst";
  b.send(ApiKey::join_group, 5, encode_join_group_request(join, 5));
  REQUIRE(b.handler->poll_deferred().size() == 1);
  LeaveGroupRequest leave{"g", "", {{"", std::string("inst")}, {"nobody", std::nullopt}, {"", std::string("other")}}};
  auto r = decode_leave_group_response(b.call(ApiKey::leave_group, 3, encode_leave_group_request(leave, 3)), 3);
  REQUIRE(r.ok());
  CHECK(r->error == Errc::none);
  REQUIRE(r->members.size() == 3);
  CHECK(r->members[0].group_instance_id == std::optional<std::string>("inst"));
  CHECK(r->members[0].error == Errc::none);
  CHECK(r->members[1].member_id == "nobody");
  CHECK(r->members[1].error == Errc::unknown_member_id);
  CHECK(r->members[2].error == Errc::unknown_member_id);
  // The instance is gone: the same request again finds nobody.
  r = decode_leave_group_response(b.call(ApiKey::leave_group, 3, encode_leave_group_request(leave, 3)), 3);
  REQUIRE(r.ok());
  CHECK(r->members.at(0).error == Errc::unknown_member_id);
  // Before v3 the one member's error is the response's.
  LeaveGroupRequest old{"g", "nobody", {}};
  auto v1 = decode_leave_group_response(b.call(ApiKey::leave_group, 1, encode_leave_group_request(old, 1)), 1);
  REQUIRE(v1.ok());
  CHECK(v1->error == Errc::unknown_member_id);
}
