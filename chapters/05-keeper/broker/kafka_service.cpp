// generated from final/broker/kafka_service.cpp; edit there
// broker/kafka_service.cpp — the request handler and the logs behind the generic server.
#include "broker/kafka_service.h"

#include <spdlog/spdlog.h>

namespace streamcraft::broker {

KafkaService::KafkaService(const BrokerConfig& config, RequestHandler& handler, LogManager& logs, const Clock& clock)
    : config_(config), handler_(handler), logs_(logs),
      next_tick_ms_(clock.monotonic_ms() + kMaintenanceIntervalMs) {}

void KafkaService::on_listening(const std::string& host, std::uint16_t port) {
  // A client cannot connect to 0.0.0.0: a broker listening everywhere advertises loopback
  // unless advertised.listeners names the address clients should use.
  handler_.set_advertised(config_.advertised ? config_.advertised->host
                          : host == "0.0.0.0" ? std::string("127.0.0.1")
                                              : host,
                          config_.advertised ? config_.advertised->port : port);
}

// (peer_host is the group member's host, from chapter 3 on.)
void KafkaService::on_open(net::ConnectionId conn, [[maybe_unused]] const std::string& peer_host) {
  peers_.try_emplace(conn);
  peers_[conn].host = peer_host;
}

net::Outcome KafkaService::handle(net::ConnectionId conn, MutableByteSpan frame) {
  auto& peer = peers_[conn];
  handler_.set_client_host(peer.host);
  auto outcome = handler_.handle(frame);
  if (outcome.kind == net::Outcome::Kind::deferred) {
    peer.deferred.insert(outcome.deferred_id);
    deferred_owner_.emplace(outcome.deferred_id, conn);
  }
  if (after_request_) after_request_();
  return outcome;
}

void KafkaService::on_close(net::ConnectionId conn) {
  auto it = peers_.find(conn);
  if (it == peers_.end()) return;
  // Its parked fetches and waiting group requests go: nobody would read their answers,
  // and a parked fetch would stay on its partition's wake-up list.
  for (auto id : it->second.deferred) {
    handler_.cancel_deferred(id);
    deferred_owner_.erase(id);
  }
  peers_.erase(it);
}

std::vector<net::Completion> KafkaService::poll() {
  std::vector<net::Completion> out;
  for (auto& done : handler_.poll_deferred()) {
    if (auto owner = deferred_owner_.find(done.deferred_id); owner != deferred_owner_.end()) {
      if (auto peer = peers_.find(owner->second); peer != peers_.end()) peer->second.deferred.erase(done.deferred_id);
      deferred_owner_.erase(owner);
    }
    out.emplace_back(std::move(done));
  }
  return out;
}

void KafkaService::tick(std::int64_t now_ms) {
  next_tick_ms_ = now_ms + kMaintenanceIntervalMs;
  if (auto s = logs_.tick(); !s) spdlog::error("log maintenance: {}", s.error().describe());
}

net::ServerOptions server_options(const BrokerConfig& config) {
  net::ServerOptions o;
  o.host = config.listener.host;
  o.port = config.listener.port;
  o.max_frame_bytes = config.max_request_bytes;
  o.max_queued_requests = config.max_queued_requests;
  o.max_queued_response_bytes = config.max_queued_response_bytes;
  return o;
}

}  // namespace streamcraft::broker
