// generated from tests/keeper/protocol_test.cpp; edit there
// tests/keeper/protocol_test.cpp — ZooKeeper's records: sizes, round trips, hostile bytes.
#include <catch2/catch.hpp>

#include "keeper/protocol.h"

using namespace streamcraft;
using namespace streamcraft::keeper;

namespace {

Bytes bytes_of(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

Request round_trip(const Request& r) {
  auto encoded = encode_request(r);
  auto decoded = decode_request(encoded);
  REQUIRE(decoded.ok());
  CHECK(encode_request(*decoded) == encoded);  // nothing lost, nothing added
  return std::move(*decoded);
}

}  // namespace

TEST_CASE("the handshake is 45 bytes from the client and 37 from the server", "[ch05][keeper][protocol]") {
  ConnectRequest req;
  req.last_zxid_seen = 0x1234;
  req.timeout_ms = 10000;
  req.password = Bytes(kPasswordSize);
  req.read_only = false;
  auto bytes = encode_connect_request(req);
  CHECK(bytes.size() == 45);  // the C client's HANDSHAKE_REQ_SIZE
  auto back = decode_connect_request(bytes);
  REQUIRE(back.ok());
  CHECK(back->last_zxid_seen == 0x1234);
  CHECK(back->timeout_ms == 10000);
  CHECK(back->read_only == std::optional<bool>(false));

  // An old client without the read-only byte is understood too.
  bytes.pop_back();
  auto old = decode_connect_request(bytes);
  REQUIRE(old.ok());
  CHECK_FALSE(old->read_only.has_value());

  ConnectResponse resp{0, 6000, 0x100000001, Bytes(kPasswordSize, std::byte{7}), false};
  auto rb = encode_connect_response(resp);
  CHECK(rb.size() == 37);  // 41 with its size: the C client reads exactly that
  auto rback = decode_connect_response(rb);
  REQUIRE(rback.ok());
  CHECK(rback->session_id == 0x100000001);
  CHECK(rback->password == resp.password);
}

TEST_CASE("a stat is 68 bytes and round-trips", "[ch05][keeper][protocol]") {
  Stat s{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  Bytes out;
  Encoder e(out);
  write_stat(e, s);
  CHECK(out.size() == kStatSize);
  Decoder d(out);
  CHECK(read_stat(d) == s);
  CHECK(d.ok());
}

TEST_CASE("every request the clients send round-trips", "[ch05][keeper][protocol]") {
  auto create = round_trip({{1, OpCode::create}, CreateRequest{"/a", bytes_of("x"), open_acl_unsafe(), 3, -1}});
  const auto& c = std::get<CreateRequest>(create.body);
  CHECK(c.path == "/a");
  CHECK(c.flags == create_flag::ephemeral_sequential);
  CHECK(c.acl == open_acl_unsafe());

  auto ttl = round_trip({{2, OpCode::create_ttl}, CreateRequest{"/t", {}, open_acl_unsafe(), 5, 60000}});
  CHECK(std::get<CreateRequest>(ttl.body).ttl_ms == 60000);

  auto del = round_trip({{3, OpCode::remove}, DeleteRequest{"/a", 4}});
  CHECK(std::get<DeleteRequest>(del.body).version == 4);

  for (auto op : {OpCode::exists, OpCode::get_data, OpCode::get_children, OpCode::get_children2}) {
    auto r = round_trip({{4, op}, PathWatchRequest{"/w", true}});
    CHECK(r.header.op == op);
    CHECK(std::get<PathWatchRequest>(r.body).watch);
  }
  auto set = round_trip({{5, OpCode::set_data}, SetDataRequest{"/a", bytes_of("new"), -1}});
  CHECK(std::get<SetDataRequest>(set.body).data == bytes_of("new"));
  round_trip({{6, OpCode::set_acl}, SetAclRequest{"/a", {Acl{perm::read, {"digest", "u:h"}}}, 0}});
  for (auto op : {OpCode::get_acl, OpCode::sync, OpCode::get_all_children_number, OpCode::get_ephemerals})
    CHECK(std::get<PathRequest>(round_trip({{7, op}, PathRequest{"/p"}}).body).path == "/p");
  round_trip({{kAuthXid, OpCode::auth}, AuthRequest{0, "digest", bytes_of("user:secret")}});
  auto sw = round_trip({{kSetWatchesXid, OpCode::set_watches2},
                        SetWatchesRequest{9, {"/d"}, {"/e"}, {"/c"}, {"/p"}, {"/r"}}});
  CHECK(std::get<SetWatchesRequest>(sw.body).persistent_recursive_watches == std::vector<std::string>{"/r"});
  round_trip({{8, OpCode::add_watch}, AddWatchRequest{"/x", kWatchPersistentRecursive}});
  round_trip({{9, OpCode::remove_watches}, WatchesRequest{"/x", kWatcherData}});
  round_trip({{kPingXid, OpCode::ping}, EmptyRequest{}});
  round_trip({{10, OpCode::close_session}, EmptyRequest{}});
}

TEST_CASE("a multi carries its operations in order and ends with a done header", "[ch05][keeper][protocol]") {
  MultiRequest m;
  m.ops.push_back({OpCode::check, CheckVersionRequest{"/a", 1}});
  m.ops.push_back({OpCode::create, CreateRequest{"/b", {}, open_acl_unsafe(), 0, -1}});
  m.ops.push_back({OpCode::set_data, SetDataRequest{"/a", bytes_of("v"), 1}});
  m.ops.push_back({OpCode::remove, DeleteRequest{"/c", -1}});
  auto r = round_trip({{11, OpCode::multi}, m});
  const auto& back = std::get<MultiRequest>(r.body);
  REQUIRE(back.ops.size() == 4);
  CHECK(back.ops[0].op == OpCode::check);
  CHECK(std::get<CreateRequest>(back.ops[1].body).path == "/b");
  CHECK(std::get<DeleteRequest>(back.ops[3].body).path == "/c");

  // A read inside a write multi is refused, as ZooKeeper refuses it.
  MultiRequest bad;
  bad.ops.push_back({OpCode::get_data, PathWatchRequest{"/a", false}});
  auto encoded = encode_request({{12, OpCode::multi}, bad});
  CHECK_FALSE(decode_request(encoded).ok());
  CHECK(decode_request(encode_request({{12, OpCode::multi_read}, bad})).ok());
}

TEST_CASE("an unknown op code decodes with its xid so that it can be refused in order", "[ch05][keeper][protocol]") {
  Bytes frame;
  Encoder e(frame);
  e.i32(42);
  e.i32(999);
  e.i32(7);  // whatever body it has
  auto r = decode_request(frame);
  REQUIRE(r.ok());
  CHECK(r->header.xid == 42);
  CHECK_FALSE(is_known_op(r->header.op));
  CHECK(is_known_op(OpCode::multi));
  CHECK(is_known_op(OpCode::get_children2));
}

TEST_CASE("truncated ZooKeeper requests are errors at every length", "[ch05][keeper][protocol][bad-input]") {
  MultiRequest m;
  m.ops.push_back({OpCode::create, CreateRequest{"/b", bytes_of("data"), open_acl_unsafe(), 0, -1}});
  const std::vector<Request> requests = {
      {{1, OpCode::create}, CreateRequest{"/a", bytes_of("x"), open_acl_unsafe(), 0, -1}},
      {{2, OpCode::set_watches}, SetWatchesRequest{1, {"/d"}, {"/e"}, {"/c"}, {}, {}}},
      {{3, OpCode::multi}, m},
  };
  for (const auto& req : requests) {
    const auto full = encode_request(req);
    for (std::size_t n = 0; n < full.size(); ++n) {
      auto r = decode_request(ByteSpan(full).first(n));
      CHECK_FALSE(r.ok());
      if (!r.ok()) CHECK(r.error().code == Errc::corrupt_message);
    }
  }
}

TEST_CASE("a hostile vector count is refused before anything is allocated", "[ch05][keeper][protocol][bad-input]") {
  Bytes frame;
  Encoder e(frame);
  e.i32(1);
  e.i32(static_cast<std::int32_t>(OpCode::set_acl));
  e.i32(2);  // path "/a"
  e.raw(as_bytes("/a"));
  e.i32(0x7fffffff);  // ACL entries
  auto r = decode_request(frame);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("cannot fit") != std::string::npos);
}

TEST_CASE("a reply carries its body only when the error is zero", "[ch05][keeper][protocol]") {
  Stat s{1, 1, 5, 5, 0, 0, 0, 0, 3, 0, 1};
  auto ok = encode_reply({7, 1, Code::ok}, DataResponse{bytes_of("abc"), s});
  auto back = decode_reply(OpCode::get_data, ok);
  REQUIRE(back.ok());
  CHECK(std::get<DataResponse>(back->body).data == bytes_of("abc"));
  CHECK(std::get<DataResponse>(back->body).stat == s);

  auto failed = encode_reply({7, 1, Code::no_node}, DataResponse{bytes_of("abc"), s});
  CHECK(failed.size() == kReplyHeaderSize);
  auto fback = decode_reply(OpCode::get_data, failed);
  REQUIRE(fback.ok());
  CHECK(fback->header.err == Code::no_node);
}

TEST_CASE("a failed multi answers every operation and the failing one with its code", "[ch05][keeper][protocol]") {
  MultiResponse m;
  m.results.push_back({OpCode::error, Code::ok, EmptyResponse{}});
  m.results.push_back({OpCode::error, Code::bad_version, EmptyResponse{}});
  m.results.push_back({OpCode::error, Code::runtime_inconsistency, EmptyResponse{}});
  auto bytes = encode_reply({3, 9, Code::ok}, m);
  auto back = decode_reply(OpCode::multi, bytes);
  REQUIRE(back.ok());
  const auto& results = std::get<MultiResponse>(back->body).results;
  REQUIRE(results.size() == 3);
  CHECK(results[1].err == Code::bad_version);
  CHECK(results[2].err == Code::runtime_inconsistency);

  MultiResponse good;
  good.results.push_back({OpCode::create, Code::ok, PathResponse{"/a0000000001"}});
  good.results.push_back({OpCode::set_data, Code::ok, StatResponse{Stat{}}});
  good.results.push_back({OpCode::check, Code::ok, EmptyResponse{}});
  auto gback = decode_reply(OpCode::multi, encode_reply({4, 10, Code::ok}, good));
  REQUIRE(gback.ok());
  CHECK(std::get<PathResponse>(std::get<MultiResponse>(gback->body).results[0].body).path == "/a0000000001");
}

TEST_CASE("a notification is xid -1 with the event", "[ch05][keeper][protocol]") {
  auto bytes = encode_notification({EventType::node_children_changed, kStateSyncConnected, "/parent"});
  auto header = decode_reply_header(bytes);
  REQUIRE(header.ok());
  CHECK(header->xid == kNotificationXid);
  auto ev = decode_notification(bytes);
  REQUIRE(ev.ok());
  CHECK(ev->type == EventType::node_children_changed);
  CHECK(ev->path == "/parent");
}

TEST_CASE("only error codes kazoo knows are marked as safe to send", "[ch05][keeper][protocol]") {
  CHECK(code_known_to_kazoo(Code::no_node));
  CHECK(code_known_to_kazoo(Code::bad_arguments));
  CHECK(code_known_to_kazoo(Code::session_expired));
  CHECK_FALSE(code_known_to_kazoo(Code::unknown_session));
  CHECK_FALSE(code_known_to_kazoo(Code::no_watcher));
  CHECK(code_name(Code::not_empty) == "NOTEMPTY");
}
