// generated from final/controller/partition_store.cpp; edit there
// controller/partition_store.cpp — the versioned stores and the record codecs.
#include "controller/partition_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <utility>
#include <variant>

namespace streamcraft::controller {

namespace {

Error version_mismatch(std::string_view key, std::int32_t expected, std::optional<std::int32_t> actual) {
  return make_error(Errc::invalid_update_version,
                    fmt::format("record {}: expected {}, found {}", key,
                                expected < 0 ? std::string("no record") : fmt::format("version {}", expected),
                                actual ? fmt::format("version {}", *actual) : std::string("no record")));
}

// Both stores decide a write the same way, so that a test on memory says what the file
// store does.
Status check_write(std::string_view key, std::int32_t expected, std::optional<std::int32_t> actual) {
  if (expected < 0 ? actual.has_value() : actual != expected) return version_mismatch(key, expected, actual);
  return {};
}

Status check_remove(std::string_view key, std::int32_t expected, std::optional<std::int32_t> actual) {
  if (expected >= 0 && actual != expected) return version_mismatch(key, expected, actual);
  return {};
}

}  // namespace

// --- MemoryMetadataStore ---------------------------------------------------------------

Result<std::vector<StoredRecord>> MemoryMetadataStore::load() {
  std::vector<StoredRecord> out;
  for (const auto& [key, entry] : records_) out.push_back({key, entry.version, entry.data});
  return out;
}

Result<std::int32_t> MemoryMetadataStore::write(std::string_view key, std::int32_t expected_version, ByteSpan data) {
  if (failing_) return make_error(Errc::kafka_storage_error, fmt::format("record {}: the store is failing", key));
  auto it = records_.find(key);
  std::optional<std::int32_t> actual;
  if (it != records_.end()) actual = it->second.version;
  if (auto s = check_write(key, expected_version, actual); !s) return s.error();
  const std::int32_t version = actual ? *actual + 1 : 0;
  records_[std::string(key)] = Entry{version, Bytes(data.begin(), data.end())};
  return version;
}

Status MemoryMetadataStore::remove(std::string_view key, std::int32_t expected_version) {
  if (failing_) return make_error(Errc::kafka_storage_error, fmt::format("record {}: the store is failing", key));
  auto it = records_.find(key);
  std::optional<std::int32_t> actual;
  if (it != records_.end()) actual = it->second.version;
  if (auto s = check_remove(key, expected_version, actual); !s) return s;
  if (it != records_.end()) records_.erase(it);
  return {};
}

// --- FileMetadataStore -----------------------------------------------------------------

namespace {

constexpr std::string_view kRecordSuffix = ".rec";

bool plain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

FileMetadataStore::FileMetadataStore(log::FileSystem& fs, std::filesystem::path dir) : fs_(fs), dir_(std::move(dir)) {}

std::string FileMetadataStore::file_name(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (plain_char(c)) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
    }
  }
  out += kRecordSuffix;
  return out;
}

std::optional<std::string> FileMetadataStore::key_of(std::string_view name) {
  if (name.size() <= kRecordSuffix.size() || !name.ends_with(kRecordSuffix)) return std::nullopt;
  name.remove_suffix(kRecordSuffix.size());
  std::string key;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '%') {
      key += name[i];
      continue;
    }
    if (i + 2 >= name.size()) return std::nullopt;
    const int hi = hex_value(name[i + 1]);
    const int lo = hex_value(name[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    key += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return key;
}

Result<std::optional<StoredRecord>> FileMetadataStore::read(std::string_view key) {
  const auto path = dir_ / file_name(key);
  if (!fs_.exists(path)) return std::optional<StoredRecord>{};
  auto bytes = fs_.read_all(path);
  if (!bytes) return bytes.error();
  const std::string_view text = as_chars(*bytes);
  const auto newline = text.find('\n');
  std::int32_t version = -1;
  const char* end = text.data() + (newline == std::string_view::npos ? 0 : newline);
  if (newline == std::string_view::npos || newline == 0 ||
      std::from_chars(text.data(), end, version).ptr != end || version < 0) {
    // Why an error and not "absent": write_atomically never leaves a half-written file, so
    // a damaged one is damage from outside, and guessing could hand out a version twice.
    return make_error(Errc::corrupt_message, fmt::format("record {} in {}: no version line", key, path.string()));
  }
  StoredRecord record{std::string(key), version, {}};
  record.data.assign(bytes->begin() + static_cast<std::ptrdiff_t>(newline + 1), bytes->end());
  return std::optional<StoredRecord>{std::move(record)};
}

Result<std::vector<StoredRecord>> FileMetadataStore::load() {
  if (!fs_.exists(dir_)) return std::vector<StoredRecord>{};
  auto names = fs_.list(dir_);
  if (!names) return names.error();
  std::vector<StoredRecord> out;
  for (const auto& name : *names) {
    auto key = key_of(name);
    if (!key) continue;  // a leftover *.tmp of an interrupted write, or a stranger's file
    auto record = read(*key);
    if (!record) return record.error();
    if (*record) out.push_back(std::move(**record));
  }
  std::sort(out.begin(), out.end(), [](const StoredRecord& a, const StoredRecord& b) { return a.key < b.key; });
  return out;
}

Result<std::int32_t> FileMetadataStore::write(std::string_view key, std::int32_t expected_version, ByteSpan data) {
  auto current = read(key);
  if (!current) return current.error();
  std::optional<std::int32_t> actual;
  if (*current) actual = (*current)->version;
  if (auto s = check_write(key, expected_version, actual); !s) return s.error();
  const std::int32_t version = actual ? *actual + 1 : 0;
  if (auto s = fs_.create_directories(dir_); !s) return s.error();
  Bytes contents;
  const auto header = fmt::format("{}\n", version);
  const auto head = as_bytes(header);
  contents.insert(contents.end(), head.begin(), head.end());
  contents.insert(contents.end(), data.begin(), data.end());
  if (auto s = fs_.write_atomically(dir_ / file_name(key), contents); !s) return s.error();
  return version;
}

Status FileMetadataStore::remove(std::string_view key, std::int32_t expected_version) {
  auto current = read(key);
  if (!current) return current.error();
  std::optional<std::int32_t> actual;
  if (*current) actual = (*current)->version;
  if (auto s = check_remove(key, expected_version, actual); !s) return s;
  if (!actual) return {};
  if (auto s = fs_.remove(dir_ / file_name(key)); !s) return s;
  // A removal is a change of the directory: durable only once the directory is synced.
  return fs_.sync_directory(dir_);
}

// --- keys ------------------------------------------------------------------------------

std::string topic_key(std::string_view topic) { return fmt::format("topics/{}", topic); }
std::string partition_key(std::string_view topic, std::int32_t partition) {
  return fmt::format("topics/{}/partitions/{}/state", topic, partition);
}
std::string broker_key(std::int32_t id) { return fmt::format("brokers/ids/{}", id); }

// --- a JSON subset ---------------------------------------------------------------------

namespace {

struct Json;
struct JsonMember;
// A member is a struct, not a std::pair: a pair of an incomplete type may not be named in
// the variant below (clang refuses it), a struct declared ahead may.
using JsonObject = std::vector<JsonMember>;
using JsonArray = std::vector<Json>;
struct Json {
  std::variant<std::monostate, std::int64_t, std::string, JsonArray, JsonObject> v;  // monostate: null

  const Json* field(std::string_view name) const;
};
struct JsonMember {
  std::string key;
  Json value;
};

const Json* Json::field(std::string_view name) const {
  const auto* object = std::get_if<JsonObject>(&v);
  if (!object) return nullptr;
  for (const auto& [k, value] : *object) {
    if (k == name) return &value;
  }
  return nullptr;
}

// Recursive descent over: null, integers, strings without escapes other than \" and \\,
// arrays and objects. Depth is bounded so that a damaged record cannot exhaust the stack.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::optional<Json> parse_document() {
    auto value = parse(0);
    skip_space();
    if (!value || pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  static constexpr int kMaxDepth = 8;

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  std::optional<std::string> parse_string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (pos_ >= text_.size()) return std::nullopt;
        c = text_[pos_++];
        if (c != '"' && c != '\\') return std::nullopt;
      }
      out += c;
    }
    return std::nullopt;
  }

  std::optional<Json> parse(int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    skip_space();
    if (pos_ >= text_.size()) return std::nullopt;
    const char c = text_[pos_];
    if (c == 'n') {
      if (text_.substr(pos_, 4) != "null") return std::nullopt;
      pos_ += 4;
      return Json{};
    }
    if (c == '"') {
      auto s = parse_string();
      if (!s) return std::nullopt;
      return Json{std::move(*s)};
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::int64_t n = 0;
      auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), n);
      if (ec != std::errc{}) return std::nullopt;
      pos_ = static_cast<std::size_t>(ptr - text_.data());
      return Json{n};
    }
    if (c == '[') {
      ++pos_;
      JsonArray array;
      if (eat(']')) return Json{std::move(array)};
      do {
        auto item = parse(depth + 1);
        if (!item) return std::nullopt;
        array.push_back(std::move(*item));
      } while (eat(','));
      if (!eat(']')) return std::nullopt;
      return Json{std::move(array)};
    }
    if (c == '{') {
      ++pos_;
      JsonObject object;
      if (eat('}')) return Json{std::move(object)};
      do {
        skip_space();
        auto key = parse_string();
        if (!key || !eat(':')) return std::nullopt;
        auto value = parse(depth + 1);
        if (!value) return std::nullopt;
        object.push_back(JsonMember{std::move(*key), std::move(*value)});
      } while (eat(','));
      if (!eat('}')) return std::nullopt;
      return Json{std::move(object)};
    }
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Error bad_record(std::string_view what, ByteSpan data) {
  return make_error(Errc::corrupt_message, fmt::format("unreadable {} record: {}", what, as_chars(data)));
}

std::optional<std::int32_t> as_int32(const Json* value) {
  if (!value) return std::nullopt;
  const auto* n = std::get_if<std::int64_t>(&value->v);
  if (!n || *n < std::numeric_limits<std::int32_t>::min() || *n > std::numeric_limits<std::int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::int32_t>(*n);
}

std::optional<std::vector<std::int32_t>> as_int32_list(const Json* value) {
  if (!value) return std::nullopt;
  const auto* array = std::get_if<JsonArray>(&value->v);
  if (!array) return std::nullopt;
  std::vector<std::int32_t> out;
  for (const auto& item : *array) {
    auto n = as_int32(&item);
    if (!n) return std::nullopt;
    out.push_back(*n);
  }
  return out;
}

bool format_version_1(const Json& doc) { return as_int32(doc.field("version")) == 1; }

std::string int_list(const std::vector<std::int32_t>& values) { return fmt::format("[{}]", fmt::join(values, ",")); }

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

Bytes to_bytes(std::string_view s) {
  const auto span = as_bytes(s);
  return Bytes(span.begin(), span.end());
}

}  // namespace

Bytes encode_partition(const PartitionRecord& r) {
  return to_bytes(fmt::format(R"({{"version":1,"leader":{},"leader_epoch":{},"controller_epoch":{},"isr":{}}})",
                              r.leader, r.leader_epoch, r.controller_epoch, int_list(r.isr)));
}

Result<PartitionRecord> decode_partition(ByteSpan data) {
  auto doc = Parser(as_chars(data)).parse_document();
  if (!doc || !format_version_1(*doc)) return bad_record("partition state", data);
  auto leader = as_int32(doc->field("leader"));
  auto epoch = as_int32(doc->field("leader_epoch"));
  auto controller_epoch = as_int32(doc->field("controller_epoch"));
  auto isr = as_int32_list(doc->field("isr"));
  if (!leader || !epoch || !controller_epoch || !isr) return bad_record("partition state", data);
  return PartitionRecord{*leader, *epoch, *controller_epoch, std::move(*isr)};
}

Bytes encode_assignment(const std::vector<std::vector<std::int32_t>>& partitions, const TopicConfigs& configs) {
  std::string body;
  for (std::size_t p = 0; p < partitions.size(); ++p) {
    if (p > 0) body += ',';
    body += fmt::format(R"("{}":{})", p, int_list(partitions[p]));
  }
  if (configs.empty()) return to_bytes(fmt::format(R"({{"version":1,"partitions":{{{}}}}})", body));
  std::string config;
  for (const auto& [key, value] : configs) {
    if (!config.empty()) config += ',';
    config += fmt::format("{}:{}", json_string(key), json_string(value));
  }
  return to_bytes(fmt::format(R"({{"version":1,"partitions":{{{}}},"config":{{{}}}}})", body, config));
}

Result<TopicConfigs> decode_topic_configs(ByteSpan data) {
  auto doc = Parser(as_chars(data)).parse_document();
  if (!doc || !format_version_1(*doc)) return bad_record("topic", data);
  TopicConfigs out;
  const Json* config = doc->field("config");
  if (!config) return out;
  const auto* object = std::get_if<JsonObject>(&config->v);
  if (!object) return bad_record("topic", data);
  for (const auto& [key, value] : *object) {
    const auto* text = std::get_if<std::string>(&value.v);
    if (!text) return bad_record("topic", data);
    out.emplace_back(key, *text);
  }
  return out;
}

Result<std::vector<std::vector<std::int32_t>>> decode_assignment(ByteSpan data) {
  auto doc = Parser(as_chars(data)).parse_document();
  if (!doc || !format_version_1(*doc)) return bad_record("topic", data);
  const Json* partitions = doc->field("partitions");
  const auto* object = partitions ? std::get_if<JsonObject>(&partitions->v) : nullptr;
  if (!object) return bad_record("topic", data);
  std::vector<std::vector<std::int32_t>> out(object->size());
  std::vector<bool> seen(object->size(), false);
  for (const auto& [name, replicas] : *object) {
    std::size_t p = 0;
    auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), p);
    auto list = as_int32_list(&replicas);
    // Partitions are numbered 0..n-1 with none missing: a gap would be a partition that
    // clients see in Metadata and no broker hosts.
    if (ec != std::errc{} || ptr != name.data() + name.size() || p >= out.size() || seen[p] || !list) {
      return bad_record("topic", data);
    }
    seen[p] = true;
    out[p] = std::move(*list);
  }
  return out;
}

Bytes encode_broker(const BrokerRecord& r) {
  return to_bytes(fmt::format(R"({{"version":1,"host":{},"port":{},"rack":{},"broker_epoch":{}}})",
                              json_string(r.endpoint.host), r.endpoint.port,
                              r.endpoint.rack ? json_string(*r.endpoint.rack) : std::string("null"), r.broker_epoch));
}

Result<BrokerRecord> decode_broker(std::int32_t id, ByteSpan data) {
  auto doc = Parser(as_chars(data)).parse_document();
  if (!doc || !format_version_1(*doc)) return bad_record("broker", data);
  const Json* host = doc->field("host");
  const Json* rack = doc->field("rack");
  auto port = as_int32(doc->field("port"));
  const Json* epoch = doc->field("broker_epoch");
  const auto* host_s = host ? std::get_if<std::string>(&host->v) : nullptr;
  const auto* epoch_n = epoch ? std::get_if<std::int64_t>(&epoch->v) : nullptr;
  if (!host_s || !port || *port < 0 || *port > 65535 || !rack || !epoch_n) return bad_record("broker", data);
  BrokerRecord out;
  out.endpoint.id = id;
  out.endpoint.host = *host_s;
  out.endpoint.port = static_cast<std::uint16_t>(*port);
  if (const auto* r = std::get_if<std::string>(&rack->v)) {
    out.endpoint.rack = *r;
  } else if (!std::holds_alternative<std::monostate>(rack->v)) {
    return bad_record("broker", data);
  }
  out.broker_epoch = *epoch_n;
  return out;
}

Bytes encode_counter(std::int64_t value) { return to_bytes(fmt::format("{}", value)); }

Result<std::int64_t> decode_counter(ByteSpan data) {
  const auto text = as_chars(data);
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return bad_record("counter", data);
  return value;
}

}  // namespace streamcraft::controller
