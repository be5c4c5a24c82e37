# Shared by the deploy checks: the keys `vdibackup agent` accepts in its YAML config (docs/agent.md,
# coordinator/agent_config.cc; unknown keys make the agent exit 78).
TOP_LEVEL = {"listen", "repo", "server", "sqlcmd", "defaults", "grace_seconds"}
DEFAULTS = {"devices", "workers"}


def problems(config):
    """What is wrong with a parsed agent config (a dict), as a list of strings."""
    out = []
    if not isinstance(config, dict):
        return ["the agent config is not a mapping"]
    out += ["unknown agent config key '%s'" % k for k in sorted(set(config) - TOP_LEVEL)]
    out += ["unknown agent config key 'defaults.%s'" % k
            for k in sorted(set(config.get("defaults") or {}) - DEFAULTS)]
    if not str(config.get("repo", "")).startswith("/"):
        out.append("agent config: repo must be an absolute path")
    if ":" not in str(config.get("listen", "")):
        out.append("agent config: listen must be HOST:PORT")
    return out
