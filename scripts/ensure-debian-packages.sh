#!/usr/bin/env bash
# Install the Debian packages the build or the tests need, only those missing.
# Usage: scripts/ensure-debian-packages.sh PACKAGE ... | COMMAND:PACKAGE ...
# (COMMAND:PACKAGE installs PACKAGE only when COMMAND is not on the PATH, e.g. java:default-jre-headless)
set -euo pipefail
missing=()
for arg in "$@"; do
  if [[ "$arg" == *:* ]]; then
    command -v "${arg%%:*}" >/dev/null 2>&1 || missing+=("${arg##*:}")
  else
    dpkg-query -W -f='${Status}' "$arg" 2>/dev/null | grep -q "ok installed" || missing+=("$arg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
