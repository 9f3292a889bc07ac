// generated from final/fuzz/handler_fuzz.cpp; edit there
// fuzz/handler_fuzz.cpp — sequences of requests, good and bad, into the whole broker core.
//
// The request fuzzer proves that decoders survive any bytes. This one goes further: each
// input is a little program — create and delete topics, produce with every acks and
// flush setting, fetch and long-poll, list offsets, send garbage or a damaged copy of a
// valid request, close connections with requests still deferred, move the clock, run the
// logs' maintenance, crash the disk and restart (and, from chapter 3, make group calls
// and unload and load offsets partitions) — run against one broker core (logs, request
// handler and, from chapter 3, the group coordinator) on the in-memory disk and a manual
// clock. Whatever the program, under ASan and UBSan: no crash, no use after
// free, no leak, every response a well-formed frame, and after a crash the broker opens
// again. Deterministic: an input replays exactly.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/log_manager.h"
#include "broker/request_handler.h"
#include "common/clock.h"
#include "common/executor.h"
#include "log/memory_file_system.h"
#include "protocol/api_versions.h"
#include "protocol/fetch.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/wire.h"
#include "record/record.h"
#include "protocol/groups.h"
#include "protocol/init_producer_id.h"
#include "protocol/offsets.h"

using namespace streamcraft;
using namespace streamcraft::protocol;

namespace {

const char* const kTopics[] = {"a", "b", "durable", "kv"};
const char* const kMembers[] = {"", "m-1", "m-2", "c-3"};

[[noreturn]] void broken(const char* what) { throw std::logic_error(what); }

struct Harness {
  log::MemoryFileSystem fs;
  ManualClock clock;
  // Background disk work (roll seals, cleanings) runs when the input says so, so a crash
  // can fall between a roll and its seal.
  ManualExecutor background;
  broker::BrokerConfig config;
  std::unique_ptr<broker::LogManager> logs;
  std::unique_ptr<broker::RequestHandler> handler;
  std::vector<std::uint64_t> outstanding;  // deferred ids not answered yet
  std::int32_t correlation = 1;

  Harness() {
    config.log_dir = "/broker";
    config.num_partitions = 2;
    config.log.segment_bytes = 4096;  // rolls happen within a few requests
    config.group.offsets_partitions = 2;
    config.group.initial_rebalance_delay_ms = 0;
    if (!fs.create_directories(config.log_dir)) broken("cannot create the log directory");
    open();
  }

  // Opens the logs and a fresh handler over what the disk holds.
  void open() {
    handler.reset();
    logs.reset();
    auto opened = broker::LogManager::open(fs, config, clock, &background);
    if (!opened) broken("the broker does not open again after a crash");
    logs = std::move(*opened);
    handler = std::make_unique<broker::RequestHandler>(config, *logs, clock);
    if (!handler->load_groups()) broken("the groups do not load again after a crash");
    outstanding.clear();
  }

  void check(const OutMessage& m) {
    auto flat = m.flatten();
    if (!flat) return;  // a file range of a log deleted meanwhile: the server closes such a connection
    if (flat->size() < 8 || load_be<std::int32_t>(flat->data()) != static_cast<std::int32_t>(flat->size() - 4))
      broken("a response frame whose size prefix is wrong");
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
  }

  void handle(Bytes& frame) {
    auto o = handler->handle(frame);
    if (o.kind == broker::Outcome::Kind::respond) check(o.response);
    if (o.kind == broker::Outcome::Kind::deferred) outstanding.push_back(o.deferred_id);
  }

  void poll() {
    for (const auto& done : handler->poll_deferred()) {
      check(done.response);
      std::erase(outstanding, done.deferred_id);
    }
  }
};

std::int16_t version_of(FuzzedDataProvider& in, ApiKey key) {
  const auto* api = find_api(static_cast<std::int16_t>(key));
  if (!api) broken("an API the handler serves is not advertised");
  return in.ConsumeIntegralInRange<std::int16_t>(api->min_version, api->max_version);
}

std::string topic(FuzzedDataProvider& in) { return kTopics[in.ConsumeIntegralInRange<std::size_t>(0, 3)]; }

Bytes batch(FuzzedDataProvider& in) {
  std::vector<record::RecordSpec> records(in.ConsumeIntegralInRange<std::size_t>(1, 4));
  for (auto& r : records) {
    if (in.ConsumeBool()) r.key = "k" + std::to_string(in.ConsumeIntegralInRange(0, 3));
    if (in.ConsumeBool()) r.value = std::string(in.ConsumeIntegralInRange<std::size_t>(0, 600), 'v');
    r.timestamp = 1'700'000'000'000 + in.ConsumeIntegralInRange(0, 100'000);
  }
  record::BatchOptions options;
  if (in.ConsumeBool()) {  // an idempotent producer
    options.producer_id = in.ConsumeIntegralInRange(0, 2);
    options.producer_epoch = static_cast<std::int16_t>(in.ConsumeIntegralInRange(0, 1));
    options.base_sequence = in.ConsumeIntegralInRange(0, 8);
  }
  auto b = record::build_batch(records, options);
  if (in.ConsumeBool() && !b.empty()) b[in.ConsumeIntegralInRange<std::size_t>(0, b.size() - 1)] ^= std::byte{0x5a};
  return b;
}

void create_topic(Harness& h, FuzzedDataProvider& in) {
  CreateTopicsRequest req;
  CreatableTopic t;
  t.name = topic(in);
  t.num_partitions = in.ConsumeIntegralInRange(-1, 3);
  if (t.name == "durable") t.configs.emplace_back("flush.messages", "1");
  if (t.name == "kv") {
    t.configs.emplace_back("cleanup.policy", in.ConsumeBool() ? "compact" : "compact,delete");
    t.configs.emplace_back("min.cleanable.dirty.ratio", "0.01");
    t.configs.emplace_back("segment.bytes", "1024");
  }
  req.topics.push_back(std::move(t));
  const auto v = version_of(in, ApiKey::create_topics);
  h.send(ApiKey::create_topics, v, encode_create_topics_request(req, v));
}

void produce(Harness& h, FuzzedDataProvider& in) {
  ProduceRequest req;
  static constexpr std::int16_t acks[] = {-1, 0, 1, 2};
  req.acks = acks[in.ConsumeIntegralInRange(0, 3)];
  std::vector<Bytes> batches;
  const auto partitions = in.ConsumeIntegralInRange(1, 3);
  for (int i = 0; i < partitions; ++i) batches.push_back(batch(in));
  req.topics.push_back({topic(in), {}});
  for (int i = 0; i < partitions; ++i)
    req.topics[0].partitions.push_back({in.ConsumeIntegralInRange(-1, 3), ByteSpan(batches[static_cast<std::size_t>(i)])});
  const auto v = version_of(in, ApiKey::produce);
  h.send(ApiKey::produce, v, encode_produce_request(req, v));
}

void fetch(Harness& h, FuzzedDataProvider& in) {
  FetchRequest req;
  req.max_wait_ms = in.ConsumeIntegralInRange(0, 2000);
  req.min_bytes = in.ConsumeIntegralInRange(0, 5000);
  req.max_bytes = in.ConsumeIntegralInRange(0, 1 << 20);
  req.topics.push_back({topic(in), {}});
  const auto partitions = in.ConsumeIntegralInRange(1, 3);
  for (int i = 0; i < partitions; ++i)
    req.topics[0].partitions.push_back(
        {in.ConsumeIntegralInRange(-1, 3), -1, in.ConsumeIntegralInRange<std::int64_t>(-1, 40), -1,
         in.ConsumeIntegralInRange(0, 1 << 16)});
  const auto v = version_of(in, ApiKey::fetch);
  h.send(ApiKey::fetch, v, encode_fetch_request(req, v));
}

void list_offsets(Harness& h, FuzzedDataProvider& in) {
  ListOffsetsRequest req;
  static constexpr std::int64_t when[] = {kEarliestTimestamp, kLatestTimestamp, 1'700'000'050'000};
  req.topics.push_back({topic(in), {{in.ConsumeIntegralInRange(0, 2), when[in.ConsumeIntegralInRange(0, 2)], 1}}});
  const auto v = version_of(in, ApiKey::list_offsets);
  h.send(ApiKey::list_offsets, v, encode_list_offsets_request(req, v));
}

void metadata(Harness& h, FuzzedDataProvider& in) {
  MetadataRequest req;
  if (in.ConsumeBool()) req.topics = std::vector<std::string>{topic(in)};
  req.allow_auto_topic_creation = in.ConsumeBool();
  const auto v = version_of(in, ApiKey::metadata);
  h.send(ApiKey::metadata, v, encode_metadata_request(req, v));
}

void delete_topic(Harness& h, FuzzedDataProvider& in) {
  DeleteTopicsRequest req;
  req.names = {topic(in)};
  const auto v = version_of(in, ApiKey::delete_topics);
  h.send(ApiKey::delete_topics, v, encode_delete_topics_request(req, v));
}

void group_call(Harness& h, FuzzedDataProvider& in) {
  const std::string group = in.ConsumeBool() ? "g" : "h";
  const std::string member = kMembers[in.ConsumeIntegralInRange<std::size_t>(0, 3)];
  const auto generation = in.ConsumeIntegralInRange(-1, 3);
  // Static members (KIP-345): an instance id on half of the calls, so that rejoins
  // replace members and old member ids get fenced. Only the versions that carry it send it.
  const std::optional<std::string> instance =
      in.ConsumeBool() ? std::optional<std::string>(in.ConsumeBool() ? "i" : "j") : std::nullopt;
  switch (in.ConsumeIntegralInRange(0, 9)) {
    case 0: {
      JoinGroupRequest r;
      r.group_id = group;
      r.session_timeout_ms = in.ConsumeIntegralInRange(5'000, 12'000);
      r.rebalance_timeout_ms = in.ConsumeIntegralInRange(1'000, 12'000);
      r.member_id = member;
      r.group_instance_id = instance;
      r.protocol_type = "consumer";
      r.protocols = {{in.ConsumeBool() ? "range" : "roundrobin", Bytes(3, std::byte{1})}};
      const auto v = version_of(in, ApiKey::join_group);
      return h.send(ApiKey::join_group, v, encode_join_group_request(r, v));
    }
    case 1: {
      SyncGroupRequest r{group, generation, member, instance, {}};
      if (in.ConsumeBool()) r.assignments = {{member, Bytes(2, std::byte{7})}};
      const auto v = version_of(in, ApiKey::sync_group);
      return h.send(ApiKey::sync_group, v, encode_sync_group_request(r, v));
    }
    case 2: {
      HeartbeatRequest r{group, generation, member, instance};
      const auto v = version_of(in, ApiKey::heartbeat);
      return h.send(ApiKey::heartbeat, v, encode_heartbeat_request(r, v));
    }
    case 3: {
      LeaveGroupRequest r{group, member, {{member, instance}}};
      const auto v = version_of(in, ApiKey::leave_group);
      return h.send(ApiKey::leave_group, v, encode_leave_group_request(r, v));
    }
    case 4: {
      OffsetCommitRequest r;
      r.group_id = group;
      r.generation_id = generation;
      r.member_id = member;
      r.group_instance_id = instance;
      r.topics = {{topic(in), {{in.ConsumeIntegralInRange(0, 3), in.ConsumeIntegralInRange<std::int64_t>(0, 30), -1, -1,
                                std::string(in.ConsumeIntegralInRange<std::size_t>(0, 5000), 'm')}}}};
      const auto v = version_of(in, ApiKey::offset_commit);
      return h.send(ApiKey::offset_commit, v, encode_offset_commit_request(r, v));
    }
    case 5: {
      OffsetFetchRequest r;
      r.group_id = group;
      const auto v = version_of(in, ApiKey::offset_fetch);
      if (in.ConsumeBool() || v < 2) r.topics = std::vector<OffsetFetchTopic>{{topic(in), {0, 1}}};
      return h.send(ApiKey::offset_fetch, v, encode_offset_fetch_request(r, v));
    }
    case 6: {
      const auto v = version_of(in, ApiKey::find_coordinator);
      return h.send(ApiKey::find_coordinator, v, encode_find_coordinator_request({group}, v));
    }
    case 7: {
      const auto v = version_of(in, ApiKey::delete_groups);
      return h.send(ApiKey::delete_groups, v, encode_delete_groups_request({{group}}, v));
    }
    case 8: {
      // The leadership of an offsets partition moves away or comes back (chapter 4 does
      // this on leader changes): waiting members are answered NOT_COORDINATOR, and a load
      // replays the partition as it is on disk now.
      const auto p = in.ConsumeIntegralInRange(0, h.config.group.offsets_partitions - 1);
      if (in.ConsumeBool()) {
        h.handler->unload_offsets_partition(p);
      } else if (!h.handler->load_offsets_partition(p)) {
        broken("an offsets partition does not load again");
      }
      return;
    }
    default: {
      const auto v = version_of(in, ApiKey::init_producer_id);
      return h.send(ApiKey::init_producer_id, v, encode_init_producer_id_request({std::nullopt, 60'000}, v));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the broker's log lines would cost more than the runs
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Harness h;
  for (int step = 0; step < 64 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange(0, 14)) {
      case 0: create_topic(h, in); break;
      case 1: delete_topic(h, in); break;
      case 2:
      case 3: produce(h, in); break;
      case 4: fetch(h, in); break;
      case 5: list_offsets(h, in); break;
      case 6: metadata(h, in); break;
      case 7: {  // garbage: any bytes as a frame
        auto frame = in.ConsumeBytes<std::byte>(in.ConsumeIntegralInRange<std::size_t>(0, 300));
        h.handle(frame);
        break;
      }
      case 8: h.poll(); break;
      case 9:  // a connection closes with a deferred request
        if (!h.outstanding.empty()) {
          auto i = in.ConsumeIntegralInRange<std::size_t>(0, h.outstanding.size() - 1);
          h.handler->cancel_deferred(h.outstanding[i]);
          h.outstanding.erase(h.outstanding.begin() + static_cast<std::ptrdiff_t>(i));
        }
        break;
      case 10: h.clock.advance_ms(in.ConsumeIntegralInRange(0, 20'000)); break;
      case 11:
        (void)h.logs->tick();
        h.logs->wait_for_cleaner();  // a cleaning, if one started, is built: the next tick swaps it
        break;
      case 12: {  // the power cut: the process dies, the disk keeps what was synced
        const auto seed = in.ConsumeIntegral<std::uint32_t>();
        h.handler.reset();
        h.logs.reset();
        h.background.discard();  // the jobs died with the process
        h.fs.crash([seed](const std::filesystem::path&, std::uint64_t unsynced) { return seed % (unsynced + 1); });
        h.open();
        break;
      }
      case 13: h.background.run_next(); break;
      default:
        group_call(h, in);
        break;
    }
  }
  h.poll();
  return 0;
}
