#!/usr/bin/env python3
"""Streamcraft course generator: one source of truth, many generated views.

`final/` holds the complete system and `tests/` its tests.  Everything a
student sees chapter by chapter is *derived* from them by this script:

    chapters/<slug>/          snapshot of final/ + tests/ as of that chapter
    exercises/<slug>/<id>/    starter files with the solution cut out
    tests/suites.cmake        ctest registrations (with labels) for final/

Subcommands (paths are relative to the repository root, whatever the cwd):

    generate                     write all generated files, delete stale ones
    check                        regenerate in memory, compare with the tree
    check-exercises --build DIR  prove every exercise's tests fail on the
                                 starter and pass on the reference
    list-tests [--chapter NN]    show test cases and their ctest labels

The manifest (final/course.toml), the test suites (tests/suites.toml) and the
marker grammar (`// @from chNN`, `// @exercise id(args)`, `// @end`) are
described in tools/CONTRIBUTING.md.  Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import signal
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ROOT = Path(__file__).resolve().parent.parent
OVERRIDE_BUDGET = 8  # overrides are a last resort; markers should do the work


class CourseError(Exception):
    """One or more problems in the sources; each message names file:line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

# Editor droppings and caches never count as course files.
JUNK_NAMES = {"__pycache__", ".git", ".DS_Store", ".idea", ".vscode"}
JUNK_SUFFIXES = ("~", ".swp", ".swo", ".pyc", ".orig", ".rej")


def is_junk(name: str) -> bool:
    return name in JUNK_NAMES or name.endswith(JUNK_SUFFIXES) or name.startswith(".#")


def walk_files(top: Path) -> list[str]:
    """All non-junk files under `top`, as sorted posix paths relative to it.

    A directory holding a CMakeCache.txt is somebody's build tree; skip it so
    an in-source `cmake -B build` does not look like course content.
    """
    found = []
    if not top.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(
            d for d in dirnames
            if not is_junk(d) and not (Path(dirpath, d, "CMakeCache.txt")).exists()
        )
        for name in filenames:
            if not is_junk(name):
                found.append(Path(dirpath, name).relative_to(top).as_posix())
    return sorted(found)


def glob_regex(pattern: str) -> re.Pattern:
    """Translate a manifest glob: `*` and `?` stay inside one directory,
    `**` crosses directories (so "dir/**" means everything under dir)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")  # zero or more whole directories
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            c = pattern[i]
            out.append("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z")


def split_lines(text: str) -> list[str]:
    """Split keeping line endings; unlike str.splitlines() this only splits on
    '\\n', so form feeds and other odd characters in sources survive."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def decode_text(data: bytes) -> str | None:
    """The file's text, or None if it is binary (NUL byte or not UTF-8)."""
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# Comment syntax per file type, for the "generated from" header line.
SLASH = ("// ", "")
HASH = ("# ", "")
ANGLE = ("<!-- ", " -->")
COMMENT_BY_SUFFIX = {
    **dict.fromkeys([".h", ".hpp", ".cpp", ".cc", ".c", ".js", ".ts"], SLASH),
    **dict.fromkeys([".cmake", ".py", ".toml", ".sh", ".txt", ".cfg",
                     ".properties", ".yaml", ".yml", ""], HASH),
    **dict.fromkeys([".md", ".svg", ".html", ".xml"], ANGLE),
}


def comment_style(rel: str) -> tuple[str, str] | None:
    name = posixpath.basename(rel)
    if name == "CMakeLists.txt":
        return HASH
    return COMMENT_BY_SUFFIX.get(posixpath.splitext(name)[1])


def with_header(text: str, rel: str, note: str) -> str:
    """Prepend a header comment; it goes after a `#!` or `<?xml` first line,
    which must stay first for the file to keep working."""
    opener, closer = comment_style(rel)
    header = f"{opener}{note}{closer}\n"
    if text.startswith(("#!", "<?xml")):
        first, _, rest = text.partition("\n")
        return f"{first}\n{header}{rest}"
    return header + text


def cmake_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


# --------------------------------------------------------------------------
# The course description: chapters, manifests, exercises, exclusions
# --------------------------------------------------------------------------

@dataclass
class Chapter:
    id: str
    slug: str
    title: str
    index: int
    # A draft chapter is being written: its code and tests are in final/ (and run there),
    # but it has no snapshot, no exercises and no lesson folder yet. Only the last
    # chapters may be drafts.
    draft: bool = False


@dataclass
class Exercise:
    id: str
    chapter: Chapter
    title: str
    files: list[str]
    task: str
    hints: list[str]
    # A component exercise builds a whole piece of its chapter; its milestones are test
    # names, in the order a student should make them pass.
    component: bool = False
    milestones: list[str] = field(default_factory=list)


@dataclass
class Exclusion:
    chapter: int
    test: str
    reason: str


def load_toml(path: Path, root: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise CourseError([f"{path.relative_to(root)}: missing"])
    except tomllib.TOMLDecodeError as e:
        raise CourseError([f"{path.relative_to(root)}: {e}"])


class Course:
    """Everything read from final/course.toml and tests/suites.toml."""

    def __init__(self, root: Path):
        self.root = root
        problems: list[str] = []
        course = load_toml(root / "final/course.toml", root)
        where = "final/course.toml"

        self.chapters: list[Chapter] = []
        for i, c in enumerate(course.get("chapter", [])):
            try:
                ch = Chapter(str(c["id"]), c["slug"], c["title"], i, bool(c.get("draft", False)))
            except KeyError as e:
                problems.append(f"{where}: chapter #{i + 1} lacks {e}")
                continue
            if not re.fullmatch(r"\d\d", ch.id):
                problems.append(f"{where}: chapter id {ch.id!r} is not two digits")
            self.chapters.append(ch)
        if not self.chapters:
            problems.append(f"{where}: no [[chapter]] entries")
        self.by_id = {c.id: c for c in self.chapters}
        if len(self.by_id) != len(self.chapters):
            problems.append(f"{where}: duplicate chapter ids")
        for a, b in zip(self.chapters, self.chapters[1:]):
            if a.draft and not b.draft:
                problems.append(f"{where}: chapter {a.id} is a draft but {b.id} after it is not")
        # The chapters that have a snapshot, a lesson and exercises.
        self.published = [c for c in self.chapters if not c.draft]
        self.final = len(self.chapters)  # index meaning "only in final/"

        self.exercises: dict[str, Exercise] = {}
        for i, e in enumerate(course.get("exercise", [])):
            eid, ch = e.get("id", ""), self.by_id.get(str(e.get("chapter")))
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", eid):
                problems.append(f"{where}: exercise #{i + 1} has a bad id {eid!r}")
            elif ch is None:
                problems.append(f"{where}: exercise {eid}: unknown chapter {e.get('chapter')!r}")
            elif ch.draft:
                problems.append(f"{where}: exercise {eid} is in chapter {ch.id}, a draft: "
                                "a draft chapter has no exercises yet")
            elif eid in self.exercises:
                problems.append(f"{where}: duplicate exercise id {eid}")
            elif not e.get("files"):
                problems.append(f"{where}: exercise {eid} lists no files")
            else:
                self.exercises[eid] = Exercise(eid, ch, e.get("title", eid), list(e["files"]),
                                               e.get("task", ""), list(e.get("hints", [])),
                                               bool(e.get("component", False)), list(e.get("milestones", [])))
                if self.exercises[eid].component and not self.exercises[eid].milestones:
                    problems.append(f"{where}: component exercise {eid} lists no milestones")

        # Each tree may carry its own description file; it is never part of a
        # chapter unless the manifest says otherwise.
        self.final_manifest = self._manifest(course.get("files", {}), where, problems,
                                             implicit={"course.toml": "final"})
        suites = load_toml(root / "tests/suites.toml", root)
        self.tests_manifest = self._manifest(suites.get("files", {}), "tests/suites.toml",
                                             problems, implicit={"suites.toml": "final"})
        self.exclusions: list[Exclusion] = []
        for x in suites.get("exclude", []):
            ch, test, reason = self.by_id.get(str(x.get("chapter"))), x.get("test"), x.get("reason")
            if ch is None or not test or not (reason or "").strip():
                problems.append("tests/suites.toml: [[exclude]] needs a known chapter, "
                                f"a test and a non-empty reason: {x}")
            else:
                self.exclusions.append(Exclusion(ch.index, test, reason.strip()))
        if problems:
            raise CourseError(problems)

    def _manifest(self, table, where, problems, implicit):
        entries = []
        for pattern, value in {**implicit, **table}.items():
            index = self.chapter_index(str(value))
            if index is None:
                problems.append(f"{where}: {pattern!r} = {value!r}: not a chapter id or \"final\"")
            else:
                entries.append((pattern, glob_regex(pattern), index))
        return entries

    def chapter_index(self, value: str) -> int | None:
        if value == "final":
            return self.final
        ch = self.by_id.get(value)
        return ch.index if ch else None

    def name(self, index: int) -> str:
        return "final" if index == self.final else "ch" + self.chapters[index].id


def manifest_chapter(entries, rel: str, where: str) -> int:
    """Chapter index of a file: the most specific (longest) matching glob."""
    hits = sorted(((len(p), p, i) for p, rx, i in entries if rx.match(rel)), reverse=True)
    if not hits:
        raise CourseError([f"{where}/{rel}: matches no entry of the manifest; add one"])
    if len(hits) > 1 and hits[0][0] == hits[1][0]:
        raise CourseError([f"{where}/{rel}: ambiguous manifest entries "
                           f"{hits[0][1]!r} and {hits[1][1]!r}"])
    return hits[0][2]


# --------------------------------------------------------------------------
# Markers: parse once, render for any chapter
# --------------------------------------------------------------------------

MARKER = re.compile(r"^\s*(?://|#)\s*@(from|exercise|end)\b(.*)$")
FROM_ARG = re.compile(r"\s+ch(\w+)\s*")
EXERCISE_ARG = re.compile(r"\s+([A-Za-z0-9][\w-]*)\s*(?:\((.*)\))?\s*")


@dataclass
class Line:
    text: str
    lineno: int
    appear: int              # first chapter index in which this line exists
    inside: frozenset        # ids of the exercise regions around it


@dataclass
class Stub:
    """Where an `@exercise` region starts: the starter puts the stub here."""
    exercise: str
    args: str
    indent: str
    lineno: int
    appear: int
    inside: frozenset


def parse_markers(text: str, label: str, file_chapter: int, course: Course,
                  problems: list[str]) -> list:
    items: list = []
    stack: list = []  # (lineno, appear, inside) saved at each block opening
    appear, inside = file_chapter, frozenset()
    for n, line in enumerate(split_lines(text), 1):
        m = MARKER.match(line.rstrip("\r\n"))
        if not m:
            items.append(Line(line, n, appear, inside))
            continue
        kind, rest = m.groups()
        here = f"{label}:{n}"
        if kind == "end":
            if stack:
                _, appear, inside = stack.pop()
            else:
                problems.append(f"{here}: @end without an open @from/@exercise")
            continue
        if kind == "from":
            fm = FROM_ARG.fullmatch(rest)
            ch = course.by_id.get(fm.group(1)) if fm else None
            if ch is None:
                problems.append(f"{here}: expected '@from chNN' with a known chapter, got {rest.strip()!r}")
                continue  # not pushed, so its @end will be reported too
            if ch.index < file_chapter:
                problems.append(f"{here}: @from ch{ch.id} is pointless: the file is "
                                f"already in {course.name(file_chapter)}")
            stack.append((n, appear, inside))
            appear = max(appear, ch.index)
        else:  # exercise
            em = EXERCISE_ARG.fullmatch(rest)
            ex = course.exercises.get(em.group(1)) if em else None
            if ex is None:
                problems.append(f"{here}: expected '@exercise <known id>(args)', got {rest.strip()!r}")
                continue
            if ex.chapter.index < file_chapter:
                problems.append(f"{here}: exercise {ex.id} is in ch{ex.chapter.id}, before "
                                f"this file exists ({course.name(file_chapter)})")
            indent = line[: len(line) - len(line.lstrip())]
            items.append(Stub(ex.id, (em.group(2) or "").strip(), indent, n, appear, inside))
            stack.append((n, appear, inside))
            appear, inside = max(appear, ex.chapter.index), inside | {ex.id}
    for n, _, _ in stack:
        problems.append(f"{label}:{n}: block opened here is never closed with @end")
    return items


def render(items: list, target: int, stub_for: Exercise | None = None) -> str:
    """The file as it is in chapter `target`; with `stub_for`, that exercise's
    regions become one not_implemented(...) call each."""
    out = []
    for it in items:
        if it.appear > target or (stub_for and stub_for.id in it.inside):
            continue
        if isinstance(it, Line):
            out.append(it.text)
        elif stub_for and it.exercise == stub_for.id:
            args = f", {it.args}" if it.args else ""
            out.append(f'{it.indent}streamcraft::not_implemented('
                       f'"{stub_for.chapter.slug}/{stub_for.id}"{args});\n')
    return "".join(out)


# --------------------------------------------------------------------------
# Sources and test cases
# --------------------------------------------------------------------------

@dataclass
class Source:
    label: str                # e.g. "final/log/x.cpp": used in headers and errors
    rel: str                  # path inside final/ or tests/
    data: bytes
    executable: bool
    chapter: int              # manifest chapter index
    items: list | None        # parsed markers; None = copy byte-for-byte
    tests: list = field(default_factory=list)


@dataclass
class TestCase:
    name: str
    file: str
    lineno: int
    appear: int
    chapter: int              # from the [chNN] tag
    exercises: list[str]


TEST_MACRO = re.compile(r"\b([A-Z_]*TEST_CASE[A-Z_]*|SCENARIO[A-Z_]*)\s*\(")
NAME_TAGS = r'\s*"([^"]*)"\s*,\s*"((?:\[[^\]]+\])+)"\s*\)'
TEST_SHAPES = {
    "TEST_CASE": re.compile(r"TEST_CASE\(" + NAME_TAGS),
    "SCENARIO": re.compile(r"SCENARIO\(" + NAME_TAGS),
    "TEST_CASE_METHOD": re.compile(r"TEST_CASE_METHOD\(\s*[\w:<> ]+?\s*," + NAME_TAGS),
}
BAD_NAME_CHARS = set(',[]\\*~";')  # ';' would split the CMake label list


def scan_tests(src: Source, course: Course, problems: list[str]) -> list[TestCase]:
    found = []
    for it in src.items:
        if not isinstance(it, Line) or it.text.lstrip().startswith(("//", "/*", "*")):
            continue
        m = TEST_MACRO.search(it.text)
        if not m:
            continue
        here = f"{src.label}:{it.lineno}"
        shape = TEST_SHAPES.get(m.group(1))
        sm = shape.match(it.text, m.start()) if shape else None
        if not shape:
            problems.append(f"{here}: {m.group(1)} is not supported; use TEST_CASE/SCENARIO")
            continue
        if not sm:
            problems.append(f"{here}: write {m.group(1)} on one line with a name and tags: "
                            'TEST_CASE("name", "[chNN][more tags]")')
            continue
        name, tags = sm.group(1), re.findall(r"\[([^\]]+)\]", sm.group(2))
        if m.group(1) == "SCENARIO":
            name = "Scenario: " + name  # Catch2 registers scenarios under this name
        if not name.strip() or name != name.strip() or BAD_NAME_CHARS & set(name):
            problems.append(f"{here}: test name {name!r} is empty, padded, or contains one of , [ ] \\ * ~ \" ;")
        chapters = [t[2:] for t in tags if re.fullmatch(r"ch\d+", t)]
        if len(chapters) != 1 or chapters[0] not in course.by_id:
            problems.append(f"{here}: {name!r} needs exactly one known chapter tag [chNN], has {chapters}")
            continue
        ch = course.by_id[chapters[0]].index
        # The test exists from chapter `appear` on, so it must be tagged no
        # earlier (final-only files may carry any chapter tag).
        if ch < min(it.appear, course.final - 1):
            problems.append(f"{here}: {name!r} is tagged [ch{chapters[0]}] but only "
                            f"exists from {course.name(it.appear)} on")
        exercises = [t[3:] for t in tags if t.startswith("ex:")]
        for eid in exercises:
            ex = course.exercises.get(eid)
            if ex is None:
                problems.append(f"{here}: unknown exercise tag [ex:{eid}]")
            elif ex.chapter.index != ch:
                problems.append(f"{here}: [ex:{eid}] belongs to ch{ex.chapter.id}, "
                                f"but the test is tagged [ch{chapters[0]}]")
        found.append(TestCase(name, src.rel, it.lineno, it.appear, ch, exercises))
    return found


class Tree:
    """All sources, parsed and validated; produces the generated files."""

    def __init__(self, root: Path):
        self.root = root
        self.course = c = Course(root)
        problems: list[str] = []
        self.finals = self._load("final", c.final_manifest, problems)
        self.tests = self._load("tests", c.tests_manifest, problems, skip={"suites.cmake"})
        self.overrides = self._load_overrides(problems)

        all_tests: dict[str, TestCase] = {}
        for src in self.tests.values():
            if src.items is not None and src.rel.endswith(".cpp"):
                src.tests = scan_tests(src, c, problems)
                for t in src.tests:
                    if t.name in all_tests:
                        o = all_tests[t.name]
                        problems.append(f"tests/{t.file}:{t.lineno}: duplicate test name "
                                        f"{t.name!r} (also tests/{o.file}:{o.lineno})")
                    all_tests[t.name] = t
        for x in c.exclusions:
            t = all_tests.get(x.test)
            if t is None:
                problems.append(f"tests/suites.toml: [[exclude]] names unknown test {x.test!r}")
            elif x.chapter <= t.chapter:
                problems.append(f"tests/suites.toml: [[exclude]] {x.test!r} from "
                                f"{c.name(x.chapter)} would never run it; delete the test instead")
        self._check_exercises(all_tests, problems)
        if problems:
            raise CourseError(list(dict.fromkeys(problems)))  # dedupe, keep order

    def _load(self, tree: str, manifest, problems, skip=()) -> dict[str, Source]:
        sources = {}
        for rel in walk_files(self.root / tree):
            if rel in skip:
                continue
            try:
                chapter = manifest_chapter(manifest, rel, tree)
            except CourseError as e:
                problems.extend(e.problems)
                continue
            sources[rel] = self._source(f"{tree}/{rel}", rel, self.root / tree / rel, chapter, problems)
        return sources

    def _source(self, label, rel, path: Path, chapter, problems) -> Source:
        data = path.read_bytes()
        text = decode_text(data) if comment_style(rel) else None
        items = None if text is None else parse_markers(text, label, chapter, self.course, problems)
        return Source(label, rel, data, os.access(path, os.X_OK), chapter, items)

    def _load_overrides(self, problems) -> dict[str, list[tuple[int, Source]]]:
        """tools/overrides/upto-NN/<path>: replaces final/<path> up to chapter NN."""
        store = self.root / "tools/overrides"
        found: dict[str, list[tuple[int, Source]]] = {}
        files = walk_files(store)
        if len(files) > OVERRIDE_BUDGET:
            problems.append(f"tools/overrides: override budget exceeded "
                            f"({len(files)} files, at most {OVERRIDE_BUDGET})")
        for path in files:
            top, _, rel = path.partition("/")
            m = re.fullmatch(r"upto-(\d\d)", top)
            ch = self.course.by_id.get(m.group(1)) if m else None
            label = f"tools/overrides/{path}"
            if ch is None or not rel:
                problems.append(f"{label}: expected tools/overrides/upto-NN/<path> with a known chapter NN")
            elif rel not in self.finals:
                problems.append(f"{label}: overrides final/{rel}, which does not exist")
            elif ch.index < self.finals[rel].chapter:
                problems.append(f"{label}: final/{rel} only appears in "
                                f"{self.course.name(self.finals[rel].chapter)}; this is never used")
            else:
                src = self._source(label, rel, store / path, self.finals[rel].chapter, problems)
                found.setdefault(rel, []).append((ch.index, src))
        for variants in found.values():
            variants.sort(key=lambda v: v[0])
        return found

    def source_for(self, rel: str, target: int) -> Source:
        """final/<rel>, or the oldest override still covering chapter `target`."""
        for upto, src in self.overrides.get(rel, []):
            if target <= upto:
                return src
        return self.finals[rel]

    def _check_exercises(self, all_tests, problems):
        sources = [*self.finals.values(), *self.tests.values(),
                   *(s for v in self.overrides.values() for _, s in v)]
        for ex in self.course.exercises.values():
            for src in sources:
                has = any(isinstance(i, Stub) and i.exercise == ex.id for i in src.items or [])
                if has and (not src.label.startswith(("final/", "tools/")) or src.rel not in ex.files):
                    problems.append(f"{src.label}: has an @exercise {ex.id} region but is not "
                                    f"in that exercise's files")
            for rel in ex.files:
                if not rel.endswith(".cpp"):
                    problems.append(f"final/course.toml: exercise {ex.id}: {rel}: only .cpp files "
                                    "can be exercise files (the chapter's build swaps their objects)")
                if rel not in self.finals:
                    problems.append(f"final/course.toml: exercise {ex.id}: no file final/{rel}")
                    continue
                src = self.source_for(rel, ex.chapter.index)
                if src.chapter > ex.chapter.index:
                    problems.append(f"final/course.toml: exercise {ex.id}: final/{rel} is not in "
                                    f"ch{ex.chapter.id} yet")
                elif not any(isinstance(i, Stub) and i.exercise == ex.id for i in src.items or []):
                    problems.append(f"{src.label}: listed by exercise {ex.id} but has no "
                                    f"'@exercise {ex.id}' region")
            if not any(ex.id in t.exercises for t in all_tests.values()):
                print(f"warning: exercise {ex.id} has no test tagged [ex:{ex.id}]", file=sys.stderr)
            tagged = {t.name for t in all_tests.values() if ex.id in t.exercises}
            for m in ex.milestones:
                if m not in tagged:
                    problems.append(f"final/course.toml: exercise {ex.id}: milestone {m!r} is not a test "
                                    f"tagged [ex:{ex.id}]")
            if len(set(ex.milestones)) != len(ex.milestones):
                problems.append(f"final/course.toml: exercise {ex.id}: a milestone is listed twice")

    # ---------------------------------------------------------------- suites

    def build_tests(self, target: int) -> tuple[list[Source], list[TestCase]]:
        """Test files and test cases present in the build of chapter `target`
        (course.final = the final build, which also has final-only files)."""
        files = [s for rel, s in sorted(self.tests.items()) if s.chapter <= target]
        cases = [t for s in files for t in s.tests if t.appear <= target]
        return files, cases

    def labels(self, test: TestCase, target: int) -> tuple[list[str], Exclusion | None]:
        """ctest labels chKK..chNN; none if an exclusion covers this build.

        An excluded test is not registered at all in builds of its exclusion
        chapter or later (the final build included): the code it checks has
        changed, so plain `ctest` must not run it there either."""
        top = min(target, self.course.final - 1)  # the final build ends at the last chapter
        stops = [x for x in self.course.exclusions if x.test == test.name]
        stop = min(stops, key=lambda x: x.chapter) if stops else None
        if stop and stop.chapter <= target:
            return [], stop
        return [self.course.name(i) for i in range(test.chapter, top + 1)], stop

    def suites_cmake(self, target: int) -> str:
        files, cases = self.build_tests(target)
        sources = [s.rel for s in files if s.rel.endswith(".cpp") and not s.rel.startswith("support/")]
        top = min(target, self.course.final - 1)
        chapters = " ".join(self.course.name(i) for i in range(0, top + 1))
        out = ["# generated by tools/course.py from tests/suites.toml; edit there\n",
               f"set(STREAMCRAFT_CHAPTERS {chapters})  # the chapters whose suites this build has\n",
               "set(STREAMCRAFT_TEST_SOURCES" + "".join(f"\n  {r}" for r in sources) + ")\n"]
        for t in sorted(cases, key=lambda t: (t.file, t.lineno)):
            chapters, stop = self.labels(t, target)
            if chapters:
                # An exercise's program exists only in its own chapter's build.
                own = [e for e in t.exercises if self.course.exercises[e].chapter.index == target]
                extra = f" EXERCISES {' '.join(own)}" if own else ""
                out.append(f"streamcraft_add_test({cmake_quote(t.name)} "
                           f"{cmake_quote(';'.join(chapters))}{extra})\n")
            elif stop and stop.chapter <= target:
                out.append(f'# excluded: "{t.name}" from {self.course.name(stop.chapter)}: '
                           f"{' '.join(stop.reason.split())}\n")
            else:  # tagged for a later chapter than this build
                out.append(f'# not yet: "{t.name}" is tagged [{self.course.name(t.chapter)}]\n')
        return "".join(out)

    # ---------------------------------------------------------------- output

    def generate(self) -> dict[str, tuple[bytes, bool]]:
        """Every generated file: repo-relative path -> (content, executable)."""
        out: dict[str, tuple[bytes, bool]] = {}

        def emit(dest, src: Source, target, note, stub_for=None):
            # Never write over a hand-written lesson or another generated file.
            parts = dest.split("/")
            if parts[0] == "chapters" and (parts[2:] == ["README.md"] or parts[2] == "lesson"):
                raise CourseError([f"{src.label}: would overwrite the hand-written {dest}; "
                                   "map it to \"final\" or move it"])
            if dest in out:
                raise CourseError([f"{src.label}: would overwrite generated {dest}"])
            if src.items is None:
                out[dest] = (src.data, src.executable)
            else:
                text = with_header(render(src.items, target, stub_for), src.rel, note)
                out[dest] = (text.encode("utf-8"), src.executable)

        for ch in self.course.published:
            base = f"chapters/{ch.slug}"
            for rel, final in self.finals.items():
                if final.chapter <= ch.index:
                    src = self.source_for(rel, ch.index)
                    emit(f"{base}/{rel}", src, ch.index, f"generated from {src.label}; edit there")
            for rel, src in self.tests.items():
                if src.chapter <= ch.index:
                    emit(f"{base}/tests/{rel}", src, ch.index, f"generated from {src.label}; edit there")
            out[f"{base}/tests/suites.cmake"] = (self.suites_cmake(ch.index).encode(), False)
            out[f"{base}/exercises.cmake"] = (exercises_cmake(self.course, ch).encode(), False)
        out["tests/suites.cmake"] = (self.suites_cmake(self.course.final).encode(), False)

        for ex in self.course.exercises.values():
            base = f"exercises/{ex.chapter.slug}/{ex.id}"
            for rel in ex.files:
                src = self.source_for(rel, ex.chapter.index)
                emit(f"{base}/{rel}", src, ex.chapter.index,
                     f"starter generated from {src.label} for exercise {ex.id}; "
                     "edit freely, this is your copy", stub_for=ex)
            if "README.md" in ex.files:
                raise CourseError([f"final/course.toml: exercise {ex.id}: README.md "
                                   "is generated in the exercise folder; it cannot be a starter file"])
            out[f"{base}/README.md"] = (exercise_readme(ex).encode(), False)
        out["exercises/README.md"] = (exercises_index(self.course).encode(), False)
        return out


# --------------------------------------------------------------------------
# Exercise folder texts
# --------------------------------------------------------------------------

def exercises_cmake(course: "Course", ch: Chapter) -> str:
    """chapters/<slug>/exercises.cmake: the chapter's exercises, for
    cmake/StreamcraftSources.cmake, which builds one test program per exercise."""
    exs = [e for e in course.exercises.values() if e.chapter is ch]
    out = ["# generated from final/course.toml; edit there\n",
           "# The exercises of this chapter. For each, the build compiles the files in its folder\n",
           "# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;\n",
           "# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).\n",
           "set(STREAMCRAFT_EXERCISES" + "".join(f" {e.id}" for e in exs) + ")\n"]
    for e in exs:
        out.append(f'set(STREAMCRAFT_EXERCISE_{e.id}_DIR '
                   f'"${{CMAKE_CURRENT_LIST_DIR}}/../../exercises/{ch.slug}/{e.id}")\n')
        out.append(f"set(STREAMCRAFT_EXERCISE_{e.id}_FILES {' '.join(e.files)})\n")
    return "".join(out)


def exercise_readme(ex: Exercise) -> str:
    ch, b = ex.chapter, f"build/ch{ex.chapter.id}"
    files = "\n".join(f"- [`{rel}`]({rel})" for rel in ex.files)
    solutions = "\n".join(f"- [`chapters/{ch.slug}/{rel}`](../../../chapters/{ch.slug}/{rel})"
                          for rel in ex.files)
    hints = "\n".join(f"{i}. {h.strip()}" for i, h in enumerate(ex.hints, 1))
    hint_block = (f"\n## Hints\n\n<details>\n<summary>Show hints</summary>\n\n{hints}\n\n</details>\n"
                  if ex.hints else "")
    milestone_block = ""
    if ex.milestones:
        steps = "\n".join(f"{i}. `{m}`" for i, m in enumerate(ex.milestones, 1))
        milestone_block = f"""
## Milestones

Make the tests pass in this order — each builds on the one before. One test at a time:
`{b}/tests/streamcraft_tests_ex_{ex.id} "<test name>"` (after the build command below).

{steps}
"""
    return f"""\
<!-- generated from final/course.toml; edit there -->
# Exercise: {ex.title}

Chapter {int(ch.id)}: {ch.title}

## Task

{ex.task.strip()}

## Files to edit

{files}
{milestone_block}{hint_block}
## Build and test

From the repository root:

```sh
cmake -S chapters/{ch.slug} -B {b} && cmake --build {b} -j2 && ctest --test-dir {b} -L ex:{ex.id} --output-on-failure
```

The chapter's build compiles your files from this folder into a test program of their
own, `{b}/tests/streamcraft_tests_ex_{ex.id}`, next to the chapter's
`streamcraft_tests`; after an edit, the same command recompiles only your files. On
the untouched starter every one of these tests fails with "not implemented"; that is
your starting point. Run the chapter's whole suite with your code in it with
`{b}/tests/streamcraft_tests_ex_{ex.id}`: your change should not break it.
(`ctest --test-dir {b} -L ch{ch.id}` runs the suite on the chapter's own code.)

## Reference solution

This is a self-study course, so the solution is public: it is the chapter
snapshot. Try first, then compare:

{solutions}
"""


def exercises_index(course: Course) -> str:
    out = ["<!-- generated from final/course.toml; edit there -->\n# Exercises\n",
           "\nEach folder has a README with the task and the commands to build and test it.\n"]
    for ch in course.published:
        exs = [e for e in course.exercises.values() if e.chapter is ch]
        if exs:
            out.append(f"\n## Chapter {int(ch.id)}: {ch.title}\n\n")
            out += [f"- [{e.title}]({ch.slug}/{e.id}/) (`{e.id}`{', a component' if e.component else ''})\n"
                    for e in exs]
    return "".join(out)


# --------------------------------------------------------------------------
# Comparing with / writing to the repository
# --------------------------------------------------------------------------

def owned_files(root: Path) -> list[str]:
    """Files in the repo that the generator owns: all of exercises/, all of
    chapters/<slug>/ except its README.md and lesson/, and tests/suites.cmake."""
    owned = []
    chapters = root / "chapters"
    for slug in sorted(p.name for p in chapters.iterdir() if p.is_dir()) if chapters.is_dir() else []:
        for rel in walk_files(chapters / slug):
            if rel != "README.md" and not rel.startswith("lesson/"):
                owned.append(f"chapters/{slug}/{rel}")
    owned += [f"exercises/{rel}" for rel in walk_files(root / "exercises")]
    if (root / "tests/suites.cmake").exists():
        owned.append("tests/suites.cmake")
    return owned


def file_state(path: Path) -> tuple[bytes, bool]:
    return path.read_bytes(), os.access(path, os.X_OK)


def cmd_generate(root: Path) -> int:
    wanted = Tree(root).generate()
    written = 0
    for rel, (data, executable) in sorted(wanted.items()):
        path = root / rel
        if path.exists() and file_state(path) == (data, executable):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o755 if executable else 0o644)
        written += 1
    stale = [rel for rel in owned_files(root) if rel not in wanted]
    for rel in stale:
        print(f"removed stale {rel}")
        (root / rel).unlink()
    # Drop directories the removals left empty (the hand-written ones stay).
    for top in ("chapters", "exercises"):
        for dirpath, _, _ in sorted(os.walk(root / top), reverse=True):
            if dirpath != str(root / top) and not os.listdir(dirpath):
                os.rmdir(dirpath)
    print(f"generate: {len(wanted)} files, {written} written, {len(stale)} stale removed")
    return 0


def cmd_check(root: Path) -> int:
    # Regenerating in memory is equivalent to a temporary folder and cheaper.
    wanted = Tree(root).generate()
    problems = []
    for rel, (data, executable) in sorted(wanted.items()):
        path = root / rel
        if not path.exists():
            problems.append(f"missing: {rel}")
        elif path.read_bytes() != data:
            problems.append(f"differs: {rel}")
        elif os.access(path, os.X_OK) != executable:
            problems.append(f"mode differs (executable bit): {rel}")
    problems += [f"stale:   {rel}" for rel in owned_files(root) if rel not in wanted]
    for p in problems:
        print(p)
    if problems:
        print(f"check: {len(problems)} difference(s) in {len(wanted)} generated files; "
              "edit final/ or tests/ and run `python3 tools/course.py generate`")
        return 1
    print(f"check: OK, {len(wanted)} generated files up to date")
    return 0


def cmd_list_tests(root: Path, chapter: str | None) -> int:
    tree = Tree(root)
    c = tree.course
    target = c.final if chapter is None else c.chapter_index(chapter)
    if target is None:
        raise CourseError([f"unknown chapter {chapter!r}"])
    _, cases = tree.build_tests(target)
    for t in sorted(cases, key=lambda t: (t.file, t.lineno)):
        chapters, stop = tree.labels(t, target)
        labels = ";".join(chapters + [f"ex:{e}" for e in t.exercises])
        extra = f"  (excluded from {c.name(stop.chapter)}: {stop.reason})" if stop else ""
        print(f"tests/{t.file}:{t.lineno}: {t.name}  [{labels or 'not registered'}]{extra}")
    print(f"{len(cases)} test cases in the {c.name(target) if chapter else 'final'} build")
    return 0


# --------------------------------------------------------------------------
# check-exercises: run the real test binaries
# --------------------------------------------------------------------------

def run_catch(binary: Path, spec: str) -> tuple[dict[str, bool] | None, str]:
    """Run Catch2 v2 with the XML reporter; name -> passed, or None + why."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp, "report.xml")  # a file, so test output cannot corrupt it
        try:
            proc = subprocess.run([str(binary), spec, "-r", "xml", "-o", str(report)],
                                  cwd=binary.parent, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        except subprocess.TimeoutExpired:
            return None, "timed out after 300 s"
        if proc.returncode < 0:
            return None, f"killed by {signal.Signals(-proc.returncode).name}"
        try:
            xml = ET.parse(report)
        except (OSError, ET.ParseError) as e:
            return None, f"no readable XML report ({e})"
    results = {}
    for tc in xml.iter("TestCase"):
        overall = tc.find("OverallResult")
        results[tc.get("name")] = overall is not None and overall.get("success") == "true"
    return results, ""


def cmd_check_exercises(root: Path, build: Path, only: str | None) -> int:
    course = Course(root)
    exercises = [e for e in course.exercises.values() if only in (None, e.id)]
    if only and not exercises:
        raise CourseError([f"unknown exercise {only!r}"])
    passed = failed = 0
    for ex in exercises:
        slug, spec = ex.chapter.slug, f"[ex:{ex.id}]"
        starter_bin = build / f"chapters/{slug}/tests/streamcraft_tests_ex_{ex.id}"
        ref_bin = build / f"chapters/{slug}/tests/streamcraft_tests"
        print(f"\nexercise {ex.id} ({slug})")
        missing = [b for b in (starter_bin, ref_bin) if not b.exists()]
        for b in missing:
            print(f"  missing {b}\n  build it: cmake -S chapters/{slug} -B {build / 'chapters' / slug} && "
                  f"cmake --build {build / 'chapters' / slug} -j2")
        if missing:
            failed += 1
            continue
        listing = subprocess.run([str(starter_bin), "--list-test-names-only", spec],
                                 cwd=starter_bin.parent, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, errors="replace", timeout=300)
        names = [n.strip() for n in listing.stdout.splitlines() if n.strip()]
        if listing.returncode < 0 or not names:
            print(f"  no test is tagged {spec} (or listing crashed)")
            failed += 1
            continue
        starter, why_s = run_catch(starter_bin, spec)
        reference, why_r = run_catch(ref_bin, spec)
        for label, why in (("starter", why_s), ("reference", why_r)):
            if why:
                print(f"  {label} run failed: {why}")
        starter, reference = starter or {}, reference or {}
        width = max(len(n) for n in names + ["test"])
        print(f"  {'test':<{width}}  {'starter':<10}  reference")
        for name in dict.fromkeys(names + list(starter) + list(reference)):
            s = ("failed ✓" if starter[name] is False else "PASSED ✗") if name in starter else "MISSING ✗"
            r = ("passed ✓" if reference[name] else "FAILED ✗") if name in reference else "MISSING ✗"
            ok = starter.get(name) is False and reference.get(name) is True
            passed, failed = passed + ok, failed + (not ok)
            print(f"  {name:<{width}}  {s:<10}  {r}")
        if any(starter.get(n) for n in starter):
            print("  ✗ tests that pass on the starter are vacuous: make them exercise the stub")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_cmake_manifest(root: Path) -> int:
    """One CMake list of the chapters and exercises, for the top-level CMakeLists.txt:
    chapter:<id>:<slug>;...;exercise:<chapter slug>:<id>;..."""
    course = Course(root)
    items = [f"chapter:{ch.id}:{ch.slug}" for ch in course.published]
    items += [f"exercise:{ex.chapter.slug}:{ex.id}" for ex in course.exercises.values()]
    print(";".join(items))
    return 0


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                        help="repository root (default: the parent of tools/)")
    parser.add_argument("--check", action="store_true",
                        help="same as the check subcommand: regenerate and compare")
    sub = parser.add_subparsers(dest="command", required=False)
    sub.add_parser("generate", help="write chapters/, exercises/ and tests/suites.cmake")
    sub.add_parser("check", help="fail if any generated file is out of date")
    p = sub.add_parser("check-exercises", help="run the exercise tests on starter and reference")
    p.add_argument("--build", type=Path, required=True, help="top-level build directory")
    p.add_argument("--exercise", help="check only this exercise id")
    sub.add_parser("cmake-manifest", help="print the chapters and exercises as a CMake list")
    p = sub.add_parser("list-tests", help="list test cases with their ctest labels")
    p.add_argument("--chapter", help="chapter id (default: the final build)")
    args = parser.parse_args(argv)
    if args.check:
        args.command = "check"
    if not args.command:
        parser.error("a command is required (generate, check, check-exercises, list-tests, cmake-manifest)")
    root = args.root.resolve()
    try:
        if args.command == "generate":
            return cmd_generate(root)
        if args.command == "check":
            return cmd_check(root)
        if args.command == "cmake-manifest":
            return cmd_cmake_manifest(root)
        if args.command == "list-tests":
            return cmd_list_tests(root, args.chapter)
        return cmd_check_exercises(root, args.build.resolve(), args.exercise)
    except CourseError as e:
        for p in e.problems:
            print(f"error: {p}", file=sys.stderr)
        print(f"{len(e.problems)} error(s); stopped", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
