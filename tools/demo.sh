#!/usr/bin/env bash
# tools/demo.sh — builds a chapter and runs its demo (by default the newest finished one).
#
#   bash tools/demo.sh        chapter 2: a broker on a free loopback port; a topic with three
#                             partitions; keyed records produced and consumed with the course's
#                             CLI; the broker killed with kill -9 and restarted, and every
#                             acknowledged record still there
#   bash tools/demo.sh 01     chapter 1: a log in a temporary directory — append, roll, read by
#                             offset and timestamp, dump, crash mid-write and recover, retention
set -euo pipefail
cd "$(dirname "$0")/.."

which_chapter=${1:-02}
case "$which_chapter" in
  01|1) chapter=chapters/01-log ;;
  02|2) chapter=chapters/02-topics ;;
  *) echo "usage: bash tools/demo.sh [01|02]" >&2; exit 2 ;;
esac

bash tools/install-deps.sh
build=build/demo-$(basename "$chapter")
cmake -S "$chapter" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" --target streamcraft
export PATH="$PWD/$build:$PATH"

dir=$(mktemp -d)
broker_pid=""
cleanup() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2> /dev/null || true; wait "$broker_pid" 2> /dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
run() { printf '$ %s\n' "$*"; "$@"; }

demo_log() {
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
}

# Starts the broker in the background on a free port (port 0; the broker writes the port
# it got to a file) and waits, at most 10 s, until it listens.
start_broker() {
  rm -f "$dir/port"
  streamcraft broker --listeners PLAINTEXT://127.0.0.1:0 --log-dirs "$dir/data" --port-file "$dir/port" \
      >> "$dir/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 100); do
    if [ -s "$dir/port" ]; then bootstrap="127.0.0.1:$(cat "$dir/port")"; return; fi
    sleep 0.1
  done
  echo "the broker did not start; its log:" >&2
  cat "$dir/broker.log" >&2
  exit 1
}

demo_broker() {
  step "Start a broker on a free loopback port"
  start_broker
  echo "broker listening on $bootstrap (pid $broker_pid)"

  step "A topic with three partitions"
  run streamcraft topic create --bootstrap "$bootstrap" orders --partitions 3
  run streamcraft topic list --bootstrap "$bootstrap"

  step "Produce keyed records: a key always goes to the same partition (murmur2, as Java does)"
  printf 'alice:apple\nbob:banana\nalice:avocado\ncarol:cherry\nbob:blueberry\n' > "$dir/records"
  cat "$dir/records"
  run streamcraft produce --bootstrap "$bootstrap" orders --key-separator : < "$dir/records"
  run streamcraft topic describe --bootstrap "$bootstrap" orders

  step "Consume everything: order is kept within each partition"
  run streamcraft consume --bootstrap "$bootstrap" orders --format '%p/%o %k=%v'

  step "A partition is a chapter-1 log on disk"
  run ls -A "$dir/data"
  run streamcraft log read --dir "$dir/data/orders-0" --offset 0

  step "kill -9 the broker, start it again: every acknowledged record is still there"
  run kill -9 "$broker_pid"
  wait "$broker_pid" 2> /dev/null || true
  start_broker
  echo "broker restarted on $bootstrap"
  printf 'dave:date\n' | run streamcraft produce --bootstrap "$bootstrap" orders --key-separator :
  run streamcraft consume --bootstrap "$bootstrap" orders --format '%p/%o %k=%v'

  step "Stop the broker cleanly (SIGTERM)"
  run kill "$broker_pid"
  wait "$broker_pid" 2> /dev/null || true
  broker_pid=""
  tail -n 3 "$dir/broker.log"
}

if [ "$chapter" = chapters/01-log ]; then demo_log; else demo_broker; fi
