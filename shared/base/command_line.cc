// CommandLine over CLI11: declarations become CLI::App options, CLI11's exceptions become kUsage.
#include "shared/base/command_line.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <limits>
#include <set>

#include "shared/base/log.h"

namespace vdibk {
namespace {

template <typename T>
Result<T> ParseUnsigned(const std::string& flag, const std::string& v) {
  T out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    return Status::Usage(flag + " needs a non-negative integer (at most " +
                         std::to_string(std::numeric_limits<T>::max()) + "), got '" + v + "'");
  }
  return out;
}

}  // namespace

Result<uint32_t> ParseU32(const std::string& flag, const std::string& v) {
  return ParseUnsigned<uint32_t>(flag, v);
}

Result<uint64_t> ParseU64(const std::string& flag, const std::string& v) {
  return ParseUnsigned<uint64_t>(flag, v);
}

bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--") return false;
    if (a == "-h" || a == "--help") return true;
  }
  return false;
}

struct CommandLine::Impl {
  CLI::App app;
  std::set<std::string> repeatable;
  // Values kept as text by CLI11 and converted after the parse (numbers, --log-format).
  std::vector<std::unique_ptr<std::string>> texts;
  std::vector<std::unique_ptr<std::vector<std::string>>> lists;
  std::vector<std::function<Status()>> after_parse;
  std::vector<CLI::App*> subcommands;

  Impl(const std::string& description, const std::string& program) : app(description, program) {}

  CLI::Option* Find(const std::string& name) const {
    for (const CLI::Option* o : app.get_options()) {
      if (o->check_name(name)) return const_cast<CLI::Option*>(o);
    }
    return nullptr;
  }
  CLI::Option* Single(const std::string& name, std::string* out, const std::string& value_name,
                      const std::string& help) {
    return app.add_option(name, *out, help)
        ->type_name(value_name)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // a second one: "given twice"
  }
  std::string* Text() { return texts.emplace_back(std::make_unique<std::string>()).get(); }
  bool Given(const std::string& name) const {
    for (const CLI::App* sub : subcommands) {
      if (sub->get_name() == name) return sub->parsed();
    }
    const CLI::Option* o = Find(name);
    return o != nullptr && o->count() > 0;
  }
};

CommandLine::CommandLine(std::string program, std::string description)
    : impl_(std::make_unique<Impl>(description, program)) {
  impl_->app.set_help_flag("-h,--help", "Print this help and exit");
  impl_->app.allow_extras();  // reported by Parse as "unknown argument", the first one named
  impl_->app.get_formatter()->column_width(34);
}

CommandLine::~CommandLine() = default;
CommandLine::CommandLine(CommandLine&&) noexcept = default;
CommandLine& CommandLine::operator=(CommandLine&&) noexcept = default;

void CommandLine::Text(const std::string& name, std::string* out, const std::string& value_name,
                       const std::string& help) {
  impl_->Single(name, out, value_name, help);
}

void CommandLine::Repeated(const std::string& name, std::vector<std::string>* out,
                           const std::string& value_name, const std::string& help) {
  impl_->app.add_option(name, *out, help + " (repeatable)")
      ->type_name(value_name)
      ->allow_extra_args(false);  // one value per occurrence
  impl_->repeatable.insert(name);
}

void CommandLine::Flag(const std::string& name, bool* out, const std::string& help, bool value) {
  impl_->app
      .add_flag_callback(
          name, [out, value] { *out = value; }, help)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

void CommandLine::U32(const std::string& name, uint32_t* out, const std::string& value_name,
                      const std::string& help) {
  std::string* text = impl_->Text();
  impl_->Single(name, text, value_name, help);
  impl_->after_parse.push_back([impl = impl_.get(), name, text, out]() -> Status {
    if (!impl->Given(name)) return Status::Ok();
    VDIBK_ASSIGN_OR_RETURN(*out, ParseU32(name, *text));
    return Status::Ok();
  });
}

void CommandLine::U64(const std::string& name, uint64_t* out, const std::string& value_name,
                      const std::string& help) {
  std::string* text = impl_->Text();
  impl_->Single(name, text, value_name, help);
  impl_->after_parse.push_back([impl = impl_.get(), name, text, out]() -> Status {
    if (!impl->Given(name)) return Status::Ok();
    VDIBK_ASSIGN_OR_RETURN(*out, ParseU64(name, *text));
    return Status::Ok();
  });
}

void CommandLine::RepeatedU32(const std::string& name, std::vector<uint32_t>* out,
                              const std::string& value_name, const std::string& help) {
  auto& list = impl_->lists.emplace_back(std::make_unique<std::vector<std::string>>());
  Repeated(name, list.get(), value_name, help);
  impl_->after_parse.push_back([name, values = list.get(), out]() -> Status {
    for (const std::string& v : *values) {
      VDIBK_ASSIGN_OR_RETURN(uint32_t n, ParseU32(name, v));
      out->push_back(n);
    }
    return Status::Ok();
  });
}

void CommandLine::Positional(const std::string& name, std::string* out, const std::string& help) {
  impl_->app.add_option(name, *out, help)->type_name("");
}

void CommandLine::Require(const std::string& name) {
  if (CLI::Option* o = impl_->Find(name)) o->required();
}

void CommandLine::LogFormat() {
  std::string* text = impl_->Text();
  impl_->Single("--log-format", text, "text|json",
                "Format of the log lines on stderr; child processes log the same way "
                "(default: text, or $VDIBACKUP_LOG_FORMAT)");
  impl_->after_parse.push_back([impl = impl_.get(), text]() -> Status {
    if (!impl->Given("--log-format")) return Status::Ok();
    if (*text != "text" && *text != "json") {
      return Status::Usage("--log-format must be text or json, got '" + *text + "'");
    }
    log::SetFormat(*text == "json" ? log::Format::kJson : log::Format::kText);
    setenv("VDIBACKUP_LOG_FORMAT", text->c_str(), 1);  // the workers log the same way
    return Status::Ok();
  });
}

void CommandLine::Subcommand(const std::string& name, const std::string& help) {
  CLI::App* sub = impl_->app.add_subcommand(name, help);
  sub->prefix_command();  // everything after the command is its own
  sub->set_help_flag();   // ... --help included
  impl_->subcommands.push_back(sub);
}

Status CommandLine::Parse(const std::vector<std::string>& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  // A required option missing: reported after a repeated option or an unknown argument (all
  // arguments were read by then).
  Status missing;
  try {
    impl_->app.parse(reversed);
  } catch (const CLI::RequiredError& e) {
    missing = Status::Usage(e.what());
  } catch (const CLI::CallForHelp&) {
    return Status::Usage("--help is answered before the parse (WantsHelp)");
  } catch (const CLI::ArgumentMismatch& e) {
    // "--x: 1 required TYPE missing": the value is missing.
    const std::string what = e.what();
    const size_t colon = what.find(':');
    const std::string tail = " missing";
    if (colon != std::string::npos && what.size() > tail.size() &&
        what.compare(what.size() - tail.size(), tail.size(), tail) == 0) {
      return Status::Usage(what.substr(0, colon) + " needs a value");
    }
    return Status::Usage(what);
  } catch (const CLI::ParseError& e) {
    return Status::Usage(e.what());
  }
  for (const CLI::Option* o : impl_->app.get_options()) {
    if (o->count() > 1 && impl_->repeatable.count(o->get_name()) == 0) {
      return Status::Usage(o->get_name() + " given twice");
    }
  }
  if (Command().empty()) {
    const std::vector<std::string> rest = Unparsed();
    if (!rest.empty() && impl_->subcommands.empty()) {
      return Status::Usage("unknown argument '" + rest.front() + "'");
    }
  }
  if (!missing.ok()) return missing;
  for (const auto& step : impl_->after_parse) VDIBK_RETURN_IF_ERROR(step());
  return Status::Ok();
}

bool CommandLine::Given(const std::string& name) const { return impl_->Given(name); }

std::string CommandLine::Command() const {
  for (const CLI::App* sub : impl_->subcommands) {
    if (sub->parsed()) return sub->get_name();
  }
  return "";
}

std::vector<std::string> CommandLine::CommandArgs() const {
  for (const CLI::App* sub : impl_->subcommands) {
    if (sub->parsed()) return sub->remaining();
  }
  return {};
}

std::vector<std::string> CommandLine::Unparsed() const { return impl_->app.remaining(); }

std::string CommandLine::Help() const { return impl_->app.help(); }

}  // namespace vdibk
