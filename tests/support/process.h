#pragma once

#include <string>
#include <vector>

namespace sqlite_cdc::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Runs a program to completion with the given arguments (no shell), capturing stdout and stderr.
ProcessResult RunProcess(const std::string& program, const std::vector<std::string>& args);

// Runs a program to completion with its stderr (and stdin) on a pseudo-terminal, as when a person
// runs it in a terminal, and stdout on a pipe. `err` is what the terminal received (the terminal
// turns "\n" into "\r\n").
ProcessResult RunWithTerminalStderr(const std::string& program, const std::vector<std::string>& args);

// In a forked child: replaces the process image with `program args...`, or exits 127.
[[noreturn]] void ExecChild(const std::string& program, const std::vector<std::string>& args);

// Path of one of the built command-line programs.
std::string BinaryPath(const std::string& name);

}  // namespace sqlite_cdc::testing

namespace sqlite_cdc::testing {

// A program running in the background with stdout and stderr appended to files.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::string& program, const std::vector<std::string>& args, const std::string& out_path,
                    const std::string& err_path);
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  ~BackgroundProcess();  // kills the process if it is still running

  void Signal(int signal);
  // Waits for the exit; returns the exit code, or -1 if a signal ended it.
  int Wait();

 private:
  int pid_ = -1;
};

// A helper program the test talks to line by line: commands on its stdin, answers on its stdout
// (stderr is inherited). Closing stdin is how the test asks it to go; the destructor does that and waits.
class InteractiveProcess {
 public:
  InteractiveProcess(const std::string& program, const std::vector<std::string>& args);
  InteractiveProcess(const InteractiveProcess&) = delete;
  InteractiveProcess& operator=(const InteractiveProcess&) = delete;
  ~InteractiveProcess();

  void Send(const std::string& line);
  // The next line of output without its newline; throws when none comes within `seconds`.
  std::string ReadLine(double seconds = 20);

 private:
  int pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
};

// Reads a whole file ("" when missing).
std::string ReadFile(const std::string& path);

// Polls `done` every 10 ms for up to `seconds`; returns its last answer.
template <typename Predicate>
bool WaitUntil(Predicate done, double seconds = 20);

}  // namespace sqlite_cdc::testing

#include <chrono>
#include <thread>

template <typename Predicate>
bool sqlite_cdc::testing::WaitUntil(Predicate done, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}
