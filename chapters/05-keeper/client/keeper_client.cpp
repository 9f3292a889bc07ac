// generated from final/client/keeper_client.cpp; edit there
// client/keeper_client.cpp — the ZooKeeper client protocol on a blocking socket.
#include "client/keeper_client.h"

#include <fmt/format.h>

namespace streamcraft::client {

using namespace keeper;

Result<std::unique_ptr<KeeperClient>> KeeperClient::connect(const std::string& server, ClientOptions options,
                                                            std::chrono::milliseconds request_timeout) {
  auto socket = BlockingSocket::connect(server, request_timeout, "keeper");
  if (!socket) return socket.error();
  auto c = std::make_unique<KeeperClient>(Private{}, std::move(*socket), std::move(options), request_timeout);
  if (auto s = c->send(c->session_.handshake()); !s) return s.error();
  auto frame = c->read_frame(request_timeout);
  if (!frame) return frame.error();
  auto code = c->session_.on_handshake(*frame);
  if (!code) return code.error();
  if (*code != Code::ok)
    return make_error(Errc::unknown_server_error, fmt::format("{}: the server refused the session", code_name(*code)));
  return c;
}

Status KeeperClient::send(const Bytes& body) {
  std::byte size[4];
  store_be<std::int32_t>(size, static_cast<std::int32_t>(body.size()));
  return socket_->write({ByteSpan(size), ByteSpan(body)}, request_timeout_);
}

Result<Bytes> KeeperClient::read_frame(std::chrono::milliseconds limit) {
  std::byte size[4];
  if (auto s = socket_->read_exact(size, limit); !s) return s.error();
  const auto n = load_be<std::int32_t>(size);
  // jute.maxbuffer's default, with room for a reply's header: a larger size is not a reply.
  if (n < 0 || n > (1 << 20) + 1024) {
    socket_->close();
    return make_error(Errc::corrupt_message, fmt::format("reply size {}", n));
  }
  Bytes body(static_cast<std::size_t>(n));
  if (auto s = socket_->read_exact(body, request_timeout_); !s) return s.error();
  return body;
}

Result<Reply> KeeperClient::await_reply() {
  for (;;) {
    auto frame = read_frame(request_timeout_);
    if (!frame) return frame.error();
    auto got = session_.on_frame(*frame);
    if (!got) {
      socket_->close();  // out of order: nothing later can be matched
      return got.error();
    }
    if (auto* ev = std::get_if<WatcherEvent>(&*got)) {
      events_.push_back(std::move(*ev));
      continue;
    }
    return std::move(std::get<ClientSession::Answer>(*got).reply);
  }
}

Result<Reply> KeeperClient::call(OpCode op, RequestBody body) {
  if (auto s = send(session_.request(op, std::move(body))); !s) return s.error();
  return await_reply();
}

Status KeeperClient::ping() {
  auto r = call(OpCode::ping, EmptyRequest{});
  return r ? Status{} : Status{r.error()};
}

Result<std::optional<WatcherEvent>> KeeperClient::next_event(std::chrono::milliseconds wait) {
  const auto give_up = std::chrono::steady_clock::now() + wait;
  const auto interval = std::chrono::milliseconds(session_.ping_interval_ms());
  while (events_.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::optional<WatcherEvent>{};
    auto readable = socket_->readable_within(std::min(interval, left));
    if (!readable) return readable.error();
    if (!*readable) {
      // Idle for a third of the session timeout: ping, or the session would expire.
      if (auto s = ping(); !s) return s.error();
      continue;
    }
    auto frame = read_frame(request_timeout_);
    if (!frame) return frame.error();
    auto got = session_.on_frame(*frame);
    if (!got) return got.error();
    if (auto* ev = std::get_if<WatcherEvent>(&*got)) events_.push_back(std::move(*ev));
  }
  auto ev = std::move(events_.front());
  events_.pop_front();
  return std::optional<WatcherEvent>{std::move(ev)};
}

Status KeeperClient::close() {
  auto r = call(OpCode::close_session, EmptyRequest{});
  socket_->close();
  return r ? Status{} : Status{r.error()};
}

}  // namespace streamcraft::client
