// generated from final/keeper/data_tree.h; edit there
// keeper/data_tree.h — the tree of znodes, and how a transaction changes it.
//
// Keeper's state is a tree of **znodes** named by slash-separated paths, like files,
// except that every node holds data *and* may have children. Each node carries a Stat:
// the zxids of its creation (czxid), of its last data change (mzxid) and of the last
// change to its child list (pzxid); three version counters — version (data), cversion
// (children), aversion (ACL) — that clients compare-and-set against; the session that owns
// it if it is **ephemeral** (deleted when that session ends); and sizes. The tree begins
// with "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config", as ZooKeeper's does.
//
// Invariants, kept by apply() and checked by the tests:
//   - every node but "/" has its parent in the tree, and is in its parent's children;
//   - an ephemeral node is in ephemerals_of(owner) and has no children;
//   - a stat's data_length and num_children are its node's (computed on read);
//   - apply() of the same transactions, in the same order, gives the same tree.
//
// The tree does not decide anything: a transaction (keeper/txn.h) was prepared against it
// and can no longer fail. apply() reports what changed, as the watch events to fire.
//
// A multi is atomic: the request processor applies its steps one by one, each prepared
// against the tree as the previous ones left it, inside begin_undo()/rollback(): if one
// step fails, rollback() puts back every node the earlier steps touched, and nothing of
// the multi was ever visible outside the processor.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "keeper/jute.h"
#include "keeper/protocol.h"
#include "keeper/txn.h"

namespace streamcraft::keeper {

struct Znode {
  Bytes data;
  std::vector<Acl> acl;
  Stat stat;                       // cversion counts creates; data_length and num_children
                                   // are filled in by DataTree::stat_of
  std::set<std::string> children;  // names, not paths; sorted
};

// A change a watch may be waiting for: NodeCreated, NodeDeleted, NodeDataChanged on
// `path`, or NodeChildrenChanged on a parent.
struct TreeEvent {
  EventType type = EventType::none;
  std::string path;
  bool operator==(const TreeEvent&) const = default;
};

// The ephemeral-owner markers ZooKeeper puts in the stat of container and TTL nodes.
inline constexpr std::int64_t kContainerOwner = INT64_MIN;
inline constexpr std::int64_t kTtlOwnerBits = static_cast<std::int64_t>(0xFFULL << 56);
inline bool is_session_owner(std::int64_t owner) { return owner > 0 && (owner & kTtlOwnerBits) != kTtlOwnerBits; }

// "/a/b" → "/a"; "/a" → "/". The path must not be "/".
std::string_view parent_of(std::string_view path);
// "/a/b" → "b".
std::string_view name_of(std::string_view path);
// ZooKeeper's PathUtils.validatePath: absolute, no empty, "." or ".." component, no
// trailing slash (unless a sequential create will append to it), no control characters.
bool valid_path(std::string_view path, bool sequential = false);
// The 10-digit suffix of a sequential node: the parent's cversion before the create.
std::string sequence_suffix(std::int32_t parent_cversion);

class DataTree {
 public:
  DataTree();

  const Znode* find(std::string_view path) const;
  // The node's stat as clients see it: data_length and num_children filled in, and
  // cversion as the count of child changes (see data_tree.cpp).
  static Stat stat_of(const Znode& n);
  const std::set<std::string>& ephemerals_of(std::int64_t session) const;
  const std::map<std::int64_t, std::set<std::string>>& ephemerals() const { return ephemerals_; }
  std::size_t node_count() const { return nodes_.size(); }
  // Every path, sorted (for snapshots, the dump four-letter word and the tests).
  std::vector<std::string> paths() const;
  // The number of nodes below `path` (getAllChildrenNumber).
  std::int32_t descendant_count(std::string_view path) const;

  // The zxid of the last transaction applied.
  std::int64_t last_zxid() const { return last_zxid_; }

  // Applies a prepared transaction. Returns the events it causes, in the order clients
  // must see them. A multi's steps are applied in order; an ErrorTxn changes nothing.
  std::vector<TreeEvent> apply(const TxnHeader& header, const TxnBody& body);
  // One step, as the request processor applies a multi's steps while preparing them.
  std::vector<TreeEvent> apply_step(const TxnHeader& header, const SubTxn& step);

  // Undo: while recording, the first change to each node saves its former state.
  void begin_undo();
  void rollback();       // restores every saved node; the recorded changes never happened
  void commit_undo();    // keeps the changes, forgets the saved states

  // Puts a node in place as a snapshot recorded it (loading a snapshot, in path order:
  // parents first). Children lists are rebuilt from the nodes put in.
  void restore(const std::string& path, Znode node);
  void set_last_zxid(std::int64_t zxid) { last_zxid_ = zxid; }

 private:
  Znode* find_mutable(std::string_view path);
  void save_for_undo(const std::string& path);
  void add_node(const std::string& path, Znode node);
  void erase_node(const std::string& path);

  std::vector<TreeEvent> create(const TxnHeader& h, const CreateTxn& t);
  std::vector<TreeEvent> remove(const TxnHeader& h, const std::string& path);
  std::vector<TreeEvent> set_data(const TxnHeader& h, const SetDataTxn& t);
  void set_acl(const SetAclTxn& t);

  std::unordered_map<std::string, Znode> nodes_;
  std::map<std::int64_t, std::set<std::string>> ephemerals_;  // session → paths
  std::int64_t last_zxid_ = 0;
  bool recording_ = false;
  std::map<std::string, std::optional<Znode>> undo_;  // path → its state before the multi
};

}  // namespace streamcraft::keeper
