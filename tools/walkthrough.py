#!/usr/bin/env python3
"""tools/walkthrough.py — code shown in a lesson is the chapter's code, checked.

A lesson walks through its chapter's central code by showing it. Each piece shown is a
fenced block whose info string names where it comes from, in the chapter's snapshot
(chapters/NN-slug/, generated from final/):

    ```cpp source=log/log.cpp function=Log::append
    ...the function, exactly as the file has it...
    ```

    ```cpp source=log/segment.h type=Segment
    ...the class or struct, from `class Segment` to its closing `};`...
    ```

`function=Q` is a definition whose first line starts at column 0 and contains `Q(`
(a qualified name: `Log::append`, `murmur2`), up to the first line that is `}` at column
0 (one `template <...>` line directly above is included). `type=Name` is a `class Name`
or `struct Name` definition up to its `};` at column 0. Exactly one definition must match.

    python3 tools/walkthrough.py check [LESSON.md ...]    # CI: a missing or changed piece fails
    python3 tools/walkthrough.py update [LESSON.md ...]   # maintainers: copy the source in again
    python3 tools/walkthrough.py selftest                 # the check fails on every kind of drift

Without arguments: every chapters/*/README.md. A lesson named in REQUIRED must show at
least one piece of code.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lessons that have their code walkthrough; a lesson here without one fails the check.
REQUIRED = {"01-log", "02-topics", "03-groups", "04-replication", "05-keeper"}

FENCE = re.compile(r"^```(\S*)(.*)$")


@dataclass
class Block:
    start: int            # index of the opening fence line
    end: int              # index of the closing fence line
    source: str
    kind: str             # "function" or "type"
    name: str
    text: str             # the block's contents, without the fences


def find_blocks(lines: list[str], where: str) -> tuple[list[Block], list[str]]:
    blocks, problems, i = [], [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        if j == len(lines):
            problems.append(f"{where}:{i + 1}: a code block that never closes")
            break
        attrs = dict(a.split("=", 1) for a in m.group(2).split() if "=" in a)
        if "source" in attrs:
            kinds = [k for k in ("function", "type") if k in attrs]
            if len(kinds) != 1:
                problems.append(f"{where}:{i + 1}: source= needs exactly one of function= or type=")
            else:
                blocks.append(Block(i, j, attrs["source"], kinds[0], attrs[kinds[0]],
                                    "\n".join(lines[i + 1:j])))
        i = j + 1
    return blocks, problems


def extract(text: str, kind: str, name: str) -> tuple[str | None, str]:
    """The named definition's lines from a C++ source, or None and why not."""
    lines = text.split("\n")
    found: list[tuple[int, int]] = []
    if kind == "function":
        call = re.compile(r"(^|[\s*&])" + re.escape(name) + r"\(")
        for i, line in enumerate(lines):
            if not line or line[0] in " \t/#}" or not call.search(line):
                continue
            # A declaration ends with ';' before any '{': not the definition.
            j = i
            while j < len(lines) and "{" not in lines[j] and not lines[j].rstrip().endswith(";"):
                j += 1
            if j == len(lines) or "{" not in lines[j]:
                continue
            if j == i and lines[i].rstrip().endswith("}"):
                end = i  # a one-line definition
            else:
                end = next((k for k in range(j, len(lines)) if lines[k].startswith("}")), None)
                if end is None:
                    continue
            start = i - 1 if i > 0 and lines[i - 1].startswith("template") else i
            found.append((start, end))
    else:
        head = re.compile(r"^(class|struct)\s+" + re.escape(name) + r"(\s|\{|$)")
        for i, line in enumerate(lines):
            if not head.match(line) or line.rstrip().endswith(";"):
                continue
            end = next((k for k in range(i, len(lines)) if lines[k].startswith("};")), None)
            if end is not None:
                start = i - 1 if i > 0 and lines[i - 1].startswith("template") else i
                found.append((start, end))
    if not found:
        return None, f"no definition of {kind} {name}"
    if len(found) > 1:
        return None, f"{len(found)} definitions of {kind} {name} (lines {', '.join(str(s + 1) for s, _ in found)})"
    start, end = found[0]
    return "\n".join(lines[start:end + 1]), ""


def lessons(args: list[str]) -> list[Path]:
    if args:
        return [Path(a).resolve() for a in args]
    return sorted((ROOT / "chapters").glob("*/README.md"))


def run(paths: list[Path], update: bool) -> int:
    failed = 0
    for lesson in paths:
        chapter = lesson.parent
        where = str(lesson.relative_to(ROOT)) if lesson.is_relative_to(ROOT) else str(lesson)
        lines = lesson.read_text().split("\n")
        blocks, problems = find_blocks(lines, where)
        if chapter.name in REQUIRED and not blocks:
            problems.append(f"{where}: shows no code from its chapter (a block with source=...)")
        for b in reversed(blocks):  # from the end, so that updates keep earlier indexes valid
            src = chapter / b.source
            if not src.is_file():
                problems.append(f"{where}:{b.start + 1}: {b.source} is not a file of {chapter.name}")
                continue
            want, why = extract(src.read_text(), b.kind, b.name)
            if want is None:
                problems.append(f"{where}:{b.start + 1}: {b.source}: {why}")
                continue
            if want == b.text:
                continue
            if update:
                lines[b.start + 1:b.end] = want.split("\n")
                print(f"{where}:{b.start + 1}: updated {b.kind} {b.name} from {b.source}")
                continue
            diff = difflib.unified_diff(b.text.split("\n"), want.split("\n"), "lesson", b.source, lineterm="", n=1)
            problems.append(f"{where}:{b.start + 1}: {b.kind} {b.name} differs from {b.source}:\n  "
                            + "\n  ".join(diff))
        if update:
            lesson.write_text("\n".join(lines))
        for p in problems:
            print(f"error: {p}")
        failed += len(problems)
        if not problems:
            print(f"{where}: {len(blocks)} piece(s) of code, each as the chapter has it")
    return 1 if failed else 0


def selftest() -> int:
    """The check passes on a piece as the source has it, and fails on each way it can drift."""
    import tempfile
    source = ("// a.cpp\n#include <x>\n\nint Foo::bar(int x) {\n  return x + 1;\n}\n\n"
              "template <class T>\nstruct Box {\n  T value;\n};\n\nint Foo::bar(int x);\n")
    shown = ("# Lesson\n\n```cpp source=a.cpp function=Foo::bar\nint Foo::bar(int x) {\n  return x + 1;\n}\n```\n\n"
             "```cpp source=a.cpp type=Box\ntemplate <class T>\nstruct Box {\n  T value;\n};\n```\n")
    cases = [
        ("as the source has it", source, shown, 0),
        ("the function changed", source.replace("x + 1", "x + 2"), shown, 1),
        ("the function is gone", source.replace("Foo::bar(int x) {", "Foo::baz(int x) {"), shown, 1),
        ("two definitions", source + "\nint Foo::bar(int x) {\n  return 0;\n}\n", shown, 1),
        ("the file is gone", None, shown, 1),
        ("the lesson shows a changed copy", source, shown.replace("x + 1", "x+1"), 1),
    ]
    failures = 0
    for what, src, lesson, want in cases:
        with tempfile.TemporaryDirectory() as tmp:
            chapter = Path(tmp, "99-test")
            chapter.mkdir()
            if src is not None:
                (chapter / "a.cpp").write_text(src)
            (chapter / "README.md").write_text(lesson)
            got = run([chapter / "README.md"], update=False)
            if got != want:
                print(f"selftest FAILED: {what}: check returned {got}, expected {want}")
                failures += 1
    print("selftest: " + ("OK" if not failures else f"{failures} case(s) failed"))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=["check", "update", "selftest"])
    ap.add_argument("lessons", nargs="*")
    a = ap.parse_args(argv)
    if a.command == "selftest":
        return selftest()
    return run(lessons(a.lessons), a.command == "update")


if __name__ == "__main__":
    sys.exit(main())
