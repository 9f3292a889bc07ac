#!/usr/bin/env bash
# tools/demo.sh — builds the newest finished chapter and runs its demo.
#
# Chapter 1's demo: a log in a temporary directory — append records, watch segments
# roll, read by offset and by timestamp, dump the files, crash in the middle of a write
# and recover, then apply retention.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
chapter=chapters/01-log
build=build/demo-01-log
cmake -S "$chapter" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" --target streamcraft
export PATH="$PWD/$build:$PATH"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Append records; small segments (--segment-bytes 400) so that the log rolls"
for i in 1 2 3 4 5 6; do
  run streamcraft log append --dir "$dir/log" --segment-bytes 400 --key "user-$i" \
      --timestamp $((1700000000000 + i * 1000)) "click $i" "view $i" "buy $i"
done

step "The log: offsets and segments"
run streamcraft log info --dir "$dir/log"
run ls "$dir/log"

step "Read from offset 7, and from a timestamp"
run streamcraft log read --dir "$dir/log" --offset 7 --count 4
run streamcraft log read --dir "$dir/log" --timestamp 1700000005000

step "What the bytes on disk say (like kafka-dump-log)"
run streamcraft log dump --records "$dir/log/00000000000000000000.log"

step "Crash in the middle of a write: the last batch loses its last 10 bytes"
run streamcraft log append --dir "$dir/log" --segment-bytes 400 --crash "this batch will be torn"
last=$(ls "$dir"/log/*.log | tail -n 1)
run truncate -s -10 "$last"
run streamcraft log recover --dir "$dir/log"
run streamcraft log read --dir "$dir/log" --offset 15

step "Retention: keep at least 300 bytes, deleting whole old segments"
run streamcraft log retention --dir "$dir/log" --retention-bytes 300
run streamcraft log info --dir "$dir/log"
