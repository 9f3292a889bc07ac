#!/usr/bin/python3
# generated from tests/integration/real_clients.py; edit there
"""tests/integration/real_clients.py — real Kafka clients against a real broker process.

Starts `streamcraft broker` on a free 127.0.0.1 port with a fresh log directory, runs one
scenario with one client library, and stops the broker again (SIGTERM, then SIGKILL
after a bounded wait). Every wait is bounded in time; nothing but 127.0.0.1 is used.

Scenarios (--client):
  kcat          produce keyed records with headers, consume from earliest, latest and a timestamp
  confluent     python3-confluent-kafka (librdkafka): admin create, acks=all produce, consume
  kafka-python  python3-kafka: the same with kafka-python's own protocol implementation
  restart       acknowledged records survive a clean stop and a kill -9; offsets continue
  kafkajs       kafkajs (npm; --node-path) produces and lists offsets; librdkafka reads back
  sarama        sarama (Debian's Go package, Version=V2_1_0_0) produces and consumes
  compression   compressed batches (zstd from kcat, gzip from kafka-python) are stored
                as sent and read back intact
  garbage       malformed, oversized and random frames from other connections while a
                real client works: the broker keeps serving it and loses nothing
  groups-*      (chapter 3) consumer groups with each client's own group implementation
  large-records (chapter 3) 900 KiB records read with fetch.max.bytes=1000000 by
                librdkafka, kafka-python, kafkajs (a group member) and the course's client
  compaction-compressed (chapter 3) librdkafka (zstd) and kafka-python (gzip) rewrite
                the same keys to compacted topics with small segments; after cleaning,
                both read from the beginning only each key's latest value, at the
                offset it was written at, from batches still in their codec

Must run under Debian's /usr/bin/python3, the only interpreter that sees the Debian
client packages. Exit status 0 on success; the last line says what was checked.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

BASE_TS = 1_700_000_000_000
N = 60


class Broker:
    def __init__(self, binary, data_dir, settings=()):
        self.binary, self.data_dir, self.proc = binary, data_dir, None
        self.settings = [arg for setting in settings for arg in ("--set", setting)]

    def start(self):
        port_file = os.path.join(self.data_dir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.proc = subprocess.Popen(
            [self.binary, "broker", "--listeners", "PLAINTEXT://127.0.0.1:0", "--log-dirs",
             os.path.join(self.data_dir, "logs"), "--port-file", port_file, "--set", "num.partitions=3",
             *self.settings],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.data_dir, "broker.log"), "a"))
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("broker exited early; see broker.log")
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read())
                return f"127.0.0.1:{self.port}"
            time.sleep(0.05)
        raise RuntimeError("broker did not start listening within 20 s")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else 0
        self.proc = None
        return rc


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"  ok: {what}")


def verify_partitions(records, produced_count):
    """records: (partition, offset, key, value, timestamp) as consumed from earliest."""
    values = [r[3] for r in records]
    check(len(values) == produced_count, f"{produced_count} records consumed back")
    check(len(set(values)) == produced_count, "no duplicates")
    by_partition = {}
    for p, o, k, v, ts in records:
        by_partition.setdefault(p, []).append((o, int(v[1:]), k))
    for p, rs in by_partition.items():
        offsets = [o for o, _, _ in rs]
        check(offsets == list(range(len(rs))), f"partition {p}: offsets 0..{len(rs) - 1} without gaps")
        seq = [i for _, i, _ in rs]
        check(seq == sorted(seq), f"partition {p}: order of production kept")
    keys = {}
    for p, o, k, v, ts in records:
        keys.setdefault(k, set()).add(p)
    check(all(len(ps) == 1 for ps in keys.values()), "every key stayed in one partition")
    return by_partition


def run_kcat(bootstrap, workdir):
    lines = "".join(f"k{i % 6}:v{i}\n" for i in range(N))
    subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", "clicks", "-K", ":", "-H", "source=kcat",
                    "-X", "acks=all", "-X", "topic.partitioner=murmur2_random"],
                   input=lines.encode(), check=True, timeout=60)
    records = []
    for p in range(3):
        out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", "clicks", "-p", str(p), "-o", "beginning", "-e",
                              "-f", "%p|%o|%k|%s|%T|%h\n"], capture_output=True, check=True, timeout=60).stdout
        for line in out.decode().splitlines():
            part, off, key, value, ts, headers = line.split("|")
            records.append((int(part), int(off), key, value, int(ts), headers))
    check(all(r[5] == "source=kcat" for r in records), "every record kept its header")
    verify_partitions([r[:5] for r in records], N)
    # From the end: nothing.
    for p in range(3):
        out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", "clicks", "-p", str(p), "-o", "end", "-e", "-q"],
                             capture_output=True, check=True, timeout=60).stdout
        check(out == b"", f"partition {p}: nothing after the end")
    # By timestamp: every record of the run is newer than 1 minute ago.
    since = int(time.time() * 1000) - 60_000
    out = subprocess.run(["kcat", "-b", bootstrap, "-Q", "-t", f"clicks:0:{since}"], capture_output=True,
                         check=True, timeout=60).stdout.decode()
    check("offset 0" in out, f"ListOffsets by timestamp finds the first record ({out.strip()})")


def consume_confluent(bootstrap, topic, expected):
    """Reads every partition of topic from offset 0 until `expected` records arrived (30 s at most)."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    c.assign([TopicPartition(topic, p, 0) for p in range(3)])
    records, deadline = [], time.time() + 30
    while len(records) < expected and time.time() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            records.append((m.partition(), m.offset(), m.key().decode(), m.value().decode(), m.timestamp()[1]))
    c.close()
    return records


def produce_and_consume_confluent(bootstrap, topic, count, start=0):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    acked = []
    for i in range(start, start + count):
        p.produce(topic, key=f"k{i % 6}", value=f"v{i}", timestamp=BASE_TS + i * 1000,
                  on_delivery=lambda err, msg: acked.append(err is None))
    check(p.flush(30) == 0 and all(acked) and len(acked) == count, f"{count} records acknowledged (acks=all)")
    return consume_confluent(bootstrap, topic, start + count)


def run_confluent(bootstrap, workdir):
    from confluent_kafka import Consumer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for topic, future in admin.create_topics([NewTopic("orders", 3, 1)]).items():
        check(future.result(timeout=30) is None, f"topic {topic} created with 3 partitions")
    records = produce_and_consume_confluent(bootstrap, "orders", N)
    verify_partitions(records, N)
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    tps = c.offsets_for_times([TopicPartition("orders", p, BASE_TS + 30_000) for p in range(3)], timeout=30)
    for tp in tps:
        first = min((r for r in records if r[0] == tp.partition and r[4] >= BASE_TS + 30_000), key=lambda r: r[1])
        check(tp.offset == first[1], f"partition {tp.partition}: offset for timestamp is {first[1]}")
    for p in range(3):
        low, high = c.get_watermark_offsets(TopicPartition("orders", p), timeout=30)
        check(low == 0 and high == sum(1 for r in records if r[0] == p), f"partition {p}: watermarks {low}..{high}")
    c.close()
    fs = admin.delete_topics(["orders"])
    check(fs["orders"].result(timeout=30) is None, "topic deleted")


def run_kafka_python(bootstrap, workdir):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic("events", 3, 1)], timeout_ms=30_000)
    check("events" in admin.list_topics(), "topic created by the admin client")
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    futures = [producer.send("events", key=f"k{i % 6}".encode(), value=f"v{i}".encode(), timestamp_ms=BASE_TS + i * 1000)
               for i in range(N)]
    producer.flush(30)
    check(all(f.get(timeout=30) for f in futures), f"{N} records acknowledged (acks=all)")
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=5000)
    partitions = [TopicPartition("events", p) for p in range(3)]
    consumer.assign(partitions)
    records = [(m.partition, m.offset, m.key.decode(), m.value.decode(), m.timestamp) for m in consumer]
    verify_partitions(records, N)
    ends = consumer.end_offsets(partitions)
    check(sum(ends.values()) == N, "end offsets add up to the records produced")
    found = consumer.offsets_for_times({tp: BASE_TS + 30_000 for tp in partitions})
    for tp, ot in found.items():
        first = min((r for r in records if r[0] == tp.partition and r[4] >= BASE_TS + 30_000), key=lambda r: r[1])
        check(ot.offset == first[1], f"partition {tp.partition}: offset for timestamp is {first[1]}")
    consumer.close()
    admin.delete_topics(["events"], timeout_ms=30_000)
    check("events" not in admin.list_topics(), "topic deleted")
    admin.close()


def stored_codecs(broker_binary, log_dir):
    """The compression codec of every batch in a partition directory, from `log dump`."""
    segments = sorted(os.path.join(log_dir, f) for f in os.listdir(log_dir) if f.endswith(".log"))
    out = subprocess.run([broker_binary, "log", "dump", *segments], capture_output=True, check=True,
                         timeout=60).stdout.decode()
    return [word.split(":")[1].strip() for line in out.splitlines() if "compresscodec:" in line
            for word in [line[line.index("compresscodec:"):].split(" crc")[0]]]


def run_compression(bootstrap, workdir, broker):
    # The broker never decompresses: a compressed batch is validated by its outer CRC and
    # stored byte for byte, and the consumer decompresses it.
    # Values that compress well: a client may send a batch uncompressed when compression
    # would not make it smaller (kafka-python does so for a lone short record).
    pad = "abc" * 100
    lines = "".join(f"k{i}:zstd-{i}-{pad}\n" for i in range(N))
    subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", "zipped", "-p", "0", "-K", ":", "-z", "zstd",
                    "-X", "acks=all"], input=lines.encode(), check=True, timeout=60)
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip")
    futures = [producer.send("zipped", partition=1, key=f"k{i}".encode(), value=f"gzip-{i}-{pad}".encode())
               for i in range(N)]
    producer.flush(30)
    check(all(f.get(timeout=30) for f in futures), f"{N} gzip records acknowledged")
    producer.close()
    logs = os.path.join(workdir, "logs")
    codecs = stored_codecs(broker.binary, os.path.join(logs, "zipped-0"))
    check(codecs and set(codecs) == {"zstd"}, f"kcat's batches stored as zstd (found {codecs})")
    codecs = stored_codecs(broker.binary, os.path.join(logs, "zipped-1"))
    check(codecs and set(codecs) == {"gzip"}, f"kafka-python's batches stored as gzip (found {codecs})")
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", "zipped", "-p", "1", "-o", "beginning", "-e", "-q",
                          "-f", "%k=%s\n"], capture_output=True, check=True, timeout=60).stdout.decode().splitlines()
    check(out == [f"k{i}=gzip-{i}-{pad}" for i in range(N)], "librdkafka decompresses kafka-python's gzip batches")
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=5000)
    consumer.assign([TopicPartition("zipped", 0)])
    values = [(m.offset, m.value.decode()) for m in consumer]
    consumer.close()
    check(values == [(i, f"zstd-{i}-{pad}") for i in range(N)],
          "kafka-python decompresses kcat's zstd batches with their offsets")


def run_restart(bootstrap, workdir, broker):
    records = produce_and_consume_confluent(bootstrap, "durable", N)
    verify_partitions(records, N)
    check(broker.stop(signal.SIGTERM) == 0, "broker stopped cleanly on SIGTERM")
    bootstrap = broker.start()
    records = produce_and_consume_confluent(bootstrap, "durable", 30, start=N)
    verify_partitions(records, N + 30)
    broker.stop(signal.SIGKILL)
    check(True, "broker killed with SIGKILL")
    bootstrap = broker.start()
    records = produce_and_consume_confluent(bootstrap, "durable", 30, start=N + 30)
    verify_partitions(records, N + 60)
    return bootstrap


def run_kafkajs(bootstrap, workdir, node_path):
    import json
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafkajs_client.js")
    env = dict(os.environ, NODE_PATH=node_path)
    out = subprocess.run(["node", script, bootstrap, "webhooks", str(N), str(BASE_TS)], capture_output=True,
                         env=env, timeout=120)
    if out.returncode != 0:
        raise AssertionError("kafkajs failed: " + out.stderr.decode()[-2000:])
    result = json.loads(out.stdout.decode().strip().splitlines()[-1])
    check(result["created"] is True, "kafkajs created the topic")
    check(all(r["errorCode"] == 0 for r in result["sent"]), f"{N} records acknowledged to kafkajs (acks=-1)")
    records = consume_confluent(bootstrap, "webhooks", N)
    by_partition = verify_partitions(records, N)
    latest = {int(p["partition"]): int(p["offset"]) for p in result["latest"]}
    check(all(latest[p] == len(rs) for p, rs in by_partition.items()), "kafkajs sees the latest offsets")
    for p in result["byTimestamp"]:
        part = int(p["partition"])
        first = min((r for r in records if r[0] == part and r[4] >= BASE_TS + 30_000), key=lambda r: r[1])
        check(int(p["offset"]) == first[1], f"partition {part}: kafkajs' offset for timestamp is {first[1]}")


def run_sarama(bootstrap, workdir):
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.path.join(workdir, "sarama_client")
    # Debian installs Go libraries as source under /usr/share/gocode: GOPATH mode, offline.
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
               GOCACHE=os.path.join(workdir, "gocache"), GOPROXY="off")
    build = subprocess.run(["go", "build", "-o", binary, os.path.join(here, "sarama_client.go")],
                           capture_output=True, env=env, timeout=300)
    if build.returncode != 0:
        raise AssertionError("building the sarama client failed: " + build.stderr.decode()[-2000:])
    out = subprocess.run([binary, bootstrap, "payments", str(N), str(BASE_TS)], capture_output=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError("sarama failed: " + out.stderr.decode()[-2000:])
    records = []
    for line in out.stdout.decode().splitlines():
        part, off, key, value, ts = line.split(" ")
        records.append((int(part), int(off), key, value, int(ts)))
    by_partition = verify_partitions(records, N)
    check(len(by_partition) == 3, "sarama's hash partitioner spread the keys over the 3 auto-created partitions")
    check(all(r[4] == BASE_TS + int(r[3][1:]) * 1000 for r in records), "record timestamps kept")


def garbage_frames(data_dir):
    """Frames no client should send: each closes its own connection, nothing else."""
    import random
    import struct
    rng = random.Random(1234)  # seeded: a failure reproduces
    frames = [
        struct.pack(">i", 2_000_000_000),                     # oversized size prefix
        struct.pack(">i", -5),                                # negative size
        struct.pack(">ihhi", 8, 999, 0, 1),                   # unknown API key
        struct.pack(">ihhi", 8, 0, 42, 1),                    # unsupported Produce version
        struct.pack(">ihhih", 10, 3, 1, 7, 500),              # client id runs past the frame
        struct.pack(">ihhihi", 14, 3, 1, 7, -1, 0x7FFFFFFF),  # two billion topics in 4 bytes
    ]
    frames += [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))) for _ in range(50)]
    # Real clients' requests with bytes flipped: almost valid is the hardest case.
    proto = os.path.join(data_dir, "protocol")
    for name in sorted(os.listdir(proto)):
        if name.endswith(".bin"):
            real = bytearray(open(os.path.join(proto, name), "rb").read())
            for _ in range(3):
                mutated = bytearray(real)
                pos = rng.randrange(4, len(mutated))
                mutated[pos] ^= 1 << rng.randrange(8)
                frames.append(bytes(mutated))
    return frames


def run_garbage(bootstrap, workdir, data_dir):
    import socket
    import threading
    host, port = bootstrap.split(":")
    frames = garbage_frames(data_dir)
    sent = []

    def attack():
        for frame in frames:
            try:
                with socket.create_connection((host, int(port)), timeout=5) as s:
                    s.sendall(frame)
                    s.settimeout(0.2)
                    try:
                        s.recv(65536)
                    except (socket.timeout, ConnectionError):
                        pass
                sent.append(frame)
            except OSError:
                pass

    attacker = threading.Thread(target=attack)
    attacker.start()
    records = produce_and_consume_confluent(bootstrap, "steady", N)
    attacker.join(timeout=120)
    check(len(sent) == len(frames), f"{len(frames)} garbage frames delivered on their own connections")
    verify_partitions(records, N)
    records = produce_and_consume_confluent(bootstrap, "steady", 20, start=N)
    verify_partitions(records, N + 20)




# The scenarios added after chapter 2, each with the broker settings it needs (besides
# num.partitions=3).
LATER_SCENARIOS = {
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--broker", required=True, help="path of the streamcraft program")
    ap.add_argument("--client", required=True, choices=["kcat", "confluent", "kafka-python", "kafkajs", "sarama", "restart", "garbage",
                                                      "compression", *LATER_SCENARIOS])
    ap.add_argument("--node-path", default="", help="node_modules folder holding kafkajs")
    ap.add_argument("--data", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"),
                    help="tests/data (real clients' requests, for the garbage scenario)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="streamcraft-it-") as workdir:
        broker = Broker(args.broker, workdir, LATER_SCENARIOS.get(args.client, ()))
        try:
            bootstrap = broker.start()
            print(f"broker at {bootstrap}, client {args.client}")
            if args.client == "kcat":
                run_kcat(bootstrap, workdir)
            elif args.client == "confluent":
                run_confluent(bootstrap, workdir)
            elif args.client == "kafka-python":
                run_kafka_python(bootstrap, workdir)
            elif args.client == "kafkajs":
                run_kafkajs(bootstrap, workdir, args.node_path)
            elif args.client == "sarama":
                run_sarama(bootstrap, workdir)
            elif args.client == "garbage":
                run_garbage(bootstrap, workdir, args.data)
            elif args.client == "compression":
                run_compression(bootstrap, workdir, broker)
            else:
                run_restart(bootstrap, workdir, broker)
        except Exception as e:  # report, stop the broker, fail
            print(f"FAILED: {e!r}")
            log = os.path.join(workdir, "broker.log")
            if os.path.exists(log):
                print("--- broker.log (last 30 lines) ---")
                print("".join(open(log).readlines()[-30:]))
            broker.stop()
            return 1
        rc = broker.stop()
        if rc != 0:
            print(f"FAILED: broker exited with status {rc} on SIGTERM")
            return 1
    print(f"passed: {args.client}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
