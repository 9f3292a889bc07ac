// generated from final/common/error.cpp; edit there
// common/error.cpp — names of Kafka error codes.
#include "common/error.h"

#include <fmt/format.h>

namespace streamcraft {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::unknown_server_error: return "UNKNOWN_SERVER_ERROR";
    case Errc::none: return "NONE";
    case Errc::offset_out_of_range: return "OFFSET_OUT_OF_RANGE";
    case Errc::corrupt_message: return "CORRUPT_MESSAGE";
    case Errc::unknown_topic_or_partition: return "UNKNOWN_TOPIC_OR_PARTITION";
    case Errc::leader_not_available: return "LEADER_NOT_AVAILABLE";
    case Errc::not_leader_or_follower: return "NOT_LEADER_OR_FOLLOWER";
    case Errc::request_timed_out: return "REQUEST_TIMED_OUT";
    case Errc::network_exception: return "NETWORK_EXCEPTION";
    case Errc::message_too_large: return "MESSAGE_TOO_LARGE";
    case Errc::invalid_topic: return "INVALID_TOPIC_EXCEPTION";
    case Errc::record_list_too_large: return "RECORD_LIST_TOO_LARGE";
    case Errc::invalid_required_acks: return "INVALID_REQUIRED_ACKS";
    case Errc::invalid_timestamp: return "INVALID_TIMESTAMP";
    case Errc::invalid_config: return "INVALID_CONFIG";
    case Errc::unsupported_version: return "UNSUPPORTED_VERSION";
    case Errc::topic_already_exists: return "TOPIC_ALREADY_EXISTS";
    case Errc::invalid_partitions: return "INVALID_PARTITIONS";
    case Errc::invalid_replication_factor: return "INVALID_REPLICATION_FACTOR";
    case Errc::invalid_request: return "INVALID_REQUEST";
    case Errc::unsupported_for_message_format: return "UNSUPPORTED_FOR_MESSAGE_FORMAT";
    case Errc::kafka_storage_error: return "KAFKA_STORAGE_ERROR";
    case Errc::invalid_record: return "INVALID_RECORD";
    case Errc::offset_metadata_too_large: return "OFFSET_METADATA_TOO_LARGE";
    case Errc::coordinator_load_in_progress: return "COORDINATOR_LOAD_IN_PROGRESS";
    case Errc::coordinator_not_available: return "COORDINATOR_NOT_AVAILABLE";
    case Errc::not_coordinator: return "NOT_COORDINATOR";
    case Errc::illegal_generation: return "ILLEGAL_GENERATION";
    case Errc::inconsistent_group_protocol: return "INCONSISTENT_GROUP_PROTOCOL";
    case Errc::invalid_group_id: return "INVALID_GROUP_ID";
    case Errc::unknown_member_id: return "UNKNOWN_MEMBER_ID";
    case Errc::invalid_session_timeout: return "INVALID_SESSION_TIMEOUT";
    case Errc::rebalance_in_progress: return "REBALANCE_IN_PROGRESS";
    case Errc::invalid_commit_offset_size: return "INVALID_COMMIT_OFFSET_SIZE";
    case Errc::non_empty_group: return "NON_EMPTY_GROUP";
    case Errc::group_id_not_found: return "GROUP_ID_NOT_FOUND";
    case Errc::member_id_required: return "MEMBER_ID_REQUIRED";
    case Errc::group_max_size_reached: return "GROUP_MAX_SIZE_REACHED";
    case Errc::fenced_instance_id: return "FENCED_INSTANCE_ID";
    case Errc::out_of_order_sequence_number: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
    case Errc::duplicate_sequence_number: return "DUPLICATE_SEQUENCE_NUMBER";
    case Errc::invalid_producer_epoch: return "INVALID_PRODUCER_EPOCH";
    case Errc::invalid_producer_id_mapping: return "INVALID_PRODUCER_ID_MAPPING";
    case Errc::invalid_transaction_timeout: return "INVALID_TRANSACTION_TIMEOUT";
    case Errc::unknown_producer_id: return "UNKNOWN_PRODUCER_ID";
    case Errc::stale_controller_epoch: return "STALE_CONTROLLER_EPOCH";
    case Errc::not_enough_replicas: return "NOT_ENOUGH_REPLICAS";
    case Errc::not_enough_replicas_after_append: return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    case Errc::fenced_leader_epoch: return "FENCED_LEADER_EPOCH";
    case Errc::unknown_leader_epoch: return "UNKNOWN_LEADER_EPOCH";
    case Errc::offset_not_available: return "OFFSET_NOT_AVAILABLE";
    case Errc::broker_not_available: return "BROKER_NOT_AVAILABLE";
    case Errc::invalid_replica_assignment: return "INVALID_REPLICA_ASSIGNMENT";
    case Errc::stale_broker_epoch: return "STALE_BROKER_EPOCH";
    case Errc::not_controller: return "NOT_CONTROLLER";
    case Errc::preferred_leader_not_available: return "PREFERRED_LEADER_NOT_AVAILABLE";
    case Errc::election_not_needed: return "ELECTION_NOT_NEEDED";
    case Errc::invalid_update_version: return "INVALID_UPDATE_VERSION";
    case Errc::ineligible_replica: return "INELIGIBLE_REPLICA";
  }
  return "UNKNOWN_ERROR_CODE";
}

std::string Error::describe() const { return fmt::format("{}: {}", errc_name(code), message); }

}  // namespace streamcraft
