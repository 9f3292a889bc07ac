// generated from final/cli/zk_commands.cpp; edit there
// cli/zk_commands.cpp — `streamcraft zk`: a ZooKeeper client on the command line.
//
// One command per run, on the course's keeper client (client/keeper_client.h), against
// keeper or any ZooKeeper server: ls, stat, get, set, create (-e ephemeral, -s
// sequential), delete, and watch (wait for the next change of a node). ZooKeeper's errors
// come out by name (NONODE, NODEEXISTS, BADVERSION…) with exit status 1.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "client/keeper_client.h"

namespace streamcraft::cli {
namespace {

using namespace keeper;

struct ZkOptions {
  std::string server = "127.0.0.1:2181";
  std::int32_t timeout_ms = 10000;
  std::string path;
  std::string data;
  std::int32_t version = -1;
  bool ephemeral = false;
  bool sequential = false;
  std::int64_t wait_ms = 60000;
};

int fail(const std::string& what) {
  fmt::print(stderr, "error: {}\n", what);
  return 1;
}

std::string print_stat(const Stat& s) {
  return fmt::format(
      "cZxid = {:#x}\nctime = {}\nmZxid = {:#x}\nmtime = {}\npZxid = {:#x}\ncversion = {}\ndataVersion = {}\n"
      "aclVersion = {}\nephemeralOwner = {:#x}\ndataLength = {}\nnumChildren = {}\n",
      s.czxid, s.ctime, s.mzxid, s.mtime, s.pzxid, s.cversion, s.version, s.aversion, s.ephemeral_owner,
      s.data_length, s.num_children);
}

int run(const ZkOptions& o, const std::string& command) {
  auto zk = client::KeeperClient::connect(o.server, ClientOptions{o.timeout_ms});
  if (!zk) return fail(zk.error().describe());
  auto& c = **zk;
  auto result = [&](OpCode op, RequestBody body) -> std::optional<Reply> {
    auto r = c.call(op, std::move(body));
    if (!r) {
      fail(r.error().describe());
      return std::nullopt;
    }
    if (r->header.err != Code::ok) {
      fail(fmt::format("{}: {}", code_name(r->header.err), o.path));
      return std::nullopt;
    }
    return std::move(*r);
  };
  int status = 1;
  if (command == "ls") {
    if (auto r = result(OpCode::get_children, PathWatchRequest{o.path, false})) {
      for (const auto& child : std::get<ChildrenResponse>(r->body).children) fmt::print("{}\n", child);
      status = 0;
    }
  } else if (command == "stat") {
    if (auto r = result(OpCode::exists, PathWatchRequest{o.path, false})) {
      fmt::print("{}", print_stat(std::get<StatResponse>(r->body).stat));
      status = 0;
    }
  } else if (command == "get") {
    if (auto r = result(OpCode::get_data, PathWatchRequest{o.path, false})) {
      fmt::print("{}\n", as_chars(std::get<DataResponse>(r->body).data));
      status = 0;
    }
  } else if (command == "set") {
    Bytes data(as_bytes(o.data).begin(), as_bytes(o.data).end());
    if (auto r = result(OpCode::set_data, SetDataRequest{o.path, std::move(data), o.version})) {
      fmt::print("dataVersion = {}\n", std::get<StatResponse>(r->body).stat.version);
      status = 0;
    }
  } else if (command == "create") {
    std::int32_t flags = (o.ephemeral ? create_flag::ephemeral : 0) | (o.sequential ? create_flag::persistent_sequential : 0);
    Bytes data(as_bytes(o.data).begin(), as_bytes(o.data).end());
    if (auto r = result(OpCode::create, CreateRequest{o.path, std::move(data), open_acl_unsafe(), flags, -1})) {
      fmt::print("Created {}\n", std::get<PathResponse>(r->body).path);
      status = 0;
      // An ephemeral node lives as long as its session: this one ends when we exit.
      if (o.ephemeral) fmt::print(stderr, "(ephemeral: it is deleted when this command's session ends)\n");
    }
  } else if (command == "delete") {
    if (result(OpCode::remove, DeleteRequest{o.path, o.version})) status = 0;
  } else if (command == "watch") {
    // exists sets a data watch whether or not the node is there: it fires at the next
    // create, change or delete of the node.
    auto r = c.call(OpCode::exists, PathWatchRequest{o.path, true});
    if (!r) return fail(r.error().describe());
    auto ev = c.next_event(std::chrono::milliseconds(o.wait_ms));
    if (!ev) return fail(ev.error().describe());
    if (!*ev) return fail(fmt::format("no change to {} within {} ms", o.path, o.wait_ms));
    fmt::print("{} {}\n", event_name((*ev)->type), (*ev)->path);
    status = 0;
  }
  if (auto s = c.close(); !s && status == 0) return fail(s.error().describe());
  return status;
}

}  // namespace

void add_zk_commands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ZkOptions>();
  auto* zk = app.add_subcommand("zk", "a ZooKeeper client: ls, stat, get, set, create, delete, watch (chapter 5)");
  zk->require_subcommand(1);
  zk->add_option("--server", o->server, "host:port of keeper (or of any ZooKeeper server)");
  zk->add_option("--session-timeout-ms", o->timeout_ms, "the session timeout to ask for");
  auto add = [&](const char* name, const char* help) {
    auto* s = zk->add_subcommand(name, help);
    s->add_option("path", o->path, "the znode's path")->required();
    s->callback([o, &exit_code, name] { exit_code = run(*o, name); });
    return s;
  };
  add("ls", "the children of a node");
  add("stat", "a node's stat");
  add("get", "a node's data");
  auto* set = add("set", "replace a node's data");
  set->add_option("data", o->data, "the new data")->required();
  set->add_option("--version", o->version, "only if the node is at this version (-1: any)");
  auto* create = add("create", "create a node");
  create->add_option("data", o->data, "its data");
  create->add_flag("-e,--ephemeral", o->ephemeral, "deleted when the session ends (this command's, at once)");
  create->add_flag("-s,--sequential", o->sequential, "append the parent's next 10-digit sequence number");
  auto* del = add("delete", "delete a node (it must have no children)");
  del->add_option("--version", o->version, "only if the node is at this version (-1: any)");
  auto* watch = add("watch", "wait for the next create, change or delete of a node");
  watch->add_option("--wait-ms", o->wait_ms, "give up after this long");
}

}  // namespace streamcraft::cli
