// generated from final/net/peer_connector.h; edit there
// net/peer_connector.h — a broker's connections to other nodes, on real sockets.
//
// broker::PeerRequests decides everything about a broker's own requests (which node,
// when to connect, what to send, when to give up); this is its driver on Asio, as the
// simulator's SimPeers is its driver on the simulated network. It carries out the
// actions — connect, write a frame, drop a connection — and tells PeerRequests what
// happened: connected, disconnected (refused, reset, closed), each whole response frame.
// A timer armed at PeerRequests::next_deadline_ms() runs its tick(), and after every
// event the completions go to the callback given at construction.
//
// All on the io_context's one thread, like the server: no locks. Where a node is comes
// from `address_of` (chapter 4: the cluster's configuration, later the controller's
// metadata); a node without an address is reported disconnected, and PeerRequests retries
// after its backoff — a node may well become known later.
//
// Writes never raise SIGPIPE: Asio sends with MSG_NOSIGNAL, and the server ignores the
// signal for the process anyway (net/server.h).
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/peer_requests.h"
#include "common/clock.h"

namespace streamcraft::net {

struct NodeAddress {
  std::string host;
  std::uint16_t port = 0;
};

class PeerConnector {
 public:
  using AddressOf = std::function<std::optional<NodeAddress>(std::int32_t node)>;
  using Completions = std::function<void(std::vector<broker::PeerRequests::Completion>)>;

  PeerConnector(asio::io_context& io, broker::PeerRequests& requests, const Clock& clock, AddressOf address_of,
                Completions on_completions, std::size_t max_response_bytes = 100 << 20);
  ~PeerConnector();
  PeerConnector(const PeerConnector&) = delete;
  PeerConnector& operator=(const PeerConnector&) = delete;

  // Carries out what the requests want. Call after every PeerRequests::request().
  void pump();
  // Closes every connection (PeerRequests hears of each) and stops the timer.
  void stop();

 private:
  struct Link;
  void connect(std::int32_t node);
  void send(std::int32_t node, Bytes frame);
  void close(std::int32_t node);
  void read(std::int32_t node, std::shared_ptr<Link> link);
  void write_next(std::int32_t node, std::shared_ptr<Link> link);
  // The connection failed or closed: forget it and tell PeerRequests (once).
  void lost(std::int32_t node, const std::shared_ptr<Link>& link);
  void arm_timer();
  // Whether `link` is still the node's connection (not closed or replaced since).
  bool current(std::int32_t node, const std::shared_ptr<Link>& link) const;

  asio::io_context& io_;
  broker::PeerRequests& requests_;
  const Clock& clock_;
  AddressOf address_of_;
  Completions on_completions_;
  std::size_t max_response_bytes_;
  std::map<std::int32_t, std::shared_ptr<Link>> links_;
  asio::steady_timer timer_;
  std::optional<std::int64_t> timer_at_ms_;
  bool stopped_ = false;
  bool pumping_ = false;  // pump() re-entered from a completion callback runs once more after
  bool pump_again_ = false;
};

}  // namespace streamcraft::net
