// consensus/messages.cpp — encoding and checked decoding of Raft's messages.
#include "consensus/messages.h"

#include <fmt/format.h>

namespace streamcraft::consensus {

namespace {

enum Type : std::int8_t { vote_request = 1, vote_reply = 2, append_request = 3, append_reply = 4, snapshot_request = 5 };

void write_data(Writer& w, const Bytes& data) {
  w.write_be<std::int32_t>(static_cast<std::int32_t>(data.size()));
  w.write_bytes(data);
}

struct Encoder {
  Writer& w;
  void operator()(const VoteRequest& m) {
    w.write_be<std::int64_t>(m.term);
    w.write_be<std::int64_t>(m.last_index);
    w.write_be<std::int64_t>(m.last_term);
    w.write_be<std::int8_t>(m.pre_vote ? 1 : 0);
  }
  void operator()(const VoteReply& m) {
    w.write_be<std::int64_t>(m.term);
    w.write_be<std::int8_t>(m.granted ? 1 : 0);
    w.write_be<std::int8_t>(m.pre_vote ? 1 : 0);
  }
  void operator()(const AppendRequest& m) {
    w.write_be<std::int64_t>(m.term);
    w.write_be<std::int64_t>(m.prev_index);
    w.write_be<std::int64_t>(m.prev_term);
    w.write_be<std::int32_t>(static_cast<std::int32_t>(m.entries.size()));
    for (const auto& e : m.entries) {
      w.write_be<std::int64_t>(e.term);
      write_data(w, e.data);
    }
    w.write_be<std::int64_t>(m.commit);
  }
  void operator()(const AppendReply& m) {
    w.write_be<std::int64_t>(m.term);
    w.write_be<std::int8_t>(m.success ? 1 : 0);
    w.write_be<std::int64_t>(m.match_index);
    w.write_be<std::int64_t>(m.retry_from);
  }
  void operator()(const SnapshotRequest& m) {
    w.write_be<std::int64_t>(m.term);
    w.write_be<std::int64_t>(m.index);
    w.write_be<std::int64_t>(m.last_term);
    write_data(w, m.data);
  }
};

Error corrupt(std::string_view what) { return make_error(Errc::corrupt_message, fmt::format("peer message: {}", what)); }

std::optional<bool> read_bool(Reader& r) {
  auto b = r.read_be<std::int8_t>();
  if (!b || (*b != 0 && *b != 1)) return std::nullopt;
  return *b == 1;
}

std::optional<Bytes> read_data(Reader& r) {
  auto n = r.read_be<std::int32_t>();
  // A length is checked against the bytes left before anything is allocated.
  if (!n || *n < 0 || static_cast<std::size_t>(*n) > r.remaining()) return std::nullopt;
  auto bytes = r.read_bytes(static_cast<std::size_t>(*n));
  if (!bytes) return std::nullopt;
  return Bytes(bytes->begin(), bytes->end());
}

// Terms and indexes are never negative; a field that is has been damaged.
bool valid(std::optional<std::int64_t> v) { return v && *v >= 0; }

}  // namespace

Bytes encode_message(const Message& message) {
  Bytes out;
  Writer w(out);
  w.write_be<std::int8_t>(kMessageVersion);
  w.write_be<std::int8_t>(static_cast<std::int8_t>(message.body.index() + 1));
  w.write_be<std::int32_t>(message.from);
  w.write_be<std::int32_t>(message.to);
  std::visit(Encoder{w}, message.body);
  return out;
}

Result<Message> decode_message(ByteSpan frame) {
  Reader r(frame);
  auto version = r.read_be<std::int8_t>();
  auto type = r.read_be<std::int8_t>();
  auto from = r.read_be<std::int32_t>();
  auto to = r.read_be<std::int32_t>();
  if (!version || !type || !from || !to) return corrupt("truncated header");
  if (*version != kMessageVersion) return corrupt(fmt::format("unknown version {}", *version));
  Message m{*from, *to, {}};
  switch (*type) {
    case vote_request: {
      VoteRequest v;
      auto term = r.read_be<std::int64_t>(), li = r.read_be<std::int64_t>(), lt = r.read_be<std::int64_t>();
      auto pre = read_bool(r);
      if (!valid(term) || !valid(li) || !valid(lt) || !pre) return corrupt("bad VoteRequest");
      v = {*term, *li, *lt, *pre};
      m.body = v;
      break;
    }
    case vote_reply: {
      auto term = r.read_be<std::int64_t>();
      auto granted = read_bool(r), pre = read_bool(r);
      if (!valid(term) || !granted || !pre) return corrupt("bad VoteReply");
      m.body = VoteReply{*term, *granted, *pre};
      break;
    }
    case append_request: {
      AppendRequest a;
      auto term = r.read_be<std::int64_t>(), pi = r.read_be<std::int64_t>(), pt = r.read_be<std::int64_t>();
      auto count = r.read_be<std::int32_t>();
      // Each entry takes at least 12 bytes: a count beyond what is left is a lie.
      if (!valid(term) || !valid(pi) || !valid(pt) || !count || *count < 0 ||
          static_cast<std::size_t>(*count) > r.remaining() / 12)
        return corrupt("bad AppendRequest");
      a.term = *term;
      a.prev_index = *pi;
      a.prev_term = *pt;
      a.entries.reserve(static_cast<std::size_t>(*count));
      for (std::int32_t i = 0; i < *count; ++i) {
        auto et = r.read_be<std::int64_t>();
        auto data = read_data(r);
        if (!valid(et) || !data) return corrupt("bad entry");
        a.entries.push_back(Entry{*et, std::move(*data)});
      }
      auto commit = r.read_be<std::int64_t>();
      if (!valid(commit)) return corrupt("bad AppendRequest commit");
      a.commit = *commit;
      m.body = std::move(a);
      break;
    }
    case append_reply: {
      auto term = r.read_be<std::int64_t>();
      auto success = read_bool(r);
      auto match = r.read_be<std::int64_t>(), retry = r.read_be<std::int64_t>();
      if (!valid(term) || !success || !valid(match) || !valid(retry)) return corrupt("bad AppendReply");
      m.body = AppendReply{*term, *success, *match, *retry};
      break;
    }
    case snapshot_request: {
      auto term = r.read_be<std::int64_t>(), index = r.read_be<std::int64_t>(), lt = r.read_be<std::int64_t>();
      auto data = read_data(r);
      if (!valid(term) || !valid(index) || !valid(lt) || !data) return corrupt("bad SnapshotRequest");
      m.body = SnapshotRequest{*term, *index, *lt, std::move(*data)};
      break;
    }
    default:
      return corrupt(fmt::format("unknown type {}", *type));
  }
  if (r.remaining() != 0) return corrupt(fmt::format("{} bytes after the message", r.remaining()));
  return m;
}

}  // namespace streamcraft::consensus
