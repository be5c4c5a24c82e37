#!/usr/bin/env python3
# Chaos run (issue 13 item 6): N iterations of a random fault at a random moment of a vdibackup
# backup or restore against vdi-emulator: kill -9 of a worker, the coordinator (at a random moment,
# or right after it created its VDI set, before the server attached), sqlcmd or the server; SIGSTOP of a worker or the coordinator; EIO or ENOSPC on the stripe target; a worker
# dying at a protocol point; a server commit that stalls; a connection dropped after the commit.
# After each iteration the invariants are checked:
#   1. every backup the server's history records is in the repository, COMPLETE or unconfirmed;
#   2. no set is COMPLETE without a history row;
#   3. after `reconcile` and `prune --grace-minutes 0`, `verify --all` passes;
#   4. nothing leaked (/dev/shm objects, IPC dirs, processes, the server's fds);
#   5. the next backup and a latest-point restore succeed, byte-identical to the source.
# Prints a markdown table of faults x outcomes; exits 1 on any invariant violation.
import argparse
import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import reliability_lib as rl  # noqa: E402

DB = "chaos"
# /proc/PID/comm holds at most 15 characters.
WORKER_COMM = "vdibackup-worker"[:15]
# fault -> (what it does, which operations it applies to)
FAULTS = {
    "none": "no fault",
    "kill-worker": "SIGKILL of a vdibackup-worker",
    "kill-coordinator": "SIGKILL of vdibackup",
    "kill-coordinator-in-create": "SIGKILL of vdibackup right after it created its VDI set, before "
                                  "the server attached (its sqlcmd, a wrapper, kills it)",
    "kill-sqlcmd": "SIGKILL of the sqlcmd running a statement",
    "kill-server": "SIGKILL of vdi-emulator (restarted afterwards)",
    "stop-worker": "SIGSTOP of a vdibackup-worker (SIGCONT after the job)",
    "stop-coordinator": "SIGSTOP of vdibackup for 0-4 s",
    "target-eio": "fsync EIO on the stripe target (VDIBK_WORKER_TARGET_FAULT=sync-eio)",
    "target-enospc": "ENOSPC after 64 KiB on the stripe target",
    "worker-dies-at-complete": "worker SIGKILLs itself on VDC_Complete (VDIBK_WORKER_FAILPOINT)",
    "commit-stall": "the server's commit stalls 3 s after the data (serve --fault commit-stall)",
    "drop-after-commit": "the server drops the connection after the commit (serve --fault)",
}
BACKUP_ONLY = {"target-eio", "target-enospc", "worker-dies-at-complete", "commit-stall",
               "drop-after-commit"}
# Faults applied through the job's command line, not by apply().
ARGV_FAULTS = {"kill-coordinator-in-create"}
# The age guard of the orphaned-set sweep for every job here (VDIBACKUP_ORPHAN_MIN_AGE): a killed
# coordinator's orphan is aged past it before the next job, which must remove it. Below the
# default 60 s, so no vdibackup of a test running meanwhile takes our orphans first.
ORPHAN_MIN_AGE = 20
# The emulator's fault specs for the server-side faults (see emulator/README.md).
SERVER_FAULTS = {"commit-stall": "commit-stall-ms=3000", "drop-after-commit": "drop-after-commit=1"}


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


class Chaos:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.abspath(os.path.join(args.build, "bin"))
        self.work = tempfile.mkdtemp(prefix="vdibk-chaos-")
        self.data = os.path.join(self.work, "data")
        self.repo = os.path.join(self.work, "repo")
        os.makedirs(self.repo)
        self.endpoint = "ipc://" + os.path.join(self.work, "sql.sock")
        rl.become_subreaper()
        self.scope = rl.Scope(self.work)
        self.env = self.scope.env(dict(os.environ, VDI_EMULATOR_ENDPOINT=self.endpoint,
                                       VDIBACKUP_ORPHAN_MIN_AGE=str(ORPHAN_MIN_AGE)))
        self.killer = self.write_killer_sqlcmd()
        self.server_fault = None
        self.server = None
        self.stats = collections.defaultdict(lambda: {"runs": 0, "exits": collections.Counter(),
                                                      "violations": 0})
        self.violations = []
        self.seed = args.seed

    # --- the server --------------------------------------------------------------------------
    def serve(self, fault=None):
        if self.server and self.server.alive() and fault == self.server_fault:
            return
        if self.server:
            self.server.stop()
        extra = ["--fault", SERVER_FAULTS[fault]] if fault else []
        self.server = rl.Emulator(self.bin, self.data, self.endpoint, extra)
        self.server.start()
        self.server_fault = fault

    # --- the jobs ----------------------------------------------------------------------------
    def write_killer_sqlcmd(self):
        """A sqlcmd that SIGKILLs its caller when asked to run the BACKUP or RESTORE statement:
        the coordinator has created its VDI set by then and the server has not attached."""
        path = os.path.join(self.work, "sqlcmd-killer")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n"
                    "case \"$*\" in *'BACKUP DATABASE'*|*'BACKUP LOG'*|*'RESTORE DATABASE'*|"
                    "*'RESTORE LOG'*) kill -9 $PPID; exit 1;; esac\n"
                    f"exec '{self.bin}/sqlcmd' \"$@\"\n")
        os.chmod(path, 0o700)
        return path

    def age_orphans(self):
        """Ages our VDI sets' objects past ORPHAN_MIN_AGE, as if the next job came later."""
        past = time.time() - ORPHAN_MIN_AGE - 10
        for name in self.scope.shm_objects():
            try:
                os.utime(os.path.join("/dev/shm", name), (past, past))
            except OSError:
                pass

    def backup_argv(self, kind):
        return [f"{self.bin}/vdibackup", "backup", "--database", DB, "--repo", self.repo,
                "--devices", "2", "--workers", str(random.choice([2, 3])), "--type", kind,
                "--max-transfer-size", "65536", "--json", "--no-progress",
                "--confirm-timeout", "5", "--set-name", self.scope.set_name()]

    def restore_argv(self):
        return [f"{self.bin}/vdibackup", "restore", "--database", DB, "--repo", self.repo,
                "--as", "copy", "--move", f"{DB}=copy.mdf", "--move", f"{DB}_log=copy_log.ldf",
                "--replace", "--json", "--set-name", self.scope.set_name()]

    def run_job(self, argv, env, fault, at):
        """Starts the job, applies `fault` `at` seconds in, returns (exit code, output)."""
        log = open(os.path.join(self.work, "job.log"), "w+b")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        stopped = []
        t0 = time.monotonic()
        applied = fault in ("none",) or fault in BACKUP_ONLY or fault in ARGV_FAULTS
        while p.poll() is None:
            if not applied and time.monotonic() - t0 >= at:
                applied = self.apply(fault, p.pid, stopped)
            if time.monotonic() - t0 > self.args.job_timeout:
                self.violation(fault, f"job hung > {self.args.job_timeout} s: {' '.join(argv[1:3])}")
                p.kill()
                break
            time.sleep(0.01)
        p.wait()
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
        log.seek(0)
        return p.returncode, log.read().decode(errors="replace")

    def apply(self, fault, coordinator, stopped):
        """True once the fault was applied (False: its target is not there yet)."""
        kids = children(coordinator)
        workers = [k for k in kids if comm(k) == WORKER_COMM]
        sqlcmds = [k for k in kids if comm(k) == "sqlcmd"]
        try:
            if fault == "kill-coordinator":
                os.kill(coordinator, signal.SIGKILL)
            elif fault == "kill-server":
                self.server.proc.kill()
            elif fault == "stop-coordinator":
                os.kill(coordinator, signal.SIGSTOP)
                time.sleep(random.uniform(0, 4))
                os.kill(coordinator, signal.SIGCONT)
            elif fault in ("kill-worker", "stop-worker"):
                if not workers:
                    return False
                w = random.choice(workers)
                os.kill(w, signal.SIGKILL if fault == "kill-worker" else signal.SIGSTOP)
                if fault == "stop-worker":
                    stopped.append(w)
            elif fault == "kill-sqlcmd":
                if not sqlcmds:
                    return False
                os.kill(random.choice(sqlcmds), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def violation(self, key, text):
        self.violations.append(f"[seed {self.seed}] {key}: {text}")
        self.stats[key]["violations"] += 1

    # --- the invariants ----------------------------------------------------------------------
    def check(self, key, baseline):
        if not self.server.alive():
            self.serve(None)
        rows = rl.history(self.bin, self.endpoint, DB)
        if rows is None:
            self.violation(key, "the server's history cannot be read")
            return
        sets = rl.repo_sets(self.bin, self.repo, DB)
        by_name = {s.get("history_name"): s for s in sets if s.get("history_name")}
        recorded = {r["name"] for r in rows if r["name"].startswith("vdibackup ")}
        for name in recorded:
            s = by_name.get(name)
            if s is None or s["state"] not in ("good", "unconfirmed"):
                self.violation(key, f"the server committed '{name}' but the repository has "
                                    f"{'nothing' if s is None else s['state']}")
        for s in sets:
            if s["state"] == "good" and s.get("history_name") not in recorded:
                self.violation(key, f"{s['set']} is COMPLETE without a history row")
        for argv in (["reconcile", "--database", DB],
                     ["prune", "--keep-full", "1000", "--grace-minutes", "0"]):
            code, out = rl.run([f"{self.bin}/vdibackup", argv[0], "--repo", self.repo] + argv[1:],
                               env=self.env)
            if code not in (0, 1):
                self.violation(key, f"{argv[0]} exit {code}: {out[-800:]}")
        code, out = rl.run([f"{self.bin}/vdibackup", "verify", "--repo", self.repo, "--all"],
                           env=self.env)
        if code != 0:
            self.violation(key, f"verify --all exit {code}: {out[-1500:]}")
        # 5. The next backup and a latest-point restore.
        rl.workload(self.bin, self.data, DB, self.seed)
        self.serve(None)
        code, out = rl.run(self.backup_argv("log"), env=self.env)
        if code != 0:
            self.violation(key, f"the next backup failed (exit {code}): {out[-1500:]}")
        code, out = rl.run(self.restore_argv(), env=self.env)
        if code != 0:
            self.violation(key, f"the latest-point restore failed (exit {code}): {out[-1500:]}")
            return
        for src, dst in ((f"{DB}/{DB}.mdf", "copy/copy.mdf"),
                         (f"{DB}/{DB}_log.ldf", "copy/copy_log.ldf")):
            if not rl.same_file(os.path.join(self.data, src), os.path.join(self.data, dst)):
                self.violation(key, f"restored {dst} differs from {src}")
        # 4. Nothing leaked, once the next job ran (it sweeps the IPC directory and the orphaned
        # VDI set a SIGKILLed coordinator left; orphaned workers notice the silence within 3
        # heartbeats).
        deadline = time.monotonic() + 10
        while True:
            leaked = rl.leaks(baseline, self.scope.snapshot())
            if not leaked or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if leaked:
            self.violation(key, f"leaked {leaked}")

    # --- the run -----------------------------------------------------------------------------
    def calibrate(self):
        t = {}
        t0 = time.monotonic()
        code, out = rl.run(self.backup_argv("log"), env=self.env)
        t["backup"] = time.monotonic() - t0
        if code != 0:
            raise RuntimeError("calibration backup failed: " + out)
        t0 = time.monotonic()
        code, out = rl.run(self.restore_argv(), env=self.env)
        t["restore"] = time.monotonic() - t0
        if code != 0:
            raise RuntimeError("calibration restore failed: " + out)
        return t

    def run(self):
        random.seed(self.args.seed)
        rl.create_database(self.bin, self.data, DB, self.args.size)
        self.serve(None)
        code, out = rl.run(self.backup_argv("full"), env=self.env)
        if code != 0:
            raise RuntimeError("initial full backup failed: " + out)
        durations = self.calibrate()
        faults = [f for f in FAULTS if f not in self.args.skip]
        start = time.monotonic()
        done = 0
        for i in range(self.args.iterations):
            if time.monotonic() - start > self.args.max_seconds:
                break
            self.seed = self.args.seed * 100000 + i
            fault = random.choice(faults)
            op = "backup" if fault in BACKUP_ONLY else random.choice(["backup", "backup",
                                                                      "restore"])
            key = (fault, op)
            baseline = self.scope.snapshot()
            env = dict(self.env)
            if fault == "target-eio":
                env["VDIBK_WORKER_TARGET_FAULT"] = "sync-eio"
            elif fault == "target-enospc":
                env["VDIBK_WORKER_TARGET_FAULT"] = "enospc-after:65536"
            elif fault == "worker-dies-at-complete":
                env["VDIBK_WORKER_FAILPOINT"] = "complete@w" + str(random.choice([0, 1]))
            self.serve(fault if fault in SERVER_FAULTS else None)
            if op == "backup":
                rl.workload(self.bin, self.data, DB, self.seed)
                argv = self.backup_argv(random.choice(["log", "log", "diff", "full"]))
            else:
                argv = self.restore_argv()
            if fault == "kill-coordinator-in-create":
                argv += ["--sqlcmd", self.killer]
            at = random.uniform(0, 1.3 * durations[op])
            code, out = self.run_job(argv, env, fault, at)
            self.stats[key]["runs"] += 1
            self.stats[key]["exits"][code] += 1
            if self.args.verbose:
                print(f"{i}: {fault} during {op} at {at:.2f} s -> exit {code}", file=sys.stderr)
                if code not in (0, -9):
                    last = [ln for ln in out.splitlines() if "failed" in ln or "warn" in ln]
                    print("    " + (last[-1] if last else out.strip()[-300:])[:400],
                          file=sys.stderr)
            if fault.startswith("kill-coordinator"):
                self.age_orphans()  # the next job sweeps the set the dead coordinator left
            self.check(key, baseline)
            done += 1
        self.server.stop()
        return done, time.monotonic() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--max-seconds", type=float, default=3600,
                    help="stop starting iterations after this long")
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--size", default="8M")
    ap.add_argument("--job-timeout", type=float, default=120)
    ap.add_argument("--skip", action="append", default=[], help="a fault not to inject")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    c = Chaos(args)
    done, seconds = c.run()
    rows = []
    for (fault, op), s in sorted(c.stats.items()):
        exits = ", ".join(f"{code}: {n}" for code, n in sorted(s["exits"].items()))
        rows.append([fault, op, s["runs"], exits, s["violations"]])
    print(f"chaos run, seed {args.seed}, {done} iterations in {seconds:.0f} s, "
          f"{time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} cores\n")
    print(rl.table(["fault", "during", "runs", "exit codes (code: count)",
                    "invariant violations"], rows))
    print(f"\ninvariant violations: {len(c.violations)}")
    for v in c.violations:
        print("VIOLATION " + v, file=sys.stderr)
    if not c.violations:
        shutil.rmtree(c.work, ignore_errors=True)
    else:
        print(f"(work directory kept: {c.work})", file=sys.stderr)
    return 1 if c.violations else 0


if __name__ == "__main__":
    sys.exit(main())
