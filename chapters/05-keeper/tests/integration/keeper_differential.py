#!/usr/bin/python3
# generated from tests/integration/keeper_differential.py; edit there
"""tests/integration/keeper_differential.py — keeper and ZooKeeper 3.8, the same session.

Starts Debian's ZooKeeper 3.8 (standalone, on a free 127.0.0.1 port, in a temporary
directory) and `streamcraft keeper` the same way, runs one scripted pair of kazoo sessions
against each, and compares the transcripts: every operation's result or error, every stat
field, the zxids the replies carry, and the watch events in the order they arrived. The
only fields normalised are the ones that cannot be equal between two servers — times
(ctime, mtime) and session ids (ephemeralOwner names the session: "A" or "B") — and the
order of getChildren, which ZooKeeper leaves unspecified (a hash set's order).

A difference fails the test unless it is listed in KNOWN_DIFFERENCES with its reason.

Must run under Debian's /usr/bin/python3 (python3-kazoo); needs the zookeeper package (and
its Java runtime). Every wait is bounded; everything started is stopped.
"""
import argparse
import glob
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

# (operation label, field) → why keeper differs on purpose.
KNOWN_DIFFERENCES = {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise SystemExit(f"FAIL: timed out waiting for {what}")


def ruok(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"ruok")
            return s.recv(16) == b"imok"
    except OSError:
        return False


def start_zookeeper(root):
    port = free_port()
    data = os.path.join(root, "zk-data")
    os.makedirs(data)
    cfg = os.path.join(root, "zoo.cfg")
    with open(cfg, "w") as f:
        f.write(f"tickTime=2000\ndataDir={data}\nclientPort={port}\nclientPortAddress=127.0.0.1\n"
                "4lw.commands.whitelist=ruok,srvr\nadmin.enableServer=false\nforceSync=yes\n")
    # Debian's own classpath (/etc/zookeeper/conf/environment): the jar's manifest names
    # its dependencies.
    classpath = "/usr/share/java/zookeeper.jar"
    log = open(os.path.join(root, "zookeeper.log"), "w")
    proc = subprocess.Popen(["java", "-Xmx256m", "-cp", classpath, "org.apache.zookeeper.server.ZooKeeperServerMain", cfg],
                            stdout=log, stderr=subprocess.STDOUT)
    wait_for(lambda: ruok(port), 60, "ZooKeeper to answer ruok")
    return proc, port


def start_keeper(binary, root):
    port = free_port()
    data = os.path.join(root, "keeper-data")
    log = open(os.path.join(root, "keeper.log"), "w")
    proc = subprocess.Popen([binary, "keeper", "--set", f"dataDir={data}", "--set", f"clientPort={port}",
                             "--set", "clientPortAddress=127.0.0.1", "--set", "4lw.commands.whitelist=ruok,srvr"],
                            stdout=log, stderr=subprocess.STDOUT)
    wait_for(lambda: ruok(port), 20, "keeper to answer ruok")
    return proc, port


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def session_script(port):
    """One scripted run; returns the transcript as a list of (label, value) pairs."""
    from kazoo.client import KazooClient
    from kazoo.security import make_digest_acl

    transcript = []
    events = []
    lock = threading.Lock()
    a = KazooClient(hosts=f"127.0.0.1:{port}", timeout=10)
    b = KazooClient(hosts=f"127.0.0.1:{port}", timeout=10)
    a.start(timeout=15)
    b.start(timeout=15)
    names = {a.client_id[0]: "A", b.client_id[0]: "B"}

    def stat(st):
        if st is None:
            return None
        d = st._asdict() if hasattr(st, "_asdict") else dict(st.__dict__)
        d = {k: v for k, v in d.items() if k not in ("ctime", "mtime")}
        d["ephemeralOwner"] = names.get(d["ephemeralOwner"], d["ephemeralOwner"])
        return tuple(sorted(d.items()))

    def norm(v):
        if isinstance(v, tuple) and len(v) == 2 and hasattr(v[1], "czxid"):
            return ("data", v[0], stat(v[1]))
        if hasattr(v, "czxid"):
            return stat(v)
        if isinstance(v, list):
            return [norm(x) if not isinstance(x, Exception) else type(x).__name__ for x in v]
        return v

    def run(label, f, *args, **kw):
        try:
            value = ("ok", norm(f(*args, **kw)))
        except Exception as e:  # the error class is the result
            value = ("error", type(e).__name__)
        transcript.append((label, value))
        return value

    def watcher(who):
        def w(event):
            with lock:
                events.append((who, event.type, event.path))
        return w

    run("create /d", a.create, "/d", b"x")
    run("create /d again", a.create, "/d", b"x")
    run("get /d", a.get, "/d")
    run("set /d stale version", a.set, "/d", b"y", version=5)
    run("set /d", a.set, "/d", b"y", version=0)
    for i in range(3):
        run(f"create /d/s- #{i}", a.create, "/d/s-", b"", sequence=True)
    run("delete /d/s-0000000001", a.delete, "/d/s-0000000001")
    run("create /d/s- after a delete", a.create, "/d/s-", b"", sequence=True)
    run("exists /d", a.exists, "/d")
    run("B exists /later with a watch", b.exists, "/later", watch=watcher("B"))
    run("B children of /d with a watch", lambda: sorted(b.get_children("/d", watch=watcher("B"))))
    run("create /later", a.create, "/later", b"l")
    run("create /d/e ephemeral", a.create, "/d/e", b"", ephemeral=True)
    run("B create /d/be ephemeral", b.create, "/d/be", b"", ephemeral=True)
    t = a.transaction()
    t.create("/t1")
    t.set_data("/d", b"z", version=99)
    run("failed multi", t.commit)
    run("exists /t1 after a failed multi", a.exists, "/t1")
    t = a.transaction()
    t.check("/d", 1)
    t.create("/t2", b"2")
    t.set_data("/d", b"w", version=1)
    run("multi", t.commit)
    run("get /t2", a.get, "/t2")
    run("children of /d", lambda: sorted(a.get_children("/d")))
    run("delete /d with children", a.delete, "/d")
    run("create under an ephemeral", a.create, "/d/e/child")
    run("create without a parent", a.create, "/no/parent")
    run("get a missing node", a.get, "/missing")
    run("get_acl /d", lambda: [(x.perms, x.id.scheme, x.id.id) for x in a.get_acls("/d")[0]])
    run("set_acl /d", a.set_acls, "/d", [make_digest_acl("alice", "pw", all=True)], version=0)
    run("B get /d without auth", b.get, "/d")
    run("B get_acl /d without auth", lambda: [(x.perms, x.id.scheme, x.id.id) for x in b.get_acls("/d")[0]])
    from kazoo.security import ACL, Id
    run("create /mixed", a.create, "/mixed", b"m", acl=[ACL(1, Id("world", "anyone")), make_digest_acl("alice", "pw", all=True)])
    run("B get_acl /mixed (digest hidden)", lambda: [(x.perms, x.id.scheme, x.id.id) for x in b.get_acls("/mixed")[0]])
    run("add_auth alice", a.add_auth, "digest", "alice:pw")
    run("A get_acl /mixed as alice", lambda: [(x.perms, x.id.scheme, x.id.id) for x in a.get_acls("/mixed")[0]])
    run("get /d as alice", a.get, "/d")
    run("set_acl back", a.set_acls, "/d", [make_digest_acl("alice", "pw", all=True)] , version=0)
    run("sync /d", a.sync, "/d")
    run("children of /", lambda: sorted(a.get_children("/")))
    run("children of /zookeeper", lambda: sorted(a.get_children("/zookeeper")))
    run("exists /zookeeper", a.exists, "/zookeeper")
    b.stop()  # B's session ends: its ephemeral goes
    b.close()
    run("exists /d/be after B closed", a.exists, "/d/be")
    run("exists /d/e", a.exists, "/d/e")
    run("exists /d at the end", a.exists, "/d")
    time.sleep(0.5)
    with lock:
        transcript.append(("watch events", list(events)))
    a.stop()
    a.close()
    return transcript


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keeper", required=True, help="the streamcraft program")
    args = ap.parse_args()
    if not os.path.exists("/usr/share/java/zookeeper.jar") and not glob.glob("/usr/share/java/zookeeper*.jar"):
        raise SystemExit("FAIL: Debian's zookeeper package is not installed (bash tools/install-deps.sh --test)")
    with tempfile.TemporaryDirectory() as root:
        zk, zk_port = start_zookeeper(root)
        try:
            theirs = session_script(zk_port)
        finally:
            stop(zk)
        kp, kp_port = start_keeper(args.keeper, root)
        try:
            ours = session_script(kp_port)
        finally:
            stop(kp)
    failures = 0
    for (label, zv), (label2, kv) in zip(theirs, ours):
        assert label == label2
        if zv == kv:
            continue
        if label in KNOWN_DIFFERENCES:
            print(f"known difference in {label!r}: {KNOWN_DIFFERENCES[label]}")
            continue
        failures += 1
        print(f"DIFFERENT: {label}\n  zookeeper: {zv}\n  keeper:    {kv}")
    print(f"{len(theirs)} steps compared, {failures} unexplained difference(s)")
    sys.exit(1 if failures or len(theirs) != len(ours) else 0)


if __name__ == "__main__":
    main()
