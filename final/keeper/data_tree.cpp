// keeper/data_tree.cpp — znodes, their stats, and applying transactions.
#include "keeper/data_tree.h"

#include "common/not_implemented.h"  // the stubs of this file's exercise

#include <algorithm>

#include <fmt/format.h>

namespace streamcraft::keeper {

std::string_view parent_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == 0 ? std::string_view("/") : path.substr(0, slash);
}

std::string_view name_of(std::string_view path) { return path.substr(path.rfind('/') + 1); }

bool valid_path(std::string_view path, bool sequential) {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/' && !sequential) return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const auto part = path.substr(start, end - start);
    // An empty last component is the trailing slash of a sequential create, allowed above.
    if (part.empty() && end != path.size()) return false;
    if (part == "." || part == "..") return false;
    start = end + 1;
  }
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f) return false;  // NUL and the other control characters
  return true;
}

std::string sequence_suffix(std::int32_t parent_cversion) { return fmt::format("{:010d}", parent_cversion); }

DataTree::DataTree() {
  // ZooKeeper's tree starts with these, every stat zero. /zookeeper/config is readable by
  // everyone and writable by no one (it is changed by reconfig, which keeper lacks).
  add_node("/", Znode{{}, open_acl_unsafe(), {}, {}});
  add_node("/zookeeper", Znode{{}, open_acl_unsafe(), {}, {}});
  add_node("/zookeeper/quota", Znode{{}, open_acl_unsafe(), {}, {}});
  add_node("/zookeeper/config", Znode{{}, {Acl{perm::read, Id{"world", "anyone"}}}, {}, {}});
}

const Znode* DataTree::find(std::string_view path) const {
  auto it = nodes_.find(std::string(path));
  return it == nodes_.end() ? nullptr : &it->second;
}

Znode* DataTree::find_mutable(std::string_view path) {
  auto it = nodes_.find(std::string(path));
  return it == nodes_.end() ? nullptr : &it->second;
}

Stat DataTree::stat_of(const Znode& n) {
  // @exercise data-tree(n)
  Stat s = n.stat;
  s.data_length = static_cast<std::int32_t>(n.data.size());
  s.num_children = static_cast<std::int32_t>(n.children.size());
  // The tree counts creates in cversion (sequence numbers are made from it); clients see
  // the number of changes to the child list, creates and deletes: every child created and
  // no longer there was deleted once. ZooKeeper's DataNode.copyStat does the same — so a
  // node whose children came with the tree, like /zookeeper, reports a negative cversion.
  s.cversion = n.stat.cversion * 2 - s.num_children;
  // Clients see an owner only for a session's ephemeral node: a container's or a TTL
  // node's marker is keeper's business (ZooKeeper's DataNode.getClientEphemeralOwner).
  if (!is_session_owner(s.ephemeral_owner)) s.ephemeral_owner = 0;
  return s;
  // @end
}

const std::set<std::string>& DataTree::ephemerals_of(std::int64_t session) const {
  static const std::set<std::string> none;
  auto it = ephemerals_.find(session);
  return it == ephemerals_.end() ? none : it->second;
}

std::vector<std::string> DataTree::paths() const {
  std::vector<std::string> out;
  out.reserve(nodes_.size());
  for (const auto& [p, n] : nodes_) out.push_back(p);
  std::sort(out.begin(), out.end());
  return out;
}

std::int32_t DataTree::descendant_count(std::string_view path) const {
  const Znode* n = find(path);
  if (!n) return 0;
  std::int32_t count = 0;
  const std::string prefix = path == "/" ? "/" : std::string(path) + "/";
  for (const auto& c : n->children) count += 1 + descendant_count(prefix + c);
  return count;
}

void DataTree::add_node(const std::string& path, Znode node) {
  // @exercise data-tree(path, node)
  if (is_session_owner(node.stat.ephemeral_owner)) ephemerals_[node.stat.ephemeral_owner].insert(path);
  if (path != "/") {
    if (Znode* parent = find_mutable(parent_of(path))) parent->children.insert(std::string(name_of(path)));
  }
  nodes_.insert_or_assign(path, std::move(node));
  // @end
}

void DataTree::erase_node(const std::string& path) {
  // @exercise data-tree(path)
  auto it = nodes_.find(path);
  if (it == nodes_.end()) return;
  const auto owner = it->second.stat.ephemeral_owner;
  if (is_session_owner(owner)) {
    auto e = ephemerals_.find(owner);
    if (e != ephemerals_.end()) {
      e->second.erase(path);
      if (e->second.empty()) ephemerals_.erase(e);
    }
  }
  nodes_.erase(it);
  if (path != "/") {
    if (Znode* parent = find_mutable(parent_of(path))) parent->children.erase(std::string(name_of(path)));
  }
  // @end
}

void DataTree::save_for_undo(const std::string& path) {
  if (!recording_ || undo_.contains(path)) return;
  const Znode* n = find(path);
  undo_.emplace(path, n ? std::optional<Znode>(*n) : std::nullopt);
}

void DataTree::begin_undo() {
  recording_ = true;
  undo_.clear();
}

void DataTree::rollback() {
  recording_ = false;
  // Children first (longer paths sort after their parents): erasing a node that a step
  // created must not touch a parent whose saved state is put back afterwards anyway.
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    const auto& [path, saved] = *it;
    if (auto cur = nodes_.find(path); cur != nodes_.end()) {
      const auto owner = cur->second.stat.ephemeral_owner;
      if (is_session_owner(owner)) {
        auto e = ephemerals_.find(owner);
        if (e != ephemerals_.end()) {
          e->second.erase(path);
          if (e->second.empty()) ephemerals_.erase(e);
        }
      }
      nodes_.erase(cur);
    }
  }
  for (auto& [path, saved] : undo_) {
    if (!saved) continue;
    if (is_session_owner(saved->stat.ephemeral_owner)) ephemerals_[saved->stat.ephemeral_owner].insert(path);
    nodes_.insert_or_assign(path, std::move(*saved));
  }
  undo_.clear();
}

void DataTree::commit_undo() {
  recording_ = false;
  undo_.clear();
}

void DataTree::restore(const std::string& path, Znode node) {
  node.children.clear();  // rebuilt as the children are restored
  add_node(path, std::move(node));
}

std::vector<TreeEvent> DataTree::create(const TxnHeader& h, const CreateTxn& t) {
  // @exercise data-tree(h, t)
  const std::string parent_path(parent_of(t.path));
  save_for_undo(parent_path);
  save_for_undo(t.path);
  Znode node;
  node.data = t.data;
  node.acl = t.acl;
  node.stat.czxid = node.stat.mzxid = node.stat.pzxid = h.zxid;
  node.stat.ctime = node.stat.mtime = h.time_ms;
  node.stat.ephemeral_owner = t.ephemeral_owner;
  add_node(t.path, std::move(node));
  Znode* parent = find_mutable(parent_path);
  // As ZooKeeper's DataTree.createNode: the parent's cversion only moves forward (a
  // snapshot taken while transactions ran may already hold a later value).
  if (parent && t.parent_cversion > parent->stat.cversion) {
    parent->stat.cversion = t.parent_cversion;
    parent->stat.pzxid = h.zxid;
  }
  return {{EventType::node_created, t.path}, {EventType::node_children_changed, parent_path}};
  // @end
}

std::vector<TreeEvent> DataTree::remove(const TxnHeader& h, const std::string& path) {
  // @exercise data-tree(h, path)
  const std::string parent_path(parent_of(path));
  save_for_undo(parent_path);
  save_for_undo(path);
  erase_node(path);
  // A delete moves the parent's pzxid but not the cversion stored, which counts creates
  // (ZooKeeper 3.8's DataTree.deleteNode), so sequence numbers count creates only; the
  // cversion clients see counts the delete all the same (stat_of).
  if (Znode* parent = find_mutable(parent_path); parent && h.zxid > parent->stat.pzxid) parent->stat.pzxid = h.zxid;
  return {{EventType::node_deleted, path}, {EventType::node_children_changed, parent_path}};
  // @end
}

std::vector<TreeEvent> DataTree::set_data(const TxnHeader& h, const SetDataTxn& t) {
  // @exercise data-tree(h, t)
  save_for_undo(t.path);
  Znode* n = find_mutable(t.path);
  if (!n) return {};
  n->data = t.data;
  n->stat.version = t.version;
  n->stat.mzxid = h.zxid;
  n->stat.mtime = h.time_ms;
  return {{EventType::node_data_changed, t.path}};
  // @end
}

void DataTree::set_acl(const SetAclTxn& t) {
  save_for_undo(t.path);
  if (Znode* n = find_mutable(t.path)) {
    n->acl = t.acl;
    n->stat.aversion = t.aversion;
  }
}

std::vector<TreeEvent> DataTree::apply_step(const TxnHeader& header, const SubTxn& step) {
  return std::visit(
      [&](const auto& t) -> std::vector<TreeEvent> {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, CreateTxn>) return create(header, t);
        if constexpr (std::is_same_v<T, DeleteTxn>) return remove(header, t.path);
        if constexpr (std::is_same_v<T, SetDataTxn>) return set_data(header, t);
        if constexpr (std::is_same_v<T, SetAclTxn>) set_acl(t);
        return {};  // check and error steps change nothing
      },
      step);
}

std::vector<TreeEvent> DataTree::apply(const TxnHeader& header, const TxnBody& body) {
  std::vector<TreeEvent> events;
  std::visit(
      [&](const auto& t) {
        using T = std::decay_t<decltype(t)>;
        if constexpr (std::is_same_v<T, MultiTxn>) {
          for (const auto& step : t.ops) {
            auto e = apply_step(header, step);
            events.insert(events.end(), e.begin(), e.end());
          }
        } else if constexpr (std::is_same_v<T, CloseSessionTxn>) {
          for (const auto& path : t.ephemerals) {
            if (!find(path)) continue;
            auto e = remove(header, path);
            events.insert(events.end(), e.begin(), e.end());
          }
        } else if constexpr (std::is_same_v<T, CreateSessionTxn>) {
          // Sessions live in the session tracker; the tree only learns their zxid.
        } else {
          events = apply_step(header, SubTxn{t});
        }
      },
      body);
  if (header.zxid > last_zxid_) last_zxid_ = header.zxid;
  return events;
}

}  // namespace streamcraft::keeper
