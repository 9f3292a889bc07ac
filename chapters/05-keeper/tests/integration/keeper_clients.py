#!/usr/bin/python3
# generated from tests/integration/keeper_clients.py; edit there
"""tests/integration/keeper_clients.py — real ZooKeeper clients against `streamcraft keeper`.

Each scenario starts a keeper process on a free 127.0.0.1 port with its own data
directory, runs real clients against it, and stops everything it started:

  crud      kazoo: create/get/set/delete with their stat fields, ephemeral and sequential
            nodes, compare-and-set, watches seen by a second session, a multi that rolls
            back, digest ACLs, a chrooted client
  expiry    a kazoo client holding an ephemeral node is SIGSTOPped: its session expires
            after its timeout, the node goes, another session's watch fires; SIGCONT: the
            client learns its session was lost
  reattach  keeper is killed with kill -9 and restarted while a kazoo client is
            connected: the client reconnects with its session, which kept its ephemeral
  recipes   kazoo's Lock, Election, Counter, Barrier and DoubleBarrier across several
            clients, with mutual exclusion checked
  crash     a writer creates sequential nodes and records each acknowledged one; keeper is
            killed with kill -9 in the middle; after a restart every acknowledged node is there
  garbage   malformed, oversized and unknown requests and a client that never reads,
            each on its own connection, while a kazoo client goes on working; four-letter words
  zk-cli    the course's own `streamcraft zk` commands (client/keeper_client.h): create,
            sequential create, get, set with a version, stat, ls, a watch seen by one
            command while another changes the node, errors by name
  zkcli     the Java client's zkCli.sh (Debian's zookeeper package), one command per run:
            create (-s), get, set, stat, ls -s, getAcl, deleteall (a multi of deletes),
            errors by name
  cli_mt    the ZooKeeper C client's cli_mt (zookeeper-bin), one command per run (its
            batch mode ends after commands with a completion: not exists, which it runs
            synchronously and never exits from)

Must run under Debian's /usr/bin/python3 (python3-kazoo). Every wait is bounded.
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


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def wait_until(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    fail(f"timed out after {timeout} s waiting for {what}")


class Keeper:
    """One `streamcraft keeper` process; restartable on the same data directory."""

    def __init__(self, binary, root, extra=()):
        self.binary = binary
        self.data = os.path.join(root, "data")
        self.port = 0
        self.extra = list(extra)
        self.proc = None
        self.log = os.path.join(root, "keeper.log")

    def start(self):
        port_file = self.data + ".port"
        if os.path.exists(port_file):
            os.remove(port_file)
        args = [self.binary, "keeper", "--set", f"dataDir={self.data}", "--set", f"clientPort={self.port}",
                "--set", "clientPortAddress=127.0.0.1", "--set", "tickTime=200", "--set", "4lw.commands.whitelist=*",
                "--port-file", port_file] + self.extra
        self.proc = subprocess.Popen(args, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        wait_until(lambda: os.path.exists(port_file) and open(port_file).read().strip(), 20, "keeper to listen")
        self.port = int(open(port_file).read())
        return self

    @property
    def hosts(self):
        return f"127.0.0.1:{self.port}"

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def word(port, w):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(w.encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out.decode()
            out += chunk


def client(hosts, **kw):
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=hosts, timeout=kw.pop("timeout", 5), **kw)
    zk.start(timeout=10)
    return zk


# ---------------------------------------------------------------- scenarios

def scenario_crud(k):
    from kazoo.exceptions import BadVersionError, NoAuthError, NodeExistsError, NoNodeError, NotEmptyError
    from kazoo.security import make_digest_acl
    a, b = client(k.hosts), client(k.hosts)
    try:
        a.create("/app", b"v0")
        data, st = a.get("/app")
        check(data == b"v0" and st.version == 0 and st.dataLength == 2 and st.numChildren == 0, f"stat {st}")
        check(st.czxid == st.mzxid == st.pzxid and st.ephemeralOwner == 0, f"zxids {st}")
        st2 = a.set("/app", b"v1", version=0)
        check(st2.version == 1 and st2.mzxid > st.mzxid and st2.czxid == st.czxid, f"after set {st2}")
        try:
            a.set("/app", b"v2", version=0)
            fail("a stale version was accepted")
        except BadVersionError:
            pass
        try:
            a.create("/app")
            fail("a second create of /app succeeded")
        except NodeExistsError:
            pass
        # Sequential numbers come from the parent's cversion.
        names = [a.create("/app/job-", sequence=True) for _ in range(3)]
        check(names == [f"/app/job-{i:010d}" for i in range(3)], f"sequence {names}")
        check(a.exists("/app").cversion == 3, "cversion after three creates")
        try:
            a.delete("/app")
            fail("deleted a node with children")
        except NotEmptyError:
            pass
        # An ephemeral node belongs to its session.
        a.create("/app/member", ephemeral=True)
        check(b.exists("/app/member").ephemeralOwner == a.client_id[0], "ephemeral owner")
        # Watches from another session: data and children, each fires once.
        data_events, child_events = [], []
        b.get("/app", watch=lambda e: data_events.append(e))
        b.get_children("/app", watch=lambda e: child_events.append(e))
        a.set("/app", b"v3")
        a.create("/app/new")
        a.set("/app", b"v4")
        wait_until(lambda: data_events and child_events, 5, "watch events")
        time.sleep(0.3)
        check(len(data_events) == 1 and data_events[0].type == "CHANGED", f"data events {data_events}")
        check(len(child_events) == 1 and child_events[0].type == "CHILD", f"child events {child_events}")
        # A multi that fails rolls back everything.
        t = a.transaction()
        t.create("/app/t1")
        t.set_data("/app", b"x", version=999)
        results = t.commit()
        check(isinstance(results[1], BadVersionError), f"multi results {results}")
        check(a.exists("/app/t1") is None, "a rolled-back create is visible")
        t = a.transaction()
        t.check("/app", 3)
        t.create("/app/t2", b"in")
        t.delete("/app/new")
        check(t.commit() == [True, "/app/t2", True], "a multi that succeeds")
        # Digest ACLs: only the authenticated user reads.
        a.add_auth("digest", "alice:secret")
        a.create("/private", b"mine", acl=[make_digest_acl("alice", "secret", all=True)])
        check(a.get("/private")[0] == b"mine", "alice reads her node")
        try:
            b.get("/private")
            fail("an unauthenticated session read a digest-protected node")
        except NoAuthError:
            pass
        # A chrooted client sees /app as its root.
        c = client(k.hosts + "/app")
        try:
            check(sorted(c.get_children("/")) == sorted(a.get_children("/app")), "chroot children")
            c.create("/via-chroot", b"c")
            check(a.get("/app/via-chroot")[0] == b"c", "a chrooted create lands under /app")
        finally:
            c.stop()
        a.delete("/app/job-0000000000")
        try:
            a.get("/app/job-0000000000")
            fail("a deleted node is still there")
        except NoNodeError:
            pass
    finally:
        a.stop()
        b.stop()
    print("crud: ok")


HOLDER = r"""
import sys, time
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=1.0)
states = []
zk.add_listener(lambda s: states.append(s))
zk.start(timeout=10)
zk.create("/held", ephemeral=True)
print("held", flush=True)
deadline = time.monotonic() + 30
while time.monotonic() < deadline and "LOST" not in states:
    time.sleep(0.05)
print("states", ",".join(states), flush=True)
"""


def scenario_expiry(k):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, k.hosts], stdout=subprocess.PIPE, text=True)
    try:
        check(holder.stdout.readline().strip() == "held", "the holder created its node")
        w = client(k.hosts)
        events = []
        w.exists("/held", watch=lambda e: events.append(e))
        t0 = time.monotonic()
        holder.send_signal(signal.SIGSTOP)  # the process is paused: no pings
        wait_until(lambda: events, 10, "the ephemeral node of the paused client to go")
        elapsed = time.monotonic() - t0
        check(events[0].type == "DELETED", f"event {events}")
        check(0.8 <= elapsed <= 5, f"expired after {elapsed:.2f} s for a 1 s timeout")
        check(w.exists("/held") is None, "the node is gone")
        holder.send_signal(signal.SIGCONT)
        out, _ = holder.communicate(timeout=30)
        check("LOST" in out, f"the resumed client learned its session was lost: {out!r}")
        w.stop()
    finally:
        if holder.poll() is None:
            holder.send_signal(signal.SIGCONT)
            holder.kill()
            holder.wait(10)
    print("expiry: ok")


def scenario_reattach(k):
    zk = client(k.hosts, timeout=10)
    try:
        session = zk.client_id[0]
        zk.create("/still-mine", b"e", ephemeral=True)
        zk.create("/durable", b"d")
        k.kill9()
        k.start()  # the same port: the client reconnects by itself
        wait_until(lambda: zk.connected and zk.exists("/durable") is not None, 20, "the client to reconnect")
        check(zk.client_id[0] == session, "the session changed across the restart")
        st = zk.exists("/still-mine")
        check(st is not None and st.ephemeralOwner == session, "the ephemeral node survived with its session")
        other = client(k.hosts)
        check(other.get("/durable")[0] == b"d", "acknowledged data survived kill -9")
        other.stop()
    finally:
        zk.stop()
    print("reattach: ok")


def scenario_recipes(k):
    clients = [client(k.hosts) for _ in range(4)]
    try:
        # Lock: never two holders at once.
        holders, max_holders, lock_guard = [0], [0], threading.Lock()

        def use_lock(zk, rounds):
            lock = zk.Lock("/recipes/lock")
            for _ in range(rounds):
                with lock:
                    with lock_guard:
                        holders[0] += 1
                        max_holders[0] = max(max_holders[0], holders[0])
                    time.sleep(0.01)
                    with lock_guard:
                        holders[0] -= 1

        threads = [threading.Thread(target=use_lock, args=(zk, 5)) for zk in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        check(not any(t.is_alive() for t in threads), "lock users finished")
        check(max_holders[0] == 1, f"{max_holders[0]} holders of the lock at once")
        # Counter: concurrent increments all count.
        def count(zk):
            c = zk.Counter("/recipes/counter")
            for _ in range(10):
                c += 1
        threads = [threading.Thread(target=count, args=(zk,)) for zk in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        check(clients[0].Counter("/recipes/counter").value == 40, "counter value")
        # Election: one leader; when it leaves, another takes over.
        leaders = []
        elections = [zk.Election("/recipes/election", f"c{i}") for i, zk in enumerate(clients[:2])]
        stop = threading.Event()

        def lead(i):
            leaders.append(i)
            stop.wait(30)

        t0 = threading.Thread(target=elections[0].run, args=(lead, 0), daemon=True)
        t0.start()
        wait_until(lambda: leaders == [0], 10, "a first leader")
        t1 = threading.Thread(target=elections[1].run, args=(lead, 1), daemon=True)
        t1.start()
        time.sleep(0.5)
        check(leaders == [0], f"a second leader while the first leads: {leaders}")
        check(sorted(elections[0].contenders()) == ["c0", "c1"], "contenders")
        stop.set()  # the leader's term ends: it gives up its node
        t0.join(10)
        wait_until(lambda: 1 in leaders, 10, "the second contender to lead")
        t1.join(10)
        check(leaders == [0, 1], f"leaders in turn: {leaders}")
        # Barrier and DoubleBarrier.
        barrier = clients[1].Barrier("/recipes/barrier")
        barrier.create()
        passed = []
        waiter = threading.Thread(target=lambda: passed.append(clients[2].Barrier("/recipes/barrier").wait(10)))
        waiter.start()
        time.sleep(0.3)
        check(not passed, "the barrier let a client through while up")
        barrier.remove()
        waiter.join(15)
        check(passed == [True], "the barrier released its waiter")
        entered = []

        def double(zk, name):
            db = zk.DoubleBarrier("/recipes/double", 3, identifier=name)
            db.enter()
            entered.append(name)
            db.leave()

        threads = [threading.Thread(target=double, args=(zk, f"d{i}")) for i, zk in enumerate(clients[1:4])]
        threads[0].start()
        time.sleep(0.3)
        check(not entered, "a double barrier let one of three in")
        for t in threads[1:]:
            t.start()
        for t in threads:
            t.join(30)
        check(sorted(entered) == ["d0", "d1", "d2"], f"double barrier entries {entered}")
    finally:
        for zk in clients:
            try:
                zk.stop()
            except Exception:
                pass
    print("recipes: ok")


WRITER = r"""
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts=sys.argv[1], timeout=5)
zk.start(timeout=10)
zk.ensure_path("/stream")
with open(sys.argv[2], "a") as acked:
    i = 0
    while True:
        try:
            path = zk.create("/stream/r-", str(i).encode(), sequence=True)
        except Exception as e:
            print("stopped:", type(e).__name__, flush=True)
            break
        acked.write(path + "\n")
        acked.flush()
        i += 1
"""


def scenario_crash(k, root):
    acked_file = os.path.join(root, "acked.txt")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, k.hosts, acked_file], stdout=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: os.path.exists(acked_file) and sum(1 for _ in open(acked_file)) >= 300, 60,
                   "300 acknowledged creates")
        k.kill9()  # in the middle of the stream
        writer.kill()
        writer.wait(10)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(10)
    acked = [line.strip() for line in open(acked_file) if line.strip()]
    k.start()
    zk = client(k.hosts)
    try:
        present = set("/stream/" + c for c in zk.get_children("/stream"))
        missing = [p for p in acked if p not in present]
        check(not missing, f"{len(missing)} acknowledged creates lost, e.g. {missing[:3]}")
        for p in acked[:: max(1, len(acked) // 20)]:
            check(zk.get(p)[0] == str(int(p.rsplit("-", 1)[1])).encode(), f"data of {p}")
    finally:
        zk.stop()
    print(f"crash: ok ({len(acked)} acknowledged creates, all present after kill -9)")


def scenario_garbage(k):
    zk = client(k.hosts)
    try:
        zk.create("/alive", b"0")

        def raw(payload, read_reply=True):
            s = socket.create_connection(("127.0.0.1", k.port), timeout=5)
            try:
                s.sendall(payload)
                if not read_reply:
                    return s
                s.settimeout(5)
                out = b""
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        out += chunk
                except socket.timeout:
                    pass
                return out
            finally:
                if read_reply:
                    s.close()

        def handshake():
            body = struct.pack(">iqiqi", 0, 0, 5000, 0, 16) + b"\0" * 16 + b"\0"
            return struct.pack(">i", len(body)) + body

        n = 0
        # Not a handshake; an oversized frame; a negative size; a truncated request; an
        # unknown op code (answered UNIMPLEMENTED, then the connection stays usable).
        for payload in [struct.pack(">i", 3) + b"abc", struct.pack(">i", 64 << 20), struct.pack(">i", -7),
                        handshake() + struct.pack(">iii", 6, 1, 4) + b"/a",
                        handshake() + struct.pack(">iii", 8, 7, 4242)]:
            raw(payload)
            n += 1
            zk.set("/alive", str(n).encode())
        out = raw(handshake() + struct.pack(">iii", 8, 7, 4242))
        reply = out[41:]  # after the 41-byte handshake reply
        check(len(reply) >= 20 and struct.unpack(">iiqi", reply[:20])[1:4:2] == (7, -6), f"UNIMPLEMENTED reply {reply!r}")
        # A client that sends and never reads: others carry on.
        lazy = raw(handshake() + (struct.pack(">i", 13) + struct.pack(">ii", 9, 4) + struct.pack(">i", 1) + b"/" + b"\0") * 20000,
                   read_reply=False)
        for i in range(50):
            zk.set("/alive", b"x%d" % i)
        lazy.close()
        check(zk.get("/alive")[0] == b"x49", "the good client's writes")
        check(word(k.port, "ruok") == "imok", "ruok")
        srvr = word(k.port, "srvr")
        check("Mode: standalone" in srvr and "Zxid: 0x" in srvr, f"srvr: {srvr}")
        check("zk_znode_count" in word(k.port, "mntr"), "mntr")
    finally:
        zk.stop()
    print("garbage: ok")


def scenario_zk_cli(k, binary):
    def zk(*args, ok=True):
        p = subprocess.run([binary, "zk", "--server", k.hosts, *args], capture_output=True, text=True, timeout=30)
        check((p.returncode == 0) == ok, f"streamcraft zk {' '.join(args)}: rc {p.returncode}: {p.stdout}{p.stderr}")
        return p.stdout + p.stderr

    check("Created /cfg" in zk("create", "/cfg", "one"), "create")
    check("Created /cfg/n-0000000000" in zk("create", "-s", "/cfg/n-"), "sequential create")
    check(zk("get", "/cfg").strip() == "one", "get")
    check("dataVersion = 1" in zk("set", "/cfg", "two", "--version", "0"), "set")
    check("BADVERSION" in zk("set", "/cfg", "three", "--version", "0", ok=False), "a stale version")
    st = zk("stat", "/cfg")
    check("dataVersion = 1" in st and "numChildren = 1" in st, f"stat: {st}")
    check(zk("ls", "/cfg").split() == ["n-0000000000"], "ls")
    check("NONODE" in zk("get", "/missing", ok=False), "NONODE by name")
    watcher = subprocess.Popen([binary, "zk", "--server", k.hosts, "watch", "/cfg", "--wait-ms", "20000"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # The watch is set once the watcher's session is in keeper's connection list.
        wait_until(lambda: word(k.port, "wchs").startswith(("1 conn", "2 conn")) and "Total watches:1" in word(k.port, "wchs"),
                   10, "the watch to be set")
        zk("set", "/cfg", "changed")
        out, _ = watcher.communicate(timeout=20)
        check(out.strip() == "NodeDataChanged /cfg", f"watch: {out!r}")
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(10)
    check("NOTEMPTY" in zk("delete", "/cfg", ok=False), "NOTEMPTY")
    zk("delete", "/cfg/n-0000000000")
    zk("delete", "/cfg")
    print("zk-cli: ok")


def scenario_zkcli(k):
    cli = "/usr/share/zookeeper/bin/zkCli.sh"
    check(os.path.exists(cli), f"{cli} is missing: apt-get install zookeeper")

    def run(*command):
        p = subprocess.run([cli, "-server", k.hosts, *command], capture_output=True, text=True, timeout=60)
        return p.stdout + p.stderr

    check("Created /j" in run("create", "/j", "hello"), "zkCli create")
    check("Created /j/s-0000000000" in run("create", "-s", "/j/s-", "x"), "zkCli sequential create")
    run("create", "/j/a", "1")
    run("create", "/j/a/b", "2")
    check("hello" in run("get", "/j"), "zkCli get")
    run("set", "/j", "again")
    st = run("stat", "/j")
    check("dataVersion = 1" in st and "numChildren = 2" in st and "cZxid = 0x" in st, f"zkCli stat: {st}")
    ls = run("ls", "-s", "/j")
    check("[a, s-0000000000]" in ls and "numChildren = 2" in ls, f"zkCli ls -s: {ls}")
    check("'world,'anyone" in run("getAcl", "/j") and ": cdrwa" in run("getAcl", "/j"), "zkCli getAcl")
    check("Node not empty: /j" in run("delete", "/j"), "zkCli delete of a node with children")
    check("Node does not exist: /nope" in run("get", "/nope"), "zkCli get of a missing node")
    run("deleteall", "/j")  # getChildren down the tree, then multi(delete …)
    zk = client(k.hosts)
    try:
        check(zk.exists("/j") is None, "zkCli deleteall")
    finally:
        zk.stop()
    print("zkcli: ok")


def scenario_cli_mt(k):
    cli = "/usr/lib/zookeeper/bin/cli_mt"
    check(os.path.exists(cli), f"{cli} is missing: apt-get install zookeeper-bin")

    def run(command):
        p = subprocess.run([cli, k.hosts, "cmd:" + command], capture_output=True, text=True, timeout=30)
        return p.stdout + p.stderr

    # cli_mt's create takes no data (everything after the command is the path).
    out = run("create /from-c")
    check("[/from-c]: rc = 0" in out, f"cli_mt create: {out}")
    out = run("create +s /from-c/seq-")
    check("/from-c/seq-0000000000" in out, f"cli_mt sequential create: {out}")
    out = run("set /from-c hello")
    check("rc = 0" in out, f"cli_mt set: {out}")
    out = run("get /from-c")
    check("hello" in out, f"cli_mt get: {out}")
    out = run("ls /")
    check("from-c" in out and "zookeeper" in out, f"cli_mt ls: {out}")
    out = run("ls2 /from-c")  # getChildren2: the children and the stat
    check("seq-0000000000" in out and "czxid=" in out, f"cli_mt ls2: {out}")
    out = run("get /nothing")
    check("rc = -101" in out, f"cli_mt get of a missing node: {out}")
    out = run("delete /from-c/seq-0000000000")
    out = run("delete /from-c")
    zk = client(k.hosts)
    try:
        check(zk.exists("/from-c") is None, f"cli_mt delete: {out}")
    finally:
        zk.stop()
    print("cli_mt: ok")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keeper", required=True, help="the streamcraft program")
    ap.add_argument("--scenario", required=True,
                    choices=["crud", "expiry", "reattach", "recipes", "crash", "garbage", "zk-cli", "zkcli", "cli_mt"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as root:
        k = Keeper(args.keeper, root).start()
        try:
            if args.scenario == "crash":
                scenario_crash(k, root)
            elif args.scenario == "zk-cli":
                scenario_zk_cli(k, args.keeper)
            else:
                globals()["scenario_" + args.scenario](k)
        except SystemExit:
            print(open(k.log).read()[-4000:], file=sys.stderr)
            raise
        finally:
            k.stop()


if __name__ == "__main__":
    main()
