// generated from final/client/kafka_client.h; edit there
// client/kafka_client.h — a small, blocking Kafka client for the CLI and the benchmarks.
//
// It speaks the same wire protocol as the broker (protocol/), over one connection to one
// broker — enough while the cluster has one broker; chapter 4 adds routing requests to
// each partition's leader. It negotiates versions with ApiVersions like any client, then
// uses, per API, the highest version both sides support.
//
// Requests can be pipelined: send() queues a request on the wire and returns its
// correlation id; receive() reads the next response, which — brokers answer in order —
// belongs to the oldest request still open. Call-and-wait helpers sit on top.
//
// Every wait is bounded. Connecting, writing a request and waiting for its response each
// give up after the request timeout (Kafka's request.timeout.ms, 30 s by default) with
// REQUEST_TIMED_OUT — a broker that was paused, or cut off by the network without a
// reset, would otherwise hold the caller for ever. A request the broker holds on purpose
// gets that time on top (a fetch's max_wait_ms, a JoinGroup's rebalance timeout). After
// a timeout the connection is closed and every later call fails: it stopped mid-frame,
// so no later response could be matched to its request.
//
// Chapter 3 adds the group APIs. Each group has a coordinator broker (FindCoordinator);
// one KafkaClient talks to one broker, so check_coordinator() says whether the group's
// coordinator is that broker (NOT_COORDINATOR otherwise). To reach the coordinator
// wherever it is, use ClusterClients::coordinator (client/cluster_clients.h).
#pragma once

#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/blocking_socket.h"
#include "common/bytes.h"
#include "common/error.h"
#include "protocol/fetch.h"
#include "protocol/groups.h"
#include "protocol/header.h"
#include "protocol/list_offsets.h"
#include "protocol/metadata.h"
#include "protocol/offsets.h"
#include "protocol/produce.h"
#include "protocol/topics.h"
#include "protocol/elect_leaders.h"

namespace streamcraft::client {

// A fetch response together with the bytes its records point into.
struct FetchResult {
  Bytes body;
  protocol::FetchResponse response;
};

class KafkaClient {
 public:
  // Connects to host:port and negotiates API versions. Errors are KAFKA_STORAGE_ERROR-free:
  // connection problems come back as UNKNOWN_SERVER_ERROR with the OS's reason.
  static constexpr std::chrono::milliseconds kDefaultRequestTimeout{30'000};
  static Result<std::unique_ptr<KafkaClient>> connect(const std::string& bootstrap,
                                                      std::string client_id = "streamcraft",
                                                      std::chrono::milliseconds request_timeout = kDefaultRequestTimeout);
  ~KafkaClient();

  // The version used for an API (the highest both sides know), or nullopt.
  std::optional<std::int16_t> version(protocol::ApiKey api) const;

  // Pipelining: write a request now, read its response later (in order). `held_for`:
  // how long the broker may hold this request on purpose, on top of the request timeout.
  Result<std::int32_t> send(protocol::ApiKey api, const Bytes& body);
  Result<Bytes> receive(std::int32_t correlation_id, std::chrono::milliseconds held_for = {});
  // A timeout or a broken connection closed it; every call fails from then on.
  bool closed() const { return socket_->closed(); }

  Result<protocol::MetadataResponse> metadata(std::optional<std::vector<std::string>> topics,
                                              bool allow_auto_create = false);
  Result<protocol::CreateTopicsResponse> create_topics(const protocol::CreateTopicsRequest& request);
  Result<protocol::DeleteTopicsResponse> delete_topics(const protocol::DeleteTopicsRequest& request);
  Result<protocol::ProduceResponse> produce(const protocol::ProduceRequest& request);
  Result<FetchResult> fetch(const protocol::FetchRequest& request);
  // fetch() in two halves, to have fetches to several brokers waiting at once.
  Result<std::int32_t> send_fetch(const protocol::FetchRequest& request);
  Result<FetchResult> receive_fetch(std::int32_t correlation_id, const protocol::FetchRequest& request);
  Result<protocol::ListOffsetsResponse> list_offsets(const protocol::ListOffsetsRequest& request);

  // Consumer groups and committed offsets. A group's requests go to its coordinator (a
  // connection from ClusterClients::coordinator, or this one once check_coordinator(group)
  // says it is). Errors inside a response (its error
  // fields) are the caller's to look at; the Result fails only for transport/decoding.
  Result<protocol::FindCoordinatorResponse> find_coordinator(const std::string& group_id);
  // FindCoordinator, then: is the coordinator the broker this client is connected to?
  // NOT_COORDINATOR (naming both nodes) if not, the response's error if it has one.
  Status check_coordinator(const std::string& group_id);
  Result<protocol::JoinGroupResponse> join_group(const protocol::JoinGroupRequest& request);
  Result<protocol::SyncGroupResponse> sync_group(const protocol::SyncGroupRequest& request);
  Result<protocol::HeartbeatResponse> heartbeat(const protocol::HeartbeatRequest& request);
  Result<protocol::LeaveGroupResponse> leave_group(const protocol::LeaveGroupRequest& request);
  Result<protocol::OffsetCommitResponse> offset_commit(const protocol::OffsetCommitRequest& request);
  Result<protocol::OffsetFetchResponse> offset_fetch(const protocol::OffsetFetchRequest& request);
  Result<protocol::ListGroupsResponse> list_groups();
  Result<protocol::DescribeGroupsResponse> describe_groups(const std::vector<std::string>& groups);
  Result<protocol::DeleteGroupsResponse> delete_groups(const std::vector<std::string>& groups);
  // To the controller (another broker answers NOT_CONTROLLER).
  Result<protocol::ElectLeadersResponse> elect_leaders(const protocol::ElectLeadersRequest& request);

  struct Private {
    explicit Private() = default;
  };
  KafkaClient(Private, std::unique_ptr<BlockingSocket> socket, std::string client_id,
              std::chrono::milliseconds request_timeout);

 private:
  template <class Response, class Decode>
  Result<Response> call(protocol::ApiKey api, const Bytes& body, Decode decode,
                        std::chrono::milliseconds held_for = {});

  std::unique_ptr<BlockingSocket> socket_;
  std::string client_id_;
  std::chrono::milliseconds request_timeout_;
  std::int32_t next_correlation_ = 1;
  std::deque<std::int32_t> in_flight_;
  std::map<std::int16_t, std::int16_t> versions_;
};

}  // namespace streamcraft::client
