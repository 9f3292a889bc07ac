// bench/keeper_bench.cpp — how fast is keeper, next to the ZooKeeper it stands in for?
//
// Two servers in one run, each standalone on a free 127.0.0.1 port with its own dataDir
// and the same zoo.cfg (forceSync=yes: a write is answered only once it is on disk):
//   keeper          `streamcraft keeper --config zoo.cfg`, its own process
//   ZooKeeper 3.8   Debian's (package zookeeper): ZooKeeperServerMain on a Java runtime
// One client for both, the one most ZooKeeper bindings wrap: the C client
// (libzookeeper_mt). Keeper speaks ZooKeeper's protocol, so the very same calls go to
// either server and every figure is a ratio keeper / ZooKeeper:
//   one op at a time    create, set, get: ops/s, p50 and p99 round trip (µs) — latency
//                       when nothing queues: one request, its fsync (writes), its reply
//   100 in flight       create, set, get, delete: ops/s with exactly 100 requests
//                       outstanding (each completion sends the next) — what group commit
//                       and the request pipeline give when there is always work
//   watch fan-out       1,000 sessions each hold a one-shot data watch on one znode;
//                       one setData; time until the last watcher has its notification.
//                       One watch per session, because a server keeps one watch per
//                       session and path: 10 sessions × 100 watches would be 10
//                       notifications on the wire, fanned out to 100 callbacks each by the
//                       client library — a benchmark of the client. 1,000 sessions cost
//                       1,000 connections and 2,000 client threads (the C client's I/O
//                       and completion threads), which the machine's cores share with
//                       the server: the last notification is partly the client's time.
// The chapter's goals, reported next to what was measured: keeper's 100-in-flight
// throughput at least 3× ZooKeeper's, its one-op p50 at most half of ZooKeeper's.
// Values are 100 bytes. Both servers get the same warm-up first (a JVM compiles its hot
// code only after it has run for a while; measuring its interpreter would flatter keeper)
// and the cases alternate between them, so that a slow moment of the machine hits both.
// Progress goes to stderr; the table to stdout, to --out (Markdown) and, for the ops/s
// rows, as a bar chart to --plot (SVG).
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

// The multi-threaded C client: its synchronous calls (zoo_create …) exist only with
// THREADED defined, as its own build defines it for libzookeeper_mt.
#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>
#include <zookeeper/zookeeper_version.h>

#include "bench/report.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Stopwatch = std::chrono::steady_clock;
namespace bench = streamcraft::bench;

namespace {

// Every failure is an exception, not exit(): unwinding is what stops the servers and
// closes the sessions (their destructors), whatever went wrong where.
struct BenchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

double seconds_since(Stopwatch::time_point t) { return std::chrono::duration<double>(Stopwatch::now() - t).count(); }

double percentile(const std::vector<double>& sorted, double p) {
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// ---- the servers: child processes ---------------------------------------------------------

// A free port on 127.0.0.1: bind to port 0 and ask which one the kernel gave. The socket
// is closed before the server binds it — a tiny window another program could take it in,
// which the server would then report by failing to start.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw BenchError(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw BenchError("cannot find a free port");
  return ntohs(a.sin_port);
}

// A server process, stopped when this object goes: SIGTERM (both servers shut down
// cleanly on it), at most 15 s to exit, then SIGKILL. PR_SET_PDEATHSIG covers the one
// exit no destructor sees — the benchmark itself killed, or interrupted with ^C: the
// kernel then kills the server too.
class Child {
 public:
  Child(std::string name, const std::vector<std::string>& argv, const fs::path& log)
      : name_(std::move(name)), log_(log) {
    // Everything the child needs is prepared before fork(): in a process that may have
    // threads, the child may only call async-signal-safe functions until it execs.
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) throw BenchError(fmt::format("cannot write {}: {}", log.string(), std::strerror(errno)));
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      const int null = ::open("/dev/null", O_RDONLY);
      if (null >= 0) ::dup2(null, STDIN_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out);
    if (pid_ < 0) throw BenchError(fmt::format("fork: {}", std::strerror(errno)));
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { stop(); }

  // Whether it has exited already (a server that cannot start exits: no need to wait
  // for the deadline to learn it).
  bool exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;
    }
    return false;
  }

  void stop() {
    if (exited()) return;
    ::kill(pid_, SIGTERM);
    const auto give_up = Stopwatch::now() + 15s;
    while (Stopwatch::now() < give_up)
      if (exited()) return;
      else std::this_thread::sleep_for(10ms);
    ::kill(pid_, SIGKILL);  // cannot be ignored: the wait below ends
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  const std::string& name() const { return name_; }
  const fs::path& log() const { return log_; }

 private:
  std::string name_;
  fs::path log_;
  pid_t pid_ = -1;
};

// The one zoo.cfg both servers read (keeper takes ZooKeeper's file as it is; the keys
// it does not use — admin.enableServer — are warnings in its log).
//   forceSync=yes             a write is acknowledged after its fsync, on both servers
//   maxClientCnxns=0          no per-IP limit: ZooKeeper's default of 60 would refuse
//                             the fan-out's sessions, which all come from 127.0.0.1
//   admin.enableServer=false  ZooKeeper's HTTP admin server would take port 8080
void write_config(const fs::path& file, const fs::path& data_dir, std::uint16_t port) {
  std::ofstream(file) << fmt::format(
      "tickTime=2000\ndataDir={}\nclientPort={}\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nforceSync=yes\n"
      "4lw.commands.whitelist=ruok,srvr\nadmin.enableServer=false\n",
      data_dir.string(), port);
}

std::optional<fs::path> find_java() {
  if (const char* home = std::getenv("JAVA_HOME"); home && fs::exists(fs::path(home) / "bin/java"))
    return fs::path(home) / "bin/java";
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const fs::path candidate = fs::path(rest.substr(0, colon)) / "java";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
  }
  return std::nullopt;
}

// ZooKeeper's class path from its home: an Apache binary release keeps every jar in
// lib/; Debian's home (/usr/share/zookeeper) holds only the scripts, and its
// /usr/share/java/zookeeper.jar names its dependencies in its manifest — the class path
// tests/integration/keeper_differential.py starts it with too.
std::optional<std::string> zookeeper_classpath(const fs::path& home) {
  if (fs::exists(home / "lib")) {
    for (const auto& e : fs::directory_iterator(home / "lib"))
      if (e.path().filename().string().starts_with("zookeeper-") && e.path().extension() == ".jar")
        return (home / "lib/*").string();
  }
  if (fs::exists(home / "bin/zkServer.sh") && fs::exists("/usr/share/java/zookeeper.jar"))
    return std::string("/usr/share/java/zookeeper.jar");
  return std::nullopt;
}

// The first line of a four-letter word's answer ("srvr": the version), for the report.
std::string four_letter(std::uint16_t port, const char* word) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "?";
  timeval tv{2, 0};  // bounded: a server that does not answer costs 2 s, not the run
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::write(fd, word, 4) == 4) {
    char buf[512];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  answer = answer.substr(0, answer.find('\n'));
  return answer.empty() ? "?" : answer;
}

// ---- the client: zhandle_t sessions -------------------------------------------------------

// One ZooKeeper session: a zhandle_t (its own I/O and completion threads), closed by
// zookeeper_close when this goes. The C client calls back with raw pointers (watcher and
// completion contexts); whatever they point to is made by make<T>() and owned here, so
// that it outlives the handle: zookeeper_close calls the completions still pending (with
// ZCLOSING), even after a case gave up on a deadline.
class Session {
 public:
  explicit Session(const std::string& hosts) {
    handle_.reset(zookeeper_init(hosts.c_str(), &Session::on_session_event, 10'000, nullptr, this, 0));
    if (!handle_) throw BenchError(fmt::format("zookeeper_init({}): {}", hosts, std::strerror(errno)));
    // By default the client resolves its host list again on every turn of its I/O loop
    // (a netlink round trip for getaddrinfo each time), and that loop reads one reply
    // per turn: with 100 in flight the client, not the server, would set the pace. The
    // hosts are literal addresses here; -1 resolves them only on a reconnection.
    zoo_set_servers_resolution_delay(handle_.get(), -1);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { handle_.reset(); }  // first the handle (its threads), then what they could reach

  zhandle_t* get() const { return handle_.get(); }

  // The client connects (and reconnects) on its own threads; this waits for the session
  // to be established. `server` is polled so that a server that died is reported at
  // once, not at the deadline.
  void wait_connected(Stopwatch::time_point deadline, Child* server = nullptr) {
    std::unique_lock lock(m_);
    while (state_ != ZOO_CONNECTED_STATE) {
      if (state_ == ZOO_EXPIRED_SESSION_STATE || state_ == ZOO_AUTH_FAILED_STATE)
        throw BenchError("the session was refused");
      if (server && server->exited())
        throw BenchError(fmt::format("{} exited; see {}", server->name(), server->log().string()));
      if (Stopwatch::now() >= deadline) throw BenchError("no session established before the deadline");
      cv_.wait_for(lock, 50ms);
    }
  }

  template <class T, class... Args>
  T& make(Args&&... args) {
    auto owned = std::make_shared<T>(std::forward<Args>(args)...);
    T& ref = *owned;
    kept_.push_back(std::move(owned));
    return ref;
  }

 private:
  static void on_session_event(zhandle_t*, int type, int state, const char*, void* self) {
    if (type != ZOO_SESSION_EVENT) return;
    auto* s = static_cast<Session*>(self);
    std::lock_guard lock(s->m_);
    s->state_ = state;
    s->cv_.notify_all();
  }
  struct Close {
    void operator()(zhandle_t* zh) const { zookeeper_close(zh); }
  };

  std::vector<std::shared_ptr<void>> kept_;  // declared first: destroyed after handle_
  std::mutex m_;
  std::condition_variable cv_;
  int state_ = 0;
  std::unique_ptr<zhandle_t, Close> handle_;
};

void check(int rc, const std::string& what) {
  if (rc != ZOK) throw BenchError(fmt::format("{}: {}", what, zerror(rc)));
}

enum class Op { create, set, get, remove };
constexpr std::array<Op, 4> kAllOps{Op::create, Op::set, Op::get, Op::remove};
const char* op_name(Op op) {
  switch (op) {
    case Op::create: return "create";
    case Op::set: return "set";
    case Op::get: return "get";
    case Op::remove: return "delete";
  }
  return "?";
}

struct OneAtATime {
  double ops_per_second = 0, p50_us = 0, p99_us = 0;
};

// `count` synchronous calls on znodes `prefix`0 … `prefix`count-1: each waits for its
// reply before the next is sent, so each timing is one whole round trip — request,
// (for writes) the server's fsync, reply.
OneAtATime one_at_a_time(zhandle_t* zh, Op op, const std::string& prefix, int count, const std::string& data) {
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(count));
  std::vector<char> buffer(data.size() + 16);
  const auto start = Stopwatch::now();
  for (int i = 0; i < count; ++i) {
    const auto path = fmt::format("{}{}", prefix, i);
    const auto t = Stopwatch::now();
    int rc = ZOK;
    switch (op) {
      case Op::create:
        rc = zoo_create(zh, path.c_str(), data.data(), static_cast<int>(data.size()), &ZOO_OPEN_ACL_UNSAFE,
                        ZOO_PERSISTENT, nullptr, 0);
        break;
      case Op::set: rc = zoo_set(zh, path.c_str(), data.data(), static_cast<int>(data.size()), -1); break;
      case Op::get: {
        int len = static_cast<int>(buffer.size());
        rc = zoo_get(zh, path.c_str(), 0, buffer.data(), &len, nullptr);
        break;
      }
      case Op::remove: rc = zoo_delete(zh, path.c_str(), -1); break;
    }
    us.push_back(seconds_since(t) * 1e6);
    check(rc, fmt::format("{} {}", op_name(op), path));
  }
  const double seconds = seconds_since(start);
  std::sort(us.begin(), us.end());
  return {count / seconds, percentile(us, 0.5), percentile(us, 0.99)};
}

// `count` asynchronous calls with exactly `window` outstanding: the first `window` are
// sent at once, and each completion (on the client's completion thread) sends the next.
// A completion that reports an error stops the run, which then fails the benchmark: a
// rate of requests that did not succeed would mean nothing.
class InFlight {
 public:
  InFlight(zhandle_t* zh, Op op, std::string prefix, int count, const std::string& data)
      : zh_(zh), op_(op), prefix_(std::move(prefix)), count_(count), data_(data) {}

  double ops_per_second(int window, Stopwatch::duration limit) {
    const auto start = Stopwatch::now();
    for (int i = 0; i < std::min(window, count_); ++i) issue();
    std::unique_lock lock(m_);
    if (!cv_.wait_until(lock, start + limit, [&] { return done_ == count_ || error_ != ZOK; }))
      throw BenchError(fmt::format("{} × {}: not done within the time limit", count_, op_name(op_)));
    if (error_ != ZOK) throw BenchError(fmt::format("{} {}…: {}", op_name(op_), prefix_, zerror(error_)));
    return count_ / std::chrono::duration<double>(end_ - start).count();
  }

 private:
  void issue() {
    const int i = next_.fetch_add(1);
    if (i >= count_) return;
    const auto path = fmt::format("{}{}", prefix_, i);  // the call serializes it: a temporary is enough
    const int len = static_cast<int>(data_.size());
    int rc = ZOK;
    switch (op_) {
      case Op::create:
        rc = zoo_acreate(zh_, path.c_str(), data_.data(), len, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, on_string, this);
        break;
      case Op::set: rc = zoo_aset(zh_, path.c_str(), data_.data(), len, -1, on_stat, this); break;
      case Op::get: rc = zoo_aget(zh_, path.c_str(), 0, on_data, this); break;
      case Op::remove: rc = zoo_adelete(zh_, path.c_str(), -1, on_void, this); break;
    }
    if (rc != ZOK) completed(rc);  // not queued: no completion will come for it
  }
  void completed(int rc) {
    if (rc != ZOK) {
      std::lock_guard lock(m_);
      if (error_ == ZOK) error_ = rc;
      cv_.notify_all();
      return;
    }
    issue();  // first the next request, so that the window never drains
    std::lock_guard lock(m_);
    if (++done_ == count_) {
      end_ = Stopwatch::now();
      cv_.notify_all();
    }
  }
  // The C API hands our own pointer back as const void*.
  static InFlight* self(const void* p) { return static_cast<InFlight*>(const_cast<void*>(p)); }
  static void on_string(int rc, const char*, const void* p) { self(p)->completed(rc); }
  static void on_stat(int rc, const Stat*, const void* p) { self(p)->completed(rc); }
  static void on_data(int rc, const char*, int, const Stat*, const void* p) { self(p)->completed(rc); }
  static void on_void(int rc, const void* p) { self(p)->completed(rc); }

  zhandle_t* zh_;
  Op op_;
  std::string prefix_;
  int count_;
  std::string data_;
  std::atomic<int> next_{0};
  std::mutex m_;
  std::condition_variable cv_;
  int done_ = 0;
  int error_ = ZOK;
  Stopwatch::time_point end_{};
};

double in_flight(Session& s, Op op, const std::string& prefix, int count, const std::string& data, int window) {
  // Owned by the session: if the deadline passes, completions may still come.
  return s.make<InFlight>(s.get(), op, prefix, count, data).ops_per_second(window, 120s);
}

// ---- watch fan-out ------------------------------------------------------------------------

// The notifications of one round: how many came, the first and the last arrival.
struct FanOut {
  std::mutex m;
  std::condition_variable cv;
  int arrived = 0;
  Stopwatch::time_point first{}, last{};
};

// One watcher: the C client keeps one watch per (function, context) pair on a path, so
// each watcher needs its own context object to be a watcher of its own.
struct Watcher {
  FanOut* fan;
  static void on_event(zhandle_t*, int type, int, const char*, void* ctx) {
    if (type != ZOO_CHANGED_EVENT) return;  // session events go to every watcher too
    const auto now = Stopwatch::now();
    auto* fan = static_cast<Watcher*>(ctx)->fan;
    std::lock_guard lock(fan->m);
    if (fan->arrived++ == 0) fan->first = now;
    fan->last = std::max(fan->last, now);
    fan->cv.notify_all();
  }
};

struct FanOutResult {
  double last_ms = 0, first_ms = 0, min_last_ms = 0, max_last_ms = 0;
  double connect_s = 0;
};

// `watchers` one-shot data watches (zoo_wexists) on `path`, spread round robin over
// `sessions` sessions of their own; then one setData from `writer`, timed until the last
// notification. `rounds` times (a watch fires once: each round sets them again); the
// median round is reported.
FanOutResult watch_fan_out(Session& writer, const std::string& hosts, Child* server, const std::string& path,
                           int watchers, int sessions, int rounds, const std::string& data) {
  FanOut fan;  // declared before the sessions: they are closed before it goes
  std::vector<std::unique_ptr<Session>> watching;
  const auto connect_start = Stopwatch::now();
  for (int i = 0; i < sessions; ++i) watching.push_back(std::make_unique<Session>(hosts));
  for (auto& s : watching) s->wait_connected(connect_start + 120s, server);
  FanOutResult r;
  r.connect_s = seconds_since(connect_start);
  std::vector<Watcher*> contexts;
  for (int w = 0; w < watchers; ++w)
    contexts.push_back(&watching[static_cast<std::size_t>(w % sessions)]->make<Watcher>(Watcher{&fan}));

  std::vector<double> last_ms, first_ms;
  for (int round = 0; round < rounds; ++round) {
    {
      std::lock_guard lock(fan.m);
      fan.arrived = 0;
      fan.first = fan.last = {};
    }
    for (int w = 0; w < watchers; ++w)
      check(zoo_wexists(watching[static_cast<std::size_t>(w % sessions)]->get(), path.c_str(), &Watcher::on_event,
                        contexts[static_cast<std::size_t>(w)], nullptr),
            "zoo_wexists " + path);
    const auto t0 = Stopwatch::now();
    check(zoo_set(writer.get(), path.c_str(), data.data(), static_cast<int>(data.size()), -1), "set " + path);
    std::unique_lock lock(fan.m);
    if (!fan.cv.wait_until(lock, t0 + 30s, [&] { return fan.arrived >= watchers; }))
      throw BenchError(fmt::format("only {} of {} watchers notified within 30 s", fan.arrived, watchers));
    last_ms.push_back(std::chrono::duration<double, std::milli>(fan.last - t0).count());
    first_ms.push_back(std::chrono::duration<double, std::milli>(fan.first - t0).count());
  }
  r.last_ms = median(last_ms);
  r.first_ms = median(first_ms);
  r.min_last_ms = *std::min_element(last_ms.begin(), last_ms.end());
  r.max_last_ms = *std::max_element(last_ms.begin(), last_ms.end());
  return r;
}

// ---- one server under test ----------------------------------------------------------------

struct Figures {
  std::array<OneAtATime, 3> one;  // create, set, get
  std::array<double, 4> async{};  // create, set, get, delete
  FanOutResult fan;
  std::string version;
};

// A server and the session the op cases use. Members go in reverse order: the session
// is closed while its server still answers, then the server is stopped.
struct Target {
  std::string name;
  std::uint16_t port = 0;
  std::unique_ptr<Child> server;
  std::unique_ptr<Session> session;
  Figures figures;
  std::string hosts() const { return fmt::format("127.0.0.1:{}", port); }
};

std::unique_ptr<Target> start(const std::string& name, const fs::path& dir,
                              const std::vector<std::string>& command_before_config, Stopwatch::duration startup) {
  auto t = std::make_unique<Target>();
  t->name = name;
  t->port = free_port();
  fs::create_directories(dir / "data");
  write_config(dir / "zoo.cfg", dir / "data", t->port);
  auto argv = command_before_config;
  argv.push_back((dir / "zoo.cfg").string());
  t->server = std::make_unique<Child>(name, argv, dir / "server.log");
  // Ready means a session can be established: the C client retries the connection on
  // its own until the server listens.
  t->session = std::make_unique<Session>(t->hosts());
  t->session->wait_connected(Stopwatch::now() + startup, t->server.get());
  t->figures.version = four_letter(t->port, "srvr");
  return t;
}

struct Options {
  std::string dir = "bench-keeper";
  std::string keeper;
  std::string zookeeper_home = "/usr/share/zookeeper";
  bool skip_zookeeper = false;
  int ops = 20'000;
  int sync_ops = 2'000;
  int window = 100;
  int watchers = 1'000;
  int watch_sessions = 1'000;
  int rounds = 5;
  std::size_t data_bytes = 100;
  std::string out, plot;
};

// The cases on every target, each case on all of them before the next case.
void measure(std::vector<Target*>& targets, const Options& o) {
  const std::string data(o.data_bytes, 'x');
  for (auto* t : targets) {
    for (const char* p : {"/bench", "/warm", "/fan"})
      check(zoo_create(t->session->get(), p, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, nullptr, 0),
            fmt::format("create {} on {}", p, t->name));
  }
  // Warm-up: the same shapes of work, a quarter of the size, under /warm.
  for (auto* t : targets) {
    fmt::print(stderr, "warm-up on {} …\n", t->name);
    for (Op op : kAllOps) in_flight(*t->session, op, "/warm/a-", o.ops / 4, data, o.window);
    for (Op op : {Op::create, Op::set, Op::get, Op::remove})
      one_at_a_time(t->session->get(), op, "/warm/s-", std::max(1, o.sync_ops / 4), data);
  }
  for (std::size_t k = 0; k < 3; ++k) {
    const Op op = kAllOps[k];
    for (auto* t : targets) {
      fmt::print(stderr, "{}: {} × {}, one at a time …\n", t->name, o.sync_ops, op_name(op));
      t->figures.one[k] = one_at_a_time(t->session->get(), op, "/bench/s-", o.sync_ops, data);
    }
  }
  for (std::size_t k = 0; k < kAllOps.size(); ++k) {
    for (auto* t : targets) {
      fmt::print(stderr, "{}: {} × {}, {} in flight …\n", t->name, o.ops, op_name(kAllOps[k]), o.window);
      t->figures.async[k] = in_flight(*t->session, kAllOps[k], "/bench/a-", o.ops, data, o.window);
    }
  }
  for (auto* t : targets) {
    check(zoo_create(t->session->get(), "/fan/node", data.data(), static_cast<int>(data.size()),
                     &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, nullptr, 0),
          "create /fan/node");
    fmt::print(stderr, "{}: watch fan-out, {} watchers over {} sessions, {} rounds …\n", t->name, o.watchers,
               o.watch_sessions, o.rounds);
    t->figures.fan = watch_fan_out(*t->session, t->hosts(), t->server.get(), "/fan/node", o.watchers,
                                   o.watch_sessions, o.rounds, data);
    fmt::print(stderr, "  ({} sessions established in {:.1f} s)\n", o.watch_sessions, t->figures.fan.connect_s);
  }
}

// "≥ 3.00×: met" — the chapter's goal for a row, and whether this run met it.
std::string goal_cell(double keeper, double zookeeper, bool higher_is_better, double goal) {
  const auto sign = higher_is_better ? "≥" : "≤";
  if (keeper <= 0 || zookeeper <= 0) return fmt::format("{} {:.2f}×: n/a", sign, goal);
  const double ratio = keeper / zookeeper;
  const bool met = higher_is_better ? ratio >= goal : ratio <= goal;
  return fmt::format("{} {:.2f}×: {}", sign, goal, met ? "met" : "**missed**");
}

int run(const Options& o) {
  const fs::path dir = fs::absolute(o.dir);
  fs::remove_all(dir);
  fs::create_directories(dir);
  zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);  // the client logs every connection at INFO

  fs::path keeper_binary = o.keeper;
  if (keeper_binary.empty())  // the `streamcraft` program built next to this benchmark
    keeper_binary = fs::canonical("/proc/self/exe").parent_path() / "streamcraft";
  if (!fs::exists(keeper_binary))
    throw BenchError(fmt::format("no keeper program at {} (--keeper)", keeper_binary.string()));

  std::vector<std::string> zookeeper_command;
  if (!o.skip_zookeeper) {
    const auto java = find_java();
    const auto classpath = zookeeper_classpath(o.zookeeper_home);
    if (!java || !classpath)
      fmt::print(stderr, "ZooKeeper not found ({}, java {}): its column is n/a (install the zookeeper package)\n",
                 o.zookeeper_home, java ? "found" : "not found");
    else
      // -Xmx1000m: the heap zkServer.sh gives a server by default (ZK_SERVER_HEAP).
      zookeeper_command = {java->string(), "-Xmx1000m", "-cp", *classpath,
                           "org.apache.zookeeper.server.ZooKeeperServerMain"};
  }

  // Declared in this order, destroyed in the reverse: ZooKeeper first, then keeper — and
  // on any exception on the way, whichever had been started.
  fmt::print(stderr, "starting keeper ({}) …\n", keeper_binary.string());
  auto keeper = start("keeper", dir / "keeper", {keeper_binary.string(), "keeper", "--config"}, 20s);
  std::unique_ptr<Target> zookeeper;
  if (!zookeeper_command.empty()) {
    fmt::print(stderr, "starting ZooKeeper ({}) …\n", zookeeper_command[3]);
    zookeeper = start("ZooKeeper", dir / "zookeeper", zookeeper_command, 60s);  // a JVM takes its time
  }
  std::vector<Target*> targets{keeper.get()};
  if (zookeeper) targets.push_back(zookeeper.get());
  measure(targets, o);

  const Figures& k = keeper->figures;
  const Figures none{};
  const Figures& z = zookeeper ? zookeeper->figures : none;
  std::vector<bench::Row> plot_rows;
  std::string table =
      "| case | keeper | ZooKeeper 3.8 | keeper / ZooKeeper | goal |\n"
      "|---|---:|---:|---:|---|\n";
  auto row = [&](const std::string& name, double kv, double zv, const std::string& unit, std::string goal = "") {
    table += fmt::format("| {} | {} | {} | {} | {} |\n", name, bench::format_rate(kv, unit),
                         bench::format_rate(zv, unit), bench::format_ratio(kv, zv), goal);
    if (unit == "ops/s") plot_rows.push_back({name, kv, 0, "ZooKeeper", zv, unit});
  };
  for (std::size_t i = 0; i < 3; ++i) {
    const auto name = fmt::format("{}, one at a time", op_name(kAllOps[i]));
    row(name, k.one[i].ops_per_second, z.one[i].ops_per_second, "ops/s");
    row(name + ", p50", k.one[i].p50_us, z.one[i].p50_us, "µs", goal_cell(k.one[i].p50_us, z.one[i].p50_us, false, 0.5));
    row(name + ", p99", k.one[i].p99_us, z.one[i].p99_us, "µs");
  }
  for (std::size_t i = 0; i < kAllOps.size(); ++i)
    row(fmt::format("{}, {} in flight", op_name(kAllOps[i]), o.window), k.async[i], z.async[i], "ops/s",
        goal_cell(k.async[i], z.async[i], true, 3.0));
  row(fmt::format("watch fan-out: setData → last of {} notifications (median of {})", o.watchers, o.rounds),
      k.fan.last_ms, z.fan.last_ms, "ms");
  row("watch fan-out: setData → first notification", k.fan.first_ms, z.fan.first_ms, "ms");

  const std::string setup = fmt::format(
      "Same run, same machine ({} hardware threads shared by the client and both servers), 127.0.0.1; both servers "
      "standalone with forceSync=yes and their dataDir under {}. Client: ZooKeeper C client {} (libzookeeper_mt). "
      "{} B values; one-at-a-time cases {} ops each, in-flight cases {} ops each with {} outstanding; fan-out: {} "
      "one-shot data watches over {} sessions, {} rounds (last-notification range keeper {:.1f}–{:.1f} ms, "
      "ZooKeeper {}). For µs and ms rows a ratio below 1 means keeper is faster.\n\n"
      "keeper: {}  \nZooKeeper: {}\n",
      std::thread::hardware_concurrency(), dir.string(), ZOO_VERSION, o.data_bytes, o.sync_ops, o.ops, o.window,
      o.watchers, o.watch_sessions, o.rounds, k.fan.min_last_ms, k.fan.max_last_ms,
      zookeeper ? fmt::format("{:.1f}–{:.1f} ms", z.fan.min_last_ms, z.fan.max_last_ms) : "n/a", k.version,
      zookeeper ? z.version : (o.skip_zookeeper ? "skipped (--skip-zookeeper)" : "not found"));

  // Everything stopped before the scratch directory goes.
  zookeeper.reset();
  keeper.reset();
  fs::remove_all(dir);

  fmt::print("\n{}\n{}", table, setup);
  if (!o.out.empty())
    std::ofstream(o.out) << "# Keeper benchmark\n\nkeeper next to ZooKeeper 3.8.\n\n" << table << "\n" << setup;
  if (!o.plot.empty()) {
    // report.h's chart names its first series after the broker benchmarks' client; here
    // that series is keeper.
    auto svg = bench::svg_plot(plot_rows);
    if (auto at = svg.find(">streamcraft client<"); at != std::string::npos) svg.replace(at, 20, ">keeper<");
    std::ofstream(o.plot) << svg;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"keeper against ZooKeeper 3.8: one-op latency, 100-in-flight throughput, watch fan-out"};
  Options o;
  app.add_option("--dir", o.dir, "scratch directory for both servers' dataDir and logs")->capture_default_str();
  app.add_option("--keeper", o.keeper, "the streamcraft program (default: the one next to this benchmark)");
  app.add_option("--zookeeper-home", o.zookeeper_home, "ZooKeeper's installation (Debian's or an Apache release)")
      ->capture_default_str();
  app.add_flag("--skip-zookeeper", o.skip_zookeeper, "measure keeper alone; ZooKeeper's column is n/a");
  app.add_option("--ops", o.ops, "operations per in-flight case")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--sync-ops", o.sync_ops, "operations per one-at-a-time case")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--in-flight", o.window, "outstanding requests in the in-flight cases")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--watchers", o.watchers, "one-shot data watches in the fan-out")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--watch-sessions", o.watch_sessions,
                 "sessions the watches are spread over (each one is a connection and two client threads)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--rounds", o.rounds, "fan-out rounds (the median is reported)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--data-bytes", o.data_bytes, "bytes per znode value")->capture_default_str();
  app.add_option("--out", o.out, "write the results table to this Markdown file");
  app.add_option("--plot", o.plot, "write a bar chart of the ops/s ratios to this SVG file");
  CLI11_PARSE(app, argc, argv);
  o.watch_sessions = std::min(o.watch_sessions, o.watchers);
  try {
    return run(o);
  } catch (const std::exception& e) {
    // The servers are already stopped: the unwinding that brought us here destroyed them.
    fmt::print(stderr, "benchmark failed: {} (logs in {})\n", e.what(), o.dir);
    return 1;
  }
}
