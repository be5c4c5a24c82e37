// CommandLine: the one argument parser of every program (CLI11 behind a narrow seam): options
// with a description and default for --help, each given at most once unless repeatable, numbers
// checked with errors that name the option (kUsage, exit 64).
#ifndef VDIBK_SHARED_BASE_COMMAND_LINE_H_
#define VDIBK_SHARED_BASE_COMMAND_LINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shared/base/result.h"
#include "shared/base/status.h"

namespace vdibk {

// Options are "--name" (the `--name=value` spelling is accepted too); a value is the next
// argument, whatever it looks like ("-1" included). Not thread-safe; the out-pointers must
// outlive Parse. An option's `help` says what it does and ends with its default, if any.
class CommandLine {
 public:
  // `program` heads the usage line ("vdibackup backup"); `description` is the first line of
  // Help().
  CommandLine(std::string program, std::string description);
  ~CommandLine();
  CommandLine(CommandLine&&) noexcept;  // the out-pointers stay bound
  CommandLine& operator=(CommandLine&&) noexcept;

  // A value option: *out is set when it is given. `value_name` is shown in Help() ("DIR").
  void Text(const std::string& name, std::string* out, const std::string& value_name,
            const std::string& help);
  // A repeatable value option: every occurrence appends its one value.
  void Repeated(const std::string& name, std::vector<std::string>* out,
                const std::string& value_name, const std::string& help);
  // A flag: *out = `value` when given (`--no-progress` sets false).
  void Flag(const std::string& name, bool* out, const std::string& help, bool value = true);
  // Numbers: decimal, non-negative, fitting the type; anything else is kUsage
  // "<name> needs a non-negative integer ..., got '<value>'". *out is set only when given.
  void U32(const std::string& name, uint32_t* out, const std::string& value_name,
           const std::string& help);
  void U64(const std::string& name, uint64_t* out, const std::string& value_name,
           const std::string& help);
  void RepeatedU32(const std::string& name, std::vector<uint32_t>* out,
                   const std::string& value_name, const std::string& help);
  // A positional argument (at most one each, in the order declared).
  void Positional(const std::string& name, std::string* out, const std::string& help);
  // Marks an option declared above as required: "<name> is required" when it is missing.
  void Require(const std::string& name);
  // `--log-format text|json`: the format of the log lines on stderr; applied by Parse (and put in
  // $VDIBACKUP_LOG_FORMAT so that child processes log the same way).
  void LogFormat();
  // A subcommand whose arguments are not parsed here: Parse stops at it and hands over the rest
  // (Command(), CommandArgs()). For the top level of a program with subcommands.
  void Subcommand(const std::string& name, const std::string& help);

  // Parses `args` (without the program name). Errors (kUsage): an unknown argument, an option
  // without its value, a bad number, a second occurrence of a non-repeatable option
  // ("<name> given twice"), a missing required option. --help is for the caller (WantsHelp).
  Status Parse(const std::vector<std::string>& args);
  // After Parse: whether the option was given (Subcommand: whether it was chosen).
  bool Given(const std::string& name) const;
  // After Parse with subcommands: the chosen one ("" for none) and the arguments after it.
  std::string Command() const;
  std::vector<std::string> CommandArgs() const;
  // After Parse: the arguments that were neither options nor positionals (with subcommands
  // declared, an unknown command lands here instead of being an error).
  std::vector<std::string> Unparsed() const;

  // Usage line, description and every option with its value name and help.
  std::string Help() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when `args` ask for help: "-h" or "--help" anywhere before a "--".
bool WantsHelp(const std::vector<std::string>& args);

// The value of a numeric option: a non-negative decimal integer that fits the type. Errors:
// kUsage naming `flag` and the value.
Result<uint32_t> ParseU32(const std::string& flag, const std::string& v);
Result<uint64_t> ParseU64(const std::string& flag, const std::string& v);

}  // namespace vdibk

#endif  // VDIBK_SHARED_BASE_COMMAND_LINE_H_
