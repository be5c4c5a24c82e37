# Shared by the deploy checks: the keys `vdibackup agent` accepts in its YAML config (docs/agent.md,
# coordinator/agent_config.cc; unknown keys make the agent exit 78).
TOP_LEVEL = {"listen", "repo", "server", "sqlcmd", "defaults", "grace_seconds", "http", "tapes"}
SECTIONS = {
    "defaults": {"devices", "workers", "buffer_count", "max_transfer_size", "worker_endpoint"},
    "http": {"max_connections", "request_timeout_seconds"},
}
DEFAULTS = SECTIONS["defaults"]


def parse_plain(text):
    """A two-level reading of an agent config without python3-yaml: top-level `key: value` lines
    and the indented `key: value` lines of a section, as a dict (sections as dicts)."""
    out, section = {}, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if line[0] in " \t":
            if isinstance(section, dict):
                section[key] = value
            continue
        if value:
            out[key], section = value, None
        else:
            out[key] = section = {}
    return out


def problems(config):
    """What is wrong with a parsed agent config (a dict), as a list of strings."""
    out = []
    if not isinstance(config, dict):
        return ["the agent config is not a mapping"]
    out += ["unknown agent config key '%s'" % k for k in sorted(set(config) - TOP_LEVEL)]
    for name, keys in sorted(SECTIONS.items()):
        section = config.get(name) or {}
        if not isinstance(section, dict):
            out.append("agent config: %s must be a mapping" % name)
            continue
        out += ["unknown agent config key '%s.%s'" % (name, k) for k in sorted(set(section) - keys)]
    if not str(config.get("repo", "")).startswith("/"):
        out.append("agent config: repo must be an absolute path")
    if ":" not in str(config.get("listen", "")):
        out.append("agent config: listen must be HOST:PORT")
    return out
