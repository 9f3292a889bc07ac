// tests/sim/raft_sim_test.cpp — the Raft core of 3 and 5 servers on the seeded simulator.
//
// Every server is the real consensus::Raft, ticking every 10 ms of simulated time, with a
// disk that takes what take_ready() said to persist a few milliseconds later, at its fsync,
// and only then lets its messages leave: a crash loses the writes not yet synced. The
// network delays messages (1–8 ms), loses some, and is partitioned at random — a pair of
// servers, one server alone, the leader alone, one way only — while servers crash and
// restart from their disks, or stop for a while (SIGSTOP) and resume, and a client proposes a value to whichever server leads every few milliseconds.
// Every server snapshots its state machine every few entries and drops the log before it, so
// servers that were away come back to a leader that sends them its snapshot. The checker
// holds Raft to its promises:
//
//   election safety      at most one leader in any term;
//   state machine safety every server applies the same entry at the same index, restarts
//                        included (checked at every apply against the first applied there),
//                        and every state restored from a snapshot is that sequence's prefix;
//   durability           every proposal the leader reported committed (applied at the index
//                        and term it was given) is in the final sequence, exactly once;
//   liveness             once the faults stop, every server converges on that sequence.
#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <fmt/format.h>

#include "consensus/raft.h"
#include "support/simulator.h"

using namespace streamcraft;
using namespace streamcraft::consensus;

namespace {

constexpr std::int64_t kTickMs = 10;

// The state machine: the entries applied, in order. Its snapshot is their encoding.
Bytes encode_state(const std::vector<Entry>& state) {
  Bytes out;
  for (const auto& e : state) {
    std::byte head[12];
    store_be<std::int64_t>(head, e.term);
    store_be<std::uint32_t>(head + 8, static_cast<std::uint32_t>(e.data.size()));
    out.insert(out.end(), head, head + 12);
    out.insert(out.end(), e.data.begin(), e.data.end());
  }
  return out;
}
std::vector<Entry> decode_state(ByteSpan bytes) {
  std::vector<Entry> out;
  while (bytes.size() >= 12) {
    Entry e;
    e.term = load_be<std::int64_t>(bytes.data());
    const auto n = load_be<std::uint32_t>(bytes.data() + 8);
    e.data.assign(bytes.begin() + 12, bytes.begin() + 12 + n);
    out.push_back(std::move(e));
    bytes = bytes.subspan(12 + n);
  }
  return out;
}

struct Server {
  std::unique_ptr<Raft> raft;  // null while crashed
  Durable disk;
  std::uint64_t generation = 0;  // a restart ends the previous process's tick chain
  std::vector<Entry> state;      // what it has applied (or restored from a snapshot)
  std::int64_t applied() const { return static_cast<std::int64_t>(state.size()); }
  std::int64_t synced_at = 0;    // when its last queued fsync completes
  std::deque<std::pair<std::int64_t, Ready>> unsynced;  // taken, not yet on disk: (synced at, what)
  bool paused = false;           // a stopped process (SIGSTOP) runs nothing …
  std::deque<std::function<void()>> inbox;  // … and what reaches it waits here, in order
};

struct Run {
  sim::World world;
  sim::Network net{world};
  std::map<NodeId, Server> servers;
  std::vector<NodeId> ids;
  // The checker's view.
  std::map<std::int64_t, NodeId> leader_of_term;
  std::vector<Entry> sequence;                            // index i+1: the entry applied there
  std::map<std::int64_t, std::pair<std::int64_t, std::string>> pending;  // index → (term, value)
  std::set<std::string> acknowledged;
  std::uint64_t next_value = 0;
  std::uint64_t crashes = 0, elections = 0, snapshots_sent = 0;
  std::int64_t compact_every;  // entries applied between a server's snapshots

  Run(std::uint64_t seed, int n) : world(seed), compact_every(world.between(5, 40)) {
    net.set_default({1, 7, 0.01});
    for (NodeId id = 1; id <= n; ++id) ids.push_back(id);
    for (auto id : ids) start(id);
  }

  RaftConfig config(NodeId id) const {
    RaftConfig c;
    c.id = id;
    c.voters = ids;
    c.election_ticks = 10;  // 100–200 ms
    c.seed = world.seed() * 131 + servers.at(id).generation;
    return c;
  }

  void start(NodeId id) {
    auto& s = servers[id];
    ++s.generation;
    // The state machine restarts from the snapshot on disk; the entries after it are
    // applied again as the server learns they are committed.
    s.state = decode_state(s.disk.snapshot.data);
    check_prefix(id, s.state);
    s.raft = std::make_unique<Raft>(config(id), s.disk);
    schedule_tick(id, s.generation);
  }
  void crash(NodeId id) {
    auto& s = servers[id];
    if (!s.raft) return;
    s.raft.reset();  // what it had not persisted is gone; its disk stays
    s.unsynced.clear();
    s.paused = false;
    s.inbox.clear();
    ++crashes;
    world.note(fmt::format("crash {}", id));
  }

  // A paused server does nothing until it resumes: what arrives meanwhile waits for it,
  // and runs in arrival order when it does.
  void run_on(NodeId id, std::function<void()> fn) {
    auto& s = servers[id];
    if (s.paused) s.inbox.push_back(std::move(fn));
    else fn();
  }
  void pause(NodeId id, std::int64_t ms) {
    auto& s = servers[id];
    if (s.paused || !s.raft) return;
    s.paused = true;
    world.note(fmt::format("pause {} for {} ms", id, ms));
    world.after(ms, "", [this, id] {
      auto& t = servers[id];
      t.paused = false;
      while (!t.paused && !t.inbox.empty()) {
        auto fn = std::move(t.inbox.front());
        t.inbox.pop_front();
        fn();
      }
    });
  }

  void schedule_tick(NodeId id, std::uint64_t generation) {
    world.after(kTickMs, "", [this, id, generation] {
      auto& s = servers[id];
      if (!s.raft || s.generation != generation) return;
      if (!s.paused) {
        s.raft->tick();
        service(id);
      }
      schedule_tick(id, generation);
    });
  }

  // Takes what the server must do and queues it behind its disk: the writes reach the disk
  // when the fsync completes (0–3 ms later, in order), and only then do its messages leave
  // and its committed entries apply. A crash before that loses the writes — and nothing
  // anyone was told depended on them.
  void service(NodeId id) {
    auto& s = servers[id];
    check_leader(id);
    auto r = s.raft->take_ready();
    if (r.empty()) return;
    s.synced_at = std::max(s.synced_at, world.now_ms()) + world.between(0, 3);
    s.unsynced.emplace_back(s.synced_at, std::move(r));
    world.at(s.synced_at, "", [this, id, generation = s.generation] { drain(id, generation); });
  }

  // Every queued Ready whose fsync has completed, strictly in the order taken.
  void drain(NodeId id, std::uint64_t generation) {
    auto& s = servers[id];
    if (!s.raft || s.generation != generation) return;  // the process died before its fsync
    if (s.paused) {
      s.inbox.push_back([this, id, generation] { drain(id, generation); });
      return;
    }
    while (s.raft && s.generation == generation && !s.unsynced.empty() && s.unsynced.front().first <= world.now_ms()) {
      auto r = std::move(s.unsynced.front().second);
      s.unsynced.pop_front();
      synced(id, std::move(r));
    }
  }

  // The Ready's writes are on the disk: carry out the rest, in its order.
  void synced(NodeId id, Ready r) {
    auto& s = servers[id];
    persist(s.disk, r);
    if (r.snapshot) {
      // Sent by the leader: the state is replaced, and must be the sequence's prefix.
      s.state = decode_state(r.snapshot->data);
      REQUIRE(s.applied() == r.snapshot->index);
      check_prefix(id, s.state);
    }
    for (auto& m : r.messages) {
      if (std::holds_alternative<SnapshotRequest>(m.body)) ++snapshots_sent;
      const auto to = m.to;
      // A lost message is simply gone: Raft resends what matters (heartbeats, appends
      // from what the follower is known to have, elections on timeouts).
      std::function<void()> deliver = [this, m = std::move(m), to] {
        auto& dest = servers[to];
        if (!dest.raft) return;  // a crashed server hears nothing
        dest.raft->step(m);
        service(to);
      };
      (void)net.send(id, to, "", [this, to, deliver] { run_on(to, deliver); });
    }
    if (!r.committed.empty()) {
      REQUIRE(r.committed_from == s.applied() + 1);
      for (std::size_t k = 0; k < r.committed.size(); ++k) {
        apply(id, r.committed_from + static_cast<std::int64_t>(k), r.committed[k]);
        s.state.push_back(r.committed[k]);
      }
      if (s.applied() - s.raft->snapshot().index >= compact_every) {
        REQUIRE(s.raft->compact(s.applied(), encode_state(s.state)).ok());
      }
    }
    service(id);  // whatever the server did meanwhile, and the compaction
  }

  // A restored state is what was applied everywhere, up to its length.
  void check_prefix(NodeId id, const std::vector<Entry>& state) {
    INFO(fmt::format("server {} restores {} entries; {} applied anywhere", id, state.size(), sequence.size()));
    REQUIRE(state.size() <= sequence.size());
    for (std::size_t i = 0; i < state.size(); ++i) REQUIRE(state[i] == sequence[i]);
  }

  void apply(NodeId id, std::int64_t index, const Entry& e) {
    INFO(fmt::format("server {} applies index {} (term {})", id, index, e.term));
    if (index <= static_cast<std::int64_t>(sequence.size())) {
      REQUIRE(sequence[static_cast<std::size_t>(index - 1)] == e);
    } else {
      REQUIRE(index == static_cast<std::int64_t>(sequence.size()) + 1);
      sequence.push_back(e);
    }
    // The server that took the proposal reports it committed when it applies it there.
    auto it = pending.find(index);
    if (it != pending.end() && servers[id].raft->role() == Role::leader) {
      if (it->second.first == e.term && std::string(as_chars(e.data)) == it->second.second)
        acknowledged.insert(it->second.second);
    }
  }

  void check_leader(NodeId id) {
    const auto& r = *servers[id].raft;
    if (r.role() != Role::leader) return;
    auto [it, fresh] = leader_of_term.emplace(r.term(), id);
    if (fresh) {
      ++elections;
      world.note(fmt::format("{} leads term {}", id, r.term()));
    }
    INFO(fmt::format("term {}: leaders {} and {}", r.term(), it->second, id));
    REQUIRE(it->second == id);
  }

  void propose() {
    for (auto id : ids) {
      auto& s = servers[id];
      if (!s.raft || s.raft->role() != Role::leader) continue;
      auto value = fmt::format("v{}", next_value++);
      auto index = s.raft->propose(Bytes(as_bytes(value).begin(), as_bytes(value).end()));
      REQUIRE(index.ok());
      pending[*index] = {s.raft->term(), value};
      service(id);
      return;
    }
  }

  NodeId random_server() { return ids[world.random(ids.size())]; }
  NodeId a_leader() const {
    for (auto id : ids)
      if (servers.at(id).raft && servers.at(id).raft->role() == Role::leader) return id;
    return kNoNode;
  }

  void fault() {
    switch (world.random(6)) {
      case 0: {  // crash a server, restart it a while later
        auto id = random_server();
        if (!servers[id].raft) break;
        crash(id);
        // Often back at once (a process restarted by its supervisor, inside one election),
        // so that a server forgetting its vote would vote twice in one term.
        const auto down = world.chance(0.4) ? world.between(1, 30) : world.between(50, 1500);
        world.after(down, "", [this, id] { if (!servers[id].raft) start(id); });
        break;
      }
      case 1: {  // cut a pair apart
        auto a = random_server(), b = random_server();
        if (a != b) net.partition(a, b);
        world.note(fmt::format("partition {} {}", a, b));
        break;
      }
      case 2: {  // isolate the leader (or any server)
        auto id = a_leader();
        if (id == kNoNode) id = random_server();
        for (auto other : ids)
          if (other != id) net.partition(id, other);
        world.note(fmt::format("isolate {}", id));
        break;
      }
      case 3: {  // one way only: the server hears, is not heard
        auto id = random_server();
        for (auto other : ids)
          if (other != id) net.cut(id, other);
        world.note(fmt::format("mute {}", id));
        break;
      }
      case 4: {  // stop a server (the leader, often) for a while, as SIGSTOP does
        auto id = world.chance(0.5) ? a_leader() : random_server();
        if (id == kNoNode) id = random_server();
        pause(id, world.between(50, 1500));
        break;
      }
      default:
        net.heal();
        world.note("heal");
    }
  }

  void go(std::int64_t fault_ms, std::int64_t settle_ms) {
    // Faults every 100–400 ms, proposals every 5–20 ms, until fault_ms.
    std::function<void()> faults = [&] {
      if (world.now_ms() >= fault_ms) return;
      fault();
      world.after(world.between(100, 400), "", faults);
    };
    std::function<void()> proposals = [&] {
      if (world.now_ms() >= fault_ms + settle_ms / 2) return;
      propose();
      world.after(world.between(5, 20), "", proposals);
    };
    world.after(300, "", faults);
    world.after(200, "", proposals);
    world.at(fault_ms, "", [this] {
      net.heal();
      for (auto id : ids)
        if (!servers[id].raft) start(id);  // pauses end by themselves (at most 1.5 s)
      world.note("faults end");
    });
    world.run([&] { return world.now_ms() >= fault_ms + settle_ms; });
  }
};

}  // namespace

TEST_CASE("raft keeps one leader per term and one sequence through crashes and partitions", "[ch06][raft][sim]") {
  for (int n : {3, 5}) {
    std::uint64_t total_elections = 0, total_acks = 0, total_snapshots = 0, total_crashes = 0;
    for (auto seed : sim::seeds(60, 600)) {
      INFO(sim::replay_hint("raft keeps one leader per term and one sequence through crashes and partitions", seed));
      INFO(fmt::format("{} servers", n));
      Run run(seed, n);
      run.go(8000, 4000);
      INFO(run.world.timeline_text());
      // Liveness: with the faults over, every server applied the whole sequence, and the
      // last leader's log is that sequence.
      const auto leader = run.a_leader();
      REQUIRE(leader != kNoNode);
      for (auto id : run.ids) {
        INFO(fmt::format("server {}", id));
        CHECK(run.servers[id].applied() == static_cast<std::int64_t>(run.sequence.size()));
        CHECK(run.servers[id].state == run.sequence);
      }
      // Durability: every acknowledged value is in the sequence exactly once.
      std::map<std::string, int> seen;
      for (const auto& e : run.sequence)
        if (!e.data.empty()) ++seen[std::string(as_chars(e.data))];
      for (const auto& v : run.acknowledged) {
        INFO(v);
        CHECK(seen[v] == 1);
      }
      total_elections += run.elections;
      total_acks += run.acknowledged.size();
      total_snapshots += run.snapshots_sent;
      total_crashes += run.crashes;
    }
    CHECK(total_crashes > sim::seeds(60, 600).size());  // servers died and came back
    CHECK(total_snapshots > sim::seeds(60, 600).size());  // lagging servers were sent snapshots
    // The faults did their work: many elections, and writes committed through them.
    CHECK(total_elections > 2 * sim::seeds(60, 600).size());
    CHECK(total_acks > 100 * sim::seeds(60, 600).size());
  }
}

TEST_CASE("raft runs replay exactly from their seed", "[ch06][raft][sim]") {
  auto fingerprint = [](std::uint64_t seed) {
    Run run(seed, 3);
    run.go(3000, 2000);
    return std::make_pair(run.world.fingerprint(), run.sequence.size());
  };
  CHECK(fingerprint(11) == fingerprint(11));
  CHECK(fingerprint(11) != fingerprint(12));
}
