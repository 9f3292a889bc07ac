// generated from final/log/dump.cpp; edit there
// log/dump.cpp — printing segment files.
#include "log/dump.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "log/index.h"
#include "log/segment.h"
#include "log/time_index.h"
#include "record/batch.h"
#include "record/record.h"

namespace streamcraft::log {
namespace {

// Printable bytes are shown as text, anything else as hex, so a dump never garbles a
// terminal.
std::string show(const std::optional<ByteSpan>& bytes) {
  if (!bytes) return "null";
  auto text = as_chars(*bytes);
  bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (printable) return std::string(text);
  std::string hex = "0x";
  for (auto b : *bytes) hex += fmt::format("{:02x}", static_cast<unsigned>(b));
  return hex;
}

Status dump_log(const File& file, const DumpOptions& options, std::ostream& out) {
  const std::uint64_t size = file.size();
  Bytes batch;
  std::uint64_t pos = 0;
  std::uint64_t batches = 0;
  while (pos < size) {
    std::byte frame_bytes[record::layout::log_overhead];
    auto n = file.read_at(frame_bytes, pos);
    if (!n) return n.error();
    auto frame = record::read_frame(ByteSpan(frame_bytes, *n), static_cast<std::size_t>(size - pos));
    if (!frame) {
      fmt::print(out, "position {}: {} — the remaining {} bytes are not a valid batch\n", pos,
                 frame.error().describe(), size - pos);
      return {};
    }
    batch.resize(frame->total_size);
    if (auto r = file.read_at(batch, pos); !r) return r.error();
    auto h = *record::decode_header(batch);
    auto integrity = record::check_integrity(batch);
    std::int64_t last_seq =
        h.base_sequence < 0 ? -1 : static_cast<std::int64_t>(h.base_sequence) + h.last_offset_delta;
    fmt::print(out,
               "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {} "
               "producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} isControl: {} position: {} "
               "{}: {} size: {} magic: {} compresscodec: {} crc: {} isvalid: {}\n",
               h.base_offset, h.last_offset(), h.records_count, h.base_sequence, last_seq, h.producer_id,
               h.producer_epoch, h.partition_leader_epoch, h.is_transactional(), h.is_control(), pos,
               h.timestamp_type() == record::TimestampType::create_time ? "CreateTime" : "LogAppendTime",
               h.max_timestamp, frame->total_size, h.magic, record::compression_name(h.compression()), h.crc,
               integrity.ok());
    if (!integrity) {
      fmt::print(out, "position {}: {} — stopping here\n", pos, integrity.error().describe());
      return {};
    }
    if (options.records) {
      if (h.compression() != record::Compression::none) {
        fmt::print(out, "| records are compressed with {}; the log stores them as sent and does not decode them\n",
                   record::compression_name(h.compression()));
      } else if (auto records = record::decode_records(batch); !records) {
        fmt::print(out, "| {}\n", records.error().describe());
      } else {
        for (const auto& r : *records) {
          std::string header_keys;
          for (const auto& hd : r.headers) {
            if (!header_keys.empty()) header_keys += ',';
            header_keys += hd.key;
          }
          fmt::print(out, "| offset: {} CreateTime: {} keySize: {} valueSize: {} headerKeys: [{}] key: {} payload: {}\n",
                     r.offset, r.timestamp, r.key ? static_cast<long>(r.key->size()) : -1L,
                     r.value ? static_cast<long>(r.value->size()) : -1L, header_keys, show(r.key), show(r.value));
        }
      }
    }
    pos += frame->total_size;
    ++batches;
  }
  fmt::print(out, "{} batch(es), {} bytes\n", batches, size);
  return {};
}

}  // namespace

Status dump_file(FileSystem& fs, const std::filesystem::path& path, const DumpOptions& options, std::ostream& out) {
  auto name = path.filename().string();
  auto ext = path.extension().string();
  fmt::print(out, "Dumping {}\n", path.string());
  if (ext == ".log") {
    auto file = fs.open(path, OpenMode::read_only);
    if (!file) return file.error();
    return dump_log(**file, options, out);
  }
  auto bytes = fs.read_all(path);
  if (!bytes) return bytes.error();
  auto base = parse_segment_file_name(name, ext).value_or(0);
  if (ext == ".index") {
    // Positions are checked against the matching .log when it exists.
    auto log_path = std::filesystem::path(path).replace_extension(".log");
    std::uint64_t log_size = UINT64_MAX;
    if (auto log = fs.open(log_path, OpenMode::read_only)) log_size = (*log)->size();
    auto entries = decode_index(*bytes, log_size);
    if (!entries) return entries.error();
    for (const auto& e : *entries) fmt::print(out, "offset: {} position: {}\n", base + e.relative_offset, e.position);
    fmt::print(out, "{} entries\n", entries->size());
    return {};
  }
  if (ext == ".timeindex") {
    auto entries = decode_time_index(*bytes);
    if (!entries) return entries.error();
    for (const auto& e : *entries) fmt::print(out, "timestamp: {} offset: {}\n", e.timestamp, base + e.relative_offset);
    fmt::print(out, "{} entries\n", entries->size());
    return {};
  }
  return make_error(Errc::invalid_config, fmt::format("{}: not a .log, .index or .timeindex file", path.string()));
}

}  // namespace streamcraft::log
