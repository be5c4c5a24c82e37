#!/usr/bin/env bash
# Installs the Debian 12 packages vdibackup needs to build, test and benchmark. Idempotent: it only
# calls apt-get when a package is missing. Needs root (or sudo) on a fresh machine.
# Deployment checkers (systemd-analyze, kubectl) are installed when their command is missing and a
# failure to install them is only a warning: their tests then say they skipped and why.
# radosgw, ceph-mon and ceph-osd are scripts/s3-server.sh's S3 server (about a minute to install,
# docs/operations.md); s3cmd is the S3 baseline of the benchmarks. VDIBK_NO_S3_SERVER=1 leaves
# those four out (the container build: its S3 tests then say they skipped).
set -euo pipefail
PKGS=(g++ cmake make pkg-config libboost-dev libzmq3-dev cppzmq-dev libprotobuf-dev
      protobuf-compiler liblz4-dev lz4 libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev python3
      libyaml-cpp-dev python3-yaml libssl-dev openssl age curl libcli11-dev libcurl4-openssl-dev libxml2-dev
      radosgw ceph-mon ceph-osd s3cmd)
if [ "${VDIBK_NO_S3_SERVER:-0}" = 1 ]; then
  kept=()
  for p in "${PKGS[@]}"; do
    case "$p" in radosgw | ceph-mon | ceph-osd | s3cmd) ;; *) kept+=("$p") ;; esac
  done
  PKGS=("${kept[@]}")
fi
# command:package — skipped when the command exists (another kubectl, e.g. Google's, conflicts).
TOOLS=(systemd-analyze:systemd kubectl:kubernetes-client)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
updated=0
apt_install() {
  ((updated)) || { $SUDO apt-get update -qq; updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  apt_install "${missing[@]}"
fi
for t in "${TOOLS[@]}"; do
  cmd=${t%%:*} pkg=${t#*:}
  command -v "$cmd" >/dev/null 2>&1 && continue
  echo "install-deps: installing $pkg (for $cmd)" >&2
  apt_install "$pkg" || echo "install-deps: warning: could not install $pkg; its checks will be skipped" >&2
done
