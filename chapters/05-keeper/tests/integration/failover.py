#!/usr/bin/python3
# generated from tests/integration/failover.py; edit there
"""tests/integration/failover.py — real Kafka clients through a leader's crash (chapter 4).

Starts a 3-broker cluster with `streamcraft cluster start` in a fresh directory (broker 1
is the fixed controller), runs one scenario, and stops the cluster with `cluster stop`
whatever happens. Every wait is bounded in count and time; nothing but 127.0.0.1 is used.

Scenarios (--client):
  kcat, confluent, kafka-python, kafkajs, sarama
      a topic of 3 partitions with 3 replicas; the client produces with acks=all at a
      steady pace (idempotent where it can be: librdkafka, kafkajs, sarama); the leader
      of partition 0 is killed with kill -9 while it does; the client finds the new
      leader by itself and goes on until enough records are acknowledged after the kill;
      the killed broker restarts and catches up. librdkafka then reads everything back:
      every acknowledged record is there — exactly once for an idempotent producer — and
      the time from the kill to the first acknowledgement by the new leader is printed.
  groups
      a librdkafka group member commits offsets; its group coordinator (the leader of
      the group's __consumer_offsets partition) is killed with kill -9; the member goes on
      committing to the new coordinator, and a new member of the group resumes exactly
      at the last committed offsets.
  course-groups
      the course's own group consumer (`streamcraft consume --group`) and `streamcraft
      group describe`, bootstrapped from a broker that is not the group's coordinator,
      follow FindCoordinator to it; the coordinator is killed with kill -9, more records
      are produced, and the next run follows FindCoordinator to the new coordinator and
      reads exactly the new records.
  isr
      a topic with 2 replicas and min.insync.replicas=2 whose follower reaches its leader
      only through a TCP proxy (its cluster.brokers names the proxy for the leader). The
      proxy cuts the link: the follower's fetches stop arriving while it still heartbeats
      to the controller, so it is the leader's lag rule (replica.lag.time.max.ms) that
      shrinks the ISR once an acks=1 record has left the follower behind; acks=all is
      then refused with NOT_ENOUGH_REPLICAS (acks=1 is still served). The proxy heals the
      link: the follower catches up, rejoins the ISR, and acks=all succeeds again.

The controller is fixed in chapter 4 (no election of a new one), so the broker the
scenarios kill or cut off is never broker 1: a topic whose partition 0 would put it there
is created again under another name (the placement differs per topic).

Must run under Debian's /usr/bin/python3, the only interpreter that sees the Debian
client packages. Exit status 0 on success; the last line says what was checked.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

CONTROLLER = 1
# Fast failure detection, as the chapter's lesson runs it.
FAST = ("broker.heartbeat.interval.ms=300", "broker.heartbeat.timeout.ms=2000", "replica.lag.time.max.ms=2000")
PACE_S = 0.02          # one record every 20 ms
KILL_AFTER = 100       # acknowledged records before the leader is killed
TOTAL = 400            # acknowledged records in all, at least...
AFTER_KILL_P0 = 30     # ...of which this many on partition 0 after the kill, by its new leader
MAX_RECORDS = 5000     # the producer's bound in count
PRODUCE_FOR_S = 90     # and in time
IDEMPOTENT = {"kcat": True, "confluent": True, "kafka-python": False, "kafkajs": True, "sarama": True}


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"  ok: {what}", flush=True)


def wait_for(what, condition, timeout, interval=0.2):
    """Polls condition() until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Cluster:
    """The brokers `streamcraft cluster start` runs in one directory."""

    def __init__(self, binary, workdir, settings, brokers=3):
        self.binary, self.dir, self.brokers = binary, os.path.join(workdir, "cluster"), brokers
        self.settings, self.killed = settings, set()

    def cli(self, *args, timeout=60, check_rc=True):
        out = subprocess.run([self.binary, *args], capture_output=True, timeout=timeout)
        if check_rc and out.returncode != 0:
            raise AssertionError(f"streamcraft {' '.join(args)} failed: {out.stderr.decode().strip()}")
        return out

    def start(self):
        args = ["cluster", "start", "--dir", self.dir, "--brokers", str(self.brokers)]
        for s in self.settings:
            args += ["--set", s]
        out = self.cli(*args, timeout=90).stdout.decode()
        print(out.rstrip(), flush=True)
        self.ports = {int(m[0]): int(m[1]) for m in re.findall(r"broker (\d+) 127\.0\.0\.1:(\d+)", out)}
        check(len(self.ports) == self.brokers, f"{self.brokers} brokers started, broker 1 the controller")

    def address(self, broker):
        return f"127.0.0.1:{self.ports[broker]}"

    def bootstrap(self):
        """Every broker: a client that loses one still reaches the cluster."""
        return ",".join(self.address(b) for b in sorted(self.ports))

    def live(self):
        return [b for b in sorted(self.ports) if b not in self.killed]

    def pid(self, broker):
        return int(open(os.path.join(self.dir, f"broker-{broker}", "pid")).read())

    def kill(self, broker):
        self.cli("cluster", "kill", "--dir", self.dir, "--broker", str(broker))
        self.killed.add(broker)

    def restart(self, broker):
        self.cli("cluster", "restart", "--dir", self.dir, "--broker", str(broker), timeout=60)
        self.killed.discard(broker)

    def stop(self):
        if os.path.isdir(self.dir):
            subprocess.run([self.binary, "cluster", "stop", "--dir", self.dir], capture_output=True, timeout=120)

    def create_topic(self, name, partitions, rf):
        self.cli("topic", "create", "--bootstrap", self.address(CONTROLLER), name, "--partitions", str(partitions),
                 "--replication-factor", str(rf))

    def describe(self, topic):
        """{partition: {leader, epoch, replicas, isr, ends: {replica: log end or None}}} from `topic describe`,
        asked of the controller (never killed), or None if it could not answer."""
        try:
            out = self.cli("topic", "describe", "--bootstrap", self.address(CONTROLLER), topic, timeout=30,
                           check_rc=False)
        except subprocess.TimeoutExpired:
            return None
        if out.returncode != 0:
            return None
        parts, current = {}, None
        for line in out.stdout.decode().splitlines():
            if m := re.match(r"\s*partition (\d+): leader (-?\d+), offsets (-?\d+)\.\.(-?\d+)", line):
                current = parts.setdefault(int(m[1]), {"leader": int(m[2]), "end": int(m[4]), "ends": {}})
            elif line.strip().startswith("partition"):
                return None  # a partition whose leader cannot answer yet
            elif current is None:
                continue  # "topic T: N partition(s)"
            elif m := re.match(r"\s*leader epoch (-?\d+), replicas \[([\d,]*)\], isr \[([\d,]*)\]", line):
                current["epoch"] = int(m[1])
                current["replicas"] = [int(x) for x in m[2].split(",") if x]
                current["isr"] = [int(x) for x in m[3].split(",") if x]
            elif m := re.match(r"\s*replica (\d+): (.*)", line):
                end = re.match(r"log end (\d+)", m[2])
                current["ends"][int(m[1])] = int(end[1]) if end else None
        return parts

    def settled(self, topic, partitions, rf):
        """The topic's description once every partition has a leader and a full ISR whose log ends agree."""
        d = self.describe(topic)
        if not d or len(d) != partitions:
            return None
        for p in d.values():
            if p["leader"] < 0 or p["end"] < 0 or len(p.get("isr", [])) != rf or len(p["ends"]) != rf:
                return None
            if len(set(p["ends"].values())) != 1 or None in p["ends"].values():
                return None
        return d

    def metadata(self, topic):
        """{partition: (leader, isr)} from a Metadata request to the controller (librdkafka's admin client).
        `topic describe` also asks every replica for its log end, and an unreachable replica never answers."""
        from confluent_kafka.admin import AdminClient
        admin = AdminClient({"bootstrap.servers": self.address(CONTROLLER)})
        try:
            t = admin.list_topics(topic, timeout=10).topics[topic]
        except Exception:
            return None
        if t.error is not None:
            return None
        return {p: (m.leader, sorted(m.isrs)) for p, m in t.partitions.items()}

    def log_tail(self, broker, lines=25):
        path = os.path.join(self.dir, f"broker-{broker}", "broker.log")
        return "".join(open(path, errors="replace").readlines()[-lines:]) if os.path.exists(path) else ""


def topic_led_away_from_controller(cluster, base, partitions, rf, avoid):
    """Creates base-1, base-2, … until avoid(description of partition 0) is false; returns (name, description)."""
    for attempt in range(1, 11):
        name = f"{base}-{attempt}"
        cluster.create_topic(name, partitions, rf)
        d = wait_for(f"topic {name} to have leaders and full ISRs", lambda: cluster.settled(name, partitions, rf), 30)
        if not avoid(d[0]):
            return name, d
        print(f"  (topic {name}: partition 0 {d[0]['replicas']} involves the controller; another topic)")
    raise AssertionError("ten topics in a row placed partition 0 on the controller")


# ---------------------------------------------------------------------------------------
# A link between two brokers that the test can cut.

class Proxy:
    """Relays TCP connections from 127.0.0.1:<port> to a target; cut() holds every byte.

    A cut is a partition as the network makes one, not a closed connection: nothing is
    refused or reset, bytes simply stop arriving, so the sender learns of it only by its
    own timeouts. Held bytes are delivered, in order, after heal() — nothing is dropped
    mid-stream, which would corrupt the framing the two sides share.
    """

    def __init__(self, target_port):
        import socket
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.closing = threading.Event()
        self.sockets, self.threads = [], []
        self.lock = threading.Lock()
        self._spawn(self._accept)

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def _accept(self):
        import socket
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            # A connection made while the link is cut waits, as a SYN lost in the network
            # would; it is joined to the target when the link heals.
            while not self.flowing.wait(0.2):
                if self.closing.is_set():
                    break
            if self.closing.is_set():
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            self._spawn(self._relay, client, upstream)
            self._spawn(self._relay, upstream, client)

    def _relay(self, src, dst):
        try:
            src.settimeout(0.2)
        except OSError:
            return  # closed by close() as this thread started
        while not self.closing.is_set():
            if not self.flowing.wait(0.2):
                continue  # cut: leave the bytes in the kernel's buffers
            try:
                data = src.recv(65536)
            except (TimeoutError, OSError) as e:
                if isinstance(e, TimeoutError) or "timed out" in str(e):
                    continue
                break
            if not data:
                break
            while not self.flowing.wait(0.2):  # read just as the cut came: hold it
                if self.closing.is_set():
                    return
            try:
                dst.sendall(data)
            except OSError:
                break
        # One side ended: end the other too, as a real connection between them would.
        for sock in (src, dst):
            try:
                sock.shutdown(2)
            except OSError:
                pass

    def cut(self):
        self.flowing.clear()

    def heal(self):
        self.flowing.set()

    def close(self):
        self.closing.set()
        self.flowing.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.close()
                except OSError:
                    pass
        for t in self.threads:
            t.join(timeout=2)


# ---------------------------------------------------------------------------------------
# Producing through a leader's crash.

class Acks:
    """Acknowledged records as the producer reports them, with when they arrived."""

    def __init__(self):
        self.lock, self.acked, self.errors = threading.Lock(), [], []

    def ack(self, partition, value, offset=-1):
        with self.lock:
            self.acked.append((time.monotonic(), int(partition), value, int(offset)))

    def error(self, value, what):
        with self.lock:
            self.errors.append((time.monotonic(), value, what))

    def count(self):
        with self.lock:
            return len(self.acked)

    def since(self, t, partition=None):
        with self.lock:
            return [a for a in self.acked if a[0] >= t and (partition is None or a[1] == partition)]


def line_reader(stream, acks):
    """Reads 'ack <partition> <offset> <value>' and 'err <value> <what>' lines of a producer program."""
    for raw in stream:
        line = raw.decode(errors="replace").rstrip("\n")
        fields = line.split(" ", 3)
        if fields[0] == "ack" and len(fields) == 4:
            acks.ack(fields[1], fields[3], fields[2])
        elif fields[0] == "err":
            acks.error(fields[1] if len(fields) > 1 else "?", line)


class ProgramProducer:
    """A producer program (kafkajs, sarama) that reports on stdout and stops when its stdin closes."""

    def __init__(self, argv, acks, workdir, name, env=None):
        self.stderr_path = os.path.join(workdir, f"{name}.stderr")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(self.stderr_path, "w"), env=env)
        self.reader = threading.Thread(target=line_reader, args=(self.proc.stdout, acks), daemon=True)
        self.reader.start()

    def stop(self, timeout=60):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the producer did not finish within {timeout} s of being told to stop")
        self.reader.join(timeout=10)
        if self.proc.returncode != 0:
            raise AssertionError(f"the producer exited with {self.proc.returncode}: "
                                 + open(self.stderr_path).read()[-2000:])


class ThreadProducer:
    """A producer loop in a thread of this process; run(stop_event) returns when told or bounded."""

    def __init__(self, run):
        self.stop_event, self.failure = threading.Event(), None

        def body():
            try:
                run(self.stop_event)
            except Exception as e:  # reported by stop()
                self.failure = e
        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()

    def stop(self, timeout=60):
        self.stop_event.set()
        self.thread.join(timeout=timeout)
        if self.thread.is_alive():
            raise AssertionError(f"the producer did not finish within {timeout} s of being told to stop")
        if self.failure:
            raise AssertionError(f"the producer failed: {self.failure!r}")


def values():
    """v0, v1, … at the steady pace, record i to partition i % 3, within the producer's bounds."""
    deadline = time.monotonic() + PRODUCE_FOR_S
    for i in range(MAX_RECORDS):
        if time.monotonic() > deadline:
            return
        yield i, i % 3, f"v{i}"


def confluent_producer(bootstrap, topic, acks):
    from confluent_kafka import Producer

    def run(stop):
        p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                      "linger.ms": 5, "message.timeout.ms": 30000})

        def delivered(err, msg):
            if err is None:
                acks.ack(msg.partition(), msg.value().decode(), msg.offset())
            else:
                acks.error(msg.value().decode(), str(err))
        for i, part, value in values():
            if stop.is_set():
                break
            p.produce(topic, value=value, partition=part, on_delivery=delivered)
            p.poll(PACE_S)
        p.flush(40)
    return ThreadProducer(run)


def kafka_python_producer(bootstrap, topic, acks):
    from kafka import KafkaProducer

    def run(stop):
        # No idempotence in kafka-python: a retried batch may be written twice.
        p = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", retries=10, retry_backoff_ms=200,
                          linger_ms=5, request_timeout_ms=10000, max_in_flight_requests_per_connection=1)
        for i, part, value in values():
            if stop.is_set():
                break
            f = p.send(topic, value=value.encode(), partition=part)
            f.add_callback(lambda md, value=value: acks.ack(md.partition, value, md.offset))
            f.add_errback(lambda e, value=value: acks.error(value, repr(e)))
            time.sleep(PACE_S)
        p.flush(40)
        p.close(10)
    return ThreadProducer(run)


def kcat_producer(bootstrap, topic, acks):
    def run(stop):
        # One kcat process per batch of 5 records, all to one partition. With -v -v kcat
        # reports each delivery ("Message delivered to partition P (offset O)"), in the
        # order of the batch; a batch counts as acknowledged only if all of it was.
        batch, batch_no = [], 0
        for i, part, value in values():
            if stop.is_set():
                break
            batch.append(value)
            if len(batch) < 5:
                continue
            part = batch_no % 3
            out = subprocess.run(["kcat", "-v", "-v", "-b", bootstrap, "-P", "-t", topic, "-p", str(part),
                                  "-X", "acks=all", "-X", "enable.idempotence=true", "-X", "message.timeout.ms=30000"],
                                 input="".join(v + "\n" for v in batch).encode(), capture_output=True, timeout=60)
            report = out.stderr.decode(errors="replace")
            offsets = [int(o) for p, o in re.findall(r"Message delivered to partition (\d+) \(offset (-?\d+)\)", report)
                       if int(p) == part]
            if out.returncode == 0 and len(offsets) == len(batch):
                for v, o in zip(batch, offsets):
                    acks.ack(part, v, o)
            else:
                for v in batch:
                    acks.error(v, f"kcat exit {out.returncode}, {len(offsets)} of {len(batch)} delivered")
            batch, batch_no = [], batch_no + 1
            time.sleep(PACE_S)
    return ThreadProducer(run)


def kafkajs_producer(bootstrap, topic, acks, workdir, node_path):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kafkajs_failover.js")
    env = dict(os.environ, NODE_PATH=node_path)
    return ProgramProducer(["node", script, bootstrap, topic, str(MAX_RECORDS), str(PRODUCE_FOR_S),
                            str(int(PACE_S * 1000))], acks, workdir, "kafkajs", env)


def sarama_producer(bootstrap, topic, acks, workdir):
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.path.join(workdir, "sarama_failover")
    # Debian installs Go libraries as source under /usr/share/gocode: GOPATH mode, offline
    # (as real_clients.py builds sarama_client.go).
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="",
               GOCACHE=os.path.join(workdir, "gocache"), GOPROXY="off")
    build = subprocess.run(["go", "build", "-o", binary, os.path.join(here, "sarama_failover.go")],
                           capture_output=True, env=env, timeout=300)
    if build.returncode != 0:
        raise AssertionError("building the sarama producer failed: " + build.stderr.decode()[-2000:])
    return ProgramProducer([binary, bootstrap, topic, str(MAX_RECORDS), str(PRODUCE_FOR_S), str(int(PACE_S * 1000))],
                           acks, workdir, "sarama")


def read_everything(bootstrap, topic, partitions, timeout=60):
    """Every record of the topic, read with librdkafka from offset 0 to each partition's end."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "failover-check", "enable.auto.commit": False,
                  "enable.partition.eof": True})
    ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in range(partitions)}
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    records, at_end, deadline = [], {p for p, e in ends.items() if e == 0}, time.monotonic() + timeout
    while len(at_end) < partitions and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == m.error()._PARTITION_EOF and m.offset() >= ends[m.partition()]:
                at_end.add(m.partition())
            continue
        records.append((m.partition(), m.offset(), m.value().decode()))
        if m.offset() + 1 >= ends[m.partition()]:
            at_end.add(m.partition())
    c.close()
    check(len(at_end) == partitions, f"read every partition of {topic} to its end ({ends})")
    return records


def run_producer_failover(client, cluster, workdir, node_path):
    cluster.start()
    bootstrap = cluster.bootstrap()
    topic, before = topic_led_away_from_controller(cluster, "failover", 3, 3,
                                                   lambda p0: p0["leader"] == CONTROLLER)
    victim = before[0]["leader"]
    print(f"  topic {topic}: partition 0 led by broker {victim} (epoch {before[0]['epoch']}), "
          f"replicas {before[0]['replicas']}", flush=True)
    acks = Acks()
    if client == "confluent":
        producer = confluent_producer(bootstrap, topic, acks)
    elif client == "kafka-python":
        producer = kafka_python_producer(bootstrap, topic, acks)
    elif client == "kcat":
        producer = kcat_producer(bootstrap, topic, acks)
    elif client == "kafkajs":
        producer = kafkajs_producer(bootstrap, topic, acks, workdir, node_path)
    else:
        producer = sarama_producer(bootstrap, topic, acks, workdir)
    try:
        wait_for(f"{KILL_AFTER} acknowledged records before the kill", lambda: acks.count() >= KILL_AFTER, 60)
        check(len(acks.since(0, 0)) > 0, "partition 0 acknowledged records before the kill")
        killed_at = time.monotonic()
        cluster.kill(victim)
        print(f"  killed broker {victim} (kill -9) after {acks.count()} acknowledged records", flush=True)
        wait_for(f"{TOTAL} acknowledged records, {AFTER_KILL_P0} of them on partition 0 after the kill",
                 lambda: acks.count() >= TOTAL and len(acks.since(killed_at, 0)) >= AFTER_KILL_P0, PRODUCE_FOR_S)
    finally:
        producer.stop()
    first_any = acks.since(killed_at)[0][0] - killed_at
    first_p0 = acks.since(killed_at, 0)[0][0] - killed_at
    after = cluster.describe(topic)
    check(after and after[0]["leader"] not in (victim, -1) and after[0]["epoch"] > before[0]["epoch"],
          f"partition 0 has a new leader, broker {after[0]['leader']}, in epoch {after[0]['epoch']}")
    cluster.restart(victim)
    settled = wait_for(f"broker {victim} back in every ISR with the same log ends",
                       lambda: cluster.settled(topic, 3, 3), 60)
    check(all(victim in p["isr"] for p in settled.values()), f"restarted broker {victim} rejoined every ISR, "
          f"log ends {[settled[p]['ends'] for p in sorted(settled)]}")
    records = read_everything(bootstrap, topic, 3)
    acked = acks.since(0)
    stored = {}
    for part, offset, value in records:
        stored.setdefault(value, []).append((part, offset))
    missing = [a for a in acked if a[2] not in stored]
    check(not missing, f"every one of {len(acked)} acknowledged records read back (missing: {missing[:5]})")
    wrong = [a for a in acked if any(p != a[1] for p, _ in stored[a[2]])]
    check(not wrong, "each in the partition it was sent to")
    moved = [a for a in acked if (a[1], a[3]) not in stored[a[2]]]
    check(not moved, "each at the offset its acknowledgement gave")
    dupes = {v: at for v, at in stored.items() if len(at) > 1}
    if IDEMPOTENT[client]:
        check(not dupes, f"no record written twice (idempotent producer; {len(records)} records stored)")
        for p in range(3):
            order = [int(v[1:]) for v in sorted((v for v in stored if stored[v][0][0] == p),
                                               key=lambda v: stored[v][0][1])]
            acked_order = [x for x in order if f"v{x}" in {a[2] for a in acked}]
            check(acked_order == sorted(acked_order), f"partition {p}: acknowledged records in the order sent")
    else:
        print(f"  (no idempotence: {len(dupes)} record(s) written twice, allowed)")
    print(f"  {len(acks.errors)} record(s) not acknowledged (failed or timed out): allowed, none required")
    print(f"  kill -> first acknowledgement after it: {first_any:.3f} s; "
          f"kill -> first acknowledgement on partition 0's new leader: {first_p0:.3f} s", flush=True)
    return (f"{client}: {len(acked)} acknowledged records (acks=all) through kill -9 of partition 0's leader, "
            f"all read back{' exactly once' if IDEMPOTENT[client] else ''}; new leader's first ack "
            f"{first_p0:.2f} s after the kill")


# ---------------------------------------------------------------------------------------
# Group coordinator failover.

def java_string_hash(s):
    h = 0
    for ch in s.encode():
        h = (31 * h + ch) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def offsets_partition_for(group, partitions):
    h = java_string_hash(group)
    return (0 if h == -(1 << 31) else abs(h)) % partitions


OFFSETS_PARTITIONS = 3


def find_coordinator(bootstrap, group):
    """FindCoordinator, asked by kafka-python's admin client."""
    from kafka.admin import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=bootstrap.split(","), request_timeout_ms=10000)
    try:
        return admin._find_coordinator_ids([group])[group]
    except Exception as e:  # COORDINATOR_NOT_AVAILABLE while __consumer_offsets is being created or moves
        print(f"  (FindCoordinator for {group}: {e!r})")
        return None
    finally:
        admin.close()


def run_groups(cluster, workdir):
    from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
    cluster.start()
    bootstrap = cluster.bootstrap()
    topic, _ = topic_led_away_from_controller(cluster, "orders", 3, 3, lambda p0: False)
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True})
    for i in range(300):
        p.produce(topic, value=f"v{i}", partition=i % 3)
    check(p.flush(30) == 0, "300 records produced (acks=all)")
    # __consumer_offsets appears with the first FindCoordinator; then pick a group whose
    # coordinator is not the controller.
    wait_for("FindCoordinator to answer", lambda: find_coordinator(bootstrap, "probe") is not None, 30, 0.5)
    offsets = wait_for("__consumer_offsets with leaders and full ISRs",
                       lambda: cluster.settled("__consumer_offsets", OFFSETS_PARTITIONS, 3), 30)
    group = next(g for g in (f"failover-{i}" for i in range(50))
                 if offsets[offsets_partition_for(g, OFFSETS_PARTITIONS)]["leader"] != CONTROLLER)
    coordinator = offsets[offsets_partition_for(group, OFFSETS_PARTITIONS)]["leader"]
    check(find_coordinator(bootstrap, group) == coordinator,
          f"group {group}: FindCoordinator names broker {coordinator}, the leader of __consumer_offsets "
          f"partition {offsets_partition_for(group, OFFSETS_PARTITIONS)}")

    def member():
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                      "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
        c.subscribe([topic])
        return c

    def read(c, count, timeout=60):
        got, deadline = [], time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append((m.partition(), m.offset(), m.value().decode()))
        check(len(got) == count, f"read {count} records")
        return got

    def commit(c, timeout, seen):
        """Commits the member's positions, retrying while the coordinator moves; returns {partition: offset}.
        A record the retries' polls return is added to `seen`."""
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            try:
                done = c.commit(asynchronous=False)
                return {tp.partition: tp.offset for tp in done if tp.offset >= 0}
            except KafkaException as e:
                last = e
                m = c.poll(0.2)
                if m is not None and not m.error():
                    seen.append((m.partition(), m.offset(), m.value().decode()))
        raise AssertionError(f"no commit accepted within {timeout} s: {last!r}")

    ends = {p: 100 for p in range(3)}
    committed = {}  # partition → the last offset committed for it (a commit names only the partitions read since the last assignment)
    c1 = member()
    seen = read(c1, 60)
    committed.update(commit(c1, 10, seen))
    seen += read(c1, 60)
    committed.update(commit(c1, 10, seen))
    check(sum(committed.values()) == 120, f"the member committed 120 records' offsets {committed}")
    seen += read(c1, 15)  # read, never committed
    killed_at = time.monotonic()
    cluster.kill(coordinator)
    print(f"  killed broker {coordinator}, group {group}'s coordinator (kill -9)", flush=True)
    # The member goes on: a rebalance may send it back to its last commit, which re-reads
    # only what it had not committed.
    seen += read(c1, 45)
    last = commit(c1, 60, seen)
    commit_after = time.monotonic() - killed_at
    check(last, f"a commit accepted after the kill: {last}")
    committed.update(last)
    new_coordinator = wait_for("FindCoordinator to name a coordinator", lambda: find_coordinator(bootstrap, group), 30, 0.5)
    check(new_coordinator not in (coordinator, -1),
          f"FindCoordinator now names broker {new_coordinator}; the member committed {last} to it "
          f"{commit_after:.2f} s after the kill")
    tail = read(c1, 20)  # read, never committed
    c1.close()
    positions = {}
    for part, offset, _ in seen + tail:
        positions[part] = max(positions.get(part, 0), offset + 1)
    check(all(committed[part] <= positions.get(part, 0) for part in committed),
          f"nothing committed beyond what was read (committed {committed}, read up to {positions})")

    c2 = member()
    expected = sum(ends[p] - committed.get(p, 0) for p in range(3))
    got, deadline = [], time.monotonic() + 60
    while len(got) < expected and time.monotonic() < deadline:
        m = c2.poll(0.2)
        if m is not None and not m.error():
            got.append((m.partition(), m.offset()))
    quiet = time.monotonic() + 2  # anything more would be a record read twice
    while time.monotonic() < quiet:
        m = c2.poll(0.2)
        if m is not None and not m.error():
            got.append((m.partition(), m.offset()))
    fetched = {tp.partition: tp.offset for tp in c2.committed([TopicPartition(topic, p) for p in range(3)], timeout=30)}
    check(fetched == {p: committed.get(p, -1001) for p in range(3)},
          f"OffsetFetch from the new coordinator gives the last commit of each partition {fetched} (-1001: none)")
    first = {}
    for part, offset in got:
        first.setdefault(part, offset)
    check(first == {p: committed.get(p, 0) for p in range(3) if committed.get(p, 0) < ends[p]},
          f"the new member resumes exactly at the committed offsets (first offsets {first})")
    earlier = [g for g in got if g[1] < committed.get(g[0], 0)]
    check(not earlier, f"no record before the last commit read again ({earlier[:5]})")
    check(sorted(got) == sorted({(p, o) for p in range(3) for o in range(committed.get(p, 0), ends[p])}),
          f"the new member reads each of the {expected} records after the commits once, and nothing is lost")
    c2.close()
    cluster.restart(coordinator)
    wait_for(f"broker {coordinator} back in the ISRs of __consumer_offsets",
             lambda: cluster.settled("__consumer_offsets", OFFSETS_PARTITIONS, 3), 60)
    check(True, f"broker {coordinator} restarted and caught up on __consumer_offsets")
    return (f"groups: offsets committed to a coordinator killed with kill -9, then to its successor "
            f"({commit_after:.2f} s after the kill); a new member resumed at exactly the last commit")


def run_course_groups(cluster, workdir):
    """The course's own group consumer (`streamcraft consume --group`) and `group describe`
    in a cluster: bootstrapped from a broker that is not the group's coordinator, they
    follow FindCoordinator to it; after it is killed, to its successor."""
    from confluent_kafka import Producer
    cluster.start()
    topic, _ = topic_led_away_from_controller(cluster, "jobs", 3, 3, lambda p0: False)
    producer = Producer({"bootstrap.servers": cluster.bootstrap(), "acks": "all", "enable.idempotence": True})

    def produce(values):
        for i, v in enumerate(values):
            producer.produce(topic, value=v, partition=i % 3)
        check(producer.flush(30) == 0, f"{len(values)} records produced (acks=all)")

    def consume(via):
        out = cluster.cli("consume", "--bootstrap", cluster.address(via), topic, "--group", group, "--from", "earliest",
                          "--format", "%v", timeout=120)
        return out.stdout.decode().split()

    def lag(via):
        """{partition: (committed, log end)} from `streamcraft group describe`."""
        out = cluster.cli("group", "describe", "--bootstrap", cluster.address(via), group, timeout=60).stdout.decode()
        rows = re.findall(rf"^{re.escape(topic)}\s+(\d+)\s+(-|\d+)\s+(-|\d+)\s+", out, re.M)
        return {int(p): (int(c) if c != "-" else -1, int(e) if e != "-" else -1) for p, c, e in rows}

    first = [f"a{i}" for i in range(150)]
    produce(first)
    wait_for("FindCoordinator to answer", lambda: find_coordinator(cluster.bootstrap(), "probe") is not None, 30, 0.5)
    offsets = wait_for("__consumer_offsets with leaders and full ISRs",
                       lambda: cluster.settled("__consumer_offsets", OFFSETS_PARTITIONS, 3), 30)
    group = next(g for g in (f"course-{i}" for i in range(50))
                 if offsets[offsets_partition_for(g, OFFSETS_PARTITIONS)]["leader"] != CONTROLLER)
    coordinator = offsets[offsets_partition_for(group, OFFSETS_PARTITIONS)]["leader"]
    other = next(b for b in sorted(cluster.ports) if b not in (coordinator, CONTROLLER))
    print(f"  group {group}: coordinator broker {coordinator}; the CLI bootstraps from broker {other}", flush=True)
    got = consume(other)
    check(sorted(got) == sorted(first), f"consume --group via broker {other} read the 150 records once each "
          f"({len(got)} lines)")
    check(lag(other) == {p: (50, 50) for p in range(3)},
          f"group describe via broker {other}: committed = log end = 50 on each partition")

    cluster.kill(coordinator)
    print(f"  killed broker {coordinator}, the group's coordinator (kill -9)", flush=True)
    second = [f"b{i}" for i in range(150)]
    produce(second)
    # Right after the kill FindCoordinator may still name the dead broker, or answer
    # COORDINATOR_NOT_AVAILABLE: the consumer keeps asking until the new leader of the
    # group's __consumer_offsets partition answers.
    got = consume(other)
    check(sorted(got) == sorted(second), f"after the kill, consume --group read exactly the 150 new records "
          f"({len(got)} lines, {len(set(got) & set(first))} of the first 150 again)")
    new_coordinator = find_coordinator(cluster.address(other), group)
    check(new_coordinator not in (None, -1, coordinator), f"the group's coordinator is now broker {new_coordinator}")
    check(lag(CONTROLLER) == {p: (100, 100) for p in range(3)},
          "group describe via the controller: committed = log end = 100 on each partition")
    cluster.restart(coordinator)
    return (f"course-groups: the course's consumer followed FindCoordinator from broker {other} to broker "
            f"{coordinator}, then, after its kill -9, to broker {new_coordinator}; no record lost or read twice")


# ---------------------------------------------------------------------------------------
# ISR shrink and expand with min.insync.replicas=2.

def run_isr(cluster, workdir):
    from confluent_kafka import KafkaError, Producer
    from confluent_kafka.admin import AdminClient, NewTopic
    cluster.start()
    bootstrap = cluster.bootstrap()
    # Broker 2 leads, broker 3 follows; broker 1, the controller, holds no replica, so the
    # proxy stands only between the leader and its follower.
    leader, follower, topic = 2, 3, "guarded"
    proxy = Proxy(cluster.ports[leader])
    try:
        cluster.kill(follower)
        props = os.path.join(cluster.dir, f"broker-{follower}", "server.properties")
        text = open(props).read()
        direct = f"{leader}@{cluster.address(leader)}"
        check(direct in text, f"broker {follower}'s cluster.brokers names broker {leader} at {cluster.address(leader)}")
        with open(props, "w") as f:
            f.write(text.replace(direct, f"{leader}@127.0.0.1:{proxy.port}"))
        cluster.restart(follower)
        print(f"  broker {follower} reaches broker {leader} through a proxy on 127.0.0.1:{proxy.port}", flush=True)
        admin = AdminClient({"bootstrap.servers": cluster.address(CONTROLLER)})
        admin.create_topics([NewTopic(topic, 1, replica_assignment=[[leader, follower]])])[topic].result(30)
        d = wait_for(f"topic {topic} to have a leader and a full ISR", lambda: cluster.settled(topic, 1, 2), 30)
        check(d[0]["leader"] == leader and d[0]["replicas"] == [leader, follower],
              f"topic {topic}: leader {leader}, replicas {d[0]['replicas']}, ISR {d[0]['isr']}")

        def produce(value, acks_setting):
            """One record; the error code of its delivery (None when acknowledged)."""
            p = Producer({"bootstrap.servers": bootstrap, "acks": acks_setting, "retries": 0,
                          "message.timeout.ms": 5000, "enable.idempotence": False})
            result = []
            p.produce(topic, value=value, partition=0, on_delivery=lambda err, msg: result.append(err))
            p.flush(15)
            check(len(result) == 1, f"a delivery report for {value}")
            return result[0]

        check(produce("before", "all") is None, "acks=all acknowledged with both replicas in the ISR")
        cut_at = time.monotonic()
        proxy.cut()
        print(f"  cut the link from broker {follower} to broker {leader}", flush=True)
        # A follower that has everything is in sync however long it is silent (Kafka's rule):
        # the ISR shrinks once the leader holds a record the follower lacks for the lag time.
        check(produce("one-ack", 1) is None, "acks=1 served by the leader alone while the link is cut")
        wait_for("the ISR to shrink to the leader", lambda: cluster.metadata(topic) == {0: (leader, [leader])}, 30)
        check(True, f"Metadata: the ISR shrank to [{leader}] {time.monotonic() - cut_at:.2f} s after the cut "
              f"(replica.lag.time.max.ms=2000)")
        brokers = sorted(AdminClient({"bootstrap.servers": cluster.address(CONTROLLER)}).list_topics(timeout=10).brokers)
        check(follower in brokers, f"broker {follower} is still a live broker of the cluster ({brokers}): the leader, "
              f"not the controller's heartbeat deadline, removed it")
        err = produce("refused", "all")
        check(err is not None and err.code() == KafkaError.NOT_ENOUGH_REPLICAS,
              f"acks=all refused with NOT_ENOUGH_REPLICAS ({err})")
        check(produce("one-ack-again", 1) is None, "acks=1 still served by the leader alone")
        proxy.heal()
        healed_at = time.monotonic()
        print("  healed the link", flush=True)
        back = wait_for("the follower back in the ISR with the leader's log end", lambda: cluster.settled(topic, 1, 2), 30)
        check(back[0]["leader"] == leader and back[0]["isr"] == [leader, follower],
              f"topic describe: leader {leader}, ISR {back[0]['isr']} in epoch {back[0]['epoch']}, log ends {back[0]['ends']}")
        check(True, f"broker {follower} rejoined the ISR {time.monotonic() - healed_at:.2f} s after the link healed")
        wait_for("acks=all acknowledged again", lambda: (e := produce("after", "all")) is None or
                 print(f"  (acks=all: {e}; again)") or False, 30)
        check(True, "acks=all acknowledged again")
        records = read_everything(bootstrap, topic, 1)
        values = [v for _, _, v in records]
        check(all(values.count(v) == 1 for v in ("before", "one-ack", "one-ack-again", "after")),
              f"the acknowledged records are stored once each ({values})")
        check("refused" not in values, "the refused record was not written")
    finally:
        proxy.close()
    return ("isr: a follower cut off by a proxy leaves the ISR, acks=all refused with NOT_ENOUGH_REPLICAS, "
            "the link heals, it rejoins, acks=all again")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--broker", required=True, help="path of the streamcraft program")
    ap.add_argument("--client", required=True, choices=[*IDEMPOTENT, "groups", "course-groups", "isr"])
    ap.add_argument("--node-path", default="", help="node_modules folder holding kafkajs")
    args = ap.parse_args()
    settings = list(FAST) + ["min.insync.replicas=2"]
    if args.client in ("groups", "course-groups"):
        settings += [f"offsets.topic.num.partitions={OFFSETS_PARTITIONS}", "group.initial.rebalance.delay.ms=0"]
    with tempfile.TemporaryDirectory(prefix="streamcraft-failover-") as workdir:
        cluster = Cluster(os.path.abspath(args.broker), workdir, settings)
        failed = False
        try:
            print(f"cluster in {cluster.dir}, scenario {args.client}", flush=True)
            if args.client == "groups":
                summary = run_groups(cluster, workdir)
            elif args.client == "course-groups":
                summary = run_course_groups(cluster, workdir)
            elif args.client == "isr":
                summary = run_isr(cluster, workdir)
            else:
                summary = run_producer_failover(args.client, cluster, workdir, args.node_path)
        except Exception as e:  # report, then stop the cluster and fail
            failed = True
            print(f"FAILED: {e!r}")
            for b in sorted(getattr(cluster, "ports", {})):
                print(f"--- broker {b}'s broker.log (last 25 lines) ---")
                print(cluster.log_tail(b))
        finally:
            cluster.stop()
        if failed:
            return 1
    print(f"passed: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
