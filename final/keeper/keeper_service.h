// keeper/keeper_service.h — keeper: the ZooKeeper client protocol as a net::Service.
//
// This is the whole server as a deterministic state machine: frames, connection events and
// ticks in; replies, watch notifications and transactions to make durable out. It never
// touches a socket or a file itself — net::Server carries its frames, and a Journal
// (keeper/journal.h) makes its transactions durable — so the tests run it on a manual
// clock, byte for byte, and the simulator runs it on simulated disks and crashes.
//
// The pipeline of a request, all on the server's one thread:
//   1. decode (keeper/protocol.h); a frame that does not parse closes the connection;
//   2. a read is answered from the tree; a write is *prepared* — checked against the tree
//      and resolved into a transaction (keeper/txn.h) with the next zxid, or an ErrorTxn
//      with its code — and *applied* to the tree at once (keeper/data_tree.h), firing
//      the watches it matches;
//   3. the transaction goes to the journal; the reply and the notifications wait.
// After each batch of requests, poll() writes the batch's transactions and syncs the
// journal once (group commit: one fsync for every write of the batch), and then releases,
// in the order they were made, every reply and notification whose state is now durable.
//
// Why apply before the fsync, and why then hold *every* reply? Applying at once lets the
// next request — of any client — be prepared against the state the earlier ones left,
// without a second copy of the tree. Holding back every reply made after a not-yet-durable
// change, reads included, keeps the promise that matters: nothing a client is told —
// "created", a value, an event — can be lost by a crash. A read that comes while no write
// is pending is answered at once, with no wait for the disk.
//
// Replies of one connection leave in request order (the server's slots), and a
// notification leaves before any later reply that shows the change it announces: both
// wait in one queue, in the order the processing made them.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "keeper/data_tree.h"
#include "keeper/journal.h"
#include "keeper/protocol.h"
#include "keeper/sessions.h"
#include "keeper/txn.h"
#include "keeper/watches.h"
#include "net/service.h"

namespace streamcraft::keeper {

struct KeeperConfig {
  std::int32_t tick_time_ms = 2000;          // tickTime: the unit of session timeouts
  std::int32_t min_session_timeout_ms = -1;  // minSessionTimeout; -1: 2 × tickTime
  std::int32_t max_session_timeout_ms = -1;  // maxSessionTimeout; -1: 20 × tickTime
  std::size_t max_client_cnxns = 60;         // maxClientCnxns per client address; 0: no limit
  std::size_t jute_max_buffer = 0xfffff;     // jute.maxbuffer: the largest frame accepted
  std::int64_t server_id = 0;                // myid; the top byte of session ids
  bool extended_types = false;               // zookeeper.extendedTypesEnabled: TTL nodes
  // znode.container.checkIntervalMs: how often empty containers and expired TTL nodes go.
  std::int64_t container_check_interval_ms = 60'000;
  // 4lw.commands.whitelist; "*" allows all. ZooKeeper 3.5+ allows only srvr by default.
  std::set<std::string> four_letter_words = {"srvr"};

  std::int32_t min_timeout() const { return min_session_timeout_ms > 0 ? min_session_timeout_ms : 2 * tick_time_ms; }
  std::int32_t max_timeout() const { return max_session_timeout_ms > 0 ? max_session_timeout_ms : 20 * tick_time_ms; }
};

// What a restarted keeper starts from (keeper/recovery.h builds it from disk).
struct KeeperState {
  DataTree tree;
  std::map<std::int64_t, std::int32_t> sessions;  // id → timeout
};

class KeeperService final : public net::Service {
 public:
  // The clock and the journal must outlive the service.
  KeeperService(const Clock& clock, KeeperConfig config, Journal& journal, KeeperState state = {});

  void on_listening(const std::string& host, std::uint16_t port) override;
  void on_open(net::ConnectionId conn, const std::string& peer_host) override;
  net::Outcome handle(net::ConnectionId conn, MutableByteSpan frame) override;
  void on_close(net::ConnectionId conn) override;
  std::optional<Bytes> answer_unframed(net::ConnectionId conn, ByteSpan first_four) override;

  bool has_completions() const override;
  std::vector<net::Completion> poll() override;
  std::optional<std::int64_t> next_deadline_ms() const override;
  std::optional<std::int64_t> next_tick_ms() const override { return next_tick_ms_; }
  // Expires the sessions whose clients have been silent for their timeout.
  void tick(std::int64_t now_ms) override;

  // For the tests, the four-letter words and the chapter's tools.
  const DataTree& tree() const { return tree_; }
  const SessionTracker& sessions() const { return sessions_; }
  const WatchManager& watches() const { return watches_; }
  std::int64_t durable_zxid() const { return durable_zxid_; }
  bool storage_failed() const { return storage_failed_; }
  // The text a four-letter word answers (whitelisted or not), or nullopt for a word
  // keeper does not know.
  std::optional<std::string> four_letter_word(std::string_view word) const;

 private:
  struct Connection {
    std::string host;
    bool handshaken = false;
    std::int64_t session = 0;
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
  };
  // A reply or notification waiting for the state it shows to be durable.
  struct Pending {
    std::int64_t zxid;  // the tree's last zxid when it was made
    net::Completion what;
    std::int64_t arrived_ms = -1;  // a reply: when its request arrived (for the latency figures)
  };
  struct Written {
    std::string path;  // create: the path created (sequential: with its number)
  };

  net::Outcome handshake(net::ConnectionId id, Connection& c, ByteSpan frame);
  net::Outcome process(net::ConnectionId id, Connection& c, Request& request);
  // A reply to `xid` now if nothing waits for the disk, else deferred in order.
  net::Outcome answer(net::ConnectionId id, Bytes body, bool close_after = false);
  net::Outcome reply(net::ConnectionId id, std::int32_t xid, Code err, const ResponseBody& body = EmptyResponse{});

  std::vector<Id> identities(const Connection& c) const;
  // Reads: the answer, and the watches they set.
  net::Outcome read(net::ConnectionId id, Connection& c, const Request& r);
  // Writes: prepare, apply, journal; the reply once durable.
  net::Outcome write(net::ConnectionId id, Connection& c, const Request& r);
  std::variant<SubTxn, Code> prepare(OpCode op, const MultiStep& body, const std::vector<Id>& ids,
                                     std::int64_t session) const;
  // Appends the transaction and applies it; returns its zxid.
  std::int64_t commit(TxnHeader header, const TxnBody& body, std::vector<TreeEvent> events_already = {},
                      bool already_applied = false);
  void notify(const std::vector<TreeEvent>& events);
  void close_session(std::int64_t session, std::int32_t cxid);
  // ZooKeeper's ContainerManager: deletes containers whose last child went and TTL nodes
  // without children not modified for their TTL, each by a transaction of its own.
  void delete_expired_nodes(std::int64_t wall_ms);
  TxnHeader next_header(std::int64_t session, std::int32_t cxid, OpCode type) const;

  const Clock& clock_;
  KeeperConfig config_;
  Journal& journal_;
  DataTree tree_;
  SessionTracker sessions_;
  WatchManager watches_;
  std::map<net::ConnectionId, Connection> connections_;
  std::vector<Txn> unlogged_;  // applied, not yet in the journal
  std::deque<Pending> pending_;
  std::int64_t durable_zxid_ = 0;
  std::uint64_t next_deferred_ = 1;
  std::int64_t next_tick_ms_ = 0;
  std::int64_t next_container_check_ms_ = 0;  // monotonic
  bool storage_failed_ = false;
  std::string listen_address_;
  // srvr/mntr figures.
  std::uint64_t packets_received_ = 0;
  std::uint64_t packets_sent_ = 0;
  std::int64_t latency_min_ms_ = -1, latency_max_ms_ = 0, latency_total_ms_ = 0;
  std::uint64_t latency_count_ = 0;
};

}  // namespace streamcraft::keeper
