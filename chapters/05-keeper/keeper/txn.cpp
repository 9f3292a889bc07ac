// generated from final/keeper/txn.cpp; edit there
// keeper/txn.cpp — the transaction log's record format.
//
//   version int8 (1) · header: session int64, cxid int32, zxid int64, time int64,
//   type int32 · body kind int8 · body fields (jute types)
#include "keeper/txn.h"

#include <fmt/format.h>

namespace streamcraft::keeper {

namespace {

constexpr std::int8_t kTxnVersion = 1;

// The body's kind on disk: its index in TxnBody, which is part of the format.
template <class T>
constexpr std::int8_t kind_of() {
  return static_cast<std::int8_t>(TxnBody(T{}).index());
}

void write_sub(Encoder& e, const SubTxn& s);

void write_fields(Encoder& e, const CreateTxn& t) {
  write_ustring(e, t.path);
  write_buffer(e, t.data);
  write_acl_vector(e, t.acl);
  e.i64(t.ephemeral_owner);
  e.i32(t.parent_cversion);
}
void write_fields(Encoder& e, const DeleteTxn& t) { write_ustring(e, t.path); }
void write_fields(Encoder& e, const SetDataTxn& t) {
  write_ustring(e, t.path);
  write_buffer(e, t.data);
  e.i32(t.version);
}
void write_fields(Encoder& e, const SetAclTxn& t) {
  write_ustring(e, t.path);
  write_acl_vector(e, t.acl);
  e.i32(t.aversion);
}
void write_fields(Encoder& e, const CheckVersionTxn& t) {
  write_ustring(e, t.path);
  e.i32(t.version);
}
void write_fields(Encoder& e, const ErrorTxn& t) { e.i32(static_cast<std::int32_t>(t.err)); }
void write_fields(Encoder& e, const CreateSessionTxn& t) { e.i32(t.timeout_ms); }
void write_fields(Encoder& e, const CloseSessionTxn& t) { write_ustring_vector(e, t.ephemerals); }
void write_fields(Encoder& e, const MultiTxn& t) {
  e.array_length(t.ops.size());
  for (const auto& s : t.ops) write_sub(e, s);
}

void write_sub(Encoder& e, const SubTxn& s) {
  std::visit(
      [&](const auto& t) {
        e.i8(kind_of<std::decay_t<decltype(t)>>());
        write_fields(e, t);
      },
      s);
}

template <class Variant>
bool read_fields(Decoder& d, std::int8_t kind, Variant& out);

CreateTxn read_create(Decoder& d) {
  CreateTxn t;
  t.path = read_ustring(d);
  t.data = read_buffer(d);
  t.acl = read_acl_vector(d);
  t.ephemeral_owner = d.i64();
  t.parent_cversion = d.i32();
  return t;
}

// Reads the fields of body kind `kind` into `out`; false for a kind `out` cannot hold.
template <class Variant>
bool read_fields(Decoder& d, std::int8_t kind, Variant& out) {
  if (kind == kind_of<CreateTxn>()) {
    out = read_create(d);
  } else if (kind == kind_of<DeleteTxn>()) {
    out = DeleteTxn{read_ustring(d)};
  } else if (kind == kind_of<SetDataTxn>()) {
    SetDataTxn t;
    t.path = read_ustring(d);
    t.data = read_buffer(d);
    t.version = d.i32();
    out = std::move(t);
  } else if (kind == kind_of<SetAclTxn>()) {
    SetAclTxn t;
    t.path = read_ustring(d);
    t.acl = read_acl_vector(d);
    t.aversion = d.i32();
    out = std::move(t);
  } else if (kind == kind_of<CheckVersionTxn>()) {
    CheckVersionTxn t;
    t.path = read_ustring(d);
    t.version = d.i32();
    out = std::move(t);
  } else if (kind == kind_of<ErrorTxn>()) {
    out = ErrorTxn{static_cast<Code>(d.i32())};
  } else if constexpr (std::is_same_v<Variant, TxnBody>) {
    if (kind == kind_of<CreateSessionTxn>()) {
      out = CreateSessionTxn{d.i32()};
    } else if (kind == kind_of<CloseSessionTxn>()) {
      out = CloseSessionTxn{read_ustring_vector(d)};
    } else if (kind == kind_of<MultiTxn>()) {
      MultiTxn m;
      const auto n = d.array_length(1);
      for (std::int32_t i = 0; i < n && d.ok(); ++i) {
        SubTxn s;
        if (!read_fields(d, d.i8(), s)) return false;
        m.ops.push_back(std::move(s));
      }
      out = std::move(m);
    } else {
      return false;
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace

Bytes encode_txn(const Txn& t) {
  Bytes out;
  Encoder e(out);
  e.i8(kTxnVersion);
  e.i64(t.header.session_id);
  e.i32(t.header.cxid);
  e.i64(t.header.zxid);
  e.i64(t.header.time_ms);
  e.i32(static_cast<std::int32_t>(t.header.type));
  e.i8(static_cast<std::int8_t>(t.body.index()));
  std::visit([&](const auto& b) { write_fields(e, b); }, t.body);
  return out;
}

Result<Txn> decode_txn(ByteSpan bytes) {
  Decoder d(bytes);
  const auto version = d.i8();
  if (d.ok() && version != kTxnVersion)
    return make_error(Errc::corrupt_message, fmt::format("transaction format version {}", version));
  Txn t;
  t.header.session_id = d.i64();
  t.header.cxid = d.i32();
  t.header.zxid = d.i64();
  t.header.time_ms = d.i64();
  t.header.type = static_cast<OpCode>(d.i32());
  const auto kind = d.i8();
  if (d.ok() && !read_fields(d, kind, t.body)) d.fail(fmt::format("unknown transaction kind {}", kind));
  if (!d.ok()) return make_error(Errc::corrupt_message, "malformed transaction " + d.problem());
  if (d.remaining() != 0)
    return make_error(Errc::corrupt_message, fmt::format("{} bytes after a transaction", d.remaining()));
  return t;
}

}  // namespace streamcraft::keeper
