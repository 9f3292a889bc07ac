// tests/consensus/messages_test.cpp — the peer messages' encoding, and what decoding refuses.
#include <catch2/catch.hpp>

#include "consensus/messages.h"

using namespace streamcraft;
using namespace streamcraft::consensus;

namespace {

Bytes bytes(std::string_view s) { return Bytes(as_bytes(s).begin(), as_bytes(s).end()); }

std::vector<Message> one_of_each() {
  return {
      {1, 2, VoteRequest{7, 40, 6, true}},
      {2, 1, VoteReply{7, true, false}},
      {1, 3, AppendRequest{7, 39, 6, {Entry{7, bytes("create /a")}, Entry{7, {}}}, 38}},
      {3, 1, AppendReply{7, false, 0, 12}},
      {1, 2, SnapshotRequest{8, 100, 7, bytes("the tree")}},
  };
}

}  // namespace

TEST_CASE("every kind of peer message round-trips", "[ch06][raft][codec]") {
  for (const auto& m : one_of_each()) {
    const auto encoded = encode_message(m);
    auto back = decode_message(encoded);
    REQUIRE(back.ok());
    CHECK(back->from == m.from);
    CHECK(back->to == m.to);
    CHECK(back->body.index() == m.body.index());
    CHECK(encode_message(*back) == encoded);
  }
  auto a = decode_message(encode_message(one_of_each()[2]));
  const auto& req = std::get<AppendRequest>(a->body);
  REQUIRE(req.entries.size() == 2);
  CHECK(req.entries[0].data == bytes("create /a"));
  CHECK(req.commit == 38);
}

TEST_CASE("a damaged peer message is refused and never half-read", "[ch06][raft][codec]") {
  for (const auto& m : one_of_each()) {
    const auto encoded = encode_message(m);
    // Every cut short, and one byte too many.
    for (std::size_t n = 0; n < encoded.size(); ++n) CHECK_FALSE(decode_message(ByteSpan(encoded).first(n)).ok());
    auto longer = encoded;
    longer.push_back(std::byte{0});
    CHECK_FALSE(decode_message(longer).ok());
  }
  auto e = encode_message(one_of_each()[2]);
  SECTION("an entry count far beyond the bytes") {
    store_be<std::int32_t>(e.data() + 10 + 24, 1'000'000'000);
    auto r = decode_message(e);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::corrupt_message);
  }
  SECTION("an unknown version or type") {
    e[0] = std::byte{9};
    CHECK_FALSE(decode_message(e).ok());
    e[0] = std::byte{1};
    e[1] = std::byte{42};
    CHECK_FALSE(decode_message(e).ok());
  }
  SECTION("a negative term") {
    store_be<std::int64_t>(e.data() + 10, -1);
    CHECK_FALSE(decode_message(e).ok());
  }
}
