// tests/consensus/linearizability_test.cpp — the checker accepts what it should, and only that.
#include <catch2/catch.hpp>

#include <random>

#include "support/linearizability.h"

using namespace streamcraft::check;
using Op = Operation<ZnodeModel>;
using Kind = ZnodeModel::Kind;

namespace {

Op op(int client, std::int64_t call, std::int64_t ret, ZnodeModel::Input in, std::optional<ZnodeModel::Output> out) {
  return Op{client, call, ret, std::move(in), std::move(out)};
}
ZnodeModel::Input create(std::string d) { return {Kind::create, std::move(d), -1}; }
ZnodeModel::Input set(std::string d, std::int32_t v = -1) { return {Kind::set, std::move(d), v}; }
ZnodeModel::Input read() { return {Kind::read, {}, -1}; }
ZnodeModel::Output ok(std::int32_t version = 0) { return {0, {}, version}; }
ZnodeModel::Output saw(std::string d, std::int32_t version) { return {0, std::move(d), version}; }
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

}  // namespace

TEST_CASE("linearizability: a read concurrent with a write may see either value", "[ch06][linearizability]") {
  std::vector<Op> h{op(1, 0, 1, create("a"), ok()), op(1, 2, 6, set("b"), ok(1)), op(2, 3, 4, read(), saw("b", 1)),
                    op(3, 3, 5, read(), saw("a", 0))};
  // Client 3's read may take effect before the set, client 2's after it: both fit.
  CHECK(check_linearizable(h).linearizable);
}

TEST_CASE("linearizability: a read after a completed write must see it", "[ch06][linearizability]") {
  std::vector<Op> h{op(1, 0, 1, create("a"), ok()), op(1, 2, 3, set("b"), ok(1)), op(2, 4, 5, read(), saw("a", 0))};
  auto v = check_linearizable(h);
  CHECK_FALSE(v.linearizable);
  CHECK_THAT(v.detail, Catch::Contains("read"));
}

TEST_CASE("linearizability: once a client saw the new value no later read sees the old", "[ch06][linearizability]") {
  // The set is still in flight for both reads, but the reads do not overlap each other.
  std::vector<Op> h{op(1, 0, 1, create("a"), ok()), op(1, 2, 10, set("b"), ok(1)), op(2, 3, 4, read(), saw("b", 1)),
                    op(3, 5, 6, read(), saw("a", 0))};
  CHECK_FALSE(check_linearizable(h).linearizable);
}

TEST_CASE("linearizability: two compare-and-sets on one version cannot both succeed", "[ch06][linearizability]") {
  std::vector<Op> both{op(1, 0, 1, create("a"), ok()), op(1, 2, 5, set("b", 0), ok(1)), op(2, 2, 5, set("c", 0), ok(1))};
  CHECK_FALSE(check_linearizable(both).linearizable);
  std::vector<Op> one{op(1, 0, 1, create("a"), ok()), op(1, 2, 5, set("b", 0), ok(1)),
                      op(2, 2, 5, set("c", 0), ZnodeModel::Output{-103, {}, 0})};
  CHECK(check_linearizable(one).linearizable);
}

TEST_CASE("linearizability: a write whose answer never came may or may not have happened", "[ch06][linearizability]") {
  std::vector<Op> seen{op(1, 0, 1, create("a"), ok()), op(1, 2, never, set("b"), std::nullopt), op(2, 5, 6, read(), saw("b", 1))};
  CHECK(check_linearizable(seen).linearizable);
  std::vector<Op> unseen{op(1, 0, 1, create("a"), ok()), op(1, 2, never, set("b"), std::nullopt),
                         op(2, 5, 6, read(), saw("a", 0))};
  CHECK(check_linearizable(unseen).linearizable);
  // But it happens once: seen, then unseen, is not possible.
  std::vector<Op> flicker{op(1, 0, 1, create("a"), ok()), op(1, 2, never, set("b"), std::nullopt),
                          op(2, 5, 6, read(), saw("b", 1)), op(2, 7, 8, read(), saw("a", 0))};
  CHECK_FALSE(check_linearizable(flicker).linearizable);
}

TEST_CASE("linearizability: a long concurrent history from a real order passes and one changed read fails", "[ch06][linearizability]") {
  // Operations take effect in a known order at known instants; each client's call and
  // return are drawn around its instant, and clients overlap heavily.
  std::mt19937_64 rng(42);
  ZnodeModel::State s;
  std::vector<Op> h;
  std::vector<std::int64_t> busy_until(5, 0);
  std::int64_t t = 0;
  for (int i = 0; i < 400; ++i) {
    t += 1 + static_cast<std::int64_t>(rng() % 3);
    const int client = static_cast<int>(rng() % 5);
    if (busy_until[static_cast<std::size_t>(client)] >= t) continue;  // one operation per client at a time
    ZnodeModel::Input in;
    switch (rng() % 4) {
      case 0: in = create("c" + std::to_string(i)); break;
      case 1: in = set("s" + std::to_string(i), rng() % 2 ? -1 : s.version); break;
      case 2: in = {Kind::remove, {}, -1}; break;
      default: in = read();
    }
    ZnodeModel::Output out;
    const bool can = in.kind == Kind::create ? !s.exists : s.exists;
    if (in.kind == Kind::read) out = s.exists ? saw(s.data, s.version) : ZnodeModel::Output{-101, {}, 0};
    else if (!can) out = {in.kind == Kind::create ? -110 : -101, {}, 0};
    else out = {0, {}, in.kind == Kind::set ? s.version + 1 : 0};
    auto next = ZnodeModel::step(s, in, out);
    REQUIRE(next);
    s = *next;
    // Called after the client's previous answer, at or before the instant; answered after it.
    auto& previous = busy_until[static_cast<std::size_t>(client)];
    const auto call = std::max(t - static_cast<std::int64_t>(rng() % 8), previous + 1);
    const auto ret = t + static_cast<std::int64_t>(rng() % 8);
    previous = ret;
    h.push_back(op(client, call, ret, in, out));
  }
  REQUIRE(h.size() > 200);
  auto v = check_linearizable(h);
  CHECK(v.linearizable);
  CHECK_FALSE(v.gave_up);
  // The last successful read, told something that was never there, cannot be placed.
  for (auto it = h.rbegin(); it != h.rend(); ++it)
    if (it->input.kind == Kind::read && it->output->rc == 0) {
      it->output->data = "never written";
      break;
    }
  CHECK_FALSE(check_linearizable(h).linearizable);
}

TEST_CASE("linearizability: the search agrees with trying every order on small random histories", "[ch06][linearizability]") {
  // Up to 6 operations with random intervals and random answers (most not linearizable):
  // the checker's verdict must be exactly what enumerating every order gives.
  std::mt19937_64 rng(7);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::size_t n = 1 + rng() % 6;
    std::vector<Op> h;
    for (std::size_t i = 0; i < n; ++i) {
      const auto call = static_cast<std::int64_t>(rng() % 10);
      const bool unknown = rng() % 8 == 0;
      const auto ret = unknown ? never : call + static_cast<std::int64_t>(rng() % 6);
      ZnodeModel::Input in;
      switch (rng() % 4) {
        case 0: in = create(rng() % 2 ? "x" : "y"); break;
        case 1: in = set(rng() % 2 ? "x" : "y", rng() % 2 ? -1 : static_cast<std::int32_t>(rng() % 2)); break;
        case 2: in = {Kind::remove, {}, -1}; break;
        default: in = read();
      }
      std::optional<ZnodeModel::Output> out;
      if (!unknown) {
        const int rcs[] = {0, -101, -110, -103};
        out = ZnodeModel::Output{rcs[rng() % 4], rng() % 2 ? "x" : "y", static_cast<std::int32_t>(rng() % 3)};
        if (rng() % 2) out->rc = 0;
      }
      h.push_back(op(static_cast<int>(i), call, ret, in, out));
    }
    // Every order that respects real time, run through the model; an unknown operation may
    // also be left out.
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    bool brute = false;
    do {
      for (std::uint32_t skip = 0; skip < (1u << n) && !brute; ++skip) {
        bool valid = true;
        for (std::size_t i = 0; i < n && valid; ++i)
          if ((skip >> i & 1) && h[i].output) valid = false;  // only unknown ones may be skipped
        for (std::size_t a = 0; a < n && valid; ++a)
          for (std::size_t b = a + 1; b < n && valid; ++b) {
            const auto& x = h[order[a]];
            const auto& y = h[order[b]];
            if (!(skip >> order[a] & 1) && !(skip >> order[b] & 1) && y.ret < x.call) valid = false;
          }
        ZnodeModel::State s;
        for (std::size_t k = 0; k < n && valid; ++k) {
          if (skip >> order[k] & 1) continue;
          auto next = ZnodeModel::step(s, h[order[k]].input, h[order[k]].output);
          if (!next) valid = false;
          else s = *next;
        }
        if (valid) brute = true;
      }
    } while (!brute && std::next_permutation(order.begin(), order.end()));
    auto v = check_linearizable(h);
    INFO("round " << round);
    REQUIRE(v.linearizable == brute);
    ++(brute ? accepted : refused);
  }
  // Both verdicts were exercised, many times.
  CHECK(accepted > 300);
  CHECK(refused > 300);
}
