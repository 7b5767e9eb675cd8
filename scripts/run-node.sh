#!/usr/bin/env bash
# Runs the node's daemons on this machine with the certificates of make gen-certs:
# inframanager (mTLS API on 127.0.0.1:50002) and infraagent (CNI endpoint on 127.0.0.1:50001).
# "run-node.sh stop" stops what an earlier run left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

configuration=${CONFIGURATION:-Release}
certs=${CERTS_DIR:-certs/generated}
state=/run/k8sinfraoffload
bin() { echo "$1/bin/$configuration/net10.0/$2"; }

stop() {
    for name in infraagent inframanager; do
        if [ -f "$state/$name.pid" ]; then
            kill "$(cat "$state/$name.pid")" 2>/dev/null || true
            rm -f "$state/$name.pid"
        fi
    done
}

if [ "${1:-}" = "stop" ]; then
    stop
    echo "stopped"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "run-node: run as root (the daemons write /var/log and later own network namespaces)" >&2
    exit 1
fi

mkdir -p "$state"
stop
trap 'echo; echo "stopping"; stop' EXIT INT TERM

echo "== inframanager: infra.InfraAgent API, mTLS, 127.0.0.1:50002; log /var/log/inframanager.log"
"$(bin InfraManager inframanager)" \
    --server-cert "$certs/inframanager/server/tls.crt" --server-key "$certs/inframanager/server/tls.key" \
    --ca-cert "$certs/inframanager/server/ca.crt" --log-file /var/log/inframanager.log >/dev/null &
echo $! >"$state/inframanager.pid"

echo "== infraagent: CNI endpoint for Calico, 127.0.0.1:50001; log /var/log/infraagent/infraagent.log"
"$(bin InfraAgent infraagent)" --clientCert "$certs/infraagent/client/tls.crt" --clientKey "$certs/infraagent/client/tls.key" \
    --caCert "$certs/infraagent/client/ca.crt" >/dev/null &
echo $! >"$state/infraagent.pid"

sleep 2
for name in inframanager infraagent; do
    if ! kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then
        echo "run-node: $name did not start; see its log" >&2
        exit 1
    fi
done

cat <<MSG

Both daemons are up. To look at them:
  tail -f /var/log/inframanager.log
  ss -ltnp | grep -E ':5000[12]'
The software P4 target, the ARP proxy and pods join this run as their issues land.
Ctrl-C (or make stop from another shell) stops everything.
MSG
wait
