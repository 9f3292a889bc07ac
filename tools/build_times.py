#!/usr/bin/env python3
"""Where a build's time went: compile and link seconds per build tree, from Ninja's logs.

Usage: tools/build_times.py BUILD_DIR

Every tree under BUILD_DIR that Ninja built (the course build's final/ tree, each
chapter snapshot under chapters/, the fuzz tree) has a .ninja_log listing each step
with its start and end in milliseconds. This sums the steps per tree: the total is the
time its steps took one after another — about the CPU time the tree cost on a machine
doing nothing else, more than the wall time since steps run in parallel — and it is what
grows when a chapter or an exercise is added — the measure tools/CONTRIBUTING.md
("CI time") reports. Only the latest run of each step counts, as in Ninja's own log.
"""
from __future__ import annotations

import sys
from pathlib import Path


def tree_seconds(log: Path) -> tuple[float, int]:
    """Seconds of all steps of the latest build recorded in one .ninja_log, and their count."""
    steps: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 4:
            continue
        start, end, _mtime, target = fields[:4]
        # A later line for the same output replaces an earlier one (a rebuild).
        steps[target] = (int(end) - int(start)) / 1000.0
    return sum(steps.values()), len(steps)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = Path(argv[1])
    logs = sorted(root.rglob(".ninja_log"))
    if not logs:
        print(f"no .ninja_log under {root}", file=sys.stderr)
        return 1
    total = 0.0
    print(f"{'tree':<50} {'steps':>6} {'seconds':>9}")
    for log in logs:
        seconds, count = tree_seconds(log)
        total += seconds
        print(f"{str(log.parent.relative_to(root)) or '.':<50} {count:>6} {seconds:>9.0f}")
    print(f"{'all trees':<50} {'':>6} {total:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
