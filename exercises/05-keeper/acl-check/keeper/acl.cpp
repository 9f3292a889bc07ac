// starter generated from final/keeper/acl.cpp for exercise acl-check; edit freely, this is your copy
// keeper/acl.cpp — ACL checks, and the digest scheme's SHA-1 and base64.
#include "keeper/acl.h"

#include "common/not_implemented.h"  // the stubs of this file's exercise

#include <algorithm>
#include <bit>
#include <charconv>

namespace streamcraft::keeper {

std::array<std::uint8_t, 20> sha1(std::string_view data) {
  // FIPS 180-4: 512-bit blocks, the message padded with a 1 bit, zeros, and its length.
  std::uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::vector<std::uint8_t> msg(data.begin(), data.end());
  const std::uint64_t bit_length = static_cast<std::uint64_t>(msg.size()) * 8;
  msg.push_back(0x80);
  while (msg.size() % 64 != 56) msg.push_back(0);
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<std::uint8_t>(bit_length >> (i * 8)));
  for (std::size_t block = 0; block < msg.size(); block += 64) {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t) {
      const auto* p = &msg[block + static_cast<std::size_t>(t) * 4];
      w[t] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    }
    for (int t = 16; t < 80; ++t) w[t] = std::rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; ++t) {
      std::uint32_t f, k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      const std::uint32_t temp = std::rotl(a, 5) + f + e + k + w[t];
      e = d;
      d = c;
      c = std::rotl(b, 30);
      b = a;
      a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<std::uint8_t, 20> out{};
  for (int i = 0; i < 20; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)));
  return out;
}

std::string base64(std::span<const std::uint8_t> data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (i + 1 < data.size() ? std::uint32_t{data[i + 1]} << 8 : 0) |
                            (i + 2 < data.size() ? std::uint32_t{data[i + 2]} : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::string digest_id(std::string_view user_and_password) {
  const auto user = user_and_password.substr(0, user_and_password.find(':'));
  const auto hash = sha1(user_and_password);
  return std::string(user) + ":" + base64(hash);
}

bool parse_ip_acl(std::string_view text, std::uint32_t& address, int& prefix_bits) {
  const auto slash = text.find('/');
  const auto addr = text.substr(0, slash);
  prefix_bits = 32;
  if (slash != std::string_view::npos) {
    const auto bits = text.substr(slash + 1);
    auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix_bits);
    if (ec != std::errc() || p != bits.data() + bits.size() || prefix_bits < 0 || prefix_bits > 32) return false;
  }
  address = 0;
  std::size_t start = 0;
  for (int part = 0; part < 4; ++part) {
    const auto end = part < 3 ? addr.find('.', start) : addr.size();
    if (end == std::string_view::npos) return false;
    const auto piece = addr.substr(start, end - start);
    unsigned value = 0;
    auto [p, ec] = std::from_chars(piece.data(), piece.data() + piece.size(), value);
    if (piece.empty() || ec != std::errc() || p != piece.data() + piece.size() || value > 255) return false;
    address = (address << 8) | value;
    start = end + 1;
  }
  return true;
}

namespace {

bool valid_id(const Id& id) {
  if (id.scheme == "world") return id.id == "anyone";
  if (id.scheme == "digest") {
    const auto colon = id.id.find(':');
    return colon != std::string::npos && id.id.find(':', colon + 1) == std::string::npos;
  }
  if (id.scheme == "ip") {
    std::uint32_t a = 0;
    int bits = 0;
    return parse_ip_acl(id.id, a, bits);
  }
  return false;
}

}  // namespace

bool ip_matches(std::string_view client, std::string_view acl_id) {
  streamcraft::not_implemented("05-keeper/acl-check", client, acl_id);
}

bool acl_allows(const std::vector<Acl>& acl, std::int32_t perm, const std::vector<Id>& ids) {
  streamcraft::not_implemented("05-keeper/acl-check", acl, perm, ids);
}

std::variant<std::vector<Acl>, Code> fixup_acl(const std::vector<Acl>& acl, const std::vector<Id>& ids) {
  if (acl.empty()) return Code::invalid_acl;
  std::vector<Acl> out;
  auto add = [&](Acl a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
  };
  for (const auto& entry : acl) {
    if (entry.id.scheme == "auth") {
      // Only authenticated identities count; an address is not one.
      bool any = false;
      for (const auto& id : ids) {
        if (id.scheme == "digest") {
          add(Acl{entry.perms, id});
          any = true;
        }
      }
      if (!any) return Code::invalid_acl;
    } else if (valid_id(entry.id)) {
      add(entry);
    } else {
      return Code::invalid_acl;
    }
  }
  return out;
}

}  // namespace streamcraft::keeper
