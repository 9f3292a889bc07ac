#!/usr/bin/env bash
# tools/demo.sh — builds a chapter and runs its demo (by default the newest finished one).
#
#   bash tools/demo.sh        chapter 5: keeper, the ZooKeeper-compatible coordinator, on a
#                             free loopback port, read from a zoo.cfg; znodes created, read and
#                             changed by compare-and-set (a stale version refused); sequential
#                             and ephemeral nodes; a watch firing once; the four-letter word
#                             srvr; keeper killed with kill -9 and restarted, and every
#                             acknowledged change still there
#   bash tools/demo.sh 04     chapter 4: three brokers on free loopback ports; a topic with
#                             three replicas and min.insync.replicas=2; acks=all; the leader
#                             killed with kill -9, a follower takes over one epoch up, writes
#                             go on; the dead broker restarts, catches up, rejoins the ISR;
#                             every acknowledged record read back
#   bash tools/demo.sh 03     chapter 3: two consumers of one group split a topic's partitions;
#                             one is killed with kill -9 and the other takes over after the
#                             session timeout; the group's committed offsets and lag; the
#                             broker restarted and the offsets still there
#   bash tools/demo.sh 02     chapter 2: a broker on a free loopback port; a topic with three
#                             partitions; keyed records produced and consumed with the course's
#                             CLI; the broker killed with kill -9 and restarted, and every
#                             acknowledged record still there
#   bash tools/demo.sh 01     chapter 1: a log in a temporary directory — append, roll, read by
#                             offset and timestamp, dump, crash mid-write and recover, retention
set -euo pipefail
cd "$(dirname "$0")/.."

which_chapter=${1:-05}
case "$which_chapter" in
  01|1) chapter=chapters/01-log ;;
  02|2) chapter=chapters/02-topics ;;
  03|3) chapter=chapters/03-groups ;;
  04|4) chapter=chapters/04-replication ;;
  05|5) chapter=chapters/05-keeper ;;
  *) echo "usage: bash tools/demo.sh [01|02|03|04|05]" >&2; exit 2 ;;
esac

bash tools/install-deps.sh
build=build/demo-$(basename "$chapter")
cmake -S "$chapter" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" --target streamcraft
export PATH="$PWD/$build:$PATH"

dir=$(mktemp -d)
broker_pid=""
keeper_pid=""
consumer_pids=()
cluster_dir=""
cleanup() {
  # A cluster the demo started is stopped, whatever happened.
  if [ -n "$cluster_dir" ]; then streamcraft cluster stop --dir "$cluster_dir" > /dev/null 2>&1 || true; fi
  for pid in "${consumer_pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2> /dev/null || true; wait "$broker_pid" 2> /dev/null || true; fi
  if [ -n "$keeper_pid" ]; then kill "$keeper_pid" 2> /dev/null || true; wait "$keeper_pid" 2> /dev/null || true; fi
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
      "$@" >> "$dir/broker.log" 2>&1 &
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

# Waits (at most 30 s) until `group describe` prints a line matching $2 for group $1.
wait_for_group() {
  for _ in $(seq 300); do
    if streamcraft group describe --bootstrap "$bootstrap" "$1" 2> /dev/null | grep -q "$2"; then return; fi
    sleep 0.1
  done
  echo "group $1 never showed '$2'" >&2
  exit 1
}

demo_groups() {
  step "Start a broker (committed offsets live in its __consumer_offsets topic)"
  start_broker --set group.initial.rebalance.delay.ms=0
  echo "broker listening on $bootstrap (pid $broker_pid)"
  run streamcraft topic create --bootstrap "$bootstrap" orders --partitions 4
  printf 'alice:apple\nbob:banana\ncarol:cherry\ndave:date\nerin:elderberry\nfrank:fig\n' > "$dir/records"
  run streamcraft produce --bootstrap "$bootstrap" orders --key-separator : < "$dir/records"

  step "Two consumers of group 'billing' share the four partitions"
  for name in one two; do
    streamcraft consume --bootstrap "$bootstrap" orders --group billing --follow \
        --format "consumer $name read %p/%o %k=%v" > "$dir/consumer-$name.out" 2>&1 &
    consumer_pids+=($!)
    wait_for_group billing "Stable.* [0-9] member"
  done
  wait_for_group billing "Stable, protocol consumer/range, 2 member"
  run streamcraft group describe --bootstrap "$bootstrap" billing
  printf 'grace:grape\nheidi:honeydew\n' | run streamcraft produce --bootstrap "$bootstrap" orders --key-separator :
  sleep 1
  cat "$dir/consumer-one.out" "$dir/consumer-two.out"

  step "kill -9 consumer one: after its session timeout (10 s) consumer two owns everything"
  run kill -9 "${consumer_pids[0]}"
  wait_for_group billing "Stable, protocol consumer/range, 1 member"
  run streamcraft group describe --bootstrap "$bootstrap" billing

  step "Stop consumer two cleanly (it commits and leaves the group)"
  run kill -INT "${consumer_pids[1]}"
  wait "${consumer_pids[1]}" 2> /dev/null || true
  consumer_pids=()
  run streamcraft group describe --bootstrap "$bootstrap" billing

  step "kill -9 the broker and start it again: the committed offsets are still there"
  run kill -9 "$broker_pid"
  wait "$broker_pid" 2> /dev/null || true
  start_broker --set group.initial.rebalance.delay.ms=0
  echo "broker restarted on $bootstrap"
  run streamcraft group describe --bootstrap "$bootstrap" billing
  printf 'ivan:jackfruit\n' | run streamcraft produce --bootstrap "$bootstrap" orders --key-separator :
  step "A new consumer of the group reads only what came after the commits"
  run streamcraft consume --bootstrap "$bootstrap" orders --group billing --format 'read %p/%o %k=%v'

  run kill "$broker_pid"
  wait "$broker_pid" 2> /dev/null || true
  broker_pid=""
}

# The partition's leader, from `topic describe` ("partition 0: leader N, ...").
leader_of() {
  streamcraft topic describe --bootstrap "$bootstrap" "$1" 2> /dev/null | sed -n 's/.*partition 0: leader \(-\?[0-9]*\),.*/\1/p'
}

# Waits (at most 30 s) until `topic describe` of topic $1 prints a line matching $2.
wait_for_topic() {
  for _ in $(seq 300); do
    if streamcraft topic describe --bootstrap "$bootstrap" "$1" 2> /dev/null | grep -q "$2"; then return; fi
    sleep 0.1
  done
  echo "topic $1 never showed '$2'" >&2
  exit 1
}

demo_cluster() {
  step "Start three brokers on free loopback ports (broker 1 is the controller)"
  # A short heartbeat timeout, so that the failover is quick enough to watch.
  cluster_dir="$dir/cluster"
  run streamcraft cluster start --dir "$dir/cluster" --set broker.heartbeat.interval.ms=200 \
      --set broker.heartbeat.timeout.ms=1000
  bootstrap="127.0.0.1:$(cat "$dir/cluster/broker-1/port")"
  run streamcraft cluster describe --bootstrap "$bootstrap"

  step "A topic with three replicas; acks=all needs two of them in sync"
  run streamcraft topic create --bootstrap "$bootstrap" orders --partitions 1 --replication-factor 3 \
      --config min.insync.replicas=2
  seq 1 5 | run streamcraft produce --bootstrap "$bootstrap" orders --acks -1
  wait_for_topic orders "isr \[[0-9],[0-9],[0-9]\]"
  run streamcraft topic describe --bootstrap "$bootstrap" orders

  leader=$(leader_of orders)
  # Chapter 4's controller is fixed: the cluster cannot survive the loss of broker 1.
  victim=$leader
  if [ "$victim" = 1 ]; then victim=2; fi
  step "kill -9 broker $victim: the controller moves what it led to an in-sync follower, one epoch up"
  run streamcraft cluster kill --dir "$dir/cluster" --broker "$victim"
  wait_for_topic orders "offline \[$victim\]"
  seq 6 10 | run streamcraft produce --bootstrap "$bootstrap" orders --acks -1
  run streamcraft topic describe --bootstrap "$bootstrap" orders

  step "Restart broker $victim: it truncates where its epochs say, catches up and rejoins the ISR"
  run streamcraft cluster restart --dir "$dir/cluster" --broker "$victim"
  wait_for_topic orders "isr \[[0-9],[0-9],[0-9]\]"
  run streamcraft topic describe --bootstrap "$bootstrap" orders

  step "Every acknowledged record, read back"
  run streamcraft consume --bootstrap "$bootstrap" orders --format '%o:%v'

  step "Stop the cluster (each broker moves its leaderships away first)"
  run streamcraft cluster stop --dir "$dir/cluster"
  cluster_dir=""
}

start_keeper() {
  rm -f "$dir/keeper-port"
  streamcraft keeper --config "$dir/zoo.cfg" --port-file "$dir/keeper-port" >> "$dir/keeper.log" 2>&1 &
  keeper_pid=$!
  for _ in $(seq 100); do
    if [ -s "$dir/keeper-port" ]; then zk="127.0.0.1:$(cat "$dir/keeper-port")"; return; fi
    sleep 0.1
  done
  echo "keeper did not start; its log:" >&2
  cat "$dir/keeper.log" >&2
  exit 1
}

demo_keeper() {
  step "Start keeper from a zoo.cfg, as ZooKeeper reads it (clientPort=0: a free port)"
  printf 'tickTime=200\ndataDir=%s\nclientPort=0\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=srvr,ruok\n' \
      "$dir/keeper-data" > "$dir/zoo.cfg"
  cat "$dir/zoo.cfg"
  start_keeper
  echo "keeper listening on $zk (pid $keeper_pid)"

  step "Znodes: create, read with its stat, change by compare-and-set"
  run streamcraft zk --server "$zk" create /config v1
  run streamcraft zk --server "$zk" stat /config
  run streamcraft zk --server "$zk" set --version 0 /config v2
  echo "(the same version again is stale: BADVERSION)"
  run streamcraft zk --server "$zk" set --version 0 /config v3 || true

  step "Sequential nodes are numbered by their parent; an ephemeral one goes with its session"
  run streamcraft zk --server "$zk" create /jobs
  run streamcraft zk --server "$zk" create -s /jobs/job- a
  run streamcraft zk --server "$zk" create -s /jobs/job- b
  run streamcraft zk --server "$zk" create -e /jobs/worker x
  run streamcraft zk --server "$zk" ls /jobs

  step "A watch fires once, when another session changes the node"
  streamcraft zk --server "$zk" watch /config > "$dir/watch.out" &
  local watcher=$!
  for _ in $(seq 100); do [ -s "$dir/watch.out" ] && break; sleep 0.1; done
  run streamcraft zk --server "$zk" set /config v4
  wait "$watcher"
  cat "$dir/watch.out"

  step "The four-letter word srvr, over a plain TCP connection"
  exec 3<> "/dev/tcp/127.0.0.1/${zk##*:}"
  printf srvr >&3
  cat <&3
  exec 3>&-

  step "kill -9 keeper, start it again: it replays its transaction log"
  run kill -9 "$keeper_pid"
  wait "$keeper_pid" 2> /dev/null || true
  start_keeper
  grep recovered "$dir/keeper.log" | tail -n 1
  run streamcraft zk --server "$zk" get /config
  run streamcraft zk --server "$zk" ls /jobs

  step "Stop keeper (SIGTERM)"
  run kill "$keeper_pid"
  wait "$keeper_pid" 2> /dev/null || true
  keeper_pid=""
}

case "$chapter" in
  chapters/01-log) demo_log ;;
  chapters/02-topics) demo_broker ;;
  chapters/03-groups) demo_groups ;;
  chapters/04-replication) demo_cluster ;;
  *) demo_keeper ;;
esac
