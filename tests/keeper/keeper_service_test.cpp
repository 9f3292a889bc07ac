// tests/keeper/keeper_service_test.cpp — keeper as its clients see it, on a manual clock.
#include <catch2/catch.hpp>

#include "keeper/acl.h"
#include "support/keeper_harness.h"

using namespace streamcraft;
using namespace streamcraft::keeper;
using namespace streamcraft::keeper::testing;

namespace {

Stat stat_of(const Reply& r) {
  return std::visit(
      [](const auto& b) -> Stat {
        if constexpr (requires { b.stat; }) return b.stat;
        else FAIL("the reply has no stat");
        return {};
      },
      r.body);
}

}  // namespace

TEST_CASE("a handshake creates a session once its transaction is durable", "[ch05][keeper][sessions]") {
  Harness h;
  Client c(h);
  h.send(c.conn, encode_connect_request({0, 0, 1000, 0, Bytes(16), false}));
  // The createSession transaction was synced before the answer went out.
  REQUIRE(h.journal.synced == 1);
  CHECK(std::holds_alternative<CreateSessionTxn>(h.journal.appended[0].body));
  auto frames = h.take(c.conn);
  REQUIRE(frames.size() == 1);
  auto r = decode_connect_response(frames[0]);
  REQUIRE(r.ok());
  CHECK(r->timeout_ms == 1000);
  CHECK(r->session_id != 0);
  CHECK(r->password.size() == 16);
  CHECK(h.keeper.sessions().find(r->session_id) != nullptr);
}

TEST_CASE("session timeouts are clamped to the server's minimum and maximum", "[ch05][keeper][sessions]") {
  Harness h;  // tickTime 100: 200 ms to 2000 ms
  Client a(h), b(h), c(h);
  CHECK(a.connect(10).timeout_ms == 200);
  CHECK(b.connect(60000).timeout_ms == 2000);
  CHECK(c.connect(700).timeout_ms == 700);
}

TEST_CASE("create getData setData and delete report ZooKeeper's stats", "[ch05][keeper][ex:data-tree]") {
  Harness h;
  Client c(h);
  c.connect();  // zxid 1: the session
  auto created = c.call(OpCode::create2, create_req("/app", "v0"));
  REQUIRE(created.header.err == Code::ok);
  const auto s0 = stat_of(created);
  CHECK(s0.czxid == 2);
  CHECK(s0.mzxid == 2);
  CHECK(s0.pzxid == 2);
  CHECK(s0.version == 0);
  CHECK(s0.data_length == 2);
  CHECK(s0.ctime == h.clock.now_ms());
  CHECK(created.header.zxid == 2);

  h.clock.advance_ms(5);
  auto set = c.call(OpCode::set_data, SetDataRequest{"/app", bytes_of("v1!"), 0});
  REQUIRE(set.header.err == Code::ok);
  const auto s1 = stat_of(set);
  CHECK(s1.version == 1);
  CHECK(s1.mzxid == 3);
  CHECK(s1.czxid == 2);
  CHECK(s1.mtime == s0.mtime + 5);

  auto got = c.call(OpCode::get_data, PathWatchRequest{"/app", false});
  REQUIRE(got.header.err == Code::ok);
  CHECK(std::get<DataResponse>(got.body).data == bytes_of("v1!"));
  CHECK(stat_of(got) == s1);

  CHECK(c.call(OpCode::set_data, SetDataRequest{"/app", bytes_of("x"), 0}).header.err == Code::bad_version);
  CHECK(c.call(OpCode::remove, DeleteRequest{"/app", 7}).header.err == Code::bad_version);
  CHECK(c.call(OpCode::remove, DeleteRequest{"/app", 1}).header.err == Code::ok);
  CHECK(c.call(OpCode::exists, PathWatchRequest{"/app", false}).header.err == Code::no_node);
  auto root = c.call(OpCode::get_children2, PathWatchRequest{"/", false});
  CHECK(std::get<Children2Response>(root.body).children == std::vector<std::string>{"zookeeper"});
  CHECK(stat_of(root).cversion == 1);
}

TEST_CASE("a failed write takes a zxid as in ZooKeeper", "[ch05][keeper]") {
  Harness h;
  Client c(h);
  c.connect();
  CHECK(c.call(OpCode::create, create_req("/a")).header.zxid == 2);
  auto dup = c.call(OpCode::create, create_req("/a"));
  CHECK(dup.header.err == Code::node_exists);
  CHECK(dup.header.zxid == 3);
  CHECK(std::holds_alternative<ErrorTxn>(h.journal.appended.back().body));
  auto next = c.call(OpCode::create2, create_req("/b"));
  CHECK(stat_of(next).czxid == 4);
  CHECK(c.call(OpCode::create, create_req("/missing/child")).header.err == Code::no_node);
  CHECK(c.call(OpCode::create, create_req("bad")).header.err == Code::bad_arguments);
}

TEST_CASE("nothing is answered before its state is durable and reads behind writes wait too", "[ch05][keeper][durability]") {
  Harness h;
  Client w(h), r(h);
  w.connect();
  r.connect();
  // Two writes and a read arrive in one batch, before the keeper's poll runs.
  const auto synced_before = h.journal.syncs;
  h.handle_only(w.conn, encode_request({{1, OpCode::create}, create_req("/x", "1")}));
  auto read = h.handle_only(r.conn, encode_request({{1, OpCode::get_data}, PathWatchRequest{"/x", false}}));
  CHECK(read.kind == net::Outcome::Kind::deferred);  // it shows /x, which is not durable yet
  CHECK(h.journal.syncs == synced_before);
  auto done = h.keeper.poll();
  CHECK(h.journal.syncs == synced_before + 1);  // one sync for the batch
  CHECK(done.size() == 2);

  // With nothing pending, a read is answered at once.
  auto idle = h.handle_only(r.conn, encode_request({{2, OpCode::get_data}, PathWatchRequest{"/x", false}}));
  CHECK(idle.kind == net::Outcome::Kind::respond);
}

TEST_CASE("sequential nodes are numbered from the parent's cversion", "[ch05][keeper][ex:data-tree]") {
  Harness h;
  Client c(h);
  c.connect();
  c.call(OpCode::create, create_req("/q"));
  auto a = c.call(OpCode::create, create_req("/q/item-", "", create_flag::persistent_sequential));
  CHECK(std::get<PathResponse>(a.body).path == "/q/item-0000000000");
  auto b = c.call(OpCode::create, create_req("/q/item-", "", create_flag::persistent_sequential));
  CHECK(std::get<PathResponse>(b.body).path == "/q/item-0000000001");
  c.call(OpCode::remove, DeleteRequest{"/q/item-0000000000", -1});
  c.call(OpCode::create, create_req("/q/other"));
  auto d = c.call(OpCode::create, create_req("/q/", "", create_flag::persistent_sequential));
  CHECK(std::get<PathResponse>(d.body).path == "/q/0000000003");
}

TEST_CASE("an expired session loses its ephemeral nodes and their watchers hear of it", "[ch05][keeper][sessions][ex:session-deadlines]") {
  Harness h;
  Client owner(h), watcher(h);
  owner.connect(500);
  watcher.connect(2000);
  owner.call(OpCode::create, create_req("/lock", "", create_flag::ephemeral));
  auto seen = watcher.call(OpCode::exists, PathWatchRequest{"/lock", true});
  REQUIRE(seen.header.err == Code::ok);
  CHECK(stat_of(seen).ephemeral_owner == owner.session_id);

  // The owner goes silent; the watcher keeps pinging.
  for (int i = 0; i < 4; ++i) {
    h.advance(150);
    watcher.call(OpCode::ping, EmptyRequest{});
  }
  watcher.collect();
  REQUIRE(watcher.events.size() == 1);
  CHECK(watcher.events[0].type == EventType::node_deleted);
  CHECK(watcher.events[0].path == "/lock");
  CHECK(h.keeper.sessions().find(owner.session_id) == nullptr);
  CHECK(h.keeper.tree().find("/lock") == nullptr);
  CHECK(owner.closed());  // a paused client's connection is closed when its session ends
  CHECK(std::holds_alternative<CloseSessionTxn>(h.journal.appended.back().body));
}

TEST_CASE("a client that reconnects within its timeout keeps its session and ephemerals", "[ch05][keeper][sessions][ex:session-deadlines]") {
  Harness h;
  Client first(h);
  first.connect(1000);
  first.call(OpCode::create, create_req("/member", "", create_flag::ephemeral));
  h.close(first.conn);  // the connection breaks; the session does not
  h.advance(700);

  Client again(h);
  auto r = again.connect(1000, first.session_id, first.password(), first.last_zxid);
  CHECK(r.session_id == first.session_id);
  CHECK(r.timeout_ms == 1000);
  h.advance(700);  // 1.4 s after the break: alive, because the reconnect renewed it
  again.call(OpCode::ping, EmptyRequest{});
  CHECK(h.keeper.tree().find("/member") != nullptr);

  // A wrong password is told its session is gone, and the connection closes.
  Client thief(h);
  auto bad = thief.connect(1000, first.session_id, Bytes(16, std::byte{1}));
  CHECK(bad.timeout_ms == 0);
  CHECK(bad.session_id == 0);
  CHECK(thief.closed());
  CHECK(h.keeper.tree().find("/member") != nullptr);
}

TEST_CASE("a client that has seen a later zxid than the server is refused", "[ch05][keeper][sessions]") {
  Harness h;
  Client c(h);
  h.send(c.conn, encode_connect_request({0, 1000, 1000, 0, Bytes(16), false}));
  CHECK(c.closed());
  CHECK(h.close_reasons[c.conn].find("has seen zxid") != std::string::npos);
}

TEST_CASE("a watch fires once and a persistent watch every time", "[ch05][keeper][watches]") {
  Harness h;
  Client w(h), c(h);
  w.connect();
  c.connect();
  c.call(OpCode::create, create_req("/cfg", "a"));
  w.call(OpCode::get_data, PathWatchRequest{"/cfg", true});
  w.call(OpCode::add_watch, AddWatchRequest{"/cfg", kWatchPersistent});
  c.call(OpCode::set_data, SetDataRequest{"/cfg", bytes_of("b"), -1});
  c.call(OpCode::set_data, SetDataRequest{"/cfg", bytes_of("c"), -1});
  w.collect();
  // One event per change: the first change matches both watches but is sent once.
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[0].type == EventType::node_data_changed);
  CHECK(w.events[1].type == EventType::node_data_changed);
  CHECK(h.keeper.watches().of_kind(WatchKind::data).empty());  // the one-shot watch is gone
}

TEST_CASE("exists on a missing node watches for its creation and children watches see creates", "[ch05][keeper][watches]") {
  Harness h;
  Client w(h), c(h);
  w.connect();
  c.connect();
  CHECK(w.call(OpCode::exists, PathWatchRequest{"/later", true}).header.err == Code::no_node);
  CHECK(w.call(OpCode::get_children, PathWatchRequest{"/", true}).header.err == Code::ok);
  c.call(OpCode::create, create_req("/later"));
  w.collect();
  REQUIRE(w.events.size() == 2);
  CHECK(w.events[0].type == EventType::node_created);
  CHECK(w.events[0].path == "/later");
  CHECK(w.events[1].type == EventType::node_children_changed);
  CHECK(w.events[1].path == "/");
}

TEST_CASE("a recursive watch hears of changes anywhere below its path", "[ch05][keeper][watches]") {
  Harness h;
  Client w(h), c(h);
  w.connect();
  c.connect();
  c.call(OpCode::create, create_req("/tree"));
  w.call(OpCode::add_watch, AddWatchRequest{"/tree", kWatchPersistentRecursive});
  c.call(OpCode::create, create_req("/tree/a"));
  c.call(OpCode::create, create_req("/tree/a/b"));
  c.call(OpCode::set_data, SetDataRequest{"/tree/a/b", bytes_of("x"), -1});
  c.call(OpCode::create, create_req("/elsewhere"));
  w.collect();
  REQUIRE(w.events.size() == 3);  // no NodeChildrenChanged, nothing from /elsewhere
  CHECK(w.events[0].path == "/tree/a");
  CHECK(w.events[2].type == EventType::node_data_changed);
}

TEST_CASE("a notification arrives before the reply that shows the change", "[ch05][keeper][watches]") {
  Harness h;
  Client w(h), c(h);
  w.connect();
  c.connect();
  c.call(OpCode::create, create_req("/n", "old"));
  w.call(OpCode::get_data, PathWatchRequest{"/n", true});
  // The change and the watcher's next read in one batch.
  h.handle_only(c.conn, encode_request({{10, OpCode::set_data}, SetDataRequest{"/n", bytes_of("new"), -1}}));
  w.send(OpCode::get_data, PathWatchRequest{"/n", false}, 50);
  h.pump();
  auto frames = h.take(w.conn);
  REQUIRE(frames.size() == 2);
  CHECK(decode_reply_header(frames[0])->xid == kNotificationXid);
  CHECK(decode_reply_header(frames[1])->xid == 50);
}

TEST_CASE("a multi is atomic and a failed one reports each operation as ZooKeeper does", "[ch05][keeper][multi]") {
  Harness h;
  Client c(h);
  c.connect();
  c.call(OpCode::create, create_req("/m", "0"));
  MultiRequest ok;
  ok.ops.push_back({OpCode::check, CheckVersionRequest{"/m", 0}});
  ok.ops.push_back({OpCode::create, create_req("/m/a")});
  ok.ops.push_back({OpCode::set_data, SetDataRequest{"/m", bytes_of("1"), 0}});
  auto good = c.call(OpCode::multi, ok);
  REQUIRE(good.header.err == Code::ok);
  const auto& results = std::get<MultiResponse>(good.body).results;
  REQUIRE(results.size() == 3);
  CHECK(std::get<PathResponse>(results[1].body).path == "/m/a");
  CHECK(std::get<StatResponse>(results[2].body).stat.version == 1);
  const auto zxid_of_multi = good.header.zxid;
  CHECK(DataTree::stat_of(*h.keeper.tree().find("/m/a")).czxid == zxid_of_multi);  // one zxid for all

  MultiRequest bad;
  bad.ops.push_back({OpCode::create, create_req("/m/b")});
  bad.ops.push_back({OpCode::set_data, SetDataRequest{"/m", bytes_of("2"), 0}});  // version is 1 now
  bad.ops.push_back({OpCode::remove, DeleteRequest{"/m/a", -1}});
  const auto before = h.keeper.tree().paths();
  auto failed = c.call(OpCode::multi, bad);
  CHECK(failed.header.err == Code::ok);  // the failure is in the results
  const auto& fr = std::get<MultiResponse>(failed.body).results;
  REQUIRE(fr.size() == 3);
  CHECK(fr[0].err == Code::ok);
  CHECK(fr[1].err == Code::bad_version);
  CHECK(fr[2].err == Code::runtime_inconsistency);
  CHECK(h.keeper.tree().paths() == before);
  CHECK(failed.header.zxid == zxid_of_multi + 1);  // it took a zxid all the same
}

TEST_CASE("digest ACLs admit only the authenticated user", "[ch05][keeper][acl][ex:acl-check]") {
  Harness h;
  Client alice(h), other(h);
  alice.connect();
  other.connect();
  CHECK(alice.call(OpCode::auth, AuthRequest{0, "digest", bytes_of("alice:secret")}).header.err == Code::ok);
  CreateRequest priv = create_req("/private", "mine");
  priv.acl = {Acl{perm::all, Id{"auth", ""}}};
  REQUIRE(alice.call(OpCode::create, priv).header.err == Code::ok);
  const auto& stored = h.keeper.tree().find("/private")->acl;
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].id == Id{"digest", digest_id("alice:secret")});

  CHECK(alice.call(OpCode::get_data, PathWatchRequest{"/private", false}).header.err == Code::ok);
  CHECK(other.call(OpCode::get_data, PathWatchRequest{"/private", false}).header.err == Code::no_auth);
  CHECK(other.call(OpCode::set_data, SetDataRequest{"/private", {}, -1}).header.err == Code::no_auth);
  // "auth" from a session that authenticated as nobody is an invalid ACL.
  CreateRequest nobody = create_req("/x");
  nobody.acl = {Acl{perm::all, Id{"auth", ""}}};
  CHECK(other.call(OpCode::create, nobody).header.err == Code::invalid_acl);
  // A wrong scheme is AUTHFAILED and the connection is closed.
  auto failed = other.call(OpCode::auth, AuthRequest{0, "kerberos", bytes_of("x")});
  CHECK(failed.header.err == Code::auth_failed);
  CHECK(other.closed());
}

TEST_CASE("digest ids are ZooKeeper's base64 of SHA-1", "[ch05][keeper][acl]") {
  CHECK(base64(sha1("abc")) == "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  CHECK(base64(sha1("")) == "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  CHECK(digest_id("super:admin") == "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=");
}

TEST_CASE("an unknown op code is answered UNIMPLEMENTED in its turn", "[ch05][keeper][bad-input]") {
  Harness h;
  Client c(h);
  c.connect();
  Bytes frame;
  protocol::Encoder e(frame);
  e.i32(77);
  e.i32(4242);
  h.send(c.conn, frame);
  auto r = c.await(OpCode::ping, 77);
  CHECK(r.header.err == Code::unimplemented);
  CHECK(c.call(OpCode::exists, PathWatchRequest{"/", false}).header.err == Code::ok);
}

TEST_CASE("a malformed request closes its connection and other sessions carry on", "[ch05][keeper][bad-input]") {
  Harness h;
  Client bad(h), good(h);
  bad.connect();
  good.connect();
  Bytes garbage{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0}, std::byte{0}, std::byte{0},
                std::byte{1}, std::byte{0xff}};
  h.send(bad.conn, garbage);
  CHECK(bad.closed());
  CHECK(good.call(OpCode::create, create_req("/still-here")).header.err == Code::ok);
  // And a handshake that is not one.
  Client worse(h);
  h.send(worse.conn, Bytes{std::byte{1}, std::byte{2}});
  CHECK(worse.closed());
}

TEST_CASE("closeSession deletes the ephemerals answers and closes the connection", "[ch05][keeper][sessions]") {
  Harness h;
  Client c(h), w(h);
  c.connect();
  w.connect();
  c.call(OpCode::create, create_req("/e", "", create_flag::ephemeral));
  w.call(OpCode::exists, PathWatchRequest{"/e", true});
  auto r = c.call(OpCode::close_session, EmptyRequest{});
  CHECK(r.header.err == Code::ok);
  CHECK(c.closed());
  CHECK(h.keeper.tree().find("/e") == nullptr);
  w.call(OpCode::ping, EmptyRequest{});
  REQUIRE(w.events.size() == 1);
  CHECK(w.events[0].type == EventType::node_deleted);
}

TEST_CASE("a journal that fails stops keeper from acknowledging anything", "[ch05][keeper][durability]") {
  Harness h;
  Client c(h);
  c.connect();
  h.journal.fail_syncs = true;
  h.send(c.conn, encode_request({{1, OpCode::create}, create_req("/lost")}));
  CHECK(h.take(c.conn).empty());  // no "created" for a write the disk may not have
  CHECK(c.closed());
  CHECK(h.keeper.storage_failed());
  Client late(h);
  h.send(late.conn, encode_connect_request({0, 0, 1000, 0, Bytes(16), false}));
  CHECK(late.closed());
}

TEST_CASE("four-letter words answer only when whitelisted", "[ch05][keeper][4lw]") {
  KeeperConfig config = Harness::small_config();
  config.four_letter_words = {"ruok", "srvr"};
  Harness h(config);
  auto word = [&](std::string_view w) -> std::string {
    auto a = h.keeper.answer_unframed(1, as_bytes(w));
    return a ? std::string(as_chars(*a)) : "<frame>";
  };
  CHECK(word("ruok") == "imok");
  CHECK(word("srvr").find("Mode: standalone") != std::string::npos);
  CHECK(word("dump") == "dump is not executed because it is not in the whitelist.\n");
  std::string size_prefix("\0\0\0\x2d", 4);
  CHECK(word(size_prefix) == "<frame>");  // a handshake's size is not a word
}

TEST_CASE("an empty container and an expired TTL node are deleted by the container check", "[ch05][keeper]") {
  KeeperConfig config = Harness::small_config();
  config.extended_types = true;
  config.container_check_interval_ms = 1000;
  Harness h(config);
  Client c(h), w(h);
  c.connect(2000);
  w.connect(2000);
  CHECK(c.call(OpCode::create_container, create_req("/box", "", create_flag::container)).header.err == Code::ok);
  c.call(OpCode::create, create_req("/never-filled", "", create_flag::container));
  c.call(OpCode::create, create_req("/box/item"));
  CreateRequest ttl = create_req("/short-lived");
  ttl.flags = create_flag::persistent_with_ttl;
  ttl.ttl_ms = 1500;
  CHECK(c.call(OpCode::create_ttl, ttl).header.err == Code::ok);
  CHECK(stat_of(c.call(OpCode::exists, PathWatchRequest{"/box", false})).ephemeral_owner == 0);  // no marker shown
  w.call(OpCode::exists, PathWatchRequest{"/box", true});
  c.call(OpCode::remove, DeleteRequest{"/box/item", -1});
  for (int i = 0; i < 4; ++i) {
    h.advance(500);
    c.call(OpCode::ping, EmptyRequest{});
    w.call(OpCode::ping, EmptyRequest{});
  }
  CHECK(h.keeper.tree().find("/box") == nullptr);           // its last child went
  CHECK(h.keeper.tree().find("/never-filled") != nullptr);  // never had one: it stays
  CHECK(h.keeper.tree().find("/short-lived") == nullptr);   // 2 s without a change
  REQUIRE(w.events.size() == 1);
  CHECK(w.events[0].type == EventType::node_deleted);
  // Without zookeeper.extendedTypesEnabled, TTL nodes are refused as ZooKeeper refuses them.
  Harness plain;
  Client p(plain);
  p.connect();
  CHECK(p.call(OpCode::create_ttl, ttl).header.err == Code::unimplemented);
}
