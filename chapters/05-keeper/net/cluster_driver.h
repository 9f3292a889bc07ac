// generated from final/net/cluster_driver.h; edit there
// net/cluster_driver.h — a replicated broker's own traffic on real sockets.
//
// A broker of a cluster is a client of the other brokers: its followers fetch, its
// controller client registers and heartbeats, and on the controller's broker the
// controller sends its control requests. All of that is sans-I/O inside broker::Node;
// this adapter carries it: a PeerConnector (net/peer_connector.h) for the connections to
// the brokers named in cluster.brokers, and a timer for the node's replication deadlines.
// After every request the server handled (KafkaService::set_after_request) and every peer
// response, it lets the node do what became due, sends what it asked for, and tells the
// server (Server::poke) that parked requests may be answerable now — a follower's fetch
// may have moved a high watermark that an acks=all producer waits for.
//
// On the io_context's one thread, like the server. Not thread-safe.
#pragma once

#include <asio.hpp>
#include <memory>
#include <optional>

#include "broker/node.h"
#include "common/clock.h"
#include "net/peer_connector.h"
#include "net/server.h"

namespace streamcraft::net {

class ClusterDriver {
 public:
  // The node must be replicated (node.peers() != nullptr); node and server outlive it.
  ClusterDriver(asio::io_context& io, broker::Node& node, Server& server, const Clock& clock);
  ~ClusterDriver();
  ClusterDriver(const ClusterDriver&) = delete;
  ClusterDriver& operator=(const ClusterDriver&) = delete;

  // Lets the node do what is due, sends, and re-arms the timer.
  void kick();
  // Closes the connections to the other brokers and stops the timer.
  void stop();

 private:
  void arm();

  broker::Node& node_;
  Server& server_;
  const Clock& clock_;
  std::unique_ptr<PeerConnector> connector_;
  asio::steady_timer timer_;
  std::optional<std::int64_t> timer_at_ms_;
  bool kicking_ = false;
  bool again_ = false;
  bool stopped_ = false;
};

}  // namespace streamcraft::net
