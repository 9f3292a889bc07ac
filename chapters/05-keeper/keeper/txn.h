// generated from final/keeper/txn.h; edit there
// keeper/txn.h — transactions: every change to keeper's state, resolved and in order.
//
// A client's write request is not what keeper stores. The server first *prepares* it:
// checks it against the tree as it stands (does the parent exist? the version match?
// may this session do it?) and resolves everything that depends on that state — the
// sequential node's name, the new version numbers, the parent's next cversion. What comes
// out is a transaction: a change that can no longer fail, numbered with the next zxid
// and stamped with the server's clock. Transactions are what the transaction log holds,
// what a snapshot is caught up with, and — in chapter 6 — what the ensemble agrees on.
// Replaying them in zxid order onto an empty tree (DataTree::apply) rebuilds the state
// exactly, with the same stats, because nothing in a transaction is left to decide.
//
// A write that fails preparation is still a transaction — an ErrorTxn with its code, as in
// ZooKeeper — so every write request takes one zxid whether it succeeds or not, and the
// zxids a client sees match ZooKeeper's.
//
// The formats follow ZooKeeper's txn records (TxnHeader, CreateTxn, …) in spirit but are
// keeper's own, with a version byte: keeper reads only what keeper wrote.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "keeper/jute.h"
#include "keeper/protocol.h"

namespace streamcraft::keeper {

struct TxnHeader {
  std::int64_t session_id = 0;  // the session that asked (0: the server itself)
  std::int32_t cxid = 0;        // the request's xid
  std::int64_t zxid = 0;
  std::int64_t time_ms = 0;     // the server's wall clock when it prepared the request
  OpCode type = OpCode::error;  // the request's op code (create, multi, closeSession, …)
};

struct CreateTxn {
  std::string path;               // resolved: with the sequence number appended
  Bytes data;
  std::vector<Acl> acl;           // resolved: "auth" ids replaced by the session's own
  std::int64_t ephemeral_owner = 0;  // the session, a container's or a TTL node's marker, or 0
  std::int32_t parent_cversion = 0;  // the parent's cversion after this create
};
struct DeleteTxn {
  std::string path;
};
struct SetDataTxn {
  std::string path;
  Bytes data;
  std::int32_t version = 0;  // the node's version after this change
};
struct SetAclTxn {
  std::string path;
  std::vector<Acl> acl;
  std::int32_t aversion = 0;
};
struct CheckVersionTxn {
  std::string path;
  std::int32_t version = 0;
};
struct ErrorTxn {
  Code err = Code::ok;
};
struct CreateSessionTxn {
  std::int32_t timeout_ms = 0;
};
struct CloseSessionTxn {
  std::vector<std::string> ephemerals;  // deleted with the session, in this order
};

// One step of a multi: never itself a multi.
using SubTxn = std::variant<CreateTxn, DeleteTxn, SetDataTxn, SetAclTxn, CheckVersionTxn, ErrorTxn>;
struct MultiTxn {
  std::vector<SubTxn> ops;  // all ErrorTxn when the multi failed
};

using TxnBody = std::variant<CreateTxn, DeleteTxn, SetDataTxn, SetAclTxn, CheckVersionTxn, ErrorTxn,
                             CreateSessionTxn, CloseSessionTxn, MultiTxn>;

struct Txn {
  TxnHeader header;
  TxnBody body;
};

// A transaction's bytes in the transaction log (without the log's own framing and CRC).
Bytes encode_txn(const Txn& t);
// CORRUPT_MESSAGE on bytes that are not a transaction keeper wrote.
Result<Txn> decode_txn(ByteSpan bytes);

}  // namespace streamcraft::keeper
