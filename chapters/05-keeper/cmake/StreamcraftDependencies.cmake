# generated from final/cmake/StreamcraftDependencies.cmake; edit there
# cmake/StreamcraftDependencies.cmake — the libraries the course uses, all from Debian.
#
#   fmt, spdlog   formatting and logging      (libfmt-dev, libspdlog-dev)
#   CLI11         the command-line program    (libcli11-dev)
#   Asio          the network layer           (libasio-dev; chapter 2)
#   Catch2 v2     the tests                   (catch2; found in tests/CMakeLists.txt)
#   zlib, snappy, lz4, zstd   the four Kafka codecs, for compaction (zlib1g-dev,
#                 libsnappy-dev, liblz4-dev, libzstd-dev; chapter 3)
# tools/install-deps.sh installs them; nothing is downloaded at build time.
include_guard(GLOBAL)

find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Asio REQUIRED)  # standalone Asio (libasio-dev): cmake/FindAsio.cmake
find_package(ZLIB REQUIRED)
find_package(Snappy REQUIRED CONFIG)  # Debian's libsnappy-dev ships SnappyConfig.cmake
find_package(PkgConfig REQUIRED)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
