// generated from final/keeper/watches.cpp; edit there
// keeper/watches.cpp — watches: set, fired, removed.
#include "keeper/watches.h"

namespace streamcraft::keeper {

namespace {

void erase_one(std::map<std::string, std::set<WatcherId>>& t, const std::string& path, WatcherId who) {
  auto it = t.find(path);
  if (it == t.end()) return;
  it->second.erase(who);
  if (it->second.empty()) t.erase(it);
}

// Takes every watcher of `path` out of a one-shot table into `out`.
void fire(std::map<std::string, std::set<WatcherId>>& t, const std::string& path, std::set<WatcherId>& out) {
  auto it = t.find(path);
  if (it == t.end()) return;
  out.insert(it->second.begin(), it->second.end());
  t.erase(it);
}

}  // namespace

template <class Self>
auto& WatchManager::table(Self& self, WatchKind kind) {
  switch (kind) {
    case WatchKind::data: return self.data_;
    case WatchKind::child: return self.child_;
    case WatchKind::persistent: return self.persistent_;
    case WatchKind::persistent_recursive: return self.recursive_;
  }
  return self.data_;
}

const std::map<std::string, std::set<WatcherId>>& WatchManager::of_kind(WatchKind kind) const {
  return table(*this, kind);
}

void WatchManager::add(WatchKind kind, const std::string& path, WatcherId who) { table(*this, kind)[path].insert(who); }

bool WatchManager::remove(const std::string& path, std::int32_t type, WatcherId who, bool only_check) {
  bool found = false;
  auto consider = [&](std::map<std::string, std::set<WatcherId>>& t) {
    auto it = t.find(path);
    if (it == t.end() || !it->second.contains(who)) return;
    found = true;
    if (!only_check) erase_one(t, path, who);
  };
  if (type == kWatcherData || type == kWatcherAny) {
    consider(data_);
    consider(persistent_);
    consider(recursive_);
  }
  if (type == kWatcherChildren || type == kWatcherAny) {
    consider(child_);
    consider(persistent_);
    consider(recursive_);
  }
  return found;
}

void WatchManager::remove_all(WatcherId who) {
  for (auto* t : {&data_, &child_, &persistent_, &recursive_}) {
    for (auto it = t->begin(); it != t->end();) {
      it->second.erase(who);
      it = it->second.empty() ? t->erase(it) : std::next(it);
    }
  }
}

std::vector<WatcherId> WatchManager::trigger(const TreeEvent& event) {
  std::set<WatcherId> who;
  switch (event.type) {
    case EventType::node_created:
    case EventType::node_data_changed:
      fire(data_, event.path, who);
      break;
    case EventType::node_deleted:
      fire(data_, event.path, who);
      fire(child_, event.path, who);
      break;
    case EventType::node_children_changed:
      fire(child_, event.path, who);
      break;
    default:
      break;
  }
  if (auto it = persistent_.find(event.path); it != persistent_.end()) who.insert(it->second.begin(), it->second.end());
  if (event.type != EventType::node_children_changed) {
    // A recursive watch on any ancestor (or the path itself) hears of the change.
    std::string p = event.path;
    for (;;) {
      if (auto it = recursive_.find(p); it != recursive_.end()) who.insert(it->second.begin(), it->second.end());
      if (p == "/") break;
      p = std::string(parent_of(p));
    }
  }
  return {who.begin(), who.end()};
}

std::size_t WatchManager::count() const {
  std::size_t n = 0;
  for (const auto* t : {&data_, &child_, &persistent_, &recursive_})
    for (const auto& [p, s] : *t) n += s.size();
  return n;
}

std::size_t WatchManager::count_of(WatcherId who) const {
  std::size_t n = 0;
  for (const auto* t : {&data_, &child_, &persistent_, &recursive_})
    for (const auto& [p, s] : *t) n += s.contains(who) ? 1 : 0;
  return n;
}

}  // namespace streamcraft::keeper
