// consensus/messages.h — Raft's messages on the wire between keeper servers.
//
// The servers of an ensemble talk over their peer port (chapter 6's `server.N=host:port`)
// in frames of their own, not ZooKeeper's: each message is one frame of
//
//   int8   version (1)      int8  type (1 VoteRequest, 2 VoteReply, 3 AppendRequest,
//   int32  from, int32 to          4 AppendReply, 5 SnapshotRequest)
//   …      the message's fields, big-endian, in the order raft.h declares them; an entry
//          is int64 term, int32 length, its bytes; a list is int32 count, then its items
//
// The transport adds a 4-byte length in front, as every protocol in the course does. A peer
// is another server of the ensemble, but its bytes still come off a socket: decode_message
// checks every count and length against what is there, and refuses anything else with
// CORRUPT_MESSAGE rather than allocating what a damaged frame claims.
#pragma once

#include "common/bytes.h"
#include "common/error.h"
#include "consensus/raft.h"

namespace streamcraft::consensus {

inline constexpr std::int8_t kMessageVersion = 1;

Bytes encode_message(const Message& message);
Result<Message> decode_message(ByteSpan frame);

}  // namespace streamcraft::consensus
