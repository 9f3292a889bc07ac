// generated from tests/replication/fetcher_test.cpp; edit there
// replication/fetcher_test.cpp — the replica fetcher against a leader's real log, through
// the real codecs of Fetch and OffsetsForLeaderEpoch.
#include <catch2/catch.hpp>

#include "protocol/fetch.h"
#include "protocol/message.h"
#include "protocol/offsets_for_leader_epoch.h"
#include "replication/fetcher.h"
#include "support/log_fixture.h"

using namespace streamcraft;
using namespace streamcraft::test;
using replication::FetcherRequest;
using replication::ReplicaFetcher;
using State = ReplicaFetcher::State;

namespace {

const std::string kTopic = "orders";

// A leader that answers the fetcher's requests from its log, as the broker will.
struct Leader {
  LogFixture f;
  log::Log* log = nullptr;
  std::int32_t epoch = 0;
  std::int64_t high_watermark = 0;
  Errc fetch_error = Errc::none;  // to answer every partition with
  std::vector<protocol::ApiKey> seen;

  Leader() { log = &f.open(); }
  void lead(std::int32_t e) {
    epoch = e;
    REQUIRE(log->become_leader(e).ok());
  }
  void write(int first, int count = 1) {
    auto batch = make_batch(count, 1'700'000'000'000, 0, first);
    REQUIRE(log->append(batch).ok());
  }
  Errc check_epoch(std::int32_t current) const {
    if (current < 0) return Errc::none;
    if (current < epoch) return Errc::fenced_leader_epoch;
    if (current > epoch) return Errc::unknown_leader_epoch;
    return Errc::none;
  }

  Bytes answer(const FetcherRequest& request) {
    seen.push_back(request.key);
    if (request.key == protocol::ApiKey::offsets_for_leader_epoch) {
      auto req = protocol::decode_offsets_for_leader_epoch_request(request.body, request.version);
      REQUIRE(req.ok());
      protocol::OffsetsForLeaderEpochResponse resp;
      for (const auto& t : req->topics) {
        resp.topics.push_back({t.name, {}});
        for (const auto& p : t.partitions) {
          protocol::OffsetsForLeaderEpochPartitionResponse r;
          r.partition = p.partition;
          r.error = check_epoch(p.current_leader_epoch);
          if (r.error == Errc::none) {
            auto end = log->end_offset_for_epoch(p.leader_epoch);
            r.leader_epoch = end.epoch;
            r.end_offset = end.end_offset;
          }
          resp.topics.back().partitions.push_back(r);
        }
      }
      return protocol::encode_offsets_for_leader_epoch_response(resp, request.version);
    }
    REQUIRE(request.key == protocol::ApiKey::fetch);
    auto req = protocol::decode_fetch_request(request.body, request.version);
    REQUIRE(req.ok());
    CHECK(req->replica_id == 2);
    protocol::FetchResponse resp;
    std::vector<Bytes> keep;  // the records' bytes must outlive the encoding
    keep.reserve(8);
    for (const auto& t : req->topics) {
      resp.topics.push_back({t.name, {}});
      for (const auto& p : t.partitions) {
        protocol::FetchPartitionResponse r;
        r.partition = p.partition;
        r.error = fetch_error != Errc::none ? fetch_error : check_epoch(p.current_leader_epoch);
        r.high_watermark = high_watermark;
        r.log_start_offset = log->log_start_offset();
        if (r.error == Errc::none && p.fetch_offset > log->log_end_offset()) r.error = Errc::offset_out_of_range;
        if (r.error == Errc::none) {
          auto range = log->read(p.fetch_offset, static_cast<std::uint64_t>(p.partition_max_bytes));
          REQUIRE(range.ok());
          auto bytes = range->read();
          REQUIRE(bytes.ok());
          keep.push_back(std::move(*bytes));
          r.records = ByteSpan(keep.back());
        }
        resp.topics.back().partitions.push_back(r);
      }
    }
    protocol::OutMessage out;
    protocol::encode_fetch_response(resp, request.version, out);
    auto flat = out.flatten();
    REQUIRE(flat.ok());
    return std::move(*flat);
  }
};

// The follower's logs, as the fetcher reaches them.
struct Follower : replication::Replicas {
  LogFixture f;
  log::Log* own = nullptr;
  std::vector<std::int64_t> hw_changes;
  Follower() { own = &f.open(); }
  log::Log* log(const std::string& topic, std::int32_t partition) override {
    return topic == kTopic && partition == 0 ? own : nullptr;
  }
  void high_watermark_changed(const std::string&, std::int32_t, std::int64_t hw) override { hw_changes.push_back(hw); }
  void write_as_leader(std::int32_t epoch, int first) {
    REQUIRE(own->become_leader(epoch).ok());
    auto batch = make_batch(1, 1'700'000'000'000, 0, first);
    REQUIRE(own->append(batch).ok());
    own->become_follower();
  }
};

replication::FetcherOptions options() {
  replication::FetcherOptions o;
  o.replica_id = 2;
  o.partition_max_bytes = 200;  // a few batches per fetch: several rounds
  return o;
}

// Runs `rounds` request/answer rounds (fewer if there is nothing to send).
void run(ReplicaFetcher& fetcher, Leader& leader, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    auto request = fetcher.next_request(0);
    if (!request) return;
    fetcher.on_response(leader.answer(*request), 0);
  }
}

// Rounds until the follower's log is as long as the leader's.
void catch_up(ReplicaFetcher& fetcher, Leader& leader, Follower& follower) {
  for (int i = 0; i < 100 && follower.own->log_end_offset() < leader.log->log_end_offset(); ++i) {
    auto request = fetcher.next_request(0);
    REQUIRE(request.has_value());
    fetcher.on_response(leader.answer(*request), 0);
  }
  REQUIRE(follower.own->log_end_offset() == leader.log->log_end_offset());
}

Bytes all_bytes(const log::Log& l) {
  Bytes out;
  for (const auto& [offset, value] : read_all(l, 0)) out.insert(out.end(), as_bytes(value).begin(), as_bytes(value).end());
  return out;
}

std::vector<std::string> values(const log::Log& l) {
  std::vector<std::string> out;
  for (const auto& [offset, value] : read_all(l, 0)) out.push_back(value);
  return out;
}

}  // namespace

TEST_CASE("a replica fetcher copies its leader's log exactly and learns the high watermark", "[ch04][replication]") {
  Leader leader;
  leader.lead(0);
  for (int i = 0; i < 6; ++i) leader.write(i * 2, 2);
  leader.lead(3);
  for (int i = 6; i < 10; ++i) leader.write(i * 2, 2);
  leader.high_watermark = 15;

  Follower follower;
  ReplicaFetcher fetcher(follower, options());
  fetcher.set_partition(kTopic, 0, 3, 0);
  catch_up(fetcher, leader, follower);
  // A new follower with an empty log has no epoch to ask about: it fetches at once.
  CHECK(leader.seen.front() == protocol::ApiKey::fetch);
  CHECK(leader.seen.size() > 2);  // 200-byte fetches: several rounds
  CHECK(values(*follower.own) == values(*leader.log));
  CHECK(all_bytes(*follower.own) == all_bytes(*leader.log));
  const auto leader_epochs = leader.log->leader_epochs().entries();
  const auto follower_epochs = follower.own->leader_epochs().entries();
  CHECK(std::vector<log::EpochEntry>(follower_epochs.begin(), follower_epochs.end()) ==
        std::vector<log::EpochEntry>(leader_epochs.begin(), leader_epochs.end()));
  // The HW is the leader's, but never past what the follower has.
  REQUIRE_FALSE(follower.hw_changes.empty());
  for (auto hw : follower.hw_changes) CHECK(hw <= 15);
  CHECK(fetcher.status(kTopic, 0)->high_watermark == 15);
  CHECK(fetcher.status(kTopic, 0)->state == State::fetching);
}

TEST_CASE("a replica fetcher cuts the records its new leader overwrote before copying", "[ch04][replication]") {
  // KIP-101 scenario 2 through the fetcher: the follower (an old leader) has m0 (epoch 0,
  // copied by the new leader) and m1 (epoch 0, never copied); the new leader wrote m2 at
  // offset 1 in epoch 1.
  Leader leader;
  Follower follower;
  follower.write_as_leader(0, 0);
  leader.lead(0);
  leader.write(0);
  follower.write_as_leader(0, 1);
  leader.lead(1);
  leader.write(2);
  leader.high_watermark = 2;

  ReplicaFetcher fetcher(follower, options());
  fetcher.set_partition(kTopic, 0, 1, 2);
  auto first = fetcher.next_request(0);
  REQUIRE(first.has_value());
  CHECK(first->key == protocol::ApiKey::offsets_for_leader_epoch);  // ask before fetching
  fetcher.on_response(leader.answer(*first), 0);
  CHECK(follower.own->log_end_offset() == 1);  // m1 is gone
  CHECK(fetcher.status(kTopic, 0)->high_watermark == 1);
  catch_up(fetcher, leader, follower);
  CHECK(values(*follower.own) == std::vector<std::string>{"value-0", "value-2"});
}

TEST_CASE("a fenced replica fetcher waits for a newer epoch from the controller", "[ch04][replication]") {
  Leader leader;
  leader.lead(7);
  leader.write(0);
  Follower follower;
  ReplicaFetcher fetcher(follower, options());
  fetcher.set_partition(kTopic, 0, 5, 0);  // our view of the partition is two epochs old
  auto request = fetcher.next_request(0);
  REQUIRE(request.has_value());
  fetcher.on_response(leader.answer(*request), 0);
  CHECK(fetcher.status(kTopic, 0)->state == State::fenced);
  CHECK_FALSE(fetcher.next_request(1'000'000).has_value());  // not even after any backoff
  CHECK(follower.own->log_end_offset() == 0);
  fetcher.set_partition(kTopic, 0, 7, 0);  // the controller's LeaderAndIsr catches up
  catch_up(fetcher, leader, follower);
}

TEST_CASE("a replica fetcher backs off after errors and lost requests", "[ch04][replication]") {
  Leader leader;
  leader.lead(0);
  leader.write(0);
  Follower follower;
  ReplicaFetcher fetcher(follower, options());
  fetcher.set_partition(kTopic, 0, 0, 0);

  // A leader that has not taken over yet is asked again soon…
  leader.fetch_error = Errc::not_leader_or_follower;
  auto request = fetcher.next_request(980);
  REQUIRE(request.has_value());
  fetcher.on_response(leader.answer(*request), 980);
  CHECK(fetcher.next_retry_ms() == 980 + ReplicaFetcher::kLeaderCatchUpBackoffMs);
  CHECK_FALSE(fetcher.next_request(999).has_value());
  // … any other error waits the whole backoff.
  leader.fetch_error = Errc::kafka_storage_error;
  request = fetcher.next_request(1'000);
  REQUIRE(request.has_value());
  fetcher.on_response(leader.answer(*request), 1'000);
  CHECK(fetcher.next_retry_ms() == 2'000);
  CHECK_FALSE(fetcher.next_request(1'999).has_value());
  request = fetcher.next_request(2'000);
  REQUIRE(request.has_value());
  CHECK(fetcher.in_flight());
  CHECK_FALSE(fetcher.next_request(2'000).has_value());  // one request at a time
  fetcher.on_failure(make_error(Errc::request_timed_out, "no answer"), 32'000);
  CHECK(fetcher.status(kTopic, 0)->last_error->code == Errc::request_timed_out);
  CHECK_FALSE(fetcher.next_request(32'999).has_value());

  leader.fetch_error = Errc::none;
  request = fetcher.next_request(33'000);
  REQUIRE(request.has_value());
  fetcher.on_response(leader.answer(*request), 33'000);
  CHECK(follower.own->log_end_offset() == 1);
  CHECK_FALSE(fetcher.status(kTopic, 0)->last_error.has_value());
}

TEST_CASE("a replica fetcher drops an answer about an epoch it has left", "[ch04][replication]") {
  Leader leader;
  leader.lead(0);
  leader.write(0);
  Follower follower;
  ReplicaFetcher fetcher(follower, options());
  fetcher.set_partition(kTopic, 0, 0, 0);
  auto request = fetcher.next_request(0);
  REQUIRE(request.has_value());
  auto answer = leader.answer(*request);
  // While the fetch was out, the controller moved the partition to epoch 1.
  fetcher.set_partition(kTopic, 0, 1, 0);
  fetcher.on_response(answer, 0);
  CHECK(follower.own->log_end_offset() == 0);  // nothing appended from the stale answer
  CHECK(fetcher.status(kTopic, 0)->state == State::truncating);
  CHECK_FALSE(fetcher.in_flight());
}

TEST_CASE("a replica fetcher whose leader lost records finds the divergence again", "[ch04][replication]") {
  // The follower has three records of epoch 0; the leader (elected uncleanly, or after the
  // follower's own term) has only one and has moved on to epoch 2 with none written yet.
  Leader leader;
  leader.lead(0);
  leader.write(0);
  Follower follower;
  ReplicaFetcher fetcher(follower, options());
  fetcher.set_partition(kTopic, 0, 0, 0);
  catch_up(fetcher, leader, follower);
  follower.write_as_leader(0, 1);
  follower.write_as_leader(0, 2);
  leader.lead(2);
  // The fetcher still fetches at epoch 0 and is fenced; the controller then says epoch 2.
  fetcher.set_partition(kTopic, 0, 2, 1);
  run(fetcher, leader, 3);
  CHECK(follower.own->log_end_offset() == 1);
  CHECK(values(*follower.own) == values(*leader.log));
  CHECK(fetcher.status(kTopic, 0)->state == State::fetching);
}
