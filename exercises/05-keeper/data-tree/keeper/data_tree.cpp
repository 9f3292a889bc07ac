// starter generated from final/keeper/data_tree.cpp for exercise data-tree; edit freely, this is your copy
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
  streamcraft::not_implemented("05-keeper/data-tree", n);
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
  streamcraft::not_implemented("05-keeper/data-tree", path, node);
}

void DataTree::erase_node(const std::string& path) {
  streamcraft::not_implemented("05-keeper/data-tree", path);
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
  streamcraft::not_implemented("05-keeper/data-tree", h, t);
}

std::vector<TreeEvent> DataTree::remove(const TxnHeader& h, const std::string& path) {
  streamcraft::not_implemented("05-keeper/data-tree", h, path);
}

std::vector<TreeEvent> DataTree::set_data(const TxnHeader& h, const SetDataTxn& t) {
  streamcraft::not_implemented("05-keeper/data-tree", h, t);
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
