// keeper/sessions.cpp — session ids, deadlines and passwords.
#include "keeper/sessions.h"

#include "common/not_implemented.h"  // the stubs of this file's exercise

#include <string>

#include "keeper/acl.h"

namespace streamcraft::keeper {

SessionTracker::SessionTracker(std::int64_t server_id, std::int64_t wall_clock_ms, std::int32_t tick_ms)
    : tick_ms_(tick_ms > 0 ? tick_ms : 1) {
  // ZooKeeper: ((time << 24) >>> 8) | (id << 56) — 40 bits of time, then a counter.
  const auto time_bits = static_cast<std::uint64_t>(wall_clock_ms) << 24 >> 8;
  next_id_ = static_cast<std::int64_t>(time_bits | (static_cast<std::uint64_t>(server_id) << 56));
  if (next_id_ <= 0) next_id_ = 1;  // 0 means "no session" on the wire
}

Session& SessionTracker::add(std::int64_t id, std::int32_t timeout_ms, std::int64_t now_ms) {
  // @exercise session-deadlines(id, timeout_ms, now_ms)
  Session& s = sessions_[id];
  s.id = id;
  s.timeout_ms = timeout_ms;
  s.deadline_ms = round_up(now_ms + timeout_ms);
  skip_past(id);
  return s;
  // @end
}

std::int64_t SessionTracker::round_up(std::int64_t ms) const {
  // @exercise session-deadlines(ms)
  return (ms / tick_ms_ + 1) * tick_ms_;
  // @end
}

Session* SessionTracker::find(std::int64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const Session* SessionTracker::find(std::int64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTracker::remove(std::int64_t id) { sessions_.erase(id); }

void SessionTracker::touch(Session& s, std::int64_t now_ms) {
  // @exercise session-deadlines(s, now_ms)
  s.deadline_ms = round_up(now_ms + s.timeout_ms);
  // @end
}

std::vector<std::int64_t> SessionTracker::expired(std::int64_t now_ms) const {
  // @exercise session-deadlines(now_ms)
  std::vector<std::int64_t> out;
  for (const auto& [id, s] : sessions_)
    if (!s.closing && s.deadline_ms <= now_ms) out.push_back(id);
  return out;
  // @end
}

std::optional<std::int64_t> SessionTracker::next_deadline_ms() const {
  // @exercise session-deadlines
  std::optional<std::int64_t> next;
  for (const auto& [id, s] : sessions_)
    if (!s.closing && (!next || s.deadline_ms < *next)) next = s.deadline_ms;
  return next;
  // @end
}

Bytes SessionTracker::password_for(std::int64_t session_id) {
  const auto digest = sha1("streamcraft keeper session " + std::to_string(session_id));
  Bytes out(16);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte{digest[i]};
  return out;
}

}  // namespace streamcraft::keeper
