// generated from final/broker/peer_requests.h; edit there
// broker/peer_requests.h — the requests a broker sends to other nodes, without a socket.
//
// From chapter 4 on a broker is a client too: a follower fetches from its leader, the
// controller tells brokers who leads what, a broker reports to the controller. Those
// callers are state machines like the request handler, so the client side is sans-I/O
// as well. A caller asks for a request with request(node, …, token) and later collects
// its completion (the response body, or an error) from take_completions(). Whoever owns
// the sockets — net/peer_connector.h on a real network, the simulator's peers in tests —
// is the driver: it carries out take_actions() (connect to a node, write a frame, drop a
// connection) in order, and reports back what the network did: on_connected(),
// on_disconnected() (also for a connection that could not be made), on_response() with
// each whole response frame. Time comes in through the clock: the driver calls tick()
// when next_deadline_ms() is reached.
//
// Per node there is one connection at a time, and on it:
// - at most `max_in_flight` requests without a response; more wait in a queue, in the
//   order they were asked for;
// - responses are matched by correlation id to the oldest request in flight. A broker
//   answers a connection's requests in order, so any other correlation id means the peer
//   (or the stream) is broken: the connection is dropped.
// - A request unanswered after `request_timeout_ms` fails with REQUEST_TIMED_OUT and its
//   connection is dropped, as Kafka's network client does: a late answer could no longer
//   be told from the answer to a newer request. The other requests in flight on it fail
//   with NETWORK_EXCEPTION; so do all in flight when a connection breaks. A request still
//   queued (its node unreachable) fails with REQUEST_TIMED_OUT after the same time.
// - After a broken or refused connection the node is left alone for
//   `reconnect_backoff_ms` before queued requests make it connect again, so an
//   unreachable node is not hammered.
//
// Failed requests are never retried here: whether a retry is safe — a produce without
// idempotence is not — is the caller's decision.
//
// Not thread-safe: the driver and the callers run on one thread.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/error.h"
#include "protocol/header.h"

namespace streamcraft::broker {

class PeerRequests {
 public:
  struct Options {
    std::string client_id = "streamcraft-broker";
    std::size_t max_in_flight = 5;          // per connection (Kafka: max.in.flight.requests.per.connection)
    std::int64_t request_timeout_ms = 30'000;
    std::int64_t reconnect_backoff_ms = 50;
  };

  // What the driver is to do, in this order.
  struct Action {
    enum class Kind { connect, send, disconnect };
    Kind kind;
    std::int32_t node;
    Bytes frame;  // kind == send: the whole frame, size prefix included
  };

  struct Completion {
    std::uint64_t token;  // the caller's, from request()
    std::int32_t node;
    Result<Bytes> body;   // the response after its correlation id, or why there is none
  };

  explicit PeerRequests(const Clock& clock) : PeerRequests(clock, Options{}) {}
  PeerRequests(const Clock& clock, Options options);

  // Asks node for one request; its completion carries `token`.
  void request(std::int32_t node, protocol::ApiKey key, std::int16_t version, Bytes body, std::uint64_t token);

  // --- the driver's side ---
  std::vector<Action> take_actions();
  void on_connected(std::int32_t node);
  void on_disconnected(std::int32_t node);  // broken, closed by the peer, or never made
  void on_response(std::int32_t node, ByteSpan frame);  // one whole frame, without its size prefix
  void tick();  // timeouts and reconnects that are due
  std::optional<std::int64_t> next_deadline_ms() const;  // on clock.monotonic_ms()

  // --- the callers' side ---
  std::vector<Completion> take_completions();
  bool has_completions() const { return !completions_.empty(); }
  // Requests asked for and not completed yet, over all nodes.
  std::size_t pending() const;

 private:
  struct Pending {
    std::uint64_t token;
    std::int32_t correlation_id;
    Bytes frame;
    std::int64_t deadline_ms;
  };
  enum class State { idle, connecting, ready, backing_off };
  struct Peer {
    State state = State::idle;
    std::int64_t backoff_until_ms = 0;
    std::deque<Pending> queued;     // not sent yet
    std::deque<Pending> in_flight;  // sent, oldest first
  };

  void send_queued(std::int32_t node, Peer& peer);
  // Drops the connection: what was in flight fails with `why` (the first one with
  // `first`, when given: the one that timed out).
  void drop(std::int32_t node, Peer& peer, Errc why, std::optional<Errc> first = std::nullopt,
            bool tell_driver = true);
  void connect_if_needed(std::int32_t node, Peer& peer);
  void fail(std::int32_t node, const Pending& p, Errc code, const std::string& why);

  const Clock& clock_;
  Options options_;
  std::map<std::int32_t, Peer> peers_;
  std::vector<Action> actions_;
  std::vector<Completion> completions_;
  std::int32_t next_correlation_ = 1;
};

}  // namespace streamcraft::broker
