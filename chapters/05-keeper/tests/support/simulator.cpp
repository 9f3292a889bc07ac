// generated from tests/support/simulator.cpp; edit there
// support/simulator.cpp — the seeded world, its network and its broker processes.
#include "support/simulator.h"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "common/bytes.h"

namespace streamcraft::sim {

std::vector<std::uint64_t> seeds(std::uint64_t count) {
  if (const char* one = std::getenv("STREAMCRAFT_SEED"); one && *one) return {std::strtoull(one, nullptr, 10)};
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= count; ++s) out.push_back(s);
  return out;
}

std::string replay_hint(const std::string& test_case, std::uint64_t seed) {
  return fmt::format("replay: STREAMCRAFT_SEED={} streamcraft_tests \"{}\"", seed, test_case);
}

World::World(std::uint64_t seed, Limits limits)
    : seed_(seed), limits_(limits), rng_(seed), start_ms_(clock_.monotonic_ms()) {}

std::uint64_t World::random(std::uint64_t below) {
  // Not std::uniform_int_distribution: its results may differ between standard libraries,
  // and a seed must replay the same run everywhere.
  return rng_() % below;
}

std::int64_t World::between(std::int64_t low, std::int64_t high) {
  return low + static_cast<std::int64_t>(random(static_cast<std::uint64_t>(high - low + 1)));
}

bool World::chance(double probability) { return static_cast<double>(random(1'000'000)) < probability * 1'000'000; }

void World::at(std::int64_t when_ms, std::string what, std::function<void()> fn) {
  events_.push({std::max(when_ms, now_ms()), next_order_++, std::move(what), std::move(fn)});
}

bool World::run(const std::function<bool()>& done) {
  while (!events_.empty()) {
    if (done && done()) return true;
    if (steps_ >= limits_.max_steps || events_.top().when > limits_.max_time_ms) return false;
    auto e = events_.top();
    events_.pop();
    ++steps_;
    clock_.set_ms(start_ms_ + e.when);
    if (!e.what.empty()) note(e.what);
    e.fn();
  }
  return true;
}

void World::note(const std::string& line) {
  auto entry = fmt::format("{:>8} ms  {}", now_ms(), line);
  for (char c : entry) {
    fingerprint_ ^= static_cast<unsigned char>(c);
    fingerprint_ *= 1099511628211ULL;
  }
  timeline_.push_back(std::move(entry));
}

std::string World::timeline_text(std::size_t last) const {
  std::string out = fmt::format("seed {}, {} step(s), timeline (last {} of {} lines):\n", seed_, steps_,
                                std::min(last, timeline_.size()), timeline_.size());
  for (std::size_t i = timeline_.size() > last ? timeline_.size() - last : 0; i < timeline_.size(); ++i)
    out += timeline_[i] + "\n";
  return out;
}

bool Network::send(int from, int to, const std::string& what, std::function<void()> deliver) {
  auto it = links_.find({from, to});
  const Link& link = it == links_.end() ? default_ : it->second;
  if (!connected(from, to) || (link.loss > 0 && world_.chance(link.loss))) {
    world_.note(fmt::format("net {}→{} lost: {}", from, to, what));
    return false;
  }
  auto arrival = world_.now_ms() + link.latency_ms + (link.jitter_ms > 0 ? world_.between(0, link.jitter_ms) : 0);
  auto& last = last_arrival_[{from, to}];
  arrival = std::max(arrival, last);  // a TCP connection never reorders
  last = arrival;
  world_.at(arrival, fmt::format("net {}→{}: {}", from, to, what), std::move(deliver));
  return true;
}

SimBroker::SimBroker(World& world, int id, broker::BrokerConfig config)
    : world_(world), id_(id), config_(std::move(config)) {
  config_.node_id = id;
  if (!disk_.create_directories(config_.log_dir)) throw std::runtime_error("cannot create the log directory");
}

Status SimBroker::start() {
  auto node = broker::Node::open(disk_, config_, world_.clock(), &background_);
  if (!node) return node.error();
  node_ = std::move(*node);
  node_->handler().set_advertised(fmt::format("broker-{}", id_), 9092);
  world_.note(fmt::format("broker {} started: {} topic(s)", id_, node_->logs().topics().size()));
  if (node_->peers() && net_) {
    peers_ = std::make_unique<SimPeers>(world_, *net_, id_, *node_->peers(),
                                        [this](std::vector<broker::PeerRequests::Completion> done) {
                                          if (!node_) return;
                                          node_->on_peer_completions(std::move(done));
                                          if (!died()) service();
                                        });
    for (auto* b : cluster_) peers_->add(*b);  // itself too: the controller tells its own broker
    service();
  }
  return {};
}

void SimBroker::crash() {
  if (!node_) return;
  node_.reset();
  if (peers_) {
    peers_->detach();
    retired_peers_.push_back(std::move(peers_));
  }
  background_.discard();  // background jobs die with the process
  background_scheduled_ = false;
  connections_.clear();
  deferred_.clear();
  ++incarnation_;
  timer_at_.reset();
  const auto unsynced = disk_.unsynced_bytes();
  disk_.crash([this](const std::filesystem::path&, std::uint64_t tail) { return world_.random(tail + 1); });
  world_.note(fmt::format("broker {} crashed ({} unsynced byte(s) at risk)", id_, unsynced));
  if (on_crash) on_crash();
}

void SimBroker::receive(std::uint64_t connection, Bytes frame, Reply reply) {
  if (!node_) return;  // nobody listens: the client's connection attempt fails
  auto& c = connections_[connection];
  const auto slot = c.slots.open_slot();
  auto outcome = node_->handler().handle(frame);
  if (died()) return;
  switch (outcome.kind) {
    case broker::Outcome::Kind::respond:
      c.replies[slot] = std::move(reply);
      c.slots.fill(slot, std::move(outcome.response));
      break;
    case broker::Outcome::Kind::no_response: c.slots.fill(slot, std::nullopt); break;
    case broker::Outcome::Kind::deferred:
      c.replies[slot] = std::move(reply);
      deferred_[outcome.deferred_id] = {connection, slot};
      break;
    case broker::Outcome::Kind::close_connection:
      world_.note(fmt::format("broker {} closes connection {}: {}", id_, connection, outcome.reason));
      close(connection);
      return;
  }
  deliver_ready(connection);
  service();
}

void SimBroker::close(std::uint64_t connection) {
  if (!node_) return;
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    if (it->second.first == connection) {
      node_->handler().cancel_deferred(it->first);
      it = deferred_.erase(it);
    } else {
      ++it;
    }
  }
  connections_.erase(connection);
}

void SimBroker::deliver_ready(std::uint64_t connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  auto& c = it->second;
  for (auto& message : c.slots.take_ready()) {
    auto reply = c.replies.begin();  // responses leave in slot order: the oldest waiting reply
    auto flat = message.flatten();
    auto fn = std::move(reply->second);
    c.replies.erase(reply);
    if (flat && fn) fn(Bytes(flat->begin() + 4, flat->end()));  // without the size prefix
  }
}

void SimBroker::finish_deferred(bool at_deadline) {
  auto& handler = node_->handler();
  // At a deadline, poll even when nothing woke: time itself moves the group coordinator.
  if (!at_deadline && !handler.has_completions()) return;
  auto completed = handler.poll_deferred();  // group commit: the fsync happens in here
  if (died()) return;
  for (auto& done : completed) {
    auto it = deferred_.find(done.deferred_id);
    if (it == deferred_.end()) continue;
    auto [connection, slot] = it->second;
    deferred_.erase(it);
    auto c = connections_.find(connection);
    if (c == connections_.end()) continue;
    c->second.slots.fill(slot, std::move(done.response));
    deliver_ready(connection);
  }
}

void SimBroker::tick_logs(std::int64_t every_ms, std::int64_t until_ms, double power_cut_chance) {
  if (world_.now_ms() + every_ms > until_ms) return;
  world_.after(every_ms, "", [this, every_ms, until_ms, power_cut_chance] {
    if (node_) {
      if (power_cut_chance > 0 && world_.chance(power_cut_chance)) {
        world_.note(fmt::format("broker {}: a power cut is coming", id_));
        disk_.power_cut_after(world_.random(40));
      }
      (void)node_->logs().tick();  // a failing log goes offline; the scenario's checks see it
      if (!died()) service();
    }
    tick_logs(every_ms, until_ms, power_cut_chance);  // down or up, the ticks go on
  });
}

void SimBroker::schedule_background() {
  if (background_scheduled_ || background_.pending() == 0) return;
  background_scheduled_ = true;
  // Soon, but not at once: appends and other requests may come first, and a crash may
  // come in between.
  world_.at(world_.now_ms() + static_cast<std::int64_t>(world_.random(10)), "",
            [this, incarnation = incarnation_] {
              if (incarnation != incarnation_ || !node_) return;
              background_scheduled_ = false;
              background_.run_next();
              if (died()) return;
              service();
            });
}

void SimBroker::service(bool at_deadline) {
  if (!node_) return;
  finish_deferred(at_deadline);
  if (!node_) return;  // it died in there
  if (peers_) {
    node_->tick_replication();  // fetches to send, ISR checks that are due
    if (died()) return;
    peers_->pump();
    if (!node_) return;
  }
  schedule_background();
  // One timer event at the handler's next deadline, as the real server arms its timer.
  auto next = node_->handler().next_deadline_ms();
  if (auto r = node_->next_replication_deadline_ms(); r && (!next || *r < *next)) next = r;
  if (!next) return;
  const auto when = *next - (world_.clock().monotonic_ms() - world_.now_ms());  // in world time
  if (timer_at_ && *timer_at_ <= when) return;
  timer_at_ = when;
  world_.at(when, "", [this, incarnation = incarnation_] {
    if (incarnation != incarnation_ || !node_) return;  // armed before a crash
    timer_at_.reset();
    service(/*at_deadline=*/true);
  });
}

SimPeers::SimPeers(World& world, Network& net, int self, broker::PeerRequests& requests, Completions on_completions)
    : world_(world), net_(net), self_(self), requests_(&requests), on_completions_(std::move(on_completions)) {}

void SimPeers::pump() {
  using Kind = broker::PeerRequests::Action::Kind;
  if (!requests_) return;
  for (auto& action : requests_->take_actions()) {
    const int node = action.node;
    auto found = brokers_.find(node);
    if (found == brokers_.end()) throw std::logic_error(fmt::format("node {} is not known to the simulator", node));
    SimBroker& broker = *found->second;
    Link& link = links_[node];
    switch (action.kind) {
      case Kind::connect: {
        const auto generation = ++link.generation;
        link.connection = (static_cast<std::uint64_t>(self_) << 32) | next_connection_++;
        // SYN there, and SYN-ACK (or a refusal, from a machine whose broker is down) back.
        const bool sent = net_.send(self_, node, "connect", [this, node, generation, &broker] {
          const bool listening = broker.up();
          const bool back = net_.send(node, self_, listening ? "accept" : "refuse", [this, node, generation, listening] {
            if (!requests_ || links_[node].generation != generation) return;
            if (listening) requests_->on_connected(node);
            else requests_->on_disconnected(node);
            pump();
          });
          if (!back) broken(node, generation);
        });
        if (!sent) broken(node, generation);
        break;
      }
      case Kind::send: {
        const auto generation = link.generation;
        const auto connection = link.connection;
        Bytes frame(action.frame.begin() + 4, action.frame.end());  // the broker takes frames without the prefix
        const bool sent = net_.send(self_, node, "peer request", [this, node, generation, connection, &broker,
                                                                  frame = std::move(frame)]() mutable {
          broker.receive(connection, std::move(frame), [this, node, generation](Bytes response) {
            const bool back = net_.send(node, self_, "peer response", [this, node, generation, response] {
              if (!requests_ || links_[node].generation != generation) return;
              requests_->on_response(node, response);
              pump();
            });
            if (!back) broken(node, generation);
          });
        });
        if (!sent) broken(node, generation);
        break;
      }
      case Kind::disconnect: {
        ++link.generation;
        const auto connection = link.connection;
        net_.send(self_, node, "close", [connection, &broker] { broker.close(connection); });
        break;
      }
    }
  }
  if (requests_->has_completions()) on_completions_(requests_->take_completions());
  if (!requests_) return;  // its process died of what the completions made it do
  // The next timeout or reconnect: arm the timer, only ever earlier (a timer that fires
  // with nothing due re-arms itself).
  if (auto deadline = requests_->next_deadline_ms()) {
    const std::int64_t at = *deadline - (world_.clock().monotonic_ms() - world_.now_ms());
    if (!timer_at_ || at < *timer_at_) {
      timer_at_ = at;
      world_.at(at, "", [this, at] {
        if (!requests_ || timer_at_ != at) return;  // detached, or superseded by an earlier timer
        timer_at_.reset();
        requests_->tick();
        pump();
      });
    }
  }
}

void SimPeers::broken(int node, std::uint64_t generation) {
  // The sender learns of a lost message as a broken connection, shortly after.
  world_.after(1, "", [this, node, generation] {
    if (!requests_ || links_[node].generation != generation) return;
    reset(node);
  });
}

void SimPeers::reset(int node) {
  if (!requests_) return;
  Link& link = links_[node];
  ++link.generation;
  if (auto it = brokers_.find(node); it != brokers_.end()) it->second->close(link.connection);
  world_.note(fmt::format("peer {}: connection to {} broken", self_, node));
  requests_->on_disconnected(node);
  pump();
}

}  // namespace streamcraft::sim
