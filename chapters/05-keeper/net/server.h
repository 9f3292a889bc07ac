// generated from final/net/server.h; edit there
// net/server.h — any framed protocol on the network: Asio around a sans-I/O Service.
//
// The server owns no protocol logic. It accepts connections, turns the bytes from each
// socket into frames (broker::Connection: a 4-byte big-endian size prefix, the framing of
// both Kafka and ZooKeeper), hands each frame to a net::Service (net/service.h), and
// writes what comes back in request order, with the service's pushes (messages nobody
// asked for, such as watch events) between whole messages — byte parts with write(2) and
// segment-file parts with sendfile(2), so fetched batches go from the page cache to the
// socket without a copy through user space. The broker serves Kafka through it (broker/kafka_service.h);
// chapter 5's keeper serves the ZooKeeper protocol through the same code.
//
// Threading model: one thread runs one asio::io_context, and everything — accepting,
// reading, handling requests, appending to logs, writing responses — happens on it.
// There are no locks, because nothing is shared between threads. Why not a thread pool?
// Handing a request from a network thread to a worker and the response back costs two
// cross-core wake-ups, tens of microseconds each on this kind of machine, while the work
// itself (an append to the page cache, a read of an index) takes a few microseconds. One
// thread saturates a loopback connection long before its core is busy; later chapters
// scale by running more partitions (and brokers), not more threads per partition.
//
// No client can stop the server or starve the others:
// - A peer that closes while a response is being written makes write(2) and sendfile(2)
//   fail with EPIPE, and the kernel would also raise SIGPIPE, whose default action ends
//   the process. Asio sends with MSG_NOSIGNAL, but sendfile(2) has no such flag, so
//   start() sets SIGPIPE to "ignore" for the process: every write path then gets EPIPE
//   as an error value, and only that connection is closed.
// - Backpressure: a connection is not read while it has max_queued_requests requests
//   without a written response or max_queued_response_bytes of responses (and pushes) in
//   memory; it is read again as soon as its responses drain.
// - Nothing waits on a polling loop: the one timer is set to the earliest of the
//   service's deadlines (a long poll's max_wait_ms, a group member's session) and its
//   next periodic maintenance (the broker's once-a-second log work), on the monotonic
//   clock.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "broker/connection.h"
#include "common/clock.h"
#include "common/error.h"
#include "net/service.h"

namespace streamcraft::net {

class Session;

class Server {
 public:
  // The service and the clock must outlive the server.
  Server(asio::io_context& io, ServerOptions options, Service& service, const Clock& clock);
  ~Server();

  // Binds, tells the service where it listens, and starts accepting. The port is then
  // known (options.port 0 picks a free one).
  Status start();
  std::uint16_t port() const { return port_; }
  // Stops accepting and closes every connection.
  void stop();
  // Something outside the server's own events changed the service (a replicated
  // broker's peer responses): complete what can be completed, and re-arm the timer.
  void poke() { after_requests(); }

  // What the connections hold right now (call on the network thread): for tests and
  // for an operator's questions.
  struct Stats {
    std::size_t connections = 0;
    std::size_t queued_requests = 0;        // without a written response, over all connections
    std::size_t queued_response_bytes = 0;  // in memory (responses and pushes), waiting to be written
    std::size_t deferred_tracked = 0;       // deferred requests the connections remember
    std::size_t paused_connections = 0;     // not being read: backpressure
  };
  Stats stats() const;

  // Called by sessions.
  void on_deferred(std::uint64_t id, std::weak_ptr<Session> session, std::uint64_t slot);
  void on_closed(Session& session);
  // After a connection's requests were handled: deferred work may be complete now.
  void after_requests();

 private:
  void accept();
  // Sends what the service's poll() returns: deferred responses into their slots,
  // pushes to their connections.
  void complete_deferred();
  // Sets the timer to the earliest of the service's deadline and its next tick.
  void arm_timer();
  void on_timer();

  const ServerOptions options_;
  Service& service_;
  const Clock& clock_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer timer_;
  std::optional<std::int64_t> timer_at_ms_;  // when the armed timer fires (monotonic), if armed
  std::uint16_t port_ = 0;
  struct Waiting {
    std::weak_ptr<Session> session;
    std::uint64_t slot;
  };
  std::map<std::uint64_t, Waiting> waiting_;  // deferred request id → where its response goes
  std::map<ConnectionId, std::weak_ptr<Session>> sessions_;  // open connections, for pushes and stats
  ConnectionId next_connection_ = 1;
  bool stopped_ = false;
};

}  // namespace streamcraft::net
