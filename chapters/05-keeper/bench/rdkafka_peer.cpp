// generated from final/bench/rdkafka_peer.cpp; edit there
// bench/rdkafka_peer.cpp — librdkafka runs for the broker benchmark (see the header).
#include "bench/rdkafka_peer.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace streamcraft::bench {

namespace {

using Stopwatch = std::chrono::steady_clock;

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
using Handle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

struct Delivery {
  std::size_t delivered = 0;
  std::string first_error;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Delivery*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && d->first_error.empty()) d->first_error = rd_kafka_err2str(m->err);
  ++d->delivered;
}

// Creates a client; on failure returns nullptr and sets `error`.
Handle make_client(rd_kafka_type_t type, const std::string& bootstrap,
                   const std::vector<std::pair<std::string, std::string>>& settings, Delivery* delivery,
                   std::string& error) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) error = errstr;
  };
  set("bootstrap.servers", bootstrap);
  set("log_level", "3");  // errors only: the run's progress is ours to print
  for (const auto& [k, v] : settings) set(k, v);
  if (delivery) {
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, delivery);
  }
  if (!error.empty()) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  // rd_kafka_new takes ownership of conf only when it succeeds.
  Handle rk(rd_kafka_new(type, conf, errstr, sizeof errstr));
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    error = errstr;
  }
  return rk;
}

}  // namespace

bool rdkafka_available() { return true; }

RdkafkaRun rdkafka_produce(const std::string& bootstrap, const std::string& topic, std::int32_t partitions,
                           std::size_t total, std::size_t value_size, bool idempotent) {
  RdkafkaRun run;
  Delivery delivery;
  // librdkafka's own batching defaults (linger.ms=5, batch.size=1000000) stay as they
  // are; only the queue is made deep enough to keep every partition's batches full.
  std::vector<std::pair<std::string, std::string>> settings = {
      {"queue.buffering.max.messages", "1000000"}, {"queue.buffering.max.kbytes", "1048576"}};
  if (idempotent) {
    settings.emplace_back("enable.idempotence", "true");  // implies acks=all
  } else {
    settings.emplace_back("acks", "1");
  }
  auto rk = make_client(RD_KAFKA_PRODUCER, bootstrap, settings, &delivery, run.error);
  if (!rk) return run;
  TopicHandle rkt(rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr));
  const std::string value(value_size, 'x');
  auto start = Stopwatch::now();
  for (std::size_t i = 0; i < total;) {
    const auto partition = static_cast<std::int32_t>(i % static_cast<std::size_t>(partitions));
    if (rd_kafka_produce(rkt.get(), partition, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()), value.size(),
                         nullptr, 0, nullptr) == 0) {
      ++i;
      continue;
    }
    if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      run.error = rd_kafka_err2str(rd_kafka_last_error());
      return run;
    }
    rd_kafka_poll(rk.get(), 1);  // the queue is full: serve delivery reports, then retry
  }
  if (rd_kafka_flush(rk.get(), 60'000) != RD_KAFKA_RESP_ERR_NO_ERROR) run.error = "flush timed out after 60 s";
  run.seconds = std::chrono::duration<double>(Stopwatch::now() - start).count();
  if (run.error.empty() && !delivery.first_error.empty()) run.error = delivery.first_error;
  if (run.error.empty() && delivery.delivered != total) run.error = "not every record got a delivery report";
  return run;
}

RdkafkaRun rdkafka_consume(const std::string& bootstrap, const std::string& topic, std::size_t count) {
  RdkafkaRun run;
  // The simple consumer needs no group; it must not try to commit offsets either.
  auto rk = make_client(RD_KAFKA_CONSUMER, bootstrap,
                        {{"enable.auto.commit", "false"}, {"enable.partition.eof", "false"}}, nullptr, run.error);
  if (!rk) return run;
  TopicHandle rkt(rd_kafka_topic_new(rk.get(), topic.c_str(), nullptr));
  auto start = Stopwatch::now();
  if (rd_kafka_consume_start(rkt.get(), 0, RD_KAFKA_OFFSET_BEGINNING) != 0) {
    run.error = rd_kafka_err2str(rd_kafka_last_error());
    return run;
  }
  std::vector<rd_kafka_message_t*> messages(10'000);
  std::size_t got = 0;
  int idle = 0;
  while (got < count && idle < 30) {  // give up after 30 empty seconds
    auto n = rd_kafka_consume_batch(rkt.get(), 0, 1000, messages.data(), messages.size());
    if (n < 0) {
      run.error = rd_kafka_err2str(rd_kafka_last_error());
      break;
    }
    idle = n == 0 ? idle + 1 : 0;
    for (ssize_t i = 0; i < n; ++i) {
      if (messages[static_cast<std::size_t>(i)]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++got;
      } else if (run.error.empty()) {
        run.error = rd_kafka_err2str(messages[static_cast<std::size_t>(i)]->err);
      }
      rd_kafka_message_destroy(messages[static_cast<std::size_t>(i)]);
    }
  }
  run.seconds = std::chrono::duration<double>(Stopwatch::now() - start).count();
  rd_kafka_consume_stop(rkt.get(), 0);
  if (run.error.empty() && got < count) run.error = "consumed only " + std::to_string(got) + " records";
  return run;
}

}  // namespace streamcraft::bench
