#!/usr/bin/env python3
# Checks deploy/systemd: `systemd-analyze verify` accepts every unit (ExecStart pointed at stub
# programs in a temporary directory) and the units keep the invariants docs/operations.md relies
# on (notify + watchdog, no restart on 64/78, stop timeout > abort, mssql-compatible user, IPC and
# tape devices reachable, flags that the programs really accept). Exit 77 = skipped.
import os
import re
import shutil
import subprocess
import sys
import tempfile

import agent_config_keys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
UNITS = os.path.join(SRC, "deploy", "systemd")
BIN_PREFIX = "/usr/local/bin/"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def parse_unit(path):
    """[section] -> list of (key, value); continuation lines joined."""
    sections, current, pending = {}, None, ""
    with open(path) as f:
        for raw in f:
            line = pending + raw.rstrip("\n")
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            if s.startswith("[") and s.endswith("]"):
                current = sections.setdefault(s[1:-1], [])
                continue
            key, _, value = s.partition("=")
            current.append((key.strip(), value.strip()))
    return sections


def values(unit, section, key):
    return [v for k, v in unit.get(section, []) if k == key]


def last(unit, section, key):
    v = values(unit, section, key)
    return v[-1] if v else None


def seconds(value):
    m = re.fullmatch(r"(\d+)\s*(s|sec|min|m)?", value or "")
    if not m:
        return None
    return int(m.group(1)) * (60 if m.group(2) in ("min", "m") else 1)


def accepted_flags(*source_files):
    """The "--flags" a program declares: its options file, plus the options the commands share
    (coordinator/cli/command_support.cc) and those of every program (--log-format, --help:
    shared/base/command_line.cc)."""
    flags = set()
    for source_file in source_files + ("shared/base/command_line.cc",):
        with open(os.path.join(SRC, source_file)) as f:
            flags |= set(re.findall(r'"(--[a-z0-9-]+)"', f.read()))
    return flags


def verify(units):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        print("SKIP systemd-analyze verify: systemd-analyze is not installed (apt-get install systemd)")
        return False
    with tempfile.TemporaryDirectory() as tmp:
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        for prog in ("vdibackup", "vdibackup-worker", "vdi-emulator", "sqlcmd"):
            stub = os.path.join(bindir, prog)
            with open(stub, "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(stub, 0o755)
        copies = []
        for name in units:
            with open(os.path.join(UNITS, name)) as f:
                text = f.read().replace(BIN_PREFIX, bindir + "/")
            dst = os.path.join(tmp, name)
            with open(dst, "w") as f:
                f.write(text)
            copies.append(dst)
        env = dict(os.environ, SYSTEMD_LOG_LEVEL="warning")
        r = subprocess.run([tool, "verify", *copies], capture_output=True, text=True, env=env)
        out = r.stdout + r.stderr
        check(r.returncode == 0, "systemd-analyze verify failed (%d):\n%s" % (r.returncode, out))
        # Warnings about our files (unknown keys, bad values) do not change the exit status.
        for line in out.splitlines():
            if tmp in line or any(u.replace("@.", "@") in line for u in units):
                failures.append("systemd-analyze: " + line)
        print("systemd-analyze verify: %d units, exit %d" % (len(copies), r.returncode))
    return True


def common_invariants(name, unit):
    svc = "Service"
    for key in ("RemoveIPC", "DynamicUser", "PrivateIPC", "PrivateDevices"):
        v = last(unit, svc, key)
        check(v is None or v.lower() in ("no", "false", "0"),
              "%s: %s=%s would hide or delete the shared /dev/shm objects or devices" % (name, key, v))
    check(last(unit, svc, "ProtectClock") in (None, "no"),
          "%s: ProtectClock implies a device allow-list that hides tape devices" % name)
    check(not values(unit, svc, "DeviceAllow") or last(unit, svc, "DevicePolicy") == "auto",
          "%s: DeviceAllow= closes every other device" % name)
    check(last(unit, svc, "ProtectSystem") == "strict", "%s: ProtectSystem=strict" % name)
    rw = " ".join(values(unit, svc, "ReadWritePaths")).split()
    check("/dev/shm" in rw, "%s: ReadWritePaths must include /dev/shm" % name)
    check("/var/backups/vdibackup" in rw, "%s: ReadWritePaths must include the repository" % name)
    user, group = last(unit, svc, "User"), last(unit, svc, "Group")
    check(group == "mssql" or user in ("10001", "mssql"),
          "%s: run as a user SQL Server can share objects with (Group=mssql or uid 10001)" % name)
    stop = seconds(last(unit, svc, "TimeoutStopSec"))
    check(stop is not None and stop > 60, "%s: TimeoutStopSec must exceed an abort (60 s)" % name)
    check(last(unit, svc, "KillSignal") == "SIGTERM", "%s: KillSignal=SIGTERM" % name)


def exec_flags(unit):
    return re.findall(r"(--[a-z0-9-]+)", last(unit, "Service", "ExecStart") or "")


def main():
    names = sorted(n for n in os.listdir(UNITS) if n.endswith((".service", ".timer")))
    expected = ["vdibackup-agent.service", "vdibackup-backup@.service", "vdibackup-backup@.timer",
                "vdibackup-worker@.service"]
    check(names == expected, "units: %s, expected %s" % (names, expected))
    units = {n: parse_unit(os.path.join(UNITS, n)) for n in names}

    agent = units["vdibackup-agent.service"]
    s = "Service"
    check(last(agent, s, "Type") == "notify", "agent: Type=notify")
    check(last(agent, s, "NotifyAccess") == "main", "agent: NotifyAccess=main")
    check(seconds(last(agent, s, "WatchdogSec")) == 30, "agent: WatchdogSec=30")
    check(last(agent, s, "Restart") == "on-failure", "agent: Restart=on-failure")
    prevent = " ".join(values(agent, s, "RestartPreventExitStatus")).split()
    check("64" in prevent and "78" in prevent, "agent: RestartPreventExitStatus=64 78")
    check((last(agent, s, "ExecStart") or "").startswith(BIN_PREFIX + "vdibackup agent --config "),
          "agent: ExecStart=vdibackup agent --config FILE")

    worker = units["vdibackup-worker@.service"]
    wflags = exec_flags(worker)
    check("--connect" in wflags and "--id" in wflags, "worker: --connect and --id")
    unknown = set(wflags) - accepted_flags("workers/worker_options.cc")
    check(not unknown, "worker: flags vdibackup-worker does not accept: %s" % sorted(unknown))

    backup = units["vdibackup-backup@.service"]
    check(last(backup, s, "Type") == "oneshot", "backup@: Type=oneshot")
    check("backup --database %i" in (last(backup, s, "ExecStart") or ""),
          "backup@: backs up database %i")
    known = accepted_flags("coordinator/cli/backup_options.cc", "coordinator/cli/command_support.cc")
    unknown = set(exec_flags(backup)) - known
    check(not unknown, "backup@: flags vdibackup backup does not accept: %s" % sorted(unknown))

    timer = units["vdibackup-backup@.timer"]
    check(last(timer, "Timer", "Unit") == "vdibackup-backup@%i.service", "timer: Unit=")
    check(last(timer, "Timer", "OnCalendar") is not None, "timer: OnCalendar=")
    check(last(timer, "Install", "WantedBy") == "timers.target", "timer: WantedBy=timers.target")

    for name, unit in units.items():
        if name.endswith(".service"):
            common_invariants(name, unit)

    # Every ${VAR} of the units is in the example environment file (systemd's own $MAINPID aside).
    with open(os.path.join(UNITS, "vdibackup.env.example")) as f:
        defined = set(re.findall(r"^#?([A-Z_]+)=", f.read(), re.M))
    for name in names:
        with open(os.path.join(UNITS, name)) as f:
            used = set(re.findall(r"\$\{?([A-Z_]+)\}?", f.read())) - {"MAINPID"}
        check(used <= defined, "%s: not in vdibackup.env.example: %s" % (name, sorted(used - defined)))

    # The example agent config: known keys (a plain parse: python3-yaml may be missing here) and a
    # shutdown grace shorter than the unit's stop timeout.
    with open(os.path.join(UNITS, "agent.yaml.example")) as f:
        example = agent_config_keys.parse_plain(f.read())
    failures.extend("agent.yaml.example: " + p for p in agent_config_keys.problems(example))
    grace = str(example.get("grace_seconds", ""))
    stop = seconds(last(agent, s, "TimeoutStopSec")) or 0
    check(grace.isdigit() and int(grace) < stop,
          "agent.yaml.example: grace_seconds < TimeoutStopSec")
    check("/etc/vdibackup/agent.yaml" in (last(agent, s, "ExecStart") or ""),
          "agent: --config /etc/vdibackup/agent.yaml")

    verified = verify(names)
    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    if not verified:
        return 77
    print("OK: %d units verified and checked" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
