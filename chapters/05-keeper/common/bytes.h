// generated from final/common/bytes.h; edit there
// common/bytes.h — reading and writing the integers of Kafka's binary formats.
//
// Kafka's formats are big-endian ("network order") for fixed-size integers, and use
// zig-zag varints (as in Protocol Buffers) inside records. These helpers are pure
// functions over byte spans; the decoders return std::nullopt instead of reading past
// the end, so a truncated or hostile input can never make us read memory we don't own.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace streamcraft {

using Bytes = std::vector<std::byte>;
using ByteSpan = std::span<const std::byte>;
using MutableByteSpan = std::span<std::byte>;

inline ByteSpan as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Reverses the bytes of an unsigned integer (std::byteswap arrives only in C++23).
template <class U>
constexpr U byteswap_(U v) {
  if constexpr (sizeof(U) == 2) return static_cast<U>(__builtin_bswap16(v));
  if constexpr (sizeof(U) == 4) return static_cast<U>(__builtin_bswap32(v));
  if constexpr (sizeof(U) == 8) return static_cast<U>(__builtin_bswap64(v));
  return v;
}

// Fixed-width big-endian integers. The caller guarantees that the bytes exist
// (use the checked Reader below when they might not).
template <class T>
T load_be(const std::byte* p) {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  U v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byteswap_(v);
  return static_cast<T>(v);
}

template <class T>
void store_be(std::byte* p, T value) {
  static_assert(std::is_integral_v<T>);
  using U = std::make_unsigned_t<T>;
  U v = static_cast<U>(value);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) v = byteswap_(v);
  std::memcpy(p, &v, sizeof v);
}

// a + b with two's-complement wrap-around instead of undefined behaviour. Fields read from
// untrusted bytes (a hostile baseOffset of INT64_MAX plus a delta) can overflow; the
// result is then simply wrong — and caught by the checks that follow — never UB.
constexpr std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

// Zig-zag maps signed to unsigned so that small negative numbers stay short:
// 0→0, -1→1, 1→2, -2→3, …
constexpr std::uint64_t zigzag_encode(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
constexpr std::int64_t zigzag_decode(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// A cursor over input bytes. Every read is bounds-checked; after the first failed read
// the reader stays failed, so a decoder can read a whole structure and check ok() once.
class Reader {
 public:
  explicit Reader(ByteSpan data) : data_(data) {}

  bool ok() const { return ok_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }

  template <class T>
  std::optional<T> read_be() {
    if (!need(sizeof(T))) return std::nullopt;
    T v = load_be<T>(data_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }

  // A zig-zag varint of at most 10 bytes (int64) or 5 bytes (int32).
  std::optional<std::int64_t> read_varlong() { return read_varint_(10); }
  std::optional<std::int32_t> read_varint() {
    auto v = read_varint_(5);
    if (!v) return std::nullopt;
    if (*v < INT32_MIN || *v > INT32_MAX) return fail_();
    return static_cast<std::int32_t>(*v);
  }

  std::optional<ByteSpan> read_bytes(std::size_t n) {
    if (!need(n)) return std::nullopt;
    ByteSpan out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  bool need(std::size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::nullopt_t fail_() {
    ok_ = false;
    return std::nullopt;
  }
  std::optional<std::int64_t> read_varint_(int max_bytes) {
    std::uint64_t raw = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (!need(1)) return std::nullopt;
      auto b = static_cast<std::uint8_t>(data_[pos_++]);
      raw |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return zigzag_decode(raw);
    }
    return fail_();  // too many continuation bytes: not a valid varint
  }

  ByteSpan data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// Appends big-endian integers and varints to a growing buffer.
class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  template <class T>
  void write_be(T v) {
    // Grow, then store in place (an insert from a small array trips a false
    // -Wstringop-overflow in GCC 12 at -O3).
    const std::size_t at = out_.size();
    out_.resize(at + sizeof(T));
    store_be<T>(out_.data() + at, v);
  }
  void write_varlong(std::int64_t v) {
    std::uint64_t z = zigzag_encode(v);
    while (z >= 0x80) {
      out_.push_back(static_cast<std::byte>((z & 0x7f) | 0x80));
      z >>= 7;
    }
    out_.push_back(static_cast<std::byte>(z));
  }
  void write_varint(std::int32_t v) { write_varlong(v); }
  void write_bytes(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }

 private:
  Bytes& out_;
};

// Number of bytes write_varlong would use.
constexpr std::size_t varlong_size(std::int64_t v) {
  std::uint64_t z = zigzag_encode(v);
  std::size_t n = 1;
  while (z >= 0x80) {
    z >>= 7;
    ++n;
  }
  return n;
}

}  // namespace streamcraft
