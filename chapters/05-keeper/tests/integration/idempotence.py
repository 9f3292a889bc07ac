#!/usr/bin/python3
# generated from tests/integration/idempotence.py; edit there
"""tests/integration/idempotence.py — a lost produce response, and librdkafka's retry.

The idempotent producer exists for one situation: the broker appended a batch, and the
answer never reached the producer. This test creates exactly that. A small TCP proxy sits
between librdkafka (python3-confluent-kafka, enable.idempotence=true) and the broker; the
broker advertises the proxy's address, so every connection goes through it. The first
Produce response that comes back is swallowed and both connections are cut. librdkafka
reconnects and sends the batch again with the same producer id and sequence numbers; the
broker must recognise the retry, answer with the original offsets, and not append it a
second time. The test then reads the partition with the broker's own `log dump`: every
record exactly once, in order.

Must run under Debian's /usr/bin/python3 (the only interpreter that sees the Debian
client packages). Every wait is bounded; only 127.0.0.1 is used; everything started is
stopped.
"""
import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

N = 200


class Proxy:
    """Forwards 127.0.0.1 connections to the broker; drops the first Produce response."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.target = None
        self.lock = threading.Lock()
        self.produce_correlations = set()
        self.dropped = 0
        self.closing = False

    def start(self, broker_port):
        self.target = ("127.0.0.1", broker_port)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=10)
            except OSError:  # the broker is stopping
                client.close()
                continue
            server.settimeout(None)
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    @staticmethod
    def _read_frame(sock):
        head = b""
        while len(head) < 4:
            chunk = sock.recv(4 - len(head))
            if not chunk:
                return None
            head += chunk
        size = struct.unpack(">i", head)[0]
        body = b""
        while len(body) < size:
            chunk = sock.recv(min(65536, size - len(body)))
            if not chunk:
                return None
            body += chunk
        return head + body

    def _pump(self, src, dst, to_broker):
        try:
            while True:
                frame = self._read_frame(src)
                if frame is None:
                    break
                if to_broker:
                    api_key, _, correlation = struct.unpack(">hhi", frame[4:12])
                    if api_key == 0:
                        with self.lock:
                            self.produce_correlations.add((id(src), correlation))
                else:
                    correlation = struct.unpack(">i", frame[4:8])[0]
                    with self.lock:
                        lose = self.dropped == 0 and (id(dst), correlation) in self.produce_correlations
                        if lose:
                            self.dropped += 1
                    if lose:
                        # The broker has appended the batch; the producer will never know.
                        break
                dst.sendall(frame)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.closing = True
        self.listener.close()


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"  ok: {what}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--broker", required=True, help="path of the streamcraft program")
    args = ap.parse_args()
    from confluent_kafka import Producer

    with tempfile.TemporaryDirectory(prefix="streamcraft-idem-") as workdir:
        proxy = Proxy()
        port_file = os.path.join(workdir, "port")
        log_path = os.path.join(workdir, "broker.log")
        broker = subprocess.Popen(
            [args.broker, "broker", "--listeners", "PLAINTEXT://127.0.0.1:0", "--log-dirs",
             os.path.join(workdir, "logs"), "--port-file", port_file,
             "--set", f"advertised.listeners=PLAINTEXT://127.0.0.1:{proxy.port}",
             "--set", "group.initial.rebalance.delay.ms=0", "--set", "offsets.topic.num.partitions=1"],
            stdout=subprocess.DEVNULL, stderr=open(log_path, "w"))
        try:
            deadline = time.time() + 20
            while not (os.path.exists(port_file) and open(port_file).read().strip()):
                if time.time() > deadline or broker.poll() is not None:
                    raise RuntimeError("the broker did not start")
                time.sleep(0.05)
            proxy.start(int(open(port_file).read()))
            print(f"broker behind a proxy at 127.0.0.1:{proxy.port}")

            acked = []
            p = Producer({"bootstrap.servers": f"127.0.0.1:{proxy.port}", "enable.idempotence": True,
                          "linger.ms": 50, "message.timeout.ms": 30000})
            for i in range(N):
                p.produce("once", partition=0, value=f"v{i}".encode(),
                          on_delivery=lambda err, msg: acked.append((err, msg.offset() if msg else None)))
            check(p.flush(30) == 0, "the producer flushed within 30 s")
            check(proxy.dropped == 1, "one Produce response was lost on the way back")
            check(len(acked) == N and all(err is None for err, _ in acked), f"all {N} records acknowledged")
            check(sorted(o for _, o in acked) == list(range(N)), "acknowledged offsets are 0..N-1, each once")

            segment = os.path.join(workdir, "logs", "once-0", "00000000000000000000.log")
            out = subprocess.run([args.broker, "log", "dump", "--records", segment], capture_output=True,
                                 check=True, timeout=60).stdout.decode()
            values = [line.split("payload: ")[1].strip() for line in out.splitlines() if "payload: " in line]
            check(values == [f"v{i}" for i in range(N)], f"the log holds each of the {N} records exactly once, in order")
        except Exception as e:  # report, then stop everything
            print(f"FAILED: {e!r}")
            print("".join(open(log_path).readlines()[-30:]))
            return 1
        finally:
            proxy.close()
            broker.send_signal(signal.SIGTERM)
            try:
                broker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                broker.kill()
                broker.wait()
    print("passed: idempotence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
