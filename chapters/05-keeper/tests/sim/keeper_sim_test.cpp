// generated from tests/sim/keeper_sim_test.cpp; edit there
// tests/sim/keeper_sim_test.cpp — keeper through power cuts, on the seeded simulator.
//
// One keeper (its real KeeperService and Store) on an in-memory disk, three clients
// writing at random moments, and power cuts at random points of its disk writes — during
// a log append, between an append and its fsync, between the steps of a fuzzy snapshot. After each cut the
// disk keeps only what was synced (and a torn tail of what was not); keeper recovers from
// it and the clients go on. The checker holds keeper to its promise: every create whose
// reply reached its client is there after every later recovery, with its data, and
// nothing is there that no client asked for. Zxids only grow, across restarts too.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "keeper/client_session.h"
#include "keeper/keeper_service.h"
#include "keeper/store.h"
#include "log/memory_file_system.h"
#include "support/keeper_harness.h"
#include "support/simulator.h"

using namespace streamcraft;
using namespace streamcraft::keeper;

namespace {

struct Run {
  explicit Run(std::uint64_t seed) : world(seed) { boot(); }

  void boot() {
    keeper.reset();
    store.reset();
    StoreConfig c;
    c.data_dir = "/keeper/data";
    c.snap_count = 25;  // snapshots often, so that cuts land inside them too
    // A few nodes per step: each snapshot is written over many polls while the clients
    // write on, as fuzzy as it gets, and cuts land between its steps.
    c.snapshot_step_bytes = 200;
    c.autopurge = true;
    c.log.segment_bytes = 2048;
    c.log.preallocate_bytes = 512;  // several zero-filled steps per segment, cut at any point
    auto s = Store::open(fs, c, world.clock());
    REQUIRE(s.ok());
    store = std::move(*s);
    if (store->recovery().snapshot_zxid) ++from_snapshot;
    auto state = store->take_state();
    REQUIRE(state.tree.last_zxid() >= last_zxid_seen);  // nothing acknowledged went back
    keeper = std::make_unique<KeeperService>(world.clock(), testing::Harness::small_config(), *store, std::move(state));
    ++boots;
    for (auto& c2 : clients) c2.reset();
    check_acknowledged();
  }

  // The checker: what was acknowledged is there; nothing is there unasked.
  void check_acknowledged() {
    const auto& tree = keeper->tree();
    std::vector<std::string> lost, unasked;
    for (const auto& [path, data] : acknowledged) {
      const Znode* n = tree.find(path);
      if (!n || n->data != testing::bytes_of(data)) lost.push_back(path);
    }
    for (const auto& path : tree.paths())
      if (path.starts_with("/q/") && !requested.contains(path.substr(0, path.size() - 10))) unasked.push_back(path);
    if (lost.empty() && unasked.empty()) return;
    INFO(sim::replay_hint("keeper loses no acknowledged create through power cuts", world.seed()));
    INFO("timeline:\n" << world.timeline_text());
    INFO("lost: " << fmt::format("{}", fmt::join(lost, " ")));
    INFO("never asked for: " << fmt::format("{}", fmt::join(unasked, " ")));
    FAIL("keeper broke its promise after a power cut");
  }

  struct Client {
    net::ConnectionId conn = 0;
    std::unique_ptr<ClientSession> session;
    std::deque<std::string> in_flight;  // the data of each create sent, in order
    void reset() {
      conn = 0;
      session.reset();
      in_flight.clear();
    }
  };

  void send(int i, Bytes frame) {
    auto& c = clients[i];
    buffer = std::move(frame);
    auto outcome = keeper->handle(c.conn, buffer);
    if (outcome.kind == net::Outcome::Kind::close_connection) {
      keeper->on_close(c.conn);
      c.reset();
      return;
    }
    if (fs.powered_off()) return power_cut();  // the answer never left the machine
    if (outcome.kind == net::Outcome::Kind::respond) deliver(i, outcome.response);
    else if (outcome.kind == net::Outcome::Kind::deferred) deferred[outcome.deferred_id] = i;
  }

  void deliver(int i, const protocol::OutMessage& m) {
    auto& c = clients[i];
    if (!c.session) return;
    auto bytes = m.flatten();
    REQUIRE(bytes.ok());
    ByteSpan body(bytes->data() + 4, bytes->size() - 4);
    if (!c.session->connected()) {
      auto code = c.session->on_handshake(body);
      REQUIRE(code.ok());
      return;
    }
    auto got = c.session->on_frame(body);
    REQUIRE(got.ok());
    auto* answer = std::get_if<ClientSession::Answer>(&*got);
    if (!answer) return;
    last_zxid_seen = std::max(last_zxid_seen, answer->reply.header.zxid);
    if (answer->op == OpCode::create && answer->reply.header.err == Code::ok) {
      const auto& path = std::get<PathResponse>(answer->reply.body).path;
      acknowledged[path] = c.in_flight.front();
      world.note(fmt::format("acked {}", path));
    }
    if (answer->op == OpCode::create) c.in_flight.pop_front();
  }

  // Keeper's server loop after a batch: sync, release.
  void poll() {
    auto completions = keeper->poll();
    // A power cut during the sync: whatever keeper meant to send never left the machine.
    if (fs.powered_off()) return power_cut();
    for (auto& done : completions) {
      if (auto* d = std::get_if<net::Completed>(&done)) {
        auto it = deferred.find(d->deferred_id);
        if (it != deferred.end()) {
          deliver(it->second, d->response);
          deferred.erase(it);
        }
      } else if (auto* p = std::get_if<net::Push>(&done)) {
        for (int i = 0; i < 3; ++i)
          if (clients[i].conn == p->connection) deliver(i, p->message);
      }
    }
  }

  void power_cut() {
    world.note(fmt::format("power cut at zxid {:#x}", keeper->tree().last_zxid()));
    deferred.clear();  // answers still queued never left the machine
    keeper.reset();
    store.reset();
    fs.crash([&](const std::filesystem::path&, std::uint64_t unsynced) { return world.random(unsynced + 1); });
    boot();
  }

  void step(int i) {
    auto& c = clients[i];
    if (!c.session) {
      c.conn = next_conn++;
      keeper->on_open(c.conn, "127.0.0.1");
      c.session = std::make_unique<ClientSession>(ClientOptions{2000, 0, Bytes(16), last_zxid_seen});
      send(i, c.session->handshake());
      return;
    }
    if (!c.session->connected()) return;
    const auto data = fmt::format("c{}-{}", i, counter++);
    const auto prefix = fmt::format("/q/c{}-", i);
    requested.insert(prefix);
    c.in_flight.push_back(data);
    send(i, c.session->request(OpCode::create, testing::create_req(prefix, data, create_flag::persistent_sequential)));
  }

  sim::World world;
  log::MemoryFileSystem fs;
  std::unique_ptr<Store> store;
  std::unique_ptr<KeeperService> keeper;
  Client clients[3];
  std::map<std::uint64_t, int> deferred;  // deferred id → client
  std::map<std::string, std::string> acknowledged;
  std::set<std::string> requested;
  std::int64_t last_zxid_seen = 0;
  net::ConnectionId next_conn = 1;
  int boots = 0;
  int from_snapshot = 0;
  int counter = 0;
  Bytes buffer;
};

}  // namespace

TEST_CASE("keeper loses no acknowledged create through power cuts", "[ch05][keeper][sim]") {
  int from_snapshot = 0;  // recoveries that started from a (fuzzy) snapshot
  for (auto seed : sim::seeds(25, 300)) {
    Run run(seed);
    // The tree's parent, made durable before the clients start.
    {
      run.keeper->on_open(99, "127.0.0.1");
      run.buffer = encode_connect_request({0, 0, 2000, 0, Bytes(16), false});
      run.keeper->handle(99, run.buffer);
      run.keeper->poll();
      run.buffer = encode_request({{1, OpCode::create}, testing::create_req("/q")});
      run.keeper->handle(99, run.buffer);
      run.keeper->poll();
      run.keeper->on_close(99);
    }
    for (int round = 0; round < 400; ++round) {
      if (run.world.chance(0.03)) run.fs.power_cut_after(run.world.random(6) + 1);
      const int batch = static_cast<int>(run.world.random(3)) + 1;
      for (int b = 0; b < batch; ++b) run.step(static_cast<int>(run.world.random(3)));
      run.world.clock().advance_ms(run.world.between(1, 20));
      run.poll();
    }
    run.power_cut();  // and a last one, checked by boot()
    INFO(sim::replay_hint("keeper loses no acknowledged create through power cuts", seed));
    CHECK(run.acknowledged.size() > 100);  // the run wrote a lot, through its crashes
    CHECK(run.boots > 2);
    from_snapshot += run.from_snapshot;
  }
  CHECK(from_snapshot > 0);
}
