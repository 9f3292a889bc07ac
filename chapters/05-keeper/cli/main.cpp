// generated from final/cli/main.cpp; edit there
// cli/main.cpp — entry point of the `streamcraft` command-line program.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"streamcraft: a teaching edition of a Kafka-style distributed log"};
  app.require_subcommand(1);
  std::string level = "info";
  app.add_option("--log-level", level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  // Diagnostics go to stderr without timestamps, so that the program's real output
  // (stdout) can be piped and the lesson's examples print the same text every time.
  auto logger = spdlog::stderr_logger_mt("streamcraft");
  logger->set_pattern("[%l] %v");
  spdlog::set_default_logger(logger);
  app.parse_complete_callback([&] { spdlog::set_level(spdlog::level::from_str(level)); });

  int exit_code = 0;
  streamcraft::cli::add_log_commands(app, exit_code);
  streamcraft::cli::add_broker_commands(app, exit_code);
  streamcraft::cli::add_client_commands(app, exit_code);
  streamcraft::cli::add_group_commands(app, exit_code);
  streamcraft::cli::add_cluster_commands(app, exit_code);
  streamcraft::cli::add_keeper_commands(app, exit_code);
  streamcraft::cli::add_zk_commands(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
