#!/usr/bin/env bash
# Installs what building, running and testing K8sInfraOffload needs on Debian 12, and restores
# the .NET packages. Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang and zlib1g-dev: the Native AOT compiler links inframanager with them.
packages=(make clang zlib1g-dev iproute2 iputils-arping iputils-ping iperf3 netcat-openbsd socat procps ethtool)
# kubectl renders deploy/ (make deploy, the Deploy tests). Debian's kubernetes-client (kubectl 1.20) conflicts
# with other kubectl packages, so it comes only when there is no kubectl on the PATH.
command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)

if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-deps: the .NET 10 SDK (dotnet) is not on PATH; install it first (see README.md)" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: need root to install: ${missing[*]}" >&2
        exit 1
    fi
    echo "install-deps: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet restore K8sInfraOffload.sln --nologo -v quiet
