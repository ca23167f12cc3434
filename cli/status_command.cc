#include "status_command.h"

#include <iostream>

#include "capture_flags.h"
#include "sqlite_cdc/status_report.h"
#include "status_format.h"

namespace sqlite_cdc::cli {

CLI::App* AddStatusCommand(CLI::App& app, StatusFlags& flags) {
  CLI::App* status = app.add_subcommand("status",
                                        "show the capture options, the watched tables and whether their triggers "
                                        "match, the backlog, the oldest change's age, "
                                        "the log's size and the last delivered id; read-only");
  // Checked in RunStatus: --db may also be written before `status`.
  AddCaptureFlags(*status, flags.capture)->required(false);
  status->add_flag("--json", flags.json, "print one JSON object");
  return status;
}

int RunStatus(const std::string& program, const StatusFlags& flags) {
  if (flags.capture.db_path.empty())
    return Report(program, Status::InvalidArgument("--db is required (see status --help)"));
  CaptureStatus status;
  if (Status read = ReadCaptureStatus(flags.capture, &status); !read.ok()) return Report(program, read);
  std::cout << (flags.json ? FormatStatusJson(flags.capture.db_path, status)
                           : FormatStatusText(flags.capture.db_path, status));
  std::cout.flush();
  if (!std::cout) return 1;
  // An engine would refuse to start: a script that checks the exit code must see it.
  return status.log_state_problem.empty() ? 0 : 1;
}

}  // namespace sqlite_cdc::cli
