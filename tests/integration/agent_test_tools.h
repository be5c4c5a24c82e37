// Test helpers for the agent's security tests: shell commands with their output, a test PKI
// made with the openssl CLI (a CA, server and client certificates signed by it) and curl calls
// that return the HTTP status, the body and curl's exit code.
#ifndef VDIBK_TESTS_INTEGRATION_AGENT_TEST_TOOLS_H_
#define VDIBK_TESTS_INTEGRATION_AGENT_TEST_TOOLS_H_

#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "tests/harness/subprocess.h"

namespace vdibk::testing {

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline ShellResult RunShell(const std::string& command) {
  Subprocess p({"/bin/sh", "-c", "exec 2>&1; " + command});
  ShellResult r;
  while (std::optional<std::string> line = p.ReadLine(std::chrono::seconds(60))) {
    r.output += *line + "\n";
  }
  std::optional<int> st = p.Wait(std::chrono::seconds(60));
  if (st && WIFEXITED(*st)) r.exit_code = WEXITSTATUS(*st);
  return r;
}

inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A P-256 key and a self-signed CA certificate: DIR/NAME.key, DIR/NAME.crt. Empty on success,
// else openssl's output.
inline std::string MakeTestCa(const std::string& dir, const std::string& name) {
  const std::string base = Quote(dir + "/" + name);
  ShellResult r = RunShell(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 2 -subj /CN=" +
      name + " -keyout " + base + ".key -out " + base + ".crt");
  return r.exit_code == 0 ? "" : r.output;
}

// DIR/NAME.key and DIR/NAME.crt with subject CN=`cn`, signed by the CA DIR/CA.{crt,key}: for a
// server on 127.0.0.1 (subjectAltName IP:127.0.0.1) or a TLS client. Empty on success.
inline std::string MakeTestCert(const std::string& dir, const std::string& ca,
                                const std::string& name, const std::string& cn, bool server) {
  const std::string base = dir + "/" + name;
  std::ofstream(base + ".ext") << (server ? "subjectAltName=IP:127.0.0.1\n"
                                            "extendedKeyUsage=serverAuth\n"
                                          : "extendedKeyUsage=clientAuth\n");
  const std::string b = Quote(base), c = Quote(dir + "/" + ca);
  ShellResult r = RunShell(
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + cn +
      " -keyout " + b + ".key -out " + b + ".csr && openssl x509 -req -in " + b + ".csr -CA " + c +
      ".crt -CAkey " + c + ".key -CAcreateserial -days 2 -extfile " + b + ".ext -out " + b +
      ".crt");
  return r.exit_code == 0 ? "" : r.output;
}

struct CurlReply {
  int exit_code = -1;  // curl's: 0 ok, 35 handshake failed, 60 untrusted certificate, ...
  int status = 0;      // the HTTP status (0: none)
  std::string body;    // the body, or curl's error
};

// curl -sS ARGS URL, bounded to 20 s.
inline CurlReply Curl(const std::vector<std::string>& args) {
  std::string cmd = "curl -sS --max-time 20 -w '\\n%{http_code}\\n'";
  for (const std::string& a : args) cmd += " " + Quote(a);
  ShellResult r = RunShell(cmd);
  CurlReply out;
  out.exit_code = r.exit_code;
  std::string text = r.output;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t nl = text.rfind('\n');
  const std::string code = nl == std::string::npos ? text : text.substr(nl + 1);
  out.body = nl == std::string::npos ? "" : text.substr(0, nl);
  if (!code.empty() && code.find_first_not_of("0123456789") == std::string::npos) {
    out.status = std::stoi(code);
  } else {
    out.body = r.output;
  }
  return out;
}

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_INTEGRATION_AGENT_TEST_TOOLS_H_
