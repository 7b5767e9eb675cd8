#!/usr/bin/env bash
# Runs the node on this machine with the certificates of make gen-certs: SoftTarget with 8 TAP ports
# (scripts/create_interfaces.sh), the ARP proxy in netns pod0 on P4TAP_0 (scripts/arp_proxy.sh),
# inframanager (mTLS API on 127.0.0.1:50002) and infraagent (CNI endpoint on 127.0.0.1:50001).
# Ctrl-C, or "run-node.sh stop" from another shell, tears it all down.
set -euo pipefail
cd "$(dirname "$0")/.."

export CONFIGURATION=${CONFIGURATION:-Release}
certs=${CERTS_DIR:-certs/generated}
state=${K8S_STATE_DIR:-/run/k8sinfraoffload}
bin() { echo "$1/bin/$CONFIGURATION/net10.0/$2"; }
# The node's own IP is routed to the host interface (the DaemonSet takes it from status.hostIP).
node_ip=${NODE_IP:-$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')}
node_ip=${node_ip:-10.10.0.2}
store=${STORE_DIR:-/var/lib/cni/inframanager}

stop() {
    for name in infraagent inframanager; do
        if [ -f "$state/$name.pid" ]; then
            kill "$(cat "$state/$name.pid")" 2>/dev/null || true
            rm -f "$state/$name.pid"
        fi
    done
    scripts/arp_proxy.sh stop >/dev/null 2>&1 || true
    scripts/create_interfaces.sh stop >/dev/null 2>&1 || true
    # SoftTarget's TAPs are persistent (pods keep them across a restart of the target); a whole-node stop removes them.
    for link in /sys/class/net/P4TAP_*; do
        [ -e "$link/tun_flags" ] && ip link del dev "$(basename "$link")" 2>/dev/null || true
    done
}

if [ "${1:-}" = "stop" ]; then
    stop
    echo "stopped"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "run-node: run as root (it creates TAP interfaces and network namespaces)" >&2
    exit 1
fi

mkdir -p "$state"
stop
trap 'echo; echo "== stopping"; stop' EXIT INT TERM

echo "== SoftTarget: P4Runtime 127.0.0.1:9559, gNMI 127.0.0.1:9339 (mTLS), TAPs P4TAP_0..7; log /var/log/softtarget.log"
scripts/create_interfaces.sh 8
echo "== ARP proxy: netns pod0, P4TAP_0, 169.254.1.1/16; log /var/log/arp-proxy.log"
scripts/arp_proxy.sh start

log_start=$(stat -c %s /var/log/inframanager.log 2>/dev/null || echo 0)
echo "== inframanager: infra.InfraAgent API, mTLS, 127.0.0.1:50002; P4Runtime client of SoftTarget (mTLS); node IP $node_ip;"
echo "   desired state in $store (replayed into the new SoftTarget); metrics http://127.0.0.1:50098/metrics; log /var/log/inframanager.log"
"$(bin InfraManager inframanager)" \
    --server-cert "$certs/inframanager/server/tls.crt" --server-key "$certs/inframanager/server/tls.key" \
    --ca-cert "$certs/inframanager/server/ca.crt" \
    --client-cert "$certs/inframanager/client/tls.crt" --client-key "$certs/inframanager/client/tls.key" \
    --p4runtime-ca-cert "$certs/inframanager/client/ca.crt" --gnmi-ca-cert "$certs/inframanager/client/ca.crt" \
    --p4info k8s_dp/p4Info.txt --p4bin k8s_dp/build/k8s_dp.pb.bin \
    --node-ip "$node_ip" --store-dir "$store" \
    --log-file /var/log/inframanager.log >/dev/null &
echo $! >"$state/inframanager.pid"

echo "== infraagent: CNI endpoint for Calico, 127.0.0.1:50001; log /var/log/infraagent/infraagent.log"
"$(bin InfraAgent infraagent)" --clientCert "$certs/infraagent/client/tls.crt" --clientKey "$certs/infraagent/client/tls.key" \
    --caCert "$certs/infraagent/client/ca.crt" >/dev/null &
echo $! >"$state/infraagent.pid"

for _ in $(seq 150); do
    tail -c +"$((log_start + 1))" /var/log/inframanager.log 2>/dev/null | grep -q "API listening" && break
    sleep 0.2
done
for name in inframanager infraagent; do
    if ! kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then
        echo "run-node: $name did not start; see its log" >&2
        exit 1
    fi
done

cat <<MSG

The node is up. To look at it:
  $(bin SoftTarget softtarget) dump --conn mtls --client-cert $certs/infrap4d/client.crt \\
      --client-key $certs/infrap4d/client.key --ca-cert $certs/infrap4d/ca.crt   # tables and port counters
  ip -br link | grep P4TAP_                        # the TAP ports
  ip netns exec pod0 ip -4 addr show P4TAP_0       # the ARP proxy's side
  tail -f /var/log/inframanager.log /var/log/softtarget.log /var/log/arp-proxy.log
The manager has loaded k8s_dp into SoftTarget and written the gateway ARP rule and whatever its store
holds (see the dump); curl -s 127.0.0.1:50098/metrics | grep inframanager_ shows its requests and
table occupancy. Pods through the agent's CNI API join this run with the agent's issue.
Ctrl-C (or make stop from another shell) stops everything.
MSG
wait
