#!/usr/bin/env bash
# Gives the ARP proxy its interface and runs it (reference-behaviour.md 7.2): P4TAP_0 moves into
# netns pod0 as 169.254.1.1/16, the pods' gateway, with a default route through it, and arp-proxy
# answers every ARP request that the pipeline sends to that port.
#
#   scripts/arp_proxy.sh [start|stop|status]      start is the default; start and stop need root
#
# start is idempotent: when the proxy already runs on a configured interface it only says so.
# stop kills the proxy, moves the interface back to this namespace and deletes the namespace.
#
# Environment (defaults in brackets):
#   ARP_PROXY_IF [P4TAP_0]   ARP_PROXY_NETNS [pod0]   ARP_PROXY_IP [169.254.1.1/16]
#   ARP_PROXY_BIN            the arp-proxy binary [ArpProxy/bin/$CONFIGURATION/net10.0/arp-proxy,
#                            then the Release and Debug builds, then out/arp-proxy/arp-proxy]
#   ARP_PROXY_LOG [/var/log/arp-proxy.log]   K8S_STATE_DIR [/run/k8sinfraoffload] (pid file)
set -euo pipefail
cd "$(dirname "$0")/.."

name=arp_proxy
iface=${ARP_PROXY_IF:-P4TAP_0}
netns=${ARP_PROXY_NETNS:-pod0}
address=${ARP_PROXY_IP:-169.254.1.1/16}
[[ $address == */* ]] || address=$address/16
log=${ARP_PROXY_LOG:-/var/log/arp-proxy.log}
state=${K8S_STATE_DIR:-/run/k8sinfraoffload}
pidfile=$state/arp-proxy.pid

# usage [CODE]: to stderr and exit 1, or to stdout for --help (CODE 0).
usage() {
    local code=${1:-1}
    [ "$code" -eq 0 ] || exec >&2
    cat <<EOF
usage: scripts/arp_proxy.sh [start|stop|status]
  start   (default) move $iface into netns $netns as $address and run arp-proxy there
  stop    stop arp-proxy, move $iface back to this namespace and delete netns $netns
  status  say whether arp-proxy runs (exit 0) or not (exit 3)
EOF
    exit "$code"
}

die() {
    echo "$name: $*" >&2
    exit 1
}

require_root() {
    [ "$(id -u)" -eq 0 ] || die "run as root (it moves $iface into a network namespace)"
}

# shellcheck source=scripts/lib/daemons.sh
source scripts/lib/daemons.sh

proxy_pid() { daemon_pid "$pidfile" arp-proxy; }

stop_proxy() { stop_daemon "$pidfile" arp-proxy; }

in_netns() { ip netns exec "$netns" "$@"; }

netns_exists() { [ -e "/run/netns/$netns" ]; }

link_in_netns() { netns_exists && in_netns ip link show dev "$iface" >/dev/null 2>&1; }

link_in_root() { ip link show dev "$iface" >/dev/null 2>&1; }

# Whether process $1 runs; a zombie does not.
# The pid of the proxy we started, if it still runs (and the pid was not reused by something else).
configured() {
    link_in_netns && in_netns ip -4 -o addr show dev "$iface" | grep -qF "inet $address "
}

start() {
    local pid bin
    require_root
    if pid=$(proxy_pid) && configured; then
        echo "$name: already running: arp-proxy pid $pid on $iface ($address) in netns $netns"
        return
    fi

    bin=$(locate_binary "${ARP_PROXY_BIN:-}" ARP_PROXY_BIN ArpProxy arp-proxy)
    if ! link_in_root && ! link_in_netns; then
        die "interface $iface does not exist (here or in netns $netns); create it first, e.g. scripts/create_interfaces.sh 8"
    fi

    netns_exists || ip netns add "$netns"
    link_in_root && ip link set dev "$iface" netns "$netns"
    in_netns ip link set dev lo up
    in_netns ip addr replace "$address" dev "$iface"
    in_netns ip link set dev "$iface" up
    in_netns ip route replace default dev "$iface" scope link

    stop_proxy
    mkdir -p "$state"
    # ip netns exec and nohup both exec, so $! is the proxy itself.
    ARP_PROXY_IF=$iface nohup ip netns exec "$netns" "$bin" --log-file "$log" </dev/null >/dev/null 2>&1 &
    echo $! >"$pidfile"
    sleep 0.5
    pid=$(proxy_pid) || die "arp-proxy exited at once; see $log"
    echo "$name: arp-proxy pid $pid answers ARP on $iface ($address) in netns $netns; log $log"
}

stop() {
    require_root
    stop_proxy
    if link_in_netns; then
        # Back to the namespace this script runs in; the move drops its addresses and takes it down.
        in_netns ip link set dev "$iface" netns "$$"
        ip link set dev "$iface" up
        echo "$name: $iface is back in this namespace"
    fi
    if netns_exists; then
        ip netns del "$netns"
        echo "$name: deleted netns $netns"
    fi
}

status() {
    local pid
    if pid=$(proxy_pid); then
        echo "$name: arp-proxy pid $pid runs on $iface in netns $netns"
    else
        echo "$name: arp-proxy is not running"
        exit 3
    fi
}

[ $# -le 1 ] || usage
case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    -h | --help) usage 0 ;;
    *)
        echo "$name: unknown command '$1'" >&2
        usage
        ;;
esac
