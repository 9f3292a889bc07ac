// generated from final/common/clock.h; edit there
// common/clock.h — time as an input.
//
// Segment rolling by age, flushing every T ms and retention by time all depend on
// "now". The log never reads the system clock itself: it asks a Clock. Production code
// passes SystemClock; tests pass a ManualClock and move time forward explicitly, so a
// test about a 7-day retention runs in microseconds and gives the same answer every time.
//
// Two readings, for two purposes. now_ms() is the wall clock: record timestamps, segment
// age, retention, commit times — what people and other machines agree on. monotonic_ms()
// only ever moves forward: every deadline and timeout (a long poll's max_wait_ms, a group
// member's session timeout) is measured on it, so a wall clock stepped back by NTP or an
// operator cannot stall a timer, and one stepped forward cannot expire every session.
#pragma once

#include <chrono>
#include <cstdint>

namespace streamcraft {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, as Kafka timestamps are.
  virtual std::int64_t now_ms() const = 0;
  // Milliseconds from an arbitrary start that never goes backwards: for deadlines.
  virtual std::int64_t monotonic_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
  std::int64_t monotonic_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_; }
  // Moves with now_ms() (a test moves time forward, never back).
  std::int64_t monotonic_ms() const override { return now_; }
  void advance_ms(std::int64_t ms) { now_ += ms; }
  void set_ms(std::int64_t ms) { now_ = ms; }

 private:
  std::int64_t now_;
};

}  // namespace streamcraft
