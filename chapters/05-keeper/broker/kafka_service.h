// generated from final/broker/kafka_service.h; edit there
// broker/kafka_service.h — the Kafka protocol as a net::Service: what the server serves.
//
// net::Server (net/server.h) is generic: it frames bytes and drives a net::Service. This
// adapter is the broker's: frames go to the RequestHandler, its deferred responses (long
// polls; from chapter 3 also waiting joins and durable acks) come back through poll(),
// its deadlines arm the server's timer, and the logs' maintenance (flush policy,
// retention; from chapter 3 compaction) runs once a second as the service's tick. Kafka
// sends nothing unasked, so poll() never returns a push.
//
// The handler knows requests, not connections; the adapter keeps what belongs to one:
// the ids of its deferred requests, so that a closed connection's parked fetches and
// joins are cancelled (RequestHandler::cancel_deferred) instead of answered to nobody,
// and (chapter 3) its client's address, which a group member reports as its host.
//
// Not thread-safe, like the handler: the server's one thread drives it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config.h"
#include "broker/log_manager.h"
#include "broker/request_handler.h"
#include "common/clock.h"
#include "net/service.h"

namespace streamcraft::broker {

class KafkaService final : public net::Service {
 public:
  // The log maintenance period: how often tick() is due.
  static constexpr std::int64_t kMaintenanceIntervalMs = 1000;

  // All four must outlive the service (broker::Node owns them together).
  KafkaService(const BrokerConfig& config, RequestHandler& handler, LogManager& logs, const Clock& clock);

  // Sets the address Metadata advertises: advertised.listeners if configured, else the
  // listener, with 0.0.0.0 (every interface) advertised as 127.0.0.1.
  void on_listening(const std::string& host, std::uint16_t port) override;
  void on_open(net::ConnectionId conn, const std::string& peer_host) override;
  net::Outcome handle(net::ConnectionId conn, MutableByteSpan frame) override;
  void on_close(net::ConnectionId conn) override;

  bool has_completions() const override { return handler_.has_completions(); }
  std::vector<net::Completion> poll() override;
  std::optional<std::int64_t> next_deadline_ms() const override { return handler_.next_deadline_ms(); }

  std::optional<std::int64_t> next_tick_ms() const override { return next_tick_ms_; }
  // The logs' periodic work; an error is logged, and the broker goes on serving.
  void tick(std::int64_t now_ms) override;
  // Runs after every request handled: a replicated broker's driver sends what the
  // request made due (an ISR proposal, a fetch) at once.
  void set_after_request(std::function<void()> fn) { after_request_ = std::move(fn); }

 private:
  struct Peer {
    std::set<std::uint64_t> deferred;  // this connection's requests not answered yet
    std::string host;  // the client's IP address
  };

  const BrokerConfig& config_;
  RequestHandler& handler_;
  LogManager& logs_;
  std::map<net::ConnectionId, Peer> peers_;
  std::map<std::uint64_t, net::ConnectionId> deferred_owner_;  // deferred id → its connection
  std::int64_t next_tick_ms_;                                   // monotonic
  std::function<void()> after_request_;
};

// The server's listener and per-connection limits, from the broker's configuration
// (listeners, socket.request.max.bytes, queued.max.requests, queued.max.response.bytes).
net::ServerOptions server_options(const BrokerConfig& config);

}  // namespace streamcraft::broker
