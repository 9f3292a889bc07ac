// generated from final/net/peer_connector.cpp; edit there
// net/peer_connector.cpp — connect, write, read frames and time out, for PeerRequests.
#include "net/peer_connector.h"

#include <array>
#include <chrono>
#include <deque>

#include <spdlog/spdlog.h>

#include "broker/connection.h"

namespace streamcraft::net {

using asio::ip::tcp;

// One connection to one node. Handlers hold it by shared_ptr, and check that it is still
// the node's current link: a link that was closed or replaced ignores what arrives late.
struct PeerConnector::Link {
  explicit Link(asio::io_context& io, std::size_t max_frame) : socket(io), frames(max_frame) {}
  tcp::socket socket;
  broker::Connection frames;  // cuts the byte stream into response frames
  std::array<std::byte, 64 * 1024> buffer{};
  std::deque<Bytes> outbox;
  bool writing = false;
  bool connected = false;
};

PeerConnector::PeerConnector(asio::io_context& io, broker::PeerRequests& requests, const Clock& clock,
                             AddressOf address_of, Completions on_completions, std::size_t max_response_bytes)
    : io_(io), requests_(requests), clock_(clock), address_of_(std::move(address_of)),
      on_completions_(std::move(on_completions)), max_response_bytes_(max_response_bytes), timer_(io) {}

PeerConnector::~PeerConnector() { stop(); }

bool PeerConnector::current(std::int32_t node, const std::shared_ptr<Link>& link) const {
  auto it = links_.find(node);
  return it != links_.end() && it->second == link;
}

void PeerConnector::pump() {
  if (stopped_) return;
  // A completion callback may ask for more requests and call pump() again: the actions
  // must still be carried out in the order PeerRequests produced them, so the inner call
  // only asks the outer one to go round once more.
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  do {
    pump_again_ = false;
    using Kind = broker::PeerRequests::Action::Kind;
    for (auto& action : requests_.take_actions()) {
      switch (action.kind) {
        case Kind::connect: connect(action.node); break;
        case Kind::send: send(action.node, std::move(action.frame)); break;
        case Kind::disconnect: close(action.node); break;
      }
    }
    if (requests_.has_completions()) on_completions_(requests_.take_completions());
  } while (pump_again_ && !stopped_);
  pumping_ = false;
  arm_timer();
}

void PeerConnector::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  auto links = std::move(links_);
  for (auto& [node, link] : links) {
    std::error_code ec;
    link->socket.close(ec);
  }
}

void PeerConnector::connect(std::int32_t node) {
  auto address = address_of_(node);
  auto link = std::make_shared<Link>(io_, max_response_bytes_);
  links_[node] = link;
  std::error_code ec;
  const auto ip = address ? asio::ip::make_address(address->host, ec) : asio::ip::address{};
  if (!address || ec) {
    // Unknown, or not an address: reported like a refused connection, after this call
    // returns (PeerRequests is in the middle of handing out actions).
    asio::post(io_, [this, node, link] { lost(node, link); });
    return;
  }
  link->socket.async_connect(tcp::endpoint(ip, address->port), [this, node, link](std::error_code err) {
    if (stopped_ || !current(node, link)) return;
    if (err) return lost(node, link);
    std::error_code ignored;
    link->socket.set_option(tcp::no_delay(true), ignored);  // requests are whole messages
    link->connected = true;
    requests_.on_connected(node);
    read(node, link);
    pump();
  });
}

void PeerConnector::send(std::int32_t node, Bytes frame) {
  auto it = links_.find(node);
  if (it == links_.end() || !it->second->connected) return;  // PeerRequests sends only on a connection it was told of
  it->second->outbox.push_back(std::move(frame));
  if (!it->second->writing) write_next(node, it->second);
}

void PeerConnector::write_next(std::int32_t node, std::shared_ptr<Link> link) {
  if (link->outbox.empty()) {
    link->writing = false;
    return;
  }
  link->writing = true;
  asio::async_write(link->socket, asio::buffer(link->outbox.front()), [this, node, link](std::error_code ec, std::size_t) {
    if (stopped_ || !current(node, link)) return;
    if (ec) return lost(node, link);
    link->outbox.pop_front();
    write_next(node, link);
  });
}

void PeerConnector::read(std::int32_t node, std::shared_ptr<Link> link) {
  link->socket.async_read_some(asio::buffer(link->buffer), [this, node, link](std::error_code ec, std::size_t n) {
    if (stopped_ || !current(node, link)) return;
    if (ec) return lost(node, link);  // closed by the peer, reset, or failed
    auto frames = link->frames.receive(ByteSpan(link->buffer.data(), n));
    if (!frames) {
      // An oversized or negative size: nothing after it starts at a frame boundary.
      spdlog::warn("node {} broke the framing: {}", node, frames.error().describe());
      return lost(node, link);
    }
    for (const auto& frame : *frames) {
      requests_.on_response(node, frame);
      if (!current(node, link)) break;  // PeerRequests dropped the connection (a wrong answer)
    }
    pump();
    if (!stopped_ && links_[node] == link) read(node, link);
  });
}

void PeerConnector::close(std::int32_t node) {
  auto it = links_.find(node);
  if (it == links_.end()) return;
  std::error_code ec;
  it->second->socket.close(ec);
  links_.erase(it);
}

void PeerConnector::lost(std::int32_t node, const std::shared_ptr<Link>& link) {
  if (stopped_) return;
  if (!current(node, link)) return;  // already forgotten: told once
  std::error_code ec;
  link->socket.close(ec);
  links_.erase(node);
  requests_.on_disconnected(node);
  pump();
}

void PeerConnector::arm_timer() {
  if (stopped_) return;
  auto at = requests_.next_deadline_ms();
  if (!at) return;
  // Only ever earlier: re-arming cancels the armed wait, and a timer that fires with
  // nothing due simply arms itself again.
  if (timer_at_ms_ && *timer_at_ms_ <= *at) return;
  timer_at_ms_ = *at;
  timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, *at - clock_.monotonic_ms())));
  timer_.async_wait([this](std::error_code ec) {
    if (ec == asio::error::operation_aborted || stopped_) return;
    timer_at_ms_.reset();
    requests_.tick();
    pump();
  });
}

}  // namespace streamcraft::net
