// support/linearizability.cpp — the znode model's sequential rules.
#include "support/linearizability.h"

namespace streamcraft::check {

namespace {
constexpr int kOk = 0, kNoNode = -101, kBadVersion = -103, kNodeExists = -110;

bool version_matches(const ZnodeModel::State& s, std::int32_t expected) {
  return expected == -1 || expected == s.version;
}
}  // namespace

std::optional<ZnodeModel::State> ZnodeModel::step(const State& s, const Input& in, const std::optional<Output>& out) {
  switch (in.kind) {
    case Kind::create: {
      const bool can = !s.exists;
      if (!out) return can ? State{true, in.data, 0} : s;  // unknown: it happened if it could
      if (out->rc == kOk && can) return State{true, in.data, 0};
      if (out->rc == kNodeExists && !can) return s;
      return std::nullopt;
    }
    case Kind::set: {
      const bool can = s.exists && version_matches(s, in.version);
      if (!out) return can ? State{true, in.data, s.version + 1} : s;
      if (out->rc == kOk && can && out->version == s.version + 1) return State{true, in.data, s.version + 1};
      if (out->rc == kNoNode && !s.exists) return s;
      if (out->rc == kBadVersion && s.exists && !version_matches(s, in.version)) return s;
      return std::nullopt;
    }
    case Kind::remove: {
      const bool can = s.exists && version_matches(s, in.version);
      if (!out) return can ? State{} : s;
      if (out->rc == kOk && can) return State{};
      if (out->rc == kNoNode && !s.exists) return s;
      if (out->rc == kBadVersion && s.exists && !version_matches(s, in.version)) return s;
      return std::nullopt;
    }
    case Kind::read:
      if (!out) return s;
      if (out->rc == kOk && s.exists && out->data == s.data && out->version == s.version) return s;
      if (out->rc == kNoNode && !s.exists) return s;
      return std::nullopt;
  }
  return std::nullopt;
}

std::string ZnodeModel::describe(const Input& in, const std::optional<Output>& out) {
  const char* names[] = {"create", "set", "delete", "read"};
  std::string what = fmt::format("{}", names[static_cast<int>(in.kind)]);
  if (in.kind == Kind::create || in.kind == Kind::set) what += fmt::format(" {:?}", in.data);
  if (in.kind == Kind::set || in.kind == Kind::remove) what += fmt::format(" version {}", in.version);
  if (!out) return what + " → ?";
  if (in.kind == Kind::read && out->rc == kOk) return what + fmt::format(" → {:?} version {}", out->data, out->version);
  return what + fmt::format(" → {}", out->rc);
}

}  // namespace streamcraft::check
