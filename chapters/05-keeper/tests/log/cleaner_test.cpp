// generated from tests/log/cleaner_test.cpp; edit there
// log/cleaner_test.cpp — log compaction: latest value per key, tombstones, merging, crash safety.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "log/cleaner.h"
#include "log/log.h"
#include "record/batch.h"
#include "record/compression.h"
#include "record/record.h"
#include "support/compressed_batch.h"
#include "support/faulty_file_system.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::log;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;
constexpr std::int64_t kRetention = 10'000;  // delete.retention.ms in these tests

using Text = std::optional<std::string>;

struct Rec {
  std::int64_t offset = 0;
  Text key;
  Text value;
  std::int64_t timestamp = 0;
  bool operator==(const Rec&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << fmt::format("{}:{}={}@{}", r.offset, r.key.value_or("<null>"), r.value.value_or("<null>"), r.timestamp);
}

struct Batch {
  record::BatchHeader header;
  std::vector<Rec> records;
  std::vector<std::vector<std::pair<std::string, std::string>>> headers;  // per record
  Bytes bytes;           // the batch as stored
  bool readable = true;  // false: compressed records that do not decompress
};

// Every batch readable from `from` to the log end, through Log::read as a consumer reads.
std::vector<Batch> read_batches(const Log& l, std::int64_t from) {
  std::vector<Batch> out;
  std::int64_t offset = from;
  while (offset < l.log_end_offset()) {
    auto range = l.read(offset, 1 << 20);
    REQUIRE(range.ok());
    REQUIRE(range->size > 0);
    auto bytes = range->read();
    REQUIRE(bytes.ok());
    ByteSpan rest = *bytes;
    while (!rest.empty()) {
      auto frame = record::read_frame(rest, rest.size());
      REQUIRE(frame.ok());
      auto batch = rest.first(frame->total_size);
      REQUIRE(record::check_integrity(batch).ok());
      Batch b{*record::decode_header(batch), {}, {}, Bytes(batch.begin(), batch.end())};
      // A consumer decompresses a compressed batch; records that do not decompress
      // (see the test of unreadable batches) are left out.
      std::vector<record::RecordView> records;
      record::DecompressedRecords content;
      if (b.header.compression() == record::Compression::none) {
        auto decoded = record::decode_records(batch);
        REQUIRE(decoded.ok());
        records = std::move(*decoded);
      } else if (b.header.records_count > 0) {
        auto decompressed = record::decompress_records(batch);
        b.readable = decompressed.ok();
        if (decompressed) {
          content = std::move(*decompressed);
          records = std::move(content.records);
        }
      }
      for (const auto& r : records) {
        if (r.offset < offset) continue;
        auto text = [](const std::optional<ByteSpan>& s) { return s ? Text(std::string(as_chars(*s))) : Text(); };
        b.records.push_back({r.offset, text(r.key), text(r.value), r.timestamp});
        auto& hs = b.headers.emplace_back();
        for (const auto& h : r.headers) hs.emplace_back(std::string(h.key), std::string(as_chars(*h.value)));
      }
      offset = b.header.next_offset();
      out.push_back(std::move(b));
      rest = rest.subspan(frame->total_size);
    }
  }
  return out;
}

std::vector<Rec> read_records(const Log& l, std::int64_t from) {
  std::vector<Rec> out;
  for (const auto& b : read_batches(l, from)) out.insert(out.end(), b.records.begin(), b.records.end());
  return out;
}

// A compacted log whose segments roll when the test says so (segment.ms is 1 s, and
// roll() moves the record timestamps 1 s on), with a model of everything appended.
struct Compacted {
  test::LogFixture f;
  std::int64_t ts = kT0;
  std::vector<Rec> appended;

  explicit Compacted(std::uint64_t segment_bytes = 1 << 20) {
    f.config.cleanup_policy = CleanupPolicy::compact;
    f.config.segment_ms = 1000;
    f.config.segment_bytes = segment_bytes;
    f.config.segment.index_interval_bytes = 100;
    f.config.delete_retention_ms = kRetention;
    f.open();
  }
  Log& log() { return *f.log; }

  // Appends one batch (compressed with `codec`); returns its first offset.
  std::int64_t put(const std::vector<std::pair<Text, Text>>& kvs, const record::BatchOptions& options = {},
                   record::Compression codec = record::Compression::none,
                   record::SnappyFraming snappy = record::SnappyFraming::raw) {
    std::vector<record::RecordSpec> specs;
    for (const auto& [k, v] : kvs) {
      record::RecordSpec s;
      s.key = k;
      s.value = v;
      s.timestamp = ts++;
      specs.push_back(s);
    }
    auto batch = record::build_batch(specs, options);
    if (codec != record::Compression::none) batch = test::compress_batch(batch, codec, record::CompressOptions{snappy});
    auto info = log().append(batch);
    INFO((info ? std::string() : info.error().describe()));
    REQUIRE(info.ok());
    for (std::size_t i = 0; i < specs.size(); ++i)
      appended.push_back({info->first_offset + static_cast<std::int64_t>(i), specs[i].key, specs[i].value,
                          specs[i].timestamp});
    return info->first_offset;
  }
  // The next put starts a new segment.
  void roll() { ts += 1001; }

  std::int64_t active_base() { return log().segment_infos().back().base_offset; }

  // What the log should hold after a cleaning: below the active segment, records with
  // a null key and the latest record of each key (tombstones only if still kept);
  // the active segment as it is.
  std::vector<Rec> expected(bool keep_tombstones = true) {
    std::map<std::string, std::int64_t> latest;
    for (const auto& r : appended)
      if (r.key) latest[*r.key] = r.offset;
    std::vector<Rec> out;
    const std::int64_t active = active_base();
    for (const auto& r : appended) {
      const bool is_latest = r.key && latest[*r.key] == r.offset;
      if (r.offset >= active || !r.key || (is_latest && (r.value || keep_tombstones))) out.push_back(r);
    }
    return out;
  }
};

CleanerStats clean(Log& log, std::int64_t now_ms, bool force = false) {
  auto stats = clean_log(log, now_ms, CleanOptions{force});
  INFO((stats ? std::string() : stats.error().describe()));
  REQUIRE(stats.ok());
  return *stats;
}

// Every file of a directory with its bytes.
std::map<std::string, Bytes> files_of(const std::filesystem::path& dir) {
  std::map<std::string, Bytes> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out[e.path().filename().string()] = test::read_file(e.path());
  return out;
}

bool has_leftovers(const std::filesystem::path& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name.ends_with(".cleaned") || name.ends_with(".swap")) return true;
  }
  return false;
}

// Three sealed segments full of overwritten keys, and an active one.
void fill_three_segments(Compacted& c) {
  c.put({{"a", "a1"}, {"b", "b1"}, {"c", "c1"}});
  c.put({{"a", "a2"}, {Text(), "no key 1"}});
  c.roll();
  c.put({{"b", "b2"}, {"d", "d1"}, {"a", "a3"}});
  c.roll();
  c.put({{"c", "c2"}, {"d", "d2"}});
  c.put({{Text(), "no key 2"}, {"e", "e1"}});
  c.roll();
  c.put({{"b", "b3"}, {"f", "f1"}});  // active
}

}  // namespace

TEST_CASE("cleanup policy names parse as Kafka spells them", "[ch03]") {
  CHECK(parse_cleanup_policy("delete") == CleanupPolicy::delete_segments);
  CHECK(parse_cleanup_policy("compact") == CleanupPolicy::compact);
  CHECK(parse_cleanup_policy("compact,delete") == CleanupPolicy::compact_and_delete);
  CHECK(parse_cleanup_policy("delete, compact") == CleanupPolicy::compact_and_delete);
  CHECK_FALSE(parse_cleanup_policy("").has_value());
  CHECK_FALSE(parse_cleanup_policy("compacted").has_value());
  CHECK_FALSE(parse_cleanup_policy("compact,").has_value());
  for (auto p : {CleanupPolicy::delete_segments, CleanupPolicy::compact, CleanupPolicy::compact_and_delete})
    CHECK(parse_cleanup_policy(cleanup_policy_name(p)) == p);
}

TEST_CASE("cleaning keeps the latest record of every key at its original offset", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  const auto active_before = c.active_base();
  REQUIRE(c.log().segment_count() == 4);

  auto stats = clean(c.log(), kT0);
  CHECK(stats.ran);
  CHECK(stats.segments_before == 3);
  CHECK(stats.records_read == 12);
  // a1 a2 b1 b2 c1 d1 go (b's latest value, b3, is in the active segment).
  CHECK(stats.records_removed == 6);
  // (With records this small, the headers of the split batches cost about what the
  // removed records freed: see "How a batch is rewritten" in log/cleaner.h.)
  std::uint64_t sealed_bytes = 0;
  for (const auto& info : c.log().segment_infos())
    if (info.base_offset < active_before) sealed_bytes += info.size_bytes;
  CHECK(stats.bytes_after == sealed_bytes);
  CHECK(stats.segments_after == 1);
  CHECK(stats.cleaned_up_to == active_before);

  auto records = read_records(c.log(), c.log().log_start_offset());
  CHECK(records == c.expected());
  // Null keys are never compacted; b's older values lost to the active segment's b3.
  CHECK(std::count_if(records.begin(), records.end(), [](const Rec& r) { return !r.key; }) == 2);
  CHECK(std::count_if(records.begin(), records.end(), [](const Rec& r) { return r.key == "b"; }) == 1);
  CHECK(c.log().log_start_offset() == 0);
  CHECK(c.log().log_end_offset() == 14);
}

TEST_CASE("records whose key was rewritten in the active segment leave the sealed segments", "[ch03]") {
  Compacted c;
  c.put({{"a", "1"}, {"b", "1"}});
  c.roll();
  c.put({{"a", "2"}});  // active
  clean(c.log(), kT0);
  auto records = read_records(c.log(), 0);
  REQUIRE(records.size() == 2);
  CHECK(records[0] == Rec{1, "b", "1", kT0 + 1});
  CHECK(records[1].offset == 2);
  CHECK(records[1].value == "2");
}

TEST_CASE("tombstones stay for delete retention ms after their first cleaning and then go", "[ch03]") {
  Compacted c;
  c.put({{"a", "1"}, {"b", "1"}});
  c.put({{"a", Text()}});  // tombstone for a
  c.roll();
  c.put({{"c", "1"}});
  const std::int64_t t = kT0 + 50'000;  // the cleaner's clock, independent of record times

  auto first = clean(c.log(), t);
  CHECK(first.records_removed == 1);  // a=1; the tombstone is new
  CHECK(first.tombstones_removed == 0);
  CHECK(read_records(c.log(), 0) == c.expected(/*keep_tombstones=*/true));
  auto checkpoint = read_cleaner_checkpoint(c.log().file_system(), c.log().dir());
  REQUIRE(checkpoint.ok());
  REQUIRE(checkpoint->tombstones.size() == 1);
  CHECK(checkpoint->tombstones[0] == CleanerCheckpoint::TombstoneRange{0, 3, t});

  // Not yet: nothing is dirty and no tombstone is due, so the log is not even cleaned;
  // forced, the cleaning keeps the tombstone.
  auto early = clean(c.log(), t + kRetention - 1);
  CHECK_FALSE(early.ran);
  auto forced = clean(c.log(), t + kRetention - 1, /*force=*/true);
  CHECK(forced.ran);
  CHECK(forced.tombstones_removed == 0);
  CHECK(read_records(c.log(), 0) == c.expected(true));

  // delete.retention.ms after the first cleaning the tombstone is due, and goes.
  auto late = clean(c.log(), t + kRetention);
  CHECK(late.ran);
  CHECK(late.tombstones_removed == 1);
  CHECK(read_records(c.log(), 0) == c.expected(/*keep_tombstones=*/false));
  checkpoint = read_cleaner_checkpoint(c.log().file_system(), c.log().dir());
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->tombstones.empty());
}

TEST_CASE("a tombstone removes the older values of its key at once", "[ch03]") {
  Compacted c;
  c.put({{"a", "1"}, {"a", "2"}, {"b", "1"}});
  c.roll();
  c.put({{"a", Text()}});
  c.roll();
  c.put({{"z", "1"}});
  clean(c.log(), kT0);
  auto records = read_records(c.log(), 0);
  REQUIRE(records.size() == 3);
  CHECK(records[0].key == "b");
  CHECK(records[1] == Rec{3, "a", Text(), records[1].timestamp});
  CHECK(records[2].key == "z");
}

TEST_CASE("the active segment is untouched and appends continue after cleaning", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  const auto active = c.active_base();
  const auto active_file = c.f.segment_path(active, ".log");
  const auto bytes_before = test::read_file(active_file);
  clean(c.log(), kT0);
  CHECK(test::read_file(active_file) == bytes_before);
  CHECK(c.active_base() == active);

  const auto cleaned = read_records(c.log(), 0);
  auto next = c.put({{"a", "a4"}, {"g", "g1"}});
  CHECK(next == 14);
  auto records = read_records(c.log(), 0);
  REQUIRE(records.size() == cleaned.size() + 2);
  CHECK(std::equal(cleaned.begin(), cleaned.end(), records.begin()));
  CHECK(records.back() == c.appended.back());
  c.roll();
  c.put({{"h", "h1"}});
  clean(c.log(), kT0, /*force=*/true);
  CHECK(read_records(c.log(), 0) == c.expected());
}

TEST_CASE("a second cleaning without new data changes nothing", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  clean(c.log(), kT0);
  const auto files = files_of(c.f.dir.path());

  auto again = clean(c.log(), kT0);
  CHECK_FALSE(again.ran);
  CHECK_THAT(again.skipped_reason, Catch::Contains("dirty ratio"));
  CHECK(files_of(c.f.dir.path()) == files);

  auto forced = clean(c.log(), kT0, /*force=*/true);
  CHECK(forced.ran);
  CHECK(forced.records_removed == 0);
  CHECK(forced.segments_written == 0);
  CHECK(files_of(c.f.dir.path()) == files);
}

TEST_CASE("reading from a removed offset starts at the next kept record", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  clean(c.log(), kT0);
  const auto kept = read_records(c.log(), 0);
  for (std::int64_t offset = 0; offset < c.log().log_end_offset(); ++offset) {
    auto it = std::find_if(kept.begin(), kept.end(), [&](const Rec& r) { return r.offset >= offset; });
    REQUIRE(it != kept.end());
    auto from = read_records(c.log(), offset);
    REQUIRE_FALSE(from.empty());
    CHECK(from.front() == *it);
    CHECK(from.size() == static_cast<std::size_t>(kept.end() - it));
  }
  // The time index still answers: a1's time finds the first kept record at or after it.
  auto found = c.log().offset_for_timestamp(kT0);
  REQUIRE(found.ok());
  CHECK(*found == std::optional<std::int64_t>{kept.front().offset});
}

TEST_CASE("producer fields timestamps and headers survive cleaning", "[ch03]") {
  Compacted c;
  std::vector<record::RecordSpec> specs;
  for (const char* k : {"a", "b", "c", "d"}) {
    record::RecordSpec s;
    s.key = k;
    s.value = fmt::format("{}-value", k);
    s.headers = {{"h", fmt::format("{}-header", k)}};
    s.timestamp = c.ts++;
    specs.push_back(s);
  }
  record::BatchOptions producer{0, -1, 7, 2, 0};  // an idempotent producer's first batch
  auto batch = record::build_batch(specs, producer);
  REQUIRE(c.log().append(batch).ok());
  c.roll();
  c.put({{"b", "b-new"}});
  c.roll();
  c.put({{"x", "1"}});
  clean(c.log(), kT0);

  auto batches = read_batches(c.log(), 0);
  REQUIRE(batches.size() >= 4);
  const auto& a = batches[0];
  const auto& gap = batches[1];
  const auto& cd = batches[2];
  CHECK(a.header.base_offset == 0);
  CHECK(a.header.producer_id == 7);
  CHECK(a.header.producer_epoch == 2);
  CHECK(a.header.base_sequence == 0);
  REQUIRE(a.records.size() == 1);
  CHECK(a.records[0] == Rec{0, "a", "a-value", kT0});
  CHECK(a.headers[0] == std::vector<std::pair<std::string, std::string>>{{"h", "a-header"}});
  // The removed b is an empty batch that keeps its offset and sequence number.
  CHECK(gap.header.base_offset == 1);
  CHECK(gap.header.last_offset() == 1);
  CHECK(gap.header.records_count == 0);
  CHECK(gap.header.producer_id == 7);
  CHECK(gap.header.base_sequence == 1);
  CHECK(cd.header.base_offset == 2);
  CHECK(cd.header.last_offset() == 3);
  CHECK(cd.header.base_sequence == 2);
  CHECK(cd.header.producer_id == 7);
  REQUIRE(cd.records.size() == 2);
  CHECK(cd.records[0] == Rec{2, "c", "c-value", kT0 + 2});
  CHECK(cd.records[1] == Rec{3, "d", "d-value", kT0 + 3});
  CHECK(cd.headers[1] == std::vector<std::pair<std::string, std::string>>{{"h", "d-header"}});
  CHECK(cd.header.max_timestamp == kT0 + 3);
}

TEST_CASE("small cleaned segments are merged into one segment", "[ch03]") {
  Compacted c(/*segment_bytes=*/600);
  for (int round = 0; round < 8; ++round) {
    for (int k = 0; k < 3; ++k) c.put({{fmt::format("key-{}", k), fmt::format("value-{}-{}", k, round)}});
    c.roll();
  }
  c.put({{"last", "1"}});
  REQUIRE(c.log().segment_count() == 9);

  auto stats = clean(c.log(), kT0);
  CHECK(stats.segments_before == 8);
  CHECK(stats.segments_after == 1);
  CHECK(stats.segments_written == 1);
  CHECK(stats.records_removed == 21);
  CHECK(stats.bytes_after * 2 < stats.bytes_before);
  CHECK(c.log().segment_count() == 2);
  for (const auto& info : c.log().segment_infos()) CHECK(info.size_bytes <= 600);
  CHECK(read_records(c.log(), 0) == c.expected());

  // The merged segment survives a crash (recovery scans what it does not trust) and a
  // clean shutdown (its indexes were written and synced, and are trusted).
  c.f.open();
  CHECK(c.log().segment_count() == 2);
  CHECK(read_records(c.log(), 0) == c.expected());
  c.f.close_cleanly();
  c.f.open();
  CHECK(c.log().open_report().clean_shutdown);
  CHECK(c.log().open_report().recovered.empty());
  CHECK(read_records(c.log(), 0) == c.expected());
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
}

TEST_CASE("merging stops where a group would exceed segment bytes", "[ch03]") {
  Compacted c(/*segment_bytes=*/400);
  for (int round = 0; round < 6; ++round) {
    c.put({{fmt::format("r{}", round), std::string(70, 'v')}});  // 142 bytes: 2 fit in 400, 3 do not
    c.roll();
  }
  c.put({{"last", "1"}});
  auto stats = clean(c.log(), kT0);
  CHECK(stats.records_removed == 0);  // every key is unique
  CHECK(stats.segments_before == 6);
  CHECK(stats.segments_after == 3);
  for (const auto& info : c.log().segment_infos()) CHECK(info.size_bytes <= 400);
  CHECK(read_records(c.log(), 0) == c.expected());
}

TEST_CASE("the cleaner checkpoint lets the next cleaning start at the first dirty offset", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  const auto active = c.active_base();
  clean(c.log(), kT0);
  auto checkpoint = read_cleaner_checkpoint(c.log().file_system(), c.log().dir());
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->first_dirty_offset == active);

  c.put({{"a", "a4"}});  // still in the active segment of the first cleaning
  c.roll();
  c.put({{"z", "z1"}});
  auto plan = plan_cleaning(c.log(), kT0);
  REQUIRE(plan.ok());
  CHECK(plan->stats.first_dirty_offset == active);
  CHECK(plan->stats.dirty_ratio > 0);
  CHECK(plan->stats.dirty_ratio < 1);

  auto stats = clean(c.log(), kT0, /*force=*/true);
  CHECK(stats.first_dirty_offset == active);
  CHECK(stats.cleaned_up_to == c.active_base());
  CHECK(stats.records_removed == 1);  // a3, in the clean part, lost to a4
  CHECK(read_records(c.log(), 0) == c.expected());
}

TEST_CASE("min cleanable dirty ratio decides whether a log is due", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  c.f.config.min_cleanable_dirty_ratio = 1.0;  // the first cleaning: everything is dirty
  c.f.open();
  CHECK(clean(c.log(), kT0).ran);

  c.put({{"g", "g1"}});
  c.roll();
  c.put({{"h", "h1"}});
  auto plan = plan_cleaning(c.log(), kT0);
  REQUIRE(plan.ok());
  const double ratio = plan->stats.dirty_ratio;
  REQUIRE(ratio > 0.1);
  REQUIRE(ratio < 0.9);
  CHECK_FALSE(plan->due);

  c.f.config.min_cleanable_dirty_ratio = ratio;
  c.f.open();
  CHECK(clean(c.log(), kT0).ran);

  c.f.config.cleanup_policy = CleanupPolicy::delete_segments;
  c.f.open();
  auto off = clean(c.log(), kT0, /*force=*/true);
  CHECK_FALSE(off.ran);
  CHECK_THAT(off.skipped_reason, Catch::Contains("cleanup.policy is delete"));
}

TEST_CASE("retention leaves a compact only log alone", "[ch03]") {
  Compacted c;
  c.f.config.retention_ms = 1;
  c.f.open();
  fill_three_segments(c);
  c.f.clock.advance_ms(1'000'000);
  auto report = c.log().apply_retention();
  REQUIRE(report.ok());
  CHECK(report->deleted_segments.empty());

  c.f.config.cleanup_policy = CleanupPolicy::compact_and_delete;
  c.f.open();
  report = c.log().apply_retention();
  REQUIRE(report.ok());
  CHECK(report->deleted_segments.size() == 3);
}

TEST_CASE("batches the cleaner cannot read are kept whole and protect later tombstones", "[ch03]") {
  // Two kinds: a transactional batch (opaque: its keys are not looked at), and a "gzip"
  // batch whose records are not gzip at all — the broker checks only a compressed
  // batch's CRC, so a client can write one, and it must not stop the cleaning.
  for (const bool transactional : {true, false}) {
    INFO((transactional ? "transactional" : "undecodable gzip"));
    Compacted c;
    std::vector<record::RecordSpec> specs(1);
    specs[0].key = "a";
    specs[0].value = "hidden";
    specs[0].timestamp = c.ts++;
    auto unreadable = record::build_batch(specs);
    store_be<std::int16_t>(unreadable.data() + record::layout::attributes, transactional ? 0x10 : 1);
    store_be<std::uint32_t>(unreadable.data() + record::layout::crc, record::compute_crc(unreadable));
    const Bytes original = unreadable;
    REQUIRE(c.log().append(unreadable).ok());
    c.put({{"a", Text()}, {"b", "1"}});
    c.put({{"b", "2"}});
    c.roll();
    c.put({{"x", "1"}});

    auto first = clean(c.log(), kT0);
    CHECK(first.opaque_batches == (transactional ? 1 : 0));
    CHECK(first.undecodable_batches == (transactional ? 0 : 1));
    CHECK(first.records_removed == 1);  // b=1
    auto later = clean(c.log(), kT0 + kRetention, /*force=*/true);
    CHECK(later.tombstones_removed == 0);  // an "a" may hide in the unreadable batch

    auto batches = read_batches(c.log(), 0);
    REQUIRE_FALSE(batches.empty());
    CHECK(batches[0].readable == transactional);
    auto range = c.log().read(0, 1);
    REQUIRE(range.ok());
    auto bytes = range->read();
    REQUIRE(bytes.ok());
    CHECK(*bytes == original);
    auto records = read_records(c.log(), 0);
    // (A reader sees the transactional batch's record; the undecodable one has none.)
    const std::size_t hidden = transactional ? 1 : 0;
    REQUIRE(records.size() == 3 + hidden);
    CHECK(records[hidden] == Rec{1, "a", Text(), records[hidden].timestamp});
    CHECK(records[hidden + 1].value == "2");
  }
}

TEST_CASE("compressed batches keep only the latest value per key and are recompressed with their codec", "[ch03]") {
  struct Codec {
    const char* name;
    record::Compression codec;
    record::SnappyFraming snappy = record::SnappyFraming::raw;
  };
  for (const Codec& k : {Codec{"gzip", record::Compression::gzip}, Codec{"snappy", record::Compression::snappy},
                         Codec{"snappy-xerial", record::Compression::snappy, record::SnappyFraming::xerial},
                         Codec{"lz4", record::Compression::lz4}, Codec{"zstd", record::Compression::zstd}}) {
    INFO(k.name);
    Compacted c;
    // An idempotent producer's batches (id 7, epoch 2), numbered from sequence 0.
    auto producer = [](std::int32_t sequence) { return record::BatchOptions{0, -1, 7, 2, sequence}; };
    auto put = [&](const std::vector<std::pair<Text, Text>>& kvs, std::int32_t sequence) {
      return c.put(kvs, producer(sequence), k.codec, k.snappy);
    };
    put({{"a", "a1"}, {"b", "b1"}, {"c", "c1"}, {"f", "f1"}, {"a", "a2"}}, 0);  // 0-4: only f1 stays
    put({{"d", "d1"}, {"b", "b2"}}, 5);                                         // 5-6: only b2 stays
    put({{"h", "h1"}}, 7);                                                      // 7: nothing stays
    c.roll();
    put({{"a", "a3"}, {"e", "e1"}, {"d", "d2"}}, 8);                            // 8-10: all stay
    put({{"g", "g1"}, {"g", "g2"}}, 11);                                        // 11-12: g2 stays
    c.roll();
    put({{"c", "c2"}, {"h", "h2"}}, 13);                                        // 13-14: active
    const auto before = read_batches(c.log(), 0);
    REQUIRE(before.size() == 6);

    auto stats = clean(c.log(), kT0);
    CHECK(stats.records_read == 13);
    CHECK(stats.records_removed == 7);  // a1 b1 c1 a2 d1 h1 g1
    CHECK(stats.recompressed_batches == 3);
    CHECK(stats.opaque_batches == 0);
    CHECK(stats.undecodable_batches == 0);
    CHECK(c.log().log_end_offset() == 15);

    // Exactly the latest value per key, at its original offset; the old values are
    // nowhere (read_records decompresses every batch there is).
    CHECK(read_records(c.log(), 0) == c.expected());

    auto after = read_batches(c.log(), 0);
    REQUIRE(after.size() == 6);
    // Each batch still covers the same offsets, with the same producer fields and
    // sequence numbers, so the producer's last sequence is the same after cleaning.
    for (std::size_t i = 0; i < after.size(); ++i) {
      INFO("batch " << i);
      const auto& was = before[i].header;
      const auto& now = after[i].header;
      CHECK(now.base_offset == was.base_offset);
      CHECK(now.last_offset() == was.last_offset());
      CHECK(now.producer_id == 7);
      CHECK(now.producer_epoch == 2);
      CHECK(now.base_sequence == was.base_sequence);
      CHECK(now.partition_leader_epoch == was.partition_leader_epoch);
    }
    // A thinned batch is recompressed with its codec (and snappy in its framing), and
    // keeps its attributes and base timestamp; its kept records keep their offsets.
    for (std::size_t i : {0, 1, 4}) {
      INFO("batch " << i);
      const auto& h = after[i].header;
      CHECK(h.attributes == before[i].header.attributes);
      CHECK(h.compression() == k.codec);
      CHECK(h.base_timestamp == before[i].header.base_timestamp);
      CHECK(after[i].bytes.size() < before[i].bytes.size());
      REQUIRE(after[i].records.size() == 1);
      CHECK(h.records_count == 1);
      CHECK(h.max_timestamp == after[i].records[0].timestamp);
      if (k.codec == record::Compression::snappy)
        CHECK(record::snappy_framing(ByteSpan(after[i].bytes).subspan(record::layout::records)) == k.snappy);
    }
    CHECK(after[0].records[0].offset == 3);
    CHECK(after[1].records[0].offset == 6);
    CHECK(after[4].records[0].offset == 12);
    // The batch from which everything went is an empty batch; the untouched one is
    // byte for byte what was appended; the active segment's too.
    CHECK(after[2].header.records_count == 0);
    CHECK(after[2].header.base_offset == 7);
    CHECK(after[3].bytes == before[3].bytes);
    CHECK(after[5].bytes == before[5].bytes);

    // The recompressed batches, gaps and all, are read by the next cleaning like any
    // other: with nothing new, it changes nothing.
    auto again = clean(c.log(), kT0 + 1, /*force=*/true);
    CHECK(again.records_read == 6);
    CHECK(again.records_removed == 0);
    CHECK(again.recompressed_batches == 0);
    CHECK(again.segments_written == 0);
    CHECK(read_records(c.log(), 0) == c.expected());
  }
}

TEST_CASE("a cleaning that dies before its swap leaves the original segments", "[ch03]") {
  Compacted c;
  fill_three_segments(c);
  const auto before = read_records(c.log(), 0);
  auto plan = plan_cleaning(c.log(), kT0);
  REQUIRE(plan.ok());
  REQUIRE(plan->due);
  {
    auto built = build_cleaned_segments(c.log().file_system(), *plan);
    REQUIRE(built.ok());
    REQUIRE(built->segments.size() == 1);
    // Keep copies of the .cleaned files: a crash would have left them.
    for (const auto& [name, bytes] : files_of(c.f.dir.path()))
      if (name.ends_with(".cleaned")) test::write_file(c.f.dir / (name + ".keep"), bytes);
  }
  CHECK_FALSE(has_leftovers(c.f.dir.path()));  // a build given up removes its files
  for (const auto& [name, bytes] : files_of(c.f.dir.path()))
    if (name.ends_with(".keep")) {
      test::write_file(c.f.dir / name.substr(0, name.size() - 5), bytes);
      std::filesystem::remove(c.f.dir / name);
    }
  REQUIRE(has_leftovers(c.f.dir.path()));

  c.f.open();  // the crash and the restart
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
  CHECK(c.log().segment_count() == 4);
  CHECK(read_records(c.log(), 0) == before);
  CHECK(clean(c.log(), kT0).ran);
  CHECK(read_records(c.log(), 0) == c.expected());
}

TEST_CASE("a swap interrupted after its commit point is completed at open and one before it is undone", "[ch03]") {
  // A log whose three sealed segments clean into one (base 0); the files before and after.
  Compacted c;
  fill_three_segments(c);
  const auto sealed = c.log().segment_infos();
  const auto pre = files_of(c.f.dir.path());
  const auto before = read_records(c.log(), 0);
  clean(c.log(), kT0);
  const auto expected = read_records(c.log(), 0);
  REQUIRE(expected == c.expected());
  const auto post = files_of(c.f.dir.path());
  c.f.log.reset();

  auto restore = [&](const std::map<std::string, Bytes>& files) {
    for (const auto& e : std::filesystem::directory_iterator(c.f.dir.path())) std::filesystem::remove(e.path());
    for (const auto& [name, bytes] : files) test::write_file(c.f.dir / name, bytes);
  };
  const std::string zero = segment_file_name(0, "");
  auto cleaned = [&](const char* ext) { return post.at(zero + ext); };
  bool committed = true;

  SECTION("every file renamed to swap and no old file deleted yet") {
    auto state = pre;
    for (const char* ext : {".log", ".index", ".timeindex"}) state[zero + ext + std::string(".swap")] = cleaned(ext);
    restore(state);
  }
  SECTION("some old files already deleted") {
    auto state = pre;
    for (const char* ext : {".log", ".index", ".timeindex"}) state[zero + ext + std::string(".swap")] = cleaned(ext);
    state.erase(zero + ".log");
    state.erase(zero + ".index");
    state.erase(segment_file_name(sealed[1].base_offset, ".log"));
    restore(state);
  }
  SECTION("old files gone and the indexes already renamed") {
    auto state = pre;
    for (const auto& info : {sealed[0], sealed[1], sealed[2]})
      for (const char* ext : {".log", ".index", ".timeindex"}) state.erase(segment_file_name(info.base_offset, ext));
    state[zero + ".index"] = cleaned(".index");
    state[zero + ".timeindex"] = cleaned(".timeindex");
    state[zero + ".log.swap"] = cleaned(".log");
    restore(state);
  }
  SECTION("only an index renamed to swap: not committed yet") {
    auto state = pre;
    state[zero + ".index.swap"] = cleaned(".index");
    state[zero + ".timeindex.cleaned"] = cleaned(".timeindex");
    state[zero + ".log.cleaned"] = cleaned(".log");
    restore(state);
    committed = false;
  }

  c.f.open();
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
  CHECK(c.log().segment_count() == (committed ? 2u : 4u));
  auto want = committed ? expected : before;
  CHECK(read_records(c.log(), 0) == want);
  c.put({{"new", "1"}});
  want.push_back(c.appended.back());
  CHECK(read_records(c.log(), 0) == want);
}

TEST_CASE("a disk failure in the swap takes the log offline and reopening completes it", "[ch03][faults]") {
  test::FaultyFileSystem disk;
  Compacted c;
  c.f.fs = &disk;
  c.f.open();
  fill_three_segments(c);

  auto plan = plan_cleaning(c.log(), kT0);
  REQUIRE(plan.ok());
  auto built = build_cleaned_segments(disk, *plan);
  REQUIRE(built.ok());
  SECTION("deleting the old segments fails") { disk.plan.fail_remove = true; }
  SECTION("the fsync of the commit point fails") { disk.plan.fail_sync = true; }
  auto swapped = swap_cleaned_segments(c.log(), std::move(*built));
  REQUIRE_FALSE(swapped.ok());
  CHECK(swapped.error().code == Errc::kafka_storage_error);
  CHECK_FALSE(c.log().online());

  disk.plan = {};
  c.f.open();
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
  CHECK(c.log().segment_count() == 2);
  CHECK(read_records(c.log(), 0) == c.expected());
}

TEST_CASE("a disk failure while building leaves the log as it was", "[ch03][faults]") {
  test::FaultyFileSystem disk;
  Compacted c;
  c.f.fs = &disk;
  c.f.open();
  fill_three_segments(c);
  const auto before = read_records(c.log(), 0);
  SECTION("fsync fails") { disk.plan.fail_sync = true; }
  SECTION("the disk is full") { disk.plan.bytes_until_full = 100; }
  auto stats = clean_log(c.log(), kT0);
  REQUIRE_FALSE(stats.ok());
  disk.plan = {};
  CHECK(c.log().online());
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
  CHECK(c.log().segment_count() == 4);
  CHECK(read_records(c.log(), 0) == before);
  CHECK(clean(c.log(), kT0).ran);
  CHECK(read_records(c.log(), 0) == c.expected());
}

TEST_CASE("a plan made before retention moved the log is refused at the swap", "[ch03]") {
  Compacted c;
  c.f.config.cleanup_policy = CleanupPolicy::compact_and_delete;
  c.f.config.retention_ms = 1;
  c.f.open();
  fill_three_segments(c);
  auto plan = plan_cleaning(c.log(), kT0);
  REQUIRE(plan.ok());
  auto built = build_cleaned_segments(c.log().file_system(), *plan);
  REQUIRE(built.ok());
  c.f.clock.advance_ms(1'000'000);
  REQUIRE(c.log().apply_retention().ok());
  auto swapped = swap_cleaned_segments(c.log(), std::move(*built));
  REQUIRE_FALSE(swapped.ok());
  CHECK(swapped.error().code == Errc::invalid_request);
  CHECK(c.log().online());
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
}

// Regression: truncation during a cleaning was caught only while the log end stayed below
// the offset map's end. Chapter 4's follower truncates to its new leader and appends the
// leader's records at the same offsets at once, so the log end comes back and the stale
// cleaning — built from records that no longer exist — would have been swapped in.
TEST_CASE("a cleaning planned before a truncation is abandoned even after new appends", "[ch03]") {
  Compacted c;
  fill_three_segments(c);  // offsets 0..13, the sealed segments end at 12
  auto plan = plan_cleaning(c.log(), kT0);
  REQUIRE(plan.ok());
  REQUIRE(plan->due);
  auto built = build_cleaned_segments(c.log().file_system(), *plan);
  REQUIRE(built.ok());
  // Truncate away the second and third sealed segments (truncation cuts at a batch
  // boundary), then write other records at those offsets until the log is longer than it
  // was.
  const auto cut = c.log().segment_infos().at(1).base_offset;
  REQUIRE(c.log().truncate_to(cut).ok());
  c.appended.erase(std::remove_if(c.appended.begin(), c.appended.end(), [&](const Rec& r) { return r.offset >= cut; }),
                   c.appended.end());
  while (c.log().log_end_offset() <= built->map_end_offset + 2) c.put({{"z", "replaced"}, {"a", "a-new"}});
  auto swapped = swap_cleaned_segments(c.log(), std::move(*built));
  REQUIRE_FALSE(swapped.ok());
  CHECK(swapped.error().code == Errc::invalid_request);
  CHECK(c.log().online());
  CHECK_FALSE(has_leftovers(c.f.dir.path()));
  // The log is exactly what was appended, truncation included: nothing stale swapped in.
  CHECK(read_records(c.log(), 0) == c.appended);
  // A cleaning planned after the truncation works as usual.
  c.roll();
  c.put({{"y", "1"}});
  auto stats = clean(c.log(), kT0);
  CHECK(stats.ran);
  CHECK(read_records(c.log(), c.log().log_start_offset()) == c.expected());
}
