// generated from final/keeper/watches.h; edit there
// keeper/watches.h — who is waiting to hear about which change.
//
// A watch is a client's request to be told, once, that something it read has changed:
//   getData(watch) and exists(watch)  a *data* watch on the path (exists sets one on a
//                                     missing node too: it then fires at the create)
//   getChildren(watch)                a *child* watch on the path
// and fires with the first matching event, then is gone (one-shot):
//   NodeCreated, NodeDataChanged      data watches of the path
//   NodeDeleted                       data and child watches of the path
//   NodeChildrenChanged               child watches of the parent
// A client that wants to keep watching sets the watch again when it reads the new state —
// and so may miss changes in between, which is the point: a watch says "look again", not
// "here is every change". addWatch sets **persistent** watches that stay after firing:
// on one path (all four events), or recursive on a whole subtree (all but
// NodeChildrenChanged, which the events on the children themselves make redundant).
//
// Watches belong to a connection, as in ZooKeeper: they vanish with it, and a client that
// reconnects sets them again (setWatches; kazoo re-reads instead). One event notifies a
// connection once, however many of its watches match.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "keeper/data_tree.h"
#include "keeper/protocol.h"

namespace streamcraft::keeper {

using WatcherId = std::uint64_t;  // a connection

enum class WatchKind { data, child, persistent, persistent_recursive };

class WatchManager {
 public:
  void add(WatchKind kind, const std::string& path, WatcherId who);
  // removeWatches/checkWatches: true if `who` had such a watch (and, unless only_check,
  // it is removed). type: kWatcherChildren, kWatcherData or kWatcherAny.
  bool remove(const std::string& path, std::int32_t type, WatcherId who, bool only_check);
  void remove_all(WatcherId who);

  // The connections to notify of `event`, each once; one-shot watches it fires are removed.
  std::vector<WatcherId> trigger(const TreeEvent& event);

  std::size_t count() const;  // watches of every kind
  std::size_t count_of(WatcherId who) const;
  // Path → watchers, of one kind (wchs/wchp four-letter words).
  const std::map<std::string, std::set<WatcherId>>& of_kind(WatchKind kind) const;

 private:
  // The table of one kind, for a const or a mutable manager.
  template <class Self>
  static auto& table(Self& self, WatchKind kind);

  std::map<std::string, std::set<WatcherId>> data_, child_, persistent_, recursive_;
};

}  // namespace streamcraft::keeper
