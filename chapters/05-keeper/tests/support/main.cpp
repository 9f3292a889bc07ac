// generated from tests/support/main.cpp; edit there
// support/main.cpp — the test program's main(): Catch2 with quiet logging.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <spdlog/spdlog.h>

int main(int argc, char* argv[]) {
  // Recovery and retention log warnings on purpose in many tests; show only errors —
  // unless STREAMCRAFT_LOG_LEVEL (info, debug, …) asks for more, e.g. to follow a
  // replayed simulator seed.
  spdlog::set_level(spdlog::level::err);
  if (const char* level = std::getenv("STREAMCRAFT_LOG_LEVEL"); level && *level)
    spdlog::set_level(spdlog::level::from_str(level));
  return Catch::Session().run(argc, argv);
}
