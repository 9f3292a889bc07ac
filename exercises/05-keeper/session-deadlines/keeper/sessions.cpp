// starter generated from final/keeper/sessions.cpp for exercise session-deadlines; edit freely, this is your copy
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
  streamcraft::not_implemented("05-keeper/session-deadlines", id, timeout_ms, now_ms);
}

std::int64_t SessionTracker::round_up(std::int64_t ms) const {
  streamcraft::not_implemented("05-keeper/session-deadlines", ms);
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
  streamcraft::not_implemented("05-keeper/session-deadlines", s, now_ms);
}

std::vector<std::int64_t> SessionTracker::expired(std::int64_t now_ms) const {
  streamcraft::not_implemented("05-keeper/session-deadlines", now_ms);
}

std::optional<std::int64_t> SessionTracker::next_deadline_ms() const {
  streamcraft::not_implemented("05-keeper/session-deadlines");
}

Bytes SessionTracker::password_for(std::int64_t session_id) {
  const auto digest = sha1("streamcraft keeper session " + std::to_string(session_id));
  Bytes out(16);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = std::byte{digest[i]};
  return out;
}

}  // namespace streamcraft::keeper
