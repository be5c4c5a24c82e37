// JobPolicy: what an authenticated caller may ask the agent for. A job request names a database
// (policy.databases) and options from a fixed allow-list per kind; paths (--move, --target,
// --repo) must resolve inside the roots the config names; restores, --replace and in-place
// restores need the admin role. Pure checks (the filesystem is read to resolve symlinks).
#ifndef VDIBK_AGENT_JOB_POLICY_H_
#define VDIBK_AGENT_JOB_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "agent/authenticator.h"
#include "agent/config/agent_config.h"

namespace vdibk::coordinator {

// Why a request was refused: a metric label and the message the caller gets (403).
struct Refusal {
  std::string reason;  // role | database | option | path | replace | in_place | not_owner
  std::string message;
};

// Whether `path` lies inside one of `roots` once resolved: it must be absolute and hold no ".."
// component; the part of it that exists is resolved through symlinks (realpath), the rest is
// appended as written, and so are the roots. nullopt: inside; else why not. `allow_root`: the
// path may be a root itself (a directory), else it must be below one (a file).
std::optional<std::string> PathOutsideRoots(const std::string& path,
                                            const std::vector<std::string>& roots, bool allow_root);

class JobPolicy {
 public:
  explicit JobPolicy(AgentPolicyConfig config) : config_(std::move(config)) {}

  // nullopt: `who` may start this job. Checks, in order: the role for the kind, the database,
  // then each argument (known option, value shape, paths in their roots, admin-only options).
  std::optional<Refusal> CheckSubmit(const Principal& who, const std::string& kind,
                                     const std::string& database,
                                     const std::vector<std::string>& args) const;

  // nullopt: `who` may cancel a job started by `owner` (admin: any; backup: its own).
  static std::optional<Refusal> CheckCancel(const Principal& who, const std::string& owner);

 private:
  std::optional<Refusal> CheckArg(const Principal& who, const std::string& kind,
                                  const std::string& option, const std::string* value) const;
  bool DatabaseAllowed(const std::string& name) const;

  const AgentPolicyConfig config_;
};

}  // namespace vdibk::coordinator

#endif  // VDIBK_AGENT_JOB_POLICY_H_
