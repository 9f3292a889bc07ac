// generated from tests/integration/kafkajs_failover.js; edit there
// tests/integration/kafkajs_failover.js — kafkajs (npm) produces through a leader's crash.
//
// Run by failover.py --client kafkajs:
//   node kafkajs_failover.js BROKERS TOPIC MAX_RECORDS SECONDS PACE_MS
// An idempotent producer (idempotent: true, one request in flight) sends record i with
// value "v<i>" to partition i % 3 with acks=-1, one record at a time at a steady pace,
// and prints "ack <partition> <offset> <value>" for each acknowledged record and
// "err <value> <error>" for each one it gave up on. It stops when its stdin closes, after
// MAX_RECORDS records or after SECONDS seconds, whichever comes first. kafkajs finds the
// new leader by itself: a NOT_LEADER_FOR_PARTITION or a lost connection refreshes its
// metadata, and the send is retried.
const { Kafka, logLevel } = require('kafkajs');

const [brokers, topic, max, seconds, pace] = [process.argv[2].split(','), process.argv[3], Number(process.argv[4]),
  Number(process.argv[5]), Number(process.argv[6])];
const kafka = new Kafka({
  clientId: 'streamcraft-failover', brokers, logLevel: logLevel.NOTHING,
  connectionTimeout: 1000, requestTimeout: 5000, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
});

let stopping = false;
process.stdin.on('end', () => { stopping = true; });
process.stdin.on('error', () => { stopping = true; });
process.stdin.resume();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const deadline = Date.now() + seconds * 1000;
  for (let i = 0; i < max && !stopping && Date.now() < deadline; i++) {
    const value = `v${i}`;
    const partition = i % 3;
    try {
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ value, partition }] });
      process.stdout.write(`ack ${meta.partition} ${meta.baseOffset} ${value}\n`);
    } catch (e) {
      process.stdout.write(`err ${value} ${String(e.message || e).replace(/\n/g, ' ')}\n`);
    }
    await sleep(pace);
  }
  await producer.disconnect();
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
