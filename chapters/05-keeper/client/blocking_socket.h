// generated from final/client/blocking_socket.h; edit there
// client/blocking_socket.h — one TCP connection with every wait bounded, for blocking clients.
//
// The course's clients (the Kafka client, and from chapter 5 the keeper client) are
// blocking: a call writes a request and waits for its answer. Waiting without a bound is
// how a client hangs for ever on a server that was paused or cut off without a reset, so
// every operation here — connect, write, read — takes a time limit and, past it, closes
// the socket and reports REQUEST_TIMED_OUT. After any failure the connection is closed
// for good: it stopped mid-frame, and nothing read later could be trusted to start at a
// frame boundary.
//
// Underneath is Asio: each operation is started asynchronously and the io_context is run
// for at most the limit, the only way to put a deadline on a socket operation portably.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::client {

class BlockingSocket {
 public:
  // Connects to "host:port". `peer` names the other side in error messages ("broker").
  static Result<std::unique_ptr<BlockingSocket>> connect(const std::string& host_port, std::chrono::milliseconds limit,
                                                         std::string peer);

  // Writes the parts in one gathered write.
  Status write(std::initializer_list<ByteSpan> parts, std::chrono::milliseconds limit);
  // Reads exactly out.size() bytes.
  Status read_exact(MutableByteSpan out, std::chrono::milliseconds limit);
  // Whether bytes arrive within `limit`, reading none; false leaves the connection open
  // (a client waiting for a server's unrequested message, such as a watch event).
  Result<bool> readable_within(std::chrono::milliseconds limit);
  bool closed() const { return closed_; }
  void close();
  // Whether host:port resolves to the address this socket is connected to.
  bool connected_to(const std::string& host, std::uint16_t port);

  struct Private {
    explicit Private() = default;
  };
  BlockingSocket(Private, std::string peer) : socket_(io_), peer_(std::move(peer)) {}

 private:
  // Runs one asynchronous operation — `start(handler)` begins it — for at most `limit`:
  // its error, or timed_out after closing the socket (which aborts the operation).
  template <class Start>
  std::error_code run_for(Start start, std::chrono::milliseconds limit);

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string peer_;
  bool closed_ = false;
};

// "host:port" → host, port.
Result<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text);

}  // namespace streamcraft::client
