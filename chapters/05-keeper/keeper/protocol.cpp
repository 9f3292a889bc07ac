// generated from final/keeper/protocol.cpp; edit there
// keeper/protocol.cpp — ZooKeeper's records, as zookeeper.jute lays them out.
#include "keeper/protocol.h"

#include <fmt/format.h>

namespace streamcraft::keeper {

namespace {

template <class T>
Result<T> finish(const Decoder& d, T value, std::string_view what) {
  if (!d.ok()) return make_error(Errc::corrupt_message, fmt::format("malformed {}: {}", what, d.problem()));
  return value;
}

// A multi's framing between its operations: (type, done, err).
struct MultiHeader {
  std::int32_t type = -1;
  bool done = true;
  std::int32_t err = -1;
};
MultiHeader read_multi_header(Decoder& d) {
  MultiHeader h;
  h.type = d.i32();
  h.done = d.boolean();
  h.err = d.i32();
  return h;
}
void write_multi_header(Encoder& e, const MultiHeader& h) {
  e.i32(h.type);
  e.boolean(h.done);
  e.i32(h.err);
}

CreateRequest read_create(Decoder& d, OpCode op) {
  CreateRequest r;
  r.path = read_ustring(d);
  r.data = read_buffer(d);
  r.acl = read_acl_vector(d);
  r.flags = d.i32();
  if (op == OpCode::create_ttl) r.ttl_ms = d.i64();
  return r;
}
void write_create(Encoder& e, OpCode op, const CreateRequest& r) {
  write_ustring(e, r.path);
  write_buffer(e, r.data);
  write_acl_vector(e, r.acl);
  e.i32(r.flags);
  if (op == OpCode::create_ttl) e.i64(r.ttl_ms);
}

bool is_create(OpCode op) {
  return op == OpCode::create || op == OpCode::create2 || op == OpCode::create_container ||
         op == OpCode::create_ttl;
}

// The body of one operation that may stand alone or inside a multi.
std::optional<RequestBody> read_body(Decoder& d, OpCode op) {
  switch (op) {
    case OpCode::create:
    case OpCode::create2:
    case OpCode::create_container:
    case OpCode::create_ttl:
      return read_create(d, op);
    case OpCode::remove:
    case OpCode::delete_container: {
      DeleteRequest r;
      r.path = read_ustring(d);
      if (op == OpCode::remove) r.version = d.i32();
      return r;
    }
    case OpCode::exists:
    case OpCode::get_data:
    case OpCode::get_children:
    case OpCode::get_children2: {
      PathWatchRequest r;
      r.path = read_ustring(d);
      r.watch = d.boolean();
      return r;
    }
    case OpCode::set_data: {
      SetDataRequest r;
      r.path = read_ustring(d);
      r.data = read_buffer(d);
      r.version = d.i32();
      return r;
    }
    case OpCode::get_acl:
    case OpCode::sync:
    case OpCode::get_all_children_number:
    case OpCode::get_ephemerals:
      return PathRequest{read_ustring(d)};
    case OpCode::set_acl: {
      SetAclRequest r;
      r.path = read_ustring(d);
      r.acl = read_acl_vector(d);
      r.version = d.i32();
      return r;
    }
    case OpCode::check: {
      CheckVersionRequest r;
      r.path = read_ustring(d);
      r.version = d.i32();
      return r;
    }
    case OpCode::auth: {
      AuthRequest r;
      r.type = d.i32();
      r.scheme = read_ustring(d);
      r.auth = read_buffer(d);
      return r;
    }
    case OpCode::set_watches:
    case OpCode::set_watches2: {
      SetWatchesRequest r;
      r.relative_zxid = d.i64();
      r.data_watches = read_ustring_vector(d);
      r.exist_watches = read_ustring_vector(d);
      r.child_watches = read_ustring_vector(d);
      if (op == OpCode::set_watches2) {
        r.persistent_watches = read_ustring_vector(d);
        r.persistent_recursive_watches = read_ustring_vector(d);
      }
      return r;
    }
    case OpCode::add_watch: {
      AddWatchRequest r;
      r.path = read_ustring(d);
      r.mode = d.i32();
      return r;
    }
    case OpCode::check_watches:
    case OpCode::remove_watches: {
      WatchesRequest r;
      r.path = read_ustring(d);
      r.type = d.i32();
      return r;
    }
    case OpCode::ping:
    case OpCode::close_session:
    case OpCode::who_am_i:
      return EmptyRequest{};
    default:
      return std::nullopt;
  }
}

void write_body(Encoder& e, OpCode op, const RequestBody& body) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, CreateRequest>) {
          write_create(e, op, r);
        } else if constexpr (std::is_same_v<T, DeleteRequest>) {
          write_ustring(e, r.path);
          if (op == OpCode::remove) e.i32(r.version);
        } else if constexpr (std::is_same_v<T, PathWatchRequest>) {
          write_ustring(e, r.path);
          e.boolean(r.watch);
        } else if constexpr (std::is_same_v<T, SetDataRequest>) {
          write_ustring(e, r.path);
          write_buffer(e, r.data);
          e.i32(r.version);
        } else if constexpr (std::is_same_v<T, PathRequest>) {
          write_ustring(e, r.path);
        } else if constexpr (std::is_same_v<T, SetAclRequest>) {
          write_ustring(e, r.path);
          write_acl_vector(e, r.acl);
          e.i32(r.version);
        } else if constexpr (std::is_same_v<T, CheckVersionRequest>) {
          write_ustring(e, r.path);
          e.i32(r.version);
        } else if constexpr (std::is_same_v<T, AuthRequest>) {
          e.i32(r.type);
          write_ustring(e, r.scheme);
          write_buffer(e, r.auth);
        } else if constexpr (std::is_same_v<T, SetWatchesRequest>) {
          e.i64(r.relative_zxid);
          write_ustring_vector(e, r.data_watches);
          write_ustring_vector(e, r.exist_watches);
          write_ustring_vector(e, r.child_watches);
          if (op == OpCode::set_watches2) {
            write_ustring_vector(e, r.persistent_watches);
            write_ustring_vector(e, r.persistent_recursive_watches);
          }
        } else if constexpr (std::is_same_v<T, AddWatchRequest>) {
          write_ustring(e, r.path);
          e.i32(r.mode);
        } else if constexpr (std::is_same_v<T, WatchesRequest>) {
          write_ustring(e, r.path);
          e.i32(r.type);
        } else if constexpr (std::is_same_v<T, MultiRequest>) {
          for (const auto& o : r.ops) {
            write_multi_header(e, {static_cast<std::int32_t>(o.op), false, -1});
            std::visit([&](const auto& b) { write_body(e, o.op, RequestBody{b}); }, o.body);
          }
          write_multi_header(e, {});
        }
      },
      body);
}

bool allowed_in_multi(OpCode multi, OpCode op) {
  if (multi == OpCode::multi_read) return op == OpCode::get_children || op == OpCode::get_data;
  return is_create(op) || op == OpCode::remove || op == OpCode::set_data || op == OpCode::check;
}

std::optional<MultiRequest> read_multi(Decoder& d, OpCode multi) {
  MultiRequest m;
  // Each operation takes at least its 9-byte header, so the loop ends with the input.
  for (;;) {
    const auto h = read_multi_header(d);
    if (!d.ok()) return std::nullopt;
    if (h.done) return m;
    const auto op = static_cast<OpCode>(h.type);
    if (!allowed_in_multi(multi, op)) {
      d.fail(fmt::format("operation {} is not allowed in {}", h.type, op_name(multi)));
      return std::nullopt;
    }
    auto body = read_body(d, op);
    if (!body || !d.ok()) return std::nullopt;
    MultiOp o{op, {}};
    std::visit(
        [&](auto&& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_constructible_v<decltype(o.body), T>) o.body = std::move(b);
        },
        std::move(*body));
    m.ops.push_back(std::move(o));
  }
}

}  // namespace

std::string_view op_name(OpCode op) {
  switch (op) {
    case OpCode::notification: return "notification";
    case OpCode::create: return "create";
    case OpCode::remove: return "delete";
    case OpCode::exists: return "exists";
    case OpCode::get_data: return "getData";
    case OpCode::set_data: return "setData";
    case OpCode::get_acl: return "getACL";
    case OpCode::set_acl: return "setACL";
    case OpCode::get_children: return "getChildren";
    case OpCode::sync: return "sync";
    case OpCode::ping: return "ping";
    case OpCode::get_children2: return "getChildren2";
    case OpCode::check: return "check";
    case OpCode::multi: return "multi";
    case OpCode::create2: return "create2";
    case OpCode::reconfig: return "reconfig";
    case OpCode::check_watches: return "checkWatches";
    case OpCode::remove_watches: return "removeWatches";
    case OpCode::create_container: return "createContainer";
    case OpCode::delete_container: return "deleteContainer";
    case OpCode::create_ttl: return "createTTL";
    case OpCode::multi_read: return "multiRead";
    case OpCode::auth: return "auth";
    case OpCode::set_watches: return "setWatches";
    case OpCode::sasl: return "sasl";
    case OpCode::get_ephemerals: return "getEphemerals";
    case OpCode::get_all_children_number: return "getAllChildrenNumber";
    case OpCode::set_watches2: return "setWatches2";
    case OpCode::add_watch: return "addWatch";
    case OpCode::who_am_i: return "whoAmI";
    case OpCode::create_session: return "createSession";
    case OpCode::close_session: return "closeSession";
    case OpCode::error: return "error";
  }
  return "unknown";
}

std::string_view code_name(Code c) {
  switch (c) {
    case Code::ok: return "OK";
    case Code::system_error: return "SYSTEMERROR";
    case Code::runtime_inconsistency: return "RUNTIMEINCONSISTENCY";
    case Code::data_inconsistency: return "DATAINCONSISTENCY";
    case Code::connection_loss: return "CONNECTIONLOSS";
    case Code::marshalling_error: return "MARSHALLINGERROR";
    case Code::unimplemented: return "UNIMPLEMENTED";
    case Code::operation_timeout: return "OPERATIONTIMEOUT";
    case Code::bad_arguments: return "BADARGUMENTS";
    case Code::unknown_session: return "UNKNOWNSESSION";
    case Code::api_error: return "APIERROR";
    case Code::no_node: return "NONODE";
    case Code::no_auth: return "NOAUTH";
    case Code::bad_version: return "BADVERSION";
    case Code::no_children_for_ephemerals: return "NOCHILDRENFOREPHEMERALS";
    case Code::node_exists: return "NODEEXISTS";
    case Code::not_empty: return "NOTEMPTY";
    case Code::session_expired: return "SESSIONEXPIRED";
    case Code::invalid_callback: return "INVALIDCALLBACK";
    case Code::invalid_acl: return "INVALIDACL";
    case Code::auth_failed: return "AUTHFAILED";
    case Code::session_moved: return "SESSIONMOVED";
    case Code::not_read_only: return "NOTREADONLY";
    case Code::no_watcher: return "NOWATCHER";
  }
  return "UNKNOWN";
}

bool code_known_to_kazoo(Code c) {
  const auto v = static_cast<std::int32_t>(c);
  // kazoo/exceptions.py of kazoo 2.8: 0, -1 … -8, -13, -14, -100 … -103, -108, -110 … -115,
  // -118, -119. (Its EXCEPTIONS table raises on anything else and stops the client.)
  return (v <= 0 && v >= -8) || v == -13 || v == -14 || (v <= -100 && v >= -103) || v == -108 ||
         (v <= -110 && v >= -115) || v == -118 || v == -119;
}

bool is_known_op(OpCode op) {
  if (op == OpCode::multi || op == OpCode::multi_read) return true;
  Bytes nothing;
  Decoder d(nothing);
  return read_body(d, op).has_value();
}

std::string_view event_name(EventType t) {
  switch (t) {
    case EventType::none: return "None";
    case EventType::node_created: return "NodeCreated";
    case EventType::node_deleted: return "NodeDeleted";
    case EventType::node_data_changed: return "NodeDataChanged";
    case EventType::node_children_changed: return "NodeChildrenChanged";
    case EventType::data_watch_removed: return "DataWatchRemoved";
    case EventType::child_watch_removed: return "ChildWatchRemoved";
    case EventType::persistent_watch_removed: return "PersistentWatchRemoved";
  }
  return "Unknown";
}

// ---- handshake ------------------------------------------------------------------------

Result<ConnectRequest> decode_connect_request(ByteSpan body) {
  Decoder d(body);
  ConnectRequest r;
  r.protocol_version = d.i32();
  r.last_zxid_seen = d.i64();
  r.timeout_ms = d.i32();
  r.session_id = d.i64();
  r.password = read_buffer(d);
  // The read-only flag is appended after the record by every current client.
  if (d.ok() && d.remaining() >= 1) r.read_only = d.boolean();
  return finish(d, std::move(r), "ConnectRequest");
}

Bytes encode_connect_request(const ConnectRequest& r) {
  Bytes out;
  Encoder e(out);
  e.i32(r.protocol_version);
  e.i64(r.last_zxid_seen);
  e.i32(r.timeout_ms);
  e.i64(r.session_id);
  write_buffer(e, r.password);
  if (r.read_only) e.boolean(*r.read_only);
  return out;
}

Result<ConnectResponse> decode_connect_response(ByteSpan body) {
  Decoder d(body);
  ConnectResponse r;
  r.protocol_version = d.i32();
  r.timeout_ms = d.i32();
  r.session_id = d.i64();
  r.password = read_buffer(d);
  if (d.ok() && d.remaining() >= 1) r.read_only = d.boolean();
  return finish(d, std::move(r), "ConnectResponse");
}

Bytes encode_connect_response(const ConnectResponse& r) {
  Bytes out;
  Encoder e(out);
  e.i32(r.protocol_version);
  e.i32(r.timeout_ms);
  e.i64(r.session_id);
  write_buffer(e, r.password);
  e.boolean(r.read_only);
  return out;
}

// ---- requests -------------------------------------------------------------------------

Result<Request> decode_request(ByteSpan frame) {
  Decoder d(frame);
  Request r;
  r.header.xid = d.i32();
  r.header.op = static_cast<OpCode>(d.i32());
  if (!d.ok()) return finish(d, std::move(r), "request header");
  const auto op = r.header.op;
  if (op == OpCode::multi || op == OpCode::multi_read) {
    auto m = read_multi(d, op);
    if (m) r.body = std::move(*m);
    return finish(d, std::move(r), op_name(op));
  }
  auto body = read_body(d, op);
  if (!body) return r;  // unknown op: answered UNIMPLEMENTED under its xid
  r.body = std::move(*body);
  return finish(d, std::move(r), op_name(op));
}

Bytes encode_request(const Request& r) {
  Bytes out;
  Encoder e(out);
  e.i32(r.header.xid);
  e.i32(static_cast<std::int32_t>(r.header.op));
  write_body(e, r.header.op, r.body);
  return out;
}

// ---- responses ------------------------------------------------------------------------

namespace {

void write_response(Encoder& e, const ResponseBody& body) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, PathResponse>) {
          write_ustring(e, r.path);
        } else if constexpr (std::is_same_v<T, PathStatResponse>) {
          write_ustring(e, r.path);
          write_stat(e, r.stat);
        } else if constexpr (std::is_same_v<T, StatResponse>) {
          write_stat(e, r.stat);
        } else if constexpr (std::is_same_v<T, DataResponse>) {
          write_buffer(e, r.data);
          write_stat(e, r.stat);
        } else if constexpr (std::is_same_v<T, AclResponse>) {
          write_acl_vector(e, r.acl);
          write_stat(e, r.stat);
        } else if constexpr (std::is_same_v<T, ChildrenResponse>) {
          write_ustring_vector(e, r.children);
        } else if constexpr (std::is_same_v<T, Children2Response>) {
          write_ustring_vector(e, r.children);
          write_stat(e, r.stat);
        } else if constexpr (std::is_same_v<T, CountResponse>) {
          e.i32(r.count);
        } else if constexpr (std::is_same_v<T, WhoAmIResponse>) {
          e.array_length(r.clients.size());
          for (const auto& c : r.clients) {
            write_ustring(e, c.auth_scheme);
            write_ustring(e, c.user);
          }
        } else if constexpr (std::is_same_v<T, MultiResponse>) {
          for (const auto& res : r.results) {
            const auto err = res.op == OpCode::error ? static_cast<std::int32_t>(res.err) : 0;
            write_multi_header(e, {static_cast<std::int32_t>(res.op), false, err});
            if (res.op == OpCode::error) {
              e.i32(err);  // ErrorResponse
            } else {
              std::visit([&](const auto& b) { write_response(e, ResponseBody{b}); }, res.body);
            }
          }
          write_multi_header(e, {});
        }
      },
      body);
}

// The response an op's successful reply carries.
std::optional<ResponseBody> read_response(Decoder& d, OpCode op) {
  switch (op) {
    case OpCode::create:
    case OpCode::sync:
      return PathResponse{read_ustring(d)};
    case OpCode::create2:
    case OpCode::create_container:
    case OpCode::create_ttl: {
      PathStatResponse r;
      r.path = read_ustring(d);
      r.stat = read_stat(d);
      return r;
    }
    case OpCode::exists:
    case OpCode::set_data:
    case OpCode::set_acl:
      return StatResponse{read_stat(d)};
    case OpCode::get_data: {
      DataResponse r;
      r.data = read_buffer(d);
      r.stat = read_stat(d);
      return r;
    }
    case OpCode::get_acl: {
      AclResponse r;
      r.acl = read_acl_vector(d);
      r.stat = read_stat(d);
      return r;
    }
    case OpCode::get_children:
    case OpCode::get_ephemerals:
      return ChildrenResponse{read_ustring_vector(d)};
    case OpCode::get_children2: {
      Children2Response r;
      r.children = read_ustring_vector(d);
      r.stat = read_stat(d);
      return r;
    }
    case OpCode::get_all_children_number:
      return CountResponse{d.i32()};
    case OpCode::who_am_i: {
      WhoAmIResponse r;
      const auto n = d.array_length(8);
      for (std::int32_t i = 0; i < n && d.ok(); ++i) {
        ClientInfo c;
        c.auth_scheme = read_ustring(d);
        c.user = read_ustring(d);
        r.clients.push_back(std::move(c));
      }
      return r;
    }
    case OpCode::multi:
    case OpCode::multi_read: {
      MultiResponse m;
      for (;;) {
        const auto h = read_multi_header(d);
        if (!d.ok() || h.done) return m;
        MultiResult res;
        res.op = static_cast<OpCode>(h.type);
        if (res.op == OpCode::error) {
          res.err = static_cast<Code>(d.i32());
        } else if (res.op == OpCode::remove || res.op == OpCode::check) {
          res.body = EmptyResponse{};
        } else {
          auto b = read_response(d, res.op);
          if (!b) {
            d.fail(fmt::format("unexpected result type {} in a multi", h.type));
            return std::nullopt;
          }
          std::visit(
              [&](auto&& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_constructible_v<decltype(res.body), T>) res.body = std::move(v);
              },
              std::move(*b));
        }
        m.results.push_back(std::move(res));
      }
    }
    case OpCode::remove:
    case OpCode::delete_container:
    case OpCode::check:
    case OpCode::ping:
    case OpCode::auth:
    case OpCode::set_watches:
    case OpCode::set_watches2:
    case OpCode::add_watch:
    case OpCode::check_watches:
    case OpCode::remove_watches:
    case OpCode::close_session:
      return EmptyResponse{};
    default:
      return std::nullopt;
  }
}

}  // namespace

Bytes encode_reply(const ReplyHeader& h, const ResponseBody& body) {
  Bytes out;
  Encoder e(out);
  e.i32(h.xid);
  e.i64(h.zxid);
  e.i32(static_cast<std::int32_t>(h.err));
  // Every client reads the body only when the error is 0.
  if (h.err == Code::ok) write_response(e, body);
  return out;
}

Result<ReplyHeader> decode_reply_header(ByteSpan frame) {
  Decoder d(frame);
  ReplyHeader h;
  h.xid = d.i32();
  h.zxid = d.i64();
  h.err = static_cast<Code>(d.i32());
  return finish(d, h, "reply header");
}

Result<Reply> decode_reply(OpCode op, ByteSpan frame) {
  Decoder d(frame);
  Reply r;
  r.header.xid = d.i32();
  r.header.zxid = d.i64();
  r.header.err = static_cast<Code>(d.i32());
  if (!d.ok() || r.header.err != Code::ok) return finish(d, std::move(r), "reply header");
  auto body = read_response(d, op);
  if (!body) return make_error(Errc::corrupt_message, fmt::format("no response format for {}", op_name(op)));
  r.body = std::move(*body);
  return finish(d, std::move(r), op_name(op));
}

// ---- notifications --------------------------------------------------------------------

Bytes encode_notification(const WatcherEvent& ev) {
  Bytes out;
  Encoder e(out);
  e.i32(kNotificationXid);
  e.i64(-1);
  e.i32(0);
  e.i32(static_cast<std::int32_t>(ev.type));
  e.i32(ev.state);
  write_ustring(e, ev.path);
  return out;
}

Result<WatcherEvent> decode_notification(ByteSpan frame) {
  Decoder d(frame);
  const auto xid = d.i32();
  (void)d.i64();
  (void)d.i32();
  WatcherEvent ev;
  ev.type = static_cast<EventType>(d.i32());
  ev.state = d.i32();
  ev.path = read_ustring(d);
  if (d.ok() && xid != kNotificationXid) d.fail(fmt::format("xid {} is not a notification's", xid));
  return finish(d, std::move(ev), "notification");
}

}  // namespace streamcraft::keeper
