# Shared helpers of the load and chaos runs (bench/load, bench/chaos): a vdi-emulator server they
# start and stop, vdibackup runs, the server's backup history, the repository's manifests, and
# snapshots of what a run could leak (/dev/shm objects, IPC dirs, processes, the server's fds).
import json
import os
import re
import signal
import subprocess
import tempfile
import time


class Emulator:
    """`vdi-emulator serve` on DATA at an ipc:// endpoint, started and stopped by the run."""

    def __init__(self, bin_dir, data, endpoint, extra=()):
        self.bin_dir, self.data, self.endpoint, self.extra = bin_dir, data, endpoint, list(extra)
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(data), "serve.log")

    def start(self):
        start = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [f"{self.bin_dir}/vdi-emulator", "serve", "--data-dir", self.data, "--listen",
             self.endpoint] + self.extra, stdout=log, stderr=subprocess.STDOUT)
        # Readiness: the server prints "listening on" once it accepts statements.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                if b"listening on" in f.read():
                    return
            if self.proc.poll() is not None:
                raise RuntimeError("vdi-emulator serve exited: " + open(self.log_path).read())
            time.sleep(0.02)
        raise RuntimeError("vdi-emulator serve did not become ready")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def pid(self):
        return self.proc.pid if self.proc else None


def run(argv, timeout=600, env=None):
    """Runs argv to the end; returns (exit code, merged output)."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                       env=env)
    return p.returncode, p.stdout.decode(errors="replace")


def create_database(bin_dir, data, name, size):
    code, out = run([f"{bin_dir}/vdi-emulator", "create-database", name, "--data-dir", data,
                     "--size", size])
    if code != 0:
        raise RuntimeError(f"create-database {name}: {out}")


def workload(bin_dir, data, name, seed, changes=40):
    code, out = run([f"{bin_dir}/vdi-emulator", "workload", name, "--data-dir", data, "--changes",
                     str(changes), "--seed", str(seed)])
    if code != 0:
        raise RuntimeError(f"workload {name}: {out}")


def history(bin_dir, endpoint, database):
    """The server's msdb.dbo.backupset rows of `database` as dicts (None if unreachable)."""
    query = ("SET NOCOUNT ON; SELECT TOP (10000) backup_set_id, type, is_copy_only, last_lsn, name "
             f"FROM msdb.dbo.backupset WHERE database_name = N'{database}' "
             "ORDER BY backup_set_id DESC")
    code, out = run([f"{bin_dir}/sqlcmd", "-S", endpoint, "-b", "-h", "-1", "-W", "-s", ",", "-Q",
                     query], timeout=60)
    if code != 0:
        return None
    rows = []
    for line in out.splitlines():
        f = line.split(",", 4)
        if len(f) == 5 and f[0].isdigit():
            rows.append({"id": int(f[0]), "type": f[1], "copy_only": f[2] == "1",
                         "last_lsn": f[3], "name": f[4]})
    return rows


def repo_sets(bin_dir, repo, database):
    """`vdibackup list --json` sets of `database` (state, history_name, ...)."""
    code, out = run([f"{bin_dir}/vdibackup", "list", "--repo", repo, "--database", database,
                     "--json"])
    if code != 0:
        raise RuntimeError("list: " + out)
    return json.loads(out[out.index("{"):])["sets"]


def become_subreaper():
    """Orphans of our jobs (workers of a killed coordinator) are re-parented to this process, so
    the leak check sees them as ours (PR_SET_CHILD_SUBREAPER)."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


class Scope:
    """What one run owns, so that its leak checks ignore everything else on the machine (other
    tests running in parallel): VDI set names with `tag` in them (pass set_name() to every job's
    --set-name), IPC dirs under `tmpdir` (the jobs' TMPDIR) and our descendant processes."""

    def __init__(self, work):
        self.tag = f"r{os.getpid()}"
        self.tmpdir = os.path.join(work, "tmp")
        os.makedirs(self.tmpdir, exist_ok=True)
        self.count = 0
        self.exclude = set()  # pids that may live on (the emulator)

    def set_name(self):
        self.count += 1
        return f"{self.tag}_{self.count}"

    def env(self, base):
        return dict(base, TMPDIR=self.tmpdir)

    def shm_objects(self):
        return sorted(n for n in os.listdir("/dev/shm") if self.tag + "_" in n)

    def ipc_dirs(self):
        return sorted(n for n in os.listdir(self.tmpdir) if n.startswith("vdibackup-ipc"))

    def processes(self, names=("vdibackup", "vdibackup-worker"[:15], "sqlcmd")):
        """pid -> comm of our running descendants named `names` (zombies excluded; a comm is at
        most 15 characters)."""
        parent, comm = {}, {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            rest = stat[stat.rindex(")") + 2:].split()
            if rest[0] == "Z":
                continue
            parent[int(pid)] = int(rest[1])
            comm[int(pid)] = stat[stat.index("(") + 1:stat.rindex(")")]
        me, out = os.getpid(), {}
        for pid in parent:
            p, seen = pid, 0
            while p in parent and p != me and seen < 64:
                p, seen = parent[p], seen + 1
            if p == me and pid not in self.exclude and comm[pid] in names:
                out[pid] = comm[pid]
        return out

    def snapshot(self, server_pid=None):
        return {"shm": self.shm_objects(), "ipc": self.ipc_dirs(), "procs": self.processes(),
                "server_fds": fd_count(server_pid) if server_pid else -1}


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def leaks(before, after):
    """What `after` has that `before` did not (empty dict: nothing leaked)."""
    out = {}
    for key in ("shm", "ipc"):
        extra = sorted(set(after[key]) - set(before[key]))
        if extra:
            out[key] = extra
    extra = {p: c for p, c in after["procs"].items() if p not in before["procs"]}
    if extra:
        out["procs"] = extra
    if before["server_fds"] >= 0 and after["server_fds"] > before["server_fds"]:
        out["server_fds"] = f"{before['server_fds']} -> {after['server_fds']}"
    return out


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def table(header, rows):
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


SET_RE = re.compile(r'"set_dir":"([^"]+)"')
