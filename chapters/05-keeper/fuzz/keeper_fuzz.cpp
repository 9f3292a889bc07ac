// generated from final/fuzz/keeper_fuzz.cpp; edit there
// fuzz/keeper_fuzz.cpp — random bytes as ZooKeeper packets, and as keeper's own files.
//
// Keeper reads packets from anyone who can open a socket, and its transaction log and
// snapshots from a disk that may have been damaged. The first byte picks what the rest is:
//   0  a request frame: decode_request must give a value or an error, and a value must
//      encode and decode again to the same bytes;
//   1  a handshake, a reply or a notification (the client side's decoders);
//   2  a transaction record or a snapshot file;
//   3+ a whole session: a real handshake, then the input cut into frames (a 1-byte length
//      each) sent to a KeeperService with time passing between them — whatever they are,
//      keeper answers or closes, and its tree keeps its invariants.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <stdexcept>

#include "common/clock.h"
#include "keeper/journal.h"
#include "keeper/keeper_service.h"
#include "keeper/protocol.h"
#include "keeper/store.h"
#include "keeper/txn.h"

using namespace streamcraft;
using namespace streamcraft::keeper;

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::logic_error(what);
}

void check_tree(const DataTree& t) {
  for (const auto& path : t.paths()) {
    const Znode* n = t.find(path);
    require(n != nullptr, "a listed path is missing");
    if (path == "/") continue;
    const Znode* parent = t.find(parent_of(path));
    require(parent != nullptr, "a node without its parent");
    require(parent->children.contains(std::string(name_of(path))), "a node missing from its parent's children");
    require(!is_session_owner(parent->stat.ephemeral_owner), "a child under an ephemeral node");
  }
}

void session(ByteSpan input) {
  ManualClock clock;
  MemoryJournal journal;
  KeeperConfig config;
  config.tick_time_ms = 10;
  KeeperService keeper(clock, config, journal);
  keeper.on_open(1, "127.0.0.1");
  keeper.on_open(2, "10.0.0.2");
  Bytes hello = encode_connect_request({0, 0, 100, 0, Bytes(16), false});
  keeper.handle(1, hello);
  keeper.handle(2, hello);
  keeper.poll();
  std::size_t i = 0;
  while (i < input.size()) {
    const auto lead = std::to_integer<std::size_t>(input[i]);
    const std::size_t n = std::min<std::size_t>(lead, input.size() - i - 1);
    const net::ConnectionId conn = (lead & 1) + 1;
    Bytes frame(input.begin() + static_cast<std::ptrdiff_t>(i + 1),
                input.begin() + static_cast<std::ptrdiff_t>(i + 1 + n));
    i += 1 + n;
    auto outcome = keeper.handle(conn, frame);
    if (outcome.kind == net::Outcome::Kind::close_connection) keeper.on_close(conn);
    for (auto& c : keeper.poll()) {
      if (auto* done = std::get_if<net::Completed>(&c)) {
        auto bytes = done->response.flatten();
        require(bytes.ok() && bytes->size() >= 4, "a reply without its size");
      }
    }
    clock.advance_ms(3);
    if (auto due = keeper.next_tick_ms(); due && clock.monotonic_ms() >= *due) keeper.tick(clock.monotonic_ms());
    check_tree(keeper.tree());
  }
  // Replaying what was journaled gives the same tree.
  KeeperState replayed;
  for (const auto& t : journal.appended) replay(replayed, t);
  require(replayed.tree.paths() == keeper.tree().paths(), "the journal does not replay to the tree");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ByteSpan input(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto r = decode_request(input);
      if (r && is_known_op(r->header.op)) {
        auto again = decode_request(encode_request(*r));
        require(again.ok(), "an accepted request does not decode after encoding");
        require(encode_request(*again) == encode_request(*r), "a request changed in a round trip");
      }
      break;
    }
    case 1: {
      (void)decode_connect_request(input);
      (void)decode_connect_response(input);
      (void)decode_notification(input);
      for (auto op : {OpCode::get_data, OpCode::multi, OpCode::get_children2, OpCode::get_acl, OpCode::who_am_i})
        (void)decode_reply(op, input);
      break;
    }
    case 2: {
      if (auto t = decode_txn(input)) require(encode_txn(*t).size() == input.size(), "a transaction round trip");
      if (auto s = decode_snapshot(input)) check_tree(s->tree);
      break;
    }
    default:
      session(input);
  }
  return 0;
}
