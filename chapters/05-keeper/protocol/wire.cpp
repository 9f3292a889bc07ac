// generated from final/protocol/wire.cpp; edit there
// protocol/wire.cpp — strings, byte arrays and arrays on the wire.
#include "protocol/wire.h"

#include <fmt/format.h>

namespace streamcraft::protocol {

void Decoder::fail(std::string why) {
  if (ok_) problem_ = fmt::format("at byte {}: {}", r_.position(), why);
  ok_ = false;
}

std::string Decoder::string() {
  auto s = nullable_string();
  if (!s) {
    fail("a required string is null");
    return {};
  }
  return std::move(*s);
}

std::optional<std::string> Decoder::nullable_string() {
  auto len = i16();
  if (!ok() || len == -1) return std::nullopt;
  if (len < -1) {
    fail(fmt::format("negative string length {}", len));
    return std::nullopt;
  }
  auto bytes = r_.read_bytes(static_cast<std::size_t>(len));
  if (!bytes) {
    fail(fmt::format("string of {} bytes runs past the end of the request", len));
    return std::nullopt;
  }
  return std::string(as_chars(*bytes));
}

std::optional<ByteSpan> Decoder::nullable_bytes() {
  auto len = i32();
  if (!ok() || len == -1) return std::nullopt;
  if (len < -1) {
    fail(fmt::format("negative bytes length {}", len));
    return std::nullopt;
  }
  auto bytes = r_.read_bytes(static_cast<std::size_t>(len));
  if (!bytes) {
    fail(fmt::format("{} bytes run past the end of the request", len));
    return std::nullopt;
  }
  return *bytes;
}

std::int32_t Decoder::array_length(std::size_t min_element_size) {
  auto n = i32();
  if (!ok() || n == -1) return n;
  if (n < -1 || static_cast<std::size_t>(n) * std::max<std::size_t>(min_element_size, 1) > remaining()) {
    fail(fmt::format("array of {} elements cannot fit in the {} bytes left", n, remaining()));
    return 0;
  }
  return n;
}

void Encoder::string(std::string_view s) {
  i16(static_cast<std::int16_t>(s.size()));
  raw(as_bytes(s));
}

void Encoder::nullable_string(const std::optional<std::string>& s) {
  if (!s) {
    i16(-1);
    return;
  }
  string(*s);
}

void Encoder::nullable_bytes(std::optional<ByteSpan> b) {
  if (!b) {
    i32(-1);
    return;
  }
  i32(static_cast<std::int32_t>(b->size()));
  raw(*b);
}

}  // namespace streamcraft::protocol
