// generated from final/net/server.cpp; edit there
// net/server.cpp — accepting, reading, writing (with sendfile) and timers.
#include "net/server.h"

#include <sys/sendfile.h>

#include <csignal>
#include <cstring>
#include <deque>
#include <set>

#include <spdlog/spdlog.h>

namespace streamcraft::net {

using asio::ip::tcp;

// One client connection. Lives as long as a read or write on it is in flight.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server& server, broker::RequestHandler& handler, const broker::BrokerConfig& config)
      : socket_(std::move(socket)), server_(server), handler_(handler), config_(config),
        connection_(config.max_request_bytes) {
    std::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    peer_ = ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
    socket_.set_option(tcp::no_delay(true), ec);  // responses are whole messages: send them now
  }

  void start() { read(); }

  void close(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    if (!why.empty()) spdlog::warn("closing connection from {}: {}", peer_, why);
    std::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    server_.on_closed(*this);
  }

  // A deferred request of this connection finished.
  void fill(std::uint64_t id, std::uint64_t slot, protocol::OutMessage response) {
    deferred_ids_.erase(id);
    connection_.fill(slot, std::move(response));
    flush();
  }

  const std::set<std::uint64_t>& deferred_ids() const { return deferred_ids_; }
  std::size_t queued_requests() const { return connection_.open_slots() + outbox_.size(); }
  std::size_t queued_response_bytes() const { return outbox_bytes_; }
  bool paused() const { return !reading_ && !closed_; }

 private:
  // Backpressure (see server.h): the next read waits while too much is queued.
  bool over_limits() const {
    return queued_requests() >= config_.max_queued_requests || outbox_bytes_ >= config_.max_queued_response_bytes;
  }

  void continue_reading() {
    if (closed_ || reading_) return;
    if (!held_.empty() && !over_limits()) {
      std::vector<Bytes> frames(std::make_move_iterator(held_.begin()), std::make_move_iterator(held_.end()));
      held_.clear();
      on_frames(frames);  // may hold some of them again
    }
    if (closed_ || reading_ || !held_.empty() || over_limits()) return;  // write_next() resumes us as it drains
    read();
  }

  // Reads into the frame being received when much of it is still missing (a large
  // produce request then lands in its final buffer with no copy of ours), otherwise into
  // read_buffer_, which may hold the ends and beginnings of several small frames.
  void read() {
    reading_ = true;
    auto direct = connection_.direct_space();
    if (direct.size() >= kDirectReadMin) {
      socket_.async_read_some(asio::buffer(direct.data(), direct.size()),
                              [self = shared_from_this()](std::error_code ec, std::size_t n) {
                                self->reading_ = false;
                                if (ec) return self->close_after_read_error(ec);
                                std::vector<Bytes> frames;
                                if (auto frame = self->connection_.commit_direct(n)) frames.push_back(std::move(*frame));
                                self->on_frames(frames);
                                self->continue_reading();
                              });
      return;
    }
    socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
      self->reading_ = false;
      if (ec) return self->close_after_read_error(ec);
      auto frames = self->connection_.receive(ByteSpan(self->read_buffer_.data(), n));
      if (!frames) {
        // The peer broke the framing (an oversized or negative size): nothing it sends
        // after this can be trusted to start at a frame boundary.
        return self->close(frames.error().describe());
      }
      self->on_frames(*frames);
      self->continue_reading();
    });
  }

  void close_after_read_error(std::error_code ec) {
    close(ec == asio::error::eof || ec == asio::error::operation_aborted ? "" : ec.message());
  }

  void on_frames(std::vector<Bytes>& frames) {
    for (auto& frame : frames) {
      // One read can bring many small requests: past the limit they wait, already framed,
      // until responses drain (continue_reading), so the limit holds exactly.
      if (over_limits() || !held_.empty()) {
        held_.push_back(std::move(frame));
        continue;
      }
      auto slot = connection_.open_slot();
      auto outcome = handler_.handle(frame);
      switch (outcome.kind) {
        case broker::Outcome::Kind::respond: connection_.fill(slot, std::move(outcome.response)); break;
        case broker::Outcome::Kind::no_response: connection_.fill(slot, std::nullopt); break;
        case broker::Outcome::Kind::deferred:
          deferred_ids_.insert(outcome.deferred_id);
          server_.on_deferred(outcome.deferred_id, weak_from_this(), slot);
          break;
        case broker::Outcome::Kind::close_connection:
          close(outcome.reason);
          return;
      }
    }
    if (frames.empty()) return;
    flush();
    // A produce may have woken parked fetches (of any connection), a JoinGroup may have
    // completed others' waiting joins, and deadlines may have moved.
    server_.after_requests();
  }

  void flush() {
    for (auto& m : connection_.take_ready()) {
      outbox_bytes_ += memory_bytes(m);
      outbox_.push_back(std::move(m));
    }
    if (!writing_) write_next();
  }

  static std::size_t memory_bytes(const protocol::OutMessage& m) {
    std::size_t n = 0;
    for (const auto& part : m.parts())
      if (const auto* bytes = std::get_if<Bytes>(&part)) n += bytes->size();
    return n;
  }

  // Writes the front message part by part: bytes with async_write, file ranges with
  // sendfile(2) whenever the socket can take more.
  void write_next() {
    if (closed_) return;
    bool drained = false;
    while (!outbox_.empty() && part_ >= outbox_.front().parts().size()) {
      outbox_bytes_ -= memory_bytes(outbox_.front());
      outbox_.pop_front();
      part_ = 0;
      file_done_ = 0;
      drained = true;
    }
    if (drained) continue_reading();  // a connection paused by backpressure resumes here
    if (closed_) return;
    if (outbox_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    const auto& part = outbox_.front().parts()[part_];
    if (const auto* bytes = std::get_if<Bytes>(&part)) {
      asio::async_write(socket_, asio::buffer(*bytes), [self = shared_from_this()](std::error_code ec, std::size_t) {
        if (ec) return self->close(ec.message());
        ++self->part_;
        self->write_next();
      });
      return;
    }
    const auto& range = std::get<log::FileRange>(part);
    // A peer that has gone makes sendfile fail with EPIPE (SIGPIPE is ignored: server.h),
    // which closes this connection below and nothing else.
    while (file_done_ < range.size) {
      off_t offset = static_cast<off_t>(range.position + file_done_);
      ssize_t n = ::sendfile(socket_.native_handle(), range.file->native_handle(), &offset,
                             static_cast<std::size_t>(range.size - file_done_));
      if (n > 0) {
        file_done_ += static_cast<std::uint64_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](std::error_code ec) {
          if (ec) return self->close(ec.message());
          self->write_next();
        });
        return;
      }
      if (n < 0 && errno == EINTR) continue;
      return close(n == 0 ? "segment file shorter than the range being sent" : std::strerror(errno));
    }
    ++part_;
    file_done_ = 0;
    write_next();
  }

  tcp::socket socket_;
  Server& server_;
  broker::RequestHandler& handler_;
  const broker::BrokerConfig& config_;
  broker::Connection connection_;
  // Small frames arrive many to a read; big ones are read in place (see read()).
  static constexpr std::size_t kDirectReadMin = 64 * 1024;
  std::vector<std::byte> read_buffer_ = std::vector<std::byte>(64 * 1024);
  std::deque<Bytes> held_;  // frames read but not handled yet: backpressure (at most one read's worth)
  std::deque<protocol::OutMessage> outbox_;
  std::size_t outbox_bytes_ = 0;  // the in-memory parts of outbox_ (file ranges are not in memory)
  std::size_t part_ = 0;
  std::uint64_t file_done_ = 0;
  bool writing_ = false;
  bool reading_ = false;  // a read is in flight
  bool closed_ = false;
  std::string peer_;
  std::set<std::uint64_t> deferred_ids_;  // this connection's requests still deferred
};

Server::Server(asio::io_context& io, const broker::BrokerConfig& config, broker::RequestHandler& handler,
               broker::LogManager& logs, const Clock& clock)
    : config_(config), handler_(handler), logs_(logs), clock_(clock), acceptor_(io), timer_(io) {}

Server::~Server() = default;

Status Server::start() {
  std::error_code ec;
  auto address = asio::ip::make_address(config_.listener.host, ec);
  if (ec) return make_error(Errc::invalid_config, "listener host " + config_.listener.host + ": " + ec.message());
  tcp::endpoint endpoint(address, config_.listener.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(Errc::invalid_config, fmt::format("cannot listen on {}:{}: {}", config_.listener.host,
                                                         config_.listener.port, ec.message()));
  port_ = acceptor_.local_endpoint().port();
  // See server.h: no write to a vanished peer may raise a signal that ends the process.
  std::signal(SIGPIPE, SIG_IGN);
  handler_.set_advertised(config_.advertised ? config_.advertised->host
                          : config_.listener.host == "0.0.0.0" ? std::string("127.0.0.1")
                                                               : config_.listener.host,
                          config_.advertised ? config_.advertised->port : port_);
  accept();
  next_logs_tick_ms_ = clock_.monotonic_ms() + 1000;
  arm_timer();
  return {};
}

void Server::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::error_code ec;
  acceptor_.close(ec);
  timer_.cancel();
  auto sessions = sessions_;
  for (auto& [ptr, weak] : sessions)
    if (auto s = weak.lock()) s->close("");
}

void Server::accept() {
  acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), *this, handler_, config_);
      sessions_.emplace(session.get(), session);
      session->start();
    } else {
      spdlog::warn("accept failed: {}", ec.message());
    }
    accept();
  });
}

void Server::on_deferred(std::uint64_t id, std::weak_ptr<Session> session, std::uint64_t slot) {
  waiting_.emplace(id, Waiting{std::move(session), slot});
}

void Server::on_closed(Session& session) {
  for (auto id : session.deferred_ids()) {
    handler_.cancel_deferred(id);
    waiting_.erase(id);
  }
  sessions_.erase(&session);
}

Server::Stats Server::stats() const {
  Stats st;
  for (const auto& [ptr, weak] : sessions_) {
    auto s = weak.lock();
    if (!s) continue;
    ++st.connections;
    st.queued_requests += s->queued_requests();
    st.queued_response_bytes += s->queued_response_bytes();
    st.deferred_tracked += s->deferred_ids().size();
    st.paused_connections += s->paused() ? 1 : 0;
  }
  return st;
}

void Server::after_requests() {
  if (handler_.has_completions()) complete_deferred();
  arm_timer();
}

void Server::complete_deferred() {
  for (auto& done : handler_.poll_deferred()) {
    auto it = waiting_.find(done.deferred_id);
    if (it == waiting_.end()) continue;
    if (auto s = it->second.session.lock()) s->fill(done.deferred_id, it->second.slot, std::move(done.response));
    waiting_.erase(it);
  }
}

void Server::arm_timer() {
  if (stopped_) return;
  std::int64_t at = next_logs_tick_ms_;
  if (auto d = handler_.next_deadline_ms()) at = std::min(at, *d);
  // Re-arming cancels the armed wait, so only move the timer earlier, never later: a
  // timer that fires early finds nothing due and arms itself again.
  if (timer_at_ms_ && *timer_at_ms_ <= at) return;
  timer_at_ms_ = at;
  timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, at - clock_.monotonic_ms())));
  timer_.async_wait([this](std::error_code ec) {
    if (ec == asio::error::operation_aborted || stopped_) return;  // re-armed, or stopping
    timer_at_ms_.reset();
    on_timer();
  });
}

void Server::on_timer() {
  // Deadlines: long polls whose wait is over, group sessions and rebalances that timed out.
  complete_deferred();
  // Once a second: the logs' flush policy, retention, compaction.
  if (clock_.monotonic_ms() >= next_logs_tick_ms_) {
    next_logs_tick_ms_ = clock_.monotonic_ms() + 1000;
    if (auto s = logs_.tick(); !s) spdlog::error("log maintenance: {}", s.error().describe());
  }
  arm_timer();
}

}  // namespace streamcraft::net
