// support/linearizability.h — does a recorded history have a linearization?
//
// A history is what clients saw: each operation with the time it was called, the time its
// answer came back, what it asked and what it was told. It is linearizable when the
// operations can be put in one order that (1) keeps every operation that returned before
// another was called ahead of it, and (2) is a legal run of the object's sequential model —
// as if each took effect at one instant between its call and its return. An operation whose
// answer never came (a timeout, a lost connection) may have taken effect or not: it has no
// return time (it stays concurrent with everything after its call) and any output. Times are
// compared strictly: an operation that returned at the instant another was called is taken
// as concurrent with it.
//
// The search is Wing and Gong's, with Lowe's memoization, as in Porcupine: walk the events in
// time order; at each point, try linearizing one of the calls still pending (an operation
// may go once every operation that returned before its call has gone); on a dead end, undo
// the last choice and try the next. A (set of linearized operations, model state) pair seen
// once is never explored again, which makes most real histories fast; the worst case is
// still exponential, so histories are checked per independent object (one znode each: a
// compare-and-set register), as Porcupine's partitioned models do.
//
// Model: a type with
//   using State = …;          (copyable, ==, and hashable by Model::hash)
//   using Input = …; using Output = …;
//   static State initial();
//   static std::optional<State> step(const State&, const Input&, const std::optional<Output>&);
//       the state after the operation, if the output is one it could give in that state
//       (nullopt output: the answer is unknown, any is possible)
//   static std::size_t hash(const State&);
//   static std::string describe(const Input&, const std::optional<Output>&);
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

namespace streamcraft::check {

template <class Model>
struct Operation {
  int client = 0;
  std::int64_t call = 0;
  std::int64_t ret = std::numeric_limits<std::int64_t>::max();  // max: the answer never came
  typename Model::Input input;
  std::optional<typename Model::Output> output;  // nullopt: unknown
};

struct Verdict {
  bool linearizable = true;
  bool gave_up = false;            // the search hit its step limit: neither proven nor refuted
  std::size_t longest_prefix = 0;  // the most operations the search managed to linearize
  std::string detail;              // when not linearizable: the operations it could not place
};

template <class Model>
Verdict check_linearizable(const std::vector<Operation<Model>>& history, std::uint64_t max_steps = 20'000'000) {
  using State = typename Model::State;
  const std::size_t n = history.size();
  // Events: a call or a return of operation i, in time order. At the same instant, calls come
  // first: one operation precedes another only if it returned strictly before the other was
  // called (a recorder that knows more — the simulator — gives every event its own time).
  struct Event {
    std::int64_t time;
    bool is_return;
    std::size_t op;
  };
  std::vector<Event> events;
  for (std::size_t i = 0; i < n; ++i) {
    events.push_back({history[i].call, false, i});
    if (history[i].ret != std::numeric_limits<std::int64_t>::max()) events.push_back({history[i].ret, true, i});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    return !a.is_return && b.is_return;
  });
  // A doubly linked list over the events, so that linearizing an operation lifts its call
  // and return out in O(1) and undoing puts them back.
  const std::size_t m = events.size();
  std::vector<std::size_t> prev(m + 1), next(m + 1), ret_event(n, m);
  const std::size_t head = m;  // sentinel
  for (std::size_t i = 0; i <= m; ++i) {
    prev[i] = i == 0 ? head : i - 1;
    next[i] = i + 1 == m ? head : i + 1;
  }
  if (m == 0) return {};
  next[head] = 0;
  prev[head] = m - 1;
  for (std::size_t e = 0; e < m; ++e)
    if (events[e].is_return) ret_event[events[e].op] = e;
  auto lift = [&](std::size_t e) {
    next[prev[e]] = next[e];
    prev[next[e]] = prev[e];
  };
  auto unlift = [&](std::size_t e) {
    next[prev[e]] = e;
    prev[next[e]] = e;
  };

  std::vector<std::uint64_t> linearized((n + 63) / 64, 0);
  struct Seen {
    std::vector<std::uint64_t> bits;
    State state;
    bool operator==(const Seen& o) const { return bits == o.bits && state == o.state; }
  };
  struct SeenHash {
    std::size_t operator()(const Seen& s) const {
      std::size_t h = Model::hash(s.state);
      for (auto w : s.bits) h = h * 1099511628211ULL ^ std::hash<std::uint64_t>{}(w);
      return h;
    }
  };
  std::unordered_set<Seen, SeenHash> cache;
  struct Frame {
    std::size_t call_event;
    State before;
  };
  std::vector<Frame> stack;
  State state = Model::initial();
  std::size_t e = next[head];
  std::uint64_t steps = 0;
  Verdict v;
  while (next[head] != head) {
    if (++steps > max_steps) {
      v.gave_up = true;
      return v;
    }
    // Past the last event: what is left are calls whose answers never came, and an
    // operation that may not have happened need not be placed at all.
    if (e == head) return v;
    if (!events[e].is_return) {
      // A call still pending: try to linearize it here.
      const auto& op = history[events[e].op];
      auto after = Model::step(state, op.input, op.output);
      bool advanced = false;
      if (after) {
        auto bits = linearized;
        bits[events[e].op / 64] |= 1ULL << (events[e].op % 64);
        if (cache.insert(Seen{bits, *after}).second) {
          stack.push_back({e, state});
          state = *after;
          linearized = std::move(bits);
          lift(e);
          if (ret_event[events[e].op] != m) lift(ret_event[events[e].op]);
          v.longest_prefix = std::max(v.longest_prefix, stack.size());
          e = next[head];
          advanced = true;
        }
      }
      if (!advanced) e = next[e];
      continue;
    }
    // A return reached: the operation that returned here was not placed before its return,
    // so the choices made so far are wrong. Undo the last one and try the call after it.
    if (stack.empty()) {
      v.linearizable = false;
      std::string pending;
      for (std::size_t i = next[head], k = 0; i != head && k < 8; i = next[i], ++k) {
        const auto& op = history[events[i].op];
        if (events[i].is_return) continue;
        pending += fmt::format("\n  client {} [{}, {}] {}", op.client, op.call,
                               op.ret == std::numeric_limits<std::int64_t>::max() ? std::string("?") : std::to_string(op.ret),
                               Model::describe(op.input, op.output));
      }
      v.detail = fmt::format("no linearization: at most {} of {} operations could be ordered; unplaced:{}",
                             v.longest_prefix, n, pending);
      return v;
    }
    auto top = stack.back();
    stack.pop_back();
    const auto op = events[top.call_event].op;
    state = top.before;
    linearized[op / 64] &= ~(1ULL << (op % 64));
    if (ret_event[op] != m) unlift(ret_event[op]);
    unlift(top.call_event);
    e = next[top.call_event];
  }
  return v;
}

// A znode as a compare-and-set register, for keeper's writes and sync+reads: it exists or
// not, with data and a version that setData moves on by one.
struct ZnodeModel {
  struct State {
    bool exists = false;
    std::string data;
    std::int32_t version = 0;
    bool operator==(const State&) const = default;
  };
  enum class Kind { create, set, remove, read };
  struct Input {
    Kind kind = Kind::read;
    std::string data;              // create, set
    std::int32_t version = -1;     // set, remove: the expected version (-1: any)
  };
  struct Output {
    int rc = 0;                    // ZooKeeper's: 0 ok, -101 no node, -110 node exists, -103 bad version
    std::string data;              // read
    std::int32_t version = 0;      // read, set: the node's version after
  };
  static State initial() { return {}; }
  static std::size_t hash(const State& s) {
    return std::hash<std::string>{}(s.data) ^ (static_cast<std::size_t>(s.version) << 1) ^ (s.exists ? 1 : 0);
  }
  static std::optional<State> step(const State& s, const Input& in, const std::optional<Output>& out);
  static std::string describe(const Input& in, const std::optional<Output>& out);
};

}  // namespace streamcraft::check
