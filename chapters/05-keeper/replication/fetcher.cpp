// generated from final/replication/fetcher.cpp; edit there
// replication/fetcher.cpp — the replica fetcher's requests and how it applies the answers.
#include "replication/fetcher.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "protocol/fetch.h"
#include "protocol/offsets_for_leader_epoch.h"
#include "replication/truncation.h"

namespace streamcraft::replication {

void ReplicaFetcher::set_partition(const std::string& topic, std::int32_t partition, std::int32_t leader_epoch,
                                   std::int64_t high_watermark) {
  auto& p = partitions_[{topic, partition}];
  p = PartitionStatus{};
  p.leader_epoch = leader_epoch;
  p.high_watermark = high_watermark;
}

void ReplicaFetcher::remove_partition(const std::string& topic, std::int32_t partition) {
  partitions_.erase({topic, partition});
}

const ReplicaFetcher::PartitionStatus* ReplicaFetcher::status(const std::string& topic, std::int32_t partition) const {
  auto it = partitions_.find({topic, partition});
  return it == partitions_.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> ReplicaFetcher::next_retry_ms() const {
  std::optional<std::int64_t> next;
  for (const auto& [key, p] : partitions_)
    if (p.state != State::fenced && p.retry_at_ms > 0 && (!next || p.retry_at_ms < *next)) next = p.retry_at_ms;
  return next;
}

void ReplicaFetcher::fail(const Key& key, PartitionStatus& p, const Error& why, std::int64_t now_ms) {
  // The controller tells the leader and its followers at the same moment, so a follower
  // may ask before the leader has taken over: NOT_LEADER_OR_FOLLOWER, or
  // UNKNOWN_LEADER_EPOCH (our epoch is newer than the leader's). That answer changes
  // within milliseconds, and every one of them is time the partition cannot commit
  // (acks=all waits, a failover takes longer): ask again soon, not after the full backoff.
  const bool leader_catching_up = why.code == Errc::not_leader_or_follower || why.code == Errc::unknown_leader_epoch;
  const auto backoff = leader_catching_up ? std::min<std::int64_t>(options_.backoff_ms, kLeaderCatchUpBackoffMs)
                                          : options_.backoff_ms;
  if (!p.last_error || p.last_error->code != why.code)
    spdlog::info("replica fetcher: {}-{}: {}; retrying in {} ms", key.first, key.second, why.describe(), backoff);
  p.last_error = why;
  p.retry_at_ms = now_ms + backoff;
}

void ReplicaFetcher::set_high_watermark(const Key& key, PartitionStatus& p, std::int64_t hw) {
  if (hw == p.high_watermark) return;
  p.high_watermark = hw;
  replicas_.high_watermark_changed(key.first, key.second, hw);
}

ReplicaFetcher::PartitionStatus* ReplicaFetcher::current(const Key& key, std::int32_t asked_epoch) {
  auto it = partitions_.find(key);
  // An answer about an epoch we have since left says nothing about the one we follow now
  // (Kafka's KAFKA-7040): it is dropped, and the partition asks again.
  if (it == partitions_.end() || it->second.leader_epoch != asked_epoch) return nullptr;
  return &it->second;
}

std::optional<FetcherRequest> ReplicaFetcher::next_request(std::int64_t now_ms) {
  if (in_flight_) return std::nullopt;
  auto ready = [&](const PartitionStatus& p) { return p.state != State::fenced && p.retry_at_ms <= now_ms; };

  // Truncating partitions first: a partition must not fetch before it knows where to cut.
  protocol::OffsetsForLeaderEpochRequest epochs;
  epochs.replica_id = options_.replica_id;
  InFlight asked{protocol::ApiKey::offsets_for_leader_epoch, {}};
  for (auto& [key, p] : partitions_) {
    if (p.state != State::truncating || !ready(p)) continue;
    log::Log* log = replicas_.log(key.first, key.second);
    if (!log) continue;
    const auto epoch = epoch_to_ask(log->leader_epochs());
    if (!epoch) {
      // Nothing to ask about: keep what is known to be committed, and copy from there.
      const auto step = first_step_without_epochs(log->log_end_offset(), p.high_watermark);
      if (auto s = log->truncate_to(step.truncate_to); !s) {
        fail(key, p, s.error(), now_ms);
        continue;
      }
      p.state = State::fetching;
      continue;
    }
    if (epochs.topics.empty() || epochs.topics.back().name != key.first) epochs.topics.push_back({key.first, {}});
    epochs.topics.back().partitions.push_back({key.second, p.leader_epoch, *epoch});
    asked.epochs[key] = p.leader_epoch;
  }
  if (!asked.epochs.empty()) {
    in_flight_ = std::move(asked);
    return FetcherRequest{protocol::ApiKey::offsets_for_leader_epoch, kEpochsVersion,
                          protocol::encode_offsets_for_leader_epoch_request(epochs, kEpochsVersion)};
  }

  protocol::FetchRequest fetch;
  fetch.replica_id = options_.replica_id;
  fetch.max_wait_ms = options_.max_wait_ms;
  fetch.min_bytes = options_.min_bytes;
  fetch.max_bytes = options_.max_bytes;
  InFlight fetched{protocol::ApiKey::fetch, {}};
  for (auto& [key, p] : partitions_) {
    if (p.state != State::fetching || !ready(p)) continue;
    log::Log* log = replicas_.log(key.first, key.second);
    if (!log) continue;
    if (fetch.topics.empty() || fetch.topics.back().name != key.first) fetch.topics.push_back({key.first, {}});
    protocol::FetchPartition fp;
    fp.partition = key.second;
    fp.current_leader_epoch = p.leader_epoch;
    fp.fetch_offset = log->log_end_offset();  // also tells the leader how far we are
    fp.log_start_offset = log->log_start_offset();
    fp.partition_max_bytes = options_.partition_max_bytes;
    fetch.topics.back().partitions.push_back(fp);
    fetched.epochs[key] = p.leader_epoch;
  }
  if (fetched.epochs.empty()) return std::nullopt;
  in_flight_ = std::move(fetched);
  return FetcherRequest{protocol::ApiKey::fetch, kFetchVersion, protocol::encode_fetch_request(fetch, kFetchVersion)};
}

void ReplicaFetcher::on_failure(const Error& why, std::int64_t now_ms) {
  if (!in_flight_) return;
  auto asked = std::move(*in_flight_);
  in_flight_.reset();
  for (const auto& [key, epoch] : asked.epochs)
    if (auto* p = current(key, epoch)) fail(key, *p, why, now_ms);
}

void ReplicaFetcher::on_response(ByteSpan body, std::int64_t now_ms) {
  if (!in_flight_) return;
  if (in_flight_->key == protocol::ApiKey::offsets_for_leader_epoch) {
    apply_epochs_response(body, now_ms);
  } else {
    apply_fetch_response(body, now_ms);
  }
}

void ReplicaFetcher::apply_epochs_response(ByteSpan body, std::int64_t now_ms) {
  auto asked = std::move(*in_flight_);
  in_flight_.reset();
  auto response = protocol::decode_offsets_for_leader_epoch_response(body, kEpochsVersion);
  if (!response) {
    for (const auto& [key, epoch] : asked.epochs)
      if (auto* p = current(key, epoch)) fail(key, *p, response.error(), now_ms);
    return;
  }
  for (const auto& t : response->topics) {
    for (const auto& r : t.partitions) {
      const Key key{t.name, r.partition};
      auto a = asked.epochs.find(key);
      if (a == asked.epochs.end()) continue;  // not asked about: ignore
      auto* p = current(key, a->second);
      asked.epochs.erase(a);
      if (!p || p->state != State::truncating) continue;
      if (r.error == Errc::fenced_leader_epoch) {
        p->state = State::fenced;  // the leader is past our epoch: wait for the controller
        p->last_error = make_error(r.error, "the leader has a newer epoch");
        continue;
      }
      if (r.error != Errc::none) {
        fail(key, *p, make_error(r.error, "OffsetsForLeaderEpoch"), now_ms);
        continue;
      }
      log::Log* log = replicas_.log(key.first, key.second);
      if (!log) continue;
      const auto step = truncation_step(log->leader_epochs(), log->log_end_offset(), p->high_watermark,
                                        log::EpochEndOffset{r.leader_epoch, r.end_offset});
      if (step.truncate_to < log->log_end_offset())
        spdlog::info("replica fetcher {}: {}-{}: the leader's epoch {} ends at {}; cutting the log from {} to {}",
                     options_.replica_id, key.first, key.second, r.leader_epoch, r.end_offset, log->log_end_offset(),
                     step.truncate_to);
      if (step.truncate_to < p->high_watermark)
        spdlog::warn("replica fetcher: {}-{}: truncating to {}, below the high watermark {}", key.first, key.second,
                     step.truncate_to, p->high_watermark);
      if (auto s = log->truncate_to(step.truncate_to); !s) {
        fail(key, *p, s.error(), now_ms);
        continue;
      }
      set_high_watermark(key, *p, std::min(p->high_watermark, log->log_end_offset()));
      p->last_error.reset();
      if (step.done) p->state = State::fetching;  // else: the next request asks again
    }
  }
  // Partitions the leader did not answer for are asked again after a pause.
  for (const auto& [key, epoch] : asked.epochs)
    if (auto* p = current(key, epoch))
      fail(key, *p, make_error(Errc::unknown_server_error, "no answer for the partition"), now_ms);
}

void ReplicaFetcher::apply_fetch_response(ByteSpan body, std::int64_t now_ms) {
  auto asked = std::move(*in_flight_);
  in_flight_.reset();
  auto response = protocol::decode_fetch_response(body, kFetchVersion);
  if (!response || response->error != Errc::none) {
    const Error why = response ? make_error(response->error, "Fetch") : response.error();
    for (const auto& [key, epoch] : asked.epochs)
      if (auto* p = current(key, epoch)) fail(key, *p, why, now_ms);
    return;
  }
  for (const auto& t : response->topics) {
    for (const auto& r : t.partitions) {
      const Key key{t.name, r.partition};
      auto a = asked.epochs.find(key);
      if (a == asked.epochs.end()) continue;
      auto* p = current(key, a->second);
      asked.epochs.erase(a);
      if (!p || p->state != State::fetching) continue;
      switch (r.error) {
        case Errc::none: break;
        case Errc::fenced_leader_epoch:
          p->state = State::fenced;
          p->last_error = make_error(r.error, "the leader has a newer epoch");
          continue;
        case Errc::offset_out_of_range: {
          log::Log* log = replicas_.log(key.first, key.second);
          if (log && r.log_start_offset > log->log_end_offset()) {
            // Below the leader's log start: what we lack was deleted by its retention
            // while we were away. Nothing can be copied from where we are; start over,
            // empty, at its log start, and fetch from there.
            spdlog::warn("replica fetcher {}: {}-{}: the log ends at {}, below the leader's log start {}; "
                         "truncating fully",
                         options_.replica_id, key.first, key.second, log->log_end_offset(), r.log_start_offset);
            if (auto s = log->truncate_fully_and_start_at(r.log_start_offset); !s) {
              fail(key, *p, s.error(), now_ms);
              continue;
            }
            set_high_watermark(key, *p, log->log_end_offset());
            p->last_error.reset();
            continue;
          }
          // The leader has no such offset: its log is shorter than ours (it was elected
          // without our last records) — find the divergence again.
          p->state = State::truncating;
          continue;
        }
        default:
          fail(key, *p, make_error(r.error, "Fetch"), now_ms);
          continue;
      }
      log::Log* log = replicas_.log(key.first, key.second);
      if (!log) continue;
      if (r.records && !r.records->empty()) {
        auto appended = log->append_as_follower(*r.records);
        if (!appended) {
          if (appended.error().code == Errc::offset_out_of_range) {
            p->state = State::truncating;  // not where we asked from: start over
          } else {
            fail(key, *p, appended.error(), now_ms);
          }
          continue;
        }
      }
      p->last_error.reset();
      // The leader's log start, where it has moved past ours: its retention removed
      // records this replica must not keep serving (bounded by what we have).
      if (r.log_start_offset > log->log_start_offset()) {
        if (auto s = log->advance_log_start(std::min(r.log_start_offset, log->log_end_offset())); !s) {
          fail(key, *p, s.error(), now_ms);
          continue;
        }
      }
      // The leader's HW, but never past what we have: a consumer of this replica must not
      // be promised a record it cannot read here.
      if (r.high_watermark >= 0) set_high_watermark(key, *p, std::min(r.high_watermark, log->log_end_offset()));
    }
  }
  for (const auto& [key, epoch] : asked.epochs)
    if (auto* p = current(key, epoch))
      fail(key, *p, make_error(Errc::unknown_server_error, "no answer for the partition"), now_ms);
}

}  // namespace streamcraft::replication
