// consensus/raft.cpp — Raft's rules: elections, replication, commitment.
#include "consensus/raft.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace streamcraft::consensus {

const char* role_name(Role role) {
  switch (role) {
    case Role::follower: return "follower";
    case Role::pre_candidate: return "pre-candidate";
    case Role::candidate: return "candidate";
    case Role::leader: return "leader";
  }
  return "?";
}

void persist(Durable& disk, const Ready& ready) {
  if (ready.hard_state) disk.hard = *ready.hard_state;
  const Snapshot* snap = ready.snapshot ? &*ready.snapshot : ready.compacted ? &*ready.compacted : nullptr;
  if (snap && snap->index > disk.snapshot.index) {
    // The entries after the snapshot stay if the log holds the entry it ends with, of its
    // term (they continue it); otherwise none of them does.
    const auto covered = static_cast<std::size_t>(snap->index - disk.snapshot.index);
    if (covered <= disk.log.size() && disk.log[covered - 1].term == snap->term)
      disk.log.erase(disk.log.begin(), disk.log.begin() + static_cast<std::ptrdiff_t>(covered));
    else
      disk.log.clear();
    disk.snapshot = *snap;
  }
  if (ready.append_from > 0) {
    disk.log.resize(static_cast<std::size_t>(ready.append_from - 1 - disk.snapshot.index));
    disk.log.insert(disk.log.end(), ready.append.begin(), ready.append.end());
  }
}

Raft::Raft(RaftConfig config, Durable durable)
    : config_(std::move(config)),
      hard_(durable.hard),
      snapshot_(std::move(durable.snapshot)),
      log_(std::move(durable.log)),
      rng_(config_.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(config_.id) + 1) {
  // The commit index is not durable, but a snapshot holds committed entries only: the
  // state machine restarts from it, and the entries after it are applied as they commit.
  commit_ = applied_ = snapshot_.index;
  reset_election_timer();
}

std::uint64_t Raft::next_random() {
  // splitmix64: small, fast, and the same on every platform, so a seed replays everywhere.
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::int64_t Raft::term_at(std::int64_t index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < first_index() || index > last_index()) return 0;
  return entry(index).term;
}

void Raft::reset_election_timer() {
  elapsed_ = 0;
  timeout_ = config_.election_ticks + static_cast<int>(next_random() % static_cast<std::uint64_t>(config_.election_ticks));
}

// A server that heard from a leader less than an election timeout ago believes that leader
// is alive, and will not help anyone replace it: no votes, no pre-votes, no new term.
bool Raft::in_lease() const { return leader_ != kNoNode && elapsed_ < config_.election_ticks; }

bool Raft::log_up_to_date(std::int64_t last_term, std::int64_t last_index) const {
  const auto my_term = term_at(this->last_index());
  return last_term > my_term || (last_term == my_term && last_index >= this->last_index());
}

void Raft::set_term(std::int64_t term) {
  if (term == hard_.term) return;
  hard_.term = term;
  hard_.voted_for = kNoNode;
  hard_dirty_ = true;
}

void Raft::become_follower(std::int64_t term, NodeId leader) {
  set_term(term);
  role_ = Role::follower;
  leader_ = leader;
  votes_.clear();
  progress_.clear();
  reset_election_timer();
}

void Raft::become_pre_candidate() {
  // No new term yet: only a majority's "yes, I would" starts a real election.
  role_ = Role::pre_candidate;
  leader_ = kNoNode;
  votes_ = {config_.id};
  reset_election_timer();
  if (votes_.size() >= quorum()) return become_candidate();
  for (auto peer : config_.voters)
    if (peer != config_.id)
      send(peer, VoteRequest{hard_.term + 1, last_index(), term_at(last_index()), /*pre_vote=*/true});
}

void Raft::become_candidate() {
  set_term(hard_.term + 1);
  hard_.voted_for = config_.id;  // durable before the requests leave (take_ready's order)
  hard_dirty_ = true;
  role_ = Role::candidate;
  leader_ = kNoNode;
  votes_ = {config_.id};
  reset_election_timer();
  if (votes_.size() >= quorum()) return become_leader();
  for (auto peer : config_.voters)
    if (peer != config_.id) send(peer, VoteRequest{hard_.term, last_index(), term_at(last_index()), false});
}

void Raft::become_leader() {
  role_ = Role::leader;
  leader_ = config_.id;
  votes_.clear();
  progress_.clear();
  for (auto peer : config_.voters)
    if (peer != config_.id) progress_.push_back({peer, Progress{last_index() + 1, 0, true}});
  reset_election_timer();
  heartbeat_elapsed_ = 0;
  // An entry of the new term: committing it commits everything before it, which the
  // leader may not count replicas of directly (an earlier term's entry on a majority can
  // still be overwritten — the Raft paper's figure 8).
  append_entry(Entry{hard_.term, {}});
  broadcast_append();
  maybe_commit();  // a single-server ensemble commits alone
}

void Raft::append_entry(Entry entry) {
  log_.push_back(std::move(entry));
  const auto index = last_index();
  if (unstable_from_ == 0 || index < unstable_from_) unstable_from_ = index;
}

void Raft::truncate_from(std::int64_t index) {
  assert(index > commit_);  // a committed entry is never overruled
  log_.resize(static_cast<std::size_t>(index - first_index()));
  if (unstable_from_ == 0 || index < unstable_from_) unstable_from_ = index;
}

void Raft::send(NodeId to, Body body) { outbox_.push_back(Message{config_.id, to, std::move(body)}); }

void Raft::send_append(NodeId to) {
  auto it = std::find_if(progress_.begin(), progress_.end(), [&](const auto& p) { return p.first == to; });
  if (it == progress_.end()) return;
  auto& pr = it->second;
  if (pr.next <= snapshot_.index) {
    // The entries it needs are compacted away: it gets the snapshot, and the entries after
    // it once it answers. Sent again only if no answer came within an election timeout.
    send(to, SnapshotRequest{hard_.term, snapshot_.index, snapshot_.term, snapshot_.data});
    pr.next = snapshot_.index + 1;
    pr.snapshot_wait = config_.election_ticks;
    return;
  }
  AppendRequest req;
  req.term = hard_.term;
  req.prev_index = pr.next - 1;
  req.prev_term = term_at(req.prev_index);
  req.commit = commit_;
  for (auto i = pr.next; i <= last_index() && req.entries.size() < config_.max_entries_per_append; ++i)
    req.entries.push_back(entry(i));
  // Optimistically past what was just sent, so that the next append sends what follows
  // instead of the same entries again; a refusal moves it back.
  pr.next += static_cast<std::int64_t>(req.entries.size());
  send(to, std::move(req));
}

void Raft::broadcast_append() {
  for (const auto& [peer, pr] : progress_) send_append(peer);
}

void Raft::tick() {
  ++elapsed_;
  if (role_ == Role::leader) {
    if (++heartbeat_elapsed_ >= config_.heartbeat_ticks) {
      heartbeat_elapsed_ = 0;
      // A heartbeat starts from what the follower is known to have: entries sent on an
      // optimistic `next` and lost on the way go again (a resent entry is skipped).
      for (auto& [peer, pr] : progress_) {
        if (pr.snapshot_wait > 0 && --pr.snapshot_wait > 0) continue;  // a snapshot is on its way
        pr.next = pr.match + 1;
        send_append(peer);
      }
    }
    if (elapsed_ >= config_.election_ticks) {
      // Check-quorum: a leader that heard from fewer than a majority (itself included)
      // in a whole election timeout may be cut off; a new leader may already be elected
      // on the other side. It steps down rather than go on acting as leader.
      std::size_t active = 1;
      for (auto& [peer, pr] : progress_) {
        if (pr.active) ++active;
        pr.active = false;
      }
      elapsed_ = 0;
      if (active < quorum()) become_follower(hard_.term, kNoNode);
    }
    return;
  }
  if (elapsed_ >= timeout_) become_pre_candidate();
}

Result<std::int64_t> Raft::propose(Bytes data) {
  if (role_ != Role::leader) return make_error(Errc::not_leader_or_follower, "not the leader");
  append_entry(Entry{hard_.term, std::move(data)});
  broadcast_append();
  maybe_commit();
  return last_index();
}

void Raft::step(const Message& message) {
  // Only the ensemble's servers take part, and only a message meant for this one counts.
  if (message.to != config_.id || message.from == config_.id ||
      std::find(config_.voters.begin(), config_.voters.end(), message.from) == config_.voters.end())
    return;
  const auto term_of = [](const Body& b) { return std::visit([](const auto& m) { return m.term; }, b); };
  const std::int64_t term = term_of(message.body);
  const auto* vote = std::get_if<VoteRequest>(&message.body);
  const auto* vote_reply = std::get_if<VoteReply>(&message.body);

  if (term > hard_.term) {
    if (vote && in_lease()) return;  // a live leader is known: ignore the would-be usurper
    const bool pre = (vote && vote->pre_vote) || (vote_reply && vote_reply->pre_vote && vote_reply->granted);
    if (!pre) {
      // Any message of a later term makes this server a follower in that term; only an
      // AppendEntries says who leads it.
      const bool from_leader = std::holds_alternative<AppendRequest>(message.body) ||
                               std::holds_alternative<SnapshotRequest>(message.body);
      become_follower(term, from_leader ? message.from : kNoNode);
    }
  } else if (term < hard_.term) {
    // A stale leader or candidate learns the term from the answer and steps down.
    if (std::holds_alternative<AppendRequest>(message.body) || std::holds_alternative<SnapshotRequest>(message.body))
      send(message.from, AppendReply{hard_.term, false, 0, 0});
    else if (vote)
      send(message.from, VoteReply{hard_.term, false, vote->pre_vote});
    return;
  }

  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, VoteRequest>) on_vote_request(message.from, m);
        else if constexpr (std::is_same_v<T, VoteReply>) on_vote_reply(message.from, m);
        else if constexpr (std::is_same_v<T, AppendRequest>) on_append_request(message.from, m);
        else if constexpr (std::is_same_v<T, SnapshotRequest>) on_snapshot(message.from, m);
        else on_append_reply(message.from, m);
      },
      message.body);
}

void Raft::on_vote_request(NodeId from, const VoteRequest& m) {
  bool grant = false;
  if (m.pre_vote) {
    // Would vote: the candidate's term would be newer, no live leader is known, and its
    // log is at least as up to date. Nothing is recorded.
    grant = m.term > hard_.term && !in_lease() && log_up_to_date(m.last_term, m.last_index);
  } else {
    grant = (hard_.voted_for == kNoNode || hard_.voted_for == from) && log_up_to_date(m.last_term, m.last_index);
    if (grant) {
      hard_.voted_for = from;
      hard_dirty_ = true;
      reset_election_timer();  // having voted, give the candidate its chance
    }
  }
  // A granted pre-vote answers in the term asked about, so that the asker counts it.
  send(from, VoteReply{grant && m.pre_vote ? m.term : hard_.term, grant, m.pre_vote});
}

void Raft::on_vote_reply(NodeId from, const VoteReply& m) {
  const bool counts = (role_ == Role::pre_candidate && m.pre_vote && m.term == hard_.term + 1) ||
                      (role_ == Role::candidate && !m.pre_vote && m.term == hard_.term);
  if (!counts || !m.granted) return;
  if (std::find(votes_.begin(), votes_.end(), from) == votes_.end()) votes_.push_back(from);
  if (votes_.size() < quorum()) return;
  if (role_ == Role::pre_candidate) become_candidate();
  else become_leader();
}

void Raft::on_append_request(NodeId from, const AppendRequest& m) {
  // The term is ours: the sender is its leader (a candidate of this term lost).
  if (role_ != Role::follower || leader_ != from) become_follower(hard_.term, from);
  reset_election_timer();
  leader_ = from;

  // Entries up to the snapshot are committed, the same on every server: a resent append
  // that starts before it is taken from the snapshot's end on.
  std::int64_t prev_index = m.prev_index, prev_term = m.prev_term;
  auto first_new = m.entries.begin();
  if (prev_index < snapshot_.index) {
    const auto skip = std::min<std::int64_t>(snapshot_.index - prev_index, static_cast<std::int64_t>(m.entries.size()));
    first_new += skip;
    prev_index = snapshot_.index;
    prev_term = snapshot_.term;
  }
  if (prev_index > last_index()) {
    send(from, AppendReply{hard_.term, false, 0, last_index() + 1});
    return;
  }
  if (prev_index > 0 && term_at(prev_index) != prev_term) {
    // Skip the whole conflicting term at once, not one entry per round trip. Never below
    // the commit index: those entries are the leader's too.
    const auto conflict = term_at(prev_index);
    auto first = prev_index;
    while (first - 1 > commit_ && term_at(first - 1) == conflict) --first;
    send(from, AppendReply{hard_.term, false, 0, std::max(first, commit_ + 1)});
    return;
  }
  auto index = prev_index;
  for (auto it = first_new; it != m.entries.end(); ++it) {
    const auto& e = *it;
    ++index;
    if (index <= last_index()) {
      if (term_at(index) == e.term) continue;  // already here (a resent append)
      // A leader never contradicts a committed entry (the vote rule sees to that): a message
      // that does comes from a server not following Raft, and is ignored whole.
      if (index <= commit_) return;
      truncate_from(index);                    // overruled by the leader: a suffix never committed
    }
    append_entry(e);
  }
  // What this append proves matches the leader's log; entries past it (from a deposed
  // leader) are not known to match, so the commit index may not move past it.
  const auto matched = index;
  if (m.commit > commit_) commit_ = std::max(commit_, std::min(m.commit, matched));
  send(from, AppendReply{hard_.term, true, matched, 0});
}

void Raft::on_append_reply(NodeId from, const AppendReply& m) {
  if (role_ != Role::leader) return;
  auto it = std::find_if(progress_.begin(), progress_.end(), [&](const auto& p) { return p.first == from; });
  if (it == progress_.end()) return;
  auto& pr = it->second;
  pr.active = true;
  if (m.success) {
    pr.snapshot_wait = 0;
    pr.match = std::max(pr.match, std::min(m.match_index, last_index()));
    pr.next = std::max(pr.next, pr.match + 1);
    maybe_commit();
    if (pr.next <= last_index()) send_append(from);
    return;
  }
  pr.next = std::max(pr.match + 1, std::min(m.retry_from, last_index() + 1));
  send_append(from);
}

void Raft::on_snapshot(NodeId from, const SnapshotRequest& m) {
  if (role_ != Role::follower || leader_ != from) become_follower(hard_.term, from);
  reset_election_timer();
  leader_ = from;
  if (m.index <= commit_) {
    // Nothing new: this server already has (and has committed) everything it covers.
    send(from, AppendReply{hard_.term, true, commit_, 0});
    return;
  }
  // Entries after the snapshot that agree with it stay; a log that disagrees at its index
  // (or is shorter) is replaced whole.
  const bool keep = m.index < last_index() && term_at(m.index) == m.last_term;
  if (keep)
    log_.erase(log_.begin(), log_.begin() + (m.index - snapshot_.index));
  else
    log_.clear();
  snapshot_ = Snapshot{m.index, m.last_term, m.data};
  commit_ = applied_ = m.index;  // the state machine is restored from it, not replayed
  installed_ = snapshot_;
  compacted_.reset();
  // The storage keeps what it has after the snapshot by the same rule (persist()); of the
  // kept entries, those not yet handed out are still to be written.
  if (!keep) unstable_from_ = 0;
  else if (unstable_from_ != 0) unstable_from_ = std::max(unstable_from_, m.index + 1);
  send(from, AppendReply{hard_.term, true, m.index, 0});
}

Status Raft::compact(std::int64_t index, Bytes data) {
  if (index > applied_)
    return make_error(Errc::invalid_request, fmt::format("cannot compact to {}: applied only to {}", index, applied_));
  if (index <= snapshot_.index) return {};
  const auto term = term_at(index);
  log_.erase(log_.begin(), log_.begin() + (index - snapshot_.index));
  snapshot_ = Snapshot{index, term, std::move(data)};
  compacted_ = snapshot_;
  if (unstable_from_ != 0 && unstable_from_ <= index) unstable_from_ = index + 1;
  return {};
}

void Raft::maybe_commit() {
  // The highest index a majority has (the leader has all of its log).
  std::vector<std::int64_t> matches{last_index()};
  for (const auto& [peer, pr] : progress_) matches.push_back(pr.match);
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const auto majority = matches[quorum() - 1];
  // Only an entry of this term is committed by counting (see become_leader).
  if (majority > commit_ && term_at(majority) == hard_.term) {
    commit_ = majority;
    // Followers learn the new commit index with the next append or heartbeat.
  }
}

Ready Raft::take_ready() {
  Ready r;
  if (hard_dirty_) r.hard_state = hard_;
  hard_dirty_ = false;
  r.snapshot = std::move(installed_);
  installed_.reset();
  r.compacted = std::move(compacted_);
  compacted_.reset();
  if (unstable_from_ != 0) {
    r.append_from = unstable_from_;
    for (auto i = unstable_from_; i <= last_index(); ++i) r.append.push_back(entry(i));
  }
  unstable_from_ = 0;
  r.messages = std::move(outbox_);
  outbox_.clear();
  if (commit_ > applied_) {
    r.committed_from = applied_ + 1;
    for (auto i = applied_ + 1; i <= commit_; ++i) r.committed.push_back(entry(i));
    applied_ = commit_;
  }
  return r;
}

}  // namespace streamcraft::consensus
