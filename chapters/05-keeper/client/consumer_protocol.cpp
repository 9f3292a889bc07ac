// generated from final/client/consumer_protocol.cpp; edit there
// client/consumer_protocol.cpp — ConsumerProtocol v0 blobs and the range assignor.
#include "client/consumer_protocol.h"

#include <algorithm>

#include <fmt/format.h>

#include "protocol/wire.h"

namespace streamcraft::client {
namespace {

constexpr std::int16_t kVersion = 0;

std::optional<ByteSpan> as_span(const std::optional<Bytes>& b) {
  if (!b) return std::nullopt;
  return ByteSpan(*b);
}

std::optional<Bytes> copy(const std::optional<ByteSpan>& b) {
  if (!b) return std::nullopt;
  return Bytes(b->begin(), b->end());
}

// The version prefix: any version >= 0 is read with the v0 fields (see the header).
bool read_version(protocol::Decoder& d) {
  auto v = d.i16();
  if (d.ok() && v < 0) d.fail(fmt::format("version {}", v));
  return d.ok();
}

}  // namespace

Bytes encode_subscription(const Subscription& s) {
  Bytes out;
  protocol::Encoder e(out);
  e.i16(kVersion);
  e.array_length(s.topics.size());
  for (const auto& t : s.topics) e.string(t);
  e.nullable_bytes(as_span(s.user_data));
  return out;
}

Result<Subscription> decode_subscription(ByteSpan bytes) {
  protocol::Decoder d(bytes);
  Subscription s;
  if (read_version(d)) {
    auto n = d.array_length(2);
    if (n < 0) d.fail("null topic list");
    for (std::int32_t i = 0; i < n && d.ok(); ++i) s.topics.push_back(d.string());
    s.user_data = copy(d.nullable_bytes());
  }
  if (!d.ok()) return make_error(Errc::inconsistent_group_protocol, "malformed consumer subscription " + d.problem());
  return s;
}

Bytes encode_assignment(const Assignment& a) {
  Bytes out;
  protocol::Encoder e(out);
  e.i16(kVersion);
  e.array_length(a.topics.size());
  for (const auto& t : a.topics) {
    e.string(t.topic);
    e.array_length(t.partitions.size());
    for (auto p : t.partitions) e.i32(p);
  }
  e.nullable_bytes(as_span(a.user_data));
  return out;
}

Result<Assignment> decode_assignment(ByteSpan bytes) {
  Assignment a;
  if (bytes.empty()) return a;
  protocol::Decoder d(bytes);
  if (read_version(d)) {
    auto topics = d.array_length(6);  // a name (>= 2 bytes) and a partition count
    if (topics < 0) d.fail("null topic list");
    for (std::int32_t i = 0; i < topics && d.ok(); ++i) {
      TopicAssignment t;
      t.topic = d.string();
      auto n = d.array_length(4);
      if (n < 0) d.fail("null partition list");
      for (std::int32_t j = 0; j < n && d.ok(); ++j) t.partitions.push_back(d.i32());
      a.topics.push_back(std::move(t));
    }
    a.user_data = copy(d.nullable_bytes());
  }
  if (!d.ok()) return make_error(Errc::inconsistent_group_protocol, "malformed consumer assignment " + d.problem());
  return a;
}

std::map<std::string, Assignment> assign_range(const std::vector<MemberSubscription>& members,
                                               const std::map<std::string, std::int32_t>& partition_counts) {
  std::map<std::string, Assignment> result;
  std::map<std::string, std::vector<std::string>> members_of_topic;  // topic → member ids
  for (const auto& m : members) {
    result[m.member_id];  // every member gets an entry, even an empty one
    for (const auto& t : m.topics) members_of_topic[t].push_back(m.member_id);
  }
  // std::map iterates topics in name order, so each member's topics come out sorted.
  for (auto& [topic, ids] : members_of_topic) {
    auto count = partition_counts.find(topic);
    if (count == partition_counts.end() || count->second <= 0) continue;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());  // a topic listed twice
    const auto n = static_cast<std::int32_t>(ids.size());
    const std::int32_t per_member = count->second / n;
    const std::int32_t with_extra = count->second % n;
    for (std::int32_t i = 0; i < n; ++i) {
      const std::int32_t start = per_member * i + std::min(i, with_extra);
      const std::int32_t length = per_member + (i < with_extra ? 1 : 0);
      if (length == 0) continue;
      TopicAssignment ta{topic, {}};
      for (std::int32_t p = start; p < start + length; ++p) ta.partitions.push_back(p);
      result[ids[static_cast<std::size_t>(i)]].topics.push_back(std::move(ta));
    }
  }
  return result;
}

}  // namespace streamcraft::client
