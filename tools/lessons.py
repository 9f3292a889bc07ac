#!/usr/bin/env python3
"""tools/lessons.py — every lesson has the course's shape, and no link in the course is dead.

The skeleton. Every chapter's lesson (chapters/NN-slug/README.md) has the same top-level
sections, in this order, so that a student always knows where they are:

    ## What you will build       the goal, how to build and test the chapter, where the code is
    ## Concepts                  the ideas, as numbered sections:  ### 1. …  ### 2. …
    ## Design                    how this code realises them, numbered on:  ### 4. …
    ## Code walkthrough: …       the central code, shown (tools/walkthrough.py checks it)
    ## Try it…                   commands that run (tools/doctest_md.py runs them)
    ## Benchmark…                (optional) measured against the real system
    ## Exercises                 the chapter's exercises, its component exercise first
    ## Further reading

Numbered sections run 1, 2, 3 … across Concepts and Design, so "section 5" means the same
thing wherever the lesson says it. No other top-level section is allowed: a new topic is a
numbered section of Concepts or Design.

The links. In every hand-written Markdown file of the course (README.md, the lessons, the
glossary, final/README.md, tools/CONTRIBUTING.md) and in the generated exercise READMEs, a
relative link must name a file or folder that exists, and a `#fragment` must be a heading
of the target file (GitHub's anchors: lower case, punctuation dropped, spaces to hyphens).
Links to other sites are checked for form only (https://host/...): CI has no network.

    python3 tools/lessons.py check        # CI
    python3 tools/lessons.py selftest     # the check fails on a broken skeleton or link
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SKELETON = [  # (pattern of the H2 heading, required)
    (r"What you will build", True),
    (r"Concepts", True),
    (r"Design", True),
    (r"Code walkthrough: .+", True),
    (r"Try it(: .+)?", True),
    (r"Benchmark(: .+)?", False),
    (r"Exercises", True),
    (r"Further reading", True),
]

FENCE = re.compile(r"^(```|~~~)")
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)|<([a-z]+:[^>\s]*)>")


def prose_lines(text: str):
    """(line number, line) outside fenced code blocks."""
    fence = False
    for n, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            fence = not fence
            continue
        if not fence:
            yield n, line


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading's text."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)              # code spans keep their text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)     # links keep their text
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for _, line in prose_lines(text):
        m = re.match(r"#{1,6} (.*)", line)
        if not m:
            continue
        a = anchor(m.group(1))
        n = seen.get(a, 0)
        seen[a] = n + 1
        out.add(a if n == 0 else f"{a}-{n}")
    return out


def check_skeleton(path: Path, text: str) -> list[str]:
    problems = []
    h2 = [(n, line[3:].strip()) for n, line in prose_lines(text) if line.startswith("## ")]
    i = 0
    for pattern, required in SKELETON:
        if i < len(h2) and re.fullmatch(pattern, h2[i][1]):
            i += 1
        elif required:
            got = f"line {h2[i][0]}: '## {h2[i][1]}'" if i < len(h2) else "the end of the file"
            problems.append(f"{path}: expected '## {pattern}' next, found {got}")
            return problems
    for n, title in h2[i:]:
        problems.append(f"{path}:{n}: '## {title}' is not a section of the lesson skeleton "
                        f"(make it a numbered section of Concepts or Design)")
    # Numbered sections 1, 2, 3 … under Concepts and Design, at least one in each.
    expected, part, counts = 1, None, {"Concepts": 0, "Design": 0}
    for n, line in prose_lines(text):
        if line.startswith("## "):
            part = line[3:].strip()
            continue
        if part in counts and line.startswith("### "):
            m = re.match(r"### (\d+)\. \S", line)
            if not m:
                problems.append(f"{path}:{n}: a section of {part} is numbered: '### {expected}. Title'")
                continue
            if int(m.group(1)) != expected:
                problems.append(f"{path}:{n}: section {m.group(1)} where {expected} was expected")
            expected = int(m.group(1)) + 1
            counts[part] += 1
    for part, count in counts.items():
        if count == 0:
            problems.append(f"{path}: '## {part}' has no numbered section")
    return problems


def check_links(path: Path, text: str, root: Path) -> list[str]:
    problems = []
    cache: dict[Path, set[str]] = {}
    for n, line in prose_lines(text):
        line = re.sub(r"`[^`]*`", "", line)  # a link inside a code span is not a link
        for m in LINK.finditer(line):
            target = m.group(1) or m.group(2) or m.group(3)
            where = f"{path.relative_to(root)}:{n}"
            if re.match(r"[a-z]+:", target):
                if not re.fullmatch(r"(https?://[\w.-]+\.[a-z]{2,}(/\S*)?|mailto:\S+@\S+)", target):
                    problems.append(f"{where}: malformed link {target}")
                continue
            file_part, _, fragment = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                problems.append(f"{where}: {target}: {file_part} does not exist")
                continue
            if fragment:
                if dest.is_dir() or dest.suffix != ".md":
                    problems.append(f"{where}: {target}: a fragment into a non-Markdown target")
                    continue
                if dest not in cache:
                    cache[dest] = anchors(dest.read_text(encoding="utf-8"))
                if fragment not in cache[dest]:
                    problems.append(f"{where}: {target}: no heading #{fragment} in {dest.name}")
    return problems


def course_files(root: Path) -> tuple[list[Path], list[Path]]:
    lessons = sorted(root.glob("chapters/[0-9][0-9]-*/README.md"))
    others = [root / "README.md", root / "chapters/GLOSSARY.md", root / "final/README.md",
              root / "tools/CONTRIBUTING.md", root / "exercises/README.md"]
    others += sorted(root.glob("exercises/*/*/README.md"))
    return lessons, [p for p in others if p.exists()]


def check(root: Path) -> list[str]:
    lessons, others = course_files(root)
    problems = []
    if not lessons:
        problems.append(f"{root}: no lessons found")
    for p in lessons:
        text = p.read_text(encoding="utf-8")
        problems += check_skeleton(p.relative_to(root), text)
        problems += check_links(p, text, root)
    for p in others:
        problems += check_links(p, p.read_text(encoding="utf-8"), root)
    return problems


GOOD = """# Chapter 9 — Demo
## What you will build
See [the concepts](#concepts) and [section 2](#2-a-design-choice), [the glossary](GLOSSARY.md).
## Concepts
### 1. An idea
## Design
### 2. A design choice
#### A detail
## Code walkthrough: one function
## Try it
## Exercises
## Further reading
- [Kafka](https://kafka.apache.org/documentation/)
"""


def selftest() -> int:
    broken = {
        "a missing part": GOOD.replace("## Design\n", ""),
        "an extra top-level section": GOOD.replace("## Try it\n", "## Try it\n## Loose ends\n"),
        "parts out of order": GOOD.replace("## Try it\n## Exercises\n", "## Exercises\n## Try it\n"),
        "a gap in the numbering": GOOD.replace("### 2. A design", "### 3. A design").replace("#2-a", "#3-a"),
        "an unnumbered section": GOOD.replace("### 1. An idea", "### An idea"),
        "a dead file link": GOOD.replace("GLOSSARY.md", "GLOSSARY2.md"),
        "a dead anchor": GOOD.replace("#concepts", "#concept"),
        "a malformed web link": GOOD.replace("https://kafka.apache.org", "https//kafka"),
        "a malformed autolink": GOOD + "<https:/kafka.apache.org>\n",
    }
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "chapters/09-demo").mkdir(parents=True)
        (root / "chapters/09-demo/GLOSSARY.md").write_text("# Glossary\n")
        lesson = root / "chapters/09-demo/README.md"
        lesson.write_text(GOOD)
        if problems := check(root):
            print("selftest: the good lesson fails:\n  " + "\n  ".join(problems))
            failures += 1
        for what, text in broken.items():
            lesson.write_text(text)
            if not check(root):
                print(f"selftest: {what} was not caught")
                failures += 1
    print("selftest: OK" if not failures else f"selftest: {failures} failure(s)")
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["check", "selftest"])
    args = ap.parse_args()
    if args.command == "selftest":
        return selftest()
    problems = check(ROOT)
    for p in problems:
        print(f"error: {p}")
    if not problems:
        lessons, others = course_files(ROOT)
        print(f"lessons: {len(lessons)} lessons in shape; links in {len(lessons) + len(others)} files resolve")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
