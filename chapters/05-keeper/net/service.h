// generated from final/net/service.h; edit there
// net/service.h — what a server serves: the protocol side of every connection, sans-I/O.
//
// net::Server (net/server.h) knows sockets, framing, backpressure and one timer, and no
// protocol. Everything a protocol decides — what a frame means, what to answer, when a
// parked request is done, what to tell a client unasked — is a Service's. Kafka's is
// broker::KafkaService (the request handler and the logs); chapter 5's ZooKeeper-protocol
// keeper is another, on the same server, unchanged. Both frame their messages the same
// way: a 4-byte big-endian size, then that many bytes (broker/connection.h).
//
// A Service never touches a socket and never waits: it takes frames, connection events
// and the passing of time, and returns what should be sent. So every service is tested
// by calling it with bytes and a ManualClock, and the server is tested with any service
// (tests/net/generic_server_test.cpp runs a tiny one of its own).
//
// The contract, all on the server's one thread (no method is called concurrently):
// - on_open(conn, host) before the first frame of a connection; on_close(conn) once,
//   after its last frame, however it ended (peer, error, a close outcome, stop()). After
//   on_close the service must forget the connection: its deferred requests are never
//   answered, and pushes addressed to it are dropped by the server anyway.
// - handle(conn, frame) for each whole frame, in the order the connection sent them.
//   Responses leave in request order whatever the Outcome: a deferred request holds back
//   the responses behind it until poll() completes it (broker/connection.h's slots).
// - poll() is called after every batch of frames handled (when has_completions() says
//   there is something) and whenever the timer fires. It returns, in the order they must
//   be sent, deferred responses (by the id handle() gave) and pushes: messages to a
//   connection that asked nothing, such as a ZooKeeper watch notification. A push is
//   queued after the whole messages already waiting to be written on that connection and
//   before anything queued later, so it arrives between two whole responses, never
//   inside one; it does not wait for deferred requests of that connection. A
//   CloseAfterWrites closes a connection once what is queued for it is written.
// - next_deadline_ms() and next_tick_ms(), on Clock::monotonic_ms(): the server's one
//   timer is armed at the earlier of them. At a deadline the server calls poll() (a long
//   poll's wait is over); at a tick, tick(now) (periodic maintenance, such as the logs'
//   retention, which is a service's business, not the server's). Both may lie in the past:
//   the timer then fires at once — so poll() must move a deadline it has dealt with, and
//   tick() the next tick, into the future, or the timer would fire without end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "protocol/message.h"

namespace streamcraft::net {

// Names one connection for as long as the server runs; never reused.
using ConnectionId = std::uint64_t;

// What the server does with one frame.
struct Outcome {
  enum class Kind { respond, no_response, deferred, close_connection };
  Kind kind = Kind::respond;
  protocol::OutMessage response;  // kind == respond: a whole frame, size prefix included
  std::uint64_t deferred_id = 0;  // kind == deferred: completed later by poll(); unique per service
  std::string reason;             // kind == close_connection: why, for the log
};

// A deferred request's response, ready now.
struct Completed {
  std::uint64_t deferred_id;
  protocol::OutMessage response;  // a whole frame, size prefix included
};

// A message to a connection that did not ask for it (a watch notification).
struct Push {
  ConnectionId connection;
  protocol::OutMessage message;  // a whole frame, size prefix included
};

// Close a connection once everything already queued for it is written (a ZooKeeper
// server answers closeSession, or an expired session's handshake, and then hangs up).
// Nothing it sends afterwards is handled. Responses still deferred are never written.
struct CloseAfterWrites {
  ConnectionId connection;
  std::string reason;  // for the log; empty: an orderly close
};

using Completion = std::variant<Completed, Push, CloseAfterWrites>;

class Service {
 public:
  virtual ~Service() = default;

  // The server is bound: `host` as configured, `port` the one it got (port 0 picks one).
  virtual void on_listening(const std::string& host, std::uint16_t port) = 0;
  // A connection from `peer_host` (an IP address) is open.
  virtual void on_open(ConnectionId conn, const std::string& peer_host) = 0;
  // One whole frame, without its size prefix. Mutable: a service may work in place
  // (Kafka stamps produced batches with their offsets before appending them).
  virtual Outcome handle(ConnectionId conn, MutableByteSpan frame) = 0;
  // The connection is gone: forget its deferred requests and anything else of it.
  virtual void on_close(ConnectionId conn) = 0;
  // The first four bytes of a connection, before they are read as a frame's size: a
  // protocol with plain-text commands (ZooKeeper's four-letter words: "ruok") answers
  // here with the bytes to write, after which the server closes the connection. nullopt
  // (the default): they are a size prefix like any other.
  virtual std::optional<Bytes> answer_unframed(ConnectionId conn, ByteSpan first_four) {
    (void)conn;
    (void)first_four;
    return std::nullopt;
  }

  // True when poll() has something to return now.
  virtual bool has_completions() const = 0;
  // Deferred responses and pushes, in the order they are to be sent.
  virtual std::vector<Completion> poll() = 0;
  // The earliest time a deferred request must be looked at again; nullopt: none waits.
  virtual std::optional<std::int64_t> next_deadline_ms() const = 0;

  // Periodic maintenance: when it is next due (nullopt: never), and the work itself.
  virtual std::optional<std::int64_t> next_tick_ms() const = 0;
  virtual void tick(std::int64_t now_ms) = 0;
};

// The listener and the limits the server applies to every connection, whatever the
// protocol. (The broker fills them from its configuration: broker/kafka_service.h.)
struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address; "0.0.0.0" listens on every interface
  std::uint16_t port = 0;          // 0: any free port (Server::port() tells which)
  std::size_t max_frame_bytes = 100 * 1024 * 1024;  // a larger size prefix closes the connection
  // Backpressure: a connection is not read while it has this many requests without a
  // written response, or this many bytes of responses and pushes in memory.
  std::size_t max_queued_requests = 500;
  std::size_t max_queued_response_bytes = 64 * 1024 * 1024;
};

}  // namespace streamcraft::net
