#!/usr/bin/env bash
# Installs the Debian 12 packages vdibackup needs to build, test and benchmark. Idempotent: it only
# calls apt-get when a package is missing. Needs root (or sudo) on a fresh machine.
set -euo pipefail
PKGS=(g++ cmake make pkg-config libboost-dev libzmq3-dev cppzmq-dev libprotobuf-dev
      protobuf-compiler liblz4-dev lz4 libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev python3)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
