// generated from tests/controller/controller_test.cpp; edit there
// controller/controller_test.cpp — the fixed controller: placement, liveness, failover,
// ISR proposals, controlled shutdown, preferred leaders, and restarts from its store.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "controller/controller.h"
#include "controller/partition_store.h"
#include "log/memory_file_system.h"

using namespace streamcraft;
using namespace streamcraft::controller;
using Ids = std::vector<std::int32_t>;

namespace {

constexpr std::int64_t kTimeout = 6'000;

broker::BrokerEndpoint endpoint(std::int32_t id) {
  return {id, "broker" + std::to_string(id), static_cast<std::uint16_t>(9090 + id), std::nullopt};
}

std::vector<LeaderAndIsrEvent> leader_and_isr(const std::vector<ControllerEvent>& events) {
  std::vector<LeaderAndIsrEvent> out;
  for (const auto& e : events) {
    if (const auto* l = std::get_if<LeaderAndIsrEvent>(&e)) out.push_back(*l);
  }
  return out;
}

std::set<std::int32_t> addressees(const std::vector<LeaderAndIsrEvent>& events) {
  std::set<std::int32_t> out;
  for (const auto& e : events) out.insert(e.broker);
  return out;
}

std::set<std::int32_t> update_metadata_addressees(const std::vector<ControllerEvent>& events) {
  std::set<std::int32_t> out;
  for (const auto& e : events) {
    if (const auto* u = std::get_if<UpdateMetadataEvent>(&e)) out.insert(u->broker);
  }
  return out;
}

// A controller over brokers 1..n on a memory store, every broker registered, and a clock.
struct Cluster {
  MemoryMetadataStore memory;
  MetadataStore* store = &memory;
  ControllerConfig config;
  std::optional<Controller> c;
  std::map<std::int32_t, std::int64_t> epochs;
  std::int64_t now = 1'000;

  explicit Cluster(std::int32_t n, bool unclean = false, MetadataStore* other = nullptr) {
    if (other) store = other;
    config.controller_id = 1;
    for (std::int32_t id = 1; id <= n; ++id) config.broker_ids.push_back(id);
    config.broker_heartbeat_timeout_ms = kTimeout;
    config.unclean_leader_election_enable = unclean;
    config.default_replication_factor = static_cast<std::int16_t>(std::min(n, 3));
    restart_controller();
    for (std::int32_t id = 1; id <= n; ++id) start(id);
    c->take_events();
  }

  void restart_controller() {
    c.reset();
    auto opened = Controller::open(*store, config);
    REQUIRE(opened.ok());
    c.emplace(std::move(opened).value());
  }
  void start(std::int32_t id) {
    auto epoch = c->register_broker(id, endpoint(id), now);
    REQUIRE(epoch.ok());
    epochs[id] = *epoch;
  }
  // Time passes past the timeout; every live broker but `silent` heartbeats.
  void silence(std::set<std::int32_t> silent) {
    now += kTimeout + 1;
    for (auto id : c->live_brokers()) {
      if (!silent.contains(id)) REQUIRE(c->heartbeat(id, epochs[id], now).ok());
    }
    REQUIRE(c->tick(now).ok());
  }
  void kill(std::int32_t id) { silence({id}); }
  PartitionView state(const std::string& topic, std::int32_t p = 0) const {
    auto v = c->partition(topic, p);
    REQUIRE(v.has_value());
    return *v;
  }
};

}  // namespace

// --- placement -------------------------------------------------------------------------

TEST_CASE("placement matches the example of five brokers and ten partitions in Kafka's AdminUtils", "[ch04][controller]") {
  // The table in the comment on AdminUtils.assignReplicasToBrokers (Kafka 2.x), start
  // index 0 and shift 0, replication factor 3.
  const std::vector<Ids> expected{{0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
                                  {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2}};
  CHECK(assign_replicas({0, 1, 2, 3, 4}, 10, 3, 0, 0) == expected);
}

TEST_CASE("placement starts at the start index and shifts the followers once per round of brokers", "[ch04][controller]") {
  // Brokers 1..3, start index 1, shift 2: first replicas go 2, 3, 1, 2, 3, 1; the follower
  // is one step on in the first round and two steps on in the second.
  const std::vector<Ids> expected{{2, 3}, {3, 1}, {1, 2}, {2, 1}, {3, 2}, {1, 3}};
  CHECK(assign_replicas({1, 2, 3}, 6, 2, 1, 2) == expected);
  // Replication factor = brokers: every broker once per partition, in shifted order.
  CHECK(assign_replicas({0, 1, 2}, 4, 3, 0, 0) == std::vector<Ids>{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}});
  // One broker: one replica.
  CHECK(assign_replicas({7}, 2, 1, 0, 0) == std::vector<Ids>{{7}, {7}});
  CHECK(assign_replicas({1, 2}, 1, 3, 0, 0).empty());  // more replicas than brokers: nothing
}

TEST_CASE("create_topic places replicas from the seed on the live brokers sorted by id", "[ch04][controller]") {
  MemoryMetadataStore store;
  ControllerConfig config;
  config.broker_ids = {1, 2, 3, 4};
  auto opened = Controller::open(store, config);
  REQUIRE(opened.ok());
  Controller c = std::move(opened).value();
  for (std::int32_t id : {3, 1, 4, 2}) REQUIRE(c.register_broker(id, endpoint(id), 0).ok());
  c.take_events();
  const auto [start, shift] = placement_from_seed(42, 4);
  CHECK(placement_from_seed(42, 4) == std::pair{start, shift});  // a seed is a placement
  CHECK((start >= 0 && start < 4 && shift >= 0 && shift < 4));
  REQUIRE(c.create_topic("orders", 8, 3, 42).ok());
  const auto expected = assign_replicas({1, 2, 3, 4}, 8, 3, start, shift);
  for (std::int32_t p = 0; p < 8; ++p) {
    auto v = c.partition("orders", p);
    REQUIRE(v.has_value());
    CHECK(v->state.replicas == expected[static_cast<std::size_t>(p)]);
    CHECK(v->state.leader == expected[static_cast<std::size_t>(p)].front());
    CHECK(v->state.isr == expected[static_cast<std::size_t>(p)]);
    CHECK(v->state.leader_epoch == 0);
    CHECK(v->version == 0);
  }
  const auto events = c.take_events();
  const auto lai = leader_and_isr(events);
  CHECK(lai.size() == 8 * 3);  // every replica of every partition, as a new partition
  CHECK(std::all_of(lai.begin(), lai.end(), [](const auto& e) { return e.is_new; }));
  CHECK(update_metadata_addressees(events) == std::set<std::int32_t>{1, 2, 3, 4});
}

TEST_CASE("create_topic refuses existing names and no partitions and bad replication factors and bad assignments", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", 1, 3, 1).ok());
  CHECK(k.c->create_topic("t", 1, 1, 1).error().code == Errc::topic_already_exists);
  CHECK(k.c->create_topic("u", 0, 1, 1).error().code == Errc::invalid_partitions);
  CHECK(k.c->create_topic("u", 1, 4, 1).error().code == Errc::invalid_replication_factor);
  CHECK(k.c->create_topic("u", 1, 0, 1).error().code == Errc::invalid_replication_factor);
  CHECK(k.c->create_topic("a/b", 1, 1, 1).error().code == Errc::invalid_topic);
  CHECK(k.c->create_topic("u", std::vector<Ids>{{1, 1}}).error().code == Errc::invalid_replica_assignment);
  CHECK(k.c->create_topic("u", std::vector<Ids>{{1, 9}}).error().code == Errc::invalid_replica_assignment);
  CHECK(k.c->create_topic("u", std::vector<Ids>{{1, 2}, {3}}).error().code == Errc::invalid_replica_assignment);
  CHECK(k.c->create_topic("u", std::vector<Ids>{{}}).error().code == Errc::invalid_replica_assignment);
  CHECK(k.c->create_topic("u", std::vector<Ids>{}).error().code == Errc::invalid_partitions);
  k.kill(3);
  CHECK(k.c->create_topic("u", 1, 3, 1).error().code == Errc::invalid_replication_factor);  // two live brokers
  CHECK(k.c->create_topic("u", std::vector<Ids>{{3}}).error().code == Errc::invalid_replica_assignment);
  // An explicit assignment: leader = first live replica, ISR = the live replicas.
  REQUIRE(k.c->create_topic("u", std::vector<Ids>{{3, 2, 1}}).ok());
  CHECK(k.state("u").state.leader == 2);
  CHECK(k.state("u").state.isr == Ids{2, 1});
  CHECK(k.state("u").state.offline_replicas == Ids{3});
  CHECK(k.c->topics() == std::vector<std::string>{"t", "u"});
}

// --- failover --------------------------------------------------------------------------

TEST_CASE("failover elects the first live in-sync replica in assignment order and bumps the epoch", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 3, 2}}).ok());
  k.c->take_events();
  k.kill(1);
  auto v = k.state("t");
  CHECK(v.state.leader == 3);  // not 2: assignment order, not ISR order or id order
  CHECK(v.state.isr == Ids{3, 2});
  CHECK(v.state.leader_epoch == 1);
  CHECK(v.version == 1);
  CHECK(v.state.offline_replicas == Ids{1});
  const auto events = k.c->take_events();
  CHECK(addressees(leader_and_isr(events)) == std::set<std::int32_t>{2, 3});  // the dead one hears nothing
  CHECK(update_metadata_addressees(events) == std::set<std::int32_t>{2, 3});
  CHECK(k.c->live_brokers() == Ids{2, 3});
  // A heartbeat just inside the timeout keeps a broker alive.
  k.now += kTimeout;
  REQUIRE(k.c->tick(k.now).ok());
  CHECK(k.c->live_brokers() == Ids{2, 3});
}

TEST_CASE("a dead follower leaves the ISR with a new leader epoch", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2, 3}}).ok());
  k.kill(2);
  auto v = k.state("t");
  CHECK(v.state.leader == 1);
  CHECK(v.state.isr == Ids{1, 3});
  CHECK(v.state.leader_epoch == 1);  // controller-made ISR changes bump the epoch
}

TEST_CASE("the last replica standing stays in the ISR and the partition goes offline", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2}}).ok());
  k.kill(2);
  CHECK(k.state("t").state.isr == Ids{1});
  k.kill(1);
  auto v = k.state("t");
  CHECK(v.state.leader == -1);
  CHECK(v.state.isr == Ids{1});  // never empty: 1 is the only broker known to have everything
  CHECK(v.state.leader_epoch == 2);
  // Nothing changes while nobody can lead: no epoch churn on later ticks.
  k.silence({});
  CHECK(k.state("t").state.leader_epoch == 2);
}

TEST_CASE("without unclean election an out-of-sync replica never leads and the in-sync one leads on its return", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2}}).ok());
  k.kill(2);
  k.kill(1);
  k.start(2);  // back, but out of sync
  CHECK(k.state("t").state.leader == -1);
  CHECK(k.c->unclean_elections() == 0);
  k.c->take_events();
  k.start(1);  // the last ISR member returns and leads its offline partition
  auto v = k.state("t");
  CHECK(v.state.leader == 1);
  CHECK(v.state.isr == Ids{1});
  CHECK(v.state.leader_epoch == 3);
  const auto lai = leader_and_isr(k.c->take_events());
  // Broker 1 first hears of the partition as stored, then of its election.
  REQUIRE(lai.size() >= 2);
  CHECK(lai.back().partition_state.state.leader == 1);
  CHECK(lai.back().partition_state.state.leader_epoch == 3);
}

TEST_CASE("with unclean election a live out-of-sync replica leads and the loss is counted", "[ch04][controller]") {
  Cluster k(3, /*unclean=*/true);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2, 3}}).ok());
  k.kill(2);
  k.kill(3);
  k.kill(1);
  CHECK(k.state("t").state.leader == -1);
  CHECK(k.state("t").state.isr == Ids{1});
  k.start(3);
  auto v = k.state("t");
  CHECK(v.state.leader == 3);
  CHECK(v.state.isr == Ids{3});
  CHECK(k.c->unclean_elections() == 1);
}

TEST_CASE("a broker that registers while live is failed over first", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2, 3}}).ok());
  const auto old_epoch = k.epochs[1];
  k.start(1);  // restarted before its session ran out
  CHECK(k.epochs[1] > old_epoch);
  auto v = k.state("t");
  CHECK(v.state.leader == 2);
  CHECK(v.state.isr == Ids{2, 3});
  CHECK(v.state.leader_epoch == 1);
}

TEST_CASE("heartbeats from an old broker epoch or an unregistered broker are refused", "[ch04][controller]") {
  Cluster k(3);
  const auto first = k.epochs[2];
  CHECK(k.c->heartbeat(2, first, k.now).ok());
  k.start(2);
  CHECK(k.epochs[2] > first);
  CHECK(k.c->heartbeat(2, first, k.now).error().code == Errc::stale_broker_epoch);  // the zombie
  CHECK(k.c->heartbeat(2, k.epochs[2], k.now).ok());
  CHECK(k.c->heartbeat(7, 1, k.now).error().code == Errc::broker_not_available);
  k.kill(3);
  CHECK(k.c->heartbeat(3, k.epochs[3], k.now).error().code == Errc::broker_not_available);  // must register again
  CHECK(k.c->register_broker(9, endpoint(9), k.now).error().code == Errc::invalid_request);
  // Broker epochs grow with every registration.
  k.start(3);
  CHECK(k.epochs[3] > k.epochs[2]);
}

// --- ISR proposals ---------------------------------------------------------------------

TEST_CASE("alter_isr commits a current proposal and refuses stale ones", "[ch04][controller]") {
  Cluster k(4);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2, 3}}).ok());
  k.c->take_events();
  const auto e1 = k.epochs[1];
  // The leader shrinks the ISR: committed with version + 1 and the same leader epoch.
  auto shrunk = k.c->alter_isr(1, e1, "t", 0, 0, {1, 2}, 0);
  REQUIRE(shrunk.ok());
  CHECK(shrunk->state.isr == Ids{1, 2});
  CHECK(shrunk->state.leader_epoch == 0);
  CHECK(shrunk->version == 1);
  const auto events = k.c->take_events();
  CHECK(leader_and_isr(events).empty());  // the leader learns from the answer
  CHECK(update_metadata_addressees(events) == std::set<std::int32_t>{1, 2, 3, 4});
  // A retry of the same change after a lost answer: the committed state, no new version.
  auto again = k.c->alter_isr(1, e1, "t", 0, 0, {1, 2}, 0);
  REQUIRE(again.ok());
  CHECK(again->version == 1);
  CHECK(k.c->alter_isr(1, e1, "t", 0, 0, {1, 2, 3}, 0).error().code == Errc::invalid_update_version);
  CHECK(k.c->alter_isr(1, e1, "t", 0, 1, {1, 2, 3}, 1).error().code == Errc::fenced_leader_epoch);
  CHECK(k.c->alter_isr(2, k.epochs[2], "t", 0, 0, {1, 2, 3}, 1).error().code == Errc::not_leader_or_follower);
  CHECK(k.c->alter_isr(1, e1 - 1, "t", 0, 0, {1, 2, 3}, 1).error().code == Errc::stale_broker_epoch);
  CHECK(k.c->alter_isr(1, e1, "t", 0, 0, {1, 2, 4}, 1).error().code == Errc::ineligible_replica);  // not a replica
  CHECK(k.c->alter_isr(1, e1, "t", 0, 0, {2, 3}, 1).error().code == Errc::invalid_request);  // without the leader
  CHECK(k.c->alter_isr(1, e1, "t", 0, 0, {1, 1}, 1).error().code == Errc::invalid_request);
  CHECK(k.c->alter_isr(1, e1, "t", 1, 0, {1}, 1).error().code == Errc::unknown_topic_or_partition);
  // The expansion the leader proposes at the current version is committed.
  auto expanded = k.c->alter_isr(1, e1, "t", 0, 0, {1, 2, 3}, 1);
  REQUIRE(expanded.ok());
  CHECK(expanded->version == 2);
  // A controller change in between (3 dies) makes the leader's version stale, and a dead
  // broker cannot be brought back in.
  k.kill(3);
  auto v = k.state("t");
  CHECK(v.state.isr == Ids{1, 2});
  CHECK(v.state.leader_epoch == 1);
  CHECK(k.c->alter_isr(1, e1, "t", 0, 0, {1}, 2).error().code == Errc::fenced_leader_epoch);
  CHECK(k.c->alter_isr(1, e1, "t", 0, 1, {1}, 2).error().code == Errc::invalid_update_version);
  CHECK(k.c->alter_isr(1, e1, "t", 0, 1, {1, 2, 3}, v.version).error().code == Errc::ineligible_replica);
}

// --- controlled shutdown ---------------------------------------------------------------

TEST_CASE("controlled shutdown moves leadership to another in-sync replica and reports what it cannot move", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("moved", std::vector<Ids>{{1, 2, 3}}).ok());
  REQUIRE(k.c->create_topic("stuck", std::vector<Ids>{{1, 2}}).ok());
  REQUIRE(k.c->create_topic("single", std::vector<Ids>{{1}}).ok());
  REQUIRE(k.c->create_topic("followed", std::vector<Ids>{{2, 1}}).ok());
  REQUIRE(k.c->alter_isr(1, k.epochs[1], "stuck", 0, 0, {1}, 0).ok());  // 2 fell behind
  auto remaining = k.c->controlled_shutdown(1, k.epochs[1]);
  REQUIRE(remaining.ok());
  CHECK(*remaining == std::vector<TopicPartition>{{"stuck", 0}});  // "single" cannot move and is not listed
  CHECK(k.state("moved").state.leader == 2);
  CHECK(k.state("moved").state.isr == Ids{2, 3});
  CHECK(k.state("moved").state.leader_epoch == 1);
  CHECK(k.state("followed").state.isr == Ids{2});
  CHECK(k.state("followed").state.leader_epoch == 1);
  CHECK(k.state("stuck").state.leader == 1);
  CHECK(k.state("single").state.leader == 1);
  // While it shuts down it is not let back into an ISR.
  CHECK(k.c->alter_isr(2, k.epochs[2], "moved", 0, 1, {2, 3, 1}, 1).error().code == Errc::ineligible_replica);
  CHECK(k.c->controlled_shutdown(1, k.epochs[1] - 1).error().code == Errc::stale_broker_epoch);
  // Once 2 caught up on "stuck", the retry moves it.
  REQUIRE(k.c->alter_isr(1, k.epochs[1], "stuck", 0, 0, {1, 2}, 1).ok());
  remaining = k.c->controlled_shutdown(1, k.epochs[1]);
  REQUIRE(remaining.ok());
  CHECK(remaining->empty());
  CHECK(k.state("stuck").state.leader == 2);
  // Then it stops heartbeating and is dead.
  k.kill(1);
  CHECK(k.c->live_brokers() == Ids{2, 3});
  CHECK(k.state("single").state.leader == -1);
}

// --- preferred leaders -----------------------------------------------------------------

TEST_CASE("preferred leader election gives leadership back to the first replica", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}).ok());
  k.kill(1);
  CHECK(k.state("t", 0).state.leader == 2);
  CHECK(k.c->elect_preferred_leaders(std::nullopt)[0].error == Errc::preferred_leader_not_available);
  k.start(1);  // back, but not in the ISR until its leader says so
  CHECK(k.c->elect_preferred_leaders(std::vector<TopicPartition>{{"t", 0}})[0].error ==
        Errc::preferred_leader_not_available);
  auto v = k.state("t", 0);
  REQUIRE(k.c->alter_isr(2, k.epochs[2], "t", 0, v.state.leader_epoch, {2, 3, 1}, v.version).ok());
  k.c->take_events();
  const auto results = k.c->elect_preferred_leaders(std::nullopt);
  REQUIRE(results.size() == 3);
  CHECK(results[0].error == Errc::none);
  CHECK(results[1].error == Errc::election_not_needed);
  CHECK(results[2].error == Errc::election_not_needed);
  CHECK(k.state("t", 0).state.leader == 1);
  CHECK(k.state("t", 0).state.leader_epoch == v.state.leader_epoch + 1);
  CHECK(addressees(leader_and_isr(k.c->take_events())) == std::set<std::int32_t>{1, 2, 3});
  CHECK(k.c->elect_preferred_leaders(std::vector<TopicPartition>{{"t", 7}})[0].error ==
        Errc::unknown_topic_or_partition);
}

// --- the store -------------------------------------------------------------------------

TEST_CASE("nothing is announced or changed that the store did not take", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2, 3}}).ok());
  k.c->take_events();
  k.memory.set_failing(true);
  CHECK(k.c->create_topic("u", 1, 1, 1).error().code == Errc::kafka_storage_error);
  CHECK_FALSE(k.c->partition("u", 0).has_value());
  k.now += kTimeout + 1;
  REQUIRE(k.c->heartbeat(2, k.epochs[2], k.now).ok());
  REQUIRE(k.c->heartbeat(3, k.epochs[3], k.now).ok());
  CHECK(k.c->tick(k.now).error().code == Errc::kafka_storage_error);
  CHECK(leader_and_isr(k.c->take_events()).empty());
  CHECK(k.state("t").state.leader == 1);  // the failover did not happen: nothing was stored
  k.memory.set_failing(false);
  REQUIRE(k.c->tick(k.now).ok());  // level-triggered: the next input repairs it
  CHECK(k.state("t").state.leader == 2);
  CHECK(k.state("t").state.leader_epoch == 1);
}

namespace {

void check_store_semantics(MetadataStore& store) {
  const Bytes a{std::byte{'a'}};
  const Bytes b{std::byte{'b'}};
  CHECK(store.write("x/y", -1, a).value() == 0);
  CHECK(store.write("x/y", -1, b).error().code == Errc::invalid_update_version);  // exists
  CHECK(store.write("x/y", 1, b).error().code == Errc::invalid_update_version);   // not that version
  CHECK(store.write("x/y", 0, b).value() == 1);
  CHECK(store.write("nothing", 0, b).error().code == Errc::invalid_update_version);
  CHECK(store.remove("x/y", 0).error().code == Errc::invalid_update_version);
  auto all = store.load();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK(all->front().key == "x/y");
  CHECK(all->front().version == 1);
  CHECK(all->front().data == b);
  CHECK(store.remove("x/y", 1).ok());
  CHECK(store.remove("x/y", -1).ok());  // gone already: as asked
  CHECK(store.load()->empty());
  CHECK(store.write("x/y", -1, a).value() == 0);  // a new record starts at 0 again
}

}  // namespace

TEST_CASE("both stores are compare-and-set on versions", "[ch04][controller]") {
  MemoryMetadataStore memory;
  check_store_semantics(memory);
  log::MemoryFileSystem disk;
  FileMetadataStore files(disk, "/meta");
  check_store_semantics(files);
  CHECK(FileMetadataStore::file_name("topics/a.b/partitions/0/state") == "topics%2Fa.b%2Fpartitions%2F0%2Fstate.rec");
  CHECK(FileMetadataStore::key_of("topics%2Fa.b%2Fpartitions%2F0%2Fstate.rec") == "topics/a.b/partitions/0/state");
  CHECK_FALSE(FileMetadataStore::key_of("x.rec.tmp").has_value());
  CHECK_FALSE(FileMetadataStore::key_of("bad%2.rec").has_value());
}

TEST_CASE("records are Kafka-shaped JSON and damaged ones are refused", "[ch04][controller]") {
  const PartitionRecord r{3, 7, 2, {3, 1}};
  CHECK(std::string(as_chars(encode_partition(r))) ==
        R"({"version":1,"leader":3,"leader_epoch":7,"controller_epoch":2,"isr":[3,1]})");
  CHECK(decode_partition(encode_partition(r)).value() == r);
  const std::vector<Ids> assignment{{1, 2}, {2, 3}};
  CHECK(std::string(as_chars(encode_assignment(assignment))) == R"({"version":1,"partitions":{"0":[1,2],"1":[2,3]}})");
  CHECK(decode_assignment(encode_assignment(assignment)).value() == assignment);
  const auto spaced = std::string(R"( { "partitions" : { "1" : [ 2 ] , "0" : [1] } , "version" : 1 } )");
  CHECK(decode_assignment(as_bytes(spaced)).value() == std::vector<Ids>{{1}, {2}});
  BrokerRecord b{{4, "host \"q\"", 9094, std::string("r1")}, 12};
  auto back = decode_broker(4, encode_broker(b));
  REQUIRE(back.ok());
  CHECK(back->endpoint.host == "host \"q\"");
  CHECK(back->endpoint.port == 9094);
  CHECK(back->endpoint.rack == std::optional<std::string>("r1"));
  CHECK(back->broker_epoch == 12);
  for (std::string bad : {R"({"version":1,"leader":3})", R"({"version":2,"leader":1,"leader_epoch":0,"controller_epoch":0,"isr":[]})",
                          R"({"version":1,"leader":1,"leader_epoch":0,"controller_epoch":0,"isr":[1})", "", "[[[[[[[[[[[[1]]]]]]]]]]]]"}) {
    CHECK(decode_partition(as_bytes(bad)).error().code == Errc::corrupt_message);
  }
  CHECK(decode_assignment(as_bytes(std::string(R"({"version":1,"partitions":{"0":[1],"2":[2]}})"))).error().code ==
        Errc::corrupt_message);  // a gap in the partition numbers
  CHECK(decode_counter(encode_counter(41)).value() == 41);
  CHECK(decode_counter(as_bytes(std::string("4x"))).error().code == Errc::corrupt_message);
}

namespace {

// Everything a restart must keep.
void check_same_state(const Controller& before, const Controller& after) {
  REQUIRE(after.topics() == before.topics());
  for (const auto& t : before.topics()) {
    for (std::int32_t p = 0; before.partition(t, p); ++p) {
      auto a = before.partition(t, p);
      auto b = after.partition(t, p);
      REQUIRE(b.has_value());
      CHECK(b->state.leader == a->state.leader);
      CHECK(b->state.leader_epoch == a->state.leader_epoch);
      CHECK(b->state.replicas == a->state.replicas);
      CHECK(b->state.isr == a->state.isr);
      CHECK(b->version == a->version);
    }
  }
  CHECK(after.live_brokers() == before.live_brokers());
  CHECK(after.controller_epoch() == before.controller_epoch() + 1);
}

void restart_scenario(Cluster& k) {
  REQUIRE(k.c->create_topic("t", 4, 2, 9).ok());
  REQUIRE(k.c->create_topic("u", std::vector<Ids>{{1, 2, 3}}).ok());
  k.kill(3);
  const Controller before = *k.c;
  const auto largest = std::max({k.epochs[1], k.epochs[2], k.epochs[3]});
  k.restart_controller();
  check_same_state(before, *k.c);
  // The restarted controller tells the live brokers everything it knows.
  const auto events = k.c->take_events();
  CHECK(update_metadata_addressees(events) == std::set<std::int32_t>{1, 2});
  CHECK(addressees(leader_and_isr(events)) == std::set<std::int32_t>{1, 2});
  // Registered brokers are still live and their old epochs still good…
  CHECK(k.c->heartbeat(1, k.epochs[1], k.now).ok());
  // …and a new registration gets a larger epoch than any before the restart.
  k.start(3);
  CHECK(k.epochs[3] > largest);
  // A broker that stays silent after the restart is declared dead one timeout after the
  // first input.
  k.now += 10;
  REQUIRE(k.c->tick(k.now).ok());
  k.silence({2});
  CHECK(k.c->live_brokers() == Ids{1, 3});
  CHECK(k.state("u").state.leader == 1);
}

}  // namespace

TEST_CASE("a restarted controller rebuilds its state from a memory store", "[ch04][controller]") {
  Cluster k(3);
  restart_scenario(k);
}

TEST_CASE("a restarted controller rebuilds its state from files on a memory disk", "[ch04][controller]") {
  log::MemoryFileSystem disk;
  FileMetadataStore files(disk, "/controller");
  Cluster k(3, false, &files);
  REQUIRE(k.c->create_topic("durable", std::vector<Ids>{{2, 1}}).ok());
  // Every record is durable when the controller announces it: a power cut loses nothing.
  disk.crash();
  FileMetadataStore reopened(disk, "/controller");
  auto records = reopened.load();
  REQUIRE(records.ok());
  const auto state = std::find_if(records->begin(), records->end(),
                                  [](const auto& r) { return r.key == "topics/durable/partitions/0/state"; });
  REQUIRE(state != records->end());
  CHECK(std::string(as_chars(state->data)) ==
        R"({"version":1,"leader":2,"leader_epoch":0,"controller_epoch":1,"isr":[2,1]})");
  auto raw = disk.read_all("/controller/topics%2Fdurable%2Fpartitions%2F0%2Fstate.rec");
  REQUIRE(raw.ok());
  CHECK(std::string(as_chars(*raw)).starts_with("0\n{"));
  REQUIRE(k.c->delete_topic("durable").ok());
  restart_scenario(k);
}

TEST_CASE("delete_topic removes the topic and its records and stops its replicas", "[ch04][controller]") {
  Cluster k(3);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{1, 2}, {2, 3}}).ok());
  k.c->take_events();
  const auto records_before = k.memory.size();
  REQUIRE(k.c->delete_topic("t").ok());
  CHECK(k.memory.size() == records_before - 3);
  CHECK(k.c->topics().empty());
  CHECK_FALSE(k.c->partition("t", 0).has_value());
  const auto events = k.c->take_events();
  std::set<std::pair<std::int32_t, std::int32_t>> stopped;
  for (const auto& e : events) {
    if (const auto* s = std::get_if<StopReplicaEvent>(&e)) stopped.insert({s->broker, s->partition});
    if (const auto* u = std::get_if<UpdateMetadataEvent>(&e)) {
      REQUIRE(u->partitions.size() == 2);
      CHECK(u->partitions[0].second.state.leader == kLeaderDuringDelete);
    }
  }
  CHECK(stopped == std::set<std::pair<std::int32_t, std::int32_t>>{{1, 0}, {2, 0}, {2, 1}, {3, 1}});
  CHECK(k.c->delete_topic("t").error().code == Errc::unknown_topic_or_partition);
  REQUIRE(k.c->create_topic("t", std::vector<Ids>{{3}}).ok());  // the name is free again
  CHECK(k.state("t").version == 0);
}

TEST_CASE("a topic's own settings are stored in its record and a restarted controller has them", "[ch04][controller]") {
  const TopicConfigs own{{"min.insync.replicas", "2"}, {"cleanup.policy", "compact,delete"}};
  const std::vector<Ids> assignment{{1, 2}};
  CHECK(std::string(as_chars(encode_assignment(assignment, own))) ==
        R"({"version":1,"partitions":{"0":[1,2]},"config":{"min.insync.replicas":"2","cleanup.policy":"compact,delete"}})");
  CHECK(decode_assignment(encode_assignment(assignment, own)).value() == assignment);
  CHECK(decode_topic_configs(encode_assignment(assignment, own)).value() == own);
  CHECK(decode_topic_configs(encode_assignment(assignment)).value().empty());  // a record of chapter 4's first topics
  CHECK(decode_topic_configs(as_bytes(std::string(R"({"version":1,"partitions":{"0":[1]},"config":{"a":1}})")))
            .error()
            .code == Errc::corrupt_message);  // a setting is a string
  Cluster k(3);
  REQUIRE(k.c->create_topic("orders", 2, 2, 7, own).ok());
  REQUIRE(k.c->create_topic("plain", {{1, 2}}).ok());
  k.restart_controller();
  REQUIRE(k.c->topic_configs("orders") != nullptr);
  CHECK(*k.c->topic_configs("orders") == own);
  REQUIRE(k.c->topic_configs("plain") != nullptr);
  CHECK(k.c->topic_configs("plain")->empty());
  CHECK(k.c->topic_configs("none") == nullptr);
  // Deleted with its topic: a topic created again under the name starts without them.
  REQUIRE(k.c->delete_topic("orders").ok());
  REQUIRE(k.c->create_topic("orders", {{1, 2}}).ok());
  k.restart_controller();
  CHECK(k.c->topic_configs("orders")->empty());
}

TEST_CASE("a restarted controller finishes a creation and a deletion that stopped half-way", "[ch04][controller]") {
  Cluster k(2);
  // A topic whose assignment was stored but not its partition states, and a state left
  // over from a deleted topic.
  REQUIRE(k.memory.write(topic_key("half"), -1, encode_assignment({{2, 1}})).ok());
  REQUIRE(k.memory.write(partition_key("gone", 0), -1, encode_partition({1, 4, 1, {1}})).ok());
  k.restart_controller();
  auto v = k.c->partition("half", 0);
  REQUIRE(v.has_value());
  CHECK(v->state.leader == 2);
  CHECK(v->state.isr == Ids{2, 1});
  auto all = k.memory.load();
  REQUIRE(all.ok());
  CHECK(std::none_of(all->begin(), all->end(), [](const auto& r) { return r.key.starts_with("topics/gone"); }));
}

// --- many random failures ----------------------------------------------------------------

namespace {

std::vector<std::uint64_t> random_seeds() {
  if (const char* one = std::getenv("STREAMCRAFT_SEED"); one && *one) return {std::strtoull(one, nullptr, 10)};
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= 24; ++s) out.push_back(s);
  return out;
}

}  // namespace

TEST_CASE("random kills and restarts never give one partition two leaders in one epoch", "[ch04][controller]") {
  for (const auto seed : random_seeds()) {
    INFO("seed " << seed << " (replay: STREAMCRAFT_SEED=" << seed << ")");
    std::mt19937_64 rng(seed);
    auto pick = [&](std::uint64_t n) { return static_cast<std::int32_t>(rng() % n); };
    const bool unclean = seed % 3 == 0;
    Cluster k(5, unclean);
    REQUIRE(k.c->create_topic("a", 6, 3, rng()).ok());
    REQUIRE(k.c->create_topic("b", 3, 2, rng()).ok());
    REQUIRE(k.c->create_topic("c", 2, 1, rng()).ok());
    std::set<std::int32_t> running{1, 2, 3, 4, 5};  // processes up (heartbeating)
    std::map<std::tuple<std::string, std::int32_t, std::int32_t>, std::int32_t> leader_of_epoch;
    std::map<std::pair<std::string, std::int32_t>, PartitionView> last;
    std::int64_t last_broker_epoch = 0;
    for (auto [id, e] : k.epochs) last_broker_epoch = std::max(last_broker_epoch, e);
    std::int64_t unclean_seen = 0;

    auto check_invariants = [&](int step) {
      INFO("step " << step);
      for (const auto& t : k.c->topics()) {
        for (std::int32_t p = 0; k.c->partition(t, p); ++p) {
          const auto v = *k.c->partition(t, p);
          const auto& s = v.state;
          CHECK(!s.isr.empty());
          for (auto r : s.isr) CHECK(std::find(s.replicas.begin(), s.replicas.end(), r) != s.replicas.end());
          CHECK((s.leader == -1 || std::find(s.isr.begin(), s.isr.end(), s.leader) != s.isr.end()));
          auto [it, inserted] = leader_of_epoch.try_emplace({t, p, s.leader_epoch}, s.leader);
          if (!inserted) CHECK(it->second == s.leader);
          auto prev = last.find({t, p});
          if (prev != last.end()) {
            const auto& o = prev->second;
            CHECK(s.leader_epoch >= o.state.leader_epoch);
            if (s.leader != o.state.leader) CHECK(s.leader_epoch > o.state.leader_epoch);
            const bool changed = s.leader != o.state.leader || s.isr != o.state.isr ||
                                 s.leader_epoch != o.state.leader_epoch;
            if (changed) CHECK(v.version > o.version);
            CHECK(v.version >= o.version);
          }
          last[{t, p}] = v;
        }
      }
      CHECK(k.c->unclean_elections() >= 0);
    };

    check_invariants(-1);
    for (int step = 0; step < 300; ++step) {
      const auto action = pick(10);
      if (action <= 3) {
        // Time passes; running brokers heartbeat (a restarted controller may have
        // forgotten one that registered while it was down: it registers again).
        k.now += 500 + pick(3'000);
        for (auto id : running) {
          auto s = k.c->heartbeat(id, k.epochs[id], k.now);
          if (!s) {
            REQUIRE(s.error().code == Errc::broker_not_available);
            k.start(id);
          }
        }
        REQUIRE(k.c->tick(k.now).ok());
      } else if (action == 4 && running.size() > 1) {
        auto it = running.begin();
        std::advance(it, pick(running.size()));
        running.erase(it);  // kill -9: it just stops
      } else if (action == 5) {
        const auto id = pick(5) + 1;
        k.start(id);
        REQUIRE(k.epochs[id] > last_broker_epoch);
        last_broker_epoch = k.epochs[id];
        running.insert(id);
      } else if (action == 6) {
        k.restart_controller();
      } else if (action == 7) {
        // A leader proposes an ISR change from what it knows: drop a follower or add a replica.
        const std::string topic = pick(2) == 0 ? "a" : "b";
        const auto p = pick(topic == "a" ? 6 : 3);
        const auto v = k.state(topic, p);
        if (v.state.leader != -1 && running.contains(v.state.leader)) {
          auto isr = v.state.isr;
          if (pick(2) == 0 && isr.size() > 1) {
            isr.erase(std::remove_if(isr.begin(), isr.end(), [&](auto r) { return r != v.state.leader; }), isr.end());
          } else {
            for (auto r : v.state.replicas) {
              if (std::find(isr.begin(), isr.end(), r) == isr.end()) {
                isr.push_back(r);
                break;
              }
            }
          }
          auto answer = k.c->alter_isr(v.state.leader, k.epochs[v.state.leader], topic, p, v.state.leader_epoch, isr,
                                       v.version);
          if (answer.ok()) {
            CHECK(answer->state.isr == isr);
            CHECK(answer->state.leader_epoch == v.state.leader_epoch);
            if (isr != v.state.isr) CHECK(answer->version == v.version + 1);
          } else {
            const auto code = answer.error().code;
            CHECK((code == Errc::ineligible_replica || code == Errc::broker_not_available));
          }
        }
      } else if (action == 8 && !running.empty()) {
        auto it = running.begin();
        std::advance(it, pick(running.size()));
        auto remaining = k.c->controlled_shutdown(*it, k.epochs[*it]);
        if (remaining.ok()) running.erase(it);  // it shuts down after asking
      } else if (action == 9) {
        k.c->elect_preferred_leaders(std::nullopt);
        // A zombie: an old incarnation's heartbeat is never taken.
        const auto id = pick(5) + 1;
        auto s = k.c->heartbeat(id, k.epochs[id] - 1, k.now);
        CHECK_FALSE(s.ok());
      }
      k.c->take_events();
      if (k.c->unclean_elections() > 0) unclean_seen += 1;
      check_invariants(step);
    }
    if (!unclean) CHECK(unclean_seen == 0);
  }
}
