// generated from final/fuzz/node_fuzz.cpp; edit there
// fuzz/node_fuzz.cpp — a replicated broker, and its controller, told anything by anyone.
//
// The handler fuzzer drives a broker alone. From chapter 4 a broker also takes orders —
// LeaderAndIsr, UpdateMetadata, StopReplica, TopicConfigs from "the controller",
// registrations, heartbeats, ISR proposals and controlled shutdowns from "brokers" — and
// it is a client of the other brokers, whose answers it must survive too. Nothing in
// those messages is authenticated (the lesson says why), so any of them may come from a
// confused or hostile sender: stale or future epochs, leaders that are not replicas,
// ISRs naming unknown brokers, partitions of topics that do not exist.
//
// Each input is a program run against broker 1 of a three-broker cluster, opened as
// broker::Node on the in-memory disk and a manual clock: sometimes the controller
// (controller.id 1), sometimes not (controller.id 2). The steps: control and controller
// requests with fields drawn from the input; produce (every acks), consumer and follower
// fetches, OffsetsForLeaderEpoch; the network's part for its requests to other brokers —
// connect or refuse, answer with garbage, a damaged frame or the right correlation id and
// arbitrary bytes, or break the connection (requests to itself it serves itself, as the
// real driver does); the clock and the replication timer; power cuts and restarts.
// Whatever the program, under ASan and UBSan: no crash, no use after free, no leak, every
// response a well-formed frame, and after a crash the node opens again.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/node.h"
#include "common/clock.h"
#include "common/executor.h"
#include "log/memory_file_system.h"
#include "protocol/control.h"
#include "protocol/fetch.h"
#include "protocol/offsets_for_leader_epoch.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/wire.h"
#include "record/record.h"

using namespace streamcraft;
using namespace streamcraft::protocol;

namespace {

const char* const kTopics[] = {"a", "b", "__consumer_offsets"};

[[noreturn]] void broken(const char* what) { throw std::logic_error(what); }

struct Harness {
  log::MemoryFileSystem fs;
  ManualClock clock;
  ManualExecutor background;
  broker::BrokerConfig config;
  std::unique_ptr<broker::Node> node;
  std::vector<std::uint64_t> outstanding;  // deferred ids not answered yet
  std::vector<Bytes> sent;                 // frames to other brokers, waiting for the network
  std::int32_t correlation = 1;

  explicit Harness(bool controller) {
    config.log_dir = "/broker";
    config.node_id = 1;
    config.controller_id = controller ? 1 : 2;
    for (int id = 1; id <= 3; ++id)
      config.cluster_brokers.push_back({id, {"127.0.0.1", static_cast<std::uint16_t>(9000 + id)}});
    config.num_partitions = 2;
    config.default_replication_factor = 3;
    config.log.segment_bytes = 4096;
    config.group.offsets_partitions = 2;
    if (!fs.create_directories(config.log_dir)) broken("cannot create the log directory");
    open();
  }

  void open() {
    node.reset();
    auto opened = broker::Node::open(fs, config, clock, &background);
    if (!opened) broken("the node does not open again after a crash");
    node = std::move(*opened);
    outstanding.clear();
    sent.clear();
  }

  void check(const OutMessage& m) {
    auto flat = m.flatten();
    if (!flat) return;
    if (flat->size() < 8 || load_be<std::int32_t>(flat->data()) != static_cast<std::int32_t>(flat->size() - 4))
      broken("a response frame whose size prefix is wrong");
  }

  // Serves one frame (without its size prefix); the response frame, if any, with it.
  std::optional<Bytes> handle(Bytes& frame) {
    auto o = node->handler().handle(frame);
    if (o.kind == broker::Outcome::Kind::deferred) outstanding.push_back(o.deferred_id);
    if (o.kind != broker::Outcome::Kind::respond) return std::nullopt;
    check(o.response);
    auto flat = o.response.flatten();
    if (!flat) return std::nullopt;
    return Bytes(flat->begin(), flat->end());
  }

  void send(ApiKey key, std::int16_t version, const Bytes& body) {
    Bytes f;
    Encoder e(f);
    e.i16(static_cast<std::int16_t>(key));
    e.i16(version);
    e.i32(correlation++);
    e.nullable_string(std::string("fuzz"));
    e.raw(body);
    handle(f);
    after();
  }

  // What the driver does after every event: deferred answers, the replication timer's
  // work, and the peer requests that became due.
  void after() {
    for (const auto& done : node->handler().poll_deferred()) {
      check(done.response);
      std::erase(outstanding, done.deferred_id);
    }
    node->tick_replication();
    auto* peers = node->peers();
    if (!peers) return;
    for (auto& action : peers->take_actions()) {
      using Kind = broker::PeerRequests::Action::Kind;
      if (action.kind == Kind::send) {
        if (action.frame.size() < 4 + 8) broken("a peer request frame too short for its header");
        if (load_be<std::int32_t>(action.frame.data()) != static_cast<std::int32_t>(action.frame.size() - 4))
          broken("a peer request frame whose size prefix is wrong");
        sent.push_back(std::move(action.frame));
        sent_to.push_back(action.node);
      } else if (action.kind == Kind::connect) {
        connecting.push_back(action.node);
      }
    }
  }

  std::vector<std::int32_t> sent_to;     // the node of each frame in `sent`
  std::vector<std::int32_t> connecting;  // nodes waiting for the network's answer

  void complete() {
    if (auto* peers = node->peers()) node->on_peer_completions(peers->take_completions());
  }
};

std::int32_t broker_id(FuzzedDataProvider& in) { return in.ConsumeIntegralInRange(-1, 4); }
std::string topic(FuzzedDataProvider& in) { return kTopics[in.ConsumeIntegralInRange<std::size_t>(0, 2)]; }

std::vector<std::int32_t> brokers(FuzzedDataProvider& in) {
  std::vector<std::int32_t> out(in.ConsumeIntegralInRange<std::size_t>(0, 4));
  for (auto& b : out) b = broker_id(in);
  return out;
}

std::int32_t small_epoch(FuzzedDataProvider& in) { return in.ConsumeIntegralInRange(-1, 4); }
std::int64_t broker_epoch(FuzzedDataProvider& in) { return in.ConsumeIntegralInRange<std::int64_t>(-1, 4); }

void leader_and_isr(Harness& h, FuzzedDataProvider& in) {
  LeaderAndIsrRequest r;
  r.controller_id = broker_id(in);
  r.controller_epoch = small_epoch(in);
  r.broker_epoch = broker_epoch(in);
  LeaderAndIsrTopicState t{topic(in), {}};
  const auto n = in.ConsumeIntegralInRange(1, 3);
  for (int i = 0; i < n; ++i) {
    LeaderAndIsrPartitionState p;
    p.partition_index = in.ConsumeIntegralInRange(-1, 3);
    p.controller_epoch = r.controller_epoch;
    p.leader = broker_id(in);
    p.leader_epoch = small_epoch(in);
    p.isr = brokers(in);
    p.zk_version = in.ConsumeIntegralInRange(-1, 5);
    p.replicas = in.ConsumeBool() ? std::vector<std::int32_t>{1, 2, 3} : brokers(in);
    p.is_new = in.ConsumeBool();
    t.partition_states.push_back(std::move(p));
  }
  r.topic_states.push_back(std::move(t));
  for (int id = 1; id <= 3; ++id)
    if (in.ConsumeBool()) r.live_leaders.push_back({id, "127.0.0.1", 9000 + id});
  const std::int16_t v = in.ConsumeBool() ? 2 : 3;
  h.send(ApiKey::leader_and_isr, v, encode_leader_and_isr_request(r, v));
}

void update_metadata(Harness& h, FuzzedDataProvider& in) {
  UpdateMetadataRequest r;
  r.controller_id = broker_id(in);
  r.controller_epoch = small_epoch(in);
  r.broker_epoch = broker_epoch(in);
  UpdateMetadataTopicState t{topic(in), {}};
  const auto n = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < n; ++i) {
    UpdateMetadataPartitionState p;
    p.partition_index = in.ConsumeIntegralInRange(-1, 3);
    p.controller_epoch = r.controller_epoch;
    p.leader = broker_id(in);
    p.leader_epoch = small_epoch(in);
    p.isr = brokers(in);
    p.zk_version = in.ConsumeIntegralInRange(-1, 5);
    p.replicas = in.ConsumeBool() ? std::vector<std::int32_t>{1, 2, 3} : brokers(in);
    if (in.ConsumeBool()) p.offline_replicas = brokers(in);
    t.partition_states.push_back(std::move(p));
  }
  r.topic_states.push_back(std::move(t));
  for (int id = 1; id <= 3; ++id)
    if (in.ConsumeBool())
      r.live_brokers.push_back({in.ConsumeBool() ? id : broker_id(in),
                                {{9000 + id, in.ConsumeBool() ? "127.0.0.1" : "", "PLAINTEXT", 0}},
                                std::nullopt});
  h.send(ApiKey::update_metadata, 5, encode_update_metadata_request(r, 5));
}

void stop_replica(Harness& h, FuzzedDataProvider& in) {
  StopReplicaRequest r;
  r.controller_id = broker_id(in);
  r.controller_epoch = small_epoch(in);
  r.broker_epoch = broker_epoch(in);
  r.delete_partitions = in.ConsumeBool();
  r.topics = {{topic(in), {in.ConsumeIntegralInRange(-1, 3)}}};
  h.send(ApiKey::stop_replica, 1, encode_stop_replica_request(r, 1));
}

void topic_configs(Harness& h, FuzzedDataProvider& in) {
  static const char* const kKeys[] = {"min.insync.replicas", "segment.bytes", "retention.bytes", "cleanup.policy",
                                      "flush.messages", "unknown.key"};
  static const char* const kValues[] = {"2", "1024", "-1", "compact", "0", "x", "99999999999999999999"};
  TopicConfigsRequest r;
  r.controller_id = broker_id(in);
  r.controller_epoch = small_epoch(in);
  r.broker_epoch = broker_epoch(in);
  TopicConfigsTopic t{topic(in), {}};
  const auto n = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < n; ++i)
    t.configs.push_back({kKeys[in.ConsumeIntegralInRange<std::size_t>(0, 5)],
                         kValues[in.ConsumeIntegralInRange<std::size_t>(0, 6)]});
  r.topics.push_back(std::move(t));
  h.send(ApiKey::topic_configs, 0, encode_topic_configs_request(r, 0));
}

void to_controller(Harness& h, FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: {
      BrokerRegistrationRequest r{broker_id(in), in.ConsumeBool() ? "127.0.0.1" : "", in.ConsumeIntegralInRange(0, 9003),
                                  std::nullopt};
      return h.send(ApiKey::broker_registration, 0, encode_broker_registration_request(r, 0));
    }
    case 1: {
      BrokerHeartbeatRequest r{broker_id(in), broker_epoch(in)};
      return h.send(ApiKey::broker_heartbeat, 0, encode_broker_heartbeat_request(r, 0));
    }
    case 2: {
      AlterIsrRequest r;
      r.broker_id = broker_id(in);
      r.broker_epoch = broker_epoch(in);
      r.topics = {{topic(in), {{in.ConsumeIntegralInRange(-1, 3), small_epoch(in), brokers(in),
                                in.ConsumeIntegralInRange(-1, 5)}}}};
      return h.send(ApiKey::alter_isr, 0, encode_alter_isr_request(r, 0));
    }
    case 3: {
      ControlledShutdownRequest r{broker_id(in), broker_epoch(in)};
      const std::int16_t v = in.ConsumeBool() ? 1 : 2;
      return h.send(ApiKey::controlled_shutdown, v, encode_controlled_shutdown_request(r, v));
    }
    default: {
      CreateTopicsRequest r;
      r.topics = {{topic(in), in.ConsumeIntegralInRange(-1, 3), static_cast<std::int16_t>(in.ConsumeIntegralInRange(-1, 4)),
                   {}, {}}};
      if (in.ConsumeBool()) r.topics[0].assignments = {{0, brokers(in)}};
      const std::int16_t v = static_cast<std::int16_t>(in.ConsumeIntegralInRange(0, 4));
      return h.send(ApiKey::create_topics, v, encode_create_topics_request(r, v));
    }
  }
}

void produce(Harness& h, FuzzedDataProvider& in) {
  std::vector<record::RecordSpec> records(in.ConsumeIntegralInRange<std::size_t>(1, 3));
  for (auto& r : records) r.value = std::string(in.ConsumeIntegralInRange<std::size_t>(0, 300), 'v');
  record::BatchOptions options;
  options.partition_leader_epoch = small_epoch(in);  // the leader stamps its own
  auto batch = record::build_batch(records, options);
  ProduceRequest req;
  static constexpr std::int16_t acks[] = {-1, 0, 1};
  req.acks = acks[in.ConsumeIntegralInRange(0, 2)];
  req.timeout_ms = in.ConsumeIntegralInRange(0, 5'000);
  req.topics = {{topic(in), {{in.ConsumeIntegralInRange(-1, 2), ByteSpan(batch)}}}};
  h.send(ApiKey::produce, 7, encode_produce_request(req, 7));
}

void fetch(Harness& h, FuzzedDataProvider& in) {
  FetchRequest req;
  req.replica_id = in.ConsumeBool() ? -1 : broker_id(in);  // a consumer, or "a follower"
  req.max_wait_ms = in.ConsumeIntegralInRange(0, 2000);
  req.min_bytes = in.ConsumeIntegralInRange(0, 100);
  req.topics = {{topic(in), {{in.ConsumeIntegralInRange(-1, 2), small_epoch(in), in.ConsumeIntegralInRange<std::int64_t>(-1, 20),
                               -1, in.ConsumeIntegralInRange(0, 1 << 16)}}}};
  h.send(ApiKey::fetch, 11, encode_fetch_request(req, 11));
}

void offsets_for_leader_epoch(Harness& h, FuzzedDataProvider& in) {
  OffsetsForLeaderEpochRequest req;
  req.replica_id = in.ConsumeBool() ? kConsumerReplicaId : broker_id(in);
  req.topics = {{topic(in), {{in.ConsumeIntegralInRange(-1, 2), small_epoch(in), small_epoch(in)}}}};
  h.send(ApiKey::offsets_for_leader_epoch, 3, encode_offsets_for_leader_epoch_request(req, 3));
}

// The network's part for one request to another broker (or this one).
void network(Harness& h, FuzzedDataProvider& in) {
  auto* peers = h.node->peers();
  if (!peers) return;
  if (!h.connecting.empty() && in.ConsumeBool()) {
    const auto node = h.connecting.front();
    h.connecting.erase(h.connecting.begin());
    if (in.ConsumeBool()) peers->on_connected(node);
    else peers->on_disconnected(node);
  } else if (!h.sent.empty()) {
    auto frame = std::move(h.sent.front());
    const auto node = h.sent_to.front();
    h.sent.erase(h.sent.begin());
    h.sent_to.erase(h.sent_to.begin());
    const auto correlation = load_be<std::int32_t>(frame.data() + 8);
    switch (in.ConsumeIntegralInRange(0, 4)) {
      case 0: {  // served by this broker (the controller talking to its own broker) or answered well
        if (node == h.config.node_id) {
          Bytes request(frame.begin() + 4, frame.end());
          if (auto response = h.handle(request)) peers->on_response(node, ByteSpan(*response).subspan(4));
          break;
        }
        [[fallthrough]];
      }
      case 1: {  // the right correlation id, then anything
        Bytes response(4);
        store_be<std::int32_t>(response.data(), correlation);
        auto rest = in.ConsumeBytes<std::byte>(in.ConsumeIntegralInRange<std::size_t>(0, 200));
        response.insert(response.end(), rest.begin(), rest.end());
        peers->on_response(node, response);
        break;
      }
      case 2: {  // any bytes at all
        auto junk = in.ConsumeBytes<std::byte>(in.ConsumeIntegralInRange<std::size_t>(0, 64));
        peers->on_response(node, junk);
        break;
      }
      case 3: peers->on_disconnected(node); break;
      default: break;  // lost: the request times out
    }
  }
  h.complete();
  h.after();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Harness h(in.ConsumeBool());
  h.after();
  for (int step = 0; step < 64 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange(0, 13)) {
      case 0: leader_and_isr(h, in); break;
      case 1: update_metadata(h, in); break;
      case 2: stop_replica(h, in); break;
      case 3: topic_configs(h, in); break;
      case 4: to_controller(h, in); break;
      case 5: produce(h, in); break;
      case 6: fetch(h, in); break;
      case 7: offsets_for_leader_epoch(h, in); break;
      case 8:
      case 9: network(h, in); break;
      case 10: {  // time passes: timeouts, lag checks, heartbeats
        h.clock.advance_ms(in.ConsumeIntegralInRange(0, 10'000));
        if (auto* peers = h.node->peers()) peers->tick();
        h.complete();
        h.after();
        break;
      }
      case 11: {  // a deferred request's connection closes
        if (!h.outstanding.empty()) {
          h.node->handler().cancel_deferred(h.outstanding.front());
          h.outstanding.erase(h.outstanding.begin());
        }
        break;
      }
      case 12: {  // the power cut
        const auto seed = in.ConsumeIntegral<std::uint32_t>();
        h.node.reset();
        h.background.discard();
        h.fs.crash([seed](const std::filesystem::path&, std::uint64_t unsynced) { return seed % (unsynced + 1); });
        h.open();
        h.after();
        break;
      }
      default:
        h.background.run_next();
        (void)h.node->logs().tick();
        h.after();
        break;
    }
  }
  return 0;
}
