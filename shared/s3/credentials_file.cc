// Credentials file parsing: a small line-based INI reader that never echoes values.
#include "shared/s3/credentials_file.h"

#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace vdibk::s3 {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<AwsCredentials> CredentialsFromIni(std::string_view text, std::string_view profile,
                                          std::string_view source) {
  const std::string where(source);
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::vector<std::string> order;
  std::string current;
  bool in_section = false;
  int line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        return Status::Configuration(where + " line " + std::to_string(line_no) +
                                     ": a section header without ']'");
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      if (name.starts_with("profile ")) name = Trim(name.substr(8));
      current = std::string(name);
      in_section = true;
      if (!sections.count(current)) order.push_back(current);
      sections[current];
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::Configuration(where + " line " + std::to_string(line_no) +
                                   ": not 'key = value' nor a [section]");
    }
    if (!in_section) continue;  // keys before any section belong to none
    sections[current][Lower(Trim(line.substr(0, eq)))] = std::string(Trim(line.substr(eq + 1)));
  }
  auto it = sections.find(std::string(profile));
  if (it == sections.end()) {
    std::string names;
    for (const std::string& n : order) names += (names.empty() ? "" : ", ") + n;
    return Status::Configuration(where + ": no profile [" + std::string(profile) +
                                 "] (profiles: " + (names.empty() ? "none" : names) +
                                 "); set AWS_PROFILE or add the section");
  }
  AwsCredentials creds;
  const auto& keys = it->second;
  auto get = [&](const char* k) {
    auto f = keys.find(k);
    return f == keys.end() ? std::string() : f->second;
  };
  creds.access_key_id = get("aws_access_key_id");
  creds.secret_access_key = get("aws_secret_access_key");
  creds.session_token = get("aws_session_token");
  for (const char* k : {"aws_access_key_id", "aws_secret_access_key"})
    if (get(k).empty())
      return Status::Configuration(where + ": profile [" + std::string(profile) + "] has no " + k);
  return creds;
}

Result<AwsCredentials> ReadCredentialsFile(const std::string& path, std::string_view profile) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Configuration("credentials file " + path +
                                 " cannot be read; set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY or AWS_SHARED_CREDENTIALS_FILE");
  std::ostringstream text;
  text << in.rdbuf();
  return CredentialsFromIni(text.str(), profile, "credentials file " + path);
}

}  // namespace vdibk::s3
