// generated from final/broker/peer_requests.cpp; edit there
// broker/peer_requests.cpp — connections to other nodes as a state machine.
#include "broker/peer_requests.h"

#include <algorithm>

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::broker {

PeerRequests::PeerRequests(const Clock& clock, Options options) : clock_(clock), options_(std::move(options)) {
  options_.max_in_flight = std::max<std::size_t>(1, options_.max_in_flight);
}

void PeerRequests::request(std::int32_t node, protocol::ApiKey key, std::int16_t version, Bytes body,
                           std::uint64_t token) {
  Pending p{token, next_correlation_++, {}, clock_.monotonic_ms() + options_.request_timeout_ms};
  // The frame is built now, once: size prefix, request header v1, body.
  protocol::Encoder e(p.frame);
  e.i32(0);  // the size, patched below
  e.i16(static_cast<std::int16_t>(key));
  e.i16(version);
  e.i32(p.correlation_id);
  e.nullable_string(options_.client_id);
  e.raw(body);
  store_be<std::int32_t>(p.frame.data(), static_cast<std::int32_t>(p.frame.size() - 4));
  Peer& peer = peers_[node];
  peer.queued.push_back(std::move(p));
  if (peer.state == State::ready) send_queued(node, peer);
  connect_if_needed(node, peer);
}

void PeerRequests::connect_if_needed(std::int32_t node, Peer& peer) {
  if (peer.queued.empty()) return;
  if (peer.state == State::backing_off && clock_.monotonic_ms() >= peer.backoff_until_ms) peer.state = State::idle;
  if (peer.state != State::idle) return;
  peer.state = State::connecting;
  actions_.push_back({Action::Kind::connect, node, {}});
}

void PeerRequests::send_queued(std::int32_t node, Peer& peer) {
  while (!peer.queued.empty() && peer.in_flight.size() < options_.max_in_flight) {
    Pending p = std::move(peer.queued.front());
    peer.queued.pop_front();
    actions_.push_back({Action::Kind::send, node, std::move(p.frame)});
    p.frame = {};  // sent: the bytes now belong to the driver
    peer.in_flight.push_back(std::move(p));
  }
}

std::vector<PeerRequests::Action> PeerRequests::take_actions() { return std::exchange(actions_, {}); }

void PeerRequests::on_connected(std::int32_t node) {
  auto it = peers_.find(node);
  if (it == peers_.end() || it->second.state != State::connecting) return;  // not asked for (any more)
  it->second.state = State::ready;
  send_queued(node, it->second);
}

void PeerRequests::on_disconnected(std::int32_t node) {
  auto it = peers_.find(node);
  if (it == peers_.end() || it->second.state == State::idle || it->second.state == State::backing_off) return;
  // The driver already knows: no disconnect action for it.
  drop(node, it->second, Errc::network_exception, std::nullopt, /*tell_driver=*/false);
}

void PeerRequests::on_response(std::int32_t node, ByteSpan frame) {
  auto it = peers_.find(node);
  if (it == peers_.end() || it->second.state != State::ready) return;  // a connection already dropped
  Peer& peer = it->second;
  if (frame.size() < 4 || peer.in_flight.empty() ||
      load_be<std::int32_t>(frame.data()) != peer.in_flight.front().correlation_id) {
    // Not the answer to the oldest request: the stream cannot be trusted any more.
    drop(node, peer, Errc::network_exception);
    return;
  }
  Pending p = std::move(peer.in_flight.front());
  peer.in_flight.pop_front();
  completions_.push_back({p.token, node, Bytes(frame.begin() + 4, frame.end())});
  send_queued(node, peer);
}

void PeerRequests::drop(std::int32_t node, Peer& peer, Errc why, std::optional<Errc> first, bool tell_driver) {
  if (tell_driver && (peer.state == State::ready || peer.state == State::connecting))
    actions_.push_back({Action::Kind::disconnect, node, {}});
  bool is_first = true;
  for (const auto& p : peer.in_flight) {
    const Errc code = is_first && first ? *first : why;
    fail(node, p, code,
         code == Errc::request_timed_out ? "no response in time" : "the connection to the node was lost");
    is_first = false;
  }
  peer.in_flight.clear();
  peer.state = State::backing_off;
  peer.backoff_until_ms = clock_.monotonic_ms() + options_.reconnect_backoff_ms;
}

void PeerRequests::fail(std::int32_t node, const Pending& p, Errc code, const std::string& why) {
  completions_.push_back({p.token, node, make_error(code, fmt::format("request to node {}: {}", node, why))});
}

void PeerRequests::tick() {
  const std::int64_t now = clock_.monotonic_ms();
  for (auto& [node, peer] : peers_) {
    // The oldest request in flight is the first to time out (they were sent in order).
    if (!peer.in_flight.empty() && now >= peer.in_flight.front().deadline_ms)
      drop(node, peer, Errc::network_exception, Errc::request_timed_out);
    // Requests that never left: their node stayed unreachable for the whole timeout.
    while (!peer.queued.empty() && now >= peer.queued.front().deadline_ms) {
      fail(node, peer.queued.front(), Errc::request_timed_out, "the node could not be reached in time");
      peer.queued.pop_front();
    }
    if (peer.queued.empty() && peer.in_flight.empty() && peer.state == State::connecting) {
      // Nothing left to send: give up the connection being made.
      actions_.push_back({Action::Kind::disconnect, node, {}});
      peer.state = State::idle;
    }
    connect_if_needed(node, peer);
  }
}

std::optional<std::int64_t> PeerRequests::next_deadline_ms() const {
  std::optional<std::int64_t> next;
  auto consider = [&](std::int64_t t) { next = next ? std::min(*next, t) : t; };
  for (const auto& [node, peer] : peers_) {
    if (!peer.in_flight.empty()) consider(peer.in_flight.front().deadline_ms);
    if (!peer.queued.empty()) {
      consider(peer.queued.front().deadline_ms);
      if (peer.state == State::backing_off) consider(peer.backoff_until_ms);
    }
  }
  return next;
}

std::vector<PeerRequests::Completion> PeerRequests::take_completions() { return std::exchange(completions_, {}); }

std::size_t PeerRequests::pending() const {
  std::size_t n = 0;
  for (const auto& [node, peer] : peers_) n += peer.queued.size() + peer.in_flight.size();
  return n;
}

}  // namespace streamcraft::broker
