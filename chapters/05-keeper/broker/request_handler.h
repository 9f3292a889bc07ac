// generated from final/broker/request_handler.h; edit there
// broker/request_handler.h — the broker's brain, without a socket in sight.
//
// The handler takes one request frame (the bytes after the size prefix) and produces
// what should happen: a response frame, no response at all (Produce with acks=0), a
// deferred response (a Fetch that waits for data: "long poll"), or "close this
// connection" (a request we cannot even answer). It never touches the network and reads
// time only from its Clock, so every path — including long polls timing out — is tested
// by feeding it bytes and moving a manual clock (tests/broker/). The Asio server
// (net/server.h) serves it through a thin adapter, broker/kafka_service.h.
//
// Long poll: a Fetch whose partitions hold fewer than min_bytes new bytes waits up to
// max_wait_ms. Instead of a consumer polling in a tight loop (wasting both sides' CPU)
// or sleeping (adding latency), the broker holds the request and answers as soon as
// enough data has been appended — or when the wait is over. Waiting fetches live in a
// small table ("purgatory", as Kafka calls it). A parked fetch is looked at again only
// when something could have changed its answer: an append to one of its partitions wakes
// it (a list of waiting fetches per partition), or its deadline comes (next_deadline_ms()
// tells the server's timer when). poll_deferred() completes what can be completed; it is
// cheap when nothing woke, so the server calls it whenever has_completions() says so.
//
// Not thread-safe: one network thread drives it (see the chapter's threading model).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/cluster_metadata.h"
#include "broker/config.h"
#include "broker/log_manager.h"
#include "common/clock.h"
#include "broker/producer_ids.h"
#include "group/coordinator.h"
#include "protocol/fetch.h"
#include "protocol/header.h"
#include "protocol/produce.h"
#include "protocol/message.h"
#include "protocol/offsets.h"
#include "protocol/topics.h"
#include "net/service.h"

namespace streamcraft::broker {
class ControlRequests;

// What to do with one request, and a deferred request's response, are the network
// layer's types (net/service.h): broker::KafkaService hands them to the server as they are.
using Outcome = net::Outcome;
using Completed = net::Completed;

class RequestHandler {
 public:
  // `cluster` answers who leads what (broker/cluster_metadata.h); without one, the
  // handler answers for a cluster of this broker alone.
  RequestHandler(const BrokerConfig& config, LogManager& logs, const Clock& clock,
                 ClusterMetadata* cluster = nullptr);

  // The address clients should connect to, as advertised in Metadata (the server sets
  // it once it knows the port it is bound to). Only for the handler's own single-node
  // metadata; a cluster's metadata knows its brokers' addresses itself.
  void set_advertised(std::string host, std::uint16_t port);

  // Handles one request. The frame is mutable because a produced batch is stamped with
  // its offsets in place before it is written (no copy).
  Outcome handle(MutableByteSpan frame);
  // The address of the client whose requests come next (a group member's host).
  void set_client_host(std::string host) { client_host_ = std::move(host); }

  // Creates __consumer_offsets if needed and loads every partition of it that this
  // broker leads (per the ClusterMetadata; a single broker leads them all): call once at
  // start-up, before serving requests.
  Status load_groups();
  // Group coordination moves with the leadership of __consumer_offsets partitions. A
  // broker that becomes a partition's leader loads it: its records are replayed into the
  // coordinator, and its groups are served from then on (a partition that is loaded
  // already is left alone). One that stops leading it unloads it: its groups are
  // forgotten, members waiting in JoinGroup or SyncGroup are answered NOT_COORDINATOR by
  // the next poll_deferred(), and nothing is written. Requests for groups of a partition
  // that is not loaded get NOT_COORDINATOR, and clients ask FindCoordinator again.
  // Chapter 3 loads them all in load_groups(); chapter 4 calls these on leader changes.
  Status load_offsets_partition(std::int32_t partition);
  void unload_offsets_partition(std::int32_t partition);
  // What the coordinator knows (for tests and tools; requests go through handle()).
  const group::Coordinator& coordinator() const { return coordinator_; }
  // A partition's high watermark moved, or this broker started or stopped leading it:
  // the long-poll fetches and acks=all produces parked on it are looked at again in the
  // next poll_deferred() (broker/replica_manager.h calls this).
  void partition_changed(const std::string& topic, std::int32_t partition);
  // The control plane's requests (broker/control_requests.h) go there; without it (a
  // broker alone) they close the connection.
  void set_control_requests(ControlRequests* control) { control_ = control; }

  // True when deferred requests may be completed now: call poll_deferred().
  bool has_completions() const;
  // Completes the deferred requests that can be completed: fetches woken by an append
  // that now have enough data, and those whose wait is over.
  std::vector<Completed> poll_deferred();
  // When the earliest deferred request times out, on clock.monotonic_ms() (for the
  // server's timer); nullopt when nothing waits for time.
  std::optional<std::int64_t> next_deadline_ms() const;
  // Forgets a deferred request (its connection closed).
  void cancel_deferred(std::uint64_t id);
  std::size_t deferred_count() const { return deferred_.size(); }
  // How many times a parked fetch was read again to see whether it can be answered.
  std::uint64_t fetch_rechecks() const { return fetch_rechecks_; }

 private:
  struct DeferredFetch {
    std::int32_t correlation_id;
    std::int16_t version;
    protocol::FetchRequest request;
    std::int64_t deadline_ms;
  };

  Outcome handle_api_versions(const protocol::RequestHeader& h);
  Outcome handle_metadata(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_produce(const protocol::RequestHeader& h, MutableByteSpan frame, ByteSpan body);
  Outcome handle_fetch(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_list_offsets(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_create_topics(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_delete_topics(const protocol::RequestHeader& h, ByteSpan body);
  // Consumer groups and committed offsets: broker/group_requests.cpp.
  Outcome handle_find_coordinator(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_join_group(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_sync_group(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_heartbeat(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_leave_group(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_offset_commit(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_offset_fetch(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_list_groups(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_describe_groups(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_delete_groups(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_init_producer_id(const protocol::RequestHeader& h, ByteSpan body);
  // Appends records to the group's __consumer_offsets partition, then applies them to
  // the coordinator: what the coordinator knows is always what the log holds.
  Status append_group_records(const std::string& group_id, const std::vector<group::OffsetsTopicRecord>& records);
  // The append alone, as one batch: the offset just past it (0 when there was nothing to
  // append).
  Result<std::int64_t> append_group_batch(const std::string& group_id,
                                          const std::vector<group::OffsetsTopicRecord>& records);
  // Appends the group metadata the coordinator produced (end of a rebalance).
  void persist_group_records();
  Status ensure_offsets_topic();
  // Every record of one __consumer_offsets partition, decoded, in log order.
  Result<std::vector<group::OffsetsTopicRecord>> read_offsets_partition(std::int32_t partition);
  // Encodes a finished JoinGroup or SyncGroup for its waiting request.
  std::optional<Completed> finish_group_request(const group::Completion& c);
  Outcome handle_offsets_for_leader_epoch(const protocol::RequestHeader& h, ByteSpan body);
  Outcome handle_elect_leaders(const protocol::RequestHeader& h, ByteSpan body);
  static NewTopic new_topic(const protocol::CreatableTopic& t, bool validate_only);
  // acks=all: a produce response waiting until the high watermark has passed each of its
  // batches ("delayed produce" in Kafka's purgatory), or until the request's timeout_ms.
  // An OffsetCommit waits here too, for its one batch in __consumer_offsets: a commit is
  // acknowledged only once the partition's in-sync replicas have it, so that a new
  // coordinator elected from them still knows it.
  struct AwaitingReplication {
    std::int32_t correlation_id;
    std::int16_t version;
    protocol::ProduceResponse response;
    struct Part {
      std::size_t topic_index;
      std::size_t partition_index;
      std::string topic;
      std::int32_t partition;
      std::int64_t required_offset;  // the batch's last offset + 1
      std::int32_t leader_epoch;     // the epoch this broker led in when it appended the batch
      int min_insync_replicas;
    };
    std::vector<Part> parts;
    std::int64_t deadline_ms;
    bool synced;  // false while a flush.messages=1 fsync comes first (awaiting_sync_)
    // Set for an OffsetCommit (and then `response` is unused): its records reach the
    // coordinator only when the batch is committed, so that OffsetFetch never shows an
    // offset a failover could take back.
    struct Commit {
      std::string group_id;
      std::vector<group::OffsetsTopicRecord> records;
      protocol::OffsetCommitResponse response;
      Errc error = Errc::none;
    };
    std::optional<Commit> commit;
  };
  ControlRequests* control_ = nullptr;
  std::map<std::uint64_t, AwaitingReplication> awaiting_replication_;
  std::map<std::pair<std::string, std::int32_t>, std::set<std::uint64_t>> produces_waiting_on_;
  std::set<std::pair<std::int64_t, std::uint64_t>> produce_deadlines_;
  std::set<std::uint64_t> woken_produces_;
  // Decides what can be decided; true when every part is (the response is complete).
  bool settle(AwaitingReplication& waiting, std::int64_t now);
  // Where a part's outcome is written: its slot in the produce response, or the commit's.
  static Errc& outcome_of(AwaitingReplication& waiting, const AwaitingReplication::Part& part);
  // Parks a wait that could not be settled at once, as deferred request `id`.
  Outcome defer_replicated(std::uint64_t id, AwaitingReplication waiting);
  // The response of a settled wait; a commit's records are applied here if it succeeded.
  Bytes finish_replicated(AwaitingReplication& waiting);
  Bytes finish_commit(AwaitingReplication::Commit& commit, std::int16_t version);
  // Parks an OffsetCommit whose batch ends at `end_offset` until it is replicated (or
  // answers at once when it already is: a single broker, an ISR of one).
  Outcome await_commit(const protocol::RequestHeader& h, std::int64_t end_offset,
                       std::vector<group::OffsetsTopicRecord> records, protocol::OffsetCommitResponse response,
                       const std::string& group_id);
  void complete_replicated_produces(std::vector<Completed>& done, std::int64_t now);
  void forget_produce(std::map<std::uint64_t, AwaitingReplication>::iterator it);

  // Reads every requested partition; total_bytes tells whether min_bytes is reached.
  protocol::FetchResponse read_partitions(const protocol::FetchRequest& request, std::uint64_t& total_bytes);
  // The parked fetches waiting on this partition are to be looked at again.
  void wake_fetches(const std::string& topic, std::int32_t partition);
  void forget_fetch(std::map<std::uint64_t, DeferredFetch>::iterator it);

  const BrokerConfig& config_;
  LogManager& logs_;
  const Clock& clock_;
  std::unique_ptr<SingleNodeMetadata> own_cluster_;  // when none was given
  ClusterMetadata* cluster_;
  std::map<std::uint64_t, DeferredFetch> deferred_;
  std::set<std::pair<std::int64_t, std::uint64_t>> fetch_deadlines_;                // (deadline, id)
  std::map<std::pair<std::string, std::int32_t>, std::set<std::uint64_t>> waiting_on_;  // partition → ids
  std::set<std::uint64_t> woken_;  // parked fetches to look at in the next poll_deferred()
  std::uint64_t fetch_rechecks_ = 0;
  std::uint64_t next_deferred_id_ = 1;
  // Durable acks: produce responses for partitions with flush.messages=1 wait until their
  // logs are fsynced; one fsync per log serves every request that arrived meanwhile.
  //
  // Both hold weak handles, not Log*: a topic can be deleted (by this connection's next
  // request or by another connection) while its appends wait for their fsync. The log is
  // then gone, and its waiting acks become UNKNOWN_TOPIC_OR_PARTITION — the records were
  // deleted with it, so they must not be acknowledged.
  struct AwaitingSync {
    std::int32_t correlation_id;
    std::int16_t version;
    protocol::ProduceResponse response;
    struct Durable {
      std::size_t topic_index;
      std::size_t partition_index;
      std::weak_ptr<log::Log> log;
    };
    std::vector<Durable> durable;
  };
  std::map<std::uint64_t, AwaitingSync> awaiting_sync_;
  std::vector<std::weak_ptr<log::Log>> dirty_;  // deferred-flush logs appended to since the last sync
  // Fsyncs every dirty log once and finishes the produce responses waiting for it.
  void sync_durable_appends(std::vector<Completed>& done);
  struct DeferredGroupRequest {
    std::int32_t correlation_id;
    std::int16_t version;
  };
  group::Coordinator coordinator_;
  ProducerIdAllocator producer_ids_;
  std::map<std::uint64_t, DeferredGroupRequest> deferred_groups_;  // JoinGroup/SyncGroup waiting
  std::string client_host_;  // of the request being handled
};

// The settings of __consumer_offsets: compacted, with offsets.topic.segment.bytes.
std::vector<std::pair<std::string, std::string>> offsets_topic_settings(const BrokerConfig& config);

// Wraps an encoded body into a response frame: size prefix, correlation id, body.
protocol::OutMessage response_frame(std::int32_t correlation_id, Bytes body);
// The outcomes "answer with this body" and "close the connection, for this reason".
Outcome respond(std::int32_t correlation_id, Bytes body);
Outcome close_with(std::string reason);

}  // namespace streamcraft::broker
