// generated from tests/support/main.cpp; edit there
// support/main.cpp — the test program's main(): Catch2 with quiet logging.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

int main(int argc, char* argv[]) {
  // Recovery and retention log warnings on purpose in many tests; show only errors.
  spdlog::set_level(spdlog::level::err);
  return Catch::Session().run(argc, argv);
}
