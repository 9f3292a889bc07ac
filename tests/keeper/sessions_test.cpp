// tests/keeper/sessions_test.cpp — the session tracker on its own: deadlines on ticks.
#include <catch2/catch.hpp>

#include "keeper/sessions.h"

using namespace streamcraft::keeper;

TEST_CASE("a session's deadline is its timeout from now rounded up to the next tick", "[ch05][keeper][sessions][ex:session-deadlines]") {
  SessionTracker t(1, 0, 2000);
  CHECK(t.add(7, 6000, 0).deadline_ms == 8000);      // 6000 is on a tick: the next one
  CHECK(t.add(8, 6000, 1500).deadline_ms == 8000);   // 7500 → 8000
  CHECK(t.add(9, 5000, 1999).deadline_ms == 8000);   // 6999 → 8000
  CHECK(t.add(10, 4000, 4001).deadline_ms == 10000); // 8001 → 10000
  REQUIRE(t.find(9) != nullptr);
  CHECK(t.find(9)->timeout_ms == 5000);
  CHECK(t.find(9)->id == 9);
  CHECK(t.find(11) == nullptr);
  // Ids handed out later are above every id added.
  CHECK(t.next_id() > 10);
}

TEST_CASE("a touch moves the deadline and expired lists the sessions past it in id order", "[ch05][keeper][sessions][ex:session-deadlines]") {
  SessionTracker t(1, 0, 1000);
  t.add(30, 3000, 0);  // deadline 4000
  t.add(20, 3000, 0);  // deadline 4000
  t.add(10, 9000, 0);  // deadline 10000
  CHECK(t.expired(3999).empty());
  t.touch(*t.find(20), 2500);  // 5500 → 6000
  CHECK(t.find(20)->deadline_ms == 6000);
  CHECK(t.expired(4000) == std::vector<std::int64_t>{30});
  CHECK(t.expired(6000) == std::vector<std::int64_t>{20, 30});
  CHECK(t.expired(10000) == std::vector<std::int64_t>{10, 20, 30});
}

TEST_CASE("a closing session is neither expired again nor waited for", "[ch05][keeper][sessions][ex:session-deadlines]") {
  SessionTracker t(1, 0, 1000);
  CHECK_FALSE(t.next_deadline_ms().has_value());
  t.add(1, 2000, 0);   // 3000
  t.add(2, 5000, 0);   // 6000
  CHECK(t.next_deadline_ms() == 3000);
  t.find(1)->closing = true;  // its closeSession transaction is on its way to the disk
  CHECK(t.expired(7000) == std::vector<std::int64_t>{2});
  CHECK(t.next_deadline_ms() == 6000);
  t.remove(2);
  CHECK_FALSE(t.next_deadline_ms().has_value());
}
