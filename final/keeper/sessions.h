// keeper/sessions.h — sessions: who is connected, and who has stopped answering.
//
// A ZooKeeper client does not hold a lock or an ephemeral node by holding a TCP
// connection: it holds them by its **session**, which outlives connections. The session
// has a timeout negotiated at the handshake; every packet the client sends — a request or
// a ping, which it sends when idle for a third of the timeout — renews it. A client whose
// connection breaks reconnects (to this server or, in chapter 6, another) with its session
// id and password and keeps everything; a client that is silent for the whole timeout —
// crashed, paused, cut off — loses its session: the server ends it with a closeSession
// transaction, which deletes its ephemeral nodes and fires their watches. That is how a
// lock or a leadership held by a dead process is released, and why the timeout is a
// trade-off: shorter means faster failover, longer means fewer false deaths under GC
// pauses and network hiccups. Hence a negotiated value, clamped by the server to
// [minSessionTimeout, maxSessionTimeout] (by default 2 and 20 ticks).
//
// Expiry is checked on ticks, as ZooKeeper's ExpiryQueue does: a session's deadline is
// rounded up to the next multiple of tickTime, so one check per tick finds every expired
// session. Sessions are part of the replicated state (createSession and closeSession are
// transactions) but their deadlines are not: after a restart every session gets its whole
// timeout again, counted from then, so that its client can reconnect.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "common/bytes.h"
#include "keeper/jute.h"

namespace streamcraft::keeper {

struct Session {
  std::int64_t id = 0;
  std::int32_t timeout_ms = 0;
  std::int64_t deadline_ms = 0;       // monotonic, rounded up to a tick
  std::optional<std::uint64_t> connection;  // the connection it is attached to, if any
  std::vector<Id> auth;               // digest ids added with addauth (not the address)
  bool closing = false;               // its closeSession is under way
};

class SessionTracker {
 public:
  // Session ids: the server's id in the top byte and the start time below it, as
  // ZooKeeper's SessionTrackerImpl makes them, so two servers (or two runs of one) do
  // not hand out the same id.
  SessionTracker(std::int64_t server_id, std::int64_t wall_clock_ms, std::int32_t tick_ms);

  std::int64_t next_id() { return next_id_++; }
  // After recovery: never hand out an id at or below one already used.
  void skip_past(std::int64_t id) { next_id_ = std::max(next_id_, id + 1); }

  Session& add(std::int64_t id, std::int32_t timeout_ms, std::int64_t now_ms);
  Session* find(std::int64_t id);
  const Session* find(std::int64_t id) const;
  void remove(std::int64_t id);
  // Any packet from the session's client: its deadline moves.
  void touch(Session& s, std::int64_t now_ms);
  // Sessions whose deadline has passed and that are not yet closing, in id order.
  std::vector<std::int64_t> expired(std::int64_t now_ms) const;
  std::optional<std::int64_t> next_deadline_ms() const;
  const std::map<std::int64_t, Session>& all() const { return sessions_; }

  // The password of a session: derived from its id, as ZooKeeper derives it from the id
  // and a fixed secret. It proves nothing against an attacker who can read the
  // network; it stops a client from attaching to another session by a wrong id.
  static Bytes password_for(std::int64_t session_id);

 private:
  // The first multiple of tickTime after `ms`: the tick on which the check will find it.
  std::int64_t round_up(std::int64_t ms) const;

  std::int64_t next_id_;
  std::int32_t tick_ms_;
  std::map<std::int64_t, Session> sessions_;
};

}  // namespace streamcraft::keeper
