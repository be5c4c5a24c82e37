#!/usr/bin/env python3
# Checks deploy/k8s: `kubectl kustomize` renders it (--render), and the manifests (rendered when
# kubectl is there, else the raw files kustomization.yaml lists) keep the sidecar invariants: one
# memory-backed /dev/shm volume mounted at /dev/shm in SQL Server's and vdibackup's containers,
# uid/gid 10001, /healthz and /readyz probes, grace period > 60 s, shareProcessNamespace, the
# agent's ConfigMap and Service, its bearer tokens from a Secret mounted where auth.token_files
# reads them, and a CronJob posting to /v1/jobs with the Secret's "backup" token. Exit 77 =
# skipped.
import os
import shutil
import subprocess
import sys

import agent_config_keys

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
K8S = os.path.join(SRC, "deploy", "k8s")
RENDER_ONLY = "--render" in sys.argv
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def render():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    r = subprocess.run([kubectl, "kustomize", K8S], capture_output=True, text=True)
    check(r.returncode == 0, "kubectl kustomize failed: " + r.stderr)
    return r.stdout if r.returncode == 0 else None


def raw_documents(yaml):
    with open(os.path.join(K8S, "kustomization.yaml")) as f:
        kustomization = yaml.safe_load(f)
    docs = []
    for res in kustomization.get("resources", []):
        with open(os.path.join(K8S, res)) as f:
            docs += [d for d in yaml.safe_load_all(f) if d]
    for gen in kustomization.get("configMapGenerator", []):
        docs.append({"kind": "ConfigMap", "metadata": {"name": gen["name"]}})
    return docs


def container_ids(pod, c):
    sc_pod = pod.get("securityContext", {})
    sc = c.get("securityContext", {})
    return (sc.get("runAsUser", sc_pod.get("runAsUser")),
            sc.get("runAsGroup", sc_pod.get("runAsGroup")))


def check_statefulset(sts, configmaps):
    pod = sts["spec"]["template"]["spec"]
    check(pod.get("shareProcessNamespace") is True, "pod: shareProcessNamespace: true")
    check(pod.get("terminationGracePeriodSeconds", 30) > 60,
          "pod: terminationGracePeriodSeconds must exceed an abort (60 s)")
    check(pod.get("hostIPC") is not True, "pod: never hostIPC")
    check(pod.get("securityContext", {}).get("fsGroup") == 10001, "pod: fsGroup 10001")
    shm = [v["name"] for v in pod.get("volumes", [])
           if v.get("emptyDir", {}).get("medium") == "Memory"]
    check(len(shm) == 1, "pod: exactly one memory-backed emptyDir (got %s)" % shm)
    for v in pod.get("volumes", []):
        if v["name"] in shm:
            check(bool(v["emptyDir"].get("sizeLimit")), "/dev/shm emptyDir needs a sizeLimit")
    containers = {c["name"]: c for c in pod.get("containers", [])}
    check(set(containers) >= {"mssql", "vdibackup"}, "pod: containers mssql and vdibackup")
    for name, c in containers.items():
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        check(shm and mounts.get("/dev/shm") == shm[0],
              "%s: the shared memory volume must be mounted at /dev/shm" % name)
        check(container_ids(pod, c) == (10001, 10001), "%s: runs as uid/gid 10001" % name)
    mssql = containers.get("mssql", {})
    check(mssql.get("image", "").startswith("mcr.microsoft.com/mssql/server:2022"),
          "mssql: image mcr.microsoft.com/mssql/server:2022-latest")
    agent = containers.get("vdibackup", {})
    live = agent.get("livenessProbe", {}).get("httpGet", {})
    ready = agent.get("readinessProbe", {}).get("httpGet", {})
    check(live.get("path") == "/healthz", "vdibackup: livenessProbe on /healthz")
    check(ready.get("path") == "/readyz", "vdibackup: readinessProbe on /readyz")
    check(agent.get("args", [])[:2] == ["agent", "--config"], "vdibackup: runs `agent --config`")
    cm_volumes = [v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v]
    check(any(n in configmaps for n in cm_volumes), "vdibackup: mounts the agent ConfigMap")
    return agent


def secret_mounts(pod, container):
    """{mountPath: secretName} of the Secret volumes `container` mounts."""
    secrets = {v["name"]: v["secret"].get("secretName") for v in pod.get("volumes", [])
               if "secret" in v}
    return {m["mountPath"]: secrets[m["name"]] for m in container.get("volumeMounts", [])
            if m["name"] in secrets}


def check_tokens(config, pod, agent, cron_container):
    """The agent's token files come from a Secret; the CronJob sends that Secret's backup token."""
    paths = agent_config_keys.token_paths(config)
    check(bool(paths), "agent.yaml: auth.token_files (the API listens beyond loopback)")
    mounts = secret_mounts(pod, agent)
    for p in paths:
        check(any(str(p).startswith(m.rstrip("/") + "/") for m in mounts),
              "agent.yaml: token file %s is not in a mounted Secret" % p)
    backup = [t for t in (config.get("auth") or {}).get("token_files") or []
              if isinstance(t, dict) and t.get("role") == "backup"]
    check(len(backup) == 1, "agent.yaml: one token with role backup (the CronJob's)")
    if not backup or not cron_container:
        return
    key = os.path.basename(backup[0]["path"])
    secret = next((name for m, name in mounts.items() if backup[0]["path"].startswith(m)), None)
    env = {e["name"]: e.get("valueFrom", {}).get("secretKeyRef", {})
           for e in cron_container.get("env", [])}
    refs = [n for n, ref in env.items() if ref.get("name") == secret and ref.get("key") == key]
    args = cron_container.get("args", [])
    check(any("Authorization: Bearer $(%s)" % n in a for n in refs for a in args),
          "CronJob: sends 'Authorization: Bearer $(VAR)' with VAR from Secret %s key %s"
          % (secret, key))


def main():
    try:
        import yaml
    except ImportError:
        print("SKIP: python3-yaml is not installed (apt-get install python3-yaml)")
        return 77
    rendered = render()
    if RENDER_ONLY:
        if rendered is None and not failures:
            print("SKIP kubectl kustomize: kubectl is not installed (apt-get install kubernetes-client)")
            return 77
    if rendered is not None:
        docs = [d for d in yaml.safe_load_all(rendered) if d]
        print("checking the output of kubectl kustomize (%d objects)" % len(docs))
    else:
        docs = raw_documents(yaml)
        print("kubectl not installed: checking the raw manifests (%d objects)" % len(docs))
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    sts = by_kind.get("StatefulSet", [])
    check(len(sts) == 1, "one StatefulSet")
    configmaps = {c["metadata"]["name"] for c in by_kind.get("ConfigMap", [])}
    check(bool(configmaps), "a ConfigMap for the agent config")
    agent = check_statefulset(sts[0], configmaps) if sts else {}
    agent_port = {p.get("name"): p["containerPort"] for p in agent.get("ports", [])}
    services = by_kind.get("Service", [])
    check(any(p.get("targetPort") in agent_port or p.get("targetPort") in agent_port.values()
              for s in services for p in s["spec"].get("ports", [])),
          "a Service for the agent's port")
    cron = by_kind.get("CronJob", [])
    check(len(cron) == 1, "one CronJob")
    c = None
    if cron:
        c = cron[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
        args = " ".join(c.get("args", []) + c.get("command", []))
        check("curl" in c.get("image", ""), "CronJob: a curl image")
        check("POST" in args and "/v1/jobs" in args, "CronJob: POSTs to /v1/jobs")
    with open(os.path.join(K8S, "agent.yaml")) as f:
        config = yaml.safe_load(f)
    failures.extend("agent.yaml: " + p for p in agent_config_keys.problems(config))
    host, _, port = str(config.get("listen", "")).rpartition(":")
    check(host == "0.0.0.0", "agent.yaml: listen on 0.0.0.0 so probes and the Service reach it")
    check(port.isdigit() and int(port) in agent_port.values(),
          "agent.yaml: the listen port is the container's http port")
    if sts:
        check_tokens(config, sts[0]["spec"]["template"]["spec"], agent, c)
        pod_grace = sts[0]["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
        check(config.get("grace_seconds", 30) < pod_grace,
              "agent.yaml: grace_seconds must be shorter than terminationGracePeriodSeconds")
    for f in failures:
        print("FAIL", f)
    if failures:
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
