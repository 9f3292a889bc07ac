// generated from final/client/blocking_socket.cpp; edit there
// client/blocking_socket.cpp — connect, write and read, each within a time limit.
#include "client/blocking_socket.h"

#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace streamcraft::client {

Result<std::pair<std::string, std::uint16_t>> parse_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  unsigned port = 0;
  if (colon == std::string::npos) return make_error(Errc::invalid_config, "expected host:port, got " + text);
  auto [ptr, ec] = std::from_chars(text.data() + colon + 1, text.data() + text.size(), port);
  if (ec != std::errc{} || ptr != text.data() + text.size() || port == 0 || port > 65535)
    return make_error(Errc::invalid_config, "bad port in " + text);
  return std::pair{text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

template <class Start>
std::error_code BlockingSocket::run_for(Start start, std::chrono::milliseconds limit) {
  std::optional<std::error_code> done;
  start([&done](std::error_code ec, auto&&...) { done = ec; });
  io_.restart();
  io_.run_for(limit);  // returns as soon as the operation completes: it is the only work
  if (done) return *done;
  // Out of time. Closing the socket aborts the operation, whose handler must still run
  // (it writes `done`, on this stack frame) before we return.
  close();
  io_.restart();
  io_.run();
  return asio::error::timed_out;
}

Result<std::unique_ptr<BlockingSocket>> BlockingSocket::connect(const std::string& host_port,
                                                                std::chrono::milliseconds limit, std::string peer) {
  auto hp = parse_host_port(host_port);
  if (!hp) return hp.error();
  auto s = std::make_unique<BlockingSocket>(Private{}, std::move(peer));
  std::error_code ec;
  asio::ip::tcp::resolver resolver(s->io_);
  auto endpoints = resolver.resolve(hp->first, std::to_string(hp->second), ec);
  if (!ec) ec = s->run_for([&](auto handler) { asio::async_connect(s->socket_, endpoints, std::move(handler)); }, limit);
  if (ec == asio::error::timed_out)
    return make_error(Errc::request_timed_out,
                      fmt::format("cannot connect to {}: no answer within {} ms", host_port, limit.count()));
  if (ec) return make_error(Errc::unknown_server_error, fmt::format("cannot connect to {}: {}", host_port, ec.message()));
  s->socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  return s;
}

Status BlockingSocket::write(std::initializer_list<ByteSpan> parts, std::chrono::milliseconds limit) {
  if (closed_) return make_error(Errc::network_exception, fmt::format("the connection to the {} was closed after an error", peer_));
  // One gathered write: a large body is not copied again just to sit behind its header.
  std::vector<asio::const_buffer> buffers;
  for (const auto& p : parts) buffers.emplace_back(p.data(), p.size());
  auto ec = run_for([&](auto handler) { asio::async_write(socket_, buffers, std::move(handler)); }, limit);
  if (ec == asio::error::timed_out)
    return make_error(Errc::request_timed_out, fmt::format("the {} took no request bytes for {} ms; the connection is closed",
                                                           peer_, limit.count()));
  if (ec) {
    close();
    return make_error(Errc::unknown_server_error, fmt::format("write to {}: {}", peer_, ec.message()));
  }
  return {};
}

Status BlockingSocket::read_exact(MutableByteSpan out, std::chrono::milliseconds limit) {
  if (closed_) return make_error(Errc::network_exception, fmt::format("the connection to the {} was closed after an error", peer_));
  auto ec = run_for([&](auto handler) { asio::async_read(socket_, asio::buffer(out.data(), out.size()), std::move(handler)); },
                    limit);
  if (ec == asio::error::timed_out)
    return make_error(Errc::request_timed_out,
                      fmt::format("no response from the {} within {} ms; the connection is closed", peer_, limit.count()));
  if (ec) {
    close();  // a read that failed part-way leaves the stream mid-frame
    return make_error(Errc::unknown_server_error, fmt::format("read from {}: {}", peer_, ec.message()));
  }
  return {};
}

Result<bool> BlockingSocket::readable_within(std::chrono::milliseconds limit) {
  if (closed_) return make_error(Errc::network_exception, fmt::format("the connection to the {} was closed after an error", peer_));
  std::optional<std::error_code> done;
  socket_.async_wait(asio::ip::tcp::socket::wait_read, [&done](std::error_code ec) { done = ec; });
  io_.restart();
  io_.run_for(limit);
  if (!done) {
    // Nothing came: cancel the wait (not the connection) and let its handler run.
    std::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    return false;
  }
  if (*done) {
    close();
    return make_error(Errc::unknown_server_error, fmt::format("waiting for the {}: {}", peer_, done->message()));
  }
  return true;
}

bool BlockingSocket::connected_to(const std::string& host, std::uint16_t port) {
  std::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  if (ec) return false;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return false;
  for (const auto& e : endpoints)
    if (e.endpoint() == peer) return true;
  return false;
}

void BlockingSocket::close() {
  std::error_code ignored;
  socket_.close(ignored);
  closed_ = true;
}

}  // namespace streamcraft::client
