// generated from tests/net/generic_server_test.cpp; edit there
// net/generic_server_test.cpp — net::Server knows no Kafka: it serves any framed protocol.
//
// The service here is a tiny text protocol of its own (each frame a command, each answer
// upper-cased), with everything a protocol can ask of the server: answers in request
// order, a request answered later (deferred) by another connection's request or by the
// timer, pushes to a connection that asked nothing (like a ZooKeeper watch event), a
// multi-part answer sent partly with sendfile(2), closing one connection on request,
// periodic ticks. The server runs on a background thread on 127.0.0.1 and a free port;
// the clients are plain blocking sockets whose every read waits at most 30 seconds,
// and every loop is bounded in count and time.
#include <catch2/catch.hpp>

#include <poll.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <future>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <fmt/format.h>

#include "common/clock.h"
#include "log/file.h"
#include "net/server.h"
#include "net/service.h"
#include "support/temp_dir.h"

using namespace streamcraft;
using asio::ip::tcp;

namespace {

protocol::OutMessage frame_of(std::string_view text) {
  protocol::OutMessage m;
  auto& b = m.bytes();
  b.resize(4);  // the size prefix, written last
  for (char c : text) b.push_back(static_cast<std::byte>(c));
  m.write_size_prefix();
  return m;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The protocol: "echo X" answers X upper-cased; "hold X" answers it once some connection
// says "release"; "after MS X" answers it MS milliseconds later; "watch" makes the
// connection receive "event X" whenever some connection says "poke X"; "file" answers
// "FILE[" + the big file + "]"; "count" answers what the service has seen; "bye" closes.
class ShoutService final : public net::Service {
 public:
  ShoutService(const Clock& clock, std::int64_t tick_every_ms) : clock_(clock), tick_every_ms_(tick_every_ms) {
    if (tick_every_ms_ > 0) next_tick_ = clock_.monotonic_ms() + tick_every_ms_;
  }

  // Read by the test only after the server's thread has stopped, or through "count".
  std::string listening;
  std::vector<net::ConnectionId> opened;
  std::vector<net::ConnectionId> closed;
  std::set<std::string> peer_hosts;
  int ticks = 0;
  std::optional<log::FileRange> big;

  void on_listening(const std::string& host, std::uint16_t port) override { listening = fmt::format("{}:{}", host, port); }
  void on_open(net::ConnectionId conn, const std::string& peer_host) override {
    opened.push_back(conn);
    peer_hosts.insert(peer_host);
  }

  net::Outcome handle(net::ConnectionId conn, MutableByteSpan frame) override {
    const std::string text(reinterpret_cast<const char*>(frame.data()), frame.size());
    const auto space = text.find(' ');
    const std::string verb = text.substr(0, space);
    const std::string arg = space == std::string::npos ? "" : text.substr(space + 1);
    if (verb == "echo") return respond(upper(arg));
    if (verb == "hold") {
      held_.emplace(next_id_, Waiting{conn, upper(arg), 0});
      return deferred(next_id_++);
    }
    if (verb == "after") {
      const auto gap = arg.find(' ');
      const auto wait_ms = std::stoll(arg.substr(0, gap));
      timed_.emplace(next_id_, Waiting{conn, upper(arg.substr(gap + 1)), clock_.monotonic_ms() + wait_ms});
      return deferred(next_id_++);
    }
    if (verb == "release") {
      for (auto& [id, w] : held_) ready_.emplace_back(net::Completed{id, frame_of(w.answer)});
      held_.clear();
      return respond("released");
    }
    if (verb == "watch") {
      watchers_.insert(conn);
      return respond("watching");
    }
    if (verb == "poke") {
      for (auto w : watchers_) ready_.emplace_back(net::Push{w, frame_of("event " + arg)});
      return respond("poked");
    }
    if (verb == "file" && big) {
      // Three parts: bytes, a file range (sendfile), bytes. A push must not come between them.
      protocol::OutMessage m;
      auto& head = m.bytes();
      head.resize(4);
      for (char c : std::string("FILE[")) head.push_back(static_cast<std::byte>(c));
      m.append_file(*big);
      m.bytes().push_back(static_cast<std::byte>(']'));
      m.write_size_prefix();
      net::Outcome o;
      o.response = std::move(m);
      return o;
    }
    if (verb == "goodbye") {
      // Answered, and then the connection closes once that answer is written.
      ready_.emplace_back(net::Completed{next_id_, frame_of(upper(arg))});
      ready_.emplace_back(net::CloseAfterWrites{conn, ""});
      return deferred(next_id_++);
    }
    if (verb == "count")
      return respond(fmt::format("open={} closed={} held={} timed={} watchers={} ticks={}", opened.size(),
                                 closed.size(), held_.size(), timed_.size(), watchers_.size(), ticks));
    net::Outcome o;
    o.kind = net::Outcome::Kind::close_connection;
    o.reason = verb == "bye" ? "the client said bye" : "unknown command " + verb;
    return o;
  }

  // Plain text instead of a first frame, as ZooKeeper's four-letter words come.
  std::optional<Bytes> answer_unframed(net::ConnectionId, ByteSpan first_four) override {
    if (std::string_view(reinterpret_cast<const char*>(first_four.data()), 4) != "ruok") return std::nullopt;
    const std::string_view imok = "imok";
    return Bytes(reinterpret_cast<const std::byte*>(imok.data()), reinterpret_cast<const std::byte*>(imok.data()) + 4);
  }

  void on_close(net::ConnectionId conn) override {
    closed.push_back(conn);
    std::erase_if(held_, [conn](const auto& kv) { return kv.second.conn == conn; });
    std::erase_if(timed_, [conn](const auto& kv) { return kv.second.conn == conn; });
    watchers_.erase(conn);
  }

  bool has_completions() const override { return !ready_.empty(); }

  std::vector<net::Completion> poll() override {
    auto out = std::move(ready_);
    ready_.clear();
    const auto now = clock_.monotonic_ms();
    for (auto it = timed_.begin(); it != timed_.end();) {
      if (it->second.deadline_ms > now) {
        ++it;
        continue;
      }
      out.emplace_back(net::Completed{it->first, frame_of(it->second.answer)});
      it = timed_.erase(it);
    }
    return out;
  }

  std::optional<std::int64_t> next_deadline_ms() const override {
    std::optional<std::int64_t> at;
    for (const auto& kv : timed_) at = at ? std::min(*at, kv.second.deadline_ms) : kv.second.deadline_ms;
    return at;
  }

  std::optional<std::int64_t> next_tick_ms() const override { return next_tick_; }
  void tick(std::int64_t now_ms) override {
    ++ticks;
    next_tick_ = now_ms + tick_every_ms_;
  }

 private:
  struct Waiting {
    net::ConnectionId conn;
    std::string answer;
    std::int64_t deadline_ms;  // "after" only
  };
  static net::Outcome respond(std::string_view text) {
    net::Outcome o;
    o.response = frame_of(text);
    return o;
  }
  static net::Outcome deferred(std::uint64_t id) {
    net::Outcome o;
    o.kind = net::Outcome::Kind::deferred;
    o.deferred_id = id;
    return o;
  }

  const Clock& clock_;
  const std::int64_t tick_every_ms_;
  std::optional<std::int64_t> next_tick_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Waiting> held_;
  std::map<std::uint64_t, Waiting> timed_;
  std::set<net::ConnectionId> watchers_;
  std::vector<net::Completion> ready_;
};

// The server on its own thread, as a program runs it.
class ServerThread {
 public:
  ServerThread(net::Service& service, net::ServerOptions options) : server_(io_, std::move(options), service, clock_) {
    auto started = server_.start();
    REQUIRE(started.ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerThread() { stop(); }

  std::uint16_t port() const { return server_.port(); }
  // The server is not thread-safe: look inside it on its own thread.
  net::Server::Stats stats() {
    std::packaged_task<net::Server::Stats()> task([this] { return server_.stats(); });
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }
  // Closes every connection and waits for the thread: the service may then be read.
  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { server_.stop(); });
    thread_.join();
  }

 private:
  SystemClock clock_;
  asio::io_context io_;
  net::Server server_;
  std::thread thread_;
};

// A blocking client whose reads give up after a while (30 s for a frame, 10 s for a close).
class Client {
 public:
  explicit Client(std::uint16_t port, int receive_buffer = 0) : socket_(io_) {
    socket_.open(tcp::v4());
    if (receive_buffer > 0) socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  // Sends the frames in one write: the server may read them all at once (pipelining).
  void send(std::initializer_list<std::string_view> frames) {
    std::string out;
    for (auto f : frames) {
      Bytes prefix(4);
      store_be<std::int32_t>(prefix.data(), static_cast<std::int32_t>(f.size()));
      out.append(reinterpret_cast<const char*>(prefix.data()), 4);
      out.append(f);
    }
    asio::write(socket_, asio::buffer(out));
  }

  // The next whole frame; kNothing if the server closed the connection or nothing came in time.
  static constexpr const char* kNothing = "(nothing: closed, or not in time)";
  std::string next() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (int reads = 0; reads < 100'000; ++reads) {
      if (pending_.size() >= 4) {
        const auto size = static_cast<std::size_t>(load_be<std::int32_t>(reinterpret_cast<const std::byte*>(pending_.data())));
        if (pending_.size() >= 4 + size) {
          auto frame = pending_.substr(4, size);
          pending_.erase(0, 4 + size);
          return frame;
        }
      }
      if (!read_more(deadline)) return kNothing;
    }
    return kNothing;
  }

  // Raw bytes, no frame.
  void send_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }
  // Everything the server sends until it closes the connection.
  std::string until_closed() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (int reads = 0; reads < 1000; ++reads)
      if (!read_more(deadline)) break;
    return eof_ ? std::exchange(pending_, {}) : kNothing;
  }

  // True if the server closes the connection (end of stream) without sending anything more.
  bool closed_by_server() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (int reads = 0; reads < 1000 && pending_.empty(); ++reads)
      if (!read_more(deadline)) return eof_ && pending_.empty();
    return false;
  }

 private:
  bool read_more(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd pfd{socket_.native_handle(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
    std::array<char, 64 * 1024> buf{};
    std::error_code ec;
    const auto n = socket_.read_some(asio::buffer(buf), ec);
    if (ec) {
      // A reset is a close too (the server had not read everything this client sent).
      eof_ = ec == asio::error::eof || ec == asio::error::connection_reset;
      return false;
    }
    pending_.append(buf.data(), n);
    return true;
  }

  asio::io_context io_;
  tcp::socket socket_;
  std::string pending_;
  bool eof_ = false;
};

}  // namespace

TEST_CASE("the generic server answers in request order and sends a push between whole responses", "[ch02][net]") {
  test::TempDir dir;
  // 8 MiB: more than the socket buffers hold, so the answer is still being written
  // (with sendfile) when the push for that connection arrives.
  std::string content(8 << 20, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>('a' + (i * 7) % 26);
  auto file = log::posix_file_system().open(dir / "big", log::OpenMode::read_write);
  REQUIRE(file.ok());
  REQUIRE((*file)->append(ByteSpan(reinterpret_cast<const std::byte*>(content.data()), content.size())).ok());
  std::shared_ptr<const log::File> shared = std::move(*file);

  SystemClock clock;
  ShoutService service(clock, /*tick_every_ms=*/0);
  service.big = log::FileRange{shared, 0, content.size()};
  net::ServerOptions options;
  options.port = 0;
  ServerThread server(service, options);

  Client a(server.port());
  a.send({"watch"});
  REQUIRE(a.next() == "watching");
  // Pipelined: the second is deferred, and the third waits behind it.
  a.send({"echo one", "hold two", "echo three"});
  CHECK(a.next() == "ONE");

  // Another connection pokes (a push to a) and then releases the held request.
  Client b(server.port());
  b.send({"poke ping"});
  CHECK(b.next() == "poked");
  b.send({"release"});
  CHECK(b.next() == "released");
  // The push went out as soon as it happened, after the response already sent and before
  // the deferred one; the response behind the deferred one waited for it.
  CHECK(a.next() == "event ping");
  CHECK(a.next() == "TWO");
  CHECK(a.next() == "THREE");

  // A big three-part answer that the client is slow to read, and a push for the same
  // connection while it is on its way: the push comes after the whole answer.
  Client slow(server.port(), /*receive_buffer=*/4096);
  slow.send({"watch"});
  REQUIRE(slow.next() == "watching");
  slow.send({"file"});
  b.send({"poke big"});
  CHECK(b.next() == "poked");
  const auto answer = slow.next();
  REQUIRE(answer.size() == content.size() + 6);
  CHECK(answer.substr(0, 5) == "FILE[");
  CHECK(answer.back() == ']');
  CHECK(answer.compare(5, content.size(), content) == 0);
  CHECK(slow.next() == "event big");
  CHECK(a.next() == "event big");

  CHECK(server.stats().connections == 3);
  server.stop();
  CHECK(service.listening == fmt::format("127.0.0.1:{}", server.port()));
  CHECK(service.peer_hosts == std::set<std::string>{"127.0.0.1"});
  CHECK(service.opened.size() == 3);
}

TEST_CASE("a close outcome closes only its connection and the service forgets it", "[ch02][net]") {
  SystemClock clock;
  ShoutService service(clock, /*tick_every_ms=*/0);
  ServerThread server(service, net::ServerOptions{});

  Client a(server.port());
  a.send({"echo hello"});
  REQUIRE(a.next() == "HELLO");
  Client c(server.port());
  c.send({"watch"});
  REQUIRE(c.next() == "watching");
  // A deferred request, then a request the service answers by closing the connection.
  c.send({"hold lost", "bye"});
  CHECK(c.closed_by_server());

  // The other connection is served as before; the service was told, and dropped the
  // closed connection's deferred request and watch.
  a.send({"count"});
  CHECK(a.next() == "open=2 closed=1 held=0 timed=0 watchers=0 ticks=0");
  a.send({"release", "poke anyone", "echo still"});
  CHECK(a.next() == "released");
  CHECK(a.next() == "poked");
  CHECK(a.next() == "STILL");
  auto st = server.stats();
  CHECK(st.connections == 1);
  CHECK(st.deferred_tracked == 0);

  // Stopping closes the rest: on_close once for every connection opened.
  server.stop();
  REQUIRE(service.opened.size() == 2);
  REQUIRE(service.closed.size() == 2);
  CHECK(service.closed[0] == service.opened[1]);
  CHECK(service.closed[1] == service.opened[0]);
}

TEST_CASE("the generic server's timer answers at the service's deadline and runs its ticks", "[ch02][net]") {
  SystemClock clock;
  ShoutService service(clock, /*tick_every_ms=*/5);
  ServerThread server(service, net::ServerOptions{});

  Client a(server.port());
  const auto sent = std::chrono::steady_clock::now();
  a.send({"after 40 late", "echo next"});
  CHECK(a.next() == "LATE");
  const auto waited = std::chrono::steady_clock::now() - sent;
  // Not before its deadline (less 1 ms: the clock counts whole milliseconds).
  CHECK(waited >= std::chrono::milliseconds(39));
  CHECK(a.next() == "NEXT");
  // A tick was due every 5 ms since the start: some ran while the answer waited.
  a.send({"count"});
  const auto count = a.next();
  CHECK(count.starts_with("open=1 closed=0 held=0 timed=0 watchers=0 ticks="));
  CHECK_FALSE(count.ends_with("ticks=0"));
}

TEST_CASE("a service can answer plain text before any frame and close a connection after its last answer", "[ch02][net]") {
  SystemClock clock;
  ShoutService service(clock, /*tick_every_ms=*/0);
  ServerThread server(service, net::ServerOptions{});

  // Four bytes that are not a size prefix: the service's text, then the close.
  Client word(server.port());
  word.send_raw("ruok");
  CHECK(word.until_closed() == "imok");
  // Any other first bytes are a frame's size, as before.
  Client framed(server.port());
  framed.send({"echo framed"});
  CHECK(framed.next() == "FRAMED");

  // Answered, then closed: what was queued before the close is all written first.
  Client leaving(server.port());
  leaving.send({"echo first", "goodbye last"});
  CHECK(leaving.next() == "FIRST");
  CHECK(leaving.next() == "LAST");
  CHECK(leaving.closed_by_server());
  framed.send({"count"});
  CHECK(framed.next().starts_with("open=3 closed=2"));
  server.stop();
}
