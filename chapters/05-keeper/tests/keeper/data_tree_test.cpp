// generated from tests/keeper/data_tree_test.cpp; edit there
// tests/keeper/data_tree_test.cpp — znodes, stat bookkeeping, ephemerals, undo, replay.
#include <catch2/catch.hpp>

#include "keeper/data_tree.h"

using namespace streamcraft;
using namespace streamcraft::keeper;

namespace {

Bytes bytes_of(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

TxnHeader at(std::int64_t zxid, std::int64_t time = 1000) { return {0, 0, zxid, time, OpCode::create}; }

CreateTxn create(const DataTree& t, std::string path, std::string data = "", std::int64_t owner = 0) {
  const auto* parent = t.find(parent_of(path));
  REQUIRE(parent != nullptr);
  return CreateTxn{std::move(path), bytes_of(data), open_acl_unsafe(), owner, parent->stat.cversion + 1};
}

// Every invariant of the header comment, checked over the whole tree.
void check_invariants(const DataTree& t) {
  for (const auto& path : t.paths()) {
    const Znode* n = t.find(path);
    REQUIRE(n != nullptr);
    if (path != "/") {
      const Znode* parent = t.find(parent_of(path));
      REQUIRE(parent != nullptr);
      CHECK(parent->children.contains(std::string(name_of(path))));
    }
    for (const auto& c : n->children) CHECK(t.find(path == "/" ? "/" + c : path + "/" + c) != nullptr);
    if (is_session_owner(n->stat.ephemeral_owner)) {
      CHECK(t.ephemerals_of(n->stat.ephemeral_owner).contains(path));
      CHECK(n->children.empty());
    }
  }
  for (const auto& [owner, paths] : t.ephemerals())
    for (const auto& p : paths) CHECK((t.find(p) && t.find(p)->stat.ephemeral_owner == owner));
}

}  // namespace

TEST_CASE("the tree starts with the root and ZooKeeper's own nodes", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree t;
  CHECK(t.paths() == std::vector<std::string>{"/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota"});
  CHECK(t.find("/")->children == std::set<std::string>{"zookeeper"});
  // cversion as clients see it counts child changes: 0 creates, 1 child there → -1, as ZooKeeper reports.
  CHECK(DataTree::stat_of(*t.find("/")) == Stat{0, 0, 0, 0, 0, -1, 0, 0, 0, 1, 0});
  check_invariants(t);
}

TEST_CASE("a create sets the node's stat and moves the parent's cversion and pzxid", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree t;
  auto events = t.apply(at(5, 1234), create(t, "/app", "hello"));
  CHECK(events == std::vector<TreeEvent>{{EventType::node_created, "/app"}, {EventType::node_children_changed, "/"}});
  const auto s = DataTree::stat_of(*t.find("/app"));
  CHECK(s == Stat{5, 5, 1234, 1234, 0, 0, 0, 0, 5, 0, 5});
  const auto root = DataTree::stat_of(*t.find("/"));
  CHECK(t.find("/")->stat.cversion == 1);  // one create
  CHECK(root.cversion == 0);               // 2 × 1 create − 2 children
  CHECK(root.pzxid == 5);
  CHECK(root.num_children == 2);
  CHECK(t.last_zxid() == 5);
  check_invariants(t);
}

TEST_CASE("setData moves version mzxid and mtime and leaves the creation alone", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree t;
  t.apply(at(1, 100), create(t, "/a", "v0"));
  auto events = t.apply(at(2, 200), SetDataTxn{"/a", bytes_of("v1 longer"), 1});
  CHECK(events == std::vector<TreeEvent>{{EventType::node_data_changed, "/a"}});
  const auto s = DataTree::stat_of(*t.find("/a"));
  CHECK(s.czxid == 1);
  CHECK(s.ctime == 100);
  CHECK(s.mzxid == 2);
  CHECK(s.mtime == 200);
  CHECK(s.version == 1);
  CHECK(s.data_length == 9);
  CHECK(s.pzxid == 1);
}

TEST_CASE("a delete moves the parent's pzxid and its reported cversion but not the sequence", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree t;
  t.apply(at(1), create(t, "/p"));
  t.apply(at(2), create(t, "/p/a"));
  t.apply(at(3), create(t, "/p/b"));
  auto events = t.apply(at(4), DeleteTxn{"/p/a"});
  CHECK(events == std::vector<TreeEvent>{{EventType::node_deleted, "/p/a"}, {EventType::node_children_changed, "/p"}});
  const auto s = DataTree::stat_of(*t.find("/p"));
  CHECK(s.cversion == 3);  // two creates and a delete, as ZooKeeper reports it
  CHECK(s.pzxid == 4);
  CHECK(s.num_children == 1);
  CHECK(t.find("/p/a") == nullptr);
  // The next sequential child is numbered from the creates alone.
  CHECK(t.find("/p")->stat.cversion == 2);
  CHECK(sequence_suffix(t.find("/p")->stat.cversion) == "0000000002");
  check_invariants(t);
}

TEST_CASE("ephemeral nodes belong to their session and go with it", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree t;
  const std::int64_t session = 0x1000000000001;
  t.apply(at(1), create(t, "/workers"));
  t.apply(at(2), create(t, "/workers/w1", "", session));
  t.apply(at(3), create(t, "/workers/w2", "", session));
  t.apply(at(4), create(t, "/workers/w3", "", session + 1));
  CHECK(t.ephemerals_of(session) == std::set<std::string>{"/workers/w1", "/workers/w2"});
  check_invariants(t);

  auto events = t.apply({session, 0, 5, 1000, OpCode::close_session}, CloseSessionTxn{{"/workers/w1", "/workers/w2"}});
  CHECK(events.size() == 4);
  CHECK(t.ephemerals_of(session).empty());
  CHECK(t.find("/workers")->children == std::set<std::string>{"w3"});
  CHECK(t.find("/workers")->stat.pzxid == 5);
  check_invariants(t);
}

TEST_CASE("rolling back a multi leaves the tree exactly as it was", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree t;
  t.apply(at(1), create(t, "/a", "keep"));
  t.apply(at(2), create(t, "/a/child", "", 77));
  const auto before_paths = t.paths();
  std::vector<Stat> before_stats;
  for (const auto& p : before_paths) before_stats.push_back(DataTree::stat_of(*t.find(p)));

  t.begin_undo();
  t.apply_step(at(3), create(t, "/b", "new"));
  t.apply_step(at(3), create(t, "/b/c"));
  t.apply_step(at(3), SetDataTxn{"/a", bytes_of("changed"), 1});
  t.apply_step(at(3), DeleteTxn{"/a/child"});
  CHECK(t.find("/b/c") != nullptr);
  t.rollback();

  CHECK(t.paths() == before_paths);
  for (std::size_t i = 0; i < before_paths.size(); ++i)
    CHECK(DataTree::stat_of(*t.find(before_paths[i])) == before_stats[i]);
  CHECK(t.find("/a")->data == bytes_of("keep"));
  CHECK(t.ephemerals_of(77) == std::set<std::string>{"/a/child"});
  check_invariants(t);
}

TEST_CASE("replaying the same transactions from their bytes gives the same tree", "[ch05][keeper][tree][ex:data-tree]") {
  DataTree live;
  std::vector<Bytes> log;
  std::int64_t zxid = 0;
  auto run = [&](TxnBody body) {
    Txn txn{{1, 0, ++zxid, 1000 + zxid, OpCode::create}, std::move(body)};
    log.push_back(encode_txn(txn));
    live.apply(txn.header, txn.body);
  };
  run(create(live, "/locks"));
  run(create(live, "/locks/lock-" + sequence_suffix(live.find("/locks")->stat.cversion), "", 9));
  run(SetDataTxn{"/locks", bytes_of("x"), 1});
  run(MultiTxn{{create(live, "/m"), SetAclTxn{"/m", {Acl{perm::read, {"world", "anyone"}}}, 1}}});
  run(MultiTxn{{ErrorTxn{Code::ok}, ErrorTxn{Code::node_exists}}});
  run(ErrorTxn{Code::no_node});
  run(CreateSessionTxn{6000});
  run(CloseSessionTxn{{"/locks/lock-0000000000"}});
  run(DeleteTxn{"/m"});

  DataTree replayed;
  for (const auto& bytes : log) {
    auto txn = decode_txn(bytes);
    REQUIRE(txn.ok());
    replayed.apply(txn->header, txn->body);
  }
  REQUIRE(replayed.paths() == live.paths());
  for (const auto& p : live.paths()) {
    CHECK(DataTree::stat_of(*replayed.find(p)) == DataTree::stat_of(*live.find(p)));
    CHECK(replayed.find(p)->data == live.find(p)->data);
    CHECK(replayed.find(p)->acl == live.find(p)->acl);
  }
  CHECK(replayed.last_zxid() == zxid);
}

TEST_CASE("a damaged transaction is refused", "[ch05][keeper][tree][bad-input]") {
  auto bytes = encode_txn({{1, 2, 3, 4, OpCode::create}, CreateTxn{"/a", bytes_of("d"), open_acl_unsafe(), 0, 1}});
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(decode_txn(ByteSpan(bytes).first(n)).ok());
  auto extra = bytes;
  extra.push_back(std::byte{0});
  CHECK_FALSE(decode_txn(extra).ok());
  auto wrong_version = bytes;
  wrong_version[0] = std::byte{9};
  CHECK_FALSE(decode_txn(wrong_version).ok());
}

TEST_CASE("paths are validated as ZooKeeper validates them", "[ch05][keeper][tree]") {
  for (auto p : {"/", "/a", "/a/b", "/a-b.c_d", "/zookeeper/x", "/ü"}) CHECK(valid_path(p));
  for (auto p : {"", "a", "/a/", "//a", "/a//b", "/./a", "/a/..", "/a\tb"}) CHECK_FALSE(valid_path(p));
  CHECK(valid_path("/queue/", /*sequential=*/true));
  CHECK_FALSE(valid_path(std::string_view("/a\0b", 4)));
  CHECK(parent_of("/a/b") == "/a");
  CHECK(parent_of("/a") == "/");
  CHECK(name_of("/a/b") == "b");
  CHECK(sequence_suffix(12) == "0000000012");
}
