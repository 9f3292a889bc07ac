#!/usr/bin/python3
# generated from tests/integration/confluent_group_member.py; edit there
"""tests/integration/confluent_group_member.py — one member of a consumer group (librdkafka).

Run by real_clients.py --client groups-confluent, one process per member, so that the
test can stop a member cleanly (SIGTERM: the member closes its consumer, which revokes
its partitions and sends LeaveGroup) or kill it with SIGKILL (no goodbye at all: the
coordinator must notice the silence after session.timeout.ms). SIGUSR1 makes the member
stop committing (it goes on processing), so that a member killed afterwards certainly
leaves processed but uncommitted records behind.

    confluent_group_member.py BOOTSTRAP GROUP TOPIC OUT_FILE [INSTANCE_ID [SESSION_TIMEOUT_MS]]

With INSTANCE_ID the member is static (group.instance.id, KIP-345): closing it sends no
LeaveGroup, and a new process with the same instance id that joins within the session
timeout (6000 ms unless SESSION_TIMEOUT_MS says otherwise) takes over its partitions.

Appends one line per event to OUT_FILE, flushed at once (a killed member leaves at most
one torn last line, which the reader ignores). Every line starts with time.monotonic()
— CLOCK_MONOTONIC is one clock for every process of the machine, so the test can order
events of different members:

    T start
    T assign GEN MEMBER_ID P,P,...     on_assign: this member owns these from now on
    T revoke GEN P,P,...               on_revoke: … and no longer (eager protocol: all)
    T lost GEN P,P,...                 on_lost: the assignment was taken away
    T consume P OFFSET VALUE           a record processed
    T commit P OFFSET                  OffsetCommit of OFFSET (next to read) acknowledged
    T commit-failed P OFFSET ERROR
    T hold-commits                     SIGUSR1 arrived: no commits from now on
    T closed

GEN and MEMBER_ID come from consumer_group_metadata(): Debian's confluent-kafka (1.7)
has no memberid(), but the metadata it hands out for transactions is librdkafka's
serialized form: b"CGMDv2:", the generation as a native int32, then the NUL-terminated
group id and member id.

Offsets are committed by hand (enable.auto.commit=false), synchronously, after every
record — so a member that is stopped cleanly has committed all it processed, and one
that is killed has at most the record in hand uncommitted (or, after SIGUSR1, all it
processed since then).
"""
import signal
import struct
import sys
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition

MAX_LIFETIME_S = 150  # never outlive a broken test run


def group_metadata(consumer):
    raw = consumer.consumer_group_metadata()
    magic = b"CGMDv2:"
    if not isinstance(raw, bytes) or not raw.startswith(magic):
        return -1, "?"
    (generation,) = struct.unpack_from("=i", raw, len(magic))
    rest = raw[len(magic) + 4:]
    _group, member, _ = rest.split(b"\0", 2)
    return generation, member.decode() or "-"


def main():
    bootstrap, group, topic, out_path = sys.argv[1:5]
    instance = sys.argv[5] if len(sys.argv) > 5 else None
    session_ms = int(sys.argv[6]) if len(sys.argv) > 6 else 6000
    out = open(out_path, "a", buffering=1)

    def log(line):
        out.write(f"{time.monotonic():.6f} {line}\n")
        out.flush()

    stop, hold = [], []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGUSR1, lambda *_: hold.append(True))

    def parts(partitions):
        return ",".join(str(tp.partition) for tp in sorted(partitions, key=lambda tp: tp.partition)) or "-"

    def on_assign(c, partitions):
        generation, member = group_metadata(c)
        log(f"assign {generation} {member} {parts(partitions)}")

    def on_revoke(c, partitions):
        log(f"revoke {group_metadata(c)[0]} {parts(partitions)}")

    def on_lost(c, partitions):
        log(f"lost {group_metadata(c)[0]} {parts(partitions)}")

    config = {
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "client.id": out_path.rsplit("/", 1)[-1],
        "session.timeout.ms": session_ms,
        "heartbeat.interval.ms": 1000,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "broker.address.family": "v4",
    }
    if instance:
        config["group.instance.id"] = instance
    consumer = Consumer(config)
    log("start")
    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    deadline = time.monotonic() + MAX_LIFETIME_S
    while not stop and time.monotonic() < deadline:
        # poll() hands out one record at a time and runs the rebalance callbacks in
        # between, so each record is logged and committed before the next event is seen.
        m = consumer.poll(0.2)
        if hold == [True]:
            log("hold-commits")
            hold.append(True)
        if m is None or m.error():
            continue
        log(f"consume {m.partition()} {m.offset()} {m.value().decode()}")
        if hold:
            continue
        try:
            result = consumer.commit(offsets=[TopicPartition(topic, m.partition(), m.offset() + 1)],
                                     asynchronous=False)
            errors = [tp.error for tp in result if tp.error]
            if errors:
                log(f"commit-failed {m.partition()} {m.offset() + 1} {errors[0]}")
            else:
                log(f"commit {m.partition()} {m.offset() + 1}")
        except KafkaException as e:
            log(f"commit-failed {m.partition()} {m.offset() + 1} {e.args[0].name()}")
    consumer.close()  # revokes (on_revoke) and leaves the group — unless the member is static
    log("closed")


if __name__ == "__main__":
    main()
