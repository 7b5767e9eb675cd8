#!/usr/bin/env bash
# Makes the node's P4 ports, TAP interfaces P4TAP_0 .. P4TAP_<n-1> with MTU 1280 and up
# (reference-behaviour.md 7.3). P4TAP_0 is port 0, the ARP proxy's (scripts/arp_proxy.sh);
# P4TAP_1 is port 1, the host's; the rest go to pods.
#
#   scripts/create_interfaces.sh <n>       n a power of two, at least 8 (a DPDK requirement)
#   scripts/create_interfaces.sh stop      stop the SoftTarget an earlier run started
#
# With SDE_INSTALL, IPDK_RECIPE and DEPEND_INSTALL set (the IPDK networking recipe), it (re)starts
# infrap4d with the certificates of make gen-certs and creates the ports with gnmi-ctl. With none of
# them set it starts SoftTarget, the software target of this repository, which makes the TAPs itself.
#
# Environment (defaults in brackets):
#   CERTS_DIR [certs/generated]      certificates from make gen-certs; infrap4d/ holds the target's
#   SOFTTARGET_BIN                   the softtarget binary [SoftTarget/bin/$CONFIGURATION/net10.0/softtarget,
#                                    then the Release and Debug builds, then out/softtarget/softtarget]
#   SOFTTARGET_CONN [mtls]           insecure runs SoftTarget without certificates
#   SOFTTARGET_LOG [/var/log/softtarget.log]   SOFTTARGET_ARGS   more softtarget flags, e.g. --addr
#   TAP_PREFIX [P4TAP_]              SoftTarget's TAP names (the IPDK recipe's are always P4TAP_)
#   K8S_STATE_DIR [/run/k8sinfraoffload]   where softtarget.pid is kept
set -euo pipefail
cd "$(dirname "$0")/.."

name=create_interfaces
stratum=/usr/share/stratum
certs=${CERTS_DIR:-certs/generated}/infrap4d
state=${K8S_STATE_DIR:-/run/k8sinfraoffload}
pidfile=$state/softtarget.pid
mtu=1280
recipe_variables=(SDE_INSTALL IPDK_RECIPE DEPEND_INSTALL)

# usage [CODE]: to stderr and exit 1, or to stdout for --help (CODE 0).
usage() {
    local code=${1:-1}
    [ "$code" -eq 0 ] || exec >&2
    cat <<EOF
usage: scripts/create_interfaces.sh <n>    make TAP ports P4TAP_0 .. P4TAP_<n-1>
       scripts/create_interfaces.sh stop   stop the SoftTarget an earlier run started
  n: the number of ports, a power of two and at least 8 (8, 16, 32, ... 1024)
  With SDE_INSTALL, IPDK_RECIPE and DEPEND_INSTALL set, infrap4d from the IPDK networking recipe
  makes the ports; with none of them set, SoftTarget does.
EOF
    exit "$code"
}

die() {
    echo "$name: $*" >&2
    exit 1
}

require_root() {
    [ "$(id -u)" -eq 0 ] || die "run as root (it creates network interfaces)"
}

is_power_of_two_from_8() {
    local n=$1
    (( n >= 8 && n <= 1024 && (n & (n - 1)) == 0 ))
}

# The first of the recipe's install/sbin and (v23.01) scripts/dpdk that holds script $1.
recipe_script() {
    local dir
    for dir in "$IPDK_RECIPE/install/sbin" "$IPDK_RECIPE/scripts/dpdk"; do
        if [ -f "$dir/$1" ]; then
            echo "$dir/$1"
            return
        fi
    done
    die "$1 not found in $IPDK_RECIPE/install/sbin or $IPDK_RECIPE/scripts/dpdk; is IPDK_RECIPE the networking recipe?"
}

# require_certificates HINT FILE...: each FILE must be in $certs.
require_certificates() {
    local hint=$1 file
    shift
    for file in "$@"; do
        [ -f "$certs/$file" ] || die "missing $certs/$file: run make gen-certs first$hint"
    done
}

link_exists() { ip link show dev "$1" >/dev/null 2>&1; }

# How many of the links $1 0 .. $1 <$2 - 1> exist (one netlink dump, however many TAPs).
count_links() {
    # A dump taken while links are being made may say "Dump was interrupted"; the caller polls again.
    ip -o link show 2>/dev/null | awk -F': ' -v prefix="$1" -v n="$2" '
        { name = $2; sub(/@.*/, "", name) }
        index(name, prefix) == 1 && substr(name, length(prefix) + 1) ~ /^[0-9]+$/ && substr(name, length(prefix) + 1) + 0 < n { found++ }
        END { print found + 0 }'
}

set_mtu_up() {
    ip link set dev "$1" mtu "$mtu" up
}

wait_for_link() {
    for _ in $(seq 100); do
        link_exists "$1" && return
        sleep 0.1
    done
    die "$1 did not appear"
}

start_infrap4d() {
    local setup port_config i
    setup=$(recipe_script setup_env.sh)
    # The recipe's scripts are not written for set -u.
    set +u
    # shellcheck source=/dev/null
    source "$setup" "$IPDK_RECIPE" "$SDE_INSTALL" "$DEPEND_INSTALL"
    set -u
    export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}:$IPDK_RECIPE/install/lib64
    "$(recipe_script copy_config_files.sh)" "$IPDK_RECIPE" "$SDE_INSTALL" "$DEPEND_INSTALL"
    "$(recipe_script set_hugepages.sh)"

    port_config=$stratum/dpdk/dpdk_port_config.pb.txt
    [ -f "$port_config" ] || die "missing $port_config (copy_config_files.sh should have written it)"
    # Idempotent: there is no word boundary inside P4TAP_.
    sed -i 's/\bTAP/P4TAP_/g' "$port_config"

    # TLS since v23.07: infrap4d and gnmi-ctl read their certificates from $stratum/certs.
    require_certificates "" ca.crt stratum.crt stratum.key client.crt client.key
    mkdir -p "$stratum/certs"
    install -m 0644 "$certs/ca.crt" "$certs/stratum.crt" "$certs/client.crt" "$stratum/certs/"
    install -m 0600 "$certs/stratum.key" "$certs/client.key" "$stratum/certs/"

    if pgrep -x infrap4d >/dev/null; then
        echo "$name: stopping the running infrap4d"
        pkill -x infrap4d || true
        for _ in $(seq 50); do
            pgrep -x infrap4d >/dev/null || break
            sleep 0.1
        done
    fi
    echo "$name: starting infrap4d"
    "$IPDK_RECIPE/install/sbin/infrap4d"
    for _ in $(seq 30); do
        ss -Hltn 'sport = :9339' | grep -q . && break
        sleep 1
    done
    ss -Hltn 'sport = :9339' | grep -q . || die "infrap4d does not serve gNMI on :9339; see /var/log/stratum"

    for i in $(seq 0 $((count - 1))); do
        echo "$name: creating P4TAP_$i"
        "$IPDK_RECIPE/install/bin/gnmi-ctl" set \
            "device:virtual-device,name:P4TAP_$i,pipeline-name:pipe,mempool-name:MEMPOOL0,mtu:1500,port-type:TAP"
        wait_for_link "P4TAP_$i"
        set_mtu_up "P4TAP_$i"
    done
}

# Whether process $1 runs; a zombie does not.
# The pid of the SoftTarget we started, if it still runs (and the pid was not reused by something else).
# shellcheck source=scripts/lib/daemons.sh
source scripts/lib/daemons.sh

softtarget_pid() { daemon_pid "$pidfile" softtarget; }

stop_softtarget() { stop_daemon "$pidfile" softtarget "; its TAPs stay until deleted (ip link del <name>)"; }

start_softtarget() {
    local bin conn prefix log pid tap
    local -a flags extra
    bin=$(locate_binary "${SOFTTARGET_BIN:-}" SOFTTARGET_BIN SoftTarget softtarget)
    conn=${SOFTTARGET_CONN:-mtls}
    prefix=${TAP_PREFIX:-P4TAP_}
    log=${SOFTTARGET_LOG:-/var/log/softtarget.log}
    flags=(--ports "$count" --tap-prefix "$prefix" --conn "$conn" --log-file "$log")
    if [ "$conn" != insecure ]; then
        require_certificates " (or set SOFTTARGET_CONN=insecure)" stratum.crt stratum.key ca.crt
        flags+=(--cert "$certs/stratum.crt" --key "$certs/stratum.key" --ca-cert "$certs/ca.crt")
    fi
    read -r -a extra <<<"${SOFTTARGET_ARGS:-}"

    stop_softtarget
    mkdir -p "$state"
    echo "$name: starting softtarget with $count TAP ports ${prefix}0 .. $prefix$((count - 1)), $conn"
    # nohup execs, so $! is softtarget itself; it outlives this script.
    nohup "$bin" "${flags[@]}" "${extra[@]}" </dev/null >/dev/null 2>&1 &
    echo $! >"$pidfile"

    for _ in $(seq 300); do
        softtarget_pid >/dev/null || die "softtarget exited; see $log"
        [ "$(count_links "$prefix" "$count")" -eq "$count" ] && break
        sleep 0.1
    done
    [ "$(count_links "$prefix" "$count")" -eq "$count" ] || die "softtarget did not create its TAPs in 30 s; see $log"

    for tap in $(seq 0 $((count - 1))); do
        set_mtu_up "$prefix$tap"
    done
    pid=$(softtarget_pid)
    echo "$name: softtarget pid $pid serves ${prefix}0 .. $prefix$((count - 1)) (MTU $mtu, up); log $log"
}

[ $# -eq 1 ] || usage
case "$1" in
    stop | --stop)
        require_root
        stop_softtarget
        exit 0
        ;;
    -h | --help) usage 0 ;;
esac

if ! [[ $1 =~ ^[0-9]{1,5}$ ]] || ! is_power_of_two_from_8 "$((10#$1))"; then
    echo "$name: wrong number of interfaces '$1': it must be a power of two from 8 to 1024" >&2
    usage
fi
count=$((10#$1))

set_variables=()
missing_variables=()
for variable in "${recipe_variables[@]}"; do
    if [ -n "${!variable:-}" ]; then
        set_variables+=("$variable")
    else
        missing_variables+=("$variable")
    fi
done
if [ "${#set_variables[@]}" -ne 0 ] && [ "${#missing_variables[@]}" -ne 0 ]; then
    die "the IPDK recipe needs SDE_INSTALL (the P4 SDE install), IPDK_RECIPE (the networking recipe) and DEPEND_INSTALL (its dependencies); missing: ${missing_variables[*]} (unset all three to use SoftTarget)"
fi

require_root
if [ "${#set_variables[@]}" -eq "${#recipe_variables[@]}" ]; then
    start_infrap4d
else
    start_softtarget
fi
