// generated from final/replication/fetcher.h; edit there
// replication/fetcher.h — a follower's copying of one leader: the replica fetcher.
//
// A broker that follows partitions led by broker L runs one fetcher for L, which copies all
// of those partitions with one request at a time — Kafka's ReplicaFetcherThread, as a
// state machine. Each partition goes through two states:
//
//   truncating --OffsetsForLeaderEpoch answered, log cut where it parts from L's--> fetching
//        ^                                                                          |
//        +---------------- a new leader epoch, or an offset L does not have ----------+
//
// - **truncating**: the follower asks L where its latest epoch ended in L's log and cuts
//   its own log there (replication/truncation.h); possibly several rounds.
// - **fetching**: a Fetch with replica_id = this broker's id, from the log end. The
//   answer's batches are appended exactly as L wrote them (Log::append_as_follower), and
//   the follower's high watermark becomes min(L's high watermark, its own log end). The
//   fetch offset is itself the acknowledgement: L learns from the next fetch how far this
//   follower has copied (replication/leader_partition.h).
//
// Errors per partition, as Kafka's fetcher treats them: FENCED_LEADER_EPOCH — L has a newer
// epoch than ours, so our view is stale — stops the partition until the controller's next
// word (set_partition again); OFFSET_OUT_OF_RANGE sends it back to truncating;
// NOT_LEADER_OR_FOLLOWER and UNKNOWN_LEADER_EPOCH — L has not taken over yet — are asked
// again after kLeaderCatchUpBackoffMs; others (a lost or timed-out request) wait
// `backoff_ms` and try again.
//
// Sans-I/O: next_request() says what to send to L, on_response()/on_failure() take what
// came back, with the time passed in. The local logs are reached through `Replicas`, so
// the fetcher owns none of them. One request is in flight at a time, so answers can never
// be applied out of order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "log/log.h"
#include "protocol/header.h"

namespace streamcraft::replication {

// The follower's own side of the partitions it follows.
class Replicas {
 public:
  virtual ~Replicas() = default;
  // The local log of a partition, or nullptr if this broker no longer has it.
  virtual log::Log* log(const std::string& topic, std::int32_t partition) = 0;
  // The follower's high watermark moved (it may serve reads below it, and checkpoints it).
  virtual void high_watermark_changed(const std::string& topic, std::int32_t partition, std::int64_t hw) = 0;
};

struct FetcherOptions {
  std::int32_t replica_id = 0;                    // this broker's id
  std::int32_t max_wait_ms = 500;                 // replica.fetch.wait.max.ms
  std::int32_t min_bytes = 1;                     // replica.fetch.min.bytes
  std::int32_t max_bytes = 10 * 1024 * 1024;      // replica.fetch.response.max.bytes
  std::int32_t partition_max_bytes = 1024 * 1024; // replica.fetch.max.bytes
  std::int64_t backoff_ms = 1'000;                // replica.fetch.backoff.ms
};

// A request for the leader: what PeerRequests (broker/peer_requests.h) sends.
struct FetcherRequest {
  protocol::ApiKey key;
  std::int16_t version;
  Bytes body;
};

class ReplicaFetcher {
 public:
  enum class State { truncating, fetching, fenced };
  struct PartitionStatus {
    State state = State::truncating;
    std::int32_t leader_epoch = 0;  // the epoch of the leader we follow, as the controller said
    std::int64_t high_watermark = 0;
    std::int64_t retry_at_ms = 0;   // backing off until then
    std::optional<Error> last_error;
  };

  static constexpr std::int16_t kFetchVersion = 11;       // non-flexible, carries current_leader_epoch
  static constexpr std::int16_t kEpochsVersion = 3;       // OffsetsForLeaderEpoch, non-flexible
  // The pause after "the leader has not taken over yet" (see fail()).
  static constexpr std::int64_t kLeaderCatchUpBackoffMs = 20;

  ReplicaFetcher(Replicas& replicas, FetcherOptions options) : replicas_(replicas), options_(options) {}

  // Follow a partition from this leader at `leader_epoch` (the controller's LeaderAndIsr),
  // starting with the truncation exchange. Called again with a newer epoch (the leader may
  // have changed its history meanwhile) it starts over, even if it is the same leader.
  void set_partition(const std::string& topic, std::int32_t partition, std::int32_t leader_epoch,
                     std::int64_t high_watermark);
  void remove_partition(const std::string& topic, std::int32_t partition);
  bool empty() const { return partitions_.empty(); }

  // The next request for the leader, if none is in flight and some partition can make
  // progress now: truncating partitions are served first (an OffsetsForLeaderEpoch), then
  // a Fetch for all fetching ones.
  std::optional<FetcherRequest> next_request(std::int64_t now_ms);
  // The answer to the request in flight.
  void on_response(ByteSpan body, std::int64_t now_ms);
  // The request in flight got no answer (timeout, connection lost): everything in it backs off.
  void on_failure(const Error& why, std::int64_t now_ms);
  bool in_flight() const { return in_flight_.has_value(); }
  // When a backing-off partition may go again (for the caller's timer).
  std::optional<std::int64_t> next_retry_ms() const;

  const PartitionStatus* status(const std::string& topic, std::int32_t partition) const;

 private:
  using Key = std::pair<std::string, std::int32_t>;
  struct InFlight {
    protocol::ApiKey key;
    std::map<Key, std::int32_t> epochs;  // each partition's leader epoch when it was asked
  };

  void apply_epochs_response(ByteSpan body, std::int64_t now_ms);
  void apply_fetch_response(ByteSpan body, std::int64_t now_ms);
  // Whether the answer still concerns the partition as it is now (not removed, and not
  // moved to a newer epoch while the request was out).
  PartitionStatus* current(const Key& key, std::int32_t asked_epoch);
  void fail(const Key& key, PartitionStatus& p, const Error& why, std::int64_t now_ms);
  void set_high_watermark(const Key& key, PartitionStatus& p, std::int64_t hw);

  Replicas& replicas_;
  FetcherOptions options_;
  std::map<Key, PartitionStatus> partitions_;
  std::optional<InFlight> in_flight_;
};

}  // namespace streamcraft::replication
