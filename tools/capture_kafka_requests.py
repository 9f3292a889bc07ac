#!/usr/bin/python3
"""Capture golden Kafka protocol REQUEST frames sent by real Kafka clients.

Role: test-data tooling for Streamcraft (chapter 2 codec tests).  This is NOT
part of the Streamcraft broker.  It runs a small fake Kafka broker on
127.0.0.1 that answers ApiVersions, Metadata, Produce, Fetch, ListOffsets,
CreateTopics and DeleteTopics well enough (non-flexible versions only) for
four real clients to get through a short scenario each, and saves the first
request of every distinct (client, api_key, api_version) as the complete
frame, int32 size prefix included:

    tests/data/protocol/<client>-<api>-v<version>.bin

Clients: kcat (librdkafka), python3-confluent-kafka (librdkafka),
python3-kafka (kafka-python) and kafkajs 2.2.4 installed by npm into
/tmp/kafkajs-capture.  Client programs that are missing are skipped.

    /usr/bin/python3 tools/capture_kafka_requests.py capture
    /usr/bin/python3 tools/capture_kafka_requests.py decode tests/data/protocol/kcat-fetch-v11.bin

`capture` refuses to overwrite existing files unless given --force, because
the committed frames contain wall-clock timestamps (inside record batches,
ListOffsets-by-time) and would change on every run.
"""
import os
import select
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from capture_kafka_batches import Handler as BatchHandler, Reader, karray, kstr  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "tests" / "data" / "protocol"
KCAT = "/usr/bin/kcat"
PYTHON = "/usr/bin/python3"
NODE = "/usr/bin/node"
KAFKAJS_DIR = Path("/tmp/kafkajs-capture")
TOPIC = "golden"
ADMIN_TOPIC = "golden-admin"
PARTITIONS = 2

API_NAMES = {0: "produce", 1: "fetch", 2: "listoffsets", 3: "metadata",
             18: "apiversions", 19: "createtopics", 20: "deletetopics"}
# First flexible version (request header v2: tagged fields after client_id).
FIRST_FLEXIBLE = {0: 9, 1: 12, 2: 6, 3: 9, 18: 3, 19: 5, 20: 4}
# (api_key, min, max) we advertise; all below the first flexible version.
# Produce starts at 0 so that librdkafka enables compression (see
# capture_kafka_batches.py).
API_TABLE = [(0, 0, 7), (1, 4, 11), (2, 0, 2), (3, 0, 5), (18, 0, 2),
             (19, 0, 4), (20, 0, 3)]
UNSUPPORTED_VERSION = 35
UNKNOWN_TOPIC_OR_PARTITION = 3
MAX_FETCH_WAIT = 0.5  # seconds; caps the long poll of an empty Fetch


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def uvarint(r):
    shift = value = 0
    while True:
        b = r.take(1)[0]
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value


def parse_header(frame):
    """Parse size + request header of a complete frame.  Returns a dict."""
    r = Reader(frame)
    h = {"size": r.unpack("i")}
    h["api_key"], h["api_version"] = r.unpack("h"), r.unpack("h")
    h["correlation_id"] = r.unpack("i")
    h["client_id"] = r.string()
    flexible = h["api_version"] >= FIRST_FLEXIBLE.get(h["api_key"], 1 << 15)
    h["header_version"] = 2 if flexible else 1
    if flexible:
        for _ in range(uvarint(r)):  # tagged fields: tag, size, data
            uvarint(r)
            r.take(uvarint(r))
    h["header_length"] = r.pos - 4
    h["body_length"] = len(frame) - r.pos
    return h


# ----------------------------------------------------------------- fake broker
class Partition:
    def __init__(self):
        self.batches = []  # (base_offset, batch bytes with baseOffset set)
        self.end = 0  # log end offset == high watermark (single replica)


class CaptureBroker(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, out_dir):
        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        self.out_dir = out_dir
        self.lock = threading.Lock()
        self.client = self.scenario = "?"
        self.saved = {}   # (client, key, version) -> info dict
        self.log = []     # every request seen: dicts
        self.logs = {}    # (topic, partition) -> Partition
        self.deleted = set()
        self.conn_seq = 0

    def partition(self, topic, index):
        return self.logs.setdefault((topic, index), Partition())

    def record(self, conn, frame, pipelined):
        """Log one request; save it if it is the first of its kind."""
        h = parse_header(frame)
        with self.lock:
            entry = dict(h, client=conn.client, scenario=conn.scenario,
                         conn=conn.conn, pipelined=pipelined,
                         body=frame[4 + h["header_length"]:])
            self.log.append(entry)
            key = (conn.client, h["api_key"], h["api_version"])
            name = API_NAMES.get(h["api_key"])
            if name is None or key in self.saved:
                return entry
            path = self.out_dir / f"{conn.client}-{name}-v{h['api_version']}.bin"
            path.write_bytes(frame)
            self.saved[key] = dict(entry, path=path)
            return entry


class Handler(BatchHandler):
    """Reuses the batch capturer's framing (recv_exact); answers more APIs."""

    def handle(self):
        # A connection belongs to the scenario that was running when the
        # client opened it (scenarios run one after the other).
        with self.server.lock:
            self.server.conn_seq += 1
            self.conn = self.server.conn_seq
            self.client, self.scenario = self.server.client, self.server.scenario
        self.queued = False  # next request arrived before our last reply
        try:
            while True:
                prefix = self.recv_exact(4)
                frame = prefix + self.recv_exact(struct.unpack(">i", prefix)[0])
                entry = self.server.record(self, frame, self.queued)
                self.queued = False
                self.dispatch(entry, Reader(frame, 4 + entry["header_length"]))
        except (EOFError, ConnectionError):
            pass

    def reply(self, corr, body):
        # Before answering: are bytes of the client's next request already
        # waiting?  Then the client pipelined it (did not wait for us).
        # (Peek, because a closed connection is "readable" too.)
        ready, _, _ = select.select([self.request], [], [], 0)
        if ready:
            try:
                peek = self.request.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except (BlockingIOError, ConnectionError):
                peek = b""
            self.queued = bool(peek)
        msg = i32(corr) + body  # response header v0
        self.request.sendall(i32(len(msg)) + msg)

    def dispatch(self, h, r):
        key, ver, corr = h["api_key"], h["api_version"], h["correlation_id"]
        handler = {18: self.api_versions, 3: self.metadata, 0: self.produce,
                   1: self.fetch, 2: self.list_offsets, 19: self.create_topics,
                   20: self.delete_topics}.get(key)
        if handler is None or (key != 18 and ver >= FIRST_FLEXIBLE[key]):
            print(f"fake broker: unsupported api_key={key} v{ver}; closing",
                  file=sys.stderr)
            raise EOFError
        body = handler(r, ver)
        if body is not None:
            self.reply(corr, body)

    # -- ApiVersions (18)
    def api_versions(self, r, ver):
        table = karray([struct.pack(">hhh", *e) for e in API_TABLE])
        if ver > 2:
            # Unsupported (flexible) version: answer in the v0 format with
            # UNSUPPORTED_VERSION, as Apache Kafka does; clients retry lower.
            return i16(UNSUPPORTED_VERSION) + table
        return i16(0) + table + (i32(0) if ver >= 1 else b"")

    # -- Metadata (3), v0-v5
    def metadata(self, r, ver):
        n = r.unpack("i")  # v0: empty = all; v1+: -1 (null) = all, 0 = none
        names = [r.string() for _ in range(max(n, 0))]
        if n < 0 or (ver == 0 and n == 0):
            names = [TOPIC]
        broker = i32(0) + kstr("127.0.0.1") + i32(self.server.port)
        if ver >= 1:
            broker += kstr(None)  # rack
        body = i32(0) if ver >= 3 else b""  # throttle_time_ms
        body += karray([broker])
        if ver >= 2:
            body += kstr("streamcraft-capture")  # cluster_id
        if ver >= 1:
            body += i32(0)  # controller_id
        replicas = karray([i32(0)])
        topics = []
        for name in names:
            if name in self.server.deleted:
                err, parts = UNKNOWN_TOPIC_OR_PARTITION, []
            else:
                err, parts = 0, []
                for index in range(PARTITIONS):
                    p = i16(0) + i32(index) + i32(0) + replicas + replicas
                    if ver >= 5:
                        p += karray([])  # offline_replicas
                    parts.append(p)
            t = i16(err) + kstr(name) + (b"\x00" if ver >= 1 else b"")
            topics.append(t + karray(parts))
        return body + karray(topics)

    # -- Produce (0), v0-v7 (only magic 2 batches are stored)
    def produce(self, r, ver):
        if ver >= 3:
            r.string()  # transactional_id
        acks, _timeout = r.unpack("h"), r.unpack("i")
        results = []
        for _ in range(r.unpack("i")):
            topic, parts = r.string(), []
            for _ in range(r.unpack("i")):
                index, records = r.unpack("i"), r.bytes_()
                base = self.append(topic, index, records or b"")
                p = struct.pack(">ihq", index, 0, base)
                if ver >= 2:
                    p += i64(-1)  # log_append_time: CreateTime
                if ver >= 5:
                    p += i64(0)  # log_start_offset
                parts.append(p)
            results.append(kstr(topic) + karray(parts))
        if acks == 0:
            return None  # the client expects no response
        return karray(results) + (i32(0) if ver >= 1 else b"")

    def append(self, topic, index, records):
        with self.server.lock:
            part = self.server.partition(topic, index)
            base, pos = part.end, 0
            while pos + 61 <= len(records):  # one or more RecordBatch v2
                length = struct.unpack_from(">i", records, pos + 8)[0] + 12
                batch = bytearray(records[pos:pos + length])
                if batch[16] == 2:
                    last_delta = struct.unpack_from(">i", batch, 23)[0]
                    struct.pack_into(">q", batch, 0, part.end)  # outside CRC
                    part.batches.append((part.end, bytes(batch)))
                    part.end += last_delta + 1
                pos += length
            return base

    # -- Fetch (1), v4-v11
    def fetch(self, r, ver):
        r.unpack("i")  # replica_id
        max_wait, _min_bytes = r.unpack("i"), r.unpack("i")
        r.unpack("i")  # max_bytes (v3+)
        r.unpack("b")  # isolation_level (v4+)
        if ver >= 7:
            r.unpack("i"), r.unpack("i")  # session_id, session_epoch
        wanted = []
        for _ in range(r.unpack("i")):
            topic = r.string()
            for _ in range(r.unpack("i")):
                index = r.unpack("i")
                if ver >= 9:
                    r.unpack("i")  # current_leader_epoch
                offset = r.unpack("q")
                if ver >= 5:
                    r.unpack("q")  # log_start_offset
                r.unpack("i")  # partition_max_bytes
                wanted.append((topic, index, offset))
        # forgotten_topics_data (v7+) and rack_id (v11+) are ignored.
        got_data = False
        by_topic = {}
        for topic, index, offset in wanted:
            with self.server.lock:
                part = self.server.partition(topic, index)
                hw = part.end
                records = b""
                for base, batch in part.batches:
                    last = base + struct.unpack_from(">i", batch, 23)[0]
                    if last >= offset:  # first batch containing offset
                        records = batch
                        break
            got_data = got_data or bool(records)
            p = i32(index) + i16(0) + i64(hw)
            p += i64(hw)  # last_stable_offset (v4+)
            if ver >= 5:
                p += i64(0)  # log_start_offset
            p += i32(-1)  # aborted_transactions: null
            if ver >= 11:
                p += i32(-1)  # preferred_read_replica
            p += i32(len(records)) + records
            by_topic.setdefault(topic, []).append(p)
        if not got_data:  # long poll, bounded so clients neither spin nor hang
            time.sleep(min(max_wait / 1000.0, MAX_FETCH_WAIT))
        body = i32(0)  # throttle_time_ms
        if ver >= 7:
            body += i16(0) + i32(0)  # error_code, session_id
        return body + karray([kstr(t) + karray(ps) for t, ps in by_topic.items()])

    # -- ListOffsets (2), v0-v2
    def list_offsets(self, r, ver):
        r.unpack("i")  # replica_id
        if ver >= 2:
            r.unpack("b")  # isolation_level
        topics = []
        for _ in range(r.unpack("i")):
            topic, parts = r.string(), []
            for _ in range(r.unpack("i")):
                index, ts = r.unpack("i"), r.unpack("q")
                if ver == 0:
                    r.unpack("i")  # max_num_offsets
                offset, found_ts = self.lookup(topic, index, ts)
                p = i32(index) + i16(0)
                if ver == 0:
                    p += karray([i64(offset)])  # old_style_offsets
                else:
                    p += i64(found_ts) + i64(offset)
                parts.append(p)
            topics.append(kstr(topic) + karray(parts))
        return (i32(0) if ver >= 2 else b"") + karray(topics)

    def lookup(self, topic, index, ts):
        with self.server.lock:
            part = self.server.partition(topic, index)
            if ts == -2:
                return 0, -1  # earliest
            if ts == -1:
                return part.end, -1  # latest
            for base, batch in part.batches:
                if struct.unpack_from(">q", batch, 35)[0] >= ts:  # maxTimestamp
                    return base, struct.unpack_from(">q", batch, 27)[0]
            return -1, -1  # no record at or after ts

    # -- CreateTopics (19), v0-v4
    def create_topics(self, r, ver):
        names = []
        for _ in range(r.unpack("i")):
            name = r.string()
            r.unpack("i"), r.unpack("h")  # num_partitions, replication_factor
            for _ in range(r.unpack("i")):  # assignments
                r.unpack("i")
                for _ in range(r.unpack("i")):
                    r.unpack("i")
            for _ in range(r.unpack("i")):  # configs
                r.string(), r.string()
            names.append(name)
        r.unpack("i")  # timeout_ms
        if ver >= 1:
            r.unpack("b")  # validate_only
        with self.server.lock:
            self.server.deleted.difference_update(names)
        results = [kstr(n) + i16(0) + (kstr(None) if ver >= 1 else b"")
                   for n in names]
        return (i32(0) if ver >= 2 else b"") + karray(results)

    # -- DeleteTopics (20), v0-v3
    def delete_topics(self, r, ver):
        names = [r.string() for _ in range(r.unpack("i"))]
        r.unpack("i")  # timeout_ms
        with self.server.lock:
            self.server.deleted.update(names)
        results = [kstr(n) + i16(0) for n in names]
        return (i32(0) if ver >= 1 else b"") + karray(results)


# --------------------------------------------------------------- client runs
CONFLUENT_SCRIPT = r'''
import sys
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, step = sys.argv[1], sys.argv[2]
if step == "produce":
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    p.produce("golden", key=b"ck1", value=b"from confluent-kafka", partition=0)
    assert p.flush(15) == 0, "message not delivered"
elif step == "consume":
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "golden-capture",
                  "enable.auto.commit": False})
    c.assign([TopicPartition("golden", 0, OFFSET_BEGINNING)])
    msg = None
    for _ in range(20):
        msg = c.poll(1.0)
        if msg is not None and not msg.error():
            break
    assert msg is not None and not msg.error(), msg
    print("consumed", msg.offset(), msg.key(), msg.value())
    c.close()
elif step == "admin":
    a = AdminClient({"bootstrap.servers": bootstrap})
    for f in a.create_topics([NewTopic("golden-admin", 1, 1)]).values():
        f.result(15)
    for f in a.delete_topics(["golden-admin"]).values():
        f.result(15)
'''

KAFKA_PYTHON_SCRIPT = r'''
import sys
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
bootstrap, step = sys.argv[1], sys.argv[2]
if step == "produce":
    p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    p.send("golden", key=b"pk1", value=b"from kafka-python", partition=0).get(timeout=15)
    p.flush(timeout=15)
    p.close(timeout=5)
elif step == "consume":
    c = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      enable_auto_commit=False)
    c.assign([TopicPartition("golden", 0)])
    records = {}
    for _ in range(20):
        records = c.poll(timeout_ms=1000, max_records=1)
        if records:
            break
    assert records, "nothing consumed"
    print("consumed", records)
    c.close()
elif step == "admin":
    a = KafkaAdminClient(bootstrap_servers=bootstrap)
    a.create_topics([NewTopic("golden-admin", 1, 1)], timeout_ms=15000)
    a.delete_topics(["golden-admin"], timeout_ms=15000)
    a.close()
'''

KAFKAJS_SCRIPT = r'''
const { Kafka, logLevel } = require("kafkajs");
const [bootstrap, step] = process.argv.slice(2);
const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.WARN });
async function main() {
  if (step === "produce") {
    const p = kafka.producer();
    await p.connect();
    await p.send({ topic: "golden", acks: -1,
                   messages: [{ key: "jk1", value: "from kafkajs", partition: 0 }] });
    await p.disconnect();
  } else if (step === "admin") {
    const a = kafka.admin();
    await a.connect();
    await a.createTopics({ topics: [{ topic: "golden-admin", numPartitions: 1,
                                      replicationFactor: 1 }] });
    console.log("offsets", JSON.stringify(await a.fetchTopicOffsets("golden")));
    await a.deleteTopics({ topics: ["golden-admin"] });
    await a.disconnect();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
'''


def scenarios(port, scratch):
    bs = f"127.0.0.1:{port}"
    kcat = [KCAT, "-b", bs]
    env_js = dict(os.environ, NODE_PATH=str(KAFKAJS_DIR / "node_modules"),
                  KAFKAJS_NO_PARTITIONER_WARNING="1")
    py = lambda script, step: [PYTHON, str(scratch / script), bs, step]  # noqa
    js = [NODE, str(scratch / "kafkajs_client.js"), bs]
    # (client, scenario label, argv, stdin, env, needs)
    return [
        ("kcat", "kcat -L", kcat + ["-L"], None, None, KCAT),
        ("kcat", "kcat -P -K : (2 keyed messages, partition 0)",
         kcat + ["-P", "-t", TOPIC, "-p", "0", "-K", ":"],
         "k1:hello\nk2:streamcraft\n", None, KCAT),
        ("kcat", "kcat -C -o beginning -c 1 -e",
         kcat + ["-C", "-t", TOPIC, "-p", "0", "-o", "beginning", "-c", "1", "-e"],
         None, None, KCAT),
        ("kcat", "kcat -C -o s@<ms> -c 1 -e",
         kcat + ["-C", "-t", TOPIC, "-p", "0", "-o",
                 f"s@{int(time.time() * 1000) - 3600_000}", "-c", "1", "-e"],
         None, None, KCAT),
        ("confluent", "Producer(acks=all).produce + flush",
         py("confluent_client.py", "produce"), None, None, "confluent_kafka"),
        ("confluent", "Consumer.assign(OFFSET_BEGINNING) + poll",
         py("confluent_client.py", "consume"), None, None, "confluent_kafka"),
        ("confluent", "AdminClient.create_topics + delete_topics",
         py("confluent_client.py", "admin"), None, None, "confluent_kafka"),
        ("kafkapython", "KafkaProducer(acks='all').send + flush",
         py("kafka_python_client.py", "produce"), None, None, "kafka"),
        ("kafkapython", "KafkaConsumer.assign + poll",
         py("kafka_python_client.py", "consume"), None, None, "kafka"),
        ("kafkapython", "KafkaAdminClient.create_topics + delete_topics",
         py("kafka_python_client.py", "admin"), None, None, "kafka"),
        ("kafkajs", "producer.send(acks=-1)", js + ["produce"], None, env_js,
         "kafkajs"),
        ("kafkajs", "admin.createTopics + fetchTopicOffsets + deleteTopics",
         js + ["admin"], None, env_js, "kafkajs"),
    ]


def available(need):
    if need == KCAT:
        return Path(KCAT).exists()
    if need == "kafkajs":
        return (KAFKAJS_DIR / "node_modules" / "kafkajs").is_dir()
    return subprocess.run([PYTHON, "-c", f"import {need}"],
                          capture_output=True).returncode == 0


def run_bounded(argv, stdin, env, timeout=45):
    """Run one client in its own process group; kill that group on timeout."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(stdin.encode() if stdin else b"", timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, _ = proc.communicate()
        return None, out.decode(errors="replace")
    return proc.returncode, out.decode(errors="replace")


def capture(force):
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    old = sorted(OUT_DIR.glob("*.bin"))
    if old and not force:
        sys.exit(f"{OUT_DIR} already holds {len(old)} .bin files; "
                 "re-run with --force to replace them")
    for p in old:
        p.unlink()
    server = CaptureBroker(OUT_DIR)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    failures = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp)
            (scratch / "confluent_client.py").write_text(CONFLUENT_SCRIPT)
            (scratch / "kafka_python_client.py").write_text(KAFKA_PYTHON_SCRIPT)
            (scratch / "kafkajs_client.js").write_text(KAFKAJS_SCRIPT)
            for client, label, argv, stdin, env, need in scenarios(server.port,
                                                                   scratch):
                if not available(need):
                    print(f"-- skip {client}: {need} not available")
                    continue
                with server.lock:
                    server.client, server.scenario = client, label
                print(f"-- {client}: {label}\n$ {' '.join(argv)}")
                rc, out = run_bounded(argv, stdin, env)
                if out.strip():
                    print("   " + out.strip().replace("\n", "\n   "))
                if rc != 0:
                    failures.append(f"{client}: {label}: rc={rc}")
                    print(f"   !! exit status {rc}")
                time.sleep(0.3)  # let the broker finish the last connection
    finally:
        server.shutdown()
        server.server_close()
    print("\nrequests seen (client conn corr key v client_id):")
    for e in server.log:
        print(f"  {e['client']:11s} conn {e['conn']:2d} corr "
              f"{e['correlation_id']:3d} "
              f"{API_NAMES.get(e['api_key'], e['api_key'])} v{e['api_version']}"
              f" {e['client_id']!r} {e['size'] + 4}B"
              f"{'  (pipelined: sent before the previous reply)' if e['pipelined'] else ''}")
        if e["api_key"] in (1, 2, 3, 19, 20):  # body start, for the notes
            print(f"      body[:40] {e['body'][:40].hex()}")
    print("\nsaved:")
    for (client, key, ver), e in sorted(server.saved.items()):
        verify(e["path"])
        print(f"  {e['path'].relative_to(ROOT)}  {e['path'].stat().st_size} bytes"
              f"  corr={e['correlation_id']} client_id={e['client_id']!r}"
              f"  [{e['scenario']}]")
    if failures:
        print("\nscenario failures:\n  " + "\n  ".join(failures))
        sys.exit(1)


# -------------------------------------------------------------------- decode
def verify(path):
    data = Path(path).read_bytes()
    h = parse_header(data)
    if h["size"] != len(data) - 4:
        raise SystemExit(f"{path}: size field {h['size']} != {len(data)} - 4")
    if h["api_key"] not in API_NAMES or h["body_length"] < 0:
        raise SystemExit(f"{path}: header does not parse")
    return h


def decode(path):
    h = verify(path)
    print(f"file: {path} ({h['size'] + 4} bytes)")
    print(f"  size            {h['size']} (file length - 4: OK)")
    print(f"  api_key         {h['api_key']} ({API_NAMES[h['api_key']]})")
    print(f"  api_version     {h['api_version']}")
    print(f"  correlation_id  {h['correlation_id']}")
    print(f"  client_id       {h['client_id']!r}")
    print(f"  header          v{h['header_version']} "
          f"({h['header_length']} bytes after the size)")
    print(f"  body_length     {h['body_length']}")
    body = Path(path).read_bytes()[4 + h["header_length"]:]
    for off in range(0, len(body), 16):
        print(f"    {off:04x}  {body[off:off + 16].hex(' ')}")


def main(argv):
    if len(argv) >= 2 and argv[1] == "capture":
        capture(force="--force" in argv[2:])
    elif len(argv) >= 3 and argv[1] == "decode":
        for p in argv[2:]:
            decode(p)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
