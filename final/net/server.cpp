// net/server.cpp — accepting, reading, writing (with sendfile) and timers, for any Service.
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
  Session(tcp::socket socket, ConnectionId id, Server& server, Service& service, const ServerOptions& options)
      : socket_(std::move(socket)), id_(id), server_(server), service_(service), options_(options),
        connection_(options.max_frame_bytes) {
    std::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    peer_host_ = ec ? "?" : remote.address().to_string();
    peer_ = ec ? "?" : peer_host_ + ":" + std::to_string(remote.port());
    socket_.set_option(tcp::no_delay(true), ec);  // responses are whole messages: send them now
  }

  ConnectionId id() const { return id_; }
  const std::string& peer_host() const { return peer_host_; }

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

  // A message the client did not ask for. The responses ready now go first, then the
  // push, then whatever is ready later: the outbox holds whole messages and write_next()
  // finishes one before it starts the next, so a push never lands inside a response.
  // It does not wait for this connection's deferred requests (their slots are still
  // open): a ZooKeeper client gets a watch event as soon as it happens.
  void push(protocol::OutMessage message) {
    if (closed_) return;
    flush_ready();
    outbox_bytes_ += memory_bytes(message);
    outbox_.push_back(Outgoing{std::move(message), /*push=*/true});
    ++outbox_pushes_;
    if (!writing_) write_next();
  }

  // Closes once everything queued now is written; reads and handles nothing more.
  void close_after_writes(std::string why) {
    if (closed_) return;
    flush_ready();
    closing_ = true;
    closing_reason_ = std::move(why);
    if (!writing_) write_next();
  }

  const std::set<std::uint64_t>& deferred_ids() const { return deferred_ids_; }
  // Requests without a written response: open slots and responses in the outbox (not pushes).
  std::size_t queued_requests() const { return connection_.open_slots() + outbox_.size() - outbox_pushes_; }
  std::size_t queued_response_bytes() const { return outbox_bytes_; }
  bool paused() const { return !reading_ && !closed_; }

 private:
  // Backpressure (see server.h): the next read waits while too much is queued.
  bool over_limits() const {
    return queued_requests() >= options_.max_queued_requests || outbox_bytes_ >= options_.max_queued_response_bytes;
  }

  void continue_reading() {
    if (closed_ || reading_ || closing_) return;
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
      if (self->closing_) return;
      if (!self->seen_bytes_ && n >= 4) {
        // A plain-text command instead of a first frame (see Service::answer_unframed).
        // Clients send one in a single write, so the first read holds all four bytes.
        if (auto answer = self->service_.answer_unframed(self->id_, ByteSpan(self->read_buffer_.data(), 4))) {
          protocol::OutMessage m;
          m.bytes() = std::move(*answer);
          self->outbox_bytes_ += m.size();
          self->outbox_.push_back(Outgoing{std::move(m), /*push=*/true});
          ++self->outbox_pushes_;
          self->close_after_writes("");
          return;
        }
      }
      self->seen_bytes_ = self->seen_bytes_ || n > 0;
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
    if (closing_) return;  // the service is done with this connection
    for (auto& frame : frames) {
      // One read can bring many small requests: past the limit they wait, already framed,
      // until responses drain (continue_reading), so the limit holds exactly.
      if (over_limits() || !held_.empty()) {
        held_.push_back(std::move(frame));
        continue;
      }
      auto slot = connection_.open_slot();
      auto outcome = service_.handle(id_, frame);
      switch (outcome.kind) {
        case Outcome::Kind::respond: connection_.fill(slot, std::move(outcome.response)); break;
        case Outcome::Kind::no_response: connection_.fill(slot, std::nullopt); break;
        case Outcome::Kind::deferred:
          deferred_ids_.insert(outcome.deferred_id);
          server_.on_deferred(outcome.deferred_id, weak_from_this(), slot);
          break;
        case Outcome::Kind::close_connection:
          close(outcome.reason);
          return;
      }
      if (closing_) break;  // a CloseAfterWrites from the service while handling
    }
    if (frames.empty()) return;
    flush();
    // A request may have completed deferred ones of any connection (in Kafka a produce
    // wakes parked fetches, a JoinGroup completes others' waiting joins) or caused pushes
    // (a ZooKeeper write fires watches), and deadlines may have moved.
    server_.after_requests();
  }

  void flush() {
    flush_ready();
    if (!writing_) write_next();
  }

  // Moves the responses that may leave now (in slot order) to the outbox.
  void flush_ready() {
    for (auto& m : connection_.take_ready()) {
      outbox_bytes_ += memory_bytes(m);
      outbox_.push_back(Outgoing{std::move(m), /*push=*/false});
    }
  }

  static std::size_t memory_bytes(const protocol::OutMessage& m) {
    std::size_t n = 0;
    for (const auto& part : m.parts())
      if (const auto* bytes = std::get_if<Bytes>(&part)) n += bytes->size();
    return n;
  }

  // Writes the outbox front first: runs of in-memory parts — of as many queued messages
  // as there are, up to kMaxGather — with one gathered async_write, file ranges with
  // sendfile(2) whenever the socket can take more.
  //
  // Why gather: a service that answers many requests at once (keeper's group commit
  // releases every reply of a batch after one fsync) would otherwise send them one write
  // and one turn of the event loop each; the client then sees its replies trickle in and
  // sends its next requests one at a time, so the next batch holds one request and costs
  // one fsync of its own. One write for the lot keeps batches large.
  void write_next() {
    if (closed_) return;
    bool drained = false;
    while (!outbox_.empty() && part_ >= outbox_.front().message.parts().size()) {
      pop_front_message();
      drained = true;
    }
    if (drained) continue_reading();  // a connection paused by backpressure resumes here
    if (closed_) return;
    if (outbox_.empty()) {
      writing_ = false;
      if (closing_) close(closing_reason_);
      return;
    }
    writing_ = true;
    const auto& part = outbox_.front().message.parts()[part_];
    if (std::holds_alternative<Bytes>(part)) {
      // The buffers point into messages of outbox_, which stay where they are until this
      // write completes: only write_next removes messages, and a deque's push_back does
      // not move the others.
      std::vector<asio::const_buffer> buffers;
      std::size_t message = 0, index = part_;
      while (message < outbox_.size() && buffers.size() < kMaxGather) {
        const auto& parts = outbox_[message].message.parts();
        if (index >= parts.size()) {
          ++message;
          index = 0;
          continue;
        }
        const auto* bytes = std::get_if<Bytes>(&parts[index]);
        if (!bytes) break;  // a file range: sendfile, after these
        buffers.push_back(asio::buffer(*bytes));
        ++index;
      }
      asio::async_write(socket_, buffers, [self = shared_from_this(), n = buffers.size()](std::error_code ec, std::size_t) {
        if (ec) return self->close(ec.message());
        self->skip_parts(n);
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

  // Moves past `n` written parts, which may span several messages; write_next then
  // removes the messages they completed.
  void skip_parts(std::size_t n) {
    bool drained = false;
    while (n > 0) {
      if (part_ >= outbox_.front().message.parts().size()) {
        pop_front_message();
        drained = true;
        continue;
      }
      ++part_;
      --n;
    }
    if (drained) continue_reading();
  }

  void pop_front_message() {
    outbox_bytes_ -= memory_bytes(outbox_.front().message);
    if (outbox_.front().push) --outbox_pushes_;
    outbox_.pop_front();
    part_ = 0;
    file_done_ = 0;
  }

  // The most parts one write gathers (Linux's IOV_MAX is 1024).
  static constexpr std::size_t kMaxGather = 256;

  tcp::socket socket_;
  const ConnectionId id_;
  Server& server_;
  Service& service_;
  const ServerOptions& options_;
  broker::Connection connection_;
  // Small frames arrive many to a read; big ones are read in place (see read()).
  static constexpr std::size_t kDirectReadMin = 64 * 1024;
  std::vector<std::byte> read_buffer_ = std::vector<std::byte>(64 * 1024);
  std::deque<Bytes> held_;  // frames read but not handled yet: backpressure (at most one read's worth)
  struct Outgoing {
    protocol::OutMessage message;
    bool push = false;  // unsolicited (Session::push), not the response to a request
  };
  std::deque<Outgoing> outbox_;  // whole messages, written front first
  std::size_t outbox_bytes_ = 0;  // the in-memory parts of outbox_ (file ranges are not in memory)
  std::size_t outbox_pushes_ = 0;  // how many of outbox_ are pushes
  std::size_t part_ = 0;
  std::uint64_t file_done_ = 0;
  bool writing_ = false;
  bool reading_ = false;  // a read is in flight
  bool closed_ = false;
  bool closing_ = false;         // close_after_writes: closes when the outbox is empty
  std::string closing_reason_;
  bool seen_bytes_ = false;      // the first bytes have been read (answer_unframed is asked once)
  std::string peer_;       // host:port, for the log
  std::string peer_host_;  // the IP address, for the service (Kafka shows it as a group member's host)
  std::set<std::uint64_t> deferred_ids_;  // this connection's requests still deferred
};

Server::Server(asio::io_context& io, ServerOptions options, Service& service, const Clock& clock)
    : options_(std::move(options)), service_(service), clock_(clock), acceptor_(io), timer_(io) {}

Server::~Server() = default;

Status Server::start() {
  std::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return make_error(Errc::invalid_config, "listener host " + options_.host + ": " + ec.message());
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(Errc::invalid_config,
                      fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, ec.message()));
  port_ = acceptor_.local_endpoint().port();
  // See server.h: no write to a vanished peer may raise a signal that ends the process.
  std::signal(SIGPIPE, SIG_IGN);
  service_.on_listening(options_.host, port_);
  accept();
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
  for (auto& [id, weak] : sessions)
    if (auto s = weak.lock()) s->close("");
}

void Server::accept() {
  acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (!ec) {
      auto session = std::make_shared<Session>(std::move(socket), next_connection_++, *this, service_, options_);
      sessions_.emplace(session->id(), session);
      service_.on_open(session->id(), session->peer_host());
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
  for (auto id : session.deferred_ids()) waiting_.erase(id);
  sessions_.erase(session.id());
  // The service forgets the connection's deferred requests (a parked fetch of a consumer
  // that went away must not be answered, nor keep its partition's wake-up list growing).
  service_.on_close(session.id());
}

Server::Stats Server::stats() const {
  Stats st;
  for (const auto& [id, weak] : sessions_) {
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
  if (service_.has_completions()) complete_deferred();
  arm_timer();
}

void Server::complete_deferred() {
  for (auto& done : service_.poll()) {
    if (auto* completed = std::get_if<Completed>(&done)) {
      auto it = waiting_.find(completed->deferred_id);
      if (it == waiting_.end()) continue;  // its connection closed meanwhile
      if (auto s = it->second.session.lock())
        s->fill(completed->deferred_id, it->second.slot, std::move(completed->response));
      waiting_.erase(it);
      continue;
    }
    if (auto* close = std::get_if<CloseAfterWrites>(&done)) {
      auto it = sessions_.find(close->connection);
      if (it == sessions_.end()) continue;
      if (auto s = it->second.lock()) s->close_after_writes(std::move(close->reason));
      continue;
    }
    auto& push = std::get<Push>(done);
    auto it = sessions_.find(push.connection);
    if (it == sessions_.end()) continue;  // closed: nobody to tell
    if (auto s = it->second.lock()) s->push(std::move(push.message));
  }
}

void Server::arm_timer() {
  if (stopped_) return;
  auto at = service_.next_tick_ms();
  if (auto d = service_.next_deadline_ms()) at = at ? std::min(*at, *d) : *d;
  if (!at) return;  // nothing is due at any time: the next request arms the timer if needed
  // Re-arming cancels the armed wait, so only move the timer earlier, never later: a
  // timer that fires early finds nothing due and arms itself again.
  if (timer_at_ms_ && *timer_at_ms_ <= *at) return;
  timer_at_ms_ = *at;
  timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, *at - clock_.monotonic_ms())));
  timer_.async_wait([this](std::error_code ec) {
    if (ec == asio::error::operation_aborted || stopped_) return;  // re-armed, or stopping
    timer_at_ms_.reset();
    on_timer();
  });
}

void Server::on_timer() {
  // Deadlines: in Kafka, long polls whose wait is over, group sessions and rebalances
  // that timed out.
  complete_deferred();
  // Periodic maintenance (the broker's once a second: flush policy, retention, compaction).
  const auto now = clock_.monotonic_ms();
  if (auto due = service_.next_tick_ms(); due && now >= *due) {
    service_.tick(now);
    // Maintenance may have finished deferred work or caused pushes (a keeper's expired
    // session fires watches): send them now rather than at the next event.
    if (service_.has_completions()) complete_deferred();
  }
  arm_timer();
}

}  // namespace streamcraft::net
