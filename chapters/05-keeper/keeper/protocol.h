// generated from final/keeper/protocol.h; edit there
// keeper/protocol.h — the ZooKeeper client protocol: handshake, headers, operations.
//
// A connection carries frames (int32 size + body, as Kafka's). The first frame from the
// client is a ConnectRequest with no header; the server answers with a ConnectResponse.
// After that every client frame is a RequestHeader (xid, op code) and the operation's
// request, and every server frame a ReplyHeader (xid, zxid, error) and — only when the
// error is 0 — the operation's response. Replies go back strictly in request order: the
// clients match them to requests by xid and drop the connection on a mismatch. The one
// exception is a watch notification (xid -1), which may come at any time.
//
// Special xids: -1 notification, -2 ping, -4 auth, -8 setWatches. Normal xids are
// chosen by the client (kazoo counts from 1; the C client starts near time(0)).
//
// Both directions are here: the server decodes requests and encodes responses; the
// course's keeper client (and the tests, from real clients' captured bytes) do the
// reverse. Every decoder is bounded by its input and fails with a reason, never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "keeper/jute.h"

namespace streamcraft::keeper {

enum class OpCode : std::int32_t {
  notification = 0,
  create = 1,
  remove = 2,  // ZooKeeper's "delete"
  exists = 3,
  get_data = 4,
  set_data = 5,
  get_acl = 6,
  set_acl = 7,
  get_children = 8,
  sync = 9,
  ping = 11,
  get_children2 = 12,
  check = 13,
  multi = 14,
  create2 = 15,
  reconfig = 16,
  check_watches = 17,
  remove_watches = 18,
  create_container = 19,
  delete_container = 20,
  create_ttl = 21,
  multi_read = 22,
  auth = 100,
  set_watches = 101,
  sasl = 102,
  get_ephemerals = 103,
  get_all_children_number = 104,
  set_watches2 = 105,
  add_watch = 106,
  who_am_i = 107,
  create_session = -10,
  close_session = -11,
  error = -1,  // a failed operation's entry in a multi's results
};
std::string_view op_name(OpCode op);

// ZooKeeper's error codes (KeeperException.Code). Kazoo 2.8 stops its connection on a
// code it does not know, so the server sends only the ones marked "known to kazoo" in
// code_known_to_kazoo().
enum class Code : std::int32_t {
  ok = 0,
  system_error = -1,
  runtime_inconsistency = -2,
  data_inconsistency = -3,
  connection_loss = -4,
  marshalling_error = -5,
  unimplemented = -6,
  operation_timeout = -7,
  bad_arguments = -8,
  unknown_session = -12,
  api_error = -100,
  no_node = -101,
  no_auth = -102,
  bad_version = -103,
  no_children_for_ephemerals = -108,
  node_exists = -110,
  not_empty = -111,
  session_expired = -112,
  invalid_callback = -113,
  invalid_acl = -114,
  auth_failed = -115,
  session_moved = -118,
  not_read_only = -119,
  no_watcher = -121,
};
std::string_view code_name(Code c);  // "NONODE", as the Java client names them
bool code_known_to_kazoo(Code c);

// Special xids.
inline constexpr std::int32_t kNotificationXid = -1;
inline constexpr std::int32_t kPingXid = -2;
inline constexpr std::int32_t kAuthXid = -4;
inline constexpr std::int32_t kSetWatchesXid = -8;

// Create modes (CreateMode's flags).
namespace create_flag {
inline constexpr std::int32_t persistent = 0;
inline constexpr std::int32_t ephemeral = 1;
inline constexpr std::int32_t persistent_sequential = 2;
inline constexpr std::int32_t ephemeral_sequential = 3;
inline constexpr std::int32_t container = 4;
inline constexpr std::int32_t persistent_with_ttl = 5;
inline constexpr std::int32_t persistent_sequential_with_ttl = 6;
}  // namespace create_flag
inline bool is_ephemeral(std::int32_t flags) { return flags == 1 || flags == 3; }
inline bool is_sequential(std::int32_t flags) { return flags == 2 || flags == 3 || flags == 6; }

// ---- the handshake --------------------------------------------------------------------

inline constexpr std::size_t kPasswordSize = 16;

struct ConnectRequest {
  std::int32_t protocol_version = 0;
  std::int64_t last_zxid_seen = 0;
  std::int32_t timeout_ms = 0;
  std::int64_t session_id = 0;  // 0: a new session
  Bytes password;               // 16 bytes; zeros for a new session
  std::optional<bool> read_only;  // appended by every current client, absent in old ones
};
struct ConnectResponse {
  std::int32_t protocol_version = 0;
  std::int32_t timeout_ms = 0;  // the negotiated timeout; 0 with session 0: expired
  std::int64_t session_id = 0;
  Bytes password;
  bool read_only = false;  // always written: the C client reads exactly 41 bytes
};
Result<ConnectRequest> decode_connect_request(ByteSpan body);
Bytes encode_connect_request(const ConnectRequest& r);  // the body, without the size
Result<ConnectResponse> decode_connect_response(ByteSpan body);
Bytes encode_connect_response(const ConnectResponse& r);

// ---- headers --------------------------------------------------------------------------

struct RequestHeader {
  std::int32_t xid = 0;
  OpCode op = OpCode::ping;
};
struct ReplyHeader {
  std::int32_t xid = 0;
  std::int64_t zxid = 0;  // the server's last processed zxid when it replied
  Code err = Code::ok;
};
inline constexpr std::size_t kReplyHeaderSize = 16;

// ---- operations: requests -------------------------------------------------------------

struct CreateRequest {  // create, create2, createContainer, createTTL
  std::string path;
  Bytes data;
  std::vector<Acl> acl;
  std::int32_t flags = 0;
  std::int64_t ttl_ms = -1;  // createTTL only
};
struct DeleteRequest {
  std::string path;
  std::int32_t version = -1;  // -1: any version
};
struct PathWatchRequest {  // exists, getData, getChildren, getChildren2
  std::string path;
  bool watch = false;
};
struct SetDataRequest {
  std::string path;
  Bytes data;
  std::int32_t version = -1;
};
struct PathRequest {  // getACL, sync, getAllChildrenNumber, getEphemerals (a prefix)
  std::string path;
};
struct SetAclRequest {
  std::string path;
  std::vector<Acl> acl;
  std::int32_t version = -1;
};
struct CheckVersionRequest {
  std::string path;
  std::int32_t version = -1;
};
struct AuthRequest {
  std::int32_t type = 0;
  std::string scheme;
  Bytes auth;
};
struct SetWatchesRequest {  // setWatches; setWatches2 adds the two persistent lists
  std::int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;
  std::vector<std::string> persistent_recursive_watches;
};
// addWatch modes.
inline constexpr std::int32_t kWatchPersistent = 0;
inline constexpr std::int32_t kWatchPersistentRecursive = 1;
struct AddWatchRequest {
  std::string path;
  std::int32_t mode = kWatchPersistent;
};
// removeWatches / checkWatches types.
inline constexpr std::int32_t kWatcherChildren = 1;
inline constexpr std::int32_t kWatcherData = 2;
inline constexpr std::int32_t kWatcherAny = 3;
struct WatchesRequest {
  std::string path;
  std::int32_t type = kWatcherAny;
};
struct EmptyRequest {};  // ping, closeSession, whoAmI

// One operation of a multi (create, delete, setData, check) or of a multiRead
// (getChildren, getData).
using MultiStep = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckVersionRequest, PathWatchRequest>;
struct MultiOp {
  OpCode op = OpCode::check;
  MultiStep body;
};
struct MultiRequest {
  std::vector<MultiOp> ops;
};

using RequestBody = std::variant<EmptyRequest, CreateRequest, DeleteRequest, PathWatchRequest, SetDataRequest,
                                 PathRequest, SetAclRequest, CheckVersionRequest, AuthRequest, SetWatchesRequest,
                                 AddWatchRequest, WatchesRequest, MultiRequest>;

struct Request {
  RequestHeader header;
  RequestBody body;
};

// A request frame's body (after the size): header and operation. An op code the server
// does not know decodes with its header and an EmptyRequest, so it can be answered
// UNIMPLEMENTED under its own xid; a known op whose body does not parse is an error.
Result<Request> decode_request(ByteSpan frame);
Bytes encode_request(const Request& r);
// Whether an op code is one decode_request understands.
bool is_known_op(OpCode op);

// ---- operations: responses ------------------------------------------------------------

struct PathResponse {  // create, sync
  std::string path;
};
struct PathStatResponse {  // create2
  std::string path;
  Stat stat;
};
struct StatResponse {  // exists, setData, setACL
  Stat stat;
};
struct DataResponse {  // getData
  Bytes data;
  Stat stat;
};
struct AclResponse {
  std::vector<Acl> acl;
  Stat stat;
};
struct ChildrenResponse {  // getChildren, getEphemerals
  std::vector<std::string> children;
};
struct Children2Response {
  std::vector<std::string> children;
  Stat stat;
};
struct CountResponse {  // getAllChildrenNumber
  std::int32_t count = 0;
};
struct ClientInfo {
  std::string auth_scheme;
  std::string user;
};
struct WhoAmIResponse {
  std::vector<ClientInfo> clients;
};
struct EmptyResponse {};

// One result of a multi: the op's own response, or an error (op = error) with its code.
struct MultiResult {
  OpCode op = OpCode::error;
  Code err = Code::ok;
  std::variant<EmptyResponse, PathResponse, PathStatResponse, StatResponse, DataResponse, ChildrenResponse> body;
};
struct MultiResponse {
  std::vector<MultiResult> results;
};

using ResponseBody = std::variant<EmptyResponse, PathResponse, PathStatResponse, StatResponse, DataResponse,
                                  AclResponse, ChildrenResponse, Children2Response, CountResponse, WhoAmIResponse,
                                  MultiResponse>;

// A reply frame's body: the header, then the response unless header.err != ok.
Bytes encode_reply(const ReplyHeader& h, const ResponseBody& body);
// The client side: which response an op's reply carries is known from the request.
struct Reply {
  ReplyHeader header;
  ResponseBody body;
};
Result<ReplyHeader> decode_reply_header(ByteSpan frame);
Result<Reply> decode_reply(OpCode op, ByteSpan frame);

// ---- notifications --------------------------------------------------------------------

enum class EventType : std::int32_t {
  none = -1,
  node_created = 1,
  node_deleted = 2,
  node_data_changed = 3,
  node_children_changed = 4,
  data_watch_removed = 5,
  child_watch_removed = 6,
  persistent_watch_removed = 7,
};
std::string_view event_name(EventType t);
inline constexpr std::int32_t kStateSyncConnected = 3;

struct WatcherEvent {
  EventType type = EventType::none;
  std::int32_t state = kStateSyncConnected;
  std::string path;
};
// A notification frame's body: ReplyHeader(-1, -1, ok) and the event.
Bytes encode_notification(const WatcherEvent& e);
Result<WatcherEvent> decode_notification(ByteSpan frame);

}  // namespace streamcraft::keeper
