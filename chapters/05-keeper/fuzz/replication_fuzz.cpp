// generated from final/fuzz/replication_fuzz.cpp; edit there
// fuzz/replication_fuzz.cpp — a follower's log and fetcher fed whatever a leader might send.
//
// A follower trusts its leader's bytes only as far as it checks them: Log::append_as_follower
// must refuse what is not a run of whole, valid batches starting at its log end, and the
// replica fetcher must take any answer body — truncated, garbage, for partitions it never
// asked about — without harm. Each input is a program of steps, on a memory disk that can
// lose power:
//
//   0  the step's bytes as replicated batches            3  a power cut, then reopen
//   1  truncate to an offset taken from the bytes        4  the bytes as an epoch checkpoint
//   2  become leader at a small epoch and append a batch 5  the bytes as the leader's answer
//                                                           to the fetcher's next request
//
// After every step: the epoch table is ordered and names no offset past the log end, and the
// log reads from start to end as whole, contiguous batches.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "log/leader_epoch_cache.h"
#include "log/log.h"
#include "log/memory_file_system.h"
#include "record/batch.h"
#include "record/record.h"
#include "replication/fetcher.h"
#include "replication/truncation.h"

using namespace streamcraft;

namespace {

struct OneLog final : replication::Replicas {
  log::Log* own = nullptr;
  log::Log* log(const std::string& topic, std::int32_t partition) override {
    return topic == "t" && partition == 0 ? own : nullptr;
  }
  void high_watermark_changed(const std::string&, std::int32_t, std::int64_t hw) override {
    if (own && hw > own->log_end_offset()) throw std::logic_error("follower HW past its log end");
  }
};

void check(const log::Log& l) {
  if (!l.online()) return;
  const auto entries = l.leader_epochs().entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].start_offset > l.log_end_offset()) throw std::logic_error("epoch starts past the log end");
    if (i > 0 && (entries[i].epoch <= entries[i - 1].epoch || entries[i].start_offset <= entries[i - 1].start_offset))
      throw std::logic_error("epoch table out of order");
  }
  for (std::int64_t offset = l.log_start_offset(); offset < l.log_end_offset();) {
    auto range = l.read(offset, 1 << 20);
    if (!range) throw std::logic_error("an online log cannot read its own range: " + range.error().describe());
    auto bytes = range->read();
    if (!bytes || bytes->empty()) throw std::logic_error("empty read inside the log");
    ByteSpan rest = *bytes;
    const std::int64_t before = offset;
    while (rest.size() >= record::layout::header_size) {
      auto h = record::decode_header(rest);
      if (!h || h->total_size() > rest.size()) throw std::logic_error("a stored batch does not decode");
      if (h->base_offset > offset && offset != before) throw std::logic_error("a gap between stored batches");
      offset = h->next_offset();
      rest = rest.subspan(h->total_size());
    }
    if (offset == before) throw std::logic_error("no progress reading the log");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  spdlog::set_level(spdlog::level::off);  // the fetcher's log lines would cost more than the runs
  ByteSpan input(reinterpret_cast<const std::byte*>(data), size);
  log::MemoryFileSystem disk;
  ManualClock clock;
  log::LogConfig config;
  config.segment_bytes = 4096;  // rolls within a short program
  OneLog replicas;
  auto opened = log::Log::open(disk, "/p", config, clock);
  if (!opened) throw std::logic_error("a fresh memory log must open");
  std::unique_ptr<log::Log> log = std::move(*opened);
  replicas.own = log.get();
  replication::FetcherOptions options;
  options.replica_id = 2;
  replication::ReplicaFetcher fetcher(replicas, options);
  fetcher.set_partition("t", 0, 1, 0);

  for (int steps = 0; input.size() >= 3 && steps < 64; ++steps) {
    const int op = static_cast<int>(input[0]) % 6;
    const std::size_t len = std::min<std::size_t>(input.size() - 3, static_cast<std::size_t>(input[1]) << 8 | static_cast<std::size_t>(input[2]));
    ByteSpan bytes = input.subspan(3, len);
    input = input.subspan(3 + len);
    clock.advance_ms(10);
    switch (op) {
      case 0: {
        const std::int64_t before = log->log_end_offset();
        auto appended = log->append_as_follower(bytes);
        if (!appended && log->online() && log->log_end_offset() != before && appended.error().code != Errc::corrupt_message &&
            appended.error().code != Errc::offset_out_of_range)
          throw std::logic_error("a refused follower append changed the log");
        break;
      }
      case 1: {
        std::int64_t to = 0;
        for (auto b : bytes.first(std::min<std::size_t>(bytes.size(), 2))) to = to << 8 | static_cast<std::int64_t>(b);
        (void)log->truncate_to(to);
        break;
      }
      case 2: {
        const std::int32_t epoch = bytes.empty() ? 0 : static_cast<std::int32_t>(bytes[0]) % 8;
        if (log->become_leader(epoch)) {
          record::RecordSpec r;
          r.value = std::string(bytes.size() % 200, 'v');
          r.timestamp = clock.now_ms();
          auto batch = record::build_batch(std::span<const record::RecordSpec>(&r, 1));
          (void)log->append(batch);
        }
        log->become_follower();
        break;
      }
      case 3: {
        replicas.own = nullptr;
        log.reset();
        disk.crash();
        auto again = log::Log::open(disk, "/p", config, clock);
        if (!again) return 0;  // a damaged disk may refuse to open: that is an answer too
        log = std::move(*again);
        replicas.own = log.get();
        fetcher.set_partition("t", 0, 1, 0);
        break;
      }
      case 4: {
        auto table = log::LeaderEpochCache::decode(as_chars(bytes));
        if (table) {
          // Whatever decodes must encode back to a table that decodes the same.
          auto back = log::LeaderEpochCache::decode(table->encode());
          if (!back || back->encode() != table->encode()) throw std::logic_error("epoch checkpoint round trip");
          // And its answers must be consistent with the truncation rule's expectations.
          const auto step = replication::truncation_step(*table, log->log_end_offset(), 0,
                                                         log->end_offset_for_epoch(table->latest_epoch().value_or(-1)));
          if (step.truncate_to > log->log_end_offset()) throw std::logic_error("truncation past the log end");
        }
        break;
      }
      default: {
        if (fetcher.in_flight()) fetcher.on_failure(make_error(Errc::request_timed_out, "fuzz"), clock.now_ms());
        if (fetcher.next_request(clock.now_ms() + 10'000)) fetcher.on_response(bytes, clock.now_ms());
        break;
      }
    }
    check(*log);
  }
  return 0;
}
