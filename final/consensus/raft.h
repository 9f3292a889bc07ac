// consensus/raft.h — Raft, the consensus core of the keeper ensemble, as a state machine.
//
// A few servers agree on one sequence of entries (a replicated log) while any minority of
// them may crash, pause or be cut off. Raft's rules, in the words of this file:
//
// - Time is split into terms, each with at most one leader. A follower that hears no
//   leader for its (randomised) election timeout asks the others for their votes; a server
//   votes at most once per term (the vote is durable), and only for a candidate whose log
//   is at least as up to date as its own (a later last term, or the same last term and at
//   least as long). A majority of votes makes a leader: two majorities always share a
//   server, so a term cannot have two.
// - The leader appends entries and replicates them with AppendEntries, which carries the
//   index and term of the entry before the new ones; a follower accepts only if its log
//   has that entry (the consistency check), and a leader that is refused steps back. So
//   logs that agree on an entry agree on everything before it.
// - An entry is committed when a majority has it, counted by the leader — but only for an
//   entry of the leader's own term; earlier terms' entries are committed with it (a new
//   leader appends an empty entry to get there at once). A committed entry is in every
//   later leader's log, because its voters had it and the vote rule elects only a server
//   that has it too.
// - Pre-vote: before a real election, a server asks whether it *could* win, without
//   raising its term; and a server that has heard from a live leader within the election
//   timeout refuses to vote at all. A server coming back from a partition therefore does not
//   depose a healthy leader by raising the term. A leader that has not heard from a
//   majority within an election timeout steps down (check-quorum): a leader cut off from the
//   rest stops acting as one.
// - Snapshots: the server's state machine, saved at an applied index, stands for every
//   entry up to it, and the log before it is dropped (compact()). A follower that needs
//   entries the leader no longer has gets the leader's snapshot instead (InstallSnapshot),
//   restores its state from it, and goes on from there.
//
// Sans-I/O: messages and ticks go in (step, tick, propose); what the server must do comes out
// of take_ready(), in an order that matters — first make the term, the vote and the log
// changes durable, then send the messages (a vote or an acknowledgement promises what is on
// disk), then apply the committed entries. The same core runs in the simulator and in the
// `streamcraft keeper` process. Not thread-safe: one thread drives it.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace streamcraft::consensus {

using NodeId = std::int32_t;
inline constexpr NodeId kNoNode = -1;

struct Entry {
  std::int64_t term = 0;
  Bytes data;  // empty: the entry a new leader appends to commit its predecessors' entries
  bool operator==(const Entry&) const = default;
};

// RequestVote; pre_vote: "would you vote for me?", which changes no term and no vote.
struct VoteRequest {
  std::int64_t term = 0;  // for a pre-vote, the term the candidate would stand in
  std::int64_t last_index = 0;
  std::int64_t last_term = 0;
  bool pre_vote = false;
};
struct VoteReply {
  std::int64_t term = 0;
  bool granted = false;
  bool pre_vote = false;
};
// AppendEntries, also the leader's heartbeat (no entries).
struct AppendRequest {
  std::int64_t term = 0;
  std::int64_t prev_index = 0;  // the entry before `entries`, which the follower must have
  std::int64_t prev_term = 0;
  std::vector<Entry> entries;
  std::int64_t commit = 0;      // the leader's commit index
};
struct AppendReply {
  std::int64_t term = 0;
  bool success = false;
  std::int64_t match_index = 0;  // success: the follower's log matches the leader's up to here
  std::int64_t retry_from = 0;   // refusal: where the leader should try next (the first index
                                 // of the conflicting term, or the follower's log end)
};
// InstallSnapshot: the leader's state as of `index`, for a follower that needs entries the
// leader has compacted away. Answered with an AppendReply (match_index = index).
struct SnapshotRequest {
  std::int64_t term = 0;
  std::int64_t index = 0;       // the last entry the snapshot covers
  std::int64_t last_term = 0;   // that entry's term
  Bytes data;
};
using Body = std::variant<VoteRequest, VoteReply, AppendRequest, AppendReply, SnapshotRequest>;

struct Message {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Body body;
};

enum class Role { follower, pre_candidate, candidate, leader };
const char* role_name(Role role);

struct RaftConfig {
  NodeId id = 0;
  std::vector<NodeId> voters;  // every server of the ensemble, this one included
  // A follower campaigns after hearing nothing from a leader for a random number of ticks
  // in [election_ticks, 2 * election_ticks): the spread makes split votes rare.
  int election_ticks = 10;
  int heartbeat_ticks = 1;
  std::size_t max_entries_per_append = 64;
  std::uint64_t seed = 1;  // the randomised timeouts come from here: runs replay exactly
};

// What must survive a crash: the current term, the vote cast in it, and the log.
struct HardState {
  std::int64_t term = 0;
  NodeId voted_for = kNoNode;
  bool operator==(const HardState&) const = default;
};
struct Snapshot {
  std::int64_t index = 0;  // the last entry it covers (0: none, the empty state)
  std::int64_t term = 0;   // that entry's term
  Bytes data;              // the state machine's, opaque to Raft
  bool operator==(const Snapshot&) const = default;
};
struct Durable {
  HardState hard;
  Snapshot snapshot;
  std::vector<Entry> log;  // the entries after the snapshot: log[0] is index snapshot.index + 1
  bool operator==(const Durable&) const = default;
};

// What the server must do after a step, in this order.
struct Ready {
  std::optional<HardState> hard_state;         // 1. persist, if set
  std::optional<Snapshot> snapshot;            //    a snapshot from the leader: persist it, restore
                                               //    the state machine from it
  std::optional<Snapshot> compacted;           //    one taken here (compact()): persist it
                                               //    Either way the log it covers goes, and the entries
                                               //    after it stay only if the log holds its last entry
                                               //    with its term (persist())
  std::int64_t append_from = 0;                // 2. drop the log from append_from on (entries a
  std::vector<Entry> append;                   //    leader overruled), then persist `append` there
  std::vector<Message> messages;               // 3. send
  std::int64_t committed_from = 0;             // 4. apply `committed`, at committed_from…
  std::vector<Entry> committed;
  bool empty() const {
    return !hard_state && !snapshot && !compacted && append_from == 0 && messages.empty() && committed.empty();
  }
};

// Carries out a Ready's steps 1 and 2 on a Durable: what a server's disk must hold after
// them. The rule every storage follows; the simulator's disks are Durables kept this way.
void persist(Durable& disk, const Ready& ready);

class Raft {
 public:
  // Starts as a follower from what the disk held (all empty on a server's first start). The
  // state machine starts from the snapshot: entries after it are applied again as they commit.
  Raft(RaftConfig config, Durable durable);

  void tick();
  void step(const Message& message);
  // On the leader: appends `data` as a new entry of its term and returns its index. On any
  // other server: NOT_LEADER_OR_FOLLOWER (leader() names the leader, when known).
  Result<std::int64_t> propose(Bytes data);
  // The state machine as of applied entry `index` (at most what take_ready() has handed out
  // to apply): the log up to it is dropped, and the snapshot is what a follower too far
  // behind is sent. INVALID_REQUEST for an index not applied yet; older ones change nothing.
  Status compact(std::int64_t index, Bytes data);
  Ready take_ready();

  Role role() const { return role_; }
  NodeId id() const { return config_.id; }
  std::int64_t term() const { return hard_.term; }
  NodeId leader() const { return leader_; }
  std::int64_t commit_index() const { return commit_; }
  std::int64_t last_index() const { return snapshot_.index + static_cast<std::int64_t>(log_.size()); }
  // The first index still in the log (those before it are in the snapshot).
  std::int64_t first_index() const { return snapshot_.index + 1; }
  // The term of the entry at index: the snapshot's for its last index, 0 outside the log.
  std::int64_t term_at(std::int64_t index) const;
  // An entry still in the log: first_index() <= index <= last_index().
  const Entry& entry(std::int64_t index) const { return log_[static_cast<std::size_t>(index - first_index())]; }
  const Snapshot& snapshot() const { return snapshot_; }

 private:
  struct Progress {
    std::int64_t next = 1;   // the next index to send
    std::int64_t match = 0;  // the highest index known to be on the follower
    bool active = false;     // heard from within the current election timeout
    int snapshot_wait = 0;   // ticks before a snapshot sent (and not answered) is sent again
  };

  void become_follower(std::int64_t term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void set_term(std::int64_t term);
  void reset_election_timer();
  bool in_lease() const;
  bool log_up_to_date(std::int64_t last_term, std::int64_t last_index) const;
  std::size_t quorum() const { return config_.voters.size() / 2 + 1; }
  void send(NodeId to, Body body);
  void send_append(NodeId to);
  void broadcast_append();
  void on_vote_request(NodeId from, const VoteRequest& m);
  void on_vote_reply(NodeId from, const VoteReply& m);
  void on_append_request(NodeId from, const AppendRequest& m);
  void on_append_reply(NodeId from, const AppendReply& m);
  void on_snapshot(NodeId from, const SnapshotRequest& m);
  void maybe_commit();
  void append_entry(Entry entry);
  void truncate_from(std::int64_t index);
  std::uint64_t next_random();

  RaftConfig config_;
  HardState hard_;
  Snapshot snapshot_;     // what the log before first_index() became
  std::vector<Entry> log_;  // the entries after the snapshot
  Role role_ = Role::follower;
  NodeId leader_ = kNoNode;
  std::int64_t commit_ = 0;
  std::int64_t applied_ = 0;
  int elapsed_ = 0;           // ticks since the leader was last heard (or the election began)
  int timeout_ = 0;           // this round's randomised election timeout
  int heartbeat_elapsed_ = 0;
  std::vector<NodeId> votes_;  // granted this round (pre-votes or votes)
  std::vector<std::pair<NodeId, Progress>> progress_;  // the leader's view of each other voter
  std::uint64_t rng_;

  // Not yet handed out by take_ready():
  bool hard_dirty_ = false;
  std::int64_t unstable_from_ = 0;  // 0: no log change; else the first changed index
  std::vector<Message> outbox_;
  std::optional<Snapshot> installed_;  // received, for take_ready() to hand out
  std::optional<Snapshot> compacted_;
};

}  // namespace streamcraft::consensus
