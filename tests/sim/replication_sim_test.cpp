// sim/replication_sim_test.cpp — chapter 4's brokers replicating in the seeded simulator.
//
// Three real broker cores (broker::Node with its ReplicaManager) on simulated disks; the
// followers fetch from the leader with real Fetch and OffsetsForLeaderEpoch requests over
// the simulated network (sim::SimPeers). In these cases the test itself plays the
// controller, announcing leadership to each broker directly, so that what is checked is
// the data path alone: the high watermark, acks=all, the ISR, truncation.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "broker/replica_manager.h"
#include "protocol/fetch.h"
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

// Three brokers on one network; the test announces who leads.
struct Cluster {
  explicit Cluster(std::uint64_t seed) : world(seed), net(world) {
    net.set_default({1, 1, 0});
    for (int id = 1; id <= 3; ++id) brokers.push_back(std::make_unique<sim::SimBroker>(world, id, replicated_config()));
    std::vector<sim::SimBroker*> all;
    for (auto& b : brokers) all.push_back(b.get());
    for (auto& b : brokers) b->join(net, all);
    for (auto& b : brokers) REQUIRE(b->start().ok());
  }
  sim::SimBroker& broker(int id) { return *brokers.at(static_cast<std::size_t>(id - 1)); }

  // The controller's word to every live broker: topic `t`, one partition, these replicas.
  void announce(std::int32_t leader, std::int32_t epoch, std::vector<std::int32_t> isr, std::int32_t version) {
    broker::PartitionAnnouncement a;
    a.topic = "t";
    a.partition = 0;
    a.controller_epoch = 1;
    a.state = {leader, epoch, {1, 2, 3}, std::move(isr), {}};
    a.version = version;
    std::vector<broker::BrokerEndpoint> live;
    for (auto& b : brokers)
      if (b->up()) live.push_back({b->id(), fmt::format("broker-{}", b->id()), 9092, std::nullopt});
    for (auto& b : brokers) {
      if (!b->up()) continue;
      auto* rm = b->node().replicas();
      REQUIRE(rm->update_metadata(1, -1, live, {a}).ok());
      auto errors = rm->leader_and_isr(1, -1, {a});
      REQUIRE(errors.ok());
      CHECK(errors->at(0).error == Errc::none);
      b->wake();
    }
  }

  // Commits every ISR proposal a leader made, as the controller would.
  void commit_proposals(std::int32_t& version) {
    for (auto& b : brokers) {
      if (!b->up()) continue;
      for (auto& p : b->node().replicas()->take_isr_proposals()) {
        world.note(fmt::format("controller: ISR of {}-{} is now [{}]", p.topic, p.partition, fmt::join(p.isr, ",")));
        b->node().replicas()->isr_committed(p.topic, p.partition, p.leader_epoch, p.isr, ++version);
      }
      b->wake();
    }
  }

  sim::World world;
  sim::Network net;
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

// Runs fn every `period` ms of simulated time until `until` ms.
void every(sim::World& world, std::int64_t period, std::int64_t until, std::function<void()> fn) {
  if (world.now_ms() + period > until) return;
  world.after(period, "", [&world, period, until, fn] {
    fn();
    every(world, period, until, fn);
  });
}

}  // namespace

TEST_CASE("followers copy the leader and acks=all waits for the in-sync replicas", "[ch04][sim][replication]") {
  Cluster c(1);
  c.announce(1, 1, {1, 2, 3}, 0);
  Produced out;
  for (int i = 0; i < 5; ++i) produce(c, 1, fmt::format("v{}", i), out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 5; }));
  INFO(c.world.timeline_text(80));
  for (int i = 0; i < 5; ++i) CHECK(out.outcome[fmt::format("v{}", i)] == Errc::none);
  // Acknowledged means on every in-sync replica: the followers have all five already.
  for (int id = 1; id <= 3; ++id) CHECK(values_in(c.broker(id)).size() == 5);
  CHECK(c.broker(1).node().replicas()->leader_state("t", 0)->high_watermark() == 5);
  // The followers' copies carry the leader's epoch, as the leader stamped it.
  auto* follower_log = c.broker(2).node().logs().partition("t", 0);
  CHECK(follower_log->leader_epochs().entries().back().epoch == 1);
}

TEST_CASE("a follower that stops fetching leaves the ISR and acks=all goes on with min.insync.replicas", "[ch04][sim][replication]") {
  Cluster c(2);
  std::int32_t version = 0;
  c.announce(1, 1, {1, 2, 3}, version);
  Produced out;
  produce(c, 1, "before", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 1; }));
  CHECK(out.outcome["before"] == Errc::none);

  c.broker(3).crash();
  produce(c, 1, "during", out);
  // Without its third replica the batch cannot be committed until the ISR shrinks: after
  // replica.lag.time.max.ms the leader proposes [1,2], the controller commits it, and the
  // waiting produce is answered.
  bool committed = false;
  every(c.world, 100, 3'000, [&] {
    c.commit_proposals(version);
    committed = c.broker(1).node().replicas()->leader_state("t", 0)->isr().size() == 2;
  });
  REQUIRE(c.world.run([&] { return out.outcome.size() == 2; }));
  CHECK(committed);
  CHECK(out.outcome["during"] == Errc::none);
  CHECK(c.broker(1).node().replicas()->leader_state("t", 0)->isr() == std::vector<std::int32_t>{1, 2});

  // Broker 2 goes as well. A follower whose log end equals the leader's is caught up,
  // however long ago it fetched: the ISR shrinks only once there is something it lacks.
  // The next batch is appended (the ISR, [1,2], is large enough), then the ISR shrinks
  // to the leader alone while the producer waits: the batch is in the log, but the
  // promise cannot be kept — NOT_ENOUGH_REPLICAS_AFTER_APPEND.
  c.broker(2).crash();
  every(c.world, 100, c.world.now_ms() + 3'000, [&] { c.commit_proposals(version); });
  produce(c, 1, "after-append", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 3; }));
  CHECK(out.outcome["after-append"] == Errc::not_enough_replicas_after_append);
  REQUIRE(c.broker(1).node().replicas()->leader_state("t", 0)->isr() == std::vector<std::int32_t>{1});
  // Now below min.insync.replicas before the append: refused, nothing written.
  const auto end_before = c.broker(1).node().logs().partition("t", 0)->log_end_offset();
  produce(c, 1, "refused", out);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 4; }));
  CHECK(out.outcome["refused"] == Errc::not_enough_replicas);
  CHECK(c.broker(1).node().logs().partition("t", 0)->log_end_offset() == end_before);
  // acks=1 is the leader's word alone, and still answered.
  produce(c, 1, "acks-1", out, 1);
  REQUIRE(c.world.run([&] { return out.outcome.size() == 5; }));
  CHECK(out.outcome["acks-1"] == Errc::none);
}
