// generated from final/record/record.cpp; edit there
// record/record.cpp — decoding and encoding the records of a RecordBatch v2.
#include "record/record.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace streamcraft::record {
namespace {

Error malformed(std::size_t index, std::string_view what) {
  return make_error(Errc::corrupt_message, fmt::format("record {}: {}", index, what));
}

// A length-prefixed byte string; -1 means null.
std::optional<std::optional<ByteSpan>> read_nullable(Reader& r) {
  auto len = r.read_varint();
  if (!len) return std::nullopt;
  if (*len == -1) return std::optional<ByteSpan>{};
  if (*len < -1) return std::nullopt;
  auto bytes = r.read_bytes(static_cast<std::size_t>(*len));
  if (!bytes) return std::nullopt;
  return std::optional<ByteSpan>{*bytes};
}

// Which offset deltas a batch's records may have.
enum class Deltas {
  consecutive,  // 0, 1, 2, …: what a producer writes
  increasing,   // strictly increasing up to lastOffsetDelta: a batch compaction thinned
};

// Walks the records `bytes` (the part after the header, uncompressed) of the batch with
// header `h`, and checks their structure. With an output vector it also collects the
// records; without one it allocates nothing, which keeps validation cheap on the append path.
Result<RecordsSummary> walk_record_bytes(const BatchHeader& h, ByteSpan bytes, Deltas deltas,
                                         std::vector<RecordView>* out) {
  RecordsSummary summary;
  if (h.records_count < 0) return make_error(Errc::corrupt_message, "negative recordsCount");

  Reader r(bytes);
  // Never trust a count for an allocation: reserve at most what the bytes could hold
  // (a record is at least 7 bytes long).
  if (out) out->reserve(std::min<std::size_t>(static_cast<std::size_t>(h.records_count), r.remaining() / 7));
  std::int64_t previous_delta = -1;
  for (std::int32_t i = 0; i < h.records_count; ++i) {
    auto index = static_cast<std::size_t>(i);
    std::size_t start = r.position();
    auto length = r.read_varint();
    if (!length || *length < 0 || static_cast<std::size_t>(*length) > r.remaining())
      return malformed(index, "length runs past the end of the batch");
    auto body = r.read_bytes(static_cast<std::size_t>(*length));
    Reader rr(*body);
    RecordView rec;
    auto attributes = rr.read_be<std::int8_t>();
    auto ts_delta = rr.read_varlong();
    auto offset_delta = rr.read_varint();
    if (!attributes || !ts_delta || !offset_delta) return malformed(index, "truncated record header");
    if (deltas == Deltas::consecutive && *offset_delta != i)
      return malformed(index, fmt::format("offsetDelta {} where {} was expected", *offset_delta, i));
    if (deltas == Deltas::increasing && (*offset_delta <= previous_delta || *offset_delta > h.last_offset_delta))
      return malformed(index, fmt::format("offsetDelta {} after {} in a batch whose lastOffsetDelta is {}",
                                          *offset_delta, previous_delta, h.last_offset_delta));
    previous_delta = *offset_delta;
    const std::int64_t timestamp = wrapping_add(h.base_timestamp, *ts_delta);
    summary.max_timestamp = std::max(summary.max_timestamp, timestamp);
    auto key = read_nullable(rr);
    auto value = key ? read_nullable(rr) : std::nullopt;
    if (!key || !value) return malformed(index, "truncated key or value");
    auto header_count = rr.read_varint();
    if (!header_count || *header_count < 0) return malformed(index, "bad header count");
    for (std::int32_t j = 0; j < *header_count; ++j) {
      auto hkey = read_nullable(rr);
      auto hvalue = hkey ? read_nullable(rr) : std::nullopt;
      if (!hkey || !*hkey || !hvalue) return malformed(index, "truncated header");
      if (out) rec.headers.push_back(HeaderView{as_chars(**hkey), *hvalue});
    }
    if (rr.remaining() != 0) return malformed(index, "bytes left over after the headers");
    if (out) {
      rec.offset = wrapping_add(h.base_offset, *offset_delta);
      rec.timestamp = timestamp;
      rec.key = *key;
      rec.value = *value;
      rec.size_in_batch = r.position() - start;
      out->push_back(std::move(rec));
    }
  }
  if (r.remaining() != 0)
    return make_error(Errc::corrupt_message,
                      fmt::format("{} bytes after the last of {} records", r.remaining(), h.records_count));
  return summary;
}

// The records of an uncompressed batch, as a producer wrote them.
Result<RecordsSummary> walk_records(ByteSpan batch, std::vector<RecordView>* out) {
  auto h = decode_header(batch);
  if (!h) return make_error(Errc::corrupt_message, "batch shorter than its header");
  if (h->compression() != Compression::none)
    return make_error(Errc::corrupt_message,
                      fmt::format("records are compressed with {}; this log does not decompress",
                                  compression_name(h->compression())));
  return walk_record_bytes(*h, batch.subspan(layout::records), Deltas::consecutive, out);
}

}  // namespace

Result<std::vector<RecordView>> decode_records(ByteSpan batch) {
  std::vector<RecordView> out;
  if (auto s = walk_records(batch, &out); !s) return s.error();
  return out;
}

Result<RecordsSummary> check_records(ByteSpan batch) { return walk_records(batch, nullptr); }

Result<std::vector<RecordView>> decode_record_bytes(const BatchHeader& header, ByteSpan records) {
  std::vector<RecordView> out;
  if (auto s = walk_record_bytes(header, records, Deltas::increasing, &out); !s) return s.error();
  return out;
}

Bytes build_batch(std::span<const RecordSpec> records, const BatchOptions& options) {
  if (records.empty()) throw std::invalid_argument("build_batch needs at least one record");
  const std::int64_t base_ts = records.front().timestamp;
  std::int64_t max_ts = base_ts;
  for (const auto& r : records) max_ts = std::max(max_ts, r.timestamp);

  Bytes out(layout::header_size);
  Writer w(out);
  Bytes body;
  auto write_nullable = [](Writer& bw, const std::optional<std::string>& s) {
    if (!s) {
      bw.write_varint(-1);
      return;
    }
    bw.write_varint(static_cast<std::int32_t>(s->size()));
    bw.write_bytes(as_bytes(*s));
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    body.clear();
    Writer bw(body);
    bw.write_be<std::int8_t>(0);  // record attributes: unused in v2
    bw.write_varlong(r.timestamp - base_ts);
    bw.write_varint(static_cast<std::int32_t>(i));
    write_nullable(bw, r.key);
    write_nullable(bw, r.value);
    bw.write_varint(static_cast<std::int32_t>(r.headers.size()));
    for (const auto& [k, v] : r.headers) {
      write_nullable(bw, k);
      write_nullable(bw, v);
    }
    w.write_varint(static_cast<std::int32_t>(body.size()));
    w.write_bytes(body);
  }

  std::byte* p = out.data();
  store_be<std::int64_t>(p + layout::base_offset, options.base_offset);
  store_be<std::int32_t>(p + layout::batch_length, static_cast<std::int32_t>(out.size() - layout::log_overhead));
  store_be<std::int32_t>(p + layout::partition_leader_epoch, options.partition_leader_epoch);
  store_be<std::int8_t>(p + layout::magic, kMagicV2);
  store_be<std::int16_t>(p + layout::attributes, 0);
  store_be<std::int32_t>(p + layout::last_offset_delta, static_cast<std::int32_t>(records.size() - 1));
  store_be<std::int64_t>(p + layout::base_timestamp, base_ts);
  store_be<std::int64_t>(p + layout::max_timestamp, max_ts);
  store_be<std::int64_t>(p + layout::producer_id, options.producer_id);
  store_be<std::int16_t>(p + layout::producer_epoch, options.producer_epoch);
  store_be<std::int32_t>(p + layout::base_sequence, options.base_sequence);
  store_be<std::int32_t>(p + layout::records_count, static_cast<std::int32_t>(records.size()));
  store_be<std::uint32_t>(p + layout::crc, compute_crc(out));
  return out;
}

}  // namespace streamcraft::record
