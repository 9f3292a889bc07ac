// generated from final/broker/control_requests.h; edit there
// broker/control_requests.h — the requests of a cluster's control plane, as they arrive.
//
// Every broker's request handler takes these besides the clients' requests, on the same
// port and in the same framing (RequestHandler hands them here):
//
//   from the controller, to every broker (Kafka's control requests):
//     LeaderAndIsr (4) v2–3   lead or follow these partitions   → ReplicaManager
//     UpdateMetadata (6) v5   the live brokers, partition states → ReplicaManager
//     StopReplica (5) v1      stop (and delete) these replicas   → ReplicaManager
//     TopicConfigs (1003) v0  these topics' own settings          → ReplicaManager
//   from every broker, to the controller's broker:
//     ControlledShutdown (7) v1–2   move my leaderships away   → ControllerService
//     BrokerRegistration (1000) v0  I have started             → ControllerService
//     BrokerHeartbeat (1001) v0     I am alive                 → ControllerService
//     AlterIsr (1002) v0            commit this ISR            → ControllerService
//
// (Followers' Fetch and OffsetsForLeaderEpoch are ordinary requests: the handler serves
// them itself.) A broker that is not the controller answers the controller's requests
// with NOT_CONTROLLER. This is only translation: the wire structures of protocol/control.h
// to and from what the ReplicaManager and the controller work with.
#pragma once

#include <cstdint>

#include "broker/replica_manager.h"
#include "common/bytes.h"
#include "common/error.h"
#include "controller/controller_service.h"
#include "protocol/header.h"

namespace streamcraft::broker {

class ControlRequests {
 public:
  // `controller`: this broker's controller, or nullptr when another broker is.
  ControlRequests(ReplicaManager& replicas, controller::ControllerService* controller)
      : replicas_(replicas), controller_(controller) {}

  static bool is_control(std::int16_t api_key);
  // The response body, or an error for a request that cannot be decoded (the connection
  // is closed, as for any malformed request).
  Result<Bytes> handle(protocol::ApiKey key, std::int16_t version, ByteSpan body);

 private:
  ReplicaManager& replicas_;
  controller::ControllerService* controller_;
};

}  // namespace streamcraft::broker
