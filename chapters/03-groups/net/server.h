// generated from final/net/server.h; edit there
// net/server.h — the broker on the network: Asio around the sans-I/O core.
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
// The server owns no protocol logic: it turns bytes from sockets into frames
// (broker::Connection), hands each frame to broker::RequestHandler, and writes what
// comes back — byte parts with write(2) and segment-file parts with sendfile(2), so
// fetched batches go from the page cache to the socket without a copy through user space.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <map>
#include <memory>

#include "broker/config.h"
#include "broker/connection.h"
#include "broker/log_manager.h"
#include "broker/request_handler.h"
#include "common/clock.h"

namespace streamcraft::net {

class Session;

class Server {
 public:
  Server(asio::io_context& io, const broker::BrokerConfig& config, broker::RequestHandler& handler,
         broker::LogManager& logs, const Clock& clock);
  ~Server();

  // Binds and starts accepting. The port is then known (config port 0 picks a free one).
  Status start();
  std::uint16_t port() const { return port_; }
  // Stops accepting and closes every connection.
  void stop();

  // Called by sessions.
  void on_deferred(std::uint64_t id, std::weak_ptr<Session> session, std::uint64_t slot);
  void on_closed(Session& session);
  void complete_deferred();  // after every produce: waiting fetches may have data now

 private:
  void accept();
  void schedule_tick();

  const broker::BrokerConfig& config_;
  broker::RequestHandler& handler_;
  broker::LogManager& logs_;
  const Clock& clock_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer timer_;
  std::uint16_t port_ = 0;
  std::int64_t next_logs_tick_ms_ = 0;
  struct Waiting {
    std::weak_ptr<Session> session;
    std::uint64_t slot;
  };
  std::map<std::uint64_t, Waiting> waiting_;  // deferred fetch id → where its response goes
  std::map<Session*, std::weak_ptr<Session>> sessions_;
  bool stopped_ = false;
};

}  // namespace streamcraft::net
