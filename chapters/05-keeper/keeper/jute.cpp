// generated from final/keeper/jute.cpp; edit there
// keeper/jute.cpp — ustrings, ACLs and Stat on the wire.
#include "keeper/jute.h"

namespace streamcraft::keeper {

std::optional<std::string> read_nullable_ustring(Decoder& d) {
  // A ustring is laid out exactly as a buffer; only its meaning differs.
  auto bytes = d.nullable_bytes();
  if (!bytes) return std::nullopt;
  return std::string(as_chars(*bytes));
}

std::string read_ustring(Decoder& d) { return read_nullable_ustring(d).value_or(std::string()); }

void write_ustring(Encoder& e, std::string_view s) { e.nullable_bytes(as_bytes(s)); }

void write_null_ustring(Encoder& e) { e.nullable_bytes(std::nullopt); }

Bytes read_buffer(Decoder& d) {
  auto bytes = d.nullable_bytes();
  return bytes ? Bytes(bytes->begin(), bytes->end()) : Bytes();
}

void write_buffer(Encoder& e, ByteSpan b) { e.nullable_bytes(b); }

std::vector<std::string> read_ustring_vector(Decoder& d) {
  std::vector<std::string> out;
  const auto n = d.array_length(4);  // each element at least its length
  for (std::int32_t i = 0; i < n && d.ok(); ++i) out.push_back(read_ustring(d));
  return out;
}

void write_ustring_vector(Encoder& e, const std::vector<std::string>& v) {
  e.array_length(v.size());
  for (const auto& s : v) write_ustring(e, s);
}

std::vector<Acl> read_acl_vector(Decoder& d) {
  std::vector<Acl> out;
  const auto n = d.array_length(12);  // perms + two empty ustrings
  for (std::int32_t i = 0; i < n && d.ok(); ++i) {
    Acl a;
    a.perms = d.i32();
    a.id.scheme = read_ustring(d);
    a.id.id = read_ustring(d);
    out.push_back(std::move(a));
  }
  return out;
}

void write_acl_vector(Encoder& e, const std::vector<Acl>& acl) {
  e.array_length(acl.size());
  for (const auto& a : acl) {
    e.i32(a.perms);
    write_ustring(e, a.id.scheme);
    write_ustring(e, a.id.id);
  }
}

Stat read_stat(Decoder& d) {
  Stat s;
  s.czxid = d.i64();
  s.mzxid = d.i64();
  s.ctime = d.i64();
  s.mtime = d.i64();
  s.version = d.i32();
  s.cversion = d.i32();
  s.aversion = d.i32();
  s.ephemeral_owner = d.i64();
  s.data_length = d.i32();
  s.num_children = d.i32();
  s.pzxid = d.i64();
  return s;
}

void write_stat(Encoder& e, const Stat& s) {
  e.i64(s.czxid);
  e.i64(s.mzxid);
  e.i64(s.ctime);
  e.i64(s.mtime);
  e.i32(s.version);
  e.i32(s.cversion);
  e.i32(s.aversion);
  e.i64(s.ephemeral_owner);
  e.i32(s.data_length);
  e.i32(s.num_children);
  e.i64(s.pzxid);
}

}  // namespace streamcraft::keeper
