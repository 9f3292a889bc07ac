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


# ---------------------------------------------------------------------------------------
# Consumer groups: the clients' own group implementations against the broker's group
# coordinator — FindCoordinator, JoinGroup/SyncGroup/Heartbeat/LeaveGroup, OffsetCommit
# and OffsetFetch, ListGroups and DescribeGroups.
#
#   groups-confluent     three librdkafka members (processes) share 6 partitions; one
#                        joins late, one leaves cleanly, one is killed with SIGKILL; one
#                        owner per partition at a time, nothing lost, re-reads only after
#                        the kill
#   groups-kafka-python  two kafka-python members; one restarts and resumes exactly at
#                        the committed offsets
#   groups-kafkajs       kafkajs' consumer reads everything and commits; the next run in
#                        the group reads nothing old, the one after only what is new
#   groups-kcat          the same with kcat -G, and kcat -L still works
#   groups-restart       committed offsets survive kill -9 of the broker; ListGroups,
#                        DescribeGroups and OffsetFetch for the whole group
#   groups-static        a static librdkafka member (group.instance.id) restarts within
#                        its session timeout: same generation, same partitions, and the
#                        other member never sees a rebalance

SESSION_TIMEOUT_S = 6.0   # session.timeout.ms of the members (the broker's minimum)
REBALANCE_MARGIN_S = 6.0  # session expiry → heartbeat answer → rejoin → sync → fetch


def wait_for(what, condition, timeout, interval=0.1):
    """Polls condition() until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def partition_list(field):
    """"0,1,2" → [0, 1, 2]; "-" (none) → []."""
    return [] if field == "-" else [int(p) for p in field.split(",")]


class GroupMember:
    """One confluent_group_member.py process and the events it logged."""

    def __init__(self, name, bootstrap, group, topic, workdir, static=()):
        """static: (group.instance.id, session.timeout.ms) for a static member."""
        self.name, self.path = name, os.path.join(workdir, f"member-{name}.log")
        self.killed_at = None
        helper = os.path.join(os.path.dirname(os.path.abspath(__file__)), "confluent_group_member.py")
        self.proc = subprocess.Popen([sys.executable, helper, bootstrap, group, topic, self.path,
                                      *[str(arg) for arg in static]],
                                     stdout=subprocess.DEVNULL, stderr=open(self.path + ".stderr", "w"))

    def events(self):
        """(time, kind, fields) of every complete line (a killed member may leave a torn one)."""
        if not os.path.exists(self.path):
            return []
        lines = open(self.path).read().split("\n")[:-1]
        return [(float(t), kind, rest) for t, kind, *rest in (line.split(" ") for line in lines)]

    def assignment(self):
        """(generation, partitions) it owns now, or None between a revoke and the next assign."""
        current = None
        for _, kind, fields in self.events():
            if kind == "assign":
                current = (int(fields[0]), frozenset(partition_list(fields[2])))
            elif kind in ("revoke", "lost", "closed"):
                current = None
        return current

    def close(self, timeout=20):
        """SIGTERM: the member closes its consumer (revoke, LeaveGroup) and exits."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"member {self.name} did not close within {timeout} s")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self.killed_at = time.monotonic()


def stable_assignment(members, partitions, newer_than):
    """The generation and owners once every member in `members` owns a share of one
    generation newer than `newer_than`, the shares covering `partitions` exactly; else None."""
    owners = {m.name: m.assignment() for m in members}
    if any(a is None for a in owners.values()):
        return None
    generations = {g for g, _ in owners.values()}
    if len(generations) != 1 or min(generations) <= newer_than:
        return None
    owned = sorted(p for _, ps in owners.values() for p in ps)
    if owned != sorted(partitions):
        return None
    return generations.pop(), {name: ps for name, (_, ps) in owners.items()}


def ownership_intervals(member, end_of_run):
    """[(partition, generation, start, end, how it ended)] from a member's assign/revoke log.

    An interval ends at the revoke (or lost/closed) event; a member killed with SIGKILL
    owned its partitions until the moment it died (killed_at, taken right after the kill).
    """
    intervals, open_ = [], []
    for t, kind, fields in member.events():
        if kind == "assign":
            generation = int(fields[0])
            open_ = [(p, generation, t) for p in partition_list(fields[2])]
        elif kind in ("revoke", "lost", "closed"):
            intervals += [(p, g, start, t, kind) for p, g, start in open_]
            open_ = []
    end, how = (member.killed_at, "killed") if member.killed_at else (end_of_run, "end")
    return intervals + [(p, g, start, end, how) for p, g, start in open_]


def require(condition, what):
    """check() without the line of output, for checks made many times over."""
    if not condition:
        raise AssertionError(what)


def check_group_history(members, acked):
    """Checks the logs of all members after the run (see run_groups_confluent)."""
    end_of_run = time.monotonic()
    intervals = {}  # partition → [(start, end, member, generation, how it ended)]
    for m in members:
        for p, g, start, end, how in ownership_intervals(m, end_of_run):
            intervals.setdefault(p, []).append((start, end, m.name, g, how))
    # (f) One owner at a time. Within one generation each partition is given to exactly one
    # member; and, in time, one member's ownership (assign … revoke/lost/close/death) of a
    # partition ends before the next member's begins: with the eager protocol a member
    # revokes everything before it rejoins, and the new generation's assignments only go
    # out once every member has rejoined (or was expelled), so ownership intervals of
    # different members never overlap. Both hold for every partition over the whole run.
    for p, spans in sorted(intervals.items()):
        spans.sort()
        by_generation = {}
        for start, end, name, g, _ in spans:
            by_generation.setdefault(g, set()).add(name)
        require(all(len(names) == 1 for names in by_generation.values()),
                f"partition {p}: two owners in one generation: {by_generation}")
        require(all(x[1] <= y[0] for x, y in zip(spans, spans[1:])),
                f"partition {p}: ownership intervals overlap: {spans}")
        check(True, f"partition {p}: one owner per generation and at a time: "
                    + " → ".join(f"{name}(g{g}{', killed' if how == 'killed' else ''})"
                                 for _, _, name, g, how in spans))
    # Every record a member processed lies within its ownership of the partition.
    consumed = []  # (time, member, partition, offset, value)
    commits = {}   # partition → [(time, offset)] acknowledged commits
    for m in members:
        for t, kind, fields in m.events():
            if kind == "consume":
                consumed.append((t, m.name, int(fields[0]), int(fields[1]), fields[2]))
            elif kind == "commit":
                commits.setdefault(int(fields[0]), []).append((t, int(fields[1])))
    per_interval = {}
    for t, name, p, o, v in consumed:
        span = next((s for s in intervals.get(p, []) if s[2] == name and s[0] <= t <= s[1]), None)
        require(span is not None, f"{name} consumed {p}/{o} at {t} without owning the partition")
        per_interval.setdefault((p, span), []).append(o)
    check(True, f"each of {len(consumed)} records consumed by the member owning its partition at the time")
    # (e) At least once, and again only after a rebalance. Within one ownership interval a
    # member reads its partition in order without gaps. Each new owner starts exactly at
    # the offset committed last (by anyone) before its ownership began. When the previous
    # owner let go cleanly it had committed every record it processed, so nothing is read
    # twice; after the kill the new owner reads again what the dead member had processed
    # but not committed (it held its commits before it was killed, so no commit was in
    # flight), and nothing is skipped.
    handovers = 0
    for p, spans in sorted(intervals.items()):
        previous_how = None
        for span in sorted(spans):
            offsets = per_interval.get((p, span), [])
            if offsets:
                start = span[0]
                committed = max((o for t, o in commits.get(p, []) if t < start), default=0)
                read_before = max((o + 1 for t, _, q, o, _ in consumed if q == p and t < start), default=0)
                require(offsets == list(range(offsets[0], offsets[0] + len(offsets))),
                        f"partition {p}: {span[2]} read {offsets} — not in order, or with gaps")
                if previous_how == "killed":
                    require(offsets[0] == committed < read_before,
                            f"partition {p}: after the kill, {span[2]} resumed at {offsets[0]}, not at the "
                            f"last commit ({committed}) before the end of what was read ({read_before})")
                    check(True, f"partition {p}: after the kill, {span[2]} resumed at the committed offset "
                                f"{committed}: {read_before - committed} records, processed but not committed, again")
                else:
                    require(offsets[0] == committed == read_before,
                            f"partition {p}: {span[2]} resumed at {offsets[0]}, not at the committed offset "
                            f"{committed} (read up to {read_before})")
                handovers += 1
            previous_how = span[4]
    check(True, f"{handovers} times a member took up a partition: each read on from the committed offset, "
                "in order and without gaps")
    seen = {}
    for _, _, p, o, v in consumed:
        seen.setdefault((p, o), []).append(v)
    check(set(seen) == set(acked), f"every one of the {len(acked)} acknowledged records consumed, nothing else")
    check(all(set(vs) == {acked[k]} for k, vs in seen.items()), "each consumed at its acknowledged partition and offset")
    return {k: len(vs) for k, vs in seen.items() if len(vs) > 1}


def run_groups_confluent(bootstrap, workdir):
    """Three librdkafka members share 6 partitions; a fourth joins, one leaves, one dies.

    The broker runs with the default group.initial.rebalance.delay.ms (3 s), so the three
    members started together land in one first generation, as they would against Kafka.
    """
    import threading
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    topic, group, partitions = "shared", "sharers", range(6)
    admin = AdminClient({"bootstrap.servers": bootstrap})
    check(admin.create_topics([NewTopic(topic, 6, 1)])[topic].result(timeout=30) is None, "topic with 6 partitions")

    # Keyed records, produced all along so that every rebalance has something to hand over.
    acked, stop_producing, produce_errors = {}, threading.Event(), []

    def produce():
        producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})

        def delivered(err, msg):
            if err is None:
                acked[(msg.partition(), msg.offset())] = msg.value().decode()
            else:
                produce_errors.append(err)
        i = 0
        while not stop_producing.is_set() and i < 5000:
            producer.produce(topic, key=f"k{i % 60}", value=f"v{i}", on_delivery=delivered)
            producer.poll(0)
            i += 1
            time.sleep(0.02)
        produce_errors.extend([] if producer.flush(30) == 0 else ["not flushed"])
    producer_thread = threading.Thread(target=produce)
    producer_thread.start()
    members = []
    try:
        def start(name):
            members.append(GroupMember(name, bootstrap, group, topic, workdir))
            return members[-1]

        def wait_stable(live, newer_than, timeout):
            return wait_for(f"a generation shared by {[m.name for m in live]}",
                            lambda: stable_assignment(live, partitions, newer_than), timeout)

        # (a) Three members start together: one generation gives each partition one owner.
        t0 = time.monotonic()
        a, b, c = start("a"), start("b"), start("c")
        gen, owners = wait_stable([a, b, c], 0, 30)
        first = min(int(f[0]) for m in (a, b, c) for _, kind, f in m.events() if kind == "assign")
        first_owners = [p for m in (a, b, c) for _, kind, f in m.events() if kind == "assign" and int(f[0]) == first
                        for p in partition_list(f[2])]
        check(sorted(first_owners) == list(partitions),
              f"first rebalance (generation {first}): every partition owned by exactly one member")
        check(all(owners.values()), f"generation {gen} after {time.monotonic() - t0:.1f} s: {owners}")
        # (b) A fourth member joins: the partitions are spread over four.
        t0 = time.monotonic()
        d = start("d")
        gen, owners = wait_stable([a, b, c, d], gen, 30)
        check(owners["d"],
              f"the late member got a share, generation {gen} after {time.monotonic() - t0:.1f} s: {owners}")
        # (c) A member leaves cleanly (close(): revoke, LeaveGroup): its share moves at once.
        leaving = owners["b"]
        t0 = time.monotonic()
        check(b.close() == 0, "member b closed its consumer and exited")
        gen, owners = wait_stable([a, c, d], gen, 30)
        check(leaving <= owners["a"] | owners["c"] | owners["d"],
              f"b's partitions {sorted(leaving)} moved to the others, generation {gen} after "
              f"{time.monotonic() - t0:.1f} s: {owners}")
        check(b.events()[-2][1] == "revoke" and b.events()[-1][1] == "closed", "b revoked its partitions on close")
        # (d) A member is killed: the coordinator hears nothing more from it, expels it once
        # its session times out, and its partitions are consumed again by the others. First
        # it stops committing, and processes some records of each of its partitions without
        # committing them: those must be read again by the new owners (at least once).
        dead = owners["c"]
        c.proc.send_signal(signal.SIGUSR1)

        def uncommitted():
            events = c.events()
            held = next((i for i, e in enumerate(events) if e[1] == "hold-commits"), None)
            tail = {(int(f[0]), int(f[1])) for _, kind, f in events[held or 0:] if kind == "consume"}
            return tail if held is not None and {p for p, _ in tail} == dead else None
        wait_for("c to process records of each of its partitions without committing them", uncommitted, 15)
        c.kill()
        uncommitted = uncommitted()

        def taken_over():
            done = stable_assignment([a, d], partitions, gen)
            if not done:
                return None
            after = {int(f[0]) for m in (a, d) for t, kind, f in m.events() if kind == "consume" and t > c.killed_at}
            return done if dead <= after else None
        gen, owners = wait_for("the dead member's partitions to be consumed again", taken_over,
                               SESSION_TIMEOUT_S + REBALANCE_MARGIN_S + 10)
        recovery = max(min(t for m in (a, d) for t, kind, f in m.events()
                           if kind == "consume" and t > c.killed_at and int(f[0]) == p) for p in dead) - c.killed_at
        check(recovery <= SESSION_TIMEOUT_S + REBALANCE_MARGIN_S,
              f"c's partitions {sorted(dead)} consumed again {recovery:.1f} s after kill -9 (session timeout "
              f"{SESSION_TIMEOUT_S:.0f} s + margin {REBALANCE_MARGIN_S:.0f} s), generation {gen}: {owners}")
        # The end: production stops, the survivors catch up and commit everything.
        stop_producing.set()
        producer_thread.join(timeout=60)
        check(not produce_errors and acked, f"{len(acked)} keyed records acknowledged (acks=all)")
        ends = {p: 1 + max(o for q, o in acked if q == p) for p in partitions if any(q == p for q, _ in acked)}
        check(sorted(ends) == list(partitions), "the keys spread over all 6 partitions")

        def caught_up():
            last = {}
            for m in (a, d):
                for _, kind, f in m.events():
                    if kind == "commit":
                        last[int(f[0])] = max(last.get(int(f[0]), 0), int(f[1]))
            return last == ends
        wait_for("the survivors to commit every partition's end", caught_up, 30)
        check(a.close() == 0 and d.close() == 0, "the survivors closed their consumers")
        twice = check_group_history(members, acked)
        check(twice == {k: 2 for k in uncommitted},
              f"records consumed twice: exactly the {len(uncommitted)} the killed member processed without "
              "committing them, once more each")
        probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        committed = probe.committed([TopicPartition(topic, p) for p in partitions], timeout=30)
        probe.close()
        check({tp.partition: tp.offset for tp in committed} == ends,
              f"the group's committed offsets are the ends {ends}")
    except Exception:
        for m in members:  # what each member saw last, for the report
            print(f"--- member {m.name} (last 15 events) ---")
            print("".join(open(m.path).readlines()[-15:]) if os.path.exists(m.path) else "(no log)")
            print(open(m.path + ".stderr").read()[-1000:])
        raise
    finally:
        stop_producing.set()
        for m in members:
            m.kill()
        producer_thread.join(timeout=60)


class KafkaPythonMember:
    """A kafka-python KafkaConsumer in a group, in a thread of its own.

    It processes the records below `limit` (a one-element list shared with the test, so
    the test can raise it), commits what it processed after every poll, and pauses a
    partition at the first record at or above the limit (seeking back to it), resuming
    once the limit has moved past it. Events: (time, kind, partition or partitions, offset).
    "seen" is every record fetched — processed or not — so the first "seen" after an
    assignment is where the consumer resumed.
    """

    def __init__(self, name, bootstrap, group, topic, limit):
        import threading
        self.name, self.limit, self.events, self.error = name, limit, [], None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, args=(bootstrap, group, topic), daemon=True)
        self.thread.start()

    def log(self, kind, what, offset=None):
        self.events.append((time.monotonic(), kind, what, offset))

    def run(self, bootstrap, group, topic):
        from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata
        member = self

        class Listener(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                member.log("revoke", frozenset(tp.partition for tp in revoked))

            def on_partitions_assigned(self, assigned):
                member.log("assign", frozenset(tp.partition for tp in assigned))
        try:
            consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=self.name,
                                     enable_auto_commit=False, auto_offset_reset="earliest",
                                     session_timeout_ms=6000, heartbeat_interval_ms=1000, fetch_max_wait_ms=200)
            consumer.subscribe([topic], listener=Listener())
            while not self.stop.is_set():
                commits = {}
                for tp, records in consumer.poll(timeout_ms=200).items():
                    for r in records:
                        self.log("seen", tp.partition, r.offset)
                        if r.offset >= self.limit[0]:
                            consumer.seek(tp, r.offset)
                            consumer.pause(tp)
                            break
                        self.log("consume", tp.partition, r.offset)
                        commits[tp] = OffsetAndMetadata(r.offset + 1, "")
                if commits:
                    consumer.commit(commits)  # synchronous
                    for tp, om in commits.items():
                        self.log("commit", tp.partition, om.offset)
                for tp in consumer.paused():
                    if consumer.position(tp) < self.limit[0]:
                        consumer.resume(tp)
            consumer.close(autocommit=False)
            self.log("closed", None)
        except Exception as e:  # reported by the test
            self.error = e

    def assignment(self):
        current = None
        for _, kind, what, _ in self.events:
            current = what if kind == "assign" else None if kind in ("revoke", "closed") else current
        return current

    def since_last_assign(self, kind):
        """{partition: [offsets]} of the events of `kind` since the last assignment."""
        last = max(i for i, e in enumerate(self.events) if e[1] == "assign")
        out = {}
        for _, k, p, o in self.events[last:]:
            if k == kind:
                out.setdefault(p, []).append(o)
        return out

    def close(self, timeout=20):
        self.stop.set()
        self.thread.join(timeout)
        if self.thread.is_alive() or self.error:
            raise AssertionError(f"member {self.name} did not close cleanly: {self.error!r}")


def run_groups_kafka_python(bootstrap, workdir):
    """kafka-python's group members: a shared topic, commits, and a restart that resumes
    exactly at the committed offsets."""
    from kafka import KafkaProducer
    from kafka.admin import KafkaAdminClient, NewTopic
    topic, group, partitions = "ledger", "bookkeepers", [0, 1, 2, 3]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 4, 1)], timeout_ms=30_000)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")

    def produce(first, count):
        futures = [producer.send(topic, partition=i % 4, key=f"k{i}".encode(), value=f"v{i}".encode())
                   for i in range(first, first + count)]
        producer.flush(30)
        meta = [f.get(timeout=30) for f in futures]
        check(all(m.offset == (first + n) // 4 for n, m in enumerate(meta)),
              f"{count} records acknowledged, {count // 4} per partition")

    def committed():
        return {tp.partition: om.offset for tp, om in admin.list_consumer_group_offsets(group).items()}

    def shared(live):
        shares = [m.assignment() for m in live]
        if any(not s for s in shares) or sorted(p for s in shares for p in s) != partitions:
            return None
        return {m.name: sorted(s) for m, s in zip(live, shares)}

    limit = [6]  # K: the members process offsets 0..5 of each partition, and commit 6
    members = []
    try:
        x = KafkaPythonMember("x", bootstrap, group, topic, limit)
        y = KafkaPythonMember("y", bootstrap, group, topic, limit)
        members += [x, y]
        owners = wait_for("x and y to share the partitions", lambda: shared([x, y]), 30)
        check(True, f"two members share the 4 partitions: {owners}")
        produce(0, 40)
        wait_for("the first 6 records of every partition to be committed",
                 lambda: committed() == {p: 6 for p in partitions}, 30)
        processed = [(m.name, p, o) for m in (x, y) for _, k, p, o in m.events if k == "consume"]
        check(sorted((p, o) for _, p, o in processed) == [(p, o) for p in partitions for o in range(6)],
              "offsets 0..5 of every partition processed once, the committed offsets are 6")
        check(all(p in owners[name] for name, p, _ in processed), "each by the member owning the partition")
        # y restarts: it leaves (close without committing anything more) …
        y.close()
        wait_for("x to own every partition", lambda: shared([x]), 30)
        wait_for("x to fetch every partition", lambda: sorted(x.since_last_assign("seen")) == partitions, 20)
        seen = x.since_last_assign("seen")
        check(all(offsets[0] == 6 for offsets in seen.values()),
              f"x, now owning all 4 partitions, fetches each from the committed offset 6 (and pauses there): {seen}")
        # … records are produced meanwhile, and a new consumer in the group takes y's place.
        produce(40, 20)
        y2 = KafkaPythonMember("y2", bootstrap, group, topic, limit)
        members.append(y2)
        owners = wait_for("x and y2 to share the partitions", lambda: shared([x, y2]), 30)
        wait_for("y2 to fetch its partitions", lambda: sorted(y2.since_last_assign("seen")) == owners["y2"], 20)
        seen = y2.since_last_assign("seen")
        check(all(offsets[0] == 6 for offsets in seen.values()),
              f"the restarted consumer starts exactly at the committed offset 6 of its partitions: {seen}")
        mark = time.monotonic()
        limit[0] = 1 << 62  # now everything
        wait_for("every record to be committed", lambda: committed() == {p: 15 for p in partitions}, 30)
        later = [(m.name, p, o) for m in (x, y2) for t, k, p, o in m.events if k == "consume" and t > mark]
        check(sorted((p, o) for _, p, o in later) == [(p, o) for p in partitions for o in range(6, 15)],
              "then offsets 6..14 of every partition processed exactly once: none before the commit, none skipped")
        check(all(p in owners[name] for name, p, _ in later), "each by the member owning the partition")
        x.close()
        y2.close()
        check(committed() == {p: 15 for p in partitions}, "committed offsets 15 everywhere after both closed")
    finally:
        for m in members:
            m.stop.set()
        for m in members:
            m.thread.join(20)
        producer.close()
        admin.close()


def run_groups_kafkajs(bootstrap, workdir, node_path):
    """kafkajs' consumer group: reads everything, commits, and a second run resumes."""
    import json
    from confluent_kafka import Consumer, Producer, TopicPartition
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafkajs_group_consumer.js")
    topic, group = "signups", "welcomers"
    env = dict(os.environ, NODE_PATH=node_path)
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    acked = {}

    def produce(first, count):
        for i in range(first, first + count):
            producer.produce(topic, key=f"k{i % 6}", value=f"v{i}",
                             on_delivery=lambda err, msg: err or acked.setdefault((msg.partition(), msg.offset()),
                                                                                   msg.value().decode()))
        check(producer.flush(30) == 0 and len(acked) == first + count, f"{count} records acknowledged")
        return {k: v for k, v in acked.items() if int(v[1:]) >= first}

    def consume(expected, idle_ms):
        out = subprocess.run(["node", script, bootstrap, topic, group, str(expected), str(idle_ms)],
                             capture_output=True, env=env, timeout=60)
        if out.returncode != 0:
            raise AssertionError("kafkajs failed: " + out.stderr.decode()[-3000:])
        result = json.loads(out.stdout.decode().strip().splitlines()[-1])
        joined = result["joined"]
        check(joined and sorted(joined["memberAssignment"].get(topic, [])) == [0, 1, 2],
              f"kafkajs joined the group as {joined['memberId']} (leader: {joined['isLeader']}) and was assigned "
              f"all 3 partitions, {result['seconds']:.1f} s in all")
        return [(r["partition"], r["offset"], r["value"]) for r in result["records"]]

    def committed():
        probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        tps = probe.committed([TopicPartition(topic, p) for p in range(3)], timeout=30)
        probe.close()
        return {tp.partition: tp.offset for tp in tps}

    def ends():
        return {p: 1 + max((o for q, o in acked if q == p), default=-1) for p in range(3)}

    batch = produce(0, N)  # the topic is created by the producer's metadata request (3 partitions)
    records = consume(N, 1000)
    check(sorted((p, o) for p, o, _ in records) == sorted(batch) and all(batch[(p, o)] == v for p, o, v in records),
          f"kafkajs read all {N} records once each, from the beginning")
    check(committed() == ends(), f"its commits are the ends of the partitions {ends()}")
    check(consume(0, 3000) == [], "a second run in the group reads nothing old (3 s after joining)")
    batch = produce(N, 15)
    records = consume(15, 1000)
    check(sorted((p, o) for p, o, _ in records) == sorted(batch) and all(batch[(p, o)] == v for p, o, v in records),
          "a third run reads exactly the 15 records produced since: it resumed at the committed offsets")
    check(committed() == ends(), f"and committed the new ends {ends()}")


def run_groups_kcat(bootstrap, workdir):
    """kcat's balanced consumer (-G): reads everything, commits on the way out, and the
    next kcat in the group starts where it stopped."""
    import json
    from confluent_kafka import Consumer, TopicPartition
    topic, group = "pageviews", "kcat-readers"
    sent = {}

    def produce(first, count):
        lines = "".join(f"k{i % 6}:v{i}\n" for i in range(first, first + count))
        subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", topic, "-K", ":", "-X", "acks=all"],
                       input=lines.encode(), check=True, timeout=60)
        sent.update({f"v{i}": i for i in range(first, first + count)})

    def consume(bound):
        # -e in balanced consumer mode: exit once every assigned partition reached its end.
        # -c bounds the count, the timeout the time. Offsets are auto-committed (librdkafka's
        # default) and committed once more when kcat closes the consumer on exit.
        out = subprocess.run(["kcat", "-b", bootstrap, "-G", group, topic, "-e", "-c", str(bound),
                              "-X", "auto.offset.reset=earliest", "-f", "%p %o %s\n"],
                             capture_output=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"kcat -G failed ({out.returncode}): {out.stderr.decode()[-2000:]}")
        err = out.stderr.decode()
        check("assigned:" in err and "exiting" in err,
              "kcat joined the group, was assigned partitions and exited at the end: "
              + next((line for line in err.splitlines() if "assigned:" in line), ""))
        return [(int(p), int(o), v) for p, o, v in (line.split(" ") for line in out.stdout.decode().splitlines())]

    def committed():
        probe = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        tps = probe.committed([TopicPartition(topic, p) for p in range(3)], timeout=30)
        probe.close()
        return {tp.partition: tp.offset for tp in tps}

    produce(0, N)
    first = consume(N + 1)
    check(sorted(int(v[1:]) for _, _, v in first) == list(range(N)), f"the first kcat -G read all {N} records once")
    ends = {p: 1 + max(o for q, o, _ in first if q == p) for p in range(3)}
    check(committed() == ends, f"and committed the ends of the partitions {ends}")
    check(consume(N + 1) == [], "a second kcat -G in the group reads nothing")
    produce(N, 20)
    third = consume(N + 1)
    check(sorted(int(v[1:]) for _, _, v in third) == list(range(N, N + 20)),
          "a third reads exactly the 20 records produced since")
    check(all(o >= ends[p] for p, o, _ in third), "each from the committed offset on")
    out = subprocess.run(["kcat", "-b", bootstrap, "-L", "-J"], capture_output=True, check=True, timeout=60)
    meta = json.loads(out.stdout.decode())
    topics = {t["topic"]: len(t["partitions"]) for t in meta["topics"]}
    check(topics.get(topic) == 3 and len(meta["brokers"]) == 1,
          f"kcat -L still lists the broker and the topics: {sorted(topics.items())}")


def run_groups_restart(bootstrap, workdir, broker):
    """Committed offsets survive kill -9: after the restart, the group resumes exactly there.

    Also the group APIs an operator uses: ListGroups and DescribeGroups through
    confluent_kafka's AdminClient.list_groups() (Debian's 1.7 has no
    list_consumer_groups/describe_consumer_groups yet; list_groups sends exactly those
    two requests) and through kafka-python's KafkaAdminClient, and OffsetFetch for the
    whole group through its list_consumer_group_offsets().
    """
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic
    from kafka.admin import KafkaAdminClient
    topic, group = "durable-orders", "fulfilment"
    chosen = {0: 4, 1: 7, 2: 10}  # what the group commits: mid-way, further on, the end
    admin = AdminClient({"bootstrap.servers": bootstrap})
    check(admin.create_topics([NewTopic(topic, 3, 1)])[topic].result(timeout=30) is None, "topic with 3 partitions")
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for i in range(30):
        producer.produce(topic, partition=i % 3, key=f"k{i}", value=f"v{i}")
    check(producer.flush(30) == 0, "30 records acknowledged, 10 per partition")
    del producer

    def member():
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                      "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000})
        c.subscribe([topic])
        return c

    def read(c, count, timeout=30):
        records, deadline = [], time.monotonic() + timeout
        while len(records) < count and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                records.append((m.partition(), m.offset()))
        return records

    def described(state, members):
        found = admin.list_groups(timeout=30)
        mine = [g for g in found if g.id == group]
        if len(mine) != 1 or mine[0].state != state or len(mine[0].members) != members:
            return None
        return mine[0]

    c = member()
    records = read(c, 30)
    check(sorted(records) == [(p, o) for p in range(3) for o in range(10)], "a group member read all 30")
    g = wait_for("DescribeGroups to show one member, Stable", lambda: described("Stable", 1), 20, 0.5)
    check(g.protocol_type == "consumer" and g.protocol in ("range", "roundrobin") and g.members[0].client_id,
          f"list_groups: group {g.id} {g.state}, protocol {g.protocol_type}/{g.protocol}, "
          f"member {g.members[0].id} ({g.members[0].client_id}@{g.members[0].client_host})")
    result = c.commit(offsets=[TopicPartition(topic, p, o) for p, o in chosen.items()], asynchronous=False)
    check(all(tp.error is None for tp in result), f"committed {chosen} (OffsetCommit)")
    c.close()
    g = wait_for("DescribeGroups to show the group Empty", lambda: described("Empty", 0), 20, 0.5)
    check(True, f"after close(): {g.id} {g.state}, no members")
    admin = None  # no client left to reconnect while the broker is away

    broker.stop(signal.SIGKILL)
    check(True, "broker killed with SIGKILL")
    bootstrap = broker.start()
    admin = AdminClient({"bootstrap.servers": bootstrap})
    g = wait_for("the group after the restart", lambda: described("Empty", 0), 20, 0.5)
    check(True, f"after the restart list_groups shows {g.id} ({g.state}, protocol type {g.protocol_type!r})")
    kp_admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        listed = kp_admin.list_consumer_groups()
        check((group, "consumer") in listed, f"kafka-python's ListGroups: {listed}")
        offsets = {tp.partition: om.offset for tp, om in kp_admin.list_consumer_group_offsets(group).items()}
        check(offsets == chosen, f"kafka-python's OffsetFetch for the whole group: {offsets}")
        c = member()
        probe = c.committed([TopicPartition(topic, p) for p in range(3)], timeout=30)
        check({tp.partition: tp.offset for tp in probe} == chosen, "librdkafka's OffsetFetch: the same")
        expected = [(p, o) for p in range(3) for o in range(chosen[p], 10)]
        records = read(c, len(expected))
        records += read(c, 1, timeout=1.5)  # anything more would arrive now
        check(sorted(records) == expected,
              f"a new member resumed exactly at the committed offsets: read {len(records)} records, "
              "none before them, none skipped")
        d = kp_admin.describe_consumer_groups([group])[0]
        check(d.group == group and d.state == "Stable" and len(d.members) == 1 and d.protocol_type == "consumer",
              f"kafka-python's DescribeGroups: {d.state}, protocol {d.protocol}, {len(d.members)} member")
        c.close()
    finally:
        kp_admin.close()
    return bootstrap
def run_groups_static(bootstrap, workdir):
    """Static membership (KIP-345): a member's process restarts and nobody rebalances.

    Two librdkafka members with a group.instance.id each share 4 partitions. One is
    closed — a static member sends no LeaveGroup — and a new process with the same
    instance id starts at once, well within the 10 s session timeout. It must get the
    same generation and the same partitions, resume at the committed offsets, and the
    other member must see no revoke and no new assignment, neither then nor when the old
    process's session would have run out.
    """
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    topic, group, partitions, session_ms = "static-orders", "static-workers", range(4), 10_000
    admin = AdminClient({"bootstrap.servers": bootstrap})
    check(admin.create_topics([NewTopic(topic, 4, 1)])[topic].result(timeout=30) is None, "topic with 4 partitions")
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})

    def produce(first, count):
        for i in range(first, first + count):
            producer.produce(topic, partition=i % 4, value=f"v{i}")
        check(producer.flush(30) == 0, f"records v{first}..v{first + count - 1} acknowledged")

    def consumed(member):
        return {(int(f[0]), int(f[1])) for _, kind, f in member.events() if kind == "consume"}

    def assigns(member):
        return [(int(f[0]), f[1], frozenset(partition_list(f[2]))) for _, kind, f in member.events() if kind == "assign"]

    def rebalance_events(member):
        return [kind for _, kind, _ in member.events() if kind in ("revoke", "lost")]

    produce(0, 40)
    members = []
    try:
        a = GroupMember("a", bootstrap, group, topic, workdir, ("instance-a", session_ms))
        b = GroupMember("b", bootstrap, group, topic, workdir, ("instance-b", session_ms))
        members += [a, b]
        gen, owners = wait_for("a generation shared by a and b",
                               lambda: stable_assignment([a, b], partitions, 0), 30)
        check(owners["a"] and owners["b"], f"generation {gen}: {owners}")
        wait_for("all 40 records consumed", lambda: len(consumed(a) | consumed(b)) == 40, 30)
        wait_for("a's last commit", lambda: sum(1 for _, k, _ in a.events() if k == "commit") == len(consumed(a)), 10)
        old_member = assigns(a)[-1][1]

        # The restart: a closes (no LeaveGroup) and a new process takes its instance id.
        closed_at = time.monotonic()
        check(a.close() == 0, "static member a closed its consumer and exited")
        a2 = GroupMember("a2", bootstrap, group, topic, workdir, ("instance-a", session_ms))
        members.append(a2)
        got = wait_for("the restarted member's assignment", lambda: assigns(a2), 20)
        rejoined_after = time.monotonic() - closed_at
        check(rejoined_after < session_ms / 1000, f"rejoined {rejoined_after:.1f} s after the close, within the session")
        a2_gen, a2_member, a2_parts = got[0]
        check(a2_gen == gen, f"the restarted member is in the same generation {gen}: no rebalance")
        check(a2_parts == owners["a"], f"… with the same partitions {sorted(a2_parts)}")
        check(a2_member != old_member, f"… under a new member id ({old_member} → {a2_member})")
        check(assigns(b) == [(gen, assigns(b)[0][1], owners["b"])] and not rebalance_events(b),
              "the other member saw no revoke and no new assignment")

        # It resumes exactly where the old process committed, and both read what is new.
        produce(40, 8)
        wait_for("the 8 new records consumed", lambda: len(consumed(a) | consumed(a2) | consumed(b)) == 48, 30)
        check(min(o for _, o in consumed(a2)) == 10 and {p for p, _ in consumed(a2)} == owners["a"],
              "the restarted member resumed at the committed offsets: nothing read twice")

        # The old process's session would have run out by now: its member id was replaced,
        # so nothing expires and nobody rebalances.
        time.sleep(max(0.0, closed_at + session_ms / 1000 + 3 - time.monotonic()))
        check(len(assigns(a2)) == 1 and not rebalance_events(a2) and len(assigns(b)) == 1 and not rebalance_events(b),
              f"{session_ms / 1000 + 3:.0f} s after the close: still generation {gen}, no rebalance")
        described = [g for g in admin.list_groups(timeout=30) if g.id == group]
        check(len(described) == 1 and described[0].state == "Stable"
              and {m.id for m in described[0].members} == {a2_member, assigns(b)[0][1]},
              "DescribeGroups: Stable, the new member id and b; the old id is gone")
    finally:
        for m in members:
            if m.proc.poll() is None:
                m.close()


def run_large_records(bootstrap, workdir, broker_binary, node_path):
    """900 KiB records in three partitions, read with fetch.max.bytes=1000000 by every client.

    librdkafka sizes its receive buffer from fetch.max.bytes (receive.message.max.bytes
    must be at least fetch.max.bytes + 512) and drops a connection whose response is
    larger, so a broker that returns more than one oversized batch per response makes it
    retry forever. Only the first batch of the first non-empty partition may exceed the
    limit (KIP-74); every client must still read all nine records.
    """
    import json
    from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
    from kafka import KafkaConsumer, TopicPartition as KpTopicPartition
    topic, size, per_partition = "large", 900 * 1024, 3
    expected = {(p, o) for p in range(3) for o in range(per_partition)}
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0})
    acked = set()
    for i in range(3 * per_partition):
        producer.produce(topic, key=f"k{i}", value=bytes([65 + i]) * size, partition=i % 3,
                         on_delivery=lambda err, msg: err or acked.add((msg.partition(), msg.offset())))
        producer.poll(0)
    check(producer.flush(60) == 0 and acked == expected, f"{len(expected)} records of {size} bytes acknowledged")

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "large-rdkafka", "enable.auto.commit": False,
                  "fetch.max.bytes": 1_000_000, "max.partition.fetch.bytes": 20_000_000,
                  "receive.message.max.bytes": 1_000_512})
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(3)])
    got, deadline = set(), time.monotonic() + 60
    while got != expected and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            check(len(m.value()) == size, f"librdkafka: {m.partition()}/{m.offset()} whole") if not got else None
            got.add((m.partition(), m.offset()))
    c.close()
    check(got == expected, "librdkafka (fetch.max.bytes 1000000, receive.message.max.bytes 1000512) read all 9")

    kc = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                       fetch_max_bytes=1_000_000, max_partition_fetch_bytes=20_000_000)
    try:
        tps = [KpTopicPartition(topic, p) for p in range(3)]
        kc.assign(tps)
        kc.seek_to_beginning(*tps)
        got, deadline = set(), time.monotonic() + 60
        while got != expected and time.monotonic() < deadline:
            for tp, messages in kc.poll(timeout_ms=500).items():
                got.update((tp.partition, m.offset) for m in messages if len(m.value) == size)
    finally:
        kc.close()
    check(got == expected, "kafka-python (fetch_max_bytes 1000000) read all 9")

    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafkajs_group_consumer.js")
    out = subprocess.run(["node", script, bootstrap, topic, "large-kafkajs", str(len(expected)), "1000", "1000000"],
                         capture_output=True, env=dict(os.environ, NODE_PATH=node_path), timeout=90)
    if out.returncode != 0:
        raise AssertionError("kafkajs failed: " + out.stderr.decode()[-3000:])
    records = json.loads(out.stdout.decode().strip().splitlines()[-1])["records"]
    got = {(r["partition"], r["offset"]) for r in records if r["valueBytes"] == size}
    check(got == expected, "kafkajs (maxBytes 1000000) read all 9")

    out = subprocess.run([broker_binary, "consume", "--bootstrap", bootstrap, topic, "--from", "earliest",
                          "--count", str(len(expected)), "--max-bytes", "1000000",
                          "--max-partition-bytes", "20000000", "--format", "%p %o"],
                         capture_output=True, check=True, timeout=60).stdout.decode()
    got = {tuple(int(x) for x in line.split()) for line in out.splitlines()}
    check(got == expected, "the course's client (--max-bytes 1000000) read all 9")


def run_compaction_compressed(bootstrap, workdir, broker_binary):
    """Compaction looks inside compressed batches and recompresses what it keeps.

    Each round writes one batch per topic: the ten keys k0..k9 again and one key of its
    own (once-<round>), which nothing overwrites. Once the cleaner has run, every batch
    of the old rounds must have lost its k-records and kept its once-record —
    recompressed with the topic's codec — and the last round, alone in the active
    segment after a time roll, holds each k's latest value.

    The producers: librdkafka for zstd, kafka-python for gzip. librdkafka 2.0.2 compresses
    with gzip, snappy or lz4 only for a broker whose Produce versions reach down to v0-v2
    (the legacy message formats), which this broker does not speak; it would send those
    batches uncompressed (the `log dump` check below would notice).
    """
    from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
    from confluent_kafka.admin import AdminClient, NewTopic
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition as KpTopicPartition
    codecs, rounds, pad = ("zstd", "gzip"), 30, "compressible " * 8
    admin = AdminClient({"bootstrap.servers": bootstrap})
    settings = {"cleanup.policy": "compact", "segment.bytes": "2048", "segment.ms": "1000",
                "min.cleanable.dirty.ratio": "0.01"}
    topics = [NewTopic(f"compacted-{codec}", 1, 1, config=settings) for codec in codecs]
    for topic, future in admin.create_topics(topics).items():
        check(future.result(timeout=30) is None, f"compacted topic {topic} created")

    def rounds_of_records():
        for r in range(rounds + 1):
            if r == rounds:
                time.sleep(1.5)  # segment.ms: the last round starts a segment of its own
            batch = [(f"k{i}", f"round{r}-k{i}-{pad}") for i in range(10)]
            if r < rounds:
                batch.append((f"once-{r}", f"once-{r}-{pad}"))
            yield r, batch

    latest = {codec: {} for codec in codecs}  # key -> (offset, value) of its latest record
    written = rounds * 11 + 10
    # zstd from librdkafka: a long linger and a flush per round make each round one batch.
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "compression.type": "zstd",
                         "linger.ms": 1000})
    acked = []

    def delivered(err, msg):
        acked.append(err is None)
        if err is None:
            latest["zstd"][msg.key().decode()] = (msg.offset(), msg.value().decode())

    for r, batch in rounds_of_records():
        for key, value in batch:
            producer.produce("compacted-zstd", key=key, value=f"zstd-{value}", on_delivery=delivered)
        check(producer.flush(30) == 0, f"zstd round {r} flushed")
    check(len(acked) == written and all(acked), f"{written} zstd records acknowledged by librdkafka")
    # gzip from kafka-python, the same way.
    kp_producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip", linger_ms=1000)
    for r, batch in rounds_of_records():
        futures = [(key, f"gzip-{value}", kp_producer.send("compacted-gzip", key=key.encode(),
                                                          value=f"gzip-{value}".encode())) for key, value in batch]
        kp_producer.flush(30)
        for key, value, future in futures:
            latest["gzip"][key] = (future.get(timeout=30).offset, value)
    kp_producer.close()
    check(len(latest["gzip"]) == 10 + rounds, f"{written} gzip records acknowledged by kafka-python")

    def dump(codec):
        """The lines of `log dump` over the partition's segments, or None when the dump
        failed because the cleaner swapped a segment between the listing and the reading
        (the broker is working, not broken; the caller looks again, until its deadline)."""
        log_dir = os.path.join(workdir, "logs", f"compacted-{codec}-0")
        segments = sorted(os.path.join(log_dir, f) for f in os.listdir(log_dir) if f.endswith(".log"))
        out = subprocess.run([broker_binary, "log", "dump", *segments], capture_output=True, timeout=60)
        if out.returncode != 0:
            print("log dump, looking again:", out.stderr.decode().strip()[-300:])
            return None
        return out.stdout.decode().splitlines()

    def count_of(line):
        return int(line.split(" count: ")[1].split()[0])

    for codec in codecs:
        # The cleaner runs once a second; it is done when the sealed segments hold no
        # record of a k-key, i.e. only the once-records, one per batch of the old rounds.
        final_first = min(offset for key, (offset, _) in latest[codec].items() if key.startswith("k"))
        sealed = []

        def cleaned():
            nonlocal sealed
            lines = dump(codec)
            if lines is None:
                return False
            sealed = [line for line in lines if "baseOffset:" in line
                      and int(line.split("baseOffset: ")[1].split()[0]) < final_first]
            return sum(count_of(line) for line in sealed) == rounds

        wait_for(f"the cleaner to compact compacted-{codec}", cleaned, 60, interval=0.5)
        thinned = [line for line in sealed if count_of(line) > 0]
        check(len(thinned) == rounds and all(f"compresscodec: {codec}" in line for line in thinned),
              f"{codec}: {len(thinned)} thinned batches, each recompressed as {codec} "
              f"(found {sorted({line.split('compresscodec: ')[1].split()[0] for line in thinned})})")

        expected = sorted((offset, key, value) for key, (offset, value) in latest[codec].items())
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
        c.assign([TopicPartition(f"compacted-{codec}", 0, OFFSET_BEGINNING)])
        got, deadline = [], time.time() + 30
        while len(got) < len(expected) and time.time() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got.append((m.offset(), m.key().decode(), m.value().decode()))
        time.sleep(0.5)  # anything more would be an old value
        while (m := c.poll(0.2)) is not None:
            if not m.error():
                got.append((m.offset(), m.key().decode(), m.value().decode()))
        c.close()
        check(got == expected, f"librdkafka reads only the latest value of each of {len(expected)} {codec} keys, "
              f"at their original offsets (read {len(got)})")
        kp = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                           consumer_timeout_ms=5000)
        kp.assign([KpTopicPartition(f"compacted-{codec}", 0)])
        got = [(m.offset, m.key.decode(), m.value.decode()) for m in kp]
        kp.close()
        check(got == expected, f"kafka-python reads the same {codec} records")




# The scenarios added after chapter 2, each with the broker settings it needs (besides
# num.partitions=3).
LATER_SCENARIOS = {
    # A lone member's first join waits group.initial.rebalance.delay.ms (3 s by default)
    # for company. The scenarios with several members keep Kafka's default; those whose
    # members come one at a time set it to 0, only for speed.
    "groups-confluent": (),
    "groups-kafka-python": (),
    "groups-kafkajs": ("group.initial.rebalance.delay.ms=0",),  # three lone runs, one after the other
    "groups-kcat": ("group.initial.rebalance.delay.ms=0",),     # the same
    "groups-restart": ("group.initial.rebalance.delay.ms=0",),  # one lone member before the kill, one after
    "groups-static": (),  # two members started together
    "large-records": ("group.initial.rebalance.delay.ms=0",),   # kafkajs reads as a lone group member
    "compaction-compressed": (),
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
            elif args.client == "groups-confluent":
                run_groups_confluent(bootstrap, workdir)
            elif args.client == "groups-kafka-python":
                run_groups_kafka_python(bootstrap, workdir)
            elif args.client == "groups-kafkajs":
                run_groups_kafkajs(bootstrap, workdir, args.node_path)
            elif args.client == "groups-kcat":
                run_groups_kcat(bootstrap, workdir)
            elif args.client == "groups-restart":
                run_groups_restart(bootstrap, workdir, broker)
            elif args.client == "groups-static":
                run_groups_static(bootstrap, workdir)
            elif args.client == "large-records":
                run_large_records(bootstrap, workdir, args.broker, args.node_path)
            elif args.client == "compaction-compressed":
                run_compaction_compressed(bootstrap, workdir, args.broker)
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
