// generated from final/bench/group_bench.cpp; edit there
// bench/group_bench.cpp — consumer groups and the idempotent producer, measured.
//
// A broker runs on a background thread of this process (bench/in_process_broker.h);
// librdkafka provides the real clients: its consumer-group implementation and its
// idempotent producer. Each figure is put next to a baseline from the same run:
//   group consumption, 1/2/3 members   records/s  vs  the same group with one member
//   failover after kill -9 of a member  seconds   vs  session.timeout.ms
//   idempotent produce                  records/s  vs  plain produce (acks=1; here acks=all
//                                                      is the same until chapter 4)
//   durable produce (flush.messages=1,  records/s  vs  write + fdatasync per record, raw
//     acks=all, group commit)
// A member that is killed must be a process of its own: the benchmark re-executes itself
// with --member to run one. Progress goes to stderr; the table to stdout and --out
// (Markdown), a bar chart of the ratios to --plot (SVG).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include "bench/in_process_broker.h"
#include "bench/rdkafka_peer.h"
#include "bench/report.h"
#include "client/kafka_client.h"

namespace fs = std::filesystem;
using namespace streamcraft;
using Stopwatch = std::chrono::steady_clock;

namespace {

constexpr int kSessionTimeoutMs = 6000;
constexpr std::int32_t kPartitions = 6;

[[noreturn]] void fail(const std::string& what) {
  fmt::print(stderr, "benchmark failed: {}\n", what);
  std::exit(1);
}

double seconds_since(Stopwatch::time_point t) { return std::chrono::duration<double>(Stopwatch::now() - t).count(); }

// One group member: a librdkafka consumer that counts what it reads and remembers which
// partitions it owns (through the rebalance callback).
class Member {
 public:
  Member(const std::string& bootstrap, const std::string& group, const std::string& topic) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", bootstrap},
        {"group.id", group},
        {"auto.offset.reset", "earliest"},
        {"session.timeout.ms", std::to_string(kSessionTimeoutMs)},
        {"heartbeat.interval.ms", "500"},
        {"log_level", "3"},
    };
    for (const auto& [k, v] : settings)
      if (rd_kafka_conf_set(conf, k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) fail(err);
    rd_kafka_conf_set_rebalance_cb(conf, &Member::on_rebalance);
    rd_kafka_conf_set_opaque(conf, this);
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk_) fail(err);
    rd_kafka_poll_set_consumer(rk_);
    auto* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (rd_kafka_subscribe(rk_, topics) != RD_KAFKA_RESP_ERR_NO_ERROR) fail("subscribe failed");
    rd_kafka_topic_partition_list_destroy(topics);
  }
  ~Member() {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  // Polls once (up to `ms`); returns the partition of the record read, or -1.
  std::int32_t poll(int ms) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, ms);
    if (!m) return -1;
    std::int32_t partition = -1;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++consumed_;
      partition = m->partition;
    }
    rd_kafka_message_destroy(m);
    return partition;
  }
  std::uint64_t consumed() const { return consumed_; }
  std::set<std::int32_t> owned() {
    std::lock_guard lock(mutex_);
    return owned_;
  }

 private:
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque) {
    auto* self = static_cast<Member*>(opaque);
    std::lock_guard lock(self->mutex_);
    self->owned_.clear();
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      for (int i = 0; i < parts->cnt; ++i) self->owned_.insert(parts->elems[i].partition);
      rd_kafka_assign(rk, parts);
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }

  rd_kafka_t* rk_ = nullptr;
  std::uint64_t consumed_ = 0;
  std::mutex mutex_;
  std::set<std::int32_t> owned_;
};

// `members` consumers in one new group read `total` records; returns records per second
// from the first record to the last.
double group_consumption(const std::string& bootstrap, const std::string& topic, int members, std::size_t total) {
  const std::string group = fmt::format("consume-{}", members);
  std::atomic<std::size_t> consumed{0};
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> first_ns{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < members; ++i) {
    threads.emplace_back([&] {
      Member m(bootstrap, group, topic);
      const auto deadline = Stopwatch::now() + std::chrono::seconds(120);
      while (!done && Stopwatch::now() < deadline) {
        if (m.poll(100) < 0) continue;
        std::int64_t zero = 0;
        first_ns.compare_exchange_strong(zero, Stopwatch::now().time_since_epoch().count());
        if (++consumed >= total) done = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  if (consumed < total) fail(fmt::format("{} member(s) consumed only {} of {} records", members, consumed.load(), total));
  const auto first = Stopwatch::time_point(Stopwatch::duration(first_ns.load()));
  return static_cast<double>(total) / seconds_since(first);
}

// Two members, one of them a process of its own; a producer keeps records coming. Kills
// the other process with SIGKILL and returns the seconds until the surviving member owns
// and reads from every partition.
double failover_seconds(const std::string& self_exe, const std::string& bootstrap, const std::string& topic) {
  const std::string group = "failover";
  Member survivor(bootstrap, group, topic);
  pid_t child = fork();
  if (child == 0) {
    execl(self_exe.c_str(), self_exe.c_str(), "--member", bootstrap.c_str(), "--group", group.c_str(), "--topic",
          topic.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // A steady trickle of records to every partition, so that "consumed again" is visible.
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    while (!stop) {
      bench::rdkafka_produce(bootstrap, topic, kPartitions, 60, 100);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  auto wait_until = [&](auto condition, int seconds, const char* what) {
    const auto deadline = Stopwatch::now() + std::chrono::seconds(seconds);
    while (!condition()) {
      if (Stopwatch::now() > deadline) {
        stop = true;
        producer.join();
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        fail(what);
      }
      survivor.poll(20);
    }
  };
  wait_until([&] { return survivor.owned().size() == kPartitions / 2; }, 60, "the two members never shared the partitions");
  const auto before = survivor.owned();
  fmt::print(stderr, "  two members own 3 partitions each; kill -9 the other one\n");
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  const auto killed_at = Stopwatch::now();
  std::set<std::int32_t> taken_over;
  wait_until(
      [&] {
        if (survivor.owned().size() != kPartitions) return false;
        auto p = survivor.poll(20);
        if (p >= 0 && !before.contains(p)) taken_over.insert(p);
        return taken_over.size() == kPartitions - before.size();
      },
      60, "the survivor never took over the killed member's partitions");
  const double seconds = seconds_since(killed_at);
  stop = true;
  producer.join();
  return seconds;
}

// The raw cost of durability: 100-byte writes to a file, each followed by fdatasync, for
// about two seconds, in the benchmark's directory (the broker's disk). Records per second.
double raw_fdatasync_per_second(const fs::path& dir) {
  const auto path = dir / "fdatasync-probe";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("cannot create " + path.string());
  const std::string record(100, 'x');
  std::size_t n = 0;
  const auto start = Stopwatch::now();
  while (seconds_since(start) < 2.0) {
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) || ::fdatasync(fd) != 0)
      fail("write/fdatasync failed");
    ++n;
  }
  const double rate = static_cast<double>(n) / seconds_since(start);
  ::close(fd);
  fs::remove(path);
  return rate;
}

// --member: one group member until killed.
int run_member(const std::string& bootstrap, const std::string& group, const std::string& topic) {
  Member m(bootstrap, group, topic);
  for (;;) m.poll(100);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Consumer groups and the idempotent producer, with librdkafka"};
  std::string dir = "bench-groups";
  std::size_t records = 600'000;
  std::string out, plot, member, group, topic;
  app.add_option("--dir", dir, "scratch directory for the broker's logs")->capture_default_str();
  app.add_option("--records", records, "records per run")->capture_default_str();
  app.add_option("--out", out, "write the results table to this Markdown file");
  app.add_option("--plot", plot, "write a bar chart of the ratios to this SVG file");
  app.add_option("--member", member, "(internal) run one group member against this bootstrap address");
  app.add_option("--group", group, "(internal) the member's group");
  app.add_option("--topic", topic, "(internal) the member's topic");
  CLI11_PARSE(app, argc, argv);
  if (!member.empty()) return run_member(member, group, topic);
  spdlog::set_level(spdlog::level::warn);
  fs::remove_all(dir);
  fs::create_directories(dir);

  std::vector<bench::Row> rows;
  {
    bench::InProcessBroker broker(fs::path(dir) / "broker", [](broker::BrokerConfig& c) {
      c.num_partitions = kPartitions;
      c.group.offsets_partitions = 3;
      // Members start one after the other here; waiting 3 s for more would only add 3 s.
      c.group.initial_rebalance_delay_ms = 0;
      c.group.min_session_timeout_ms = 1000;
    });
    const auto bootstrap = broker.bootstrap();
    fmt::print(stderr, "produce {} × 100 B records to {} partitions …\n", records, kPartitions);
    auto produced = bench::rdkafka_produce(bootstrap, "events", kPartitions, records, 100);
    if (!produced.error.empty()) fail(produced.error);

    double one = 0;
    for (int members : {1, 2, 3}) {
      fmt::print(stderr, "consume them in a group of {} …\n", members);
      const double rate = group_consumption(bootstrap, "events", members, records);
      if (members == 1) one = rate;
      rows.push_back({fmt::format("group of {} consumes", members), 0, rate, "1 member", one, "records/s"});
    }

    fmt::print(stderr, "failover: kill -9 one of two members …\n");
    const double failover = failover_seconds(fs::read_symlink("/proc/self/exe").string(), bootstrap, "failover");
    rows.push_back({"failover after kill -9", 0, failover, "session.timeout.ms", kSessionTimeoutMs / 1000.0, "s"});

    fmt::print(stderr, "produce {} records, plain (acks=1) and idempotent …\n", records);
    auto plain = bench::rdkafka_produce(bootstrap, "plain", kPartitions, records, 100, false);
    auto idempotent = bench::rdkafka_produce(bootstrap, "idempotent", kPartitions, records, 100, true);
    if (!plain.error.empty()) fail(plain.error);
    if (!idempotent.error.empty()) fail(idempotent.error);
    rows.push_back({"idempotent produce", 0, static_cast<double>(records) / idempotent.seconds, "plain produce",
                    static_cast<double>(records) / plain.seconds, "records/s"});

    fmt::print(stderr, "durable produce: flush.messages=1 with group commit, against raw fdatasync …\n");
    auto admin = client::KafkaClient::connect(bootstrap, "bench");
    if (!admin) fail(admin.error().describe());
    protocol::CreateTopicsRequest create;
    create.topics = {{"durable", kPartitions, 1, {}, {{"flush.messages", std::string("1")}}}};
    if (auto r = (*admin)->create_topics(create); !r) fail(r.error().describe());
    const std::size_t durable_records = std::max<std::size_t>(1, records / 10);
    auto durable = bench::rdkafka_produce(bootstrap, "durable", kPartitions, durable_records, 100, true);
    if (!durable.error.empty()) fail(durable.error);
    const double raw = raw_fdatasync_per_second(fs::path(dir));
    rows.push_back({"durable produce (fsync, group commit)", 0, static_cast<double>(durable_records) / durable.seconds,
                    "write+fdatasync per record", raw, "records/s"});
  }
  fs::remove_all(dir);

  std::string table = "| case | librdkafka | baseline | ratio |\n|---|---:|---:|---:|\n";
  for (const auto& r : rows)
    table += fmt::format("| {} | {} | {} ({}) | {} |\n", r.name, bench::format_rate(r.rdkafka, r.unit),
                         bench::format_rate(r.baseline, r.unit), r.baseline_name,
                         bench::format_ratio(r.rdkafka, r.baseline));
  fmt::print("\n{}", table);
  if (!out.empty())
    std::ofstream(out) << "# Consumer groups and idempotence benchmark\n\nOne machine, loopback, librdkafka "
                          "clients, same run. Failover: lower is better.\n\n"
                       << table;
  if (!plot.empty()) std::ofstream(plot) << bench::svg_plot(rows);
  return 0;
}
