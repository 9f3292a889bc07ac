// generated from tests/client/group_client_test.cpp; edit there
// client/group_client_test.cpp — the consumer side of consumer groups: Kafka's
// ConsumerProtocol blobs (against bytes assembled by hand from Kafka's schemas), the range
// assignor's arithmetic, and GroupConsumers against a real broker on a thread — sharing a
// topic, taking over from a member that leaves, and resuming at the committed offsets.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "bench/in_process_broker.h"
#include "client/consumer_protocol.h"
#include "client/group_consumer.h"
#include "client/kafka_client.h"
#include "record/record.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using namespace std::chrono_literals;

namespace {

// Bytes from a list of small integers: the hand-assembled blobs below read like a hex dump.
Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Bytes str(std::string_view s) {  // an int16-length-prefixed string
  const auto b = as_bytes(s);
  return bytes({0, static_cast<int>(s.size())}) + Bytes(b.begin(), b.end());
}

// An assignment as "topic-partition" names, easy to compare.
std::vector<std::string> names(const client::Assignment& a) {
  std::vector<std::string> out;
  for (const auto& t : a.topics)
    for (auto p : t.partitions) out.push_back(fmt::format("{}-{}", t.topic, p));
  return out;
}

using Expected = std::map<std::string, std::vector<std::string>>;

Expected range(const std::vector<client::MemberSubscription>& members, const std::map<std::string, std::int32_t>& counts) {
  Expected out;
  for (const auto& [member, a] : client::assign_range(members, counts)) out[member] = names(a);
  return out;
}

}  // namespace

TEST_CASE("a consumer subscription is Kafka's version 0 bytes and round-trips", "[ch03]") {
  const Bytes expected = bytes({0, 0, 0, 0, 0, 2}) + str("orders") + str("users") + bytes({0xff, 0xff, 0xff, 0xff});
  CHECK(client::encode_subscription({{"orders", "users"}, std::nullopt}) == expected);
  auto decoded = client::decode_subscription(expected);
  REQUIRE(decoded.ok());
  CHECK(decoded->topics == std::vector<std::string>{"orders", "users"});
  CHECK_FALSE(decoded->user_data);

  const client::Subscription with_data{{"t"}, bytes({1, 2, 3})};
  const Bytes encoded = client::encode_subscription(with_data);
  CHECK(encoded == bytes({0, 0, 0, 0, 0, 1}) + str("t") + bytes({0, 0, 0, 3, 1, 2, 3}));
  auto again = client::decode_subscription(encoded);
  REQUIRE(again.ok());
  CHECK(again->topics == with_data.topics);
  CHECK(again->user_data == with_data.user_data);

  // A version 1 subscription (from a newer Java client) appends owned partitions: the v0
  // fields are read and the rest is ignored, as Kafka does.
  const Bytes v1 = bytes({0, 1, 0, 0, 0, 1}) + str("orders") + bytes({0xff, 0xff, 0xff, 0xff}) +
                   bytes({0, 0, 0, 1}) + str("orders") + bytes({0, 0, 0, 1, 0, 0, 0, 3});
  auto newer = client::decode_subscription(v1);
  REQUIRE(newer.ok());
  CHECK(newer->topics == std::vector<std::string>{"orders"});

  CHECK_FALSE(client::decode_subscription(bytes({0, 0, 0, 0, 0, 2}) + str("orders")).ok());  // truncated
  CHECK_FALSE(client::decode_subscription(bytes({0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})).ok());  // version -1
  CHECK_FALSE(client::decode_subscription({}).ok());
}

TEST_CASE("a consumer assignment is Kafka's version 0 bytes and round-trips", "[ch03]") {
  const Bytes expected = bytes({0, 0, 0, 0, 0, 2}) + str("orders") + bytes({0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3}) +
                         str("users") + bytes({0, 0, 0, 1, 0, 0, 0, 7}) + bytes({0xff, 0xff, 0xff, 0xff});
  const client::Assignment a{{{"orders", {0, 3}}, {"users", {7}}}, std::nullopt};
  CHECK(client::encode_assignment(a) == expected);
  auto decoded = client::decode_assignment(expected);
  REQUIRE(decoded.ok());
  CHECK(names(*decoded) == std::vector<std::string>{"orders-0", "orders-3", "users-7"});
  CHECK_FALSE(decoded->user_data);

  const client::Assignment with_data{{{"t", {1}}}, bytes({9})};
  auto again = client::decode_assignment(client::encode_assignment(with_data));
  REQUIRE(again.ok());
  CHECK(names(*again) == std::vector<std::string>{"t-1"});
  CHECK(again->user_data == with_data.user_data);

  // The coordinator gives a member the leader left out an empty blob: no partitions.
  auto empty = client::decode_assignment({});
  REQUIRE(empty.ok());
  CHECK(empty->topics.empty());
  CHECK_FALSE(client::decode_assignment(Bytes(expected.begin(), expected.end() - 6)).ok());  // truncated
}

TEST_CASE("the range assignor gives each member a contiguous range and the first members one extra", "[ch03]") {
  const std::vector<std::string> t{"t"};
  CHECK(range({{"a", t}, {"b", t}}, {{"t", 4}}) == Expected{{"a", {"t-0", "t-1"}}, {"b", {"t-2", "t-3"}}});
  // 7 partitions, 3 members: 7 / 3 = 2 each, and the first 7 % 3 = 1 member gets a third.
  CHECK(range({{"a", t}, {"b", t}, {"c", t}}, {{"t", 7}}) ==
        Expected{{"a", {"t-0", "t-1", "t-2"}}, {"b", {"t-3", "t-4"}}, {"c", {"t-5", "t-6"}}});
  // Members are ordered by member id, not by the order the coordinator listed them in.
  CHECK(range({{"m-3", t}, {"m-1", t}, {"m-2", t}}, {{"t", 3}}) ==
        Expected{{"m-1", {"t-0"}}, {"m-2", {"t-1"}}, {"m-3", {"t-2"}}});
  // More members than partitions: the last ones get nothing, but still an assignment.
  CHECK(range({{"a", t}, {"b", t}, {"c", t}}, {{"t", 2}}) == Expected{{"a", {"t-0"}}, {"b", {"t-1"}}, {"c", {}}});
}

TEST_CASE("the range assignor works per topic and only among the members subscribed to it", "[ch03]") {
  // Kafka's own example: two topics of 3 partitions, two members. Range works topic by
  // topic, so the first member gets the extra partition of both topics.
  const std::vector<std::string> both{"t0", "t1"};
  CHECK(range({{"c0", both}, {"c1", both}}, {{"t0", 3}, {"t1", 3}}) ==
        Expected{{"c0", {"t0-0", "t0-1", "t1-0", "t1-1"}}, {"c1", {"t0-2", "t1-2"}}});
  // b does not subscribe to t0: all of t0 goes to a, and t1 is split between both.
  CHECK(range({{"a", {"t0", "t1"}}, {"b", {"t1"}}}, {{"t0", 2}, {"t1", 2}}) ==
        Expected{{"a", {"t0-0", "t0-1", "t1-0"}}, {"b", {"t1-1"}}});
  // A topic the cluster does not know is assigned to nobody.
  CHECK(range({{"a", {"ghost", "t"}}}, {{"t", 1}}) == Expected{{"a", {"t-0"}}});
  CHECK(range({}, {{"t", 3}}).empty());
}

namespace {

// A broker on 127.0.0.1 (any free port) on its own thread — the benchmarks' in-process
// broker — with group timings made for tests: the first rebalance does not wait for more
// members, and short sessions are allowed.
struct GroupBroker {
  test::TempDir dir;
  bench::InProcessBroker broker{dir.path(), [](broker::BrokerConfig& c) {
                                  c.group.initial_rebalance_delay_ms = 0;
                                  c.group.min_session_timeout_ms = 100;
                                  c.group.offsets_partitions = 3;
                                }};
  std::string bootstrap() const { return broker.bootstrap(); }
};

// Appends `count` records "p<partition>-<offset>" to a partition; the partition's log
// end offset before the append is `first_offset`, so each value names its own position.
void produce(client::KafkaClient& c, const std::string& topic, std::int32_t partition, std::int64_t first_offset,
             int count) {
  std::vector<record::RecordSpec> specs;
  for (int i = 0; i < count; ++i)
    specs.push_back({std::nullopt, fmt::format("p{}-{}", partition, first_offset + i), {}, 1'700'000'000'000});
  const Bytes batch = record::build_batch(specs);
  protocol::ProduceRequest req;
  req.acks = 1;
  req.topics = {{topic, {{partition, ByteSpan(batch)}}}};
  auto resp = c.produce(req);
  REQUIRE(resp.ok());
  REQUIRE(resp->topics.at(0).partitions.at(0).error == Errc::none);
  REQUIRE(resp->topics.at(0).partitions.at(0).base_offset == first_offset);
}

client::GroupConsumerConfig consumer_config(const std::string& bootstrap, const std::string& client_id) {
  client::GroupConsumerConfig c;
  c.bootstrap = bootstrap;
  c.group_id = "workers";
  c.topics = {"jobs"};
  c.client_id = client_id;
  // Generous sessions (sanitizer builds on a busy machine stall), quick heartbeats: a
  // member learns of a rebalance within ~100 ms.
  c.session_timeout_ms = 10'000;
  c.rebalance_timeout_ms = 10'000;
  c.heartbeat_interval_ms = 100;
  c.fetch_max_wait_ms = 100;
  c.auto_offset_reset = client::OffsetReset::earliest;
  return c;
}

// A GroupConsumer polled on a thread of its own: JoinGroup blocks until every member has
// joined, so two members of one group cannot take turns on one thread. The test thread
// looks at what it has done through snapshots; Catch2 assertions stay on the test thread.
class ConsumerThread {
 public:
  struct Snapshot {
    std::int32_t generation = -1;
    std::vector<client::TopicPartition> assignment;
    std::map<client::TopicPartition, std::int64_t> positions;
    std::vector<client::ConsumedRecord> records;  // everything consumed, in order
    std::optional<std::string> error;
    bool closed = false;
  };

  explicit ConsumerThread(client::GroupConsumerConfig config) : thread_([this, config] { run(config); }) {}
  ~ConsumerThread() { stop(); }
  ConsumerThread(const ConsumerThread&) = delete;
  ConsumerThread& operator=(const ConsumerThread&) = delete;

  // Closes the consumer (commit, LeaveGroup) and waits for the thread.
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  Snapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
  }

 private:
  void run(const client::GroupConsumerConfig& config) {
    auto consumer = client::GroupConsumer::open(config);
    if (!consumer) return fail(consumer.error());
    auto& c = **consumer;
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    for (int round = 0; round < 100'000 && !stop_ && std::chrono::steady_clock::now() < give_up; ++round) {
      auto records = c.poll(50ms);
      if (!records) return fail(records.error());
      // Commit each batch, as an application does once it has processed it. A commit
      // refused because of a rebalance is part of the protocol, not a failure.
      if (auto s = c.commit(); !s && s.error().code != Errc::rebalance_in_progress &&
                                s.error().code != Errc::illegal_generation && s.error().code != Errc::unknown_member_id)
        return fail(s.error());
      std::lock_guard lock(mutex_);
      snapshot_.generation = c.generation();
      snapshot_.assignment = c.assignment();
      snapshot_.positions = c.positions();
      snapshot_.records.insert(snapshot_.records.end(), records->begin(), records->end());
    }
    auto closed = c.close();
    std::lock_guard lock(mutex_);
    if (!closed) snapshot_.error = closed.error().describe();
    snapshot_.closed = true;
  }
  void fail(const Error& e) {
    std::lock_guard lock(mutex_);
    snapshot_.error = e.describe();
  }

  mutable std::mutex mutex_;
  Snapshot snapshot_;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: it starts once everything it uses exists
};

// Waits, in short bounded polls, until `done` holds or `timeout` is over.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 30s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

bool all_at(const std::map<client::TopicPartition, std::int64_t>& positions, std::size_t partitions, std::int64_t offset) {
  return positions.size() == partitions &&
         std::all_of(positions.begin(), positions.end(), [&](const auto& e) { return e.second == offset; });
}

// (partition, offset) of every record, checked against its value "p<partition>-<offset>".
std::multiset<std::pair<std::int32_t, std::int64_t>> positions_of(const std::vector<client::ConsumedRecord>& records) {
  std::multiset<std::pair<std::int32_t, std::int64_t>> out;
  for (const auto& r : records) {
    CHECK(r.value == fmt::format("p{}-{}", r.partition, r.offset));
    out.emplace(r.partition, r.offset);
  }
  return out;
}

std::multiset<std::pair<std::int32_t, std::int64_t>> expected_positions(const std::vector<std::int32_t>& partitions,
                                                                        std::int64_t from, std::int64_t to) {
  std::multiset<std::pair<std::int32_t, std::int64_t>> out;
  for (auto p : partitions)
    for (auto o = from; o < to; ++o) out.emplace(p, o);
  return out;
}

std::vector<std::int32_t> partitions_of(const std::vector<client::TopicPartition>& tps) {
  std::vector<std::int32_t> out;
  for (const auto& tp : tps) out.push_back(tp.partition);
  return out;
}

}  // namespace

TEST_CASE("group consumers share a topic then one takes over and a new one resumes at the committed offsets", "[ch03][client]") {
  GroupBroker broker;
  auto admin = client::KafkaClient::connect(broker.bootstrap(), "admin");
  REQUIRE(admin.ok());
  protocol::CreateTopicsRequest create;
  create.topics = {{"jobs", 4, 1, {}, {}}};
  auto created = (*admin)->create_topics(create);
  REQUIRE(created.ok());
  REQUIRE(created->topics.at(0).error == Errc::none);
  REQUIRE((*admin)->check_coordinator("workers").ok());
  const std::vector<std::int32_t> all{0, 1, 2, 3};
  for (auto p : all) produce(**admin, "jobs", p, 0, 5);

  // Two members: each ends up with two partitions of its own and reads them to the end.
  ConsumerThread first(consumer_config(broker.bootstrap(), "first"));
  ConsumerThread second(consumer_config(broker.bootstrap(), "second"));
  auto split = [&](std::int64_t at) {
    auto a = first.snapshot(), b = second.snapshot();
    if (a.error || b.error || a.generation < 0 || a.generation != b.generation) return false;
    if (a.assignment.size() != 2 || b.assignment.size() != 2) return false;
    return all_at(a.positions, 2, at) && all_at(b.positions, 2, at);
  };
  REQUIRE(eventually([&] { return split(5); }));
  {
    auto a = first.snapshot(), b = second.snapshot();
    std::set<std::int32_t> owned;
    for (auto p : partitions_of(a.assignment)) owned.insert(p);
    for (auto p : partitions_of(b.assignment)) CHECK(owned.insert(p).second);  // no partition twice
    CHECK(owned == std::set<std::int32_t>{0, 1, 2, 3});
    // Whoever owned a partition before the rebalance committed before giving it up: no
    // record was consumed twice, none was missed.
    auto seen = positions_of(a.records);
    seen.merge(positions_of(b.records));
    CHECK(seen == expected_positions(all, 0, 5));
  }

  // New records go to the owner of their partition, and to nobody else.
  const auto before_a = first.snapshot(), before_b = second.snapshot();
  for (auto p : all) produce(**admin, "jobs", p, 5, 5);
  REQUIRE(eventually([&] { return split(10); }));
  {
    auto a = first.snapshot(), b = second.snapshot();
    auto new_a = positions_of({a.records.begin() + static_cast<std::ptrdiff_t>(before_a.records.size()), a.records.end()});
    auto new_b = positions_of({b.records.begin() + static_cast<std::ptrdiff_t>(before_b.records.size()), b.records.end()});
    // Whatever the timing, every new record was consumed exactly once between the two.
    auto both = new_a;
    both.merge(std::multiset(new_b));
    CHECK(both == expected_positions(all, 5, 10));
    // Within one generation, each by the owner of its partition. (A member stalled past
    // its session by a slow machine starts a new generation; then ownership moved and
    // only the exactly-once check above applies.)
    if (a.generation == before_a.generation && b.generation == before_b.generation) {
      CHECK(new_a == expected_positions(partitions_of(a.assignment), 5, 10));
      CHECK(new_b == expected_positions(partitions_of(b.assignment), 5, 10));
    } else {
      WARN("a rebalance happened while new records were produced: ownership checked by exactly-once only");
    }
  }

  // The first member leaves (commit, LeaveGroup): the second takes over all partitions,
  // from the offsets the first committed.
  first.stop();
  {
    auto a = first.snapshot();
    CHECK(a.closed);
    CHECK_FALSE(a.error);
  }
  REQUIRE(eventually([&] {
    auto b = second.snapshot();
    return !b.error && b.generation > before_b.generation && b.assignment.size() == 4 && all_at(b.positions, 4, 10);
  }));
  for (auto p : all) produce(**admin, "jobs", p, 10, 5);
  REQUIRE(eventually([&] { return all_at(second.snapshot().positions, 4, 15); }));
  second.stop();
  {
    auto a = first.snapshot(), b = second.snapshot();
    CHECK_FALSE(b.error);
    auto seen = positions_of(a.records);
    seen.merge(positions_of(b.records));
    CHECK(seen == expected_positions(all, 0, 15));  // every record exactly once
  }

  // What the group has committed: 15 everywhere.
  protocol::OffsetFetchRequest fetch;
  fetch.group_id = "workers";
  fetch.topics = std::vector<protocol::OffsetFetchTopic>{{"jobs", all}};
  auto committed = (*admin)->offset_fetch(fetch);
  REQUIRE(committed.ok());
  REQUIRE(committed->topics.size() == 1);
  for (const auto& p : committed->topics[0].partitions) CHECK(p.committed_offset == 15);

  // A new member, on this thread (it is alone in the group), resumes exactly there — not
  // at auto.offset.reset's earliest.
  for (auto p : all) produce(**admin, "jobs", p, 15, 5);
  auto third = client::GroupConsumer::open(consumer_config(broker.bootstrap(), "third"));
  REQUIRE(third.ok());
  std::vector<client::ConsumedRecord> records;
  const auto until = std::chrono::steady_clock::now() + 30s;
  for (int round = 0; round < 1000 && records.size() < 20 && std::chrono::steady_clock::now() < until; ++round) {
    auto batch = (*third)->poll(100ms);
    REQUIRE(batch.ok());
    records.insert(records.end(), batch->begin(), batch->end());
  }
  CHECK((*third)->assignment().size() == 4);
  CHECK(positions_of(records) == expected_positions(all, 15, 20));
  CHECK((*third)->caught_up());
  REQUIRE((*third)->close().ok());

  auto described = (*admin)->describe_groups({"workers"});
  REQUIRE(described.ok());
  CHECK(described->groups.at(0).group_state == "Empty");
  committed = (*admin)->offset_fetch(fetch);
  REQUIRE(committed.ok());
  for (const auto& p : committed->topics.at(0).partitions) CHECK(p.committed_offset == 20);
}
