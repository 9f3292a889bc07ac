#!/usr/bin/env bash
# tools/install-deps.sh — installs the Debian 12 packages the course needs, if missing.
#
#   bash tools/install-deps.sh          what building and running the chapters needs
#   bash tools/install-deps.sh --test   also what the whole test suite needs
#   bash tools/install-deps.sh --bench  also the benchmarks' peers (redis-server, ZooKeeper)
#
# Only missing packages are installed (with sudo when not root), so a second run is quick.
set -euo pipefail

# pkgconf + librdkafka-dev: librdkafka is the second client of the broker benchmark.
# zlib1g-dev, libsnappy-dev, liblz4-dev, libzstd-dev: the four Kafka codecs, which
# compaction (chapter 3) needs to look inside compressed batches.
# libzookeeper-mt-dev: ZooKeeper's C client, which the keeper benchmark (chapter 5) drives
# keeper and ZooKeeper with (without it that benchmark is not built).
packages=(cmake ninja-build g++ ccache python3 libfmt-dev libspdlog-dev libcli11-dev catch2 libasio-dev
          pkgconf librdkafka-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev libzookeeper-mt-dev)
if [ "${1:-}" = "--bench" ]; then
  # zookeeper: the server the keeper benchmark compares keeper with.
  packages+=(redis-server zookeeper)
fi
if [ "${1:-}" = "--test" ]; then
  # graphviz: diagram renders; clang + its runtime: libFuzzer targets;
  # real Kafka clients for the integration tests (chapter 2 on).
  # plantuml and the DejaVu fonts: sequence diagrams render the same on every machine.
  # python3-zstandard: kafka-python reads zstd batches with it.
  # python3-kazoo, zookeeper-bin (cli_mt): ZooKeeper clients against keeper (chapter 5);
  # zookeeper: Debian's ZooKeeper 3.8 (with a Java runtime), the reference server keeper
  # is compared with.
  packages+=(graphviz plantuml fonts-dejavu-core clang libclang-rt-14-dev kcat python3-confluent-kafka
             python3-kafka python3-zstandard golang-go golang-github-shopify-sarama-dev
             python3-kazoo zookeeper-bin zookeeper)
fi

# kafkajs (npm) needs Node.js; a machine that already has node keeps its own.
if [ "${1:-}" = "--test" ] && ! command -v npm > /dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
