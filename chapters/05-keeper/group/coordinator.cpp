// generated from final/group/coordinator.cpp; edit there
// group/coordinator.cpp — the group state machine (see the header for the protocol).
#include "group/coordinator.h"
#include "common/not_implemented.h"  // the stubs of this file's exercises

#include <algorithm>

#include <fmt/format.h>

namespace streamcraft::group {

std::string_view state_name(GroupState s) {
  switch (s) {
    case GroupState::empty: return "Empty";
    case GroupState::preparing_rebalance: return "PreparingRebalance";
    case GroupState::completing_rebalance: return "CompletingRebalance";
    case GroupState::stable: return "Stable";
    case GroupState::dead: return "Dead";
  }
  return "Unknown";
}

Coordinator::Group& Coordinator::group(const std::string& id) {
  auto [it, inserted] = groups_.try_emplace(id);
  if (inserted) it->second.id = id;
  return it->second;
}

Coordinator::Group* Coordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

const Coordinator::Group* Coordinator::find(const std::string& id) const {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

void Coordinator::maybe_forget(const std::string& id) {
  auto* g = find(id);
  if (g && g->state == GroupState::empty && g->members.empty() && g->pending_members.empty() && g->offsets.empty())
    groups_.erase(id);
}

std::string Coordinator::new_member_id(const Group& g, const std::string& client_id) {
  // Kafka appends a UUID; a counter is enough for one coordinator, and it makes the
  // tests' member ids predictable. Skip ids still present after a restart.
  for (;;) {
    auto id = fmt::format("{}-{}", client_id.empty() ? "member" : client_id, next_member_++);
    if (!g.members.contains(id) && !g.pending_members.contains(id)) return id;
  }
}

bool Coordinator::supports_protocols(const Group& g, const JoinParams& p) const {
  if (g.members.empty()) return true;  // the first member sets the group's protocol type
  if (p.protocol_type != g.protocol_type) return false;
  // At least one of the joiner's protocols must be supported by every current member.
  return std::any_of(p.protocols.begin(), p.protocols.end(), [&](const ProtocolChoice& choice) {
    return std::all_of(g.members.begin(), g.members.end(), [&](const auto& entry) {
      const auto& theirs = entry.second.protocols;
      return std::any_of(theirs.begin(), theirs.end(), [&](const auto& t) { return t.name == choice.name; });
    });
  });
}

// A scan rather than a second map from instance ids to member ids: groups are small, and
// the member itself is then the only place that says which instance it is, so removing a
// member (leave, session expiry, a missed rebalance) can never leave a stale mapping.
const std::string* Coordinator::static_member_id(const Group& g, const std::string& instance_id) {
  for (const auto& [id, m] : g.members)
    if (m.group_instance_id == instance_id) return &id;
  return nullptr;
}

Errc Coordinator::check_member(const Group& g, const std::string& member_id,
                               const std::optional<std::string>& instance_id) {
  // Fencing first, as in Kafka: a request that carries an instance id with a member id
  // other than the one registered for it comes from an older incarnation of the instance
  // (a process that was replaced after a restart, or a second copy started by mistake).
  // FENCED_INSTANCE_ID is fatal for the client instead of a cue to rejoin: were it to
  // rejoin, it would replace the live incarnation, which would rejoin in turn, and the
  // two would take the instance from each other for ever.
  if (instance_id) {
    if (const auto* current = static_member_id(g, *instance_id); current && *current != member_id)
      return Errc::fenced_instance_id;
  }
  return g.members.contains(member_id) ? Errc::none : Errc::unknown_member_id;
}

namespace {
bool same_protocols(const std::vector<ProtocolChoice>& a, const std::vector<ProtocolChoice>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return x.name == y.name && x.metadata == y.metadata; });
}
}  // namespace

std::optional<JoinResult> Coordinator::join(Token token, const JoinParams& p) {
  auto fail = [&](Errc e) { return JoinResult{e, -1, {}, {}, p.member_id, {}}; };
  if (p.group_id.empty()) return fail(Errc::invalid_group_id);
  // Kafka's order: is the group id valid, and is it ours, before anything about the member.
  if (!coordinates(p.group_id)) return fail(Errc::not_coordinator);
  if (p.session_timeout_ms < config_.min_session_timeout_ms || p.session_timeout_ms > config_.max_session_timeout_ms)
    return fail(Errc::invalid_session_timeout);
  if (p.protocol_type.empty() || p.protocols.empty()) return fail(Errc::inconsistent_group_protocol);
  Group* existing = find(p.group_id);
  if (!p.member_id.empty() && !existing) return fail(Errc::unknown_member_id);
  Group& g = existing ? *existing : group(p.group_id);
  if (!supports_protocols(g, p)) {
    maybe_forget(p.group_id);
    return fail(Errc::inconsistent_group_protocol);
  }

  std::string member_id = p.member_id;
  bool is_new = false;
  if (member_id.empty() && p.group_instance_id) {
    // A static member that does not know its member id: its first join ever, or a
    // restarted process. A known instance takes over its old member id's place.
    if (const auto* old_id = static_member_id(g, *p.group_instance_id))
      return replace_static_member(token, g, std::string(*old_id), p);
    // No MEMBER_ID_REQUIRED round trip (KIP-394 is for dynamic members only): the instance
    // id already makes a retried join recognisable — the retry simply replaces the first.
    // Like Kafka, the new id starts with the instance id, which makes it easy to read.
    member_id = new_member_id(g, *p.group_instance_id);
    is_new = true;
  } else if (member_id.empty()) {
    member_id = new_member_id(g, p.client_id);
    if (p.require_known_member_id) {
      // Hand out the id first; the member joins with it. A join retried after a lost
      // response then reuses the id instead of leaving a phantom member behind.
      g.pending_members[member_id] = clock_.monotonic_ms() + p.session_timeout_ms;
      return JoinResult{Errc::member_id_required, -1, {}, {}, member_id, {}};
    }
    is_new = true;
  } else if (auto it = g.pending_members.find(member_id); it != g.pending_members.end()) {
    g.pending_members.erase(it);
    is_new = true;
  } else if (auto e = check_member(g, member_id, p.group_instance_id); e != Errc::none) {
    return fail(e);  // unknown, or a static member's old id after its instance rejoined
  }

  Member& m = g.members[member_id];
  const bool protocols_changed = is_new || !same_protocols(m.protocols, p.protocols);
  if (is_new) m.group_instance_id = p.group_instance_id;
  m.id = member_id;
  m.client_id = p.client_id;
  m.client_host = p.client_host;
  m.session_timeout_ms = p.session_timeout_ms;
  m.rebalance_timeout_ms = p.rebalance_timeout_ms;
  m.protocol_type = p.protocol_type;
  m.protocols = p.protocols;
  m.last_heartbeat_ms = clock_.monotonic_ms();
  if (g.members.size() == 1) g.protocol_type = p.protocol_type;
  if (m.awaiting_join) complete(*m.awaiting_join, fail(Errc::unknown_member_id));  // superseded by this join
  m.awaiting_join = token;

  switch (g.state) {
    case GroupState::preparing_rebalance: break;
    case GroupState::completing_rebalance:
    case GroupState::stable:
      // A follower that rejoins with nothing new gets the current generation back;
      // anything else — a new member, new metadata, the leader — starts a rebalance.
      if (!protocols_changed && member_id != g.leader) {
        auto result = join_result(g, m);
        m.awaiting_join.reset();
        return result;
      }
      prepare_rebalance(g);
      break;
    case GroupState::empty:
    case GroupState::dead: prepare_rebalance(g); break;
  }
  try_complete_join(g);
  return std::nullopt;
}

std::optional<JoinResult> Coordinator::replace_static_member(Token token, Group& g, const std::string& old_id,
                                                            const JoinParams& p) {
  // The member keeps everything that matters to the group — its assignment, its place
  // as leader — under a new member id; the old id is fenced from now on. A fresh id
  // rather than the old one: whoever still holds the old id (the process that was
  // thought dead, a duplicate) must be told apart from the new incarnation.
  const std::string answered_leader = g.leader;
  // Chosen while the old id is still in the group, so that it cannot be chosen again
  // (after a coordinator restart the counter behind the ids starts over).
  const std::string new_id = new_member_id(g, *p.group_instance_id);
  auto node = g.members.extract(old_id);
  Member& old = node.mapped();
  // The old incarnation may still be waiting for an answer: it is fenced at once.
  if (old.awaiting_join)
    complete(*std::exchange(old.awaiting_join, std::nullopt), JoinResult{Errc::fenced_instance_id, -1, {}, {}, old_id, {}});
  if (old.awaiting_sync)
    complete(*std::exchange(old.awaiting_sync, std::nullopt), SyncResult{Errc::fenced_instance_id, {}});
  node.key() = new_id;
  Member& m = g.members.insert(std::move(node)).position->second;
  if (g.leader == old_id) g.leader = new_id;
  const bool protocols_changed = !same_protocols(m.protocols, p.protocols);
  m.id = new_id;
  m.client_id = p.client_id;
  m.client_host = p.client_host;
  m.session_timeout_ms = p.session_timeout_ms;
  m.rebalance_timeout_ms = p.rebalance_timeout_ms;
  m.protocols = p.protocols;
  m.last_heartbeat_ms = clock_.monotonic_ms();

  switch (g.state) {
    case GroupState::stable:
      if (!protocols_changed) {
        // The point of static membership: a restart is not a change of membership, so
        // the group keeps its generation and nobody's partitions move. The new member
        // id is recorded, so that a coordinator restart does not bring the old one back.
        //
        // Even the leader rejoins without a rebalance (Kafka 2.3+ does the same). Its
        // answer names the leader as it was before the join — the old member id — so the
        // restarted leader takes itself for a follower and syncs for its own share: were
        // it to compute an assignment now, a Stable group would never hand it out. It is
        // still the leader of the next rebalance, under its new id.
        //
        // Changed metadata (another subscription) or other protocols do rebalance: with
        // JoinGroup up to v5 nobody else could notice the change (Kafka 2.x keeps the
        // generation here, and the new subscription waits for the next rebalance; KIP-814
        // in JoinGroup v9 lets the leader see it instead). The price: a client whose
        // metadata differs after every restart (say, one that lists its owned partitions,
        // as cooperative assignors do) rebalances as a dynamic member would.
        records_.push_back(GroupRecord{g.id, stored_value(g)});
        return JoinResult{Errc::none, g.generation, g.protocol, answered_leader, new_id, {}};
      }
      prepare_rebalance(g);
      break;
    case GroupState::completing_rebalance:
      // The leader may be computing an assignment for the old member id right now, and
      // that share would never reach the new one: start over.
      prepare_rebalance(g);
      break;
    case GroupState::preparing_rebalance: break;  // the new incarnation simply joins this rebalance
    case GroupState::empty:
    case GroupState::dead: prepare_rebalance(g); break;  // not reached: such a group has no members
  }
  m.awaiting_join = token;
  try_complete_join(g);
  return std::nullopt;
}

void Coordinator::prepare_rebalance(Group& g) {
  // Members waiting for an assignment of the generation that is being abandoned must
  // rejoin: tell them now rather than letting them wait for a sync that never comes.
  if (g.state == GroupState::completing_rebalance) {
    for (auto& [id, m] : g.members) {
      if (m.awaiting_sync) complete(*std::exchange(m.awaiting_sync, std::nullopt), SyncResult{Errc::rebalance_in_progress, {}});
    }
  }
  std::int32_t timeout = 0;
  for (const auto& [id, m] : g.members) timeout = std::max(timeout, m.rebalance_timeout_ms);
  const auto now = clock_.monotonic_ms();
  g.rebalance_deadline_ms = now + timeout;
  // The first rebalance of an empty group waits a little for the rest of the consumers
  // that were started together, so they share one generation instead of several.
  g.initial_wait_until_ms =
      g.state == GroupState::empty ? now + std::min(config_.initial_rebalance_delay_ms, timeout) : now;
  g.state = GroupState::preparing_rebalance;
}

std::string Coordinator::select_protocol(const Group& g) const {
  // Candidates: protocols every member supports. Each member votes for its most
  // preferred candidate; the most votes win (ties: the first member's order).
  std::vector<std::string> candidates;
  for (const auto& choice : g.members.begin()->second.protocols) {
    bool everyone = std::all_of(g.members.begin(), g.members.end(), [&](const auto& entry) {
      const auto& ps = entry.second.protocols;
      return std::any_of(ps.begin(), ps.end(), [&](const auto& p) { return p.name == choice.name; });
    });
    if (everyone) candidates.push_back(choice.name);
  }
  std::map<std::string, int> votes;
  for (const auto& [id, m] : g.members) {
    for (const auto& p : m.protocols) {
      if (std::find(candidates.begin(), candidates.end(), p.name) != candidates.end()) {
        ++votes[p.name];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const auto& c : candidates) {
    if (votes[c] > best_votes) {
      best = c;
      best_votes = votes[c];
    }
  }
  return best;
}

void Coordinator::try_complete_join(Group& g) {
  if (g.state != GroupState::preparing_rebalance) return;
  const auto now = clock_.monotonic_ms();
  const bool all_joined =
      std::all_of(g.members.begin(), g.members.end(), [](const auto& e) { return e.second.awaiting_join.has_value(); });
  const bool deadline_passed = now >= g.rebalance_deadline_ms;
  if (!deadline_passed && !(all_joined && now >= g.initial_wait_until_ms)) return;

  // Members that did not rejoin within the rebalance timeout are out of the group.
  for (auto it = g.members.begin(); it != g.members.end();) {
    if (!it->second.awaiting_join) {
      if (g.leader == it->first) g.leader.clear();
      it = g.members.erase(it);
    } else {
      ++it;
    }
  }
  ++g.generation;
  if (g.members.empty()) {
    g.state = GroupState::empty;
    g.protocol.clear();
    g.leader.clear();
    g.empty_since_ms = clock_.now_ms();
    records_.push_back(GroupRecord{g.id, stored_value(g)});
    return;
  }
  g.protocol = select_protocol(g);
  if (g.leader.empty()) g.leader = g.members.begin()->first;
  g.state = GroupState::completing_rebalance;
  for (auto& [id, m] : g.members) {
    m.last_heartbeat_ms = now;  // the session clock restarts with the new generation
    complete(*std::exchange(m.awaiting_join, std::nullopt), join_result(g, m));
  }
}

JoinResult Coordinator::join_result(const Group& g, const Member& m) const {
  JoinResult r{Errc::none, g.generation, g.protocol, g.leader, m.id, {}};
  if (m.id == g.leader) {
    for (const auto& [id, member] : g.members) {
      for (const auto& p : member.protocols)
        if (p.name == g.protocol) r.members.push_back({id, member.group_instance_id, p.metadata});
    }
  }
  return r;
}

std::optional<SyncResult> Coordinator::sync(Token token, const SyncParams& p,
                                            const std::optional<std::string>& group_instance_id) {
  if (!coordinates(p.group_id)) return SyncResult{Errc::not_coordinator, {}};
  Group* g = find(p.group_id);
  if (!g) return SyncResult{Errc::unknown_member_id, {}};
  if (auto e = check_member(*g, p.member_id, group_instance_id); e != Errc::none) return SyncResult{e, {}};
  if (p.generation != g->generation) return SyncResult{Errc::illegal_generation, {}};
  Member& m = g->members[p.member_id];
  switch (g->state) {
    case GroupState::empty:
    case GroupState::dead: return SyncResult{Errc::unknown_member_id, {}};
    case GroupState::preparing_rebalance: return SyncResult{Errc::rebalance_in_progress, {}};
    case GroupState::stable: return SyncResult{Errc::none, m.assignment};
    case GroupState::completing_rebalance: break;
  }
  m.last_heartbeat_ms = clock_.monotonic_ms();
  m.awaiting_sync = token;
  if (p.member_id == g->leader) {
    // The leader's assignment ends the rebalance: everyone gets their share (a member
    // the leader left out gets an empty one), and the generation is recorded.
    for (auto& [id, member] : g->members) {
      member.assignment.clear();
      for (const auto& [assigned_to, bytes] : p.assignments)
        if (assigned_to == id) member.assignment = bytes;
    }
    g->state = GroupState::stable;
    records_.push_back(GroupRecord{g->id, stored_value(*g)});
    for (auto& [id, member] : g->members) {
      if (member.awaiting_sync)
        complete(*std::exchange(member.awaiting_sync, std::nullopt), SyncResult{Errc::none, member.assignment});
    }
  }
  return std::nullopt;
}

Errc Coordinator::heartbeat(const std::string& group_id, const std::string& member_id, std::int32_t generation,
                            const std::optional<std::string>& group_instance_id) {
  if (!coordinates(group_id)) return Errc::not_coordinator;
  Group* g = find(group_id);
  if (!g) return Errc::unknown_member_id;
  if (auto e = check_member(*g, member_id, group_instance_id); e != Errc::none) return e;
  if (generation != g->generation) return Errc::illegal_generation;
  g->members[member_id].last_heartbeat_ms = clock_.monotonic_ms();
  switch (g->state) {
    case GroupState::preparing_rebalance: return Errc::rebalance_in_progress;
    case GroupState::completing_rebalance:
    case GroupState::stable: return Errc::none;
    case GroupState::empty:
    case GroupState::dead: break;
  }
  return Errc::unknown_member_id;
}

Errc Coordinator::leave(const std::string& group_id, const std::string& member_id,
                        const std::optional<std::string>& group_instance_id) {
  if (!coordinates(group_id)) return Errc::not_coordinator;
  Group* g = find(group_id);
  if (!g) return Errc::unknown_member_id;
  std::string leaving = member_id;
  if (leaving.empty()) {
    // By instance id alone (LeaveGroup v3): whoever currently holds the instance goes.
    const auto* current = group_instance_id ? static_member_id(*g, *group_instance_id) : nullptr;
    if (!current) return Errc::unknown_member_id;
    leaving = *current;
  } else if (auto e = check_member(*g, leaving, group_instance_id); e != Errc::none) {
    return e;  // an old incarnation must not take the live one out of the group
  }
  remove_member(*g, leaving, Errc::unknown_member_id);
  return Errc::none;
}

void Coordinator::remove_member(Group& g, const std::string& member_id, Errc answer) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  if (it->second.awaiting_join) complete(*it->second.awaiting_join, JoinResult{answer, -1, {}, {}, member_id, {}});
  if (it->second.awaiting_sync) complete(*it->second.awaiting_sync, SyncResult{answer, {}});
  g.members.erase(it);
  if (g.leader == member_id) g.leader.clear();
  switch (g.state) {
    case GroupState::stable:
    case GroupState::completing_rebalance: prepare_rebalance(g); [[fallthrough]];
    case GroupState::preparing_rebalance: try_complete_join(g); break;
    case GroupState::empty:
    case GroupState::dead: break;
  }
}

CommitPlan Coordinator::plan_commit(const CommitParams& p, const std::optional<std::string>& group_instance_id) {
  CommitPlan plan;
  Errc error = Errc::none;
  Group* g = find(p.group_id);
  if (p.group_id.empty()) {
    error = Errc::invalid_group_id;
  } else if (!coordinates(p.group_id)) {
    error = Errc::not_coordinator;  // nothing to record: the group's log is led elsewhere
  } else if (p.generation < 0 && p.member_id.empty() && !group_instance_id) {
    // A commit from outside any group (a consumer that assigns partitions itself):
    // fine for a group without members, refused for one whose members own partitions.
    if (g && !g->members.empty()) error = Errc::unknown_member_id;
  } else if (!g) {
    error = Errc::illegal_generation;
  } else if (g->state == GroupState::completing_rebalance) {
    error = Errc::rebalance_in_progress;
  } else if (auto e = check_member(*g, p.member_id, group_instance_id); e != Errc::none) {
    error = e;  // a fenced incarnation's commit would move the group's position behind the live one's back
  } else if (p.generation != g->generation) {
    error = Errc::illegal_generation;
  } else {
    g->members[p.member_id].last_heartbeat_ms = clock_.monotonic_ms();  // a commit shows it is alive
  }
  const auto now = clock_.now_ms();
  for (const auto& part : p.partitions) {
    Errc e = error;
    if (e == Errc::none && part.metadata && part.metadata->size() > config_.max_metadata_bytes)
      e = Errc::offset_metadata_too_large;
    plan.errors.push_back(e);
    if (e == Errc::none) {
      plan.records.push_back(OffsetRecord{{p.group_id, part.topic, part.partition},
                                          OffsetValue{part.offset, part.leader_epoch, part.metadata.value_or(""), now}});
    }
  }
  return plan;
}

Result<std::vector<FetchedOffset>> Coordinator::fetch_offsets(
    const std::string& group_id,
    const std::optional<std::vector<std::pair<std::string, std::int32_t>>>& partitions) const {
  // Not "nothing committed": the offsets may well exist, in a partition served elsewhere.
  if (!coordinates(group_id))
    return make_error(Errc::not_coordinator, fmt::format("group {} is not coordinated here", group_id));
  std::vector<FetchedOffset> out;
  const Group* g = find(group_id);
  if (!partitions) {
    if (g) {
      for (const auto& [tp, v] : g->offsets) out.push_back({tp.first, tp.second, v.offset, v.leader_epoch, v.metadata});
    }
    return out;
  }
  for (const auto& [topic, partition] : *partitions) {
    FetchedOffset f{topic, partition, -1, -1, ""};
    if (g) {
      if (auto it = g->offsets.find({topic, partition}); it != g->offsets.end()) {
        f.offset = it->second.offset;
        f.leader_epoch = it->second.leader_epoch;
        f.metadata = it->second.metadata;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<GroupListing> Coordinator::list_groups() const {
  // groups_ holds the groups of the loaded partitions only.
  std::vector<GroupListing> out;
  for (const auto& [id, g] : groups_) out.push_back({id, g.protocol_type, std::string(state_name(g.state))});
  return out;
}

GroupDescription Coordinator::describe(const std::string& group_id) const {
  GroupDescription d;
  d.group_id = group_id;
  if (!coordinates(group_id)) {
    d.error = Errc::not_coordinator;  // and no state at all, as in Kafka
    return d;
  }
  const Group* g = find(group_id);
  if (!g) {
    d.state = "Dead";  // Kafka's answer for a group it does not know
    return d;
  }
  d.state = state_name(g->state);
  d.protocol_type = g->protocol_type;
  d.protocol = g->protocol;
  d.generation = g->generation;
  for (const auto& [id, m] : g->members) {
    MemberDescription md{id, m.client_id, m.client_host, {}, m.assignment};
    for (const auto& p : m.protocols)
      if (p.name == g->protocol) md.metadata = p.metadata;
    d.members.push_back(std::move(md));
  }
  return d;
}

Result<std::vector<OffsetsTopicRecord>> Coordinator::plan_delete(const std::string& group_id) {
  if (!coordinates(group_id))
    return make_error(Errc::not_coordinator, fmt::format("group {} is not coordinated here", group_id));
  const Group* g = find(group_id);
  if (!g) return make_error(Errc::group_id_not_found, fmt::format("group {} does not exist", group_id));
  if (g->state != GroupState::empty || !g->members.empty())
    return make_error(Errc::non_empty_group, fmt::format("group {} still has members", group_id));
  std::vector<OffsetsTopicRecord> records;
  for (const auto& [tp, v] : g->offsets) records.push_back(OffsetRecord{{group_id, tp.first, tp.second}, std::nullopt});
  records.push_back(GroupRecord{group_id, std::nullopt});
  return records;
}

void Coordinator::apply(const OffsetsTopicRecord& record, bool replay) {
  // The broker applies only records of groups it serves; the check keeps the promise that
  // no group of another partition ever appears here, whatever the caller does.
  if (!coordinates(group_of(record))) return;
  if (const auto* o = std::get_if<OffsetRecord>(&record)) {
    if (o->value) {
      group(o->key.group).offsets[{o->key.topic, o->key.partition}] = *o->value;
    } else if (Group* g = find(o->key.group)) {
      g->offsets.erase({o->key.topic, o->key.partition});
      maybe_forget(o->key.group);
    }
    return;
  }
  const auto& gr = std::get<GroupRecord>(record);
  if (!gr.value) {
    if (Group* g = find(gr.group); g && g->members.empty()) groups_.erase(gr.group);
    return;
  }
  // A live group is ahead of its own records; at start-up each record replaces the last.
  // Restored members must heartbeat within their session timeout, counted from now, or
  // they are removed and the group rebalances.
  if (!replay) return;
  Group& g = group(gr.group);
  g.members.clear();
  g.pending_members.clear();
  g.protocol_type = gr.value->protocol_type;
  g.generation = gr.value->generation;
  g.protocol = gr.value->protocol.value_or("");
  g.leader = gr.value->leader.value_or("");
  const auto now = clock_.monotonic_ms();
  for (const auto& sm : gr.value->members) {
    Member m;
    m.id = sm.member_id;
    m.group_instance_id = sm.group_instance_id;
    m.client_id = sm.client_id;
    m.client_host = sm.client_host;
    m.session_timeout_ms = sm.session_timeout_ms;
    m.rebalance_timeout_ms = sm.rebalance_timeout_ms;
    m.protocol_type = gr.value->protocol_type;
    m.protocols = {{g.protocol, sm.subscription}};
    m.assignment = sm.assignment;
    m.last_heartbeat_ms = now;
    g.members.emplace(m.id, std::move(m));
  }
  g.state = g.members.empty() ? GroupState::empty : GroupState::stable;
  g.empty_since_ms = g.members.empty() ? gr.value->state_timestamp : -1;
}

void Coordinator::load_partition(std::int32_t offsets_partition, const std::vector<OffsetsTopicRecord>& records) {
  if (!loaded_.insert(offsets_partition).second) return;
  for (const auto& r : records) {
    // Only a partition count changed under an existing topic puts a group's records in
    // another partition than its own; they are not this partition's to serve.
    if (partition_for(group_of(r)) == offsets_partition) apply(r, /*replay=*/true);
  }
}

void Coordinator::unload_partition(std::int32_t offsets_partition) {
  if (loaded_.erase(offsets_partition) == 0) return;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (partition_for(it->first) != offsets_partition) {
      ++it;
      continue;
    }
    // Through the usual completions: the handler answers these requests from
    // poll_deferred(), and the clients look for the new coordinator.
    for (auto& [id, m] : it->second.members) {
      if (m.awaiting_join) complete(*m.awaiting_join, JoinResult{Errc::not_coordinator, -1, {}, {}, id, {}});
      if (m.awaiting_sync) complete(*m.awaiting_sync, SyncResult{Errc::not_coordinator, {}});
    }
    it = groups_.erase(it);
  }
  // A record not yet appended (a rebalance's end, expired offsets' tombstones) must not
  // reach a log this broker no longer leads; the new coordinator's own state decides.
  std::erase_if(records_, [&](const OffsetsTopicRecord& r) { return partition_for(group_of(r)) == offsets_partition; });
}

void Coordinator::expire_offsets() {
  const auto wall = clock_.now_ms();
  for (auto& [id, g] : groups_) {
    if (g.state != GroupState::empty || !g.members.empty() || g.offsets.empty()) continue;
    std::size_t expired = 0;
    for (const auto& [tp, v] : g.offsets) {
      if (wall - std::max(v.commit_timestamp, g.empty_since_ms) < config_.offsets_retention_ms) continue;
      // Applied (erased from g.offsets) once the tombstone is in the log, like every
      // other change: what the coordinator knows is what the log holds.
      records_.push_back(OffsetRecord{{id, tp.first, tp.second}, std::nullopt});
      ++expired;
    }
    // Nothing left: the group itself goes too, so a restart does not bring it back.
    if (expired == g.offsets.size()) records_.push_back(GroupRecord{id, std::nullopt});
  }
}

void Coordinator::tick() {
  const auto now = clock_.monotonic_ms();
  if (now >= next_expiry_check_ms_) {
    next_expiry_check_ms_ = now + config_.offsets_retention_check_interval_ms;
    expire_offsets();
  }
  std::vector<std::string> ids;
  for (const auto& [id, g] : groups_) ids.push_back(id);
  for (const auto& id : ids) {
    Group* g = find(id);
    if (!g) continue;
    try_complete_join(*g);
    // A member waiting in JoinGroup is covered by the rebalance timeout instead.
    std::vector<std::string> expired;
    for (const auto& [mid, m] : g->members) {
      if (!m.awaiting_join && now - m.last_heartbeat_ms > m.session_timeout_ms) expired.push_back(mid);
    }
    for (const auto& mid : expired) remove_member(*g, mid, Errc::unknown_member_id);
    std::erase_if(g->pending_members, [&](const auto& e) { return now >= e.second; });
    maybe_forget(id);
  }
}

std::optional<std::int64_t> Coordinator::next_deadline_ms() const {
  std::optional<std::int64_t> next;
  auto consider = [&](std::int64_t t) { next = next ? std::min(*next, t) : t; };
  const auto now = clock_.monotonic_ms();
  for (const auto& [id, g] : groups_) {
    if (g.state == GroupState::preparing_rebalance) {
      consider(g.rebalance_deadline_ms);
      // Once over, the initial wait is no deadline: the join then completes when every
      // member is in or at the rebalance deadline. (A past time here would make the
      // server's timer fire again and again with nothing to do.)
      if (g.initial_wait_until_ms > now) consider(g.initial_wait_until_ms);
    }
    for (const auto& [mid, m] : g.members)
      if (!m.awaiting_join) consider(m.last_heartbeat_ms + m.session_timeout_ms + 1);
    for (const auto& [mid, expires] : g.pending_members) consider(expires);
    if (g.members.empty() && !g.offsets.empty()) consider(next_expiry_check_ms_);
  }
  return next;
}

std::vector<Completion> Coordinator::take_completed() {
  std::vector<Completion> out(std::make_move_iterator(completed_.begin()), std::make_move_iterator(completed_.end()));
  completed_.clear();
  return out;
}

std::vector<OffsetsTopicRecord> Coordinator::take_records() { return std::exchange(records_, {}); }

void Coordinator::complete(Token token, std::variant<JoinResult, SyncResult> result) {
  completed_.push_back({token, std::move(result)});
}

void Coordinator::cancel(Token token) {
  for (auto& [id, g] : groups_) {
    for (auto& [mid, m] : g.members) {
      if (m.awaiting_join == token) m.awaiting_join.reset();
      if (m.awaiting_sync == token) m.awaiting_sync.reset();
    }
  }
  std::erase_if(completed_, [&](const Completion& c) { return c.token == token; });
}

GroupValue Coordinator::stored_value(const Group& g) const {
  GroupValue v;
  v.protocol_type = g.protocol_type;
  v.generation = g.generation;
  if (!g.protocol.empty()) v.protocol = g.protocol;
  if (!g.leader.empty()) v.leader = g.leader;
  v.state_timestamp = clock_.now_ms();
  for (const auto& [id, m] : g.members) {
    StoredMember sm{id, m.group_instance_id, m.client_id, m.client_host, m.rebalance_timeout_ms, m.session_timeout_ms, {},
                    m.assignment};
    for (const auto& p : m.protocols)
      if (p.name == g.protocol) sm.subscription = p.metadata;
    v.members.push_back(std::move(sm));
  }
  return v;
}

}  // namespace streamcraft::group
