// generated from tests/integration/kafkajs_group_consumer.js; edit there
// tests/integration/kafkajs_group_consumer.js — a kafkajs consumer in a consumer group.
//
// Run by real_clients.py --client groups-kafkajs:
//
//   node kafkajs_group_consumer.js BROKER TOPIC GROUP EXPECTED IDLE_MS [MAX_BYTES]
//
// MAX_BYTES, when given, is the consumer's maxBytes (kafkajs' fetch.max.bytes, with
// maxBytesPerPartition set above it), and records then carry their value's length
// instead of the value itself (the large-records scenario).
//
// Joins GROUP (kafkajs' own JoinGroup/SyncGroup/Heartbeat and its round-robin assigner),
// reads TOPIC from the committed offsets (from the beginning where nothing is committed),
// commits after every record (autoCommit off: commitOffsets with the next offset), and
// stops once it has EXPECTED records and nothing more arrived for IDLE_MS after joining —
// or after 40 s in any case. Disconnecting leaves the group. Prints one JSON line: the
// group join (generation, member, assignment) and every record read.
const { Kafka, logLevel } = require('kafkajs');

const [broker, topic, groupId] = process.argv.slice(2, 5);
const [expected, idleMs] = [Number(process.argv[5]), Number(process.argv[6])];
const maxBytes = process.argv[7] ? Number(process.argv[7]) : null;
const limits = maxBytes ? { maxBytes, maxBytesPerPartition: 20 * maxBytes } : {};
const kafka = new Kafka({
  clientId: 'streamcraft-it-group',
  brokers: [broker],
  logLevel: logLevel.ERROR,
  logCreator: () => ({ level, log }) => console.error(`[kafkajs ${level}] ${log.message} ${JSON.stringify(log)}`),
  retry: { retries: 3 },
});

async function main() {
  const started = Date.now();
  const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 1000, rebalanceTimeout: 10000,
                                    maxWaitTimeInMs: 200, ...limits });
  let joined = null;
  let crashed = null;
  let lastActivity = Date.now();
  consumer.on(consumer.events.GROUP_JOIN, (e) => { joined = e.payload; lastActivity = Date.now(); });
  consumer.on(consumer.events.CRASH, (e) => { crashed = e.payload.error; });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const records = [];
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const value = maxBytes ? { valueBytes: message.value.length } : { value: message.value.toString() };
      records.push({ partition, offset: Number(message.offset), key: message.key.toString(), ...value });
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      lastActivity = Date.now();
    },
  });
  const deadline = started + 40000;
  while (Date.now() < deadline && !crashed &&
         !(joined && records.length >= expected && Date.now() - lastActivity >= idleMs)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await consumer.disconnect();
  if (crashed) throw crashed;
  console.log(JSON.stringify({ joined, records, seconds: (Date.now() - started) / 1000 }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
