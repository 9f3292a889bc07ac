// generated from final/net/cluster_driver.cpp; edit there
// net/cluster_driver.cpp — peer connections and the replication timer of a real broker.
#include "net/cluster_driver.h"

#include <algorithm>
#include <chrono>

namespace streamcraft::net {

ClusterDriver::ClusterDriver(asio::io_context& io, broker::Node& node, Server& server, const Clock& clock)
    : node_(node), server_(server), clock_(clock), timer_(io) {
  const auto& members = node.config().cluster_brokers;
  connector_ = std::make_unique<PeerConnector>(
      io, *node.peers(), clock,
      [&members](std::int32_t id) -> std::optional<NodeAddress> {
        for (const auto& m : members)
          if (m.id == id) return NodeAddress{m.address.host == "0.0.0.0" ? "127.0.0.1" : m.address.host, m.address.port};
        return std::nullopt;
      },
      [this](std::vector<broker::PeerRequests::Completion> done) {
        if (stopped_) return;
        node_.on_peer_completions(std::move(done));
        kick();
        server_.poke();
      },
      node.config().max_request_bytes);
  node.service().set_after_request([this] { kick(); });
}

ClusterDriver::~ClusterDriver() { stop(); }

void ClusterDriver::stop() {
  if (stopped_) return;
  stopped_ = true;
  node_.service().set_after_request(nullptr);
  timer_.cancel();
  connector_->stop();
}

void ClusterDriver::kick() {
  if (stopped_) return;
  // A completion handled inside pump() may kick again: run once more afterwards instead
  // of recursing (and never drop it: what it asked for would wait for the next timer).
  if (kicking_) {
    again_ = true;
    return;
  }
  kicking_ = true;
  do {
    again_ = false;
    node_.tick_replication();
    connector_->pump();
  } while (again_ && !stopped_);
  kicking_ = false;
  arm();
}

void ClusterDriver::arm() {
  auto at = node_.next_replication_deadline_ms();
  if (!at || stopped_) return;
  // Only ever earlier: a timer that fires early finds nothing due and re-arms.
  if (timer_at_ms_ && *timer_at_ms_ <= *at) return;
  timer_at_ms_ = *at;
  timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, *at - clock_.monotonic_ms())));
  timer_.async_wait([this](std::error_code ec) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    timer_at_ms_.reset();
    kick();
    server_.poke();
  });
}

}  // namespace streamcraft::net
