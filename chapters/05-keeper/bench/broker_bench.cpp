// generated from final/bench/broker_bench.cpp; edit there
// bench/broker_bench.cpp — how fast is the broker, next to what the machine can do?
//
// Everything runs in one process on 127.0.0.1: a broker on its own thread (exactly the
// server `streamcraft broker` runs) and a client on the main thread. Two clients take
// turns: ours (client/) and librdkafka (bench/rdkafka_peer.h), and each figure is put
// next to a baseline measured in the same run, as a ratio:
//   produce, 100 B records     records/s     vs  Redis Streams XADD, pipelined (redis-server)
//   produce, 1 KiB records     payload MB/s  vs  raw loopback TCP, one socket, 1 MiB writes
//   consume, 1 KiB records     payload MB/s  vs  raw loopback TCP
// Our producer keeps up to 8 requests in flight (pipelining), as real producers do;
// acks=1; small records go in ~16 KiB batches, 1 KiB records in 1 MiB batches.
// librdkafka batches with its own defaults. Progress goes to stderr; the table to
// stdout, to --out (Markdown) and as a bar chart to --plot (SVG).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <asio.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bench/in_process_broker.h"
#include "bench/workload.h"
#include "bench/report.h"
#include "bench/rdkafka_peer.h"
#include "broker/log_manager.h"
#include "broker/request_handler.h"
#include "client/kafka_client.h"
#include "common/executor.h"
#include "record/record.h"

namespace fs = std::filesystem;
using namespace streamcraft;
using Stopwatch = std::chrono::steady_clock;

using bench::Row;
using bench::format_rate;
using bench::format_ratio;
using bench::svg_plot;
using bench::fail;
using bench::produce;
using bench::seconds_since;
using bench::loopback_bytes_per_second;

namespace {

// Fetches everything in partition 0 from offset 0; returns records per second.
double consume(client::KafkaClient& c, const std::string& topic, std::int64_t end) {
  std::int64_t offset = 0;
  auto start = Stopwatch::now();
  while (offset < end) {
    protocol::FetchRequest req;
    req.max_bytes = 32 << 20;
    req.topics = {{topic, {{0, -1, offset, -1, 16 << 20}}}};
    auto r = c.fetch(req);
    if (!r) fail(r.error().describe());
    const auto& p = r->response.topics.at(0).partitions.at(0);
    if (p.error != Errc::none || !p.records || p.records->empty()) fail("fetch returned nothing");
    ByteSpan rest = *p.records;
    while (rest.size() >= record::layout::header_size) {
      auto h = record::decode_header(rest);
      if (h->total_size() > rest.size()) break;
      offset = h->next_offset();
      rest = rest.subspan(h->total_size());
    }
  }
  return static_cast<double>(end) / seconds_since(start);
}

// Redis Streams: XADD of `total` 100-byte values, pipelined 1000 at a time, to a
// redis-server started on a free port. Returns records per second, or 0 if unavailable.
double redis_xadd_per_second(std::size_t total, const fs::path& dir) {
  if (std::system("command -v redis-server > /dev/null 2>&1") != 0) return 0;
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  pid_t pid = fork();
  if (pid == 0) {
    // Redis's start-up chatter would interleave with the table on stdout.
    if (int devnull = open("/dev/null", O_WRONLY); devnull >= 0) {
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
    }
    auto port_text = std::to_string(port);
    auto dir_text = dir.string();
    execlp("redis-server", "redis-server", "--port", port_text.c_str(), "--bind", "127.0.0.1", "--save", "",
           "--appendonly", "no", "--dir", dir_text.c_str(), "--loglevel", "warning", static_cast<char*>(nullptr));
    _exit(127);
  }
  asio::ip::tcp::socket s(io);
  std::error_code ec;
  for (int i = 0; i < 100; ++i) {  // up to 5 s for redis to listen
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) break;
    s = asio::ip::tcp::socket(io);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  double rate = 0;
  if (!ec) {
    const std::string value(100, 'x');
    const std::string cmd = fmt::format("*5\r\n$4\r\nXADD\r\n$6\r\nbench1\r\n$1\r\n*\r\n$1\r\nv\r\n$100\r\n{}\r\n", value);
    std::string batch;
    for (int i = 0; i < 1000; ++i) batch += cmd;
    std::vector<char> buf(1 << 16);
    auto start = Stopwatch::now();
    for (std::size_t done = 0; done < total; done += 1000) {
      asio::write(s, asio::buffer(batch));
      // Each reply is one bulk string line pair ("$15\r\n<id>\r\n"): count 2000 CRLFs.
      std::size_t crlf = 0;
      while (crlf < 2000) {
        auto n = s.read_some(asio::buffer(buf), ec);
        if (ec) break;
        crlf += static_cast<std::size_t>(std::count(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n), '\n'));
      }
      if (ec) break;
    }
    if (!ec) rate = static_cast<double>(total) / seconds_since(start);
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  return rate;
}


// Deleting a case's topics when it is done discards their dirty pages before the kernel
// starts writing them back: every case measures the broker, not the disk's write-back
// (chapter 1's benchmark measures that).
void delete_topics(client::KafkaClient& c, std::vector<std::string> names) {
  protocol::DeleteTopicsRequest del;
  del.names = std::move(names);
  if (auto r = c.delete_topics(del); !r) fail(r.error().describe());
}

void create_topic(client::KafkaClient& c, const std::string& name, std::int32_t partitions,
                  std::optional<std::uint64_t> segment_bytes = std::nullopt) {
  protocol::CreateTopicsRequest create;
  create.topics = {{name, partitions, 1, {}, {}}};
  if (segment_bytes) create.topics[0].configs = {{"segment.bytes", std::to_string(*segment_bytes)}};
  auto r = c.create_topics(create);
  if (!r) fail(r.error().describe());
  if (r->topics.at(0).error != Errc::none) fail("cannot create topic " + name);
}

// librdkafka's figure for a case, in the case's unit (0 when it is not available).
double rdkafka_rate(const bench::RdkafkaRun& run, double amount) {
  if (!run.error.empty()) {
    fmt::print(stderr, "  librdkafka: {}\n", run.error);
    return 0;
  }
  return amount / run.seconds;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Broker produce/consume throughput next to loopback TCP and Redis Streams"};
  std::string dir = "bench-data";
  std::size_t records = 2'000'000;
  std::string out, plot;
  app.add_option("--dir", dir, "scratch directory for the broker's logs")->capture_default_str();
  app.add_option("--records", records, "100-byte records per produce run (half as many 1 KiB records)")
      ->capture_default_str();
  app.add_option("--out", out, "write the results table to this Markdown file");
  app.add_option("--plot", plot, "write a bar chart of the ratios to this SVG file");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (!bench::rdkafka_available())
    fmt::print(stderr, "built without librdkafka (install librdkafka-dev and rebuild): its column is n/a\n");

  std::vector<Row> rows;
  std::string roll_summary;  // what a roll costs, in one sentence
  fmt::print(stderr, "baseline: raw loopback TCP (best of 3) …\n");
  const double loopback = loopback_bytes_per_second(1ull << 30) / 1e6;
  fmt::print(stderr, "baseline: Redis Streams XADD, pipelined …\n");
  fs::create_directories(fs::path(dir) / "redis");
  const double redis = redis_xadd_per_second(std::min<std::size_t>(records, 1'000'000), fs::path(dir) / "redis");
  if (redis == 0) fmt::print(stderr, "  redis-server not found or not answering: that baseline is skipped\n");
  {
    // Segments of 1.5 GiB: the runs measure steady appends, and one case rolls on purpose
    // (create_topic's segment_bytes) to show what a roll costs.
    bench::InProcessBroker broker(fs::path(dir) / "broker", [](broker::BrokerConfig& c) { c.log.segment_bytes = 1536ull << 20; });
    auto c = client::KafkaClient::connect(broker.bootstrap(), "bench");
    if (!c) fail(c.error().describe());
    const bool rdkafka = bench::rdkafka_available();

    for (std::int32_t partitions : {1, 6}) {
      const std::string topic = fmt::format("small{}", partitions);
      create_topic(**c, topic, partitions);
      create_topic(**c, "rk-" + topic, partitions);
      fmt::print(stderr, "produce {} × 100 B records to {} partition(s) …\n", records, partitions);
      double s = produce(**c, topic, partitions, records, 100, 16 * 1024);
      double rk = 0;
      if (rdkafka) {
        fmt::print(stderr, "  … and with librdkafka\n");
        rk = rdkafka_rate(bench::rdkafka_produce(broker.bootstrap(), "rk-" + topic, partitions, records, 100),
                          static_cast<double>(records));
      }
      rows.push_back({fmt::format("produce 100 B, {} partition(s)", partitions), static_cast<double>(records) / s, rk,
                      "Redis XADD", redis, "records/s"});
      delete_topics(**c, {topic, "rk-" + topic});
    }

    const std::size_t big = std::max<std::size_t>(1, records / 2);
    const double big_mb = static_cast<double>(big) * 1024 / 1e6;
    Row consume_row;
    for (std::int32_t partitions : {1, 6}) {
      const std::string topic = fmt::format("big{}", partitions);
      create_topic(**c, topic, partitions);
      create_topic(**c, "rk-" + topic, partitions);
      fmt::print(stderr, "produce {} × 1 KiB records to {} partition(s) …\n", big, partitions);
      double s = produce(**c, topic, partitions, big, 1024, 1 << 20);
      double rk = 0;
      if (rdkafka) {
        fmt::print(stderr, "  … and with librdkafka\n");
        rk = rdkafka_rate(bench::rdkafka_produce(broker.bootstrap(), "rk-" + topic, partitions, big, 1024), big_mb);
      }
      rows.push_back({fmt::format("produce 1 KiB, {} partition(s)", partitions), big_mb / s, rk, "loopback TCP",
                      loopback, "MB/s"});
      if (partitions == 1) {
        fmt::print(stderr, "consume {} × 1 KiB records from one partition …\n", big);
        double per_second = consume(**c, topic, static_cast<std::int64_t>(big));
        double rk_consume = 0;
        if (rdkafka) {
          fmt::print(stderr, "  … and with librdkafka\n");
          rk_consume = rdkafka_rate(bench::rdkafka_consume(broker.bootstrap(), topic, big), big_mb);
        }
        consume_row = {"consume 1 KiB (fetch, sendfile)", per_second * 1024 / 1e6, rk_consume, "loopback TCP", loopback,
                       "MB/s"};
      }
      delete_topics(**c, {topic, "rk-" + topic});
    }
    rows.push_back(consume_row);

  }
  {
    // What a roll costs. The same produce of 1 GB into 1.5 GiB segments (no roll), into
    // 128 MiB segments (a roll every 128 MiB, each sealing a full segment: its fsync and
    // the checkpoint files run as a background job, log/log.h: Rolling), and into 128 MiB
    // segments on a second broker whose jobs run inline — on the broker's one thread, as
    // sealing did before it had an executor, so every client waits for each seal. Rounds
    // alternate the three and each keeps its best of five: one run lasts about a second,
    // so a single run says more about the machine's neighbours than about the roll.
    //
    // Read the first two with care: the rolled run writes its gigabyte to the disk while
    // it runs (each seal is an fsync), the unrolled one never does (its topic is deleted
    // before write-back starts). On a disk the gap is that write-back competing for the
    // machine, not the broker's thread: on tmpfs (`--dir /dev/shm/...`, where fsync costs
    // nothing) the two match.
    const std::size_t big = std::max<std::size_t>(1, records / 2);
    const double mb = static_cast<double>(big) * 1024 / 1e6;
    InlineExecutor inline_jobs;
    bench::InProcessBroker background(fs::path(dir) / "background");
    bench::InProcessBroker inline_broker(fs::path(dir) / "inline", {}, &inline_jobs);
    auto c = client::KafkaClient::connect(background.bootstrap(), "bench");
    auto ci = client::KafkaClient::connect(inline_broker.bootstrap(), "bench");
    if (!c) fail(c.error().describe());
    if (!ci) fail(ci.error().describe());
    struct Variant {
      const char* name;
      client::KafkaClient& client;
      std::uint64_t segment_bytes;
      double best = 0;
    };
    std::vector<Variant> variants = {{"1.5 GiB segments", **c, 1536ull << 20},
                                     {"128 MiB segments, sealed in the background", **c, 128ull << 20},
                                     {"128 MiB segments, sealed on the broker's thread", **ci, 128ull << 20}};
    constexpr int kRounds = 5;
    for (int round = 0; round < kRounds; ++round) {
      for (auto& v : variants) {
        const std::string topic = fmt::format("roll-{}", round);
        create_topic(v.client, topic, 1, v.segment_bytes);
        fmt::print(stderr, "produce {} × 1 KiB records to 1 partition, {} (round {} of {}) …\n", big, v.name,
                   round + 1, kRounds);
        double mb_per_s = mb / produce(v.client, topic, 1, big, 1024, 1 << 20);
        fmt::print(stderr, "  {:.0f} MB/s\n", mb_per_s);
        v.best = std::max(v.best, mb_per_s);
        delete_topics(v.client, {topic});
      }
    }
    for (const auto& v : variants)
      rows.push_back({fmt::format("produce 1 KiB, 1 partition, {} (best of {})", v.name, kRounds), v.best, 0,
                      "loopback TCP", loopback, "MB/s"});
    roll_summary = fmt::format(
        "Rolling every 128 MiB: {:.2f}× the speed of not rolling with seals in the background, {:.2f}× with seals on "
        "the broker's thread (best of {} each, same run).\n",
        variants[1].best / variants[0].best, variants[2].best / variants[0].best, kRounds);
  }
  fs::remove_all(dir);

  const std::string table = bench::table(rows);
  fmt::print("\n{}", table);
  fmt::print("\n{}", roll_summary);
  if (!out.empty()) {
    std::ofstream(out) << "# Broker benchmark\n\nOne machine, loopback, same run; acks=1. Our client: 8 requests in "
                          "flight, 100 B records in ~16 KiB batches, 1 KiB records in 1 MiB batches. librdkafka: "
                          "its default batching. MB/s counts record values (payload).\n\n"
                       << table << "\n" << roll_summary;
  }
  if (!plot.empty()) std::ofstream(plot) << svg_plot(rows);
  return 0;
}
