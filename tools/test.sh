#!/usr/bin/env bash
# tools/test.sh — the whole test suite, exactly as CI runs it (.ci/run calls this).
#
# One build of the course — final/ with ASan and UBSan, every chapter snapshot (each with
# its exercises' test programs) without them and without debug info, the fuzz targets
# with clang — then every test through CTest: the unit and scenario tests, each chapter's
# own suite, the exercise checks, the lessons' commands, and the checks that generated
# files and diagram renders are current.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh --test
# Chapter snapshots and exercise builds compile the same files in different build
# directories; without the directory in the hash, ccache serves them from one compile.
export CCACHE_NOHASHDIR=true
# Paths inside the checkout are hashed relative to it, so a fresh clone in another
# folder (as CI makes) reuses the compiles of an earlier one on the same machine.
export CCACHE_BASEDIR="$PWD"
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
