// generated from tests/integration/kafkajs_client.js; edit there
// tests/integration/kafkajs_client.js — kafkajs (npm) produces to the broker.
//
// Run by real_clients.py --client kafkajs: creates a 3-partition topic with the admin
// client, produces keyed records with acks=-1 and explicit timestamps, asks for the
// latest offsets and the offsets for a timestamp, and prints everything as JSON for the
// Python side to check against what it consumes. (kafkajs has no consumer without
// consumer groups, which arrive in chapter 3; reading back is done with librdkafka.)
const { Kafka, logLevel } = require('kafkajs');

const [broker, topic, count, base] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const kafka = new Kafka({ clientId: 'streamcraft-it', brokers: [broker], logLevel: logLevel.NOTHING });

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < count; i++) messages.push({ key: `k${i % 6}`, value: `v${i}`, timestamp: String(base + i * 1000) });
  const sent = await producer.send({ topic, acks: -1, messages });
  const latest = await admin.fetchTopicOffsets(topic);
  const byTimestamp = await admin.fetchTopicOffsetsByTimestamp(topic, base + 30000);
  await producer.disconnect();
  await admin.disconnect();
  console.log(JSON.stringify({ created, sent, latest, byTimestamp }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
