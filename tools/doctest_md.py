#!/usr/bin/env python3
"""Run the shell sessions in lesson Markdown files and check their output.

    python3 tools/doctest_md.py [--bin-dir DIR ...] [--verbose] FILE.md ...

Only fenced blocks whose info string is exactly `console` are run:

    ```console
    $ echo hello
    hello
    $ grep nope /dev/null
    [1]
    ```

`$ ` starts a command (a trailing backslash continues it on a `> ` line);
the lines up to the next command are its expected output, compared
cram-style: trailing whitespace is ignored, a line ending in ` (re)` is a
regular expression for one line, a line `...` matches any number of lines,
and a last line `[N]` expects exit status N (otherwise 0 is required).

A comment just above a block can annotate it:
    <!-- doctest: skip reason="needs a second machine" -->
    <!-- doctest: timeout=120 -->          (seconds per command, default 60)

All blocks of one file share one bash process (so `cd`, variables and
background jobs carry over) started in a fresh temporary directory, with
PATH prefixed by the --bin-dir directories, DOCTEST=1, and free local TCP
ports in PORT, PORT2 and PORT3.  Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_TIMEOUT = 60.0


class DocError(Exception):
    """A malformed block or annotation; the file is not run."""


@dataclass
class Command:
    lineno: int
    text: str                 # may span lines (backslash continuations)
    expected: list[str] = field(default_factory=list)
    status: int = 0


@dataclass
class Block:
    lineno: int
    commands: list[Command]
    skip: str | None = None   # the reason, when skipped
    timeout: float = DEFAULT_TIMEOUT


# --------------------------------------------------------------------------
# Parsing Markdown
# --------------------------------------------------------------------------

FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
OPTION = re.compile(r'\s*(\w+)(?:=(?:"([^"]*)"|(\S+)))?')


def parse_annotation(body: str, where: str, block: Block) -> None:
    """Apply `skip reason="..."` / `timeout=N` options to the block."""
    pos, skip, reason = 0, False, None
    body = body.strip()
    while pos < len(body):
        m = OPTION.match(body, pos)
        if not m or m.end() == pos:
            raise DocError(f"{where}: cannot read doctest options {body!r}")
        key, value = m.group(1), m.group(2) if m.group(2) is not None else m.group(3)
        pos = m.end()
        if key == "skip" and value is None:
            skip = True
        elif key == "reason" and value is not None:
            reason = value.strip()
        elif key == "timeout" and value is not None:
            try:
                block.timeout = float(value)
            except ValueError:
                raise DocError(f"{where}: timeout must be a number of seconds, got {value!r}")
            if block.timeout <= 0:
                raise DocError(f"{where}: timeout must be positive")
        else:
            raise DocError(f"{where}: unknown doctest option {m.group(0).strip()!r}")
    if skip and not reason:
        raise DocError(f'{where}: a skip needs a reason: <!-- doctest: skip reason="why" -->')
    if reason and not skip:
        raise DocError(f"{where}: reason= without skip")
    block.skip = reason if skip else None


def annotations_before(lines: list[str], index: int) -> list[tuple[int, str]]:
    """`doctest:` comments directly above line `index` (blank lines allowed)."""
    found, i = [], index - 1
    while i >= 0:
        if not lines[i].strip():
            i -= 1
            continue
        if not lines[i].rstrip().endswith("-->"):
            break
        end = i
        while i >= 0 and "<!--" not in lines[i]:
            i -= 1
        if i < 0:
            break
        text = " ".join(l.strip() for l in lines[i:end + 1])
        m = re.fullmatch(r"<!--\s*doctest:(.*?)-->", text)
        if not m:
            break  # some other comment: it does not annotate the block
        found.append((i + 1, m.group(1)))
        i -= 1
    return found


def parse_commands(body: list[tuple[int, str]], where: str) -> list[Command]:
    commands: list[Command] = []
    it = iter(body)
    for lineno, line in it:
        if line.startswith("$ ") or line == "$":
            text = line[2:]
            while text.endswith("\\"):
                nxt = next(it, None)
                if nxt is None or not nxt[1].startswith("> "):
                    raise DocError(f"{where}:{lineno}: a command ending in '\\' must continue "
                                   "on a line starting with '> '")
                text += "\n" + nxt[1][2:]
            commands.append(Command(lineno, text))
        elif not commands:
            raise DocError(f"{where}:{lineno}: output before the first '$ ' command")
        else:
            commands[-1].expected.append(line)
    for cmd in commands:
        exp = cmd.expected
        while exp and not exp[-1].strip():  # trailing blank lines are layout
            exp.pop()
        if exp and re.fullmatch(r"\[(\d+)\]", exp[-1].strip()):
            cmd.status = int(exp.pop().strip()[1:-1])
            while exp and not exp[-1].strip():
                exp.pop()
    return commands


def parse_markdown(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3).strip()
        start, body = i, []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close.group(2)[0] == fence[0] and len(close.group(2)) >= len(fence) \
                    and not close.group(3).strip():
                break
            line = lines[i]
            body.append((i + 1, line[len(indent):] if line.startswith(indent) else line.lstrip()))
            i += 1
        else:
            raise DocError(f"{path}:{start + 1}: code block is never closed")
        i += 1
        if info != "console":
            continue
        block = Block(start + 1, parse_commands(body, str(path)))
        for lineno, options in annotations_before(lines, start):
            parse_annotation(options, f"{path}:{lineno}", block)
        blocks.append(block)
    return blocks


# --------------------------------------------------------------------------
# Matching output
# --------------------------------------------------------------------------

def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Cram-style match with `...` (any lines, shortest first) and `(re)`."""
    expected = [e.rstrip() for e in expected]
    actual = [a.rstrip() for a in actual]

    def line_ok(pattern: str, line: str) -> bool:
        if pattern.endswith(" (re)"):
            try:
                return re.fullmatch(pattern[:-5], line) is not None
            except re.error:
                return False
        return pattern == line

    @lru_cache(maxsize=None)  # memoised, so backtracking stays polynomial
    def match(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i] == "...":
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and line_ok(expected[i], actual[j]) and match(i + 1, j + 1)

    return match(0, 0)


# --------------------------------------------------------------------------
# One persistent bash per file
# --------------------------------------------------------------------------

def free_ports(n: int) -> list[int]:
    """Ports the OS reports free; all bound at once so they are distinct."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Shell:
    def __init__(self, cwd: str, bin_dirs: list[str]):
        env = dict(os.environ, DOCTEST="1")
        env["PATH"] = os.pathsep.join(bin_dirs + [env.get("PATH", "")])
        for name, port in zip(("PORT", "PORT2", "PORT3"), free_ports(3)):
            env[name] = str(port)
        # A new session makes bash the leader of a process group that also
        # holds every background job, so one killpg() cleans everything up.
        self.proc = subprocess.Popen(["bash", "--noprofile", "--norc"], cwd=cwd, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.sentinel = f"__DOCTEST_{uuid.uuid4().hex}__".encode()
        self.buffer = b""

    def run(self, command: str, timeout: float) -> tuple[str, int] | str:
        """(output, status), or a string saying why there is none."""
        # `{ ...; }` groups a multi-line command; its stdin is /dev/null so it
        # cannot eat the script bash reads from our pipe.  printf adds a
        # newline before the sentinel, which we strip again below.
        script = (f"{{ {command}\n}} </dev/null 2>&1; "
                  f"printf '\\n%s %d\\n' {self.sentinel.decode()} $?\n")
        try:
            self.proc.stdin.write(script.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            return "the shell has exited"
        deadline = time.monotonic() + timeout
        marker = b"\n" + self.sentinel + b" "
        fd = self.proc.stdout.fileno()
        while True:
            at = self.buffer.find(marker)
            if at >= 0 and self.buffer.find(b"\n", at + len(marker)) >= 0:
                end = self.buffer.find(b"\n", at + len(marker))
                out, status = self.buffer[:at], int(self.buffer[at + len(marker):end])
                self.buffer = self.buffer[end + 1:]
                return out.decode("utf-8", errors="replace"), status
            left = deadline - time.monotonic()
            if left <= 0:
                return f"timed out after {timeout:g} s"
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    text = self.buffer.decode("utf-8", errors="replace")
                    return f"the shell exited (status {self.proc.wait()}); output:\n{text}"
                self.buffer += chunk

    def _group_alive(self) -> bool:
        self.proc.poll()  # reap bash itself, or it keeps the group "alive"
        try:
            os.killpg(self.proc.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def close(self) -> None:
        """SIGTERM the whole process group, SIGKILL whatever is left after 2 s."""
        if self._group_alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            end = time.monotonic() + 2.0
            while self._group_alive() and time.monotonic() < end:
                time.sleep(0.05)
            if self._group_alive():
                os.killpg(self.proc.pid, signal.SIGKILL)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.proc.wait()


# --------------------------------------------------------------------------

@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0


def report_failure(path: Path, cmd: Command, why: str, actual: list[str] | None) -> None:
    print(f"{path}:{cmd.lineno}: FAILED: $ {cmd.text}")
    print(f"  {why}")
    if actual is not None:
        for line in difflib.unified_diff(cmd.expected, actual, "expected", "actual", lineterm=""):
            print(f"  {line}")


def run_file(path: Path, bin_dirs: list[str], verbose: bool, tally: Tally) -> None:
    try:
        blocks = parse_markdown(path)
    except (DocError, OSError, UnicodeDecodeError) as e:
        print(f"error: {e}")
        tally.errors += 1
        return
    if not blocks:
        # A lesson teaches by commands a student runs; one without any is a lesson whose
        # every claim goes unchecked.
        print(f"error: {path}: no `console` block: a lesson needs commands that run")
        tally.errors += 1
        return
    skipped = [b for b in blocks if b.skip]
    for b in skipped:
        tally.skipped += len(b.commands)
        print(f"{path}:{b.lineno}: block skipped ({len(b.commands)} command(s)): {b.skip}")
    todo = [c for b in blocks if not b.skip for c in b.commands]
    if todo:
        workdir = tempfile.mkdtemp(prefix="doctest-")
        shell = Shell(workdir, bin_dirs)
        try:
            done = 0
            for block in (b for b in blocks if not b.skip):
                for cmd in block.commands:
                    done += 1
                    if not check_command(path, shell, cmd, block.timeout, verbose):
                        # The shell's state may be broken now: stop this file.
                        tally.failed += 1 + len(todo) - done
                        if len(todo) > done:
                            print(f"{path}: {len(todo) - done} later command(s) not run "
                                  "(counted as failed)")
                        return
                    tally.passed += 1
        finally:
            shell.close()
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{path}: {len(todo)} command(s) passed, {len(skipped)} block(s) skipped")


def check_command(path: Path, shell: Shell, cmd: Command, timeout: float, verbose: bool) -> bool:
    result = shell.run(cmd.text, timeout)
    if isinstance(result, str):
        report_failure(path, cmd, result, None)
        return False
    output, status = result
    # Both "a\n" and "a" (no final newline) are the one line "a".
    actual = output[:-1].split("\n") if output.endswith("\n") else output.split("\n")
    actual = [] if actual == [""] else actual
    while actual and not actual[-1].strip():
        actual.pop()
    if not output_matches(cmd.expected, actual):
        report_failure(path, cmd, "output differs" + (
            f" (and exit status {status}, expected {cmd.status})" if status != cmd.status else ""),
            actual)
        return False
    if status != cmd.status:
        report_failure(path, cmd, f"exit status {status}, expected {cmd.status}", None)
        return False
    if verbose:
        print(f"{path}:{cmd.lineno}: ok: $ {cmd.text}")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", action="append", default=[], metavar="DIR",
                        help="put DIR first on PATH (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="print every command run")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.md")
    args = parser.parse_args(argv)
    bin_dirs = [str(Path(d).resolve()) for d in args.bin_dir]
    tally = Tally()
    for path in args.files:
        run_file(path, bin_dirs, args.verbose, tally)
    print(f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped")
    return 1 if tally.failed or tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
