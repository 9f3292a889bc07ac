// generated from tests/sim/replication_sim_test.cpp; edit there
// sim/replication_sim_test.cpp — chapter 4's brokers replicating in the seeded simulator.
//
// Three real broker cores (broker::Node with its ReplicaManager) on simulated disks; the
// followers fetch from the leader with real Fetch and OffsetsForLeaderEpoch requests over
// the simulated network (sim::SimPeers). In these cases the test itself plays the
// controller, announcing leadership to each broker directly, so that what is checked is
// the data path alone: the high watermark, acks=all, the ISR, truncation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "broker/replica_manager.h"
#include "protocol/elect_leaders.h"
#include "protocol/fetch.h"
#include "protocol/init_producer_id.h"
#include "protocol/metadata.h"
#include "protocol/offsets.h"
#include "protocol/produce.h"
#include "record/batch.h"
#include "record/record.h"
#include "support/broker_fixture.h"
#include "support/log_fixture.h"
#include "support/simulator.h"

using namespace streamcraft;

namespace {

broker::BrokerConfig replicated_config() {
  broker::BrokerConfig c;
  c.log_dir = "/data";
  c.num_partitions = 1;
  c.cluster_brokers = {{1, {"broker-1", 9092}}, {2, {"broker-2", 9092}}, {3, {"broker-3", 9092}}};
  c.controller_id = 1;
  c.replica_lag_time_max_ms = 1'000;
  c.replica_fetch_wait_max_ms = 100;
  c.replica_fetch_backoff_ms = 50;
  c.log.min_insync_replicas = 2;
  c.group.offsets_partitions = 1;
  return c;
}

// Three brokers on one network; broker 1 is also the controller.
struct Cluster {
  explicit Cluster(std::uint64_t seed, broker::BrokerConfig config = replicated_config())
      : owned_world(std::make_unique<sim::World>(seed)), owned_net(std::make_unique<sim::Network>(*owned_world)),
        world(*owned_world), net(*owned_net) {
    net.set_default({1, 1, 0});
    for (int id = 1; id <= 3; ++id) brokers.push_back(std::make_unique<sim::SimBroker>(world, id, config));
    join_and_start();
  }
  Cluster(sim::World& w, sim::Network& n, std::vector<std::unique_ptr<sim::SimBroker>> bs)
      : world(w), net(n), brokers(std::move(bs)) {
    join_and_start();
  }
  void join_and_start() {
    std::vector<sim::SimBroker*> all;
    for (auto& b : brokers) all.push_back(b.get());
    for (auto& b : brokers) b->join(net, all);
    for (auto& b : brokers) REQUIRE(b->start().ok());
  }
  sim::SimBroker& broker(int id) { return *brokers.at(static_cast<std::size_t>(id - 1)); }

  // Every broker registered, then topic `t` created with RF 3 and led by its first replica.
  void create_topic(std::vector<std::vector<std::int32_t>> assignment = {}) {
    REQUIRE(world.run([&] { return broker(1).node().controller()->controller().live_brokers().size() == 3; }));
    REQUIRE(broker(1)
                .node()
                .controller()
                ->create_topic({"t", 1, 3, std::move(assignment), {}}, broker::TopicRequest::explicit_request)
                .ok());
    broker(1).wake();
    REQUIRE(world.run([&] { return leader() >= 0 && replicas_follow(); }));
  }
  // The leader of t-0 as the controller knows it.
  std::int32_t leader() {
    auto p = broker(1).node().controller()->controller().partition("t", 0);
    return p ? p->state.leader : -1;
  }
  bool replicas_follow() {
    const auto replicas = broker(1).node().controller()->controller().partition("t", 0)->state.replicas;
    for (auto& b : brokers)
      if (b->up() && std::find(replicas.begin(), replicas.end(), b->id()) != replicas.end() &&
          !b->node().replicas()->leads("t", 0) && !b->node().replicas()->fetcher(leader()))
        return false;
    return broker(leader()).node().replicas()->leads("t", 0);
  }
  const replication::LeaderPartition& lead() { return *broker(leader()).node().replicas()->leader_state("t", 0); }

  std::unique_ptr<sim::World> owned_world;
  std::unique_ptr<sim::Network> owned_net;
  sim::World& world;
  sim::Network& net;
  std::vector<std::unique_ptr<sim::SimBroker>> brokers;
};

// Sends one acks=all record to `leader` and records the outcome.
struct Produced {
  std::map<std::string, Errc> outcome;  // value → error (none: acknowledged)
  std::map<std::string, std::int64_t> offset;
};

void produce(Cluster& c, int leader, const std::string& value, Produced& out, std::int16_t acks = -1) {
  std::vector<record::RecordSpec> records{{"k", value, {}, 1'700'000'000'000 + c.world.now_ms()}};
  auto batch = record::build_batch(records);
  protocol::ProduceRequest req;
  req.acks = acks;
  req.timeout_ms = 5'000;
  req.topics = {{"t", {{0, ByteSpan(batch)}}}};
  auto frame = test::Broker::frame(protocol::ApiKey::produce, 7, 1, protocol::encode_produce_request(req, 7));
  auto& b = c.broker(leader);
  c.net.send(100, leader, "produce " + value, [&c, &b, &out, value, frame = std::move(frame)]() mutable {
    b.receive(100, std::move(frame), [&c, &out, value](Bytes response) {
      auto r = protocol::decode_produce_response(ByteSpan(response).subspan(4), 7);
      REQUIRE(r.ok());
      const auto& p = r->topics.at(0).partitions.at(0);
      out.outcome[value] = p.error;
      out.offset[value] = p.base_offset;
      c.world.note(fmt::format("client: {} → {}", value, errc_name(p.error)));
    });
  });
}

std::vector<std::string> values_in(sim::SimBroker& b) {
  std::vector<std::string> out;
  auto* log = b.node().logs().partition("t", 0);
  REQUIRE(log != nullptr);
  for (const auto& [offset, value] : test::read_all(*log, log->log_start_offset())) out.push_back(value);
  return out;
}

}  // namespace

TEST_CASE("followers copy the leader and acks=all waits for the in-sync replicas", "[ch04][sim][replication]") {
  Cluster c(1);
  c.create_topic();
  const int leader = c.leader();
  Produced out;
  for (int i = 0; i < 5; ++i) produce(c, leader, fmt::format("v{}", i), out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 5; }));
  INFO(c.world.timeline_text(80));
  for (int i = 0; i < 5; ++i) CHECK(out.outcome[fmt::format("v{}", i)] == Errc::none);
  // Acknowledged means on every in-sync replica: the followers have all five already.
  for (int id = 1; id <= 3; ++id) CHECK(values_in(c.broker(id)).size() == 5);
  CHECK(c.lead().high_watermark() == 5);
  // The followers' copies carry the leader's epoch, as the leader stamped it.
  const int follower = leader % 3 + 1;
  auto* follower_log = c.broker(follower).node().logs().partition("t", 0);
  CHECK(follower_log->leader_epochs().entries().back().epoch == c.lead().leader_epoch());
}

TEST_CASE("a follower that stops fetching leaves the ISR and acks=all goes on with min.insync.replicas", "[ch04][sim][replication]") {
  Cluster c(2);
  c.create_topic({{1, 2, 3}});  // led by broker 1, the controller's, which stays up
  const int leader = c.leader();
  const int f1 = leader % 3 + 1, f2 = f1 % 3 + 1;
  Produced out;
  produce(c, leader, "before", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 1; }));
  CHECK(out.outcome["before"] == Errc::none);

  // Without its third replica the batch cannot be committed until the ISR shrinks: after
  // replica.lag.time.max.ms the leader proposes the two others, the controller commits
  // that (AlterIsr), and the waiting produce is answered.
  c.broker(f2).crash();
  produce(c, leader, "during", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 2; }));
  INFO(c.world.timeline_text(60));
  CHECK(out.outcome["during"] == Errc::none);
  CHECK(c.lead().isr().size() == 2);
  CHECK(c.broker(1).node().controller()->controller().partition("t", 0)->state.isr.size() == 2);

  // The second follower goes as well. A follower whose log end equals the leader's is
  // caught up, however long ago it fetched: the ISR shrinks only once there is something
  // it lacks. The next batch is appended (the ISR is still large enough), then the ISR
  // shrinks to the leader alone while the producer waits: the batch is in the log, but
  // the promise cannot be kept — NOT_ENOUGH_REPLICAS_AFTER_APPEND.
  c.broker(f1).crash();
  produce(c, leader, "after-append", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 3; }));
  CHECK(out.outcome["after-append"] == Errc::not_enough_replicas_after_append);
  REQUIRE(c.lead().isr() == std::vector<std::int32_t>{leader});
  // Now below min.insync.replicas before the append: refused, nothing written.
  const auto end_before = c.broker(leader).node().logs().partition("t", 0)->log_end_offset();
  produce(c, leader, "refused", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 4; }));
  CHECK(out.outcome["refused"] == Errc::not_enough_replicas);
  CHECK(c.broker(leader).node().logs().partition("t", 0)->log_end_offset() == end_before);
  // acks=1 is the leader's word alone, and still answered.
  produce(c, leader, "acks-1", out, 1);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 5; }));
  CHECK(out.outcome["acks-1"] == Errc::none);
}

TEST_CASE("a topic's own settings reach every replica including one down at its creation and survive a restart", "[ch04][sim][replication]") {
  auto config = replicated_config();
  config.log.min_insync_replicas = 1;  // the brokers' default; the topic asks for 2
  Cluster c(6, config);
  auto& controller = *c.broker(1).node().controller();
  REQUIRE(c.world.run([&] { return controller.controller().live_brokers().size() == 3; }));
  c.broker(3).crash();
  REQUIRE(c.world.run([&] { return controller.controller().live_brokers().size() == 2; }));
  const std::vector<std::pair<std::string, std::string>> own{{"min.insync.replicas", "2"}, {"retention.ms", "3600000"}};
  REQUIRE(controller.create_topic({"t", 1, 3, {{1, 2, 3}}, own}, broker::TopicRequest::explicit_request).ok());
  c.broker(1).wake();
  auto settled = [&](int id) {
    auto* log = c.broker(id).up() ? c.broker(id).node().logs().partition("t", 0) : nullptr;
    return log && log->config().min_insync_replicas == 2 && log->config().retention_ms == 3'600'000;
  };
  REQUIRE(c.world.run([&] { return settled(1) && settled(2); }));
  // Broker 3 hears of the topic when it registers again: the settings come first.
  REQUIRE(c.broker(3).start().ok());
  REQUIRE(c.world.run([&] { return settled(3); }));
  // A restarted replica finds them on its disk, with the topic.
  c.broker(2).crash();
  REQUIRE(c.broker(2).start().ok());
  REQUIRE(c.world.run([&] { return settled(2) && c.broker(2).node().replicas()->fetcher(c.leader()) != nullptr; }));
  // And the leader keeps the topic's promise, not the brokers' default: with both
  // followers gone the ISR shrinks to the leader and acks=all is refused.
  REQUIRE(c.world.run([&] { return c.leader() == 1 && c.lead().isr().size() == 3; }));
  c.broker(2).crash();
  c.broker(3).crash();
  Produced out;
  for (int i = 0; i < 20 && (out.outcome.empty() || out.outcome.rbegin()->second != Errc::not_enough_replicas); ++i) {
    const auto value = fmt::format("v{:02}", i);
    produce(c, 1, value, out);
    REQUIRE(c.world.run([&] { return out.outcome.contains(value); }));
  }
  INFO(c.world.timeline_text(60));
  CHECK(out.outcome.rbegin()->second == Errc::not_enough_replicas);
}

TEST_CASE("the controller refuses a topic whose settings no replica could use and stores none of it", "[ch04][sim][replication]") {
  Cluster c(7);
  auto& controller = *c.broker(1).node().controller();
  REQUIRE(c.world.run([&] { return controller.controller().live_brokers().size() == 3; }));
  using Settings = std::vector<std::pair<std::string, std::string>>;
  for (const auto& bad : {Settings{{"min.insync.replicas", "0"}}, Settings{{"no.such.setting", "1"}},
                          Settings{{"retention.ms", "soon"}}, Settings{{"segment.bytes", "10"}}}) {
    INFO(bad.front().first << "=" << bad.front().second);
    auto s = controller.create_topic({"t", 1, 3, {}, bad}, broker::TopicRequest::explicit_request);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == Errc::invalid_config);
    CHECK_FALSE(controller.controller().partition("t", 0).has_value());
  }
}

TEST_CASE("followers follow the leader's log start and one left behind by its retention starts over at it", "[ch04][sim][replication]") {
  auto config = replicated_config();
  config.log.min_insync_replicas = 1;
  config.log.segment_bytes = 1024;   // a few batches per segment
  config.log.retention_bytes = 2048;  // the leader keeps its last two or three segments
  config.retention_check_interval_ms = 100;
  Cluster c(9, config);
  c.create_topic({{1, 2, 3}});
  REQUIRE(c.leader() == 1);
  auto* leader_log = c.broker(1).node().logs().partition("t", 0);
  c.broker(3).crash();
  Produced out;
  for (int i = 0; i < 80; ++i) {
    const auto value = fmt::format("record-{:03}", i);
    produce(c, 1, value, out, 1);
    REQUIRE(c.world.run([&] { return out.outcome.contains(value); }));
    REQUIRE(out.outcome[value] == Errc::none);
  }
  // Only the leader applies retention here (its followers' ticks do not run): whatever a
  // follower deletes, it deletes because the leader's log start moved.
  c.broker(1).tick_logs(200, c.world.now_ms() + 1'000);
  REQUIRE(c.world.run([&] { return leader_log->log_start_offset() > 0; }));
  const auto start = leader_log->log_start_offset();
  produce(c, 1, "after-retention", out, 1);  // a fetch response carries the new start
  auto* follower_log = c.broker(2).node().logs().partition("t", 0);
  REQUIRE(c.world.run([&] { return follower_log->log_start_offset() == start; }));
  CHECK(follower_log->segment_count() <= leader_log->segment_count());
  CHECK(follower_log->log_end_offset() == leader_log->log_end_offset());

  // Broker 3 comes back with a log that ends below the leader's start: the records it
  // lacks are gone, so it starts over, empty, at the leader's start, copies the rest and
  // rejoins the ISR.
  REQUIRE(c.broker(3).start().ok());
  auto* behind = c.broker(3).node().logs().partition("t", 0);
  REQUIRE(behind != nullptr);
  REQUIRE(behind->log_end_offset() < start);
  REQUIRE(c.world.run([&] {
    auto* l = c.broker(3).node().logs().partition("t", 0);
    return l->log_end_offset() == leader_log->log_end_offset() && c.lead().isr().size() == 3;
  }));
  auto* caught_up = c.broker(3).node().logs().partition("t", 0);
  INFO(c.world.timeline_text(40));
  CHECK(caught_up->log_start_offset() == start);
  CHECK(values_in(c.broker(3)) == values_in(c.broker(1)));
  // And after a restart it still starts there.
  c.broker(3).crash();
  REQUIRE(c.broker(3).start().ok());
  CHECK(c.broker(3).node().logs().partition("t", 0)->log_start_offset() == start);
}

// --- committed offsets move with the coordinator -------------------------------------------

namespace {

// One request from client connection 100 to broker `to`; `then` gets the response body.
void call(Cluster& c, int to, protocol::ApiKey key, std::int16_t version, const Bytes& body,
          std::function<void(ByteSpan)> then) {
  auto frame = test::Broker::frame(key, version, 1, body);
  auto& b = c.broker(to);
  c.net.send(100, to, "client request", [&b, then = std::move(then), frame = std::move(frame)]() mutable {
    b.receive(100, std::move(frame), [then](Bytes response) { then(ByteSpan(response).subspan(4)); });
  });
}

}  // namespace

TEST_CASE("an offset commit is acknowledged once the in-sync replicas have it and survives its coordinator", "[ch04][sim][replication]") {
  Cluster c(4);
  c.create_topic({{1, 2, 3}});
  // The group's offsets partition, led by broker 2: not the controller, so that it can die.
  auto& controller = *c.broker(1).node().controller();
  REQUIRE(controller.create_topic({"__consumer_offsets", 1, 3, {{2, 3, 1}}, {}}, broker::TopicRequest::explicit_request).ok());
  c.broker(1).wake();
  auto coordinates = [&](int id) {
    return c.broker(id).up() && c.broker(id).node().handler().coordinator().is_loaded(0);
  };
  REQUIRE(c.world.run([&] { return coordinates(2) && c.broker(3).node().replicas()->fetcher(2); }));

  protocol::OffsetCommitRequest commit;
  commit.group_id = "g";  // no members: a "simple" commit, generation -1
  commit.topics = {{"t", {{0, 42, -1, -1, std::string("m")}}}};
  std::optional<Errc> acked;
  std::vector<std::int64_t> follower_ends_at_ack;
  call(c, 2, protocol::ApiKey::offset_commit, 2, protocol::encode_offset_commit_request(commit, 2), [&](ByteSpan body) {
    auto r = protocol::decode_offset_commit_response(body, 2);
    REQUIRE(r.ok());
    acked = r->topics.at(0).partitions.at(0).error;
    for (int id : {1, 3})
      follower_ends_at_ack.push_back(c.broker(id).node().logs().partition("__consumer_offsets", 0)->log_end_offset());
  });
  const auto leader_end_before =
      c.broker(2).node().logs().partition("__consumer_offsets", 0)->log_end_offset();
  REQUIRE(c.world.run([&] { return acked.has_value(); }));
  INFO(c.world.timeline_text(60));
  CHECK(*acked == Errc::none);
  // Acknowledged means on every in-sync replica: a coordinator elected from them has it.
  for (auto end : follower_ends_at_ack) CHECK(end > leader_end_before);

  // The coordinator dies the moment it has answered. The controller gives the partition to
  // broker 3, which replays it and answers for the group, commit included.
  c.broker(2).crash();
  REQUIRE(c.world.run([&] { return coordinates(3); }));
  std::optional<std::int64_t> fetched;
  protocol::OffsetFetchRequest fetch{"g", std::vector<protocol::OffsetFetchTopic>{{"t", {0}}}};
  call(c, 3, protocol::ApiKey::offset_fetch, 2, protocol::encode_offset_fetch_request(fetch, 2), [&](ByteSpan body) {
    auto r = protocol::decode_offset_fetch_response(body, 2);
    REQUIRE(r.ok());
    REQUIRE(r->error == Errc::none);
    fetched = r->topics.at(0).partitions.at(0).committed_offset;
  });
  REQUIRE(c.world.run([&] { return fetched.has_value(); }));
  CHECK(*fetched == 42);
}

TEST_CASE("an offset commit the in-sync replicas cannot take is refused and never applied", "[ch04][sim][replication]") {
  Cluster c(5);
  c.create_topic({{1, 2, 3}});
  auto& controller = *c.broker(1).node().controller();
  REQUIRE(controller.create_topic({"__consumer_offsets", 1, 3, {{1, 2, 3}}, {}}, broker::TopicRequest::explicit_request).ok());
  c.broker(1).wake();
  REQUIRE(c.world.run([&] { return c.broker(1).node().handler().coordinator().is_loaded(0); }));
  // Both followers gone: the ISR shrinks to the coordinator alone, below
  // min.insync.replicas (2), and a commit is refused — COORDINATOR_NOT_AVAILABLE, which a
  // client retries — instead of being acknowledged on one broker's word.
  c.broker(2).crash();
  c.broker(3).crash();
  auto commit_once = [&](std::int64_t offset) {
    protocol::OffsetCommitRequest commit;
    commit.group_id = "g";
    commit.topics = {{"t", {{0, offset, -1, -1, std::string()}}}};
    std::optional<Errc> answer;
    call(c, 1, protocol::ApiKey::offset_commit, 2, protocol::encode_offset_commit_request(commit, 2), [&](ByteSpan body) {
      auto r = protocol::decode_offset_commit_response(body, 2);
      REQUIRE(r.ok());
      answer = r->topics.at(0).partitions.at(0).error;
    });
    REQUIRE(c.world.run([&] { return answer.has_value(); }));
    return *answer;
  };
  std::vector<Errc> answers;
  for (int i = 0; i < 30 && (answers.empty() || answers.back() != Errc::coordinator_not_available); ++i) {
    answers.push_back(commit_once(7));
    c.world.run([&, until = c.world.now_ms() + 500] { return c.world.now_ms() >= until; });
  }
  INFO(c.world.timeline_text(60));
  REQUIRE(answers.back() == Errc::coordinator_not_available);
  // Whatever was answered before the ISR shrank was answered with an error too: nothing
  // reached the coordinator.
  for (auto e : answers) CHECK(e != Errc::none);
  auto offsets = c.broker(1).node().handler().coordinator().fetch_offsets("g", std::nullopt);
  REQUIRE(offsets.ok());
  CHECK(offsets->empty());
}

TEST_CASE("ElectLeaders gives a partition back to its preferred replica once it is in sync again", "[ch04][sim][replication]") {
  Cluster c(8);
  c.create_topic({{2, 3, 1}});  // preferred leader: broker 2
  REQUIRE(c.leader() == 2);
  c.broker(2).crash();
  REQUIRE(c.world.run([&] { return c.leader() == 3 && c.replicas_follow(); }));
  const auto failover_epoch = c.broker(1).node().controller()->controller().partition("t", 0)->state.leader_epoch;

  auto elect = [&](int to, std::optional<std::vector<std::int32_t>> partitions) {
    protocol::ElectLeadersRequest req;
    if (partitions) req.topic_partitions = std::vector<protocol::ElectLeadersTopic>{{"t", *partitions}};
    std::optional<protocol::ElectLeadersResponse> answer;
    call(c, to, protocol::ApiKey::elect_leaders, 1, protocol::encode_elect_leaders_request(req, 1), [&](ByteSpan body) {
      auto r = protocol::decode_elect_leaders_response(body, 1);
      REQUIRE(r.ok());
      answer = *r;
    });
    REQUIRE(c.world.run([&] { return answer.has_value(); }));
    return *answer;
  };
  auto only = [](const protocol::ElectLeadersResponse& r) {
    REQUIRE(r.results.size() == 1);
    REQUIRE(r.results.front().partition_results.size() == 1);
    return r.results.front().partition_results.front().error;
  };
  // The preferred replica is down: nothing to elect it to.
  CHECK(only(elect(1, std::vector<std::int32_t>{0})) == Errc::preferred_leader_not_available);
  // Only the controller elects.
  auto elsewhere = elect(3, std::vector<std::int32_t>{0});
  CHECK(elsewhere.error == Errc::not_controller);
  CHECK(only(elsewhere) == Errc::not_controller);
  // Back, caught up and in the ISR: the election moves leadership to it, one epoch up,
  // and every replica follows the new leader.
  REQUIRE(c.broker(2).start().ok());
  REQUIRE(c.world.run([&] { return c.lead().isr().size() == 3; }));
  CHECK(only(elect(1, std::vector<std::int32_t>{0})) == Errc::none);
  c.broker(1).wake();
  REQUIRE(c.world.run([&] { return c.leader() == 2 && c.replicas_follow(); }));
  CHECK(c.broker(1).node().controller()->controller().partition("t", 0)->state.leader_epoch == failover_epoch + 1);
  // Asked again: not needed. Asked about every partition: only those it changed or could
  // not are listed — none.
  CHECK(only(elect(1, std::vector<std::int32_t>{0})) == Errc::election_not_needed);
  CHECK(elect(1, std::nullopt).results.empty());
  CHECK(only(elect(1, std::vector<std::int32_t>{7})) == Errc::unknown_topic_or_partition);
}

// --- failover under seeded faults ------------------------------------------------------------
//
// Clients as real ones behave: they find the leader with Metadata, send to it, and after
// an error or a timeout ask again. Idempotent producers retry the same batch (same
// producer id and sequence) until it is acknowledged; plain producers move on. A consumer
// reads from the leader and remembers every (offset, value) it was given.

namespace {

struct Client {
  Client(Cluster& cluster, int client_id) : c(cluster), id(client_id) {}
  Cluster& c;
  int id;
  std::uint64_t next_connection = 1;

  // One request on a connection of its own; done(nullopt) on a timeout or a broken link.
  void call(int broker, protocol::ApiKey key, std::int16_t version, Bytes body,
            std::function<void(std::optional<Bytes>)> done, std::int64_t timeout_ms = 1'500) {
    auto state = std::make_shared<std::optional<std::function<void(std::optional<Bytes>)>>>(std::move(done));
    const auto connection = (static_cast<std::uint64_t>(id) << 32) | next_connection++;
    auto finish = [state](std::optional<Bytes> r) {
      if (!*state) return;
      auto fn = std::move(**state);
      state->reset();
      fn(std::move(r));
    };
    auto frame = test::Broker::frame(key, version, 1, body);
    auto& b = c.broker(broker);
    const bool sent = c.net.send(id, broker, "", [this, &b, broker, connection, finish, frame = std::move(frame)]() mutable {
      b.receive(connection, std::move(frame), [this, &b, broker, connection, finish](Bytes response) {
        b.close(connection);
        if (!c.net.send(broker, id, "", [finish, response] { finish(Bytes(response.begin() + 4, response.end())); }))
          c.world.after(1, "", [finish] { finish(std::nullopt); });
      });
    });
    if (!sent) c.world.after(1, "", [finish] { finish(std::nullopt); });
    c.world.after(timeout_ms, "", [finish, &b, connection] {
      b.close(connection);
      finish(std::nullopt);
    });
  }

  // The leader of t-0 as a random broker's Metadata says (-1: none known).
  void find_leader(std::function<void(int)> done) {
    protocol::MetadataRequest req;
    req.topics = std::vector<std::string>{"t"};
    req.allow_auto_topic_creation = false;
    call(static_cast<int>(c.world.between(1, 3)), protocol::ApiKey::metadata, 7, protocol::encode_metadata_request(req, 7),
         [done](std::optional<Bytes> r) {
           if (!r) return done(-1);
           auto m = protocol::decode_metadata_response(*r, 7);
           if (!m || m->topics.empty() || m->topics[0].partitions.empty()) return done(-1);
           done(m->topics[0].partitions[0].leader);
         });
  }
};

struct SimProducer {
  SimProducer(Cluster& cluster, int client_id, bool idem, std::int16_t required_acks)
      : client(cluster, client_id), idempotent(idem), acks(required_acks) {}
  Client client;
  bool idempotent;
  std::int16_t acks;
  std::int64_t producer_id = -1;
  std::int32_t sequence = 0;
  int leader = -1;
  int sent = 0;
  std::optional<std::string> pending;  // idempotent: the batch being retried
  std::vector<std::string> acked;      // in the order acknowledged
  std::map<std::string, std::int64_t> acked_offset;
  std::int64_t stop_at = 0;
  Errc last_error = Errc::none;

  Cluster& c() { return client.c; }
  void start(std::int64_t until) {
    stop_at = until;
    next();
  }
  void next() {
    c().world.after(c().world.between(2, 12), "", [this] { step(); });
  }
  void step() {
    if (c().world.now_ms() >= stop_at && !pending) return;
    if (c().world.now_ms() >= stop_at + 20'000) return;  // give up a retry that cannot succeed
    if (idempotent && producer_id < 0) {
      protocol::InitProducerIdRequest req;
      client.call(static_cast<int>(c().world.between(1, 3)), protocol::ApiKey::init_producer_id, 1,
                  protocol::encode_init_producer_id_request(req, 1), [this](std::optional<Bytes> r) {
                    if (r)
                      if (auto p = protocol::decode_init_producer_id_response(*r, 1); p && p->error == Errc::none)
                        producer_id = p->producer_id;
                    next();
                  });
      return;
    }
    if (leader < 0) {
      client.find_leader([this](int l) {
        leader = l;
        next();
      });
      return;
    }
    const std::string value = pending ? *pending : fmt::format("p{}-{}", client.id, sent++);
    if (idempotent) pending = value;
    std::vector<record::RecordSpec> records{{"k", value, {}, 1'700'000'000'000 + c().world.now_ms()}};
    record::BatchOptions options;
    if (idempotent) {
      options.producer_id = producer_id;
      options.producer_epoch = 0;
      options.base_sequence = sequence;
    }
    auto batch = record::build_batch(records, options);
    protocol::ProduceRequest req;
    req.acks = acks;
    req.timeout_ms = 1'000;
    req.topics = {{"t", {{0, ByteSpan(batch)}}}};
    client.call(leader, protocol::ApiKey::produce, 7, protocol::encode_produce_request(req, 7),
                [this, value](std::optional<Bytes> r) {
                  Errc error = Errc::request_timed_out;
                  std::int64_t offset = -1;
                  if (r) {
                    auto p = protocol::decode_produce_response(*r, 7);
                    REQUIRE(p.ok());
                    error = p->topics.at(0).partitions.at(0).error;
                    offset = p->topics.at(0).partitions.at(0).base_offset;
                  }
                  if (error == Errc::none) {
                    acked.push_back(value);
                    acked_offset[value] = offset;
                    if (idempotent) {
                      pending.reset();
                      ++sequence;
                    }
                  } else {
                    last_error = error;
                    leader = -1;  // whatever went wrong: ask who leads now
                  }
                  next();
                });
  }
};

struct SimConsumer {
  SimConsumer(Cluster& cluster, int client_id) : client(cluster, client_id) {}
  Client client;
  int leader = -1;
  std::int64_t position = 0;
  std::map<std::int64_t, std::string> seen;  // every record it was given
  std::int64_t stop_at = 0;

  Cluster& c() { return client.c; }
  void start(std::int64_t until) {
    stop_at = until;
    next();
  }
  void next() {
    if (c().world.now_ms() < stop_at) c().world.after(c().world.between(5, 30), "", [this] { step(); });
  }
  void step() {
    if (leader < 0) {
      client.find_leader([this](int l) {
        leader = l;
        next();
      });
      return;
    }
    protocol::FetchRequest req;
    req.max_wait_ms = 50;
    req.min_bytes = 1;
    req.max_bytes = 1 << 20;
    req.topics = {{"t", {{0, -1, position, -1, 1 << 20}}}};
    client.call(leader, protocol::ApiKey::fetch, 11, protocol::encode_fetch_request(req, 11),
                [this](std::optional<Bytes> r) {
                  if (!r) {
                    leader = -1;
                    return next();
                  }
                  auto f = protocol::decode_fetch_response(*r, 11);
                  REQUIRE(f.ok());
                  const auto& p = f->topics.at(0).partitions.at(0);
                  if (p.error != Errc::none) {
                    leader = -1;
                    return next();
                  }
                  ByteSpan rest = p.records ? *p.records : ByteSpan{};
                  while (rest.size() >= record::layout::log_overhead) {
                    auto frame = record::read_frame(rest, rest.size());
                    if (!frame || frame->total_size > rest.size()) break;
                    auto records = record::decode_records(rest.first(frame->total_size));
                    REQUIRE(records.ok());
                    for (const auto& rec : *records) {
                      if (rec.offset < position) continue;
                      seen[rec.offset] = std::string(as_chars(*rec.value));
                      position = rec.offset + 1;
                    }
                    rest = rest.subspan(frame->total_size);
                  }
                  next();
                });
  }
};

struct FailoverRun {
  std::vector<std::string> problems;
  std::uint64_t fingerprint = 0;
  std::string timeline;
  int acked = 0;
  int leader_changes = 0;
};

// `durable`: every replica fsyncs each append before it counts (flush.messages=1), so a
// crash loses nothing that was acknowledged. Without it a crash loses the unsynced tail of
// a log, and when every replica that had a record crashes before writing it out — or the
// only one left in the ISR does — an acknowledged record is gone: replication protects
// against a broker failing, flushing against all of them failing at once.
broker::BrokerConfig failover_config(bool durable) {
  auto c = replicated_config();
  c.broker_heartbeat_interval_ms = 200;
  c.broker_heartbeat_timeout_ms = 1'000;
  if (durable) c.log.flush.interval_messages = 1;
  return c;
}

FailoverRun run_failover(std::uint64_t seed, bool durable = true) {
  FailoverRun out;
  sim::World world(seed);
  sim::Network net(world);
  net.set_default({1, 2, 0});
  std::vector<std::unique_ptr<sim::SimBroker>> brokers;
  for (int id = 1; id <= 3; ++id) brokers.push_back(std::make_unique<sim::SimBroker>(world, id, failover_config(durable)));
  Cluster c(world, net, std::move(brokers));
  c.create_topic();

  constexpr std::int64_t kTraffic = 12'000;
  std::vector<std::unique_ptr<SimProducer>> producers;
  producers.push_back(std::make_unique<SimProducer>(c, 101, true, -1));
  producers.push_back(std::make_unique<SimProducer>(c, 102, false, -1));
  producers.push_back(std::make_unique<SimProducer>(c, 103, false, 1));
  SimConsumer consumer(c, 201);
  for (auto& p : producers) p->start(c.world.now_ms() + kTraffic);
  consumer.start(c.world.now_ms() + kTraffic);

  // Faults, each drawn from the seed: a crash (and a restart a little later), or a
  // partition that cuts one broker off from one or both others for a while.
  std::map<std::pair<std::int32_t, std::int32_t>, int> leaders;  // (epoch) → broker, as seen
  std::map<std::pair<int, std::int32_t>, std::int64_t> hw_seen;  // (broker, epoch) → HW
  const auto start = c.world.now_ms();
  for (std::int64_t t = start + c.world.between(300, 1'200); t < start + kTraffic - 1'000;
       t += c.world.between(800, 2'500)) {
    c.world.at(t, "", [&c] {
      const int victim = static_cast<int>(c.world.between(1, 3));
      auto& b = c.broker(victim);
      if (c.world.chance(0.5)) {
        if (!b.up()) return;
        b.crash();
        c.world.after(c.world.between(300, 3'000), "", [&b] {
          if (!b.up()) REQUIRE(b.start().ok());
        });
      } else {
        const int other = victim % 3 + 1;
        const bool both = c.world.chance(0.5);
        c.world.note(fmt::format("fault: broker {} cut off from {}", victim, both ? "both others" : std::to_string(other)));
        c.net.partition(victim, other);
        if (both) c.net.partition(victim, other % 3 + 1);
        c.world.after(c.world.between(500, 3'000), "", [&c] { c.net.heal(); });
      }
    });
  }
  // The properties that must hold at every moment, sampled every few milliseconds.
  std::function<void()> sample = [&] {
    for (auto& b : c.brokers) {
      if (!b->up()) continue;
      const auto* lead = b->node().replicas()->leader_state("t", 0);
      if (!lead) continue;
      auto [it, fresh] = leaders.emplace(std::pair{0, lead->leader_epoch()}, b->id());
      if (!fresh && it->second != b->id())
        out.problems.push_back(fmt::format("two leaders at epoch {}: {} and {}", lead->leader_epoch(), it->second, b->id()));
      if (fresh) ++out.leader_changes;
      auto& hw = hw_seen[{b->id(), lead->leader_epoch()}];
      if (lead->high_watermark() < hw)
        out.problems.push_back(fmt::format("broker {} epoch {}: high watermark back from {} to {}", b->id(),
                                           lead->leader_epoch(), hw, lead->high_watermark()));
      hw = std::max(hw, lead->high_watermark());
    }
    if (c.world.now_ms() < start + kTraffic + 30'000) c.world.after(5, "", sample);
  };
  c.world.after(5, "", sample);

  // Healing: after the traffic, the network is whole, every broker runs, and the
  // replicas agree — all in the ISR, every log ending where the leader's does.
  c.world.at(start + kTraffic, "", [&c] {
    c.net.heal();
    for (auto& b : c.brokers)
      if (!b->up()) REQUIRE(b->start().ok());
  });
  auto settled = [&] {
    if (c.world.now_ms() < start + kTraffic + 2'000) return false;
    for (auto& p : producers)
      if (p->pending) return false;
    const int l = c.leader();
    if (l < 0 || !c.broker(l).up() || !c.broker(l).node().replicas()->leads("t", 0)) return false;
    const auto& lead = c.lead();
    const auto end = c.broker(l).node().logs().partition("t", 0)->log_end_offset();
    if (lead.isr().size() != 3 || lead.high_watermark() != end) return false;
    for (auto& b : c.brokers)
      if (!b->up() || b->node().logs().partition("t", 0)->log_end_offset() != end) return false;
    return true;
  };
  if (!c.world.run(settled)) {
    std::string state = fmt::format("the cluster never settled after healing: controller says leader {}", c.leader());
    if (auto p = c.broker(1).up() ? c.broker(1).node().controller()->controller().partition("t", 0) : std::nullopt)
      state += fmt::format(" epoch {} isr [{}]", p->state.leader_epoch, fmt::join(p->state.isr, ","));
    for (auto& b : c.brokers) {
      if (!b->up()) {
        state += fmt::format("; broker {} down", b->id());
        continue;
      }
      const auto* lead = b->node().replicas()->leader_state("t", 0);
      state += fmt::format("; broker {}: log end {}{}", b->id(), b->node().logs().partition("t", 0)->log_end_offset(),
                           lead ? fmt::format(" leads epoch {} hw {} isr [{}]", lead->leader_epoch(),
                                              lead->high_watermark(), fmt::join(lead->isr(), ","))
                                : "");
    }
    for (auto& p : producers)
      if (p->pending) state += fmt::format("; producer {} pending {} ({})", p->client.id, *p->pending, errc_name(p->last_error));
    out.problems.push_back(state);
  }
  out.fingerprint = c.world.fingerprint();
  out.timeline = c.world.timeline_text(80);
  if (!out.problems.empty()) return out;

  // The checker.
  const auto final_log = values_in(c.broker(c.leader()));
  for (auto& b : c.brokers)
    if (values_in(*b) != final_log) out.problems.push_back(fmt::format("broker {}'s log differs from the leader's", b->id()));
  std::map<std::string, std::vector<std::int64_t>> where;
  for (std::size_t i = 0; i < final_log.size(); ++i) where[final_log[i]].push_back(static_cast<std::int64_t>(i));
  // (The topic starts empty and nothing is deleted: a record's index is its offset.)
  for (auto& p : producers) {
    if (p->acks != -1) continue;  // acks=1 may lose what only the leader had
    std::int64_t last = -1;
    for (const auto& v : p->acked) {
      ++out.acked;
      auto it = where.find(v);
      if (it == where.end()) {
        out.problems.push_back(fmt::format("acknowledged {} is lost", v));
        continue;
      }
      if (p->idempotent && it->second.size() != 1)
        out.problems.push_back(fmt::format("{} is in the log {} times", v, it->second.size()));
      if (it->second.front() <= last) out.problems.push_back(fmt::format("{} is out of order", v));
      last = it->second.front();
    }
  }
  for (const auto& [offset, value] : consumer.seen)
    if (offset >= static_cast<std::int64_t>(final_log.size()) || final_log[static_cast<std::size_t>(offset)] != value)
      out.problems.push_back(fmt::format("the consumer read {} at {}, which is no longer there", value, offset));
  return out;
}

}  // namespace

TEST_CASE("acks=all loses nothing through leader crashes and partitions over many seeds", "[ch04][sim][replication]") {
  int runs = 0, failovers = 0;
  for (auto seed : sim::seeds(40, 1'000)) {
    auto r = run_failover(seed);
    INFO(sim::replay_hint("acks=all loses nothing through leader crashes and partitions over many seeds", seed));
    INFO(r.timeline);
    CHECK(r.problems == std::vector<std::string>{});
    ++runs;
    failovers += r.leader_changes > 1 ? 1 : 0;
  }
  // The faults must really move leadership in a good share of the runs.
  CHECK(failovers * 2 >= runs);
}

TEST_CASE("a failover seed replays exactly", "[ch04][sim][replication]") {
  auto a = run_failover(11);
  auto b = run_failover(11);
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.acked == b.acked);
}

// --- unclean leader election: the experiment of section 6 --------------------------------------
//
// Broker 1 only controls; the partition lives on brokers 2 (leader) and 3. Broker 3 dies,
// the ISR shrinks to the leader alone, and with min.insync.replicas=1 acks=all goes on
// acknowledging records that only broker 2 has. Then broker 2 dies too, and broker 3 comes
// back first. A clean controller waits for broker 2, the last replica known to hold every
// acknowledged record; with unclean.leader.election.enable it makes broker 3 leader at once
// — and when broker 2 returns, it follows broker 3 and truncates what it alone had.

namespace {

struct UncleanRun {
  std::vector<std::string> acked;
  std::vector<std::string> final_log;
  std::int64_t unclean_elections = 0;
  bool leader_while_waiting = false;  // did the partition have a leader before broker 2 came back?
};

UncleanRun run_unclean(bool unclean) {
  auto config = replicated_config();
  config.log.min_insync_replicas = 1;
  config.log.flush.interval_messages = 1;  // crashes lose nothing synced: only the election can
  config.unclean_leader_election_enable = unclean;
  config.broker_heartbeat_interval_ms = 200;
  config.broker_heartbeat_timeout_ms = 1'000;
  Cluster c(3, config);
  c.create_topic({{2, 3}});
  REQUIRE(c.leader() == 2);
  UncleanRun out;
  Produced produced;
  auto send = [&](const std::string& value) {
    produce(c, 2, value, produced);
    REQUIRE(c.world.run([&] { return produced.outcome.contains(value); }));
    if (produced.outcome[value] == Errc::none) out.acked.push_back(value);
  };
  send("both-1");
  send("both-2");
  c.broker(3).crash();
  for (int i = 1; i <= 3; ++i) send(fmt::format("only-on-2-{}", i));  // acknowledged with the ISR shrunk to [2]
  REQUIRE(c.lead().isr() == std::vector<std::int32_t>{2});
  c.broker(2).crash();
  REQUIRE(c.broker(3).start().ok());
  // Long enough for the controller to see broker 2 dead and broker 3 back.
  const auto until = c.world.now_ms() + 3'000;
  REQUIRE(c.world.run([&] { return c.world.now_ms() >= until; }) == true);
  out.leader_while_waiting = c.leader() >= 0;
  REQUIRE(c.broker(2).start().ok());
  const auto settle = c.world.now_ms() + 3'000;
  c.world.run([&] { return c.world.now_ms() >= settle; });
  out.final_log = values_in(c.broker(c.leader()));
  out.unclean_elections = c.broker(1).node().controller()->controller().unclean_elections();
  return out;
}

}  // namespace

TEST_CASE("a clean election waits for the last in-sync replica and loses nothing", "[ch04][sim][replication]") {
  auto r = run_unclean(false);
  CHECK_FALSE(r.leader_while_waiting);  // offline until broker 2 is back
  CHECK(r.unclean_elections == 0);
  CHECK(r.final_log == r.acked);
}

TEST_CASE("an unclean election loses acknowledged records", "[ch04][sim][replication]") {
  auto r = run_unclean(true);
  CHECK(r.leader_while_waiting);  // broker 3 leads, out of sync
  CHECK(r.unclean_elections == 1);
  CHECK(r.final_log == std::vector<std::string>{"both-1", "both-2"});
  CHECK(r.acked.size() == 5);  // three acknowledged records are gone
}
