// generated from final/fuzz/consensus_fuzz.cpp; edit there
// fuzz/consensus_fuzz.cpp — random bytes as the ensemble's peer messages.
//
// The first byte picks what the rest is:
//   0   one frame: decode_message gives a message or an error, and a message encodes back
//       to exactly the bytes it came from (the encoding is canonical);
//   1+  a conversation: the rest cut into frames (a 1-byte length each), every one that
//       decodes stepped into a Raft server of a 3-server ensemble, with ticks between them —
//       whatever the peers say, the server keeps its own invariants.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "consensus/messages.h"
#include "consensus/raft.h"

using namespace streamcraft;
using namespace streamcraft::consensus;

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::logic_error(what);
}

void one_frame(ByteSpan bytes) {
  auto m = decode_message(bytes);
  if (!m) return;
  auto again = encode_message(*m);
  require(again.size() == bytes.size() && std::equal(again.begin(), again.end(), bytes.begin()),
          "a decoded message does not encode to its bytes");
}

void conversation(ByteSpan bytes) {
  RaftConfig c;
  c.id = 1;
  c.voters = {1, 2, 3};
  c.election_ticks = 3;
  Raft r(c, Durable{});
  Durable disk;
  std::int64_t last_term = 0, applied = 0;
  while (!bytes.empty()) {
    const auto n = std::min<std::size_t>(static_cast<std::size_t>(bytes[0]), bytes.size() - 1);
    auto frame = bytes.subspan(1, n);
    bytes = bytes.subspan(1 + n);
    if (auto m = decode_message(frame)) {
      m->to = 1;  // aim it at the server, from whoever it claims to be
      r.step(*m);
    } else {
      r.tick();
    }
    if (r.role() == Role::leader && frame.size() % 3 == 0) (void)r.propose(Bytes(frame.begin(), frame.end()));
    auto ready = r.take_ready();
    persist(disk, ready);
    if (!ready.committed.empty()) {
      require(ready.committed_from == applied + 1, "entries applied out of order");
      applied += static_cast<std::int64_t>(ready.committed.size());
    }
    if (ready.snapshot) applied = ready.snapshot->index;
    require(r.term() >= last_term, "the term went back");
    last_term = r.term();
    require(r.commit_index() <= r.last_index(), "committed past the log");
    require(disk.hard.term == r.term(), "the term on disk is not the term in use");
    require(disk.snapshot.index + static_cast<std::int64_t>(disk.log.size()) == r.last_index(),
            "the log on disk is not the log in use");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  ByteSpan bytes(reinterpret_cast<const std::byte*>(data) + 1, size - 1);
  if (data[0] == 0) one_frame(bytes);
  else conversation(bytes);
  return 0;
}
