// generated from final/controller/partition_store.h; edit there
// controller/partition_store.h — the controller's durable state, and the records in it.
//
// The controller decides who leads every partition. Those decisions must outlive the
// controller's process: a controller that restarts and has forgotten that it made broker 2
// leader at epoch 7 could make broker 3 leader at epoch 7 too, and two leaders with one
// epoch is exactly what epochs exist to prevent. So every decision is written here first
// and announced second (controller/controller.h).
//
// The store is a small key-value store shaped like ZooKeeper's znodes, because chapter 7
// moves it into our ZooKeeper-like coordinator and the controller should not notice:
//
// - every record has a **version**, 0 when created and + 1 on every write;
// - a write names the version it expects (-1: "the record must not exist yet") and fails
//   with INVALID_UPDATE_VERSION when the record has another one (compare-and-set). That
//   is how two writers — the controller and, in Kafka before AlterIsr, a partition
//   leader — can share a record without locks: the loser learns that it lost and re-reads.
//   The version of a partition's state record is the "partition version" (Kafka's
//   zkVersion) that a leader quotes when it proposes a new ISR;
// - a remove names the version too (-1: whatever is there).
//
// Keys and their records (the JSON shapes follow Kafka's ZooKeeper layout, with "version"
// being the format's version, not the record's):
//
//   controller_epoch                       "3"  (a decimal, bumped by every Controller::open)
//   brokers/epoch                          "12" (the last broker epoch handed out)
//   brokers/ids/<id>                       {"version":1,"host":"h","port":9092,"rack":null,"broker_epoch":12}
//   topics/<name>                          {"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1]},
//                                           "config":{"min.insync.replicas":"2"}}
//   topics/<name>/partitions/<p>/state     {"version":1,"leader":1,"leader_epoch":4,"controller_epoch":3,"isr":[1,3]}
//
// The codecs below are hand-written for exactly these shapes (objects, arrays of
// integers, strings, integers, null; whitespace allowed between tokens); a record they
// cannot read is an error naming the key, never a guess.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/cluster_metadata.h"
#include "common/bytes.h"
#include "common/error.h"
#include "log/file.h"

namespace streamcraft::controller {

struct StoredRecord {
  std::string key;
  std::int32_t version = 0;
  Bytes data;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // Every record, sorted by key.
  virtual Result<std::vector<StoredRecord>> load() = 0;
  // Creates (expected_version -1) or replaces (expected_version = the current version)
  // the record; answers its new version, or INVALID_UPDATE_VERSION when the record is not
  // at expected_version (it exists although -1 was given, or it is absent, or newer).
  virtual Result<std::int32_t> write(std::string_view key, std::int32_t expected_version, ByteSpan data) = 0;
  // Removes the record if it is at expected_version (-1: at any version; an absent record
  // is then not an error). INVALID_UPDATE_VERSION otherwise.
  virtual Status remove(std::string_view key, std::int32_t expected_version) = 0;
};

// In memory: for tests and the simulator. A controller "restarts" by opening the same
// store again. set_failing(true) makes every write and remove fail with
// KAFKA_STORAGE_ERROR (a disk or coordinator that is gone), so a test can check that
// nothing is announced that was not stored.
class MemoryMetadataStore final : public MetadataStore {
 public:
  Result<std::vector<StoredRecord>> load() override;
  Result<std::int32_t> write(std::string_view key, std::int32_t expected_version, ByteSpan data) override;
  Status remove(std::string_view key, std::int32_t expected_version) override;

  void set_failing(bool failing) { failing_ = failing; }
  std::size_t size() const { return records_.size(); }

 private:
  struct Entry {
    std::int32_t version = 0;
    Bytes data;
  };
  std::map<std::string, Entry, std::less<>> records_;
  bool failing_ = false;
};

// On a log::FileSystem: one file per key in one directory, written with
// write_atomically (a crash leaves the old record or the new one, never a mixture).
//
// File name: the key with every byte outside [A-Za-z0-9._-] written as %XX (so '/' is
// %2F), then ".rec". Contents: the record's version as a decimal, a newline, then the
// record's bytes. Leftover "*.tmp" files of an interrupted write_atomically are ignored.
// Versions are checked against the files on every write (no cache), so two stores on one
// directory would still see each other's writes — though nothing here locks against a
// second writer between the check and the rename: one controller owns a directory.
class FileMetadataStore final : public MetadataStore {
 public:
  FileMetadataStore(log::FileSystem& fs, std::filesystem::path dir);

  Result<std::vector<StoredRecord>> load() override;
  Result<std::int32_t> write(std::string_view key, std::int32_t expected_version, ByteSpan data) override;
  Status remove(std::string_view key, std::int32_t expected_version) override;

  static std::string file_name(std::string_view key);
  static std::optional<std::string> key_of(std::string_view file_name);

 private:
  // The record at key: nullopt when there is none.
  Result<std::optional<StoredRecord>> read(std::string_view key);

  log::FileSystem& fs_;
  std::filesystem::path dir_;
};

// --- records ---------------------------------------------------------------------------

// topics/<name>/partitions/<p>/state
struct PartitionRecord {
  std::int32_t leader = -1;
  std::int32_t leader_epoch = 0;
  std::int32_t controller_epoch = 0;
  std::vector<std::int32_t> isr;

  bool operator==(const PartitionRecord&) const = default;
};

// brokers/ids/<id>
struct BrokerRecord {
  broker::BrokerEndpoint endpoint;
  std::int64_t broker_epoch = -1;
};

std::string topic_key(std::string_view topic);
std::string partition_key(std::string_view topic, std::int32_t partition);
std::string broker_key(std::int32_t id);
inline constexpr std::string_view kControllerEpochKey = "controller_epoch";
inline constexpr std::string_view kBrokerEpochKey = "brokers/epoch";

Bytes encode_partition(const PartitionRecord& record);
Result<PartitionRecord> decode_partition(ByteSpan data);
// The replicas of partitions 0..n-1, in order; decoding requires exactly those numbers.
// The topic's own settings (its overrides of the brokers' defaults) are in the same
// record: Kafka keeps them in a znode of their own (/config/topics/<name>) because
// AlterConfigs changes them alone; here they are fixed when the topic is created, and
// one record makes the topic and its settings exist together, in one atomic write.
using TopicConfigs = std::vector<std::pair<std::string, std::string>>;
Bytes encode_assignment(const std::vector<std::vector<std::int32_t>>& partitions, const TopicConfigs& configs = {});
Result<std::vector<std::vector<std::int32_t>>> decode_assignment(ByteSpan data);
// The "config" object of a topic record, in its order (none: a record without one).
Result<TopicConfigs> decode_topic_configs(ByteSpan data);
Bytes encode_broker(const BrokerRecord& record);
Result<BrokerRecord> decode_broker(std::int32_t id, ByteSpan data);
Bytes encode_counter(std::int64_t value);
Result<std::int64_t> decode_counter(ByteSpan data);

}  // namespace streamcraft::controller
