// sqlite-cdc: streams the change log into the chosen output (no subcommand), or reports on it
// (`status`). This file only dispatches; each command lives in its own file.
#include "capture_flags.h"
#include "help_format.h"
#include "status_command.h"
#include "stream_command.h"

int main(int argc, char** argv) {
  namespace cli = sqlite_cdc::cli;
  CLI::App app{"Stream the changes of an SQLite database to an output", "sqlite-cdc"};
  cli::UseReadableHelp(app);
  cli::StreamFlags stream_flags;
  cli::AddStreamFlags(app, stream_flags);
  cli::StatusFlags status_flags;
  CLI::App* status = cli::AddStatusCommand(app, status_flags);
  app.footer(cli::OutputsHelp());  // after the subcommand, which would inherit it

  if (int code = cli::ParseOrExitCode(app, argc, argv); code >= 0) return code;
  const std::string program = app.get_name();
  if (status->parsed()) {
    if (sqlite_cdc::Status given = cli::TakeFlagsGivenBefore(app, *status); !given.ok()) {
      return cli::Report(program, given);
    }
    return cli::RunStatus(program, status_flags);
  }
  return cli::RunStream(program, stream_flags);
}
