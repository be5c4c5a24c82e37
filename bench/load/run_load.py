#!/usr/bin/env python3
# Load run (issue 13 item 5): many vdibackup jobs at once against one vdi-emulator. Phase A runs
# N concurrent backups of N databases with D devices each, phase B R concurrent restores of them
# (byte-identical to the sources), phase C S small concurrent backups of one database (distinct
# sets), each followed by `vdibackup verify --all`; then what the jobs could have leaked
# (/dev/shm objects, IPC dirs, processes, the server's fds) is compared with the start.
# Prints a markdown table; exits 1 if any job failed, any check failed or anything leaked.
import argparse
import concurrent.futures as cf
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import reliability_lib as rl  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", default="build", help="build directory (bin/ inside)")
    ap.add_argument("--backups", type=int, default=8, help="concurrent backups in phase A")
    ap.add_argument("--devices", type=int, default=8, help="devices per phase A backup")
    ap.add_argument("--restores", type=int, default=4, help="concurrent restores in phase B")
    ap.add_argument("--small", type=int, default=16, help="concurrent backups of one database")
    ap.add_argument("--size", default="32M", help="size of each phase A database")
    args = ap.parse_args()
    bin_dir = os.path.abspath(os.path.join(args.build, "bin"))
    work = tempfile.mkdtemp(prefix="vdibk-load-")
    data, repo = os.path.join(work, "data"), os.path.join(work, "repo")
    os.makedirs(repo)
    endpoint = "ipc://" + os.path.join(work, "sql.sock")
    rl.become_subreaper()
    scope = rl.Scope(work)
    env = scope.env(dict(os.environ, VDI_EMULATOR_ENDPOINT=endpoint))
    dbs = [f"load{i}" for i in range(args.backups)]
    for db in dbs:
        rl.create_database(bin_dir, data, db, args.size)
    rl.create_database(bin_dir, data, "small", "4M")
    server = rl.Emulator(bin_dir, data, endpoint)
    server.start()
    before = scope.snapshot(server.pid())
    rows, failures = [], []

    def phase(name, argvs, check=None):
        t0 = time.monotonic()
        with cf.ThreadPoolExecutor(len(argvs)) as pool:
            results = list(pool.map(lambda a: rl.run(a, env=env), argvs))
        wall = time.monotonic() - t0
        bad = [(a, c, o) for a, (c, o) in zip(argvs, results) if c != 0]
        for a, c, o in bad:
            failures.append(f"{name}: exit {c}: {' '.join(a[1:6])}\n{o[-2000:]}")
        note = check(results) if check and not bad else ""
        if note:
            failures.append(f"{name}: {note}")
        rows.append([name, len(argvs), len(argvs) - len(bad), len(bad), f"{wall:.1f}",
                     note or "ok"])

    def verify(name):
        code, out = rl.run([f"{bin_dir}/vdibackup", "verify", "--repo", repo, "--all"], env=env)
        rows.append([name, 1, int(code == 0), int(code != 0), "", "exit %d" % code])
        if code != 0:
            failures.append(f"{name}: exit {code}\n{out[-3000:]}")

    backup = [f"{bin_dir}/vdibackup", "backup", "--repo", repo, "--json", "--no-progress"]
    phase(f"A: {args.backups} backups x {args.devices} devices",
          [backup + ["--database", db, "--devices", str(args.devices), "--set-name",
                     scope.set_name()] for db in dbs])
    verify("A: verify --all")

    def restored_equal(_):
        for i, db in enumerate(dbs[:args.restores]):
            for src, dst in ((f"{db}/{db}.mdf", f"copy{i}/copy{i}.mdf"),
                             (f"{db}/{db}_log.ldf", f"copy{i}/copy{i}_log.ldf")):
                if not rl.same_file(os.path.join(data, src), os.path.join(data, dst)):
                    return f"{dst} differs from {src}"
        return ""
    phase(f"B: {args.restores} restores", [
        [f"{bin_dir}/vdibackup", "restore", "--database", db, "--repo", repo, "--as", f"copy{i}",
         "--move", f"{db}=copy{i}.mdf", "--move", f"{db}_log=copy{i}_log.ldf", "--json",
         "--set-name", scope.set_name()]
        for i, db in enumerate(dbs[:args.restores])], restored_equal)

    def distinct_sets(results):
        dirs = {rl.SET_RE.search(o).group(1) for _, o in results if rl.SET_RE.search(o)}
        return "" if len(dirs) == args.small else f"{len(dirs)} distinct sets for {args.small}"
    phase(f"C: {args.small} backups of one database",
          [backup + ["--database", "small", "--devices", "2", "--set-name", scope.set_name()]
           for _ in range(args.small)],
          distinct_sets)
    verify("C: verify --all")

    after = scope.snapshot(server.pid())
    leaked = rl.leaks(before, after)
    rows.append(["leaks (shm, IPC dirs, processes, server fds)", "", "", len(leaked), "",
                 "none" if not leaked else str(leaked)])
    if leaked:
        failures.append(f"leaked: {leaked}")
    server.stop()
    print(f"load run, {time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} cores, "
          f"{args.size} databases\n")
    print(rl.table(["phase", "jobs", "ok", "failed", "wall s", "check"], rows))
    for f in failures:
        print("\nFAILURE: " + f, file=sys.stderr)
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"(work directory kept: {work})", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
