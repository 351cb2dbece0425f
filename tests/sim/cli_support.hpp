// Runs the twelvefold CLI as a user would (a child process), for CLI tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

namespace twelvefold::test {

struct cli_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline cli_result run_cli(const std::string& args, bool with_stderr = true) {
  const std::string command = std::string(TF_CLI) + " " + args + (with_stderr ? " 2>&1" : "");
  cli_result r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.output += buffer.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A per-process scratch path under /tmp.
inline std::string temp_path(const std::string& name) {
  return "/tmp/twelvefold-test-" + std::to_string(getpid()) + "-" + name;
}

}  // namespace twelvefold::test
