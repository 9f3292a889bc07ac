// generated from tests/sim/broker_sim_test.cpp; edit there
// sim/broker_sim_test.cpp — broker cores in the seeded simulator: crashes, a network with
// loss and partitions, and checkers over hundreds of seeds.
//
// Each run is one seed: the producers' timing, the crashes, the torn tails, the lost
// messages all come from it. A failing seed prints the command that replays it and the
// end of its timeline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "broker/peer_requests.h"
#include "protocol/fetch.h"
#include "protocol/list_offsets.h"
#include "protocol/produce.h"
#include "protocol/groups.h"
#include "protocol/init_producer_id.h"
#include "protocol/wire.h"
#include "record/batch.h"
#include "record/record.h"
#include "support/broker_fixture.h"
#include "support/log_fixture.h"
#include "support/simulator.h"

using namespace streamcraft;

namespace {

// A producer client: one record per request, sent every few milliseconds on one
// connection, acks as configured. It remembers what was acknowledged, and at which offset.
struct Producer {
  Producer(sim::World& w, sim::Network& n, sim::SimBroker& b, int client_id, std::string topic_name,
           std::int16_t required_acks, std::uint64_t connection_id)
      : world(w), net(n), broker(b), id(client_id), topic(std::move(topic_name)), acks(required_acks),
        connection(connection_id) {}

  sim::World& world;
  sim::Network& net;
  sim::SimBroker& broker;
  int id;
  std::string topic;
  std::int16_t acks;
  std::uint64_t connection;
  int sent = 0;
  int keys = 0;  // 0: every record has the key "k"; n: keys k0 … k(n-1) in turn
  std::map<std::string, std::int64_t> acked;  // value → offset
  std::map<std::string, std::string> key_of;  // value → key
  std::int64_t stop_at_ms = 0;

  void start(std::int64_t until_ms) {
    stop_at_ms = until_ms;
    schedule();
  }
  void schedule() {
    world.after(world.between(1, 8), "", [this] {
      if (world.now_ms() >= stop_at_ms) return;
      send_one();
      schedule();
    });
  }
  void send_one() {
    const auto key = keys ? fmt::format("k{}", sent % keys) : std::string("k");
    const auto value = fmt::format("p{}-{}", id, sent++);
    key_of[value] = key;
    std::vector<record::RecordSpec> records{{key, value, {}, 1'700'000'000'000 + world.now_ms()}};
    const auto batch = record::build_batch(records);
    protocol::ProduceRequest req;
    req.acks = acks;
    req.topics = {{topic, {{0, ByteSpan(batch)}}}};
    auto frame = test::Broker::frame(protocol::ApiKey::produce, 7, sent, protocol::encode_produce_request(req, 7));
    net.send(id, broker.id(), "produce " + value, [this, frame = std::move(frame), value]() mutable {
      broker.receive(connection, std::move(frame), [this, value](Bytes response) {
        net.send(broker.id(), id, "ack " + value, [this, value, response = std::move(response)] {
          auto r = protocol::decode_produce_response(ByteSpan(response).subspan(4), 7);
          if (!r) return;
          const auto& p = r->topics.at(0).partitions.at(0);
          if (p.error == Errc::none) acked[value] = p.base_offset;
        });
      });
    });
  }
};

broker::BrokerConfig sim_config() {
  broker::BrokerConfig c;
  c.log_dir = "/data";
  c.num_partitions = 1;
  c.group.offsets_partitions = 1;
  return c;
}

// value → offset of every record in the partition, read through the real log.
std::map<std::string, std::int64_t> stored(sim::SimBroker& b, const std::string& topic) {
  std::map<std::string, std::int64_t> out;
  auto* log = b.node().logs().partition(topic, 0);
  REQUIRE(log != nullptr);
  // (read_all checks every batch as it goes: a torn or damaged batch fails the test.)
  for (const auto& [offset, value] : test::read_all(*log, log->log_start_offset())) out[value] = offset;
  return out;
}

struct CrashRun {
  std::map<std::string, std::int64_t> acked, stored;
  std::uint64_t fingerprint = 0;
  std::string timeline;
  int crashes = 0;
};

// One producer, one broker that is killed and restarted at random; then everything
// acknowledged is compared with what the log holds after a last crash and restart.
CrashRun run_crashes(std::uint64_t seed, const std::vector<std::pair<std::string, std::string>>& topic_config,
                     std::int16_t acks, bool power_cuts = false) {
  sim::World world(seed);
  sim::Network net(world);
  net.set_default({1, 2, 0});
  sim::SimBroker broker(world, 1, sim_config());
  REQUIRE(broker.start().ok());
  REQUIRE(broker.node().logs().create_topic("events", 1, topic_config).ok());
  Producer producer(world, net, broker, 100, "events", acks, 1);
  producer.start(2'000);
  CrashRun out;
  // Crashes at random moments — between events, or with power_cuts inside the work of
  // one (after a few more disk changes) — each followed by a restart 20–100 ms later.
  broker.on_crash = [&] {
    ++out.crashes;
    world.after(world.between(20, 100), "", [&] { REQUIRE(broker.start().ok()); });
  };
  for (std::int64_t t = world.between(50, 300); t < 2'000; t += world.between(150, 600)) {
    world.at(t, "", [&] {
      if (!broker.up()) return;
      if (power_cuts) broker.power_cut_after(world.random(12));
      else broker.crash();
    });
  }
  REQUIRE(world.run());
  broker.on_crash = nullptr;
  if (broker.up()) broker.crash();
  REQUIRE(broker.start().ok());
  out.acked = producer.acked;
  out.stored = stored(broker, "events");
  out.fingerprint = world.fingerprint();
  out.timeline = world.timeline_text();
  return out;
}

// Every acknowledged record is still there, at the offset it was acknowledged with.
std::vector<std::string> lost(const CrashRun& r) {
  std::vector<std::string> missing;
  for (const auto& [value, offset] : r.acked) {
    auto it = r.stored.find(value);
    if (it == r.stored.end() || it->second != offset) missing.push_back(value);
  }
  return missing;
}

}  // namespace

TEST_CASE("a simulator seed replays exactly the same run", "[ch02][sim]") {
  auto a = run_crashes(7, {}, 1);
  auto b = run_crashes(7, {}, 1);
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.acked == b.acked);
  CHECK(a.stored == b.stored);
  CHECK(a.crashes > 0);
  auto c = run_crashes(8, {}, 1);
  CHECK(c.fingerprint != a.fingerprint);
}

// The checker must be able to fail: with acks answered before any fsync (the default
// flush policy), a crash loses acknowledged records in some runs — exactly what chapter
// 3's durable acks prevent.
TEST_CASE("without durable acks the simulator finds acknowledged records lost in a crash", "[ch02][sim]") {
  int runs_with_loss = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) runs_with_loss += lost(run_crashes(seed, {}, 1)).empty() ? 0 : 1;
  CHECK(runs_with_loss > 0);
}

// Several brokers and clients on one network with latency, jitter, loss and a partition
// that comes and goes: each producer's acknowledged records are on its broker, in the
// order they were acknowledged (offsets increase with the order of sending).
TEST_CASE("brokers and clients exchange requests over a lossy partitioned network", "[ch02][sim]") {
  for (auto seed : sim::seeds(100)) {
    sim::World world(seed);
    sim::Network net(world);
    net.set_default({1, 3, 0.02});
    std::vector<std::unique_ptr<sim::SimBroker>> brokers;
    std::vector<std::unique_ptr<Producer>> producers;
    for (int b = 1; b <= 3; ++b) {
      brokers.push_back(std::make_unique<sim::SimBroker>(world, b, sim_config()));
      REQUIRE(brokers.back()->start().ok());
      REQUIRE(brokers.back()->node().logs().create_topic("t", 1, {}).ok());
    }
    for (int p = 0; p < 6; ++p) {
      producers.push_back(std::make_unique<Producer>(world, net, *brokers[static_cast<std::size_t>(p % 3)], 100 + p, "t",
                                                     1, static_cast<std::uint64_t>(p)));
      producers.back()->start(1'000);
    }
    // Producer 100 loses its broker for a while, one way and then both ways.
    world.at(world.between(100, 300), "cut 100→1", [&] { net.cut(100, 1); });
    world.at(world.between(400, 500), "partition 100↔1", [&] { net.partition(100, 1); });
    world.at(world.between(600, 700), "heal", [&] { net.heal(); });
    REQUIRE(world.run());
    INFO(sim::replay_hint("brokers and clients exchange requests over a lossy partitioned network", seed));
    INFO(world.timeline_text(30));
    std::size_t total_acked = 0, missing = 0, misplaced = 0, reordered = 0;
    for (auto& p : producers) {
      auto on_broker = stored(p->broker, "t");
      std::vector<std::pair<int, std::int64_t>> order;  // (sequence, offset) of acked records
      for (const auto& [value, offset] : p->acked) {
        auto it = on_broker.find(value);
        missing += it == on_broker.end() ? 1 : 0;
        misplaced += it != on_broker.end() && it->second != offset ? 1 : 0;
        order.emplace_back(std::stoi(value.substr(value.find('-') + 1)), offset);
      }
      std::sort(order.begin(), order.end());
      for (std::size_t i = 1; i < order.size(); ++i) reordered += order[i].second > order[i - 1].second ? 0 : 1;
      total_acked += p->acked.size();
    }
    CHECK(missing == 0);
    CHECK(misplaced == 0);
    CHECK(reordered == 0);
    CHECK(total_acked > 100);  // the network carried real traffic
  }
}

// A node that talks to brokers with the broker's own client side (broker::PeerRequests,
// driven by sim::SimPeers): it copies partition 0 of a topic from a source broker to a
// destination broker batch by batch, as a follower copies from its leader. It asks the
// destination where its log ends (ListOffsets), fetches from the source there (a long
// poll), appends the first batch it gets to the destination, and goes on from the end the
// destination reports. After any failure — a lost message, a timeout, a partition — it
// starts again by asking the destination, so it never appends a batch twice: the
// destination's log end, not the mirror's memory, says what was copied.
struct Mirror {
  enum class Step { position, fetch, produce };
  Mirror(sim::World& w, sim::Network& n, int node_id, sim::SimBroker& from, sim::SimBroker& to, std::string topic_name)
      : world(w), source(from), destination(to), topic(std::move(topic_name)),
        requests(w.clock(), peer_options()),
        peers(w, n, node_id, requests, [this](auto done) { on_done(std::move(done)); }) {
    peers.add(source);
    peers.add(destination);
  }

  static broker::PeerRequests::Options peer_options() {
    broker::PeerRequests::Options o;
    o.client_id = "mirror";
    o.request_timeout_ms = 300;
    o.reconnect_backoff_ms = 20;
    return o;
  }

  sim::World& world;
  sim::SimBroker& source;
  sim::SimBroker& destination;
  std::string topic;
  broker::PeerRequests requests;
  sim::SimPeers peers;
  std::int64_t position = -1;  // the destination's log end offset, as last reported
  Step step = Step::position;
  int failures = 0;
  int copied = 0;  // batches appended

  void start() { ask(Step::position); }

  void ask(Step next) {
    step = next;
    switch (next) {
      case Step::position: {
        protocol::ListOffsetsRequest req;
        req.topics = {{topic, {{0, protocol::kLatestTimestamp}}}};
        requests.request(destination.id(), protocol::ApiKey::list_offsets, 1,
                         protocol::encode_list_offsets_request(req, 1), 0);
        break;
      }
      case Step::fetch: {
        protocol::FetchRequest req;
        req.min_bytes = 1;
        req.max_wait_ms = 100;
        req.topics = {{topic, {{0, -1, position, -1, 1 << 20}}}};
        requests.request(source.id(), protocol::ApiKey::fetch, 4, protocol::encode_fetch_request(req, 4), 0);
        break;
      }
      case Step::produce: break;  // sent by copy()
    }
    peers.pump();
  }

  void copy(ByteSpan batch) {
    step = Step::produce;
    protocol::ProduceRequest req;
    req.acks = 1;
    req.topics = {{topic, {{0, batch}}}};
    requests.request(destination.id(), protocol::ApiKey::produce, 7, protocol::encode_produce_request(req, 7), 0);
    peers.pump();
  }

  void again_later(Step next) {
    world.after(world.between(1, 20), "", [this, next] { ask(next); });
  }

  void on_done(std::vector<broker::PeerRequests::Completion> done) {
    for (auto& d : done) {
      if (!d.body) {
        ++failures;
        again_later(Step::position);
        continue;
      }
      const ByteSpan body(*d.body);
      switch (step) {
        case Step::position: {
          auto r = protocol::decode_list_offsets_response(body, 1);
          if (!r || r->topics.at(0).partitions.at(0).error != Errc::none) {
            again_later(Step::position);
            break;
          }
          position = r->topics.at(0).partitions.at(0).offset;
          again_later(Step::fetch);
          break;
        }
        case Step::fetch: {
          auto r = protocol::decode_fetch_response(body, 4);
          if (!r || r->topics.at(0).partitions.at(0).error != Errc::none) {
            again_later(Step::position);
            break;
          }
          const auto& records = r->topics.at(0).partitions.at(0).records;
          if (!records || records->empty()) {
            again_later(Step::fetch);  // the long poll ended without data
            break;
          }
          auto frame = record::read_frame(*records, 1 << 20);
          REQUIRE(frame.ok());
          REQUIRE(frame->base_offset == position);  // it fetches from a batch boundary
          REQUIRE(frame->total_size <= records->size());
          copy(records->subspan(0, frame->total_size));
          break;
        }
        case Step::produce: {
          auto r = protocol::decode_produce_response(body, 7);
          if (!r || r->topics.at(0).partitions.at(0).error != Errc::none) {
            again_later(Step::position);
            break;
          }
          ++copied;
          again_later(Step::position);
          break;
        }
      }
    }
  }
};

TEST_CASE("a node's own requests to brokers survive loss partitions and timeouts and copy a log exactly", "[ch02][sim]") {
  int failures = 0, copied = 0;
  for (auto seed : sim::seeds(60)) {
    sim::World world(seed);
    sim::Network net(world);
    net.set_default({1, 3, 0});
    sim::SimBroker source(world, 1, sim_config());
    sim::SimBroker destination(world, 2, sim_config());
    for (auto* b : {&source, &destination}) {
      REQUIRE(b->start().ok());
      REQUIRE(b->node().logs().create_topic("orders", 1, {}).ok());
    }
    Producer producer(world, net, source, 100, "orders", 1, 1);
    producer.start(1'500);
    // The mirror (node 10) loses messages on its links, and is cut off from each broker in
    // turn; everything heals at 2 s.
    for (int b : {1, 2}) {
      net.set(10, b, {1, 3, 0.03});
      net.set(b, 10, {1, 3, 0.03});
    }
    Mirror mirror(world, net, 10, source, destination, "orders");
    mirror.start();
    for (std::int64_t t = world.between(50, 200); t < 1'800; t += world.between(200, 500)) {
      const int b = static_cast<int>(world.between(1, 2));
      const std::int64_t length = world.between(20, 400);
      world.at(t, fmt::format("partition 10↔{}", b), [&net, b] { net.partition(10, b); });
      world.at(t + length, "heal", [&net] { net.heal(); });
    }
    auto end_of = [](sim::SimBroker& b) { return b.node().logs().partition("orders", 0)->log_end_offset(); };
    const bool finished = world.run([&] { return world.now_ms() > 2'000 && end_of(destination) == end_of(source); });
    INFO(sim::replay_hint("a node's own requests to brokers survive loss partitions and timeouts and copy a log exactly",
                          seed));
    INFO(world.timeline_text(40));
    REQUIRE(finished);
    // The same records at the same offsets, each once.
    const auto original = stored(source, "orders");
    const auto copy = stored(destination, "orders");
    std::size_t elsewhere = 0;  // records of the source missing from the copy or at another offset
    for (const auto& [value, offset] : original) {
      auto it = copy.find(value);
      elsewhere += it == copy.end() || it->second != offset ? 1 : 0;
    }
    CHECK(copy.size() == original.size());
    CHECK(elsewhere == 0);
    CHECK(end_of(source) > 50);
    failures += mirror.failures;
    copied += mirror.copied;
  }
  CHECK(failures > 0);  // the faults did reach the requests
  CHECK(copied > 0);
}

// An idempotent producer with one request in flight: a request or its response may be
// lost on the network (the connection breaks, as TCP reports it); after a timeout the
// producer reconnects and sends the same batch again, with the same sequence number.
struct IdempotentProducer {
  IdempotentProducer(sim::World& w, sim::Network& n, sim::SimBroker& b) : world(w), net(n), broker(b) {}

  sim::World& world;
  sim::Network& net;
  sim::SimBroker& broker;
  const int id = 200;
  std::int64_t producer_id = -1;
  std::uint64_t connection = 1000;
  std::int32_t sequence = 0;  // of the batch being sent
  int attempts = 0;           // of that batch: 1 = first send, more = retries
  int retries = 0;
  std::map<std::string, std::int64_t> acked;
  std::int64_t stop_at_ms = 0;

  void start(std::int64_t until_ms) {
    stop_at_ms = until_ms;
    auto frame = test::Broker::frame(protocol::ApiKey::init_producer_id, 1, 0,
                                     protocol::encode_init_producer_id_request({std::nullopt, 60'000}, 1));
    broker.receive(connection, std::move(frame), [this](Bytes response) {
      auto r = protocol::decode_init_producer_id_response(ByteSpan(response).subspan(4), 1);
      if (r && r->error == Errc::none) producer_id = r->producer_id;
    });
    REQUIRE(producer_id >= 0);
    send();
  }
  void send() {
    if (world.now_ms() >= stop_at_ms) return;
    const auto value = fmt::format("i-{}", sequence);
    std::vector<record::RecordSpec> records{{std::string("k"), value, {}, 1'700'000'000'000}};
    record::BatchOptions options;
    options.producer_id = producer_id;
    options.producer_epoch = 0;
    options.base_sequence = sequence;
    const auto batch = record::build_batch(records, options);
    protocol::ProduceRequest req;
    req.acks = -1;
    req.topics = {{"events", {{0, ByteSpan(batch)}}}};
    auto frame = test::Broker::frame(protocol::ApiKey::produce, 7, sequence, protocol::encode_produce_request(req, 7));
    const auto attempt = ++attempts;
    const auto on = connection;
    net.send(id, broker.id(), "produce " + value, [this, frame = std::move(frame), value, on]() mutable {
      broker.receive(on, std::move(frame), [this, value, on](Bytes response) {
        net.send(broker.id(), id, "ack " + value, [this, value, on, response = std::move(response)] {
          if (on != connection) return;  // an answer on a connection given up already
          auto r = protocol::decode_produce_response(ByteSpan(response).subspan(4), 7);
          if (!r || r->topics.at(0).partitions.at(0).error != Errc::none) return;
          acked[value] = r->topics.at(0).partitions.at(0).base_offset;
          ++sequence;
          attempts = 0;
          world.after(world.between(1, 5), "", [this] { send(); });
        });
      });
    });
    // No answer within 30 ms: the connection is taken for broken; reconnect and retry.
    world.after(30, "", [this, attempt, value] {
      if (acked.contains(value) || attempts != attempt) return;
      broker.close(connection);
      ++connection;
      ++retries;
      send();
    });
  }
};

// Lost requests and lost responses, retried: every batch is in the log exactly once, and
// where it was acknowledged.
TEST_CASE("an idempotent producer's retries after lost responses are written exactly once", "[ch03][sim]") {
  int retries = 0;
  for (auto seed : sim::seeds(100)) {
    sim::World world(seed);
    sim::Network net(world);
    net.set_default({1, 2, 0.15});
    sim::SimBroker broker(world, 1, sim_config());
    REQUIRE(broker.start().ok());
    REQUIRE(broker.node().logs().create_topic("events", 1, {}).ok());
    IdempotentProducer producer(world, net, broker);
    producer.start(1'500);
    REQUIRE(world.run());
    INFO(sim::replay_hint("an idempotent producer's retries after lost responses are written exactly once", seed));
    INFO(world.timeline_text(30));
    std::map<std::string, int> copies;
    auto* log = broker.node().logs().partition("events", 0);
    for (const auto& [offset, value] : test::read_all(*log, 0)) ++copies[value];
    std::size_t duplicated = 0, missing = 0, misplaced = 0;
    for (const auto& [value, n] : copies) duplicated += n > 1 ? 1 : 0;
    auto where = stored(broker, "events");
    for (const auto& [value, offset] : producer.acked) {
      missing += where.contains(value) ? 0 : 1;
      misplaced += where.contains(value) && where[value] != offset ? 1 : 0;
    }
    CHECK(duplicated == 0);
    CHECK(missing == 0);
    CHECK(misplaced == 0);
    // Sequences are acknowledged in order, so the log holds exactly i-0 .. i-(n-1), and
    // perhaps the one batch whose answer was still missing at the end.
    CHECK(copies.size() >= producer.acked.size());
    CHECK(copies.size() <= producer.acked.size() + 1);
    retries += producer.retries;
  }
  CHECK(retries > 0);  // the network did lose messages, and the producer did retry
}

// A consumer group member on the wire: JoinGroup v3, SyncGroup v1 (the leader assigns
// six partitions by range over the sorted member ids), Heartbeat v1 every 100 ms, and a
// new join on REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION. A request
// that the network loses breaks the connection; the member reconnects and joins again.
struct GroupMember {
  GroupMember(sim::World& w, sim::Network& n, sim::SimBroker& b, int client_id,
              std::map<std::int32_t, std::map<std::string, std::set<int>>>& handed_out)
      : world(w), net(n), broker(b), id(client_id), assignments(handed_out) {}

  sim::World& world;
  sim::Network& net;
  sim::SimBroker& broker;
  int id;
  std::map<std::int32_t, std::map<std::string, std::set<int>>>& assignments;  // generation → member → partitions
  std::string member_id;
  std::int32_t generation = -1;
  std::set<int> owned;
  std::uint64_t connection = 0;
  std::uint64_t epoch = 0;  // of the member's current attempt: stale callbacks are ignored
  std::int64_t stop_at_ms = 0;

  void start(std::int64_t until_ms) {
    stop_at_ms = until_ms;
    connection = static_cast<std::uint64_t>(id) * 1000;
    join();
  }
  // Sends a request; a lost one breaks the connection and the member joins again.
  template <class OnReply>
  void call(protocol::ApiKey key, std::int16_t version, Bytes body, const std::string& what, OnReply on_reply) {
    auto frame = test::Broker::frame(key, version, 1, body);
    const auto at = epoch;
    const auto on = connection;
    bool sent = net.send(id, broker.id(), what, [this, frame = std::move(frame), at, on, what, on_reply]() mutable {
      broker.receive(on, std::move(frame), [this, at, what, on_reply](Bytes response) {
        if (!net.send(broker.id(), id, what + " answer",
                      [this, at, on_reply, response = std::move(response)] {
                        if (at == epoch) on_reply(ByteSpan(response).subspan(4));
                      }))
          world.after(0, "", [this, at] { if (at == epoch) reconnect(); });
      });
    });
    if (!sent) world.after(50, "", [this, at] { if (at == epoch) reconnect(); });
  }
  void reconnect() {
    broker.close(connection);
    ++connection;
    join();
  }
  void join() {
    ++epoch;
    owned.clear();
    if (world.now_ms() >= stop_at_ms) return;
    protocol::JoinGroupRequest j;
    j.group_id = "g";
    j.session_timeout_ms = 1'000;
    j.rebalance_timeout_ms = 1'000;
    j.member_id = member_id;
    j.protocol_type = "consumer";
    j.protocols = {{"range", {}}};
    call(protocol::ApiKey::join_group, 3, protocol::encode_join_group_request(j, 3), fmt::format("join {}", id),
         [this](ByteSpan body) {
           auto r = protocol::decode_join_group_response(body, 3);
           if (!r) return;
           if (r->error == Errc::unknown_member_id) member_id.clear();
           if (r->error != Errc::none) return world.after(20, "", [this] { join(); });
           member_id = r->member_id;
           generation = r->generation_id;
           sync(*r);
         });
  }
  void sync(const protocol::JoinGroupResponse& joined) {
    protocol::SyncGroupRequest s{"g", generation, member_id, std::nullopt, {}};
    if (joined.leader == member_id) {
      std::vector<std::string> ids;
      for (const auto& m : joined.members) ids.push_back(m.member_id);
      std::sort(ids.begin(), ids.end());
      for (std::size_t i = 0; i < ids.size(); ++i) {
        Bytes a;
        for (int p = 0; p < 6; ++p)
          if (static_cast<std::size_t>(p) * ids.size() / 6 == i) a.push_back(static_cast<std::byte>(p));
        s.assignments.push_back({ids[i], a});
      }
    }
    call(protocol::ApiKey::sync_group, 1, protocol::encode_sync_group_request(s, 1), fmt::format("sync {}", id),
         [this](ByteSpan body) {
           auto r = protocol::decode_sync_group_response(body, 1);
           if (!r || r->error != Errc::none) return join();
           owned.clear();
           for (auto b : r->assignment) owned.insert(static_cast<int>(b));
           assignments[generation][member_id] = owned;
           world.note(fmt::format("member {} ({}) owns {} partition(s) in generation {}", id, member_id, owned.size(),
                                  generation));
           heartbeat();
         });
  }
  void heartbeat() {
    const auto at = epoch;
    world.after(100, "", [this, at] {
      if (at != epoch || world.now_ms() >= stop_at_ms) return;
      protocol::HeartbeatRequest h{"g", generation, member_id, std::nullopt};
      call(protocol::ApiKey::heartbeat, 1, protocol::encode_heartbeat_request(h, 1), fmt::format("heartbeat {}", id),
           [this](ByteSpan body) {
             auto r = protocol::decode_heartbeat_response(body, 1);
             if (r && r->error == Errc::none) return heartbeat();
             join();  // a rebalance, or this member was removed
           });
    });
  }
};

// Three members; one of them is cut off from the broker for three seconds, far past its
// one-second session. It loses its partitions, the others take them over, and it gets
// some back after it returns — and in no generation is a partition handed to two members.
TEST_CASE("a group member whose network pauses past its session loses its partitions and none has two owners", "[ch03][sim]") {
  for (auto seed : sim::seeds(50)) {
    sim::World world(seed);
    sim::Network net(world);
    net.set_default({1, 3, 0});
    auto config = sim_config();
    config.group.min_session_timeout_ms = 100;
    config.group.initial_rebalance_delay_ms = 0;
    sim::SimBroker broker(world, 1, config);
    REQUIRE(broker.start().ok());
    std::map<std::int32_t, std::map<std::string, std::set<int>>> handed_out;
    std::vector<std::unique_ptr<GroupMember>> members;
    for (int m = 0; m < 3; ++m) {
      members.push_back(std::make_unique<GroupMember>(world, net, broker, 300 + m, handed_out));
      world.at(world.between(0, 50), "", [&, m] { members[static_cast<std::size_t>(m)]->start(8'000); });
    }
    const auto pause_at = world.between(2'000, 2'500);
    world.at(pause_at, "pause member 300", [&] { net.partition(300, 1); });
    world.at(pause_at + 3'000, "member 300 returns", [&] { net.heal(); });
    std::set<int> owned_by_others_while_away;
    bool paused_one_out = false;
    world.at(pause_at + 2'500, "", [&] {
      // By now its session (1 s) has expired and the rebalance has finished.
      paused_one_out = members[0]->member_id.empty() ||
                       std::none_of(handed_out.rbegin()->second.begin(), handed_out.rbegin()->second.end(),
                                    [&](const auto& e) { return e.first == members[0]->member_id; });
      for (std::size_t m = 1; m < 3; ++m) owned_by_others_while_away.insert(members[m]->owned.begin(), members[m]->owned.end());
    });
    REQUIRE(world.run());
    INFO(sim::replay_hint("a group member whose network pauses past its session loses its partitions and none has two owners", seed));
    INFO(world.timeline_text(40));
    std::size_t double_owned = 0;
    for (const auto& [generation, by_member] : handed_out) {
      std::map<int, int> owners;
      for (const auto& [member, partitions] : by_member)
        for (auto p : partitions) double_owned += ++owners[p] > 1 ? 1 : 0;
    }
    CHECK(double_owned == 0);
    CHECK(paused_one_out);
    CHECK(owned_by_others_while_away.size() == 6);  // the other two took everything over
    // After it came back, the last generation gives each of the three members some partitions.
    REQUIRE_FALSE(handed_out.empty());
    const auto& last = handed_out.rbegin()->second;
    CHECK(last.size() == 3);
    std::set<int> all;
    for (const auto& [member, partitions] : last) all.insert(partitions.begin(), partitions.end());
    CHECK(all.size() == 6);
  }
}

// flush.messages=1 with group commit: an acknowledgement waits for the fsync, so no crash
// at any moment — between the append and the fsync included — loses an acknowledged record.
TEST_CASE("with flush.messages=1 no crash loses an acknowledged record", "[ch03][sim]") {
  std::size_t acked = 0;
  int crashes = 0;
  for (auto seed : sim::seeds(200)) {
    auto r = run_crashes(seed, {{"flush.messages", "1"}}, -1);
    auto missing = lost(r);
    INFO(sim::replay_hint("with flush.messages=1 no crash loses an acknowledged record", seed));
    INFO(r.timeline);
    CHECK(missing.empty());
    acked += r.acked.size();
    crashes += r.crashes;
  }
  CHECK(acked > 0);
  CHECK(crashes > 0);
}

// The same with segments of 512 bytes, a roll every few records, and power cuts inside
// the work of a request: after an append but before its fsync, half-way through a roll's
// files and checkpoints, between a rename and the directory's fsync.
TEST_CASE("with flush.messages=1 tiny segments and power cuts inside requests no acknowledged record is lost", "[ch03][sim]") {
  std::size_t acked = 0;
  int crashes = 0;
  for (auto seed : sim::seeds(100)) {
    auto r = run_crashes(seed, {{"flush.messages", "1"}, {"segment.bytes", "512"}}, -1, /*power_cuts=*/true);
    crashes += r.crashes;
    INFO(sim::replay_hint("with flush.messages=1 tiny segments and power cuts inside requests no acknowledged record is lost", seed));
    INFO(r.timeline);
    CHECK(lost(r).empty());
    acked += r.acked.size();
  }
  CHECK(acked > 0);
  CHECK(crashes > 100);  // the power cuts did happen
}

// A compacted topic under power cuts: the cleaner builds cleaned copies of sealed
// segments in the background and swaps them in on a log tick; power cuts land inside
// appends, rolls, seals, cleanings and swaps. Checked after a last crash and restart:
// for every key, the latest acknowledged value is still there at its offset (compaction
// may drop older values, never the newest), and nothing is stored that was not sent.
TEST_CASE("a compacted topic keeps the latest acknowledged value of every key through power cuts in cleanings", "[ch03][sim]") {
  std::size_t acked_total = 0, stored_total = 0;
  int interrupted_cleanings = 0, crashes = 0;
  for (auto seed : sim::seeds(100)) {
    sim::World world(seed);
    sim::Network net(world);
    net.set_default({1, 2, 0});
    sim::SimBroker broker(world, 1, sim_config());
    REQUIRE(broker.start().ok());
    REQUIRE(broker.node()
                .logs()
                .create_topic("kv", 1,
                              {{"cleanup.policy", "compact"}, {"flush.messages", "1"}, {"segment.bytes", "600"},
                               {"min.cleanable.dirty.ratio", "0.01"}})
                .ok());
    Producer producer(world, net, broker, 100, "kv", -1, 1);
    producer.keys = 4;
    producer.start(3'000);
    broker.tick_logs(100, 3'000, /*power_cut_chance=*/0.3);
    broker.on_crash = [&] {
      ++crashes;
      // A cleaning cut short leaves its files behind: .cleaned before the swap's commit
      // point, .swap after it. The restart must finish or drop it.
      auto names = broker.disk().list("/data/kv-0");
      if (names && std::any_of(names->begin(), names->end(), [](const std::string& n) {
            return n.ends_with(".cleaned") || n.ends_with(".swap");
          }))
        ++interrupted_cleanings;
      world.after(world.between(20, 100), "", [&] { REQUIRE(broker.start().ok()); });
    };
    REQUIRE(world.run());
    broker.on_crash = nullptr;
    if (broker.up()) broker.crash();
    REQUIRE(broker.start().ok());
    const auto kept = stored(broker, "kv");

    INFO(sim::replay_hint("a compacted topic keeps the latest acknowledged value of every key through power cuts in cleanings", seed));
    INFO(world.timeline_text());
    std::map<std::string, std::pair<std::int64_t, std::string>> newest;  // key → (offset, value)
    for (const auto& [value, offset] : producer.acked) {
      auto& n = newest[producer.key_of.at(value)];
      if (n.second.empty() || offset > n.first) n = {offset, value};
    }
    for (const auto& [key, n] : newest) {
      auto it = kept.find(n.second);
      INFO("key " << key << ": newest acknowledged value " << n.second << " at offset " << n.first);
      CHECK((it != kept.end() && it->second == n.first));
    }
    for (const auto& [value, offset] : kept) CHECK(producer.key_of.contains(value));
    acked_total += producer.acked.size();
    stored_total += kept.size();
  }
  CHECK(crashes > 50);
  CHECK(stored_total < acked_total);     // the cleaner did remove old values
  CHECK(interrupted_cleanings > 0);      // and some power cuts did land inside a cleaning
}
