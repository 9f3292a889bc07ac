// generated from final/broker/producer_ids.h; edit there
// broker/producer_ids.h — handing out producer ids that are never reused.
//
// An idempotent producer is known to every partition by its producer id (log/
// producer_state.h). If a restarted broker handed out an id again, a new producer would
// inherit an old producer's sequence numbers and be refused or, worse, deduplicated
// against someone else's batches. So ids come from blocks reserved durably: the file
// `<log.dir>/.producer-id-block` holds the first id not yet reserved; the broker writes
// "start + block" to it (atomically, fsynced) *before* handing out any id of the block.
// A crash wastes the rest of a block, never reuses an id. (Kafka reserves blocks the same
// way in ZooKeeper or the controller; chapter 5 moves this to the coordinator so ids are
// unique across the cluster.)
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/error.h"
#include "log/file.h"

namespace streamcraft::broker {

class ProducerIdAllocator {
 public:
  static constexpr std::int64_t kBlockSize = 1000;
  static constexpr const char* kFileName = ".producer-id-block";

  ProducerIdAllocator(log::FileSystem& fs, std::filesystem::path dir) : fs_(fs), dir_(std::move(dir)) {}
  // In a cluster every broker hands out ids, so each takes its own residue class: the
  // broker at position `index` of `count` gives out index, index + count, index + 2·count, …
  // (the blocks count in local ids). Unique across brokers without asking anyone, as long
  // as cluster.brokers keeps its order.
  void set_cluster_position(std::int64_t index, std::int64_t count) {
    index_ = index;
    count_ = count < 1 ? 1 : count;
  }

  // The next unused producer id; KAFKA_STORAGE_ERROR if the reservation cannot be made durable.
  Result<std::int64_t> next();

 private:
  log::FileSystem& fs_;
  std::filesystem::path dir_;
  std::int64_t next_ = 0;
  std::int64_t block_end_ = 0;  // next_ == block_end_: reserve a new block first
  std::int64_t index_ = 0;
  std::int64_t count_ = 1;
};

}  // namespace streamcraft::broker
