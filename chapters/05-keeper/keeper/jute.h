// generated from final/keeper/jute.h; edit there
// keeper/jute.h — ZooKeeper's wire encoding ("jute"), on Kafka's bounded decoder.
//
// ZooKeeper's client protocol is a stream of frames exactly like Kafka's — an int32 size,
// then that many bytes — and inside them the records of `zookeeper.jute`, written by
// Java's BinaryOutputArchive. Its types are few, and all but one are Kafka's too:
//
//   int, long, boolean   4 and 8 bytes big-endian, and one byte 0/1
//   buffer               int32 length + bytes, -1 = null           (Kafka's "bytes")
//   ustring              int32 length + UTF-8, -1 = null           (Kafka's strings use int16)
//   vector<T>            int32 count + elements, -1 = null         (Kafka's arrays)
//   record               its fields one after another: no tags, no padding, no version
//
// So keeper reads and writes with protocol::Decoder and protocol::Encoder (never past
// the end, first failure sticks, a hostile count refused before anything is allocated)
// and adds here only the ustring and the records every operation shares: Id, ACL, Stat.
//
// Null strings: kazoo writes an empty string as length -1, so a null path reads as "".
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "protocol/wire.h"

namespace streamcraft::keeper {

using protocol::Decoder;
using protocol::Encoder;

// ustring: int32 length, then UTF-8 bytes; -1 is null.
std::optional<std::string> read_nullable_ustring(Decoder& d);
std::string read_ustring(Decoder& d);  // null reads as ""
void write_ustring(Encoder& e, std::string_view s);
void write_null_ustring(Encoder& e);

// buffer: int32 length, then bytes; null reads as empty (no operation tells them apart).
Bytes read_buffer(Decoder& d);
void write_buffer(Encoder& e, ByteSpan b);

std::vector<std::string> read_ustring_vector(Decoder& d);  // null reads as empty
void write_ustring_vector(Encoder& e, const std::vector<std::string>& v);

// Who a permission is for: (world, anyone), (digest, user:base64(sha1(user:password))),
// (ip, 10.0.0.0/8), (auth, "") — "whoever this session authenticated as".
struct Id {
  std::string scheme;
  std::string id;
  auto operator<=>(const Id&) const = default;
};

// Permission bits of an ACL entry.
namespace perm {
inline constexpr std::int32_t read = 1;
inline constexpr std::int32_t write = 2;
inline constexpr std::int32_t create = 4;
inline constexpr std::int32_t remove = 8;  // ZooKeeper's DELETE
inline constexpr std::int32_t admin = 16;
inline constexpr std::int32_t all = 31;
}  // namespace perm

struct Acl {
  std::int32_t perms = 0;
  Id id;
  auto operator<=>(const Acl&) const = default;
};

// The ACL kazoo and zkCli create with by default: everyone may do everything.
inline std::vector<Acl> open_acl_unsafe() { return {Acl{perm::all, Id{"world", "anyone"}}}; }

std::vector<Acl> read_acl_vector(Decoder& d);
void write_acl_vector(Encoder& e, const std::vector<Acl>& acl);

// A znode's metadata, as every read and write reports it (68 bytes on the wire).
struct Stat {
  std::int64_t czxid = 0;           // the transaction that created the node
  std::int64_t mzxid = 0;           // the one that last set its data
  std::int64_t ctime = 0;           // ms since the epoch, of the create
  std::int64_t mtime = 0;           // ... of the last setData
  std::int32_t version = 0;         // +1 per setData
  std::int32_t cversion = 0;        // +1 per child created or deleted
  std::int32_t aversion = 0;        // +1 per setACL
  std::int64_t ephemeral_owner = 0; // the owning session of an ephemeral node, else 0
  std::int32_t data_length = 0;
  std::int32_t num_children = 0;
  std::int64_t pzxid = 0;           // the last transaction that changed the child list
  bool operator==(const Stat&) const = default;
};
inline constexpr std::size_t kStatSize = 68;

Stat read_stat(Decoder& d);
void write_stat(Encoder& e, const Stat& s);

}  // namespace streamcraft::keeper
