#!/usr/bin/python3
"""Capture golden Kafka RecordBatch v2 bytes from a real client (kcat).

Role: test-data tooling for Streamcraft.  This is NOT part of the Streamcraft
broker.  It is a tiny fake Kafka broker that speaks just enough of the wire
protocol (ApiVersions, Metadata, Produce) for `kcat -P` to produce into it,
and saves the `records` field of every Produce request byte-for-byte.  Those
bytes are what a real librdkafka client puts on the wire, so Streamcraft's
tests can check its RecordBatch decoder/CRC against them.

Re-run (needs /usr/bin/kcat; only listens on 127.0.0.1):
    python3 tools/capture_kafka_batches.py capture            # writes tests/data/kcat-batch-*.bin
    python3 tools/capture_kafka_batches.py capture kcat-batch-lz4.bin   # only that one
    python3 tools/capture_kafka_batches.py decode tests/data/kcat-batch-gzip.bin
Timestamps inside the batches come from the wall clock, so every re-capture
yields different bytes: update tests/data/kcat-batches.md when you re-capture.
"""
import gzip
import socket
import socketserver
import struct
import subprocess
import sys
import threading
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
KCAT = "/usr/bin/kcat"
TOPIC = "golden"

# (api_key, min_version, max_version) we advertise.  librdkafka only uses
# magic 2 (RecordBatch v2) when Produce >= 3 and Fetch >= 4 are supported.
# Produce must start at v0: librdkafka 2.0.2 checks "Produce v0 supported"
# before it will gzip a batch, else it logs "Broker does not support
# compression type gzip" and silently sends the batch uncompressed.
# FindCoordinator v0 (api 10) is advertised but never asked for: librdkafka 2.0.2
# ties its LZ4 feature to it (Kafka 0.10's protocol) and sends lz4 batches uncompressed
# without it. (The first three files were captured before it was listed; it changes
# nothing about them.)
API_TABLE = [(0, 0, 7), (1, 4, 11), (2, 0, 2), (3, 0, 4), (10, 0, 0), (18, 0, 2)]
UNSUPPORTED_VERSION = 35


# ---------------------------------------------------------------- wire helpers
class Reader:
    """Cursor over a big-endian byte buffer (Kafka's non-flexible encoding)."""

    def __init__(self, buf, pos=0):
        self.buf, self.pos = buf, pos

    def take(self, n):
        out = self.buf[self.pos:self.pos + n]
        if len(out) != n:
            raise ValueError("truncated input")
        self.pos += n
        return out

    def unpack(self, fmt):
        return struct.unpack(">" + fmt, self.take(struct.calcsize(">" + fmt)))[0]

    def string(self):  # int16 length, -1 = null
        n = self.unpack("h")
        return None if n < 0 else self.take(n).decode()

    def bytes_(self):  # int32 length, -1 = null
        n = self.unpack("i")
        return None if n < 0 else self.take(n)

    def varint(self):  # zigzag varint (used inside RecordBatch v2 records)
        shift = raw = 0
        while True:
            b = self.take(1)[0]
            raw |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return (raw >> 1) ^ -(raw & 1)

    def varbytes(self):  # varint length, -1 = null
        n = self.varint()
        return None if n < 0 else self.take(n)


def kstr(s):
    """Encode a Kafka nullable string (int16 length prefix)."""
    if s is None:
        return struct.pack(">h", -1)
    raw = s.encode()
    return struct.pack(">h", len(raw)) + raw


def karray(items):
    return struct.pack(">i", len(items)) + b"".join(items)


def crc32c(data):
    """CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, bit by bit."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


# ----------------------------------------------------------------- fake broker
class FakeBroker(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        self.captured = []  # (topic, partition, records bytes)
        self.lock = threading.Lock()


class Handler(socketserver.BaseRequestHandler):
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def handle(self):
        try:
            while True:
                size = struct.unpack(">i", self.recv_exact(4))[0]
                self.dispatch(Reader(self.recv_exact(size)))
        except (EOFError, ConnectionError):
            pass

    def reply(self, corr_id, body):
        # Response header v0 is just the correlation id.
        msg = struct.pack(">i", corr_id) + body
        self.request.sendall(struct.pack(">i", len(msg)) + msg)

    def dispatch(self, r):
        # Request header v1: api_key, api_version, correlation_id, client_id.
        key, ver, corr = r.unpack("h"), r.unpack("h"), r.unpack("i")
        r.string()  # client_id (also the first field of flexible header v2)
        if key == 18:
            self.api_versions(corr, ver)
        elif key == 3:
            self.metadata(r, corr, ver)
        elif key == 0:
            self.produce(r, corr, ver)
        else:
            print(f"fake broker: unexpected api_key={key} v{ver}", file=sys.stderr)
            raise EOFError  # close the connection

    def api_versions(self, corr, ver):
        table = karray([struct.pack(">hhh", *e) for e in API_TABLE])
        if ver > 2:
            # We cannot speak flexible v3: say so in a v0-format body, as
            # real brokers do.  librdkafka reads the error code, logs a parse
            # failure for the rest (it expected a flexible body) and retries
            # with ApiVersions v0.
            self.reply(corr, struct.pack(">h", UNSUPPORTED_VERSION) + table)
        else:
            throttle = struct.pack(">i", 0) if ver >= 1 else b""
            self.reply(corr, struct.pack(">h", 0) + table + throttle)

    def metadata(self, r, corr, ver):
        n = r.unpack("i")  # v1+: -1 means "all topics"
        topics = [r.string() for _ in range(max(n, 0))] or [TOPIC]
        port = self.server.port
        broker = struct.pack(">i", 0) + kstr("127.0.0.1") + struct.pack(">i", port)
        if ver >= 1:
            broker += kstr(None)  # rack
        body = struct.pack(">i", 0) if ver >= 3 else b""  # throttle_time_ms
        body += karray([broker])
        if ver >= 2:
            body += kstr("streamcraft-capture")  # cluster_id
        if ver >= 1:
            body += struct.pack(">i", 0)  # controller_id
        one = struct.pack(">i", 1) + struct.pack(">i", 0)  # int32 array [0]
        part = struct.pack(">hii", 0, 0, 0) + one + one  # err, index, leader
        if ver >= 5:
            part += struct.pack(">i", 0)  # offline_replicas: empty
        tops = []
        for name in topics:
            t = struct.pack(">h", 0) + kstr(name)
            if ver >= 1:
                t += b"\x00"  # is_internal = false
            tops.append(t + karray([part]))
        self.reply(corr, body + karray(tops))

    def produce(self, r, corr, ver):
        if ver >= 3:
            r.string()  # transactional_id
        acks, _timeout = r.unpack("h"), r.unpack("i")
        results = []
        for _ in range(r.unpack("i")):
            topic, parts = r.string(), []
            for _ in range(r.unpack("i")):
                index, records = r.unpack("i"), r.bytes_()
                with self.server.lock:
                    self.server.captured.append((topic, index, records))
                p = struct.pack(">ihq", index, 0, 0)  # no error, base_offset 0
                if ver >= 2:
                    p += struct.pack(">q", -1)  # log_append_time: CreateTime
                if ver >= 5:
                    p += struct.pack(">q", 0)  # log_start_offset
                parts.append(p)
            results.append(kstr(topic) + karray(parts))
        if acks == 0:
            return  # fire-and-forget: the client expects no response
        body = karray(results) + (struct.pack(">i", 0) if ver >= 1 else b"")
        self.reply(corr, body)


# ------------------------------------------------------------------- capture
REPEATING = "k1:" + "hello " * 8 + "\nk2:" + "streamcraft " * 8 + "\nk3:" + "log " * 8 + "\n"
CASES = [
    # (file name, extra kcat args, stdin, expected codec in attributes & 7)
    ("kcat-batch-uncompressed.bin", ["-K", ":", "-H", "app=streamcraft"],
     "k1:hello\nk2:streamcraft\nk3:log\n", 0),
    ("kcat-batch-gzip.bin", ["-K", ":", "-H", "app=streamcraft", "-z", "gzip"],
     "k1:hello\nk2:streamcraft\nk3:log\n", 1),
    ("kcat-batch-null-key.bin", [], "solo\n", 0),
    # The other codecs, for the compression tests (chapter 3): librdkafka writes snappy
    # as one raw block, lz4 as an LZ4 frame, zstd as one zstd frame. librdkafka sends a
    # batch uncompressed when compressing does not make it smaller, so lz4 and zstd,
    # whose frames cost more bytes than snappy's block, get values that repeat.
    ("kcat-batch-snappy.bin", ["-K", ":", "-H", "app=streamcraft", "-z", "snappy"],
     "k1:hello\nk2:streamcraft\nk3:log\n", 2),
    ("kcat-batch-lz4.bin", ["-K", ":", "-H", "app=streamcraft", "-z", "lz4"], REPEATING, 3),
    ("kcat-batch-zstd.bin", ["-K", ":", "-H", "app=streamcraft", "-z", "zstd"], REPEATING, 4),
]


def kcat_command(port, extra):
    return [KCAT, "-P", "-b", f"127.0.0.1:{port}", "-t", TOPIC, "-p", "0",
            "-X", "linger.ms=100", *extra]


def capture(only=()):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    server = FakeBroker()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for name, extra, stdin, codec in CASES:
            if only and name not in only:
                continue
            with server.lock:
                server.captured.clear()
            cmd = kcat_command(server.port, extra)
            print("$", " ".join(cmd), "<<<", repr(stdin))
            subprocess.run(cmd, input=stdin.encode(), timeout=20, check=True)
            with server.lock:
                got = list(server.captured)
            if len(got) != 1:
                raise SystemExit(f"{name}: expected 1 batch, captured {len(got)}")
            # Low byte of the int16 attributes (offset 21..22) holds the codec.
            if got[0][2][16] != 2 or got[0][2][22] & 7 != codec:
                raise SystemExit(f"{name}: not magic 2 / codec {codec}")
            (DATA_DIR / name).write_bytes(got[0][2])
            print(f"wrote {DATA_DIR / name} ({len(got[0][2])} bytes)")
    finally:
        server.shutdown()
        server.server_close()


# -------------------------------------------------------------------- decode
def show(b):
    return "null" if b is None else repr(b.decode(errors="backslashreplace"))


def decode(path):
    data = Path(path).read_bytes()
    r = Reader(data)
    # RecordBatch v2 header: 61 bytes, all big-endian.
    fields = [("baseOffset", "q"), ("batchLength", "i"),
              ("partitionLeaderEpoch", "i"), ("magic", "b"), ("crc", "I"),
              ("attributes", "h"), ("lastOffsetDelta", "i"),
              ("baseTimestamp", "q"), ("maxTimestamp", "q"),
              ("producerId", "q"), ("producerEpoch", "h"),
              ("baseSequence", "i"), ("recordsCount", "i")]
    h = {name: r.unpack(fmt) for name, fmt in fields}
    print(f"file: {path} ({len(data)} bytes)")
    for name, _ in fields:
        v = h[name]
        extra = f" (0x{v & 0xFFFFFFFF:08x})" if name in ("crc", "attributes") else ""
        print(f"  {name:21s} {v}{extra}")
    assert h["magic"] == 2, "not a RecordBatch v2"
    assert h["batchLength"] == len(data) - 12, "batchLength != file size - 12"
    # The CRC covers everything from attributes (offset 21) to the end.
    calc = crc32c(data[21:])
    print(f"  crc32c(data[21:])     0x{calc:08x} -> "
          f"{'OK' if calc == h['crc'] else 'MISMATCH'}")
    codec = h["attributes"] & 0x7  # 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
    body = data[61:]
    if codec == 1:
        body = gzip.decompress(body)
        print(f"  gzip: {len(data) - 61} compressed -> {len(body)} bytes")
    elif codec != 0:
        print(f"  codec {codec}: record decoding not supported here")
        return calc == h["crc"]
    rr = Reader(body)
    for i in range(h["recordsCount"]):
        length = rr.varint()
        start = rr.pos
        attrs = rr.take(1)[0]
        ts_delta, off_delta = rr.varint(), rr.varint()
        key, value = rr.varbytes(), rr.varbytes()
        headers = [(rr.varbytes().decode(), rr.varbytes())
                   for _ in range(rr.varint())]
        assert rr.pos - start == length, "record length mismatch"
        hs = ", ".join(f"{k}={show(v)}" for k, v in headers) or "none"
        print(f"  record {i}: length={length} attributes={attrs} "
              f"offsetDelta={off_delta} timestampDelta={ts_delta} "
              f"key={show(key)} value={show(value)} headers=[{hs}]")
    assert rr.pos == len(body), "trailing bytes after last record"
    return calc == h["crc"]


def main(argv):
    if len(argv) >= 2 and argv[1] == "capture":
        capture(argv[2:])  # capture [FILE NAME ...]: only those cases
    elif len(argv) >= 3 and argv[1] in ("decode", "--decode"):
        ok = all([decode(p) for p in argv[2:]])
        sys.exit(0 if ok else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
