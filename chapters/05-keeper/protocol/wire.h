// generated from final/protocol/wire.h; edit there
// protocol/wire.h — the primitive types of the Kafka wire protocol.
//
// Every Kafka request and response is built from a handful of types: fixed-width
// big-endian integers, strings and byte arrays with a length prefix (int16 for strings,
// int32 for bytes; -1 means null), and arrays with an int32 count (-1 means null). These
// are the non-flexible encodings; the "compact" ones of flexible versions are not used
// because this broker advertises no flexible version (see protocol/api_versions.h).
//
// The Decoder never throws and never reads past its input: the first failed read marks
// it failed, every later read returns a default, and the caller checks ok() once at the
// end — so a malformed request becomes one clear error instead of a crash. It also refuses
// array counts that the remaining bytes cannot possibly hold, so a hostile count can not
// make us allocate gigabytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"

namespace streamcraft::protocol {

class Decoder {
 public:
  explicit Decoder(ByteSpan data) : r_(data) {}

  bool ok() const { return ok_ && r_.ok(); }
  std::size_t remaining() const { return r_.remaining(); }
  std::size_t position() const { return r_.position(); }
  // Why the decoder failed (the first problem), for error messages.
  const std::string& problem() const { return problem_; }
  void fail(std::string why);

  std::int8_t i8() { return read<std::int8_t>(); }
  std::int16_t i16() { return read<std::int16_t>(); }
  std::int32_t i32() { return read<std::int32_t>(); }
  std::int64_t i64() { return read<std::int64_t>(); }
  bool boolean() { return read<std::int8_t>() != 0; }

  std::string string();                          // int16 length; null is an error
  std::optional<std::string> nullable_string();  // int16 length; -1 → nullopt
  std::optional<ByteSpan> nullable_bytes();      // int32 length; -1 → nullopt
  // An int32 element count; -1 (null) is returned as-is. Fails if count * min_element_size
  // exceeds the bytes left.
  std::int32_t array_length(std::size_t min_element_size);

 private:
  template <class T>
  T read() {
    if (!ok()) return T{};
    auto v = r_.read_be<T>();
    if (!v) {
      fail("request ends early");
      return T{};
    }
    return *v;
  }

  Reader r_;
  bool ok_ = true;
  std::string problem_;
};

class Encoder {
 public:
  explicit Encoder(Bytes& out) : out_(out) {}

  void i8(std::int8_t v) { Writer(out_).write_be(v); }
  void i16(std::int16_t v) { Writer(out_).write_be(v); }
  void i32(std::int32_t v) { Writer(out_).write_be(v); }
  void i64(std::int64_t v) { Writer(out_).write_be(v); }
  void boolean(bool v) { i8(v ? 1 : 0); }
  void string(std::string_view s);
  void nullable_string(const std::optional<std::string>& s);
  void nullable_bytes(std::optional<ByteSpan> b);
  void array_length(std::size_t n) { i32(static_cast<std::int32_t>(n)); }
  void null_array() { i32(-1); }
  void raw(ByteSpan b) { Writer(out_).write_bytes(b); }
  std::size_t size() const { return out_.size(); }

 private:
  Bytes& out_;
};

}  // namespace streamcraft::protocol
