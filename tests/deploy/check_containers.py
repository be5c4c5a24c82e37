#!/usr/bin/env python3
# Checks deploy/docker/Dockerfile by a simple parse (a debian:12 build stage that installs the
# deps, builds and runs the unit tests; a slim runtime stage with the four programs and
# libsqlvdi.so running as uid/gid 10001), .dockerignore, and deploy/compose/compose.yaml (the
# emulator owns a shareable IPC namespace, the agent and workers join it, and all mount one tmpfs
# volume at /dev/shm; the agent's port published on the host's loopback only and its bearer tokens
# from compose secrets). Exit 77 = skipped (no python3-yaml).
import os
import re
import sys

import agent_config_keys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def dockerfile_stages(path):
    stages, current = [], None
    with open(path) as f:
        text = re.sub(r"\\\n", " ", f.read())
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        instr, _, rest = s.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.I)
            current = {"image": m.group(1), "name": m.group(2), "lines": []}
            stages.append(current)
        elif current is not None:
            current["lines"].append((instr, rest))
    return stages


def check_dockerfile():
    stages = dockerfile_stages(os.path.join(SRC, "deploy", "docker", "Dockerfile"))
    check(len(stages) == 2, "Dockerfile: two stages (build, runtime)")
    if len(stages) != 2:
        return
    build, runtime = stages
    runs = " ".join(rest for instr, rest in build["lines"] if instr == "RUN")
    check(build["image"] == "debian:12", "build stage FROM debian:12")
    check("scripts/install-deps.sh" in runs, "build stage runs scripts/install-deps.sh")
    check("cmake -S" in runs and "cmake --build" in runs, "build stage configures and builds")
    check(re.search(r"ctest .*-L unit", runs) is not None, "build stage runs ctest -L unit")
    check(runtime["image"].startswith("debian:12"), "runtime stage FROM debian:12(-slim)")
    copies = " ".join(rest for instr, rest in runtime["lines"] if instr == "COPY")
    check("--from=%s" % build["name"] in copies, "runtime copies from the build stage")
    build_copy = " ".join(rest for instr, rest in build["lines"] if instr == "RUN")
    for prog in ("vdibackup", "vdibackup-worker", "vdi-emulator", "sqlcmd", "libsqlvdi.so"):
        check(re.search(r"[/ ]%s\b" % re.escape(prog), build_copy) is not None,
              "the runtime gets %s" % prog)
    users = [rest for instr, rest in runtime["lines"] if instr == "USER"]
    check(users and users[-1] == "10001:10001", "runtime runs as USER 10001:10001")
    with open(os.path.join(SRC, ".dockerignore")) as f:
        ignored = f.read().split()
    check("build" in ignored and "build-*" in ignored and ".git" in ignored,
          ".dockerignore keeps build trees and .git out of the context")


def check_compose(yaml):
    with open(os.path.join(SRC, "deploy", "compose", "compose.yaml")) as f:
        compose = yaml.safe_load(f)
    services = compose["services"]
    check(set(services) >= {"emulator", "agent", "worker"}, "compose: emulator, agent, worker")
    check(services.get("emulator", {}).get("ipc") == "shareable", "emulator: ipc: shareable")
    shm_volumes = {name for name, v in (compose.get("volumes") or {}).items()
                   if v and v.get("driver_opts", {}).get("type") == "tmpfs"}
    mounted = {}
    for name, svc in services.items():
        if name != "emulator":
            check(svc.get("ipc") == "service:emulator", "%s: ipc: service:emulator" % name)
        for vol in svc.get("volumes", []):
            src, _, rest = vol.partition(":")
            if rest.split(":")[0] == "/dev/shm":
                mounted[name] = src
        check(name in mounted and mounted[name] in shm_volumes,
              "%s: the shared tmpfs volume at /dev/shm" % name)
        check(str(svc.get("user", "")) == "10001:10001", "%s: user 10001:10001" % name)
    check(len(set(mounted.values())) == 1, "compose: one /dev/shm volume for every service")
    agent = services.get("agent", {})
    check(agent.get("command", [])[:1] == ["agent"], "agent: runs `vdibackup agent`")
    grace = re.fullmatch(r"(\d+)s", str(agent.get("stop_grace_period", "")))
    check(grace is not None and int(grace.group(1)) > 60, "agent: stop_grace_period > 60s")
    with open(os.path.join(SRC, "deploy", "compose", "agent.yaml")) as f:
        config = yaml.safe_load(f)
    failures.extend("compose/agent.yaml: " + p for p in agent_config_keys.problems(config))
    check(grace is not None and config.get("grace_seconds", 30) < int(grace.group(1)),
          "compose/agent.yaml: grace_seconds must be shorter than stop_grace_period")
    # Not an open door: published on the host's loopback, tokens from the agent's secrets.
    for port in agent.get("ports", []):
        check(str(port).startswith("127.0.0.1:"), "agent: publish %s on 127.0.0.1 only" % port)
    secrets = {s if isinstance(s, str) else s.get("source") for s in agent.get("secrets", [])}
    declared = compose.get("secrets") or {}
    paths = agent_config_keys.token_paths(config)
    check(bool(paths), "compose/agent.yaml: auth.token_files")
    for p in paths:
        name = os.path.basename(str(p))
        check(str(p) == "/run/secrets/" + name and name in secrets and name in declared,
              "compose/agent.yaml: token file %s must be the agent's secret %s" % (p, name))


def main():
    check_dockerfile()
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        check_compose(yaml)
    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    if yaml is None:
        print("SKIP compose checks: python3-yaml is not installed (apt-get install python3-yaml)")
        return 77
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
