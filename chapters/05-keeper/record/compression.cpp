// generated from final/record/compression.cpp; edit there
// record/compression.cpp — gzip (zlib), snappy, lz4 (frames) and zstd, bounded (see compression.h).
//
// Every decoder follows the same pattern: output goes into a buffer that grows by
// doubling but never past max_output + 1 bytes; reaching that last byte means the stream
// is larger than allowed, and decoding stops there. The libraries' contexts are C
// handles, each owned by a unique_ptr with the library's own free function.
#include "record/compression.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>

#include <fmt/format.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace streamcraft::record {
namespace {

Error corrupt(Compression codec, std::string_view what) {
  return make_error(Errc::corrupt_message, fmt::format("{} data: {}", compression_name(codec), what));
}
Error too_large(Compression codec, std::size_t max_output) {
  return corrupt(codec, fmt::format("decompresses to more than the {} bytes allowed", max_output));
}

// The output buffer of a streaming decoder: `filled` bytes are decoded; room() is where
// the next ones go. grow() refuses to pass limit + 1 bytes.
class Output {
 public:
  Output(std::size_t limit, std::size_t input_size)
      : limit_(limit), bytes_(std::min(limit + 1, std::max<std::size_t>(input_size * 4, 4096))) {}
  std::byte* room() { return bytes_.data() + filled_; }
  std::size_t room_size() const { return bytes_.size() - filled_; }
  void advance(std::size_t n) { filled_ += n; }
  bool over_limit() const { return filled_ > limit_; }
  // Makes room when there is none; false once the buffer is at limit + 1 bytes.
  bool ensure_room() {
    if (room_size() > 0) return true;
    if (bytes_.size() > limit_) return false;
    bytes_.resize(std::min(limit_ + 1, bytes_.size() * 2));
    return true;
  }
  Bytes take() {
    bytes_.resize(filled_);
    return std::move(bytes_);
  }

 private:
  std::size_t limit_;
  Bytes bytes_;
  std::size_t filled_ = 0;
};

// ---- gzip --------------------------------------------------------------------------

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer

struct InflateStream {
  z_stream z{};
  bool open = false;
  ~InflateStream() {
    if (open) inflateEnd(&z);
  }
};
struct DeflateStream {
  z_stream z{};
  bool open = false;
  ~DeflateStream() {
    if (open) deflateEnd(&z);
  }
};

// zlib counts in uInt (32 bits); our inputs and limits are far below that, but a
// caller's span need not be.
bool fits_uint(std::size_t n) { return n <= std::numeric_limits<uInt>::max(); }

Result<Bytes> gunzip(ByteSpan input, std::size_t max_output) {
  constexpr auto codec = Compression::gzip;
  if (!fits_uint(input.size())) return corrupt(codec, "input too large");
  InflateStream s;
  if (inflateInit2(&s.z, kGzipWindowBits) != Z_OK) return corrupt(codec, "cannot start zlib");
  s.open = true;
  // zlib takes a non-const pointer but never writes through next_in.
  s.z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  s.z.avail_in = static_cast<uInt>(input.size());
  Output out(max_output, input.size());
  while (true) {
    if (!out.ensure_room()) return too_large(codec, max_output);
    const std::size_t room = std::min<std::size_t>(out.room_size(), std::numeric_limits<uInt>::max());
    s.z.next_out = reinterpret_cast<Bytef*>(out.room());
    s.z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&s.z, Z_NO_FLUSH);
    out.advance(room - s.z.avail_out);
    if (out.over_limit()) return too_large(codec, max_output);
    if (rc == Z_STREAM_END) {
      if (s.z.avail_in == 0) break;
      // Another gzip member follows (a concatenation is one gzip stream, RFC 1952).
      if (inflateReset(&s.z) != Z_OK) return corrupt(codec, "cannot restart zlib");
      continue;
    }
    if (rc == Z_BUF_ERROR && s.z.avail_in == 0) return corrupt(codec, "truncated stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR) return corrupt(codec, s.z.msg ? s.z.msg : "inflate failed");
  }
  return out.take();
}

Result<Bytes> gzip(ByteSpan input) {
  constexpr auto codec = Compression::gzip;
  if (!fits_uint(input.size())) return corrupt(codec, "input too large");
  DeflateStream s;
  if (deflateInit2(&s.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return corrupt(codec, "cannot start zlib");
  s.open = true;
  Bytes out(deflateBound(&s.z, static_cast<uLong>(input.size())));
  s.z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(input.data()));
  s.z.avail_in = static_cast<uInt>(input.size());
  s.z.next_out = reinterpret_cast<Bytef*>(out.data());
  s.z.avail_out = static_cast<uInt>(out.size());
  // deflateBound is enough for a single Z_FINISH call.
  if (deflate(&s.z, Z_FINISH) != Z_STREAM_END) return corrupt(codec, "deflate did not finish");
  out.resize(s.z.total_out);
  return out;
}

// ---- snappy ------------------------------------------------------------------------

// xerial's snappy-java framing: magic, version 1, compatible version 1, then blocks.
constexpr std::array<unsigned char, 8> kXerialMagic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr std::size_t kXerialHeader = 16;
constexpr std::size_t kXerialBlock = 32 * 1024;  // snappy-java's default block size

const char* chars(ByteSpan b) { return reinterpret_cast<const char*>(b.data()); }

// One raw snappy block, appended to `out`; `budget` is what the output may still grow by.
Status unsnappy_block(ByteSpan block, Bytes& out, std::size_t budget, std::size_t max_output) {
  constexpr auto codec = Compression::snappy;
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(chars(block), block.size(), &length)) return corrupt(codec, "bad block length");
  // The length is the block's own claim: check it before allocating anything for it.
  if (length > budget) return too_large(codec, max_output);
  const std::size_t at = out.size();
  out.resize(at + length);
  if (!snappy::RawUncompress(chars(block), block.size(), reinterpret_cast<char*>(out.data() + at)))
    return corrupt(codec, "damaged block");
  return {};
}

Result<Bytes> unsnappy(ByteSpan input, std::size_t max_output) {
  constexpr auto codec = Compression::snappy;
  Bytes out;
  if (snappy_framing(input) == SnappyFraming::raw) {
    if (auto s = unsnappy_block(input, out, max_output, max_output); !s) return s.error();
    return out;
  }
  if (input.size() < kXerialHeader) return corrupt(codec, "truncated xerial header");
  Reader r(input.subspan(kXerialHeader));
  while (r.remaining() > 0) {
    auto length = r.read_be<std::int32_t>();
    if (!length || *length < 0) return corrupt(codec, "bad xerial block length");
    auto block = r.read_bytes(static_cast<std::size_t>(*length));
    if (!block) return corrupt(codec, "truncated xerial block");
    if (auto s = unsnappy_block(*block, out, max_output - out.size(), max_output); !s) return s.error();
  }
  return out;
}

void append_raw_snappy(ByteSpan input, Bytes& out) {
  const std::size_t at = out.size();
  out.resize(at + snappy::MaxCompressedLength(input.size()));
  std::size_t written = 0;
  snappy::RawCompress(chars(input), input.size(), reinterpret_cast<char*>(out.data() + at), &written);
  out.resize(at + written);
}

Result<Bytes> snappy_compress(ByteSpan input, SnappyFraming framing) {
  Bytes out;
  if (framing == SnappyFraming::raw) {
    append_raw_snappy(input, out);
    return out;
  }
  out.resize(kXerialHeader);
  std::memcpy(out.data(), kXerialMagic.data(), kXerialMagic.size());
  store_be<std::int32_t>(out.data() + 8, 1);   // version
  store_be<std::int32_t>(out.data() + 12, 1);  // oldest compatible version
  for (std::size_t at = 0; at < input.size(); at += kXerialBlock) {
    const std::size_t length_at = out.size();
    out.resize(length_at + 4);
    append_raw_snappy(input.subspan(at, std::min(kXerialBlock, input.size() - at)), out);
    store_be<std::int32_t>(out.data() + length_at, static_cast<std::int32_t>(out.size() - length_at - 4));
  }
  return out;
}

// ---- lz4 ---------------------------------------------------------------------------

struct Lz4DctxFree {
  void operator()(LZ4F_dctx* c) const { LZ4F_freeDecompressionContext(c); }
};

Result<Bytes> unlz4(ByteSpan input, std::size_t max_output) {
  constexpr auto codec = Compression::lz4;
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) return corrupt(codec, "cannot start lz4");
  std::unique_ptr<LZ4F_dctx, Lz4DctxFree> ctx(raw);
  Output out(max_output, input.size());
  std::size_t in_pos = 0;
  std::size_t hint = 1;  // LZ4F_decompress: 0 once a frame is complete
  while (in_pos < input.size()) {
    if (!out.ensure_room()) return too_large(codec, max_output);
    std::size_t produced = out.room_size();
    std::size_t consumed = input.size() - in_pos;
    hint = LZ4F_decompress(ctx.get(), out.room(), &produced, input.data() + in_pos, &consumed, nullptr);
    if (LZ4F_isError(hint)) return corrupt(codec, LZ4F_getErrorName(hint));
    out.advance(produced);
    in_pos += consumed;
    if (out.over_limit()) return too_large(codec, max_output);
    if (produced == 0 && consumed == 0) return corrupt(codec, "no progress");
    // hint == 0 with input left: another frame follows; the context starts it afresh.
  }
  // All input is in, but a frame may still hold decoded bytes for a full buffer.
  while (hint != 0) {
    if (!out.ensure_room()) return too_large(codec, max_output);
    std::size_t produced = out.room_size();
    std::size_t consumed = 0;
    hint = LZ4F_decompress(ctx.get(), out.room(), &produced, nullptr, &consumed, nullptr);
    if (LZ4F_isError(hint)) return corrupt(codec, LZ4F_getErrorName(hint));
    out.advance(produced);
    if (out.over_limit()) return too_large(codec, max_output);
    if (produced == 0 && hint != 0) return corrupt(codec, "truncated frame");
  }
  return out.take();
}

Result<Bytes> lz4_compress(ByteSpan input) {
  // What the Java client's KafkaLZ4BlockOutputStream reads and writes: 64 KiB blocks,
  // each compressed on its own (it decodes blocks independently), no content size.
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof prefs);
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  Bytes out(LZ4F_compressFrameBound(input.size(), &prefs));
  const std::size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return corrupt(Compression::lz4, LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

// ---- zstd --------------------------------------------------------------------------

// A zstd frame names the window its decoder must keep; unbounded, a hostile frame could
// ask for 128 MiB (zstd's default limit) before producing a byte. 16 MiB covers every
// level up to 19 and the usual levels (Kafka's default is 3, a 2 MiB window).
constexpr int kZstdWindowLogMax = 24;

struct ZstdDctxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

Result<Bytes> unzstd(ByteSpan input, std::size_t max_output) {
  constexpr auto codec = Compression::zstd;
  std::unique_ptr<ZSTD_DCtx, ZstdDctxFree> ctx(ZSTD_createDCtx());
  if (!ctx) return corrupt(codec, "cannot start zstd");
  if (ZSTD_isError(ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, kZstdWindowLogMax)))
    return corrupt(codec, "cannot limit the window");
  Output out(max_output, input.size());
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  std::size_t hint = 1;  // ZSTD_decompressStream: 0 once a frame is complete
  if (input.empty()) return corrupt(codec, "empty input");
  while (true) {
    if (!out.ensure_room()) return too_large(codec, max_output);
    ZSTD_outBuffer o{out.room(), out.room_size(), 0};
    hint = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(hint)) return corrupt(codec, ZSTD_getErrorName(hint));
    out.advance(o.pos);
    if (out.over_limit()) return too_large(codec, max_output);
    if (in.pos == in.size) {
      if (hint == 0) break;                                    // the last frame is complete
      if (o.pos < o.size) return corrupt(codec, "truncated frame");  // wants input we lack
    }
    // hint == 0 with input left: another frame follows.
  }
  return out.take();
}

Result<Bytes> zstd_compress(ByteSpan input) {
  Bytes out(ZSTD_compressBound(input.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3);
  if (ZSTD_isError(n)) return corrupt(Compression::zstd, ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

SnappyFraming snappy_framing(ByteSpan compressed) {
  if (compressed.size() >= kXerialMagic.size() &&
      std::memcmp(compressed.data(), kXerialMagic.data(), kXerialMagic.size()) == 0)
    return SnappyFraming::xerial;
  return SnappyFraming::raw;
}

Result<Bytes> decompress(Compression codec, ByteSpan input, std::size_t max_output) {
  switch (codec) {
    case Compression::gzip: return gunzip(input, max_output);
    case Compression::snappy: return unsnappy(input, max_output);
    case Compression::lz4: return unlz4(input, max_output);
    case Compression::zstd: return unzstd(input, max_output);
    case Compression::none: break;
  }
  return make_error(Errc::corrupt_message,
                    fmt::format("compression codec {} cannot be decompressed", static_cast<int>(codec)));
}

Result<Bytes> compress(Compression codec, ByteSpan input, const CompressOptions& options) {
  switch (codec) {
    case Compression::gzip: return gzip(input);
    case Compression::snappy: return snappy_compress(input, options.snappy);
    case Compression::lz4: return lz4_compress(input);
    case Compression::zstd: return zstd_compress(input);
    case Compression::none: break;
  }
  return make_error(Errc::corrupt_message,
                    fmt::format("compression codec {} cannot be compressed", static_cast<int>(codec)));
}

Result<DecompressedRecords> decompress_records(ByteSpan batch, std::size_t max_output) {
  auto h = decode_header(batch);
  if (!h) return make_error(Errc::corrupt_message, "batch shorter than its header");
  const ByteSpan compressed = batch.subspan(layout::records);
  DecompressedRecords out;
  if (h->compression() == Compression::snappy) out.snappy = snappy_framing(compressed);
  auto bytes = decompress(h->compression(), compressed, max_output);
  if (!bytes) return bytes.error();
  out.bytes = std::move(*bytes);
  auto records = decode_record_bytes(*h, out.bytes);
  if (!records) return records.error();
  out.records = std::move(*records);
  return out;
}

}  // namespace streamcraft::record
