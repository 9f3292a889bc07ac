// generated from final/common/error.h; edit there
// common/error.h — errors as values.
//
// Every operation that can fail because of the outside world (a bad batch from a
// client, a torn file, a full disk) returns an Error or a Result<T> instead of
// throwing. The codes mirror Kafka's protocol error codes, so that chapter 2 can put
// them on the wire unchanged and a student can look them up in Kafka's documentation.
// Exceptions are reserved for programmer errors (a broken invariant inside our code).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace streamcraft {

// Kafka's error codes (the subset this code base produces), with Kafka's numbers.
enum class Errc : std::int16_t {
  unknown_server_error = -1,
  none = 0,
  offset_out_of_range = 1,
  corrupt_message = 2,
  unknown_topic_or_partition = 3,
  leader_not_available = 5,
  not_leader_or_follower = 6,
  request_timed_out = 7,
  message_too_large = 10,
  network_exception = 13,
  invalid_topic = 17,
  record_list_too_large = 18,
  invalid_required_acks = 21,
  invalid_timestamp = 32,
  invalid_config = 40,
  unsupported_version = 35,
  topic_already_exists = 36,
  invalid_partitions = 37,
  invalid_replication_factor = 38,
  invalid_request = 42,
  unsupported_for_message_format = 43,
  kafka_storage_error = 56,
  invalid_record = 87,
  // Consumer groups and committed offsets.
  offset_metadata_too_large = 12,
  coordinator_load_in_progress = 14,
  coordinator_not_available = 15,
  not_coordinator = 16,
  illegal_generation = 22,
  inconsistent_group_protocol = 23,
  invalid_group_id = 24,
  unknown_member_id = 25,
  invalid_session_timeout = 26,
  rebalance_in_progress = 27,
  invalid_commit_offset_size = 28,
  non_empty_group = 68,
  group_id_not_found = 69,
  member_id_required = 79,
  group_max_size_reached = 81,
  fenced_instance_id = 82,
  // The idempotent producer.
  out_of_order_sequence_number = 45,
  duplicate_sequence_number = 46,
  invalid_producer_epoch = 47,
  invalid_producer_id_mapping = 49,
  invalid_transaction_timeout = 50,
  unknown_producer_id = 59,
  // Replication.
  stale_controller_epoch = 11,
  not_enough_replicas = 19,
  not_enough_replicas_after_append = 20,
  fenced_leader_epoch = 74,
  unknown_leader_epoch = 75,
  offset_not_available = 78,
  // The controller (controller/controller.h).
  broker_not_available = 8,
  invalid_replica_assignment = 39,
  stale_broker_epoch = 77,
  not_controller = 41,
  preferred_leader_not_available = 80,
  election_not_needed = 84,
  invalid_update_version = 95,
  ineligible_replica = 107,
};

// The Kafka name of a code, e.g. "CORRUPT_MESSAGE".
std::string_view errc_name(Errc code);

// A failure: a code a client understands plus a sentence a person understands.
struct Error {
  Errc code = Errc::unknown_server_error;
  std::string message;

  std::string describe() const;  // "CORRUPT_MESSAGE: batch CRC mismatch at position 120"
};

// The success-or-error of an operation that has no value (Status) or one (Result<T>).
class Status {
 public:
  Status() = default;  // success
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{Errc::none, {}};
  bool ok_ = true;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Accessing the value of a failed result is a programmer error, hence std::get's throw.
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }
  Status status() const { return ok() ? Status{} : Status{error()}; }

 private:
  std::variant<T, Error> v_;
};

// Shorthand used throughout: make_error(Errc::corrupt_message, "…").
inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace streamcraft
