// generated from tests/support/simulator.h; edit there
// support/simulator.h — one seeded world: simulated time, network, disks and crashes
// around the real broker cores.
//
// A distributed behaviour is tested here, not with processes and sleeps: the nodes are the
// very cores the `streamcraft` program runs (broker::Node: logs, request handler, group
// coordinator), each on its own in-memory disk (log/memory_file_system.h), and everything
// around them — the clock, message delivery, faults — is decided by one PRNG seeded from
// the test. So:
//
// - Same seed, same run: every decision comes from World::random(), events run in time
//   order (ties in the order they were scheduled), and nothing reads a real clock. The
//   timeline (World::note) is the run's trace; fingerprint() hashes it, and a test proves
//   that two runs of a seed give the same fingerprint.
// - Bounded: a run stops at its simulated-time limit or its step limit, whatever the
//   nodes do.
// - Replayable: sim::seeds(n) gives the seeds 1..n, or only $STREAMCRAFT_SEED when it is
//   set; a failing test prints replay_hint(), the one command that runs that seed again,
//   and can print the timeline.
//
// The network keeps TCP's promise per link (messages arrive in the order sent, or the link
// is cut) and adds latency, jitter, loss and partitions, one-way or both ways.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "broker/connection.h"
#include "broker/node.h"
#include "broker/peer_requests.h"
#include "common/clock.h"
#include "common/executor.h"
#include "log/memory_file_system.h"

namespace streamcraft::sim {

struct Limits {
  std::int64_t max_time_ms = 10 * 60 * 1000;  // simulated
  std::uint64_t max_steps = 2'000'000;
};

// The seeds a test runs: 1..count, or only $STREAMCRAFT_SEED when it is set.
std::vector<std::uint64_t> seeds(std::uint64_t count);
// As many seeds as the build affords: `checked` in a build with assertions (the
// sanitizer build, several times slower), `optimised` in an optimised one (NDEBUG: each
// chapter's own build, as students and CI make it).
inline std::vector<std::uint64_t> seeds(std::uint64_t checked, std::uint64_t optimised) {
#ifdef NDEBUG
  (void)checked;
  return seeds(optimised);
#else
  (void)optimised;
  return seeds(checked);
#endif
}
// The command that replays one seed of a test case.
std::string replay_hint(const std::string& test_case, std::uint64_t seed);

class World {
 public:
  explicit World(std::uint64_t seed, Limits limits = {});

  std::uint64_t seed() const { return seed_; }
  ManualClock& clock() { return clock_; }
  std::int64_t now_ms() const { return clock_.monotonic_ms() - start_ms_; }  // since the start

  // All randomness of a run comes from here.
  std::uint64_t random(std::uint64_t below);  // uniform in [0, below); below > 0
  std::int64_t between(std::int64_t low, std::int64_t high);  // uniform in [low, high]
  bool chance(double probability);

  // Schedules fn at a simulated time (never in the past). `what` goes into the timeline.
  void at(std::int64_t when_ms, std::string what, std::function<void()> fn);
  void after(std::int64_t delay_ms, std::string what, std::function<void()> fn) {
    at(now_ms() + delay_ms, std::move(what), std::move(fn));
  }
  // Runs events in time order until done() holds, nothing is left, or a limit is hit.
  // Returns false when a limit stopped it.
  bool run(const std::function<bool()>& done = {});
  std::uint64_t steps() const { return steps_; }

  // The trace of the run: what happened, when.
  void note(const std::string& line);
  const std::vector<std::string>& timeline() const { return timeline_; }
  std::string timeline_text(std::size_t last = 60) const;
  std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  struct Event {
    std::int64_t when;
    std::uint64_t order;
    std::string what;
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.when != b.when ? a.when > b.when : a.order > b.order;
    }
  };

  std::uint64_t seed_;
  Limits limits_;
  std::mt19937_64 rng_;
  ManualClock clock_;
  std::int64_t start_ms_;
  std::priority_queue<Event, std::vector<Event>, Later> events_;
  std::uint64_t next_order_ = 0;
  std::uint64_t steps_ = 0;
  std::vector<std::string> timeline_;
  std::uint64_t fingerprint_ = 1469598103934665603ULL;  // FNV-1a over the timeline
};

// Links between endpoints (a node id each: brokers and clients alike).
class Network {
 public:
  struct Link {
    std::int64_t latency_ms = 1;
    std::int64_t jitter_ms = 0;
    double loss = 0;  // a lost message breaks the connection, as TCP would report it
  };
  explicit Network(World& world) : world_(world) {}

  void set_default(Link link) { default_ = link; }
  void set(int from, int to, Link link) { links_[{from, to}] = link; }
  void cut(int from, int to) { cut_.insert({from, to}); }  // one way
  void partition(int a, int b) {
    cut(a, b);
    cut(b, a);
  }
  void heal() { cut_.clear(); }
  bool connected(int from, int to) const { return !cut_.contains({from, to}); }

  // Delivers after the link's delay, in send order per link. Returns false, and delivers
  // nothing, when the link is cut or loses the message: the sender's connection is then
  // broken, and it is the sender's to notice.
  bool send(int from, int to, const std::string& what, std::function<void()> deliver);

 private:
  World& world_;
  Link default_;
  std::map<std::pair<int, int>, Link> links_;
  std::set<std::pair<int, int>> cut_;
  std::map<std::pair<int, int>, std::int64_t> last_arrival_;  // keeps each link in order
};

class SimPeers;

// One broker process: the real broker core on a simulated disk, behind simulated
// connections. Requests are frames (without the size prefix); responses leave each
// connection in request order, as broker::Connection orders them on a real socket.
class SimBroker {
 public:
  SimBroker(World& world, int id, broker::BrokerConfig config);

  Status start();  // opens the node on what its disk holds (recovery included)
  // kill -9: the process and its connections vanish; the disk keeps what was fsynced,
  // and of each file's unsynced tail a random part (a torn write).
  void crash();
  bool up() const { return node_ != nullptr; }
  // A power cut in the middle of work: after `writes` more disk changes the machine dies
  // just there — inside an append, a roll, an fsync — and its answers never leave it.
  void power_cut_after(std::uint64_t writes) { disk_.power_cut_after(writes); }
  // The log manager's periodic work (flush policy, retention, the cleaner), as the real
  // server runs it every second: every `every_ms` until `until_ms`, with a chance of
  // arming a power cut just before each tick — inside a cleaning's swap, say.
  void tick_logs(std::int64_t every_ms, std::int64_t until_ms, double power_cut_chance = 0);
  // Called at every crash (the scenario schedules the restart).
  std::function<void()> on_crash;

  using Reply = std::function<void(Bytes response)>;
  // A request arriving on a connection. reply runs for its response (not for acks=0),
  // unless the broker crashes or the connection closes first.
  void receive(std::uint64_t connection, Bytes frame, Reply reply);
  void close(std::uint64_t connection);

  broker::Node& node() { return *node_; }
  log::MemoryFileSystem& disk() { return disk_; }
  int id() const { return id_; }
  // A broker of a replicated cluster: its own requests (fetches from leaders, its
  // controller client's) travel `net` to the other brokers of `cluster`. Call before
  // start(); each start() connects the new process afresh.
  void join(Network& net, std::vector<SimBroker*> cluster) {
    net_ = &net;
    cluster_ = std::move(cluster);
  }
  // The scenario worked on node() directly (as a controller would have through a
  // request): what the node now wants to send, and its new deadlines, are carried out.
  void wake() { service(); }

 private:
  struct Conn {
    broker::Connection slots{1 << 30};
    std::map<std::uint64_t, Reply> replies;  // slot → where its response goes
  };
  void deliver_ready(std::uint64_t connection);
  bool died() {  // the power went in the work just done: crash before anything is answered
    if (!disk_.powered_off()) return false;
    world_.note(fmt::format("broker {}: power cut", id_));
    crash();
    return true;
  }
  void finish_deferred(bool at_deadline);
  void service(bool at_deadline = false);  // finishes deferred work, sets the timer to the next deadline

  World& world_;
  int id_;
  broker::BrokerConfig config_;
  log::MemoryFileSystem disk_;
  // The node's background disk work (segment seals, cleanings): each job runs at a random
  // later moment, so a crash can come before, between or inside them.
  ManualExecutor background_;
  bool background_scheduled_ = false;
  void schedule_background();
  std::unique_ptr<broker::Node> node_;
  std::map<std::uint64_t, Conn> connections_;
  std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> deferred_;  // id → (connection, slot)
  std::uint64_t incarnation_ = 0;  // a crash makes older timer events void
  std::optional<std::int64_t> timer_at_;
  Network* net_ = nullptr;
  std::vector<SimBroker*> cluster_;
  std::unique_ptr<class SimPeers> peers_;  // this incarnation's
  // Those of crashed incarnations: detached, kept so that their scheduled events stay valid.
  std::vector<std::unique_ptr<class SimPeers>> retired_peers_;
};

// A node's own requests to brokers (broker::PeerRequests, the sans-I/O client side of a
// broker) carried over the simulated network — the driver that net/peer_connector.h is
// on real sockets. A connection attempt is a message there and back; requests and
// responses travel the links like any client's; a message the network loses breaks the
// connection and PeerRequests hears of it (on_disconnected) a moment later, as a real
// socket's error would tell it. A crashed broker answers nothing: its peers find out by
// their request timeout, or at once when the scenario calls reset() (the RST a restarted
// machine sends). Closing a connection is a message too, so requests sent before it are
// still handled, as on TCP.
class SimPeers {
 public:
  using Completions = std::function<void(std::vector<broker::PeerRequests::Completion>)>;
  SimPeers(World& world, Network& net, int self, broker::PeerRequests& requests, Completions on_completions);

  void add(SimBroker& broker) { brokers_[broker.id()] = &broker; }
  // Carries out what the requests want and arms the timer at their next deadline. Call
  // after every PeerRequests::request().
  void pump();
  // The connection to `node` breaks now (e.g. the broker crashed and its host said so).
  void reset(int node);
  // The process that owned the requests is gone: whatever is still under way is dropped.
  void detach() { requests_ = nullptr; }

 private:
  struct Link {
    std::uint64_t generation = 0;  // a new connection (or none) makes older deliveries void
    std::uint64_t connection = 0;  // the broker's name for it
  };
  void broken(int node, std::uint64_t generation);

  World& world_;
  Network& net_;
  int self_;
  broker::PeerRequests* requests_;  // nullptr once detached
  Completions on_completions_;
  std::map<int, SimBroker*> brokers_;
  std::map<int, Link> links_;
  std::uint64_t next_connection_ = 1;
  std::optional<std::int64_t> timer_at_;  // simulated ms
};

}  // namespace streamcraft::sim
