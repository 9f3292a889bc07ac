// generated from final/group/coordinator.h; edit there
// group/coordinator.h — consumer groups: who owns which partition, and where each
// group has got to.
//
// A consumer group is a set of consumers that share a topic's partitions: each partition
// is consumed by exactly one member of the group at a time, so the group divides the
// work and every record is processed once per group. Deciding who gets what is the
// *rebalance* protocol, and the broker's part in it is small on purpose — it never looks
// at topics or assignments:
//
//   JoinGroup   every member (re)joins, listing the assignment protocols it supports
//               (e.g. "range", "roundrobin") with opaque metadata (its subscription).
//               The coordinator waits until every known member has joined — or the
//               rebalance timeout has passed, dropping those that did not — then opens a
//               new *generation*, picks one protocol every member supports, and answers
//               everyone; the *leader* also receives all members' metadata.
//   SyncGroup   the leader computes the assignment (in the client!) and sends it; every
//               member's SyncGroup is answered with its own share.
//   Heartbeat   members prove they are alive within session.timeout.ms; the answer
//               REBALANCE_IN_PROGRESS tells them to join again.
//   LeaveGroup  a member leaving cleanly triggers a rebalance at once.
//
// Static membership (KIP-345): a member may give a group.instance.id, a name that
// outlives the process. An instance that restarts within its session timeout joins with
// an empty member id and takes the place of its old member id — same assignment, same
// generation, no rebalance — so a rolling restart does not shuffle the partitions of the
// whole group. Its old member id is fenced from then on (FENCED_INSTANCE_ID).
//
// States: Empty → PreparingRebalance (waiting for joins) → CompletingRebalance (waiting
// for the leader's assignment) → Stable; Dead once deleted. Fencing keeps a partition from
// having two owners: a request from an older generation gets ILLEGAL_GENERATION, one from
// a removed member UNKNOWN_MEMBER_ID, and both make the client stop and rejoin.
//
// Sans-I/O: requests come in as method calls with a Token (the handler's id for a waiting
// request); answers that cannot be given at once (a JoinGroup waiting for the others, a
// SyncGroup waiting for the leader) come out of take_completed() later. Time comes from
// the Clock and moves only when tick() is called — the tests drive whole rebalances,
// crashes and timeouts with a manual clock.
//
// Durability: committed offsets and each generation's metadata are records of the
// __consumer_offsets topic (group/offsets_topic.h). The coordinator never writes them
// itself: plan_commit() and the end of a rebalance *return* records (take_records),
// the broker appends them, and only then applies them with apply() — the same function
// that replays a partition when it is loaded. So the in-memory state is always a fold
// over what is durable in the log.
//
// Which groups it serves: a group belongs to one partition of __consumer_offsets
// (partition_for), and the coordinator serves exactly the groups of the partitions it has
// *loaded*. load_partition() replays one partition's records and serves its groups from
// then on; unload_partition() forgets them all (members waiting in JoinGroup or SyncGroup
// are answered NOT_COORDINATOR; nothing is written — the log already holds everything,
// and the partition's next leader replays it). Every request for a group of a partition
// that is not loaded is answered NOT_COORDINATOR, which sends the client back to
// FindCoordinator. The coordinator keeps this bookkeeping rather than the broker because
// it holds the groups: it can then promise that it never holds a group of a partition it
// does not serve — a request can create no group there, and no record can bring one back —
// and its tests check that without a broker. Reading the records from the log is the
// broker's part, like every disk access (broker/group_requests.cpp). A single broker loads
// every partition at start-up; from chapter 4 on, leadership moves them between brokers.
//
// No COORDINATOR_LOAD_IN_PROGRESS: a partition is loaded by one call that receives all of
// its records, on the thread that serves requests, so no request can see it half-loaded —
// a partition is either not loaded (NOT_COORDINATOR) or loaded. (Kafka loads on a
// background thread, so its clients can arrive mid-load and are told to wait.)
//
// Not thread-safe: the broker's one network thread drives it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/error.h"
#include "group/offsets_topic.h"

namespace streamcraft::group {

using Token = std::uint64_t;

enum class GroupState { empty, preparing_rebalance, completing_rebalance, stable, dead };
std::string_view state_name(GroupState s);  // Kafka's names: "Empty", "PreparingRebalance", …

struct CoordinatorConfig {
  std::int32_t min_session_timeout_ms = 6'000;      // group.min.session.timeout.ms
  std::int32_t max_session_timeout_ms = 1'800'000;  // group.max.session.timeout.ms
  // group.initial.rebalance.delay.ms: how long the first rebalance of an empty group
  // waits for more members, so that consumers started together share one generation.
  std::int32_t initial_rebalance_delay_ms = 3'000;
  std::int32_t offsets_partitions = 50;  // offsets.topic.num.partitions
  std::size_t max_metadata_bytes = 4096;  // offset.metadata.max.bytes
  // offsets.retention.minutes (7 days) and offsets.retention.check.interval.ms: the
  // committed offsets of a group without members expire this long after it became empty
  // (or after their commit, for a group that never had members), as in Kafka (KIP-211).
  std::int64_t offsets_retention_ms = 7LL * 24 * 60 * 60 * 1000;
  std::int64_t offsets_retention_check_interval_ms = 600'000;
};

struct ProtocolChoice {
  std::string name;
  Bytes metadata;
};

struct JoinParams {
  std::string group_id;
  std::string member_id;  // empty for a new member
  std::string client_id;
  std::string client_host;
  std::int32_t session_timeout_ms = 10'000;
  std::int32_t rebalance_timeout_ms = 10'000;
  std::string protocol_type;
  std::vector<ProtocolChoice> protocols;
  // JoinGroup v4+: a new member first gets MEMBER_ID_REQUIRED with its id, and joins
  // again with it (so a retried join cannot create a second, phantom member).
  bool require_known_member_id = false;
  // JoinGroup v5+: a static member's group.instance.id (KIP-345).
  std::optional<std::string> group_instance_id;
};

struct JoinedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  Bytes metadata;
};

struct JoinResult {
  Errc error = Errc::none;
  std::int32_t generation = -1;
  std::string protocol_name;
  std::string leader_id;
  std::string member_id;
  std::vector<JoinedMember> members;  // only for the leader
};

struct SyncParams {
  std::string group_id;
  std::string member_id;
  std::int32_t generation = -1;
  std::vector<std::pair<std::string, Bytes>> assignments;  // only from the leader
};

struct SyncResult {
  Errc error = Errc::none;
  Bytes assignment;
};

struct Completion {
  Token token;
  std::variant<JoinResult, SyncResult> result;
};

struct CommitParams {
  std::string group_id;
  std::string member_id;     // empty with generation -1: a commit from outside any group
  std::int32_t generation = -1;
  struct Partition {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::int32_t leader_epoch = -1;
    std::optional<std::string> metadata;
  };
  std::vector<Partition> partitions;
};

struct CommitPlan {
  std::vector<Errc> errors;             // per partition, in request order
  std::vector<OffsetsTopicRecord> records;  // to append; apply() them once durable
};

struct FetchedOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = -1;  // -1: nothing committed
  std::int32_t leader_epoch = -1;
  std::string metadata;
};

struct MemberDescription {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  Bytes metadata;    // for the chosen protocol
  Bytes assignment;
};

struct GroupDescription {
  std::string group_id;
  Errc error = Errc::none;
  std::string state;
  std::string protocol_type;
  std::string protocol;
  std::int32_t generation = 0;
  std::vector<MemberDescription> members;
};

struct GroupListing {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

class Coordinator {
 public:
  Coordinator(const Clock& clock, CoordinatorConfig config) : clock_(clock), config_(config) {}

  // Each returns the answer now, or nullopt when it will come from take_completed().
  std::optional<JoinResult> join(Token token, const JoinParams& p);
  // group_instance_id (SyncGroup v3+, Heartbeat v3+, OffsetCommit v7+, LeaveGroup v3+): a
  // request that names an instance id registered under another member id gets
  // FENCED_INSTANCE_ID — it comes from an older incarnation of that static member.
  std::optional<SyncResult> sync(Token token, const SyncParams& p,
                                 const std::optional<std::string>& group_instance_id = std::nullopt);
  Errc heartbeat(const std::string& group_id, const std::string& member_id, std::int32_t generation,
                 const std::optional<std::string>& group_instance_id = std::nullopt);
  // One leaving member (LeaveGroup v3 lists several). An empty member_id with an instance
  // id removes that static member, whatever its member id.
  Errc leave(const std::string& group_id, const std::string& member_id,
             const std::optional<std::string>& group_instance_id = std::nullopt);

  // Validates a commit; the records in the plan must be appended, then apply()'d.
  CommitPlan plan_commit(const CommitParams& p, const std::optional<std::string>& group_instance_id = std::nullopt);
  // All committed offsets of a group, or those of the listed partitions; NOT_COORDINATOR
  // for a group of a partition that is not loaded.
  Result<std::vector<FetchedOffset>> fetch_offsets(
      const std::string& group_id,
      const std::optional<std::vector<std::pair<std::string, std::int32_t>>>& partitions) const;

  // The groups of the loaded partitions: the only ones there are here.
  std::vector<GroupListing> list_groups() const;
  GroupDescription describe(const std::string& group_id) const;
  // Deleting needs an empty group: returns the error, or the tombstones to append (then
  // apply() them; the group is gone once they are applied).
  Result<std::vector<OffsetsTopicRecord>> plan_delete(const std::string& group_id);

  // Applies a durable record: after an append (live), or replaying a partition when it
  // is loaded (replay: later records of a group replace earlier ones; a live group's own
  // records are never older than its state, so they leave it alone). A record of a group
  // whose partition is not loaded is ignored: that group is served elsewhere.
  void apply(const OffsetsTopicRecord& record, bool replay = false);

  // Serves the groups of one __consumer_offsets partition from now on: replays its
  // records (in log order; any record of another partition's group is skipped). Restored
  // members must heartbeat within their session timeout, counted from now. A partition
  // that is loaded already is left alone: its state is that fold already, plus what only
  // memory holds (heartbeats, members waiting for an answer), which a replay would lose.
  void load_partition(std::int32_t offsets_partition, const std::vector<OffsetsTopicRecord>& records);
  // Stops serving the partition's groups and forgets them: members waiting in JoinGroup
  // or SyncGroup are answered NOT_COORDINATOR (take_completed), records of those groups
  // not yet taken are dropped (the partition's new leader derives them again, from the
  // same log), and nothing is written. Unloading a partition that is not loaded does
  // nothing.
  void unload_partition(std::int32_t offsets_partition);
  bool is_loaded(std::int32_t offsets_partition) const { return loaded_.contains(offsets_partition); }
  // Whether this coordinator serves the group: its partition is loaded.
  bool coordinates(std::string_view group_id) const { return is_loaded(partition_for(group_id)); }

  // Expires sessions and finishes rebalances whose time is up. Call it regularly.
  void tick();
  // When tick() next has something to do, if anything.
  std::optional<std::int64_t> next_deadline_ms() const;
  // Answers that became ready (joins and syncs).
  std::vector<Completion> take_completed();
  bool has_completed() const { return !completed_.empty(); }
  // Group metadata records to append (one per finished rebalance), then apply().
  std::vector<OffsetsTopicRecord> take_records();
  // The connection of a waiting request closed: forget it.
  void cancel(Token token);

  std::int32_t partition_for(std::string_view group_id) const {
    return offsets_partition_for(group_id, config_.offsets_partitions);
  }

 private:
  struct Member {
    std::string id;
    std::optional<std::string> group_instance_id;  // set: a static member
    std::string client_id;
    std::string client_host;
    std::int32_t session_timeout_ms = 0;
    std::int32_t rebalance_timeout_ms = 0;
    std::string protocol_type;
    std::vector<ProtocolChoice> protocols;
    Bytes assignment;
    std::int64_t last_heartbeat_ms = 0;
    std::optional<Token> awaiting_join;
    std::optional<Token> awaiting_sync;
  };
  struct Group {
    std::string id;
    GroupState state = GroupState::empty;
    std::string protocol_type;
    std::string protocol;
    std::int32_t generation = 0;
    std::string leader;
    std::map<std::string, Member> members;
    // Got MEMBER_ID_REQUIRED and not joined yet → when the id expires (monotonic). As in
    // Kafka, an id nobody joins with is forgotten after the session timeout it asked for.
    std::map<std::string, std::int64_t> pending_members;
    std::int64_t rebalance_deadline_ms = 0;     // PreparingRebalance: when to stop waiting
    std::int64_t initial_wait_until_ms = 0;     // … and when to stop waiting for newcomers
    std::map<std::pair<std::string, std::int32_t>, OffsetValue> offsets;
    std::int64_t empty_since_ms = -1;  // wall clock: when it last lost its last member
  };

  Group& group(const std::string& id);
  Group* find(const std::string& id);
  const Group* find(const std::string& id) const;
  std::string new_member_id(const Group& g, const std::string& client_id);
  bool supports_protocols(const Group& g, const JoinParams& p) const;
  // The member id an instance id is registered under, if any.
  static const std::string* static_member_id(const Group& g, const std::string& instance_id);
  static Errc check_member(const Group& g, const std::string& member_id, const std::optional<std::string>& instance_id);
  std::optional<JoinResult> replace_static_member(Token token, Group& g, const std::string& old_id, const JoinParams& p);
  void prepare_rebalance(Group& g);
  void try_complete_join(Group& g);
  void remove_member(Group& g, const std::string& member_id, Errc answer);
  std::string select_protocol(const Group& g) const;
  JoinResult join_result(const Group& g, const Member& m) const;
  void complete(Token token, std::variant<JoinResult, SyncResult> result);
  GroupValue stored_value(const Group& g) const;
  void maybe_forget(const std::string& id);
  // Tombstones (into records_) for the offsets of empty groups past their retention.
  void expire_offsets();

  const Clock& clock_;
  CoordinatorConfig config_;
  std::set<std::int32_t> loaded_;        // the __consumer_offsets partitions served here
  std::map<std::string, Group> groups_;  // only groups of loaded partitions
  std::deque<Completion> completed_;
  std::vector<OffsetsTopicRecord> records_;
  std::uint64_t next_member_ = 1;
  std::int64_t next_expiry_check_ms_ = 0;  // monotonic
};

}  // namespace streamcraft::group
