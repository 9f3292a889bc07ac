// generated from tests/keeper/store_test.cpp; edit there
// tests/keeper/store_test.cpp — the transaction log, snapshots, recovery and purging.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "keeper/config.h"
#include "keeper/store.h"
#include "log/memory_file_system.h"
#include "support/keeper_harness.h"

using namespace streamcraft;
using namespace streamcraft::keeper;
using namespace streamcraft::keeper::testing;

namespace {

StoreConfig store_config(std::int64_t snap_count = 1000) {
  StoreConfig c;
  c.data_dir = "/keeper/data";
  c.data_log_dir = "/keeper/log";
  c.snap_count = snap_count;
  c.log.segment_bytes = 4096;  // many segments, so that purging has something to delete
  c.log.preallocate_bytes = 1024;
  return c;
}

// A keeper on a Store, its clients, and a restart from what the disk holds.
struct Node {
  log::MemoryFileSystem& fs;
  StoreConfig config;
  ManualClock clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<KeeperService> keeper;

  Node(log::MemoryFileSystem& f, StoreConfig c) : fs(f), config(std::move(c)) { start(); }
  void start() {
    keeper.reset();  // the process that ran before is gone
    store.reset();
    auto s = Store::open(fs, config, clock);
    REQUIRE(s.ok());
    store = std::move(*s);
    keeper = std::make_unique<KeeperService>(clock, Harness::small_config(), *store, store->take_state());
  }
  void crash() {
    keeper.reset();
    store.reset();
    fs.crash();
    start();
  }
  Bytes buffer;
  net::Outcome handle(net::ConnectionId conn, Bytes frame) {
    buffer = std::move(frame);
    return keeper->handle(conn, buffer);
  }
  // One session, one write per call, answered (so durable) before the next.
  void write(const Request& r, std::int64_t session_conn = 1) {
    handle(session_conn, encode_request(r));
    keeper->poll();
  }
  std::int64_t connect(net::ConnectionId conn) {
    keeper->on_open(conn, "127.0.0.1");
    handle(conn, encode_connect_request({0, 0, 1000, 0, Bytes(16), false}));
    keeper->poll();
    return keeper->sessions().all().rbegin()->first;
  }
};

}  // namespace

TEST_CASE("acknowledged writes are recovered from the transaction log", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  Node n(fs, store_config());
  const auto session = n.connect(1);
  for (int i = 0; i < 50; ++i) n.write({{i + 1, OpCode::create}, create_req("/n" + std::to_string(i), "data")});
  n.write({{60, OpCode::create}, create_req("/eph", "", create_flag::ephemeral)});
  const auto paths = n.keeper->tree().paths();
  const auto zxid = n.keeper->tree().last_zxid();

  n.crash();  // the process dies: what was synced stays
  CHECK(n.store->recovery().replayed == 52);  // the session, 50 creates, the ephemeral
  CHECK(n.keeper->tree().paths() == paths);
  CHECK(n.keeper->tree().last_zxid() == zxid);
  // The session survives the restart, with its ephemeral, for its client to come back to.
  CHECK(n.keeper->sessions().find(session) != nullptr);
  CHECK(n.keeper->tree().ephemerals_of(session).contains("/eph"));
}

TEST_CASE("a torn tail of the transaction log is cut and what was acknowledged stays", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  Node n(fs, store_config());
  n.connect(1);
  n.write({{1, OpCode::create}, create_req("/kept")});
  // A write that was appended but never synced: the crash tears it.
  n.handle(1, encode_request({{2, OpCode::create}, create_req("/torn")}));
  n.store->append(Txn{{1, 2, 99, 0, OpCode::create}, CreateTxn{"/torn", {}, open_acl_unsafe(), 0, 3}});
  n.crash();
  CHECK(n.keeper->tree().find("/kept") != nullptr);
  CHECK(n.keeper->tree().find("/torn") == nullptr);
}

TEST_CASE("a snapshot shortens recovery and a damaged one falls back to the one before", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  Node n(fs, store_config(/*snap_count=*/10));
  n.connect(1);
  for (int i = 0; i < 35; ++i) n.write({{i + 1, OpCode::create}, create_req("/s" + std::to_string(i))});
  auto snaps = n.store->snapshot_zxids();
  REQUIRE(snaps.size() >= 3);
  const auto paths = n.keeper->tree().paths();
  n.crash();
  CHECK(n.store->recovery().snapshot_zxid == snaps.back());
  CHECK(n.store->recovery().replayed < 10);
  CHECK(n.keeper->tree().paths() == paths);

  // Damage the newest snapshot: recovery takes the previous one and replays more.
  const auto newest = std::filesystem::path("/keeper/data") / fmt::format("snapshot.{:x}", snaps.back());
  auto bytes = fs.read_all(newest);
  REQUIRE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= std::byte{0xff};
  REQUIRE(fs.write_atomically(newest, *bytes).ok());
  n.start();
  CHECK(n.store->recovery().damaged_snapshots.size() == 1);
  CHECK(n.store->recovery().snapshot_zxid == snaps[snaps.size() - 2]);
  CHECK(n.keeper->tree().paths() == paths);
}

TEST_CASE("autopurge keeps the newest snapshots and the log they need", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  auto config = store_config(/*snap_count=*/20);
  config.autopurge = true;
  Node n(fs, config);
  n.connect(1);
  for (int i = 0; i < 200; ++i) n.write({{i + 1, OpCode::create}, create_req("/p" + std::to_string(i), "0123456789")});
  const auto snaps = n.store->snapshot_zxids();
  CHECK(snaps.size() == 3);
  const auto segments_before_restart = n.store->txn_log().segment_count();
  const auto paths = n.keeper->tree().paths();
  n.crash();
  CHECK(n.keeper->tree().paths() == paths);
  // Segments only the deleted snapshots needed are gone: far fewer than 200 writes' worth.
  CHECK(segments_before_restart < 10);
}

// The tree as clients see it: every path with its data and stat.
std::vector<std::tuple<std::string, Bytes, Stat>> contents(const DataTree& t) {
  std::vector<std::tuple<std::string, Bytes, Stat>> out;
  for (const auto& p : t.paths()) out.emplace_back(p, t.find(p)->data, DataTree::stat_of(*t.find(p)));
  return out;
}

TEST_CASE("a fuzzy snapshot written while writes go on recovers exactly the tree", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  auto config = store_config(/*snap_count=*/50);
  config.snapshot_step_bytes = 1;  // one node per step: every write below lands inside it
  Node n(fs, config);
  n.connect(1);
  int xid = 0;
  // "/a!" sorts between "/a" and "/a/b": the snapshot writes it in the step after it
  // finds /a gone, so /a/b comes up after /a was re-created — with no /a in the file.
  for (auto p : {"/a", "/a/b", "/a!"}) n.write({{++xid, OpCode::create}, create_req(p, "old")});
  for (int i = 0; i < 46; ++i) n.write({{++xid, OpCode::create}, create_req(fmt::format("/f{:02}", i), "0")});
  REQUIRE(n.store->busy());  // the 50th transaction started it; it has written "/" only
  REQUIRE(n.store->snapshot_zxids().empty());
  const auto snapshot_zxid = n.keeper->tree().last_zxid();

  auto del = [](std::string p) { return MultiOp{OpCode::remove, DeleteRequest{std::move(p), -1}}; };
  auto make = [](std::string p) { return MultiOp{OpCode::create, create_req(std::move(p), "new")}; };
  n.write({{++xid, OpCode::multi}, MultiRequest{{del("/a/b"), del("/a")}}});
  n.write({{++xid, OpCode::multi}, MultiRequest{{make("/a"), make("/a/b")}}});
  n.write({{++xid, OpCode::set_data}, SetDataRequest{"/f40", bytes_of("changed before its turn"), -1}});
  n.write({{++xid, OpCode::set_data}, SetDataRequest{"/f00", bytes_of("changed after its turn"), -1}});
  n.write({{++xid, OpCode::remove}, DeleteRequest{"/f30", -1}});
  n.write({{++xid, OpCode::create}, create_req("/g", "created during it")});
  n.write({{++xid, OpCode::create}, create_req("/f30", "deleted and created again")});
  REQUIRE(n.store->busy());
  // With no more writes, each poll takes a step of its own until the file is complete.
  for (int i = 0; i < 200 && n.store->busy(); ++i) {
    CHECK(n.keeper->has_completions());
    CHECK(n.keeper->next_deadline_ms().has_value());
    n.keeper->poll();
  }
  REQUIRE_FALSE(n.store->busy());
  CHECK_FALSE(n.keeper->next_deadline_ms().has_value());
  CHECK(n.store->snapshot_zxids() == std::vector<std::int64_t>{snapshot_zxid});
  const auto live = contents(n.keeper->tree());

  n.crash();
  CHECK(n.store->recovery().snapshot_zxid == snapshot_zxid);
  CHECK(n.store->recovery().damaged_snapshots.empty());
  CHECK(n.store->recovery().replayed == 7);  // the writes made while it was written
  CHECK(contents(n.keeper->tree()) == live);
}

TEST_CASE("a snapshot cut short by a crash leaves the previous state and no stray file", "[ch05][keeper][durability]") {
  log::MemoryFileSystem fs;
  auto config = store_config(/*snap_count=*/20);
  config.snapshot_step_bytes = 1;
  Node n(fs, config);
  n.connect(1);
  std::optional<std::int64_t> started;
  for (int i = 0; i < 25; ++i) {
    n.write({{i + 1, OpCode::create}, create_req(fmt::format("/n{:02}", i))});
    if (!started && n.store->busy()) started = n.keeper->tree().last_zxid();
  }
  REQUIRE(started);
  REQUIRE(n.store->busy());
  REQUIRE(fs.exists(std::filesystem::path("/keeper/data") / fmt::format("snapshot.{:x}.tmp", *started)));
  const auto live = contents(n.keeper->tree());
  n.crash();
  CHECK_FALSE(n.store->recovery().snapshot_zxid.has_value());
  CHECK(contents(n.keeper->tree()) == live);
  auto names = fs.list("/keeper/data");
  REQUIRE(names.ok());
  for (const auto& name : *names) CHECK_FALSE(name.ends_with(".tmp"));
}

TEST_CASE("snapshots round-trip the tree and the sessions and refuse damage", "[ch05][keeper][durability]") {
  DataTree t;
  t.apply({1, 0, 1, 10, OpCode::create}, CreateTxn{"/a", bytes_of("x"), open_acl_unsafe(), 0, 1});
  t.apply({1, 0, 2, 11, OpCode::create}, CreateTxn{"/a/e", {}, open_acl_unsafe(), 7, 1});
  auto bytes = encode_snapshot(t, {{7, 3000}});
  auto back = decode_snapshot(bytes);
  REQUIRE(back.ok());
  CHECK(back->tree.paths() == t.paths());
  CHECK(DataTree::stat_of(*back->tree.find("/a")) == DataTree::stat_of(*t.find("/a")));
  CHECK(back->tree.ephemerals_of(7).contains("/a/e"));
  CHECK(back->tree.last_zxid() == 2);
  CHECK(back->sessions.at(7) == 3000);
  for (std::size_t n = 0; n < bytes.size(); n += 7) CHECK_FALSE(decode_snapshot(ByteSpan(bytes).first(n)).ok());
}

TEST_CASE("zoo.cfg is read with ZooKeeper's keys and defaults", "[ch05][keeper][config]") {
  auto s = keeper_settings({{"tickTime", "500"}, {"dataDir", "/var/zk"}, {"clientPort", "2281"},
                            {"maxClientCnxns", "10"}, {"4lw.commands.whitelist", "ruok, srvr ,mntr"},
                            {"forceSync", "no"}, {"server.1", "a:2888:3888"}, {"bogus", "1"},
                            {"autopurge.purgeInterval", "1"}, {"preAllocSize", "1024"}});
  REQUIRE(s.ok());
  CHECK(s->keeper.tick_time_ms == 500);
  CHECK(s->keeper.min_timeout() == 1000);
  CHECK(s->keeper.max_timeout() == 10000);
  CHECK(s->client_port == 2281);
  CHECK(s->keeper.four_letter_words == std::set<std::string>{"ruok", "srvr", "mntr"});
  CHECK_FALSE(s->store.log.force_sync);
  CHECK(s->store.log.preallocate_bytes == 1u << 20);  // preAllocSize counts kilobytes
  CHECK(s->store.autopurge);
  CHECK(s->warnings.size() == 2);
  CHECK_FALSE(keeper_settings({{"tickTime", "2000"}}).ok());  // no dataDir
  CHECK_FALSE(keeper_settings({{"dataDir", "/d"}, {"tickTime", "-5"}}).ok());
  CHECK_FALSE(keeper_settings({{"dataDir", "/d"}, {"minSessionTimeout", "9000"}, {"maxSessionTimeout", "4000"}}).ok());
}
