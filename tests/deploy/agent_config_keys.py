# Shared by the deploy checks: the keys `vdibackup agent` accepts in its YAML config (docs/agent.md,
# agent/config/agent_config*.cc; unknown keys make the agent exit 78), and the rule that a listener
# beyond loopback needs authentication (the agent refuses to start without it, exit 78).
import ipaddress

TOP_LEVEL = {"listen", "listen_tls", "listen_unix", "listen_unix_mode", "repo", "server", "sqlcmd",
             "defaults", "grace_seconds", "http", "tapes", "auth", "tls", "policy", "audit_log"}
SECTIONS = {
    "defaults": {"devices", "workers", "buffer_count", "max_transfer_size", "worker_endpoint"},
    "http": {"max_connections", "max_connections_per_peer", "header_timeout_seconds",
             "body_timeout_seconds", "request_timeout_seconds"},
    "auth": {"token_files", "unix_uids"},
    "tls": {"cert_file", "key_file", "client_ca_file", "require_client_cert", "client_roles"},
    "policy": {"databases", "move_roots", "target_roots", "repo_roots",
               "backup_may_restore_copies"},
}
DEFAULTS = SECTIONS["defaults"]
ROLES = {"read", "backup", "admin"}


def parse_plain(text):
    """A two-level reading of an agent config without python3-yaml: top-level `key: value` lines
    and the `key: value` lines of a section indented by two, as a dict (sections as dicts); the
    deeper `- item` lines under a section key make it a list of their text."""
    out, section, last = {}, None, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if indent:
            if not isinstance(section, dict):
                continue
            if indent <= 2 and not line.strip().startswith("-"):
                section[key], last = (value if value else []), key
            elif last is not None and isinstance(section.get(last), list):
                section[last].append(line.strip().lstrip("- "))
            continue
        if value:
            out[key], section = value, None
        else:
            out[key] = section = {}
    return out


def listen_host(value):
    host = str(value).rpartition(":")[0]
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    listen = str(config.get("listen", "127.0.0.1:8080"))
    if listen != "off" and ":" not in listen:
        out.append("agent config: listen must be HOST:PORT")
    tokens = (config.get("auth") or {}).get("token_files")
    if listen != "off" and not is_loopback(listen_host(listen)) and not tokens:
        out.append("agent config: listen on %s without auth.token_files is an open door "
                   "(the agent exits 78)" % listen)
    if isinstance(tokens, list):
        for t in tokens:
            if isinstance(t, str):  # parse_plain: "{path: /x, role: y}"
                continue
            if not isinstance(t, dict) or not str(t.get("path", "")).startswith("/") or \
                    t.get("role") not in ROLES:
                out.append("agent config: auth.token_files entries are {path: /abs, role: %s}"
                           % "|".join(sorted(ROLES)))
    return out


def token_paths(config):
    """The token files an agent config (parsed with python3-yaml) reads."""
    return [t.get("path") for t in ((config.get("auth") or {}).get("token_files") or [])
            if isinstance(t, dict)]
