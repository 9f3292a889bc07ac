// generated from final/client/keeper_client.h; edit there
// client/keeper_client.h — a small, blocking ZooKeeper-protocol client (keeper or ZooKeeper).
//
// keeper::ClientSession (keeper/client_session.h) does the protocol; this puts it on one
// blocking connection (client/blocking_socket.h) for the CLI's `streamcraft zk`, the tests
// and the benchmarks. call() sends a request and waits for its reply; notifications that
// arrive meanwhile are kept for next_event(). Every wait is bounded. It pings only while
// it waits in next_event(): a caller that holds the session for long between calls must
// call ping() itself within a third of the session timeout.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "client/blocking_socket.h"
#include "common/error.h"
#include "keeper/client_session.h"

namespace streamcraft::client {

class KeeperClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultRequestTimeout{10'000};
  // Connects to "host:port" and opens a session (SESSION_EXPIRED-like refusals come back
  // as an error naming SESSIONEXPIRED).
  static Result<std::unique_ptr<KeeperClient>> connect(const std::string& server, keeper::ClientOptions options = {},
                                                       std::chrono::milliseconds request_timeout = kDefaultRequestTimeout);

  // One request and its reply. A ZooKeeper error (NONODE…) is in the reply's header; the
  // Result fails only when the connection does.
  Result<keeper::Reply> call(keeper::OpCode op, keeper::RequestBody body);
  Status ping();
  // The next watch notification, waiting at most `wait` (nullopt when none came).
  Result<std::optional<keeper::WatcherEvent>> next_event(std::chrono::milliseconds wait);
  // Ends the session (closeSession): its ephemeral nodes go at once.
  Status close();

  const keeper::ClientSession& session() const { return session_; }

  struct Private {
    explicit Private() = default;
  };
  KeeperClient(Private, std::unique_ptr<BlockingSocket> socket, keeper::ClientOptions options,
               std::chrono::milliseconds request_timeout)
      : socket_(std::move(socket)), session_(std::move(options)), request_timeout_(request_timeout) {}

 private:
  Status send(const Bytes& body);
  Result<Bytes> read_frame(std::chrono::milliseconds limit);
  // Reads frames until the reply to the oldest request; events go to events_.
  Result<keeper::Reply> await_reply();

  std::unique_ptr<BlockingSocket> socket_;
  keeper::ClientSession session_;
  std::chrono::milliseconds request_timeout_;
  std::deque<keeper::WatcherEvent> events_;
};

}  // namespace streamcraft::client
