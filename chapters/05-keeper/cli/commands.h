// generated from final/cli/commands.h; edit there
// cli/commands.h — the subcommand groups of the `streamcraft` program.
//
// One program, one group of subcommands per subject, each registered by its own file:
// chapter 1 adds `streamcraft log …`; later chapters add the broker and its clients.
// A command's callback stores its exit status in `exit_code` and prints errors itself.
#pragma once

namespace CLI {
class App;
}

namespace streamcraft::cli {

void add_log_commands(CLI::App& app, int& exit_code);
void add_broker_commands(CLI::App& app, int& exit_code);
void add_client_commands(CLI::App& app, int& exit_code);
void add_group_commands(CLI::App& app, int& exit_code);
void add_cluster_commands(CLI::App& app, int& exit_code);
void add_keeper_commands(CLI::App& app, int& exit_code);
void add_zk_commands(CLI::App& app, int& exit_code);

}  // namespace streamcraft::cli
