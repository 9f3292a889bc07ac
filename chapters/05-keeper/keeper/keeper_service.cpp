// generated from final/keeper/keeper_service.cpp; edit there
// keeper/keeper_service.cpp — handshakes, reads, writes, sessions and watches.
#include "keeper/keeper_service.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "keeper/acl.h"

namespace streamcraft::keeper {

namespace {

protocol::OutMessage frame_of(const Bytes& body) {
  protocol::OutMessage m;
  auto& b = m.bytes();
  b.resize(4);
  b.insert(b.end(), body.begin(), body.end());
  m.write_size_prefix();
  return m;
}

net::Outcome respond_now(const Bytes& body) {
  net::Outcome o;
  o.response = frame_of(body);
  return o;
}

net::Outcome close_with(std::string why) {
  net::Outcome o;
  o.kind = net::Outcome::Kind::close_connection;
  o.reason = std::move(why);
  return o;
}

bool is_special_path(std::string_view p) {
  return p == "/" || p == "/zookeeper" || p == "/zookeeper/quota" || p == "/zookeeper/config";
}

// ZooKeeper's checkAndIncVersion: -1 matches any version; the new version wraps.
std::variant<std::int32_t, Code> next_version(std::int32_t current, std::int32_t expected) {
  if (expected != -1 && expected != current) return Code::bad_version;
  return current == INT32_MAX ? 0 : current + 1;
}

const std::string& path_of(const MultiStep& step) {
  return std::visit([](const auto& r) -> const std::string& { return r.path; }, step);
}

}  // namespace

KeeperService::KeeperService(const Clock& clock, KeeperConfig config, Journal& journal, KeeperState state)
    : clock_(clock),
      config_(std::move(config)),
      journal_(journal),
      tree_(std::move(state.tree)),
      sessions_(config_.server_id, clock.now_ms(), config_.tick_time_ms) {
  durable_zxid_ = tree_.last_zxid();
  const auto now = clock_.monotonic_ms();
  // Restored sessions get their whole timeout from now: their clients may reconnect.
  for (const auto& [id, timeout] : state.sessions) sessions_.add(id, timeout, now);
  next_tick_ms_ = now + config_.tick_time_ms;
  next_container_check_ms_ = now + config_.container_check_interval_ms;
}

void KeeperService::on_listening(const std::string& host, std::uint16_t port) {
  listen_address_ = fmt::format("{}:{}", host, port);
}

void KeeperService::on_open(net::ConnectionId conn, const std::string& peer_host) {
  connections_[conn].host = peer_host;
}

void KeeperService::on_close(net::ConnectionId conn) {
  auto it = connections_.find(conn);
  if (it == connections_.end()) return;
  // The session outlives its connection: it expires unless the client comes back.
  if (Session* s = sessions_.find(it->second.session); s && s->connection == conn) s->connection.reset();
  watches_.remove_all(conn);
  connections_.erase(it);
}

// ---- replies --------------------------------------------------------------------------

net::Outcome KeeperService::answer(net::ConnectionId id, Bytes body, bool close_after) {
  ++packets_sent_;
  if (auto it = connections_.find(id); it != connections_.end()) ++it->second.sent;
  const auto now = clock_.monotonic_ms();
  if (!close_after && pending_.empty() && unlogged_.empty() && durable_zxid_ >= tree_.last_zxid()) {
    latency_min_ms_ = latency_min_ms_ < 0 ? 0 : latency_min_ms_;
    ++latency_count_;
    return respond_now(body);
  }
  net::Outcome o;
  o.kind = net::Outcome::Kind::deferred;
  o.deferred_id = next_deferred_++;
  pending_.push_back({tree_.last_zxid(), net::Completed{o.deferred_id, frame_of(body)}, now});
  if (close_after) pending_.push_back({tree_.last_zxid(), net::CloseAfterWrites{id, ""}});
  return o;
}

net::Outcome KeeperService::reply(net::ConnectionId id, std::int32_t xid, Code err, const ResponseBody& body) {
  return answer(id, encode_reply({xid, tree_.last_zxid(), err}, body));
}

// ---- the handshake --------------------------------------------------------------------

net::Outcome KeeperService::handle(net::ConnectionId id, MutableByteSpan frame) {
  auto it = connections_.find(id);
  if (it == connections_.end()) it = connections_.emplace(id, Connection{}).first;
  Connection& c = it->second;
  ++packets_received_;
  ++c.received;
  if (storage_failed_) return close_with("keeper's storage failed; it serves no more requests");
  if (!c.handshaken) return handshake(id, c, frame);
  auto request = decode_request(frame);
  if (!request) return close_with(request.error().describe());
  return process(id, c, *request);
}

net::Outcome KeeperService::handshake(net::ConnectionId id, Connection& c, ByteSpan frame) {
  auto req = decode_connect_request(frame);
  if (!req) return close_with(req.error().describe());
  if (config_.max_client_cnxns > 0) {
    const auto same_host = std::count_if(connections_.begin(), connections_.end(), [&](const auto& e) {
      return e.second.handshaken && e.second.host == c.host;
    });
    if (static_cast<std::size_t>(same_host) >= config_.max_client_cnxns)
      return close_with(fmt::format("too many connections from {}: maxClientCnxns is {}", c.host,
                                    config_.max_client_cnxns));
  }
  // A client that has seen a later state than ours must not read from us: it would see
  // time go backwards. It goes to another server (chapter 6); here, it waits for us.
  if (req->last_zxid_seen > tree_.last_zxid())
    return close_with(fmt::format("client has seen zxid {:#x}, keeper is at {:#x}", req->last_zxid_seen,
                                  tree_.last_zxid()));
  const auto timeout = std::clamp(req->timeout_ms, config_.min_timeout(), config_.max_timeout());
  c.handshaken = true;
  const auto now = clock_.monotonic_ms();
  if (req->session_id == 0) {
    Session& s = sessions_.add(sessions_.next_id(), timeout, now);
    s.connection = id;
    c.session = s.id;
    commit(next_header(s.id, 0, OpCode::create_session), CreateSessionTxn{timeout});
    return answer(id, encode_connect_response({0, timeout, s.id, SessionTracker::password_for(s.id), false}));
  }
  Session* s = sessions_.find(req->session_id);
  if (!s || s->closing || req->password != SessionTracker::password_for(req->session_id)) {
    // Expired, unknown or not yours: timeout 0 and session 0 is how every client learns
    // that its session is gone. Then the connection is closed.
    c.handshaken = false;
    return answer(id, encode_connect_response({0, 0, 0, Bytes(kPasswordSize), false}), /*close_after=*/true);
  }
  // Re-attach: the session moves to this connection; an old one still open is dropped.
  if (s->connection && *s->connection != id) {
    pending_.push_back({tree_.last_zxid(), net::CloseAfterWrites{*s->connection, "its session moved to another connection"}});
    watches_.remove_all(*s->connection);
    if (auto old = connections_.find(*s->connection); old != connections_.end()) old->second.session = 0;
  }
  s->connection = id;
  s->timeout_ms = timeout;
  sessions_.touch(*s, now);
  c.session = s->id;
  return answer(id, encode_connect_response({0, timeout, s->id, SessionTracker::password_for(s->id), false}));
}

std::vector<Id> KeeperService::identities(const Connection& c) const {
  std::vector<Id> ids{Id{"ip", c.host}};
  if (const Session* s = sessions_.find(c.session)) ids.insert(ids.end(), s->auth.begin(), s->auth.end());
  return ids;
}

// ---- requests -------------------------------------------------------------------------

net::Outcome KeeperService::process(net::ConnectionId id, Connection& c, Request& r) {
  Session* s = sessions_.find(c.session);
  if (!s || s->closing) return close_with("the connection's session has ended");
  sessions_.touch(*s, clock_.monotonic_ms());  // every packet renews the session
  const auto xid = r.header.xid;
  switch (r.header.op) {
    case OpCode::ping:
      return reply(id, kPingXid, Code::ok);
    case OpCode::auth: {
      const auto& a = std::get<AuthRequest>(r.body);
      if (a.scheme != "digest" || as_chars(a.auth).find(':') == std::string_view::npos) {
        // As ZooKeeper: AUTHFAILED, and the connection is closed.
        return answer(id, encode_reply({kAuthXid, 0, Code::auth_failed}, EmptyResponse{}), /*close_after=*/true);
      }
      Id digest{"digest", digest_id(as_chars(a.auth))};
      if (std::find(s->auth.begin(), s->auth.end(), digest) == s->auth.end()) s->auth.push_back(std::move(digest));
      return answer(id, encode_reply({kAuthXid, 0, Code::ok}, EmptyResponse{}));
    }
    case OpCode::close_session: {
      close_session(s->id, xid);
      return answer(id, encode_reply({xid, tree_.last_zxid(), Code::ok}, EmptyResponse{}), /*close_after=*/true);
    }
    case OpCode::create:
    case OpCode::create2:
    case OpCode::create_container:
    case OpCode::create_ttl:
    case OpCode::remove:
    case OpCode::delete_container:
    case OpCode::set_data:
    case OpCode::set_acl:
    case OpCode::check:
    case OpCode::multi:
      return write(id, c, r);
    case OpCode::exists:
    case OpCode::get_data:
    case OpCode::get_children:
    case OpCode::get_children2:
    case OpCode::get_acl:
    case OpCode::sync:
    case OpCode::get_all_children_number:
    case OpCode::get_ephemerals:
    case OpCode::who_am_i:
    case OpCode::multi_read:
    case OpCode::set_watches:
    case OpCode::set_watches2:
    case OpCode::add_watch:
    case OpCode::remove_watches:
    case OpCode::check_watches:
      return read(id, c, r);
    default:
      // Never silence: a client waits for every xid, in order.
      return reply(id, xid, Code::unimplemented);
  }
}

net::Outcome KeeperService::read(net::ConnectionId id, Connection& c, const Request& r) {
  const auto xid = r.header.xid;
  const auto ids = identities(c);
  const auto op = r.header.op;
  auto node_of = [&](const std::string& path) -> const Znode* { return valid_path(path) ? tree_.find(path) : nullptr; };
  switch (op) {
    case OpCode::exists: {
      const auto& q = std::get<PathWatchRequest>(r.body);
      if (!valid_path(q.path)) return reply(id, xid, Code::bad_arguments);
      // exists watches a missing node too: the watch fires when it is created.
      if (q.watch) watches_.add(WatchKind::data, q.path, id);
      const Znode* n = tree_.find(q.path);
      if (!n) return reply(id, xid, Code::no_node);
      return reply(id, xid, Code::ok, StatResponse{DataTree::stat_of(*n)});
    }
    case OpCode::get_data:
    case OpCode::get_children:
    case OpCode::get_children2: {
      const auto& q = std::get<PathWatchRequest>(r.body);
      if (!valid_path(q.path)) return reply(id, xid, Code::bad_arguments);
      const Znode* n = tree_.find(q.path);
      if (!n) return reply(id, xid, Code::no_node);  // and no watch is set
      if (!acl_allows(n->acl, perm::read, ids)) return reply(id, xid, Code::no_auth);
      if (op == OpCode::get_data) {
        if (q.watch) watches_.add(WatchKind::data, q.path, id);
        return reply(id, xid, Code::ok, DataResponse{n->data, DataTree::stat_of(*n)});
      }
      if (q.watch) watches_.add(WatchKind::child, q.path, id);
      std::vector<std::string> children(n->children.begin(), n->children.end());
      if (op == OpCode::get_children) return reply(id, xid, Code::ok, ChildrenResponse{std::move(children)});
      return reply(id, xid, Code::ok, Children2Response{std::move(children), DataTree::stat_of(*n)});
    }
    case OpCode::get_acl: {
      const Znode* n = node_of(std::get<PathRequest>(r.body).path);
      if (!n) return reply(id, xid, Code::no_node);
      // Reading an ACL needs READ or ADMIN; without ADMIN the digest ids come back with
      // their hashes hidden ("alice:x"), as ZooKeeper 3.8 answers.
      if (!acl_allows(n->acl, perm::read | perm::admin, ids)) return reply(id, xid, Code::no_auth);
      auto acl = n->acl;
      if (!acl_allows(n->acl, perm::admin, ids))
        for (auto& a : acl)
          if (a.id.scheme == "digest") a.id.id = a.id.id.substr(0, a.id.id.find(':')) + ":x";
      return reply(id, xid, Code::ok, AclResponse{std::move(acl), DataTree::stat_of(*n)});
    }
    case OpCode::sync: {
      // One server has one history: every write before this one is already applied.
      const auto& path = std::get<PathRequest>(r.body).path;
      if (!valid_path(path)) return reply(id, xid, Code::bad_arguments);
      return reply(id, xid, Code::ok, PathResponse{path});
    }
    case OpCode::get_all_children_number: {
      const auto& path = std::get<PathRequest>(r.body).path;
      const Znode* n = node_of(path);
      if (!n) return reply(id, xid, Code::no_node);
      if (!acl_allows(n->acl, perm::read, ids)) return reply(id, xid, Code::no_auth);
      return reply(id, xid, Code::ok, CountResponse{tree_.descendant_count(path)});
    }
    case OpCode::get_ephemerals: {
      const auto& prefix = std::get<PathRequest>(r.body).path;
      std::vector<std::string> out;
      for (const auto& p : tree_.ephemerals_of(connections_.at(id).session))
        if (prefix == "/" || p.starts_with(prefix)) out.push_back(p);
      return reply(id, xid, Code::ok, ChildrenResponse{std::move(out)});
    }
    case OpCode::who_am_i: {
      WhoAmIResponse w;
      for (const auto& i : ids) w.clients.push_back({i.scheme, i.id});
      return reply(id, xid, Code::ok, w);
    }
    case OpCode::multi_read: {
      MultiResponse m;
      for (const auto& step : std::get<MultiRequest>(r.body).ops) {
        const auto& q = std::get<PathWatchRequest>(step.body);
        const Znode* n = node_of(q.path);
        if (!n || !acl_allows(n->acl, perm::read, ids)) {
          m.results.push_back({OpCode::error, n ? Code::no_auth : Code::no_node, EmptyResponse{}});
        } else if (step.op == OpCode::get_data) {
          m.results.push_back({OpCode::get_data, Code::ok, DataResponse{n->data, DataTree::stat_of(*n)}});
        } else {
          m.results.push_back(
              {OpCode::get_children, Code::ok, ChildrenResponse{{n->children.begin(), n->children.end()}}});
        }
      }
      return reply(id, xid, Code::ok, m);
    }
    case OpCode::set_watches:
    case OpCode::set_watches2: {
      // A reconnecting client's watches, with the zxid it had seen: whatever changed
      // since fires now; the rest are set again (ZooKeeper's DataTree.setWatches).
      const auto& w = std::get<SetWatchesRequest>(r.body);
      const auto seen = w.relative_zxid;
      std::vector<std::pair<net::ConnectionId, WatcherEvent>> now;
      for (const auto& p : w.data_watches) {
        const Znode* n = tree_.find(p);
        if (!n) now.push_back({id, {EventType::node_deleted, kStateSyncConnected, p}});
        else if (n->stat.mzxid > seen) now.push_back({id, {EventType::node_data_changed, kStateSyncConnected, p}});
        else watches_.add(WatchKind::data, p, id);
      }
      for (const auto& p : w.exist_watches) {
        if (tree_.find(p)) now.push_back({id, {EventType::node_created, kStateSyncConnected, p}});
        else watches_.add(WatchKind::data, p, id);
      }
      for (const auto& p : w.child_watches) {
        const Znode* n = tree_.find(p);
        if (!n) now.push_back({id, {EventType::node_deleted, kStateSyncConnected, p}});
        else if (n->stat.pzxid > seen) now.push_back({id, {EventType::node_children_changed, kStateSyncConnected, p}});
        else watches_.add(WatchKind::child, p, id);
      }
      for (const auto& p : w.persistent_watches) watches_.add(WatchKind::persistent, p, id);
      for (const auto& p : w.persistent_recursive_watches) watches_.add(WatchKind::persistent_recursive, p, id);
      auto out = answer(id, encode_reply({kSetWatchesXid, tree_.last_zxid(), Code::ok}, EmptyResponse{}));
      // The events follow the reply, as ZooKeeper sends them.
      for (auto& [conn, ev] : now) pending_.push_back({tree_.last_zxid(), net::Push{conn, frame_of(encode_notification(ev))}});
      return out;
    }
    case OpCode::add_watch: {
      const auto& a = std::get<AddWatchRequest>(r.body);
      if (!valid_path(a.path) || (a.mode != kWatchPersistent && a.mode != kWatchPersistentRecursive))
        return reply(id, xid, Code::bad_arguments);
      watches_.add(a.mode == kWatchPersistent ? WatchKind::persistent : WatchKind::persistent_recursive, a.path, id);
      return reply(id, xid, Code::ok);
    }
    case OpCode::remove_watches:
    case OpCode::check_watches: {
      const auto& w = std::get<WatchesRequest>(r.body);
      const bool found = watches_.remove(w.path, w.type, id, op == OpCode::check_watches);
      return reply(id, xid, found ? Code::ok : Code::no_watcher);
    }
    default:
      return reply(id, xid, Code::unimplemented);
  }
}

// ---- writes ---------------------------------------------------------------------------

TxnHeader KeeperService::next_header(std::int64_t session, std::int32_t cxid, OpCode type) const {
  // A single server numbers its transactions 1, 2, 3 … (chapter 6 puts the leader's
  // term in the high 32 bits).
  return TxnHeader{session, cxid, tree_.last_zxid() + 1, clock_.now_ms(), type};
}

std::variant<SubTxn, Code> KeeperService::prepare(OpCode op, const MultiStep& step, const std::vector<Id>& ids,
                                                  std::int64_t session) const {
  const std::string& path = path_of(step);
  if (const auto* c = std::get_if<CreateRequest>(&step)) {
    if (c->flags < 0 || c->flags > create_flag::persistent_sequential_with_ttl) return Code::bad_arguments;
    const bool ttl = op == OpCode::create_ttl || c->flags >= create_flag::persistent_with_ttl;
    const bool container = op == OpCode::create_container || c->flags == create_flag::container;
    if (ttl && !config_.extended_types) return Code::unimplemented;  // ZooKeeper without extendedTypesEnabled
    if (ttl && (c->ttl_ms <= 0 || c->ttl_ms > 0xFFFFFFFFFFLL)) return Code::bad_arguments;
    const bool sequential = is_sequential(c->flags);
    if (!valid_path(path, sequential)) return Code::bad_arguments;
    auto acl = fixup_acl(c->acl, ids);
    if (auto* err = std::get_if<Code>(&acl)) return *err;
    const Znode* parent = tree_.find(parent_of(path));
    if (!parent) return Code::no_node;
    if (!acl_allows(parent->acl, perm::create, ids)) return Code::no_auth;
    std::string name = sequential ? path + sequence_suffix(parent->stat.cversion) : path;
    if (!valid_path(name)) return Code::bad_arguments;
    if (tree_.find(name)) return Code::node_exists;
    if (is_session_owner(parent->stat.ephemeral_owner)) return Code::no_children_for_ephemerals;
    std::int64_t owner = 0;
    if (is_ephemeral(c->flags)) owner = session;
    else if (container) owner = kContainerOwner;
    else if (ttl) owner = kTtlOwnerBits | c->ttl_ms;
    return CreateTxn{std::move(name), c->data, std::move(std::get<std::vector<Acl>>(acl)), owner,
                     parent->stat.cversion + 1};
  }
  if (!valid_path(path)) return Code::bad_arguments;
  if (const auto* d = std::get_if<DeleteRequest>(&step)) {
    if (is_special_path(path)) return Code::bad_arguments;
    const Znode* parent = tree_.find(parent_of(path));
    if (!parent) return Code::no_node;
    if (!acl_allows(parent->acl, perm::remove, ids)) return Code::no_auth;
    const Znode* n = tree_.find(path);
    if (!n) return Code::no_node;
    if (auto v = next_version(n->stat.version, d->version); std::holds_alternative<Code>(v)) return std::get<Code>(v);
    if (!n->children.empty()) return Code::not_empty;
    return DeleteTxn{path};
  }
  const Znode* n = tree_.find(path);
  if (!n) return Code::no_node;
  if (const auto* s = std::get_if<SetDataRequest>(&step)) {
    if (!acl_allows(n->acl, perm::write, ids)) return Code::no_auth;
    auto v = next_version(n->stat.version, s->version);
    if (auto* err = std::get_if<Code>(&v)) return *err;
    return SetDataTxn{path, s->data, std::get<std::int32_t>(v)};
  }
  if (const auto* k = std::get_if<CheckVersionRequest>(&step)) {
    if (!acl_allows(n->acl, perm::read, ids)) return Code::no_auth;
    if (k->version != -1 && k->version != n->stat.version) return Code::bad_version;
    return CheckVersionTxn{path, n->stat.version};
  }
  return Code::unimplemented;
}

std::int64_t KeeperService::commit(TxnHeader header, const TxnBody& body, std::vector<TreeEvent> events,
                                   bool already_applied) {
  if (!already_applied) events = tree_.apply(header, body);
  else tree_.set_last_zxid(header.zxid);
  unlogged_.push_back(Txn{header, body});
  notify(events);
  return header.zxid;
}

void KeeperService::notify(const std::vector<TreeEvent>& events) {
  for (const auto& ev : events) {
    for (auto conn : watches_.trigger(ev)) {
      WatcherEvent we{ev.type, kStateSyncConnected, ev.path};
      pending_.push_back({tree_.last_zxid(), net::Push{conn, frame_of(encode_notification(we))}});
    }
  }
}

net::Outcome KeeperService::write(net::ConnectionId id, Connection& c, const Request& r) {
  const auto xid = r.header.xid;
  const auto op = r.header.op;
  const auto ids = identities(c);
  auto header = next_header(c.session, xid, op);

  if (op == OpCode::multi) {
    // Each step is prepared against the tree as the steps before it left it, and applied
    // under undo: the first failure rolls all of them back.
    const auto& ops = std::get<MultiRequest>(r.body).ops;
    MultiResponse response;
    std::vector<SubTxn> steps;
    std::vector<TreeEvent> events;
    std::optional<std::size_t> failed_at;
    Code failure = Code::ok;
    tree_.begin_undo();
    for (std::size_t i = 0; i < ops.size(); ++i) {
      auto prepared = prepare(ops[i].op, ops[i].body, ids, c.session);
      if (auto* err = std::get_if<Code>(&prepared)) {
        failed_at = i;
        failure = *err;
        break;
      }
      auto& step = std::get<SubTxn>(prepared);
      auto e = tree_.apply_step(header, step);
      events.insert(events.end(), e.begin(), e.end());
      MultiResult result{ops[i].op, Code::ok, EmptyResponse{}};
      if (const auto* ct = std::get_if<CreateTxn>(&step)) {
        if (ops[i].op == OpCode::create) result.body = PathResponse{ct->path};
        else result.body = PathStatResponse{ct->path, DataTree::stat_of(*tree_.find(ct->path))};
      } else if (const auto* st = std::get_if<SetDataTxn>(&step)) {
        result.body = StatResponse{DataTree::stat_of(*tree_.find(st->path))};
      }
      response.results.push_back(std::move(result));
      steps.push_back(std::move(step));
    }
    if (failed_at) {
      tree_.rollback();
      // ZooKeeper's answer to a failed multi: ok (rolled back) before the failure, its
      // code at it, RUNTIMEINCONSISTENCY after; the reply header's error stays 0.
      response.results.clear();
      MultiTxn errors;
      for (std::size_t i = 0; i < ops.size(); ++i) {
        const Code e = i < *failed_at ? Code::ok : i == *failed_at ? failure : Code::runtime_inconsistency;
        response.results.push_back({OpCode::error, e, EmptyResponse{}});
        errors.ops.push_back(ErrorTxn{e});
      }
      commit(header, std::move(errors), {}, /*already_applied=*/true);
    } else {
      tree_.commit_undo();
      commit(header, MultiTxn{std::move(steps)}, std::move(events), /*already_applied=*/true);
    }
    return reply(id, xid, Code::ok, response);
  }

  MultiStep step;
  switch (op) {
    case OpCode::create:
    case OpCode::create2:
    case OpCode::create_container:
    case OpCode::create_ttl: step = std::get<CreateRequest>(r.body); break;
    case OpCode::remove:
    case OpCode::delete_container: step = std::get<DeleteRequest>(r.body); break;
    case OpCode::set_data: step = std::get<SetDataRequest>(r.body); break;
    case OpCode::check: step = std::get<CheckVersionRequest>(r.body); break;
    case OpCode::set_acl: {
      const auto& a = std::get<SetAclRequest>(r.body);
      std::variant<SubTxn, Code> prepared = Code::ok;
      const Znode* n = valid_path(a.path) ? tree_.find(a.path) : nullptr;
      auto acl = fixup_acl(a.acl, ids);
      if (!valid_path(a.path)) prepared = Code::bad_arguments;
      else if (std::holds_alternative<Code>(acl)) prepared = std::get<Code>(acl);
      else if (!n) prepared = Code::no_node;
      else if (!acl_allows(n->acl, perm::admin, ids)) prepared = Code::no_auth;
      else if (auto v = next_version(n->stat.aversion, a.version); std::holds_alternative<Code>(v)) prepared = std::get<Code>(v);
      else prepared = SetAclTxn{a.path, std::get<std::vector<Acl>>(acl), std::get<std::int32_t>(v)};
      if (auto* err = std::get_if<Code>(&prepared)) {
        commit(header, ErrorTxn{*err});
        return reply(id, xid, *err);
      }
      commit(header, std::visit([](auto&& t) -> TxnBody { return t; }, std::get<SubTxn>(prepared)));
      return reply(id, xid, Code::ok, StatResponse{DataTree::stat_of(*tree_.find(a.path))});
    }
    default: return reply(id, xid, Code::unimplemented);
  }
  auto prepared = prepare(op, step, ids, c.session);
  if (auto* err = std::get_if<Code>(&prepared)) {
    // A failed write is a transaction too: it takes its zxid, as in ZooKeeper.
    commit(header, ErrorTxn{*err});
    return reply(id, xid, *err);
  }
  const auto& sub = std::get<SubTxn>(prepared);
  commit(header, std::visit([](auto&& t) -> TxnBody { return t; }, sub));
  if (const auto* ct = std::get_if<CreateTxn>(&sub)) {
    if (op == OpCode::create) return reply(id, xid, Code::ok, PathResponse{ct->path});
    return reply(id, xid, Code::ok, PathStatResponse{ct->path, DataTree::stat_of(*tree_.find(ct->path))});
  }
  if (const auto* st = std::get_if<SetDataTxn>(&sub))
    return reply(id, xid, Code::ok, StatResponse{DataTree::stat_of(*tree_.find(st->path))});
  return reply(id, xid, Code::ok);
}

void KeeperService::close_session(std::int64_t session, std::int32_t cxid) {
  Session* s = sessions_.find(session);
  if (!s) return;
  const auto& owned = tree_.ephemerals_of(session);
  std::vector<std::string> ephemerals(owned.begin(), owned.end());
  commit(next_header(session, cxid, OpCode::close_session), CloseSessionTxn{std::move(ephemerals)});
  const auto conn = s->connection;
  sessions_.remove(session);
  if (conn) {
    if (auto it = connections_.find(*conn); it != connections_.end()) it->second.session = 0;
  }
}

void KeeperService::delete_expired_nodes(std::int64_t wall_ms) {
  std::vector<std::string> expired;
  for (const auto& path : tree_.paths()) {
    const Znode& n = *tree_.find(path);
    if (!n.children.empty()) continue;
    const auto owner = n.stat.ephemeral_owner;
    // A container is for children: once it has had one (its create count is above 0)
    // and has none left, it goes.
    if (owner == kContainerOwner && n.stat.cversion > 0) expired.push_back(path);
    if (owner != kContainerOwner && (owner & kTtlOwnerBits) == kTtlOwnerBits &&
        wall_ms - n.stat.mtime > (owner & ~kTtlOwnerBits))
      expired.push_back(path);
  }
  for (const auto& path : expired) {
    spdlog::info("deleting {}: {}", path,
                 tree_.find(path)->stat.ephemeral_owner == kContainerOwner ? "an empty container" : "its TTL has passed");
    commit(next_header(0, 0, OpCode::delete_container), DeleteTxn{path});
  }
}

void KeeperService::tick(std::int64_t now_ms) {
  next_tick_ms_ = now_ms + config_.tick_time_ms;
  if (storage_failed_) return;
  if (now_ms >= next_container_check_ms_) {
    next_container_check_ms_ = now_ms + config_.container_check_interval_ms;
    delete_expired_nodes(clock_.now_ms());
  }
  for (auto id : sessions_.expired(now_ms)) {
    const Session* s = sessions_.find(id);
    if (!s) continue;
    const std::optional<net::ConnectionId> conn = s->connection;
    spdlog::info("session {:#x} expired after {} ms without a word from its client", id, s->timeout_ms);
    close_session(id, 0);
    // Its client, if still connected (a paused process), is told by a closed connection.
    if (conn) pending_.push_back({tree_.last_zxid(), net::CloseAfterWrites{conn.value(), "session expired"}});
  }
}

// ---- durability -----------------------------------------------------------------------

bool KeeperService::has_completions() const {
  return !unlogged_.empty() || (!pending_.empty() && pending_.front().zxid <= durable_zxid_) ||
         (journal_.busy() && !storage_failed_);
}

std::optional<std::int64_t> KeeperService::next_deadline_ms() const {
  // A snapshot under way takes a step at every turn of the server's loop, between the
  // requests of any client that are ready, until it is complete.
  if (journal_.busy() && !storage_failed_) return clock_.monotonic_ms();
  return std::nullopt;
}

std::vector<net::Completion> KeeperService::poll() {
  std::vector<net::Completion> out;
  bool synced = false;
  if (!unlogged_.empty() && !storage_failed_) {
    // Group commit: every transaction of the batch, then one sync.
    Status status;
    for (const auto& t : unlogged_) {
      status = journal_.append(t);
      if (!status) break;
    }
    if (status) status = journal_.sync();
    if (!status) {
      // Nothing held back may be sent: it may describe writes the disk lost. Keeper
      // stops; its clients reconnect elsewhere (chapter 6) or to a restarted keeper.
      spdlog::error("keeper's journal failed: {}; closing every connection", status.error().describe());
      storage_failed_ = true;
      pending_.clear();
      for (const auto& [conn, c] : connections_)
        out.emplace_back(net::CloseAfterWrites{conn, "storage failed"});
      unlogged_.clear();
      return out;
    }
    durable_zxid_ = unlogged_.back().header.zxid;
    unlogged_.clear();
    synced = true;
  }
  // Right after a sync, or with nothing unsynced while a snapshot is under way: the tree is
  // exactly the durable state, the moment a snapshot may start or take its next step.
  if ((synced || journal_.busy()) && !storage_failed_) {
    if (auto s = journal_.after_sync(tree_, sessions_); !s)
      spdlog::warn("keeper could not take a snapshot: {}", s.error().describe());
  }
  const auto now = clock_.monotonic_ms();
  while (!pending_.empty() && pending_.front().zxid <= durable_zxid_) {
    auto& p = pending_.front();
    if (p.arrived_ms >= 0) {
      const auto latency = now - p.arrived_ms;
      latency_min_ms_ = latency_min_ms_ < 0 ? latency : std::min(latency_min_ms_, latency);
      latency_max_ms_ = std::max(latency_max_ms_, latency);
      latency_total_ms_ += latency;
      ++latency_count_;
    }
    out.push_back(std::move(p.what));
    pending_.pop_front();
  }
  return out;
}

// ---- four-letter words ----------------------------------------------------------------

std::optional<Bytes> KeeperService::answer_unframed(net::ConnectionId, ByteSpan first_four) {
  const std::string word(as_chars(first_four));
  auto text = four_letter_word(word);
  if (!text) return std::nullopt;
  if (!config_.four_letter_words.contains("*") && !config_.four_letter_words.contains(word))
    text = word + " is not executed because it is not in the whitelist.\n";
  return Bytes(as_bytes(*text).begin(), as_bytes(*text).end());
}

std::optional<std::string> KeeperService::four_letter_word(std::string_view word) const {
  const auto version = "3.8.0-streamcraft-keeper";
  auto server_summary = [&] {
    const auto avg = latency_count_ ? static_cast<double>(latency_total_ms_) / static_cast<double>(latency_count_) : 0.0;
    return fmt::format(
        "Latency min/avg/max: {}/{:.4f}/{}\nReceived: {}\nSent: {}\nConnections: {}\nOutstanding: {}\nZxid: {:#x}\n"
        "Mode: standalone\nNode count: {}\n",
        std::max<std::int64_t>(latency_min_ms_, 0), avg, latency_max_ms_, packets_received_, packets_sent_,
        connections_.size(), pending_.size(), tree_.last_zxid(), tree_.node_count());
  };
  if (word == "ruok") return std::string("imok");
  if (word == "isro") return std::string("rw");
  if (word == "srvr") return fmt::format("Zookeeper version: {}\n", version) + server_summary();
  if (word == "stat") {
    std::string clients;
    for (const auto& [id, c] : connections_)
      clients += fmt::format(" /{}(recved={},sent={})\n", c.host, c.received, c.sent);
    return fmt::format("Zookeeper version: {}\nClients:\n{}\n", version, clients) + server_summary();
  }
  if (word == "envi")
    return fmt::format("Environment:\nzookeeper.version={}\nhost.name=localhost\nserver.name=streamcraft keeper\n", version);
  if (word == "conf")
    return fmt::format("clientPortAddress={}\ntickTime={}\nminSessionTimeout={}\nmaxSessionTimeout={}\nmaxClientCnxns={}\n"
                       "serverId={}\njute.maxbuffer={}\n",
                       listen_address_, config_.tick_time_ms, config_.min_timeout(), config_.max_timeout(),
                       config_.max_client_cnxns, config_.server_id, config_.jute_max_buffer);
  if (word == "cons") {
    std::string out;
    for (const auto& [id, c] : connections_)
      out += fmt::format(" /{}(recved={},sent={},sid={:#x})\n", c.host, c.received, c.sent, c.session);
    return out + "\n";
  }
  if (word == "wchs") {
    return fmt::format("{} connections watching {} paths\nTotal watches:{}\n", connections_.size(),
                       watches_.of_kind(WatchKind::data).size() + watches_.of_kind(WatchKind::child).size(),
                       watches_.count());
  }
  if (word == "dump") {
    std::string out = "SessionTracker dump:\nSession Sets (" + std::to_string(sessions_.all().size()) + "):\n";
    for (const auto& [id, s] : sessions_.all()) out += fmt::format("{:#x}\t{}ms\n", id, s.timeout_ms);
    out += "ephemeral nodes dump:\nSessions with Ephemerals (" + std::to_string(tree_.ephemerals().size()) + "):\n";
    for (const auto& [id, paths] : tree_.ephemerals()) {
      out += fmt::format("{:#x}:\n", id);
      for (const auto& p : paths) out += "\t" + p + "\n";
    }
    return out;
  }
  if (word == "mntr") {
    return fmt::format(
        "zk_version\t{}\nzk_server_state\tstandalone\nzk_packets_received\t{}\nzk_packets_sent\t{}\n"
        "zk_num_alive_connections\t{}\nzk_outstanding_requests\t{}\nzk_znode_count\t{}\nzk_watch_count\t{}\n"
        "zk_ephemerals_count\t{}\nzk_last_zxid\t{:#x}\nzk_durable_zxid\t{:#x}\n",
        version, packets_received_, packets_sent_, connections_.size(), pending_.size(), tree_.node_count(),
        watches_.count(),
        std::accumulate(tree_.ephemerals().begin(), tree_.ephemerals().end(), std::size_t{0},
                        [](std::size_t n, const auto& e) { return n + e.second.size(); }),
        tree_.last_zxid(), durable_zxid_);
  }
  return std::nullopt;
}

}  // namespace streamcraft::keeper
