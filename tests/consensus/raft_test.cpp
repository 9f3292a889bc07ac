// tests/consensus/raft_test.cpp — Raft's rules, one at a time, on a hand-driven bus.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "consensus/raft.h"

using namespace streamcraft;
using namespace streamcraft::consensus;

namespace {

Bytes bytes(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

// Servers whose messages are delivered at once, in order, unless their link is cut; each
// keeps what take_ready() told it to persist, and what it applied.
struct Bus {
  std::map<NodeId, std::unique_ptr<Raft>> nodes;
  std::map<NodeId, Durable> disk;
  std::map<NodeId, std::vector<Entry>> applied;
  std::set<std::pair<NodeId, NodeId>> cut;
  std::vector<Message> in_flight;

  explicit Bus(int n, int election_ticks = 10) {
    std::vector<NodeId> ids;
    for (int i = 1; i <= n; ++i) ids.push_back(i);
    for (auto id : ids) {
      RaftConfig c;
      c.id = id;
      c.voters = ids;
      c.election_ticks = election_ticks;
      c.seed = 7;
      nodes[id] = std::make_unique<Raft>(c, Durable{});
    }
  }
  void isolate(NodeId id) {
    for (auto& [other, _] : nodes)
      if (other != id) cut.insert({id, other}), cut.insert({other, id});
  }
  void heal() { cut.clear(); }

  void collect(NodeId id) {
    auto r = nodes[id]->take_ready();
    persist(disk[id], r);
    for (auto& m : r.messages) in_flight.push_back(std::move(m));
    auto& a = applied[id];
    // A snapshot stands for the entries it covers (their contents are the state's, opaque here).
    if (r.snapshot) a.assign(static_cast<std::size_t>(r.snapshot->index), Entry{-1, {}});
    REQUIRE((r.committed.empty() || r.committed_from == static_cast<std::int64_t>(a.size()) + 1));
    a.insert(a.end(), r.committed.begin(), r.committed.end());
  }
  // Delivers until nothing is in flight (bounded: a livelock fails the test).
  void settle() {
    for (auto& [id, _] : nodes) collect(id);
    for (int round = 0; !in_flight.empty(); ++round) {
      REQUIRE(round < 10000);
      auto batch = std::move(in_flight);
      in_flight.clear();
      for (auto& m : batch) {
        if (cut.contains({m.from, m.to})) continue;
        nodes[m.to]->step(m);
        collect(m.to);
      }
    }
  }
  void tick(int times = 1) {
    for (int i = 0; i < times; ++i) {
      for (auto& [id, n] : nodes) n->tick();
      settle();
    }
  }
  std::vector<NodeId> leaders() const {
    std::vector<NodeId> out;
    for (const auto& [id, n] : nodes)
      if (n->role() == Role::leader) out.push_back(id);
    return out;
  }
  // Ticks until exactly one leader, or fails.
  NodeId elect() {
    for (int i = 0; i < 200; ++i) {
      tick();
      if (leaders().size() == 1) return leaders()[0];
    }
    FAIL("no single leader after 200 ticks");
    return kNoNode;
  }
};

}  // namespace

TEST_CASE("a single server elects itself and commits alone", "[ch06][raft]") {
  Bus bus(1);
  const auto leader = bus.elect();
  CHECK(leader == 1);
  auto index = bus.nodes[1]->propose(bytes("x"));
  REQUIRE(index.ok());
  bus.settle();
  CHECK(bus.nodes[1]->commit_index() == *index);
  REQUIRE(bus.applied[1].size() == 2);  // the leader's empty entry, then x
  CHECK(bus.applied[1][0].data.empty());
  CHECK(bus.applied[1][1].data == bytes("x"));
}

TEST_CASE("three servers elect one leader and every one applies its entries in order", "[ch06][raft]") {
  Bus bus(3);
  const auto leader = bus.elect();
  for (auto& [id, n] : bus.nodes) {
    CHECK(n->term() == bus.nodes[leader]->term());
    CHECK(n->leader() == leader);
  }
  for (int i = 0; i < 5; ++i) REQUIRE(bus.nodes[leader]->propose(bytes("v" + std::to_string(i))).ok());
  bus.settle();
  bus.tick();  // followers learn the commit index with the next heartbeat
  for (auto& [id, a] : bus.applied) {
    REQUIRE(a.size() == 6);
    CHECK(a == bus.applied[leader]);
  }
  // A follower refuses proposals: only the leader orders entries.
  const NodeId follower = leader == 1 ? 2 : 1;
  CHECK(bus.nodes[follower]->propose(bytes("no")).error().code == Errc::not_leader_or_follower);
}

TEST_CASE("a server votes once per term and only for a log at least as up to date as its own", "[ch06][raft]") {
  RaftConfig c;
  c.id = 1;
  c.voters = {1, 2, 3};
  Raft r(c, Durable{{4, kNoNode}, {}, {Entry{2, {}}, Entry{4, {}}}});
  auto reply = [&](NodeId from, VoteRequest req) {
    r.step({from, 1, req});
    auto ready = r.take_ready();
    REQUIRE(ready.messages.size() == 1);
    return std::get<VoteReply>(ready.messages[0].body);
  };
  // A shorter log of the same last term, or an older last term: refused.
  CHECK_FALSE(reply(2, {5, 1, 4, false}).granted);
  CHECK_FALSE(reply(2, {5, 5, 3, false}).granted);
  // The term moved to 5 all the same, and no vote was cast in it.
  CHECK(r.term() == 5);
  CHECK(reply(2, {5, 2, 4, false}).granted);
  // Once per term: the same term's other candidate is refused, the same one asked again is not.
  CHECK_FALSE(reply(3, {5, 9, 9, false}).granted);
  CHECK(reply(2, {5, 2, 4, false}).granted);
}

TEST_CASE("a vote is written to disk before its reply leaves", "[ch06][raft]") {
  RaftConfig c;
  c.id = 1;
  c.voters = {1, 2, 3};
  Raft r(c, Durable{});
  r.step({2, 1, VoteRequest{1, 0, 0, false}});
  auto ready = r.take_ready();
  REQUIRE(ready.hard_state);  // persisted first (Ready's order), then the reply is sent
  CHECK(ready.hard_state->term == 1);
  CHECK(ready.hard_state->voted_for == 2);
  // Restarted from that disk, it will not vote for another candidate in term 1.
  Durable disk;
  persist(disk, ready);
  CHECK(disk.hard == HardState{1, 2});
  Raft again(c, disk);
  again.step({3, 1, VoteRequest{1, 0, 0, false}});
  CHECK_FALSE(std::get<VoteReply>(again.take_ready().messages.at(0).body).granted);
}

TEST_CASE("a follower whose log diverged is repaired by the consistency check", "[ch06][raft]") {
  RaftConfig c;
  c.id = 2;
  c.voters = {1, 2, 3};
  // The follower holds entries of term 2 that the leader of term 3 never had.
  Raft f(c, Durable{{2, kNoNode}, {}, {Entry{1, bytes("a")}, Entry{2, bytes("x")}, Entry{2, bytes("y")}}});
  auto answer = [&](AppendRequest req) {
    f.step({1, 2, std::move(req)});
    auto ready = f.take_ready();
    REQUIRE(ready.messages.size() == 1);
    return std::make_pair(std::get<AppendReply>(ready.messages[0].body), ready);
  };
  // The leader's log: a(1) b(3) c(3). It starts at its end: prev = 3, term 3 — refused,
  // and the follower points back to the first entry of its conflicting term (index 2).
  auto [refused, _] = answer({3, 3, 3, {}, 0});
  CHECK_FALSE(refused.success);
  CHECK(refused.retry_from == 2);
  auto [accepted, ready] = answer({3, 1, 1, {Entry{3, bytes("b")}, Entry{3, bytes("c")}}, 3});
  CHECK(accepted.success);
  CHECK(accepted.match_index == 3);
  CHECK(ready.append_from == 2);  // the overruled suffix goes from the disk too
  REQUIRE(ready.append.size() == 2);
  CHECK(f.entry(2).data == bytes("b"));
  CHECK(f.entry(3).data == bytes("c"));
  CHECK(f.commit_index() == 3);
  CHECK(ready.committed.size() == 3);
  // A resent append changes nothing.
  auto [again, ready2] = answer({3, 1, 1, {Entry{3, bytes("b")}}, 3});
  CHECK(again.success);
  CHECK(ready2.append_from == 0);
  CHECK(f.last_index() == 3);  // the entry after the resent one stays
}

TEST_CASE("a server cut off and back does not depose a healthy leader", "[ch06][raft]") {
  Bus bus(3);
  const auto leader = bus.elect();
  const auto term = bus.nodes[leader]->term();
  const NodeId lonely = leader == 3 ? 2 : 3;
  bus.isolate(lonely);
  bus.tick(100);  // many election timeouts: it asks for pre-votes, nobody answers
  CHECK(bus.nodes[lonely]->term() == term);  // pre-vote never raised its term
  CHECK(bus.nodes[lonely]->role() == Role::pre_candidate);
  bus.heal();
  bus.tick(30);
  CHECK(bus.leaders() == std::vector<NodeId>{leader});
  CHECK(bus.nodes[leader]->term() == term);
  CHECK(bus.nodes[lonely]->leader() == leader);
}

TEST_CASE("a leader cut off from the majority steps down and the others elect another", "[ch06][raft]") {
  Bus bus(3);
  const auto old = bus.elect();
  bus.isolate(old);
  REQUIRE(bus.nodes[old]->propose(bytes("lost")).ok());  // it does not know yet
  bus.tick(60);
  CHECK(bus.nodes[old]->role() != Role::leader);  // check-quorum
  auto now = bus.leaders();
  REQUIRE(now.size() == 1);
  CHECK(now[0] != old);
  CHECK(bus.nodes[now[0]]->term() > bus.nodes[old]->term());
  // An entry proposed to the deposed leader before it noticed is never committed; the
  // new leader's entries replace it when the old one comes back.
  bus.heal();
  REQUIRE(bus.nodes[now[0]]->propose(bytes("after")).ok());
  bus.tick(5);
  for (auto& [id, a] : bus.applied) {
    CHECK(a == bus.applied[now[0]]);
    for (const auto& e : a) CHECK(e.data != bytes("lost"));
  }
  CHECK(bus.nodes[old]->leader() == now[0]);
  CHECK(bus.nodes[old]->entry(bus.nodes[old]->last_index()).data == bytes("after"));
}

TEST_CASE("a leader commits an earlier term's entry only through an entry of its own term", "[ch06][raft]") {
  // The Raft paper's figure 8: server 1 leads term 4 with an entry of term 2 at index 2
  // that two others also hold — a majority of five — yet a server whose last entry is of
  // term 3 could still be elected and overwrite it. Counting replicas commits it only once
  // the new leader's own entry (its empty entry at index 3) is on a majority too.
  RaftConfig c;
  c.id = 1;
  c.voters = {1, 2, 3, 4, 5};
  Raft r(c, Durable{{3, kNoNode}, {}, {Entry{1, bytes("a")}, Entry{2, bytes("b")}}});
  for (int i = 0; i < 40 && r.role() != Role::pre_candidate; ++i) r.tick();
  REQUIRE(r.role() == Role::pre_candidate);
  for (NodeId from : {2, 3}) r.step({from, 1, VoteReply{4, true, true}});
  REQUIRE(r.role() == Role::candidate);
  REQUIRE(r.term() == 4);
  for (NodeId from : {2, 3}) r.step({from, 1, VoteReply{4, true, false}});
  REQUIRE(r.role() == Role::leader);
  REQUIRE(r.last_index() == 3);  // its empty entry of term 4
  (void)r.take_ready();
  for (NodeId from : {2, 3}) r.step({from, 1, AppendReply{4, true, 2, 0}});
  CHECK(r.commit_index() == 0);  // index 2 is on three of five, and still not committed
  r.step({2, 1, AppendReply{4, true, 3, 0}});
  CHECK(r.commit_index() == 0);  // index 3 on two of five
  r.step({3, 1, AppendReply{4, true, 3, 0}});
  CHECK(r.commit_index() == 3);  // index 3 on a majority: it commits, and index 2 with it
  auto ready = r.take_ready();
  CHECK(ready.committed_from == 1);
  CHECK(ready.committed.size() == 3);
}

TEST_CASE("a follower too far behind gets the leader's snapshot and goes on from it", "[ch06][raft]") {
  Bus bus(3);
  const auto leader = bus.elect();
  const NodeId lagging = leader == 3 ? 2 : 3;
  bus.isolate(lagging);
  for (int i = 0; i < 10; ++i) REQUIRE(bus.nodes[leader]->propose(bytes("v" + std::to_string(i))).ok());
  bus.tick();
  // The leader's state machine as of its last applied entry; its log before it goes.
  const auto upto = bus.nodes[leader]->commit_index();
  REQUIRE(upto >= 11);
  CHECK_FALSE(bus.nodes[leader]->compact(upto + 1, bytes("too far")).ok());  // not applied yet
  REQUIRE(bus.nodes[leader]->compact(upto, bytes("state@" + std::to_string(upto))).ok());
  bus.collect(leader);
  CHECK(bus.nodes[leader]->first_index() == upto + 1);
  CHECK(bus.disk[leader].snapshot.index == upto);
  CHECK(bus.disk[leader].log.empty());
  REQUIRE(bus.nodes[leader]->propose(bytes("after")).ok());
  // Back: the entries it lacks are gone from the leader's log, so the snapshot comes.
  bus.heal();
  bus.tick(3);
  auto& f = *bus.nodes[lagging];
  CHECK(f.snapshot().index == upto);
  CHECK(f.snapshot().data == bytes("state@" + std::to_string(upto)));
  CHECK(bus.disk[lagging].snapshot.index == upto);
  CHECK(f.last_index() == upto + 1);
  CHECK(f.entry(upto + 1).data == bytes("after"));
  CHECK(f.commit_index() == upto + 1);
  // It applied what came after the snapshot, not what the snapshot covers.
  CHECK(bus.applied[lagging].back().data == bytes("after"));
  // Restarted from its disk, it starts from the snapshot.
  Raft again(RaftConfig{lagging, {1, 2, 3}}, bus.disk[lagging]);
  CHECK(again.commit_index() == upto);
  CHECK(again.last_index() == upto + 1);
}
