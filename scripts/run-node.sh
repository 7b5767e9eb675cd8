#!/usr/bin/env bash
# Runs a whole node on this machine with the certificates of make gen-certs, and a demo on it:
#   SoftTarget with 8 TAP ports (scripts/create_interfaces.sh), the ARP proxy in netns pod0 on P4TAP_0
#   (scripts/arp_proxy.sh), inframanager (mTLS API on 127.0.0.1:50002), the Kubernetes API stand-in
#   (kube-standin on 127.0.0.1:6443, fed from deploy/demo/services.yaml and a Node), infraagent (CNI
#   endpoint 127.0.0.1:50001, watching the stand-in), then pods made through the agent's CNI API exactly
#   as Calico's plugin makes them (podctl), with servers in the Services' backends, a ping and a call
#   through each Service's ClusterIP.
# Ctrl-C, or "run-node.sh stop" (make stop) from another shell, tears it all down: pods through CNI DEL,
# their namespaces, the daemons, the TAPs and the files of the run.
#
# Environment (defaults in brackets), so that several nodes (tests) can run side by side:
#   DEMO [1]: 0 starts the daemons and the stand-in only, no pods
#   DEMO_SERVICES [deploy/demo/services.yaml]   copied to $K8S_STATE_DIR/services.yaml, which is watched
#   K8S_STATE_DIR [/run/k8sinfraoffload]   pid files, kubeconfig, the manager's store, the agent's cache
#   LOG_DIR [/var/log]   TAP_PREFIX [P4TAP_]   ARP_PROXY_NETNS [pod0]   POD_PREFIX [] (pods' netns names)
#   P4RUNTIME_PORT [9559]   GNMI_PORT [9339]   MANAGER_PORT [50002]   MANAGER_METRICS_PORT [50098]
#   CNI_PORT [50001]   AGENT_HEALTH_PORT [50096]   KUBE_API_PORT [6443]
#   NODE_NAME [host name]   NODE_IP [first global IPv4]   CERTS_DIR [certs/generated]
#   INFRAMANAGER_BIN INFRAAGENT_BIN KUBE_STANDIN_BIN PODCTL_BIN (and SOFTTARGET_BIN, ARP_PROXY_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s%N)

name=run-node
die() {
    echo "$name: $*" >&2
    exit 1
}
# shellcheck source=scripts/lib/daemons.sh
source scripts/lib/daemons.sh

export CONFIGURATION=${CONFIGURATION:-Release}
export CERTS_DIR=${CERTS_DIR:-certs/generated}
export K8S_STATE_DIR=${K8S_STATE_DIR:-/run/k8sinfraoffload}
export TAP_PREFIX=${TAP_PREFIX:-P4TAP_}
export ARP_PROXY_IF=${TAP_PREFIX}0
export ARP_PROXY_NETNS=${ARP_PROXY_NETNS:-pod0}
log_dir=${LOG_DIR:-/var/log}
export SOFTTARGET_LOG=$log_dir/softtarget.log
export ARP_PROXY_LOG=$log_dir/arp-proxy.log
certs=$(realpath -m "$CERTS_DIR")
state=$K8S_STATE_DIR
manager_log=$log_dir/inframanager.log
agent_log=$log_dir/infraagent/infraagent.log
standin_log=$log_dir/kube-standin.log
p4runtime_port=${P4RUNTIME_PORT:-9559}
gnmi_port=${GNMI_PORT:-9339}
manager_port=${MANAGER_PORT:-50002}
metrics_addr=127.0.0.1:${MANAGER_METRICS_PORT:-50098}
cni_addr=127.0.0.1:${CNI_PORT:-50001}
health_addr=127.0.0.1:${AGENT_HEALTH_PORT:-50096}
kube_addr=127.0.0.1:${KUBE_API_PORT:-6443}
export SOFTTARGET_ARGS="--addr 127.0.0.1:$p4runtime_port --gnmi-addr 127.0.0.1:$gnmi_port"
pod_prefix=${POD_PREFIX:-}
node_name=${NODE_NAME:-$(hostname)}
# The node's own IP is routed to the host interface (the DaemonSet takes it from status.hostIP).
node_ip=${NODE_IP:-$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')}
node_ip=${node_ip:-10.10.0.2}
# What kubeadm would give this node; the agent reads them from the Node and kube-controller-manager objects.
cluster_cidr=10.244.0.0/16
pod_cidr=10.244.0.0/24
service_cidr=10.96.0.0/12
# The demo's pods: name, the address host-local IPAM would give it, a label. The EndpointSlices of
# deploy/demo/services.yaml name the web-* addresses.
pods=("web-1 10.244.0.11/24 app=web" "web-2 10.244.0.12/24 app=web" "web-3 10.244.0.13/24 app=web" "client 10.244.0.20/24 app=client")
# Run-scoped files: removed by stop.
store=$state/inframanager
agent_cache=$state/infraagent
kubeconfig=$state/kubeconfig

podctl_bin() { locate_binary "${PODCTL_BIN:-}" PODCTL_BIN PodCtl podctl; }

# Pods first (CNI DEL needs the agent and the manager), then the daemons, the target, the TAPs, the files.
stop() {
    local pod netns pids podctl
    mkdir -p "$state"
    exec 9>"$state/stop.lock"
    flock 9
    if [ -f "$state/pods" ]; then
        # Empty when podctl is not built: the namespaces are then just removed.
        podctl=$(podctl_bin 2>/dev/null || true)
        while read -r pod netns; do
            if [ -e "/run/netns/$netns" ]; then
                # The pod's processes go first, as the runtime stops the containers before the sandbox.
                pids=$(ip netns pids "$netns" 2>/dev/null | tr '\n' ' ')
                if [ -n "$pids" ]; then
                    # shellcheck disable=SC2086
                    kill $pids 2>/dev/null || true
                fi
                if [ -z "$podctl" ] || ! "$podctl" del "$pod" --netns "$netns" --cni "$cni_addr"; then
                    ip netns del "$netns" 2>/dev/null && echo "$name: removed netns $netns (without CNI DEL)"
                fi
            fi
        done <"$state/pods"
        rm -f "$state/pods"
    fi
    stop_daemon "$state/infraagent.pid" infraagent
    stop_daemon "$state/inframanager.pid" inframanager
    stop_daemon "$state/kube-standin.pid" kube-standin
    scripts/arp_proxy.sh stop 2>/dev/null | grep -v '^$' || true
    scripts/create_interfaces.sh stop 2>/dev/null || true
    # SoftTarget's TAPs are persistent (pods keep them across a restart of the target); a whole-node stop removes them.
    local link removed=0
    for link in /sys/class/net/"$TAP_PREFIX"[0-9]*; do
        if [ -e "$link/tun_flags" ] && ip link del dev "$(basename "$link")" 2>/dev/null; then
            removed=$((removed + 1))
        fi
    done
    [ "$removed" -eq 0 ] || echo "$name: deleted $removed TAPs ${TAP_PREFIX}*"
    rm -rf "$store" "$agent_cache" "$kubeconfig" "$state/node.yaml" "$state/services.yaml"
    rm -f "$state/stop.lock"
    flock -u 9
    exec 9>&-
    rmdir "$state" 2>/dev/null || true
}

if [ "${1:-}" = "stop" ]; then
    [ "$(id -u)" -eq 0 ] || die "run as root"
    stop
    echo "stopped"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root (it creates TAP interfaces and network namespaces)"

# The daemons an operator installs: the Native AOT executables of make publish, when they are there.
if [ -z "${INFRAMANAGER_BIN:-}" ] && [ -x out/inframanager/inframanager ]; then
    INFRAMANAGER_BIN=$PWD/out/inframanager/inframanager
fi
if [ -z "${INFRAAGENT_BIN:-}" ] && [ -x out/infraagent/infraagent ]; then
    INFRAAGENT_BIN=$PWD/out/infraagent/infraagent
fi
inframanager=$(locate_binary "${INFRAMANAGER_BIN:-}" INFRAMANAGER_BIN InfraManager inframanager)
infraagent=$(locate_binary "${INFRAAGENT_BIN:-}" INFRAAGENT_BIN InfraAgent infraagent)
standin=$(locate_binary "${KUBE_STANDIN_BIN:-}" KUBE_STANDIN_BIN KubeApiStandin kube-standin)
podctl=$(podctl_bin)
softtarget=$(locate_binary "${SOFTTARGET_BIN:-}" SOFTTARGET_BIN SoftTarget softtarget)
demo_services=${DEMO_SERVICES:-deploy/demo/services.yaml}
[ -f "$demo_services" ] || die "no $demo_services"

stop >/dev/null
mkdir -p "$state" "$log_dir/infraagent"
trap 'exit 130' INT TERM
on_exit() {
    local status=$?
    echo
    echo "== stopping"
    stop
    echo "stopped"
    exit "$status"
}
trap on_exit EXIT

# wait_for_log FILE OFFSET TEXT PIDFILE WHAT: until FILE shows TEXT past OFFSET, while the daemon runs (60 s at most).
wait_for_log() {
    for _ in $(seq 300); do
        tail -c +"$(($2 + 1))" "$1" 2>/dev/null | grep -qF -- "$3" && return
        alive "$(cat "$4")" || die "$5 exited; see $1"
        sleep 0.2
    done
    die "$5 did not say '$3' in 60 s; see $1"
}
# step TEXT: a step's header, with the seconds since the start.
step() { echo "== [$(elapsed) s] $*"; }
log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
elapsed() { awk -v ns=$(($(date +%s%N) - started)) 'BEGIN { printf "%.1f", ns / 1e9 }'; }

step "SoftTarget: P4Runtime 127.0.0.1:$p4runtime_port, gNMI 127.0.0.1:$gnmi_port (mTLS), TAPs ${TAP_PREFIX}0..7; log $SOFTTARGET_LOG"
SOFTTARGET_BIN=$softtarget setsid scripts/create_interfaces.sh 8
step "ARP proxy: netns $ARP_PROXY_NETNS, ${TAP_PREFIX}0, 169.254.1.1/16 (the pods' gateway); log $ARP_PROXY_LOG"
setsid scripts/arp_proxy.sh start

offset=$(log_size "$manager_log")
step "inframanager: infra.InfraAgent API, mTLS, 127.0.0.1:$manager_port; P4Runtime client of SoftTarget (mTLS); node IP $node_ip;"
echo "   desired state in $store; metrics http://$metrics_addr/metrics; log $manager_log"
setsid "$inframanager" \
    --addr "127.0.0.1:$manager_port" --metrics-addr "$metrics_addr" \
    --server-cert "$certs/inframanager/server/tls.crt" --server-key "$certs/inframanager/server/tls.key" \
    --ca-cert "$certs/inframanager/server/ca.crt" \
    --client-cert "$certs/inframanager/client/tls.crt" --client-key "$certs/inframanager/client/tls.key" \
    --p4runtime-addr "localhost:$p4runtime_port" --gnmi-addr "localhost:$gnmi_port" \
    --p4runtime-ca-cert "$certs/inframanager/client/ca.crt" --gnmi-ca-cert "$certs/inframanager/client/ca.crt" \
    --p4info k8s_dp/p4Info.txt --p4bin k8s_dp/build/k8s_dp.pb.bin \
    --node-ip "$node_ip" --store-dir "$store" \
    --log-file "$manager_log" </dev/null >/dev/null 2>&1 &
echo $! >"$state/inframanager.pid"
wait_for_log "$manager_log" "$offset" "API listening" "$state/inframanager.pid" inframanager

# The Node and the static kube-controller-manager pod kubeadm would have made: the agent reads the
# node's InternalIP and podCIDR, and the cluster CIDR from the controller manager's flags.
cat >"$state/node.yaml" <<YAML
apiVersion: v1
kind: Node
metadata: {name: $node_name, labels: {kubernetes.io/hostname: $node_name, kubernetes.io/os: linux}}
spec: {podCIDR: $pod_cidr, podCIDRs: [$pod_cidr]}
status:
  addresses:
  - {type: InternalIP, address: $node_ip}
  - {type: Hostname, address: $node_name}
---
apiVersion: v1
kind: Pod
metadata: {name: kube-controller-manager-$node_name, namespace: kube-system, labels: {component: kube-controller-manager, tier: control-plane}}
spec:
  nodeName: $node_name
  containers:
  - name: kube-controller-manager
    image: registry.k8s.io/kube-controller-manager:v1.31.0
    command: [kube-controller-manager, --allocate-node-cidrs=true, --cluster-cidr=$cluster_cidr, --service-cluster-ip-range=$service_cidr]
YAML
cp "$demo_services" "$state/services.yaml"
offset=$(log_size "$standin_log")
step "Kubernetes API stand-in: http://$kube_addr, list and watch; kubeconfig $kubeconfig; log $standin_log"
echo "   objects from $state/services.yaml (Services, EndpointSlices; edit it and they change) and $state/node.yaml"
setsid "$standin" --listen "$kube_addr" --kubeconfig "$kubeconfig" --file "$state/node.yaml" --file "$state/services.yaml" \
    </dev/null >>"$standin_log" 2>&1 &
echo $! >"$state/kube-standin.pid"
wait_for_log "$standin_log" "$offset" "serving the Kubernetes API" "$state/kube-standin.pid" kube-standin

offset=$(log_size "$agent_log")
step "infraagent: CNI endpoint for Calico, $cni_addr; node $node_name, Services from the stand-in; log $agent_log"
setsid "$infraagent" --tapPrefix "$TAP_PREFIX" --cacheDir "$agent_cache" --cniAddr "$cni_addr" --healthAddr "$health_addr" \
    --managerAddr 127.0.0.1 --managerPort "$manager_port" \
    --clientCert "$certs/infraagent/client/tls.crt" --clientKey "$certs/infraagent/client/tls.key" \
    --caCert "$certs/infraagent/client/ca.crt" \
    --kubeconfig "$kubeconfig" --nodeName "$node_name" --logFile "$agent_log" </dev/null >/dev/null 2>&1 &
echo $! >"$state/infraagent.pid"
wait_for_log "$agent_log" "$offset" "CNI pod interfaces" "$state/infraagent.pid" infraagent
grep -a "CNI pod interfaces\|Node network" <(tail -c +"$((offset + 1))" "$agent_log") | sed 's/^.*\] /   /' || true

softtarget_dump="$softtarget dump --addr 127.0.0.1:$p4runtime_port --conn mtls --client-cert $certs/infrap4d/client.crt --client-key $certs/infrap4d/client.key --ca-cert $certs/infrap4d/ca.crt"
if [ "${DEMO:-1}" = 0 ]; then
    echo
    echo "The node is up ($(elapsed) s), without pods (DEMO=0): make some with"
    echo "  $podctl add web-1 10.244.0.11/24 --cni $cni_addr     # and: $podctl del web-1 --cni $cni_addr"
    echo "Ctrl-C (or make stop from another shell) stops everything."
    wait
    exit 0
fi

step "pods, made as kubelet and Calico's CNI plugin make them: a netns, then cni.AddRequest to $cni_addr (podctl)"
for spec in "${pods[@]}"; do
    read -r pod address label <<<"$spec"
    echo "$pod $pod_prefix$pod" >>"$state/pods"
    "$podctl" add "$pod" "$address" --netns "$pod_prefix$pod" --cni "$cni_addr" --node "$node_name" --label "$label" |
        sed 's/^podctl: /   /'
done

# serve NETNS COMMAND...: a server in a pod, stopped with the pod.
serve() { setsid ip netns exec "$@" </dev/null >/dev/null 2>&1 & }
step "servers in the backends: TCP 8080 and UDP 5353 answer the pod's name; iperf3 -s on 5201"
for spec in "${pods[@]}"; do
    read -r pod _ label <<<"$spec"
    [ "$label" = app=web ] || continue
    serve "$pod_prefix$pod" socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"echo $pod"
    serve "$pod_prefix$pod" socat UDP-RECVFROM:5353,fork SYSTEM:"echo $pod"
    serve "$pod_prefix$pod" iperf3 -s -p 5201
done

client=${pod_prefix}client
in_client() { ip netns exec "$client" "$@"; }
step "ping: client (10.244.0.20) -> web-1 (10.244.0.11), through SoftTarget"
first_ping=
for _ in $(seq 60); do
    if in_client ping -c 1 -W 1 10.244.0.11 >/dev/null 2>&1; then
        first_ping=$(elapsed)
        break
    fi
done
[ -n "$first_ping" ] || die "client cannot ping web-1; see the logs"
in_client ping -c 3 -i 0.2 -W 1 10.244.0.11 | sed -n 's/^/   /; /bytes from\|packet loss/p' || die "client cannot ping web-1"
echo "   first successful ping ${first_ping} s after run-node.sh started"

# call VIP PORT PROTO: what the Service answers (a backend's name), empty when nothing answers.
call() { in_client socat -T 1 - "$3:$1:$2" 2>/dev/null <<<"" | head -n 1 || true; }
for svc in "web 10.96.0.100 80 TCP" "whoami-udp 10.96.0.101 53 UDP"; do
    read -r service vip port proto <<<"$svc"
    step "Service $service $vip:$port/$proto: the agent programmed it from the stand-in; 6 calls from client"
    for _ in $(seq 60); do
        [ -n "$(call "$vip" "$port" "$proto")" ] && break
        sleep 0.5
    done
    answers=()
    for _ in $(seq 6); do
        answer=$(call "$vip" "$port" "$proto")
        answers+=("${answer:-(no answer)}")
    done
    echo "   answered by: ${answers[*]}"
done

cat <<MSG

The node is up: 4 pods, 3 Services ($(elapsed) s). To poke at it:
  ip netns exec ${client} ping 10.244.0.12                        # pod to pod
  ip netns exec ${client} nc 10.96.0.100 80                       # Service web (ClusterIP) -> web-1..3
  echo hi | ip netns exec ${client} nc -u -w1 10.96.0.101 53      # Service whoami-udp -> web-1, web-2
  ip netns exec ${client} iperf3 -c 10.96.0.102 -t 5              # Service iperf -> web-1, through SoftTarget
  ip netns exec ${pod_prefix}web-1 bash                              # a shell in a pod (ip addr, ip route)
  $softtarget_dump   # tables, port counters
  $podctl add web-4 10.244.0.14/24 --netns ${pod_prefix}web-4 --cni $cni_addr   # one more pod
  \$EDITOR $state/services.yaml     # add web-4 to the web EndpointSlice, drop one: reprogrammed on save
  tail -f $log_dir/infraagent/infraagent.log $manager_log $standin_log $SOFTTARGET_LOG
  curl -s http://$metrics_addr/metrics | grep inframanager_table_entries
Ctrl-C (or make stop from another shell) deletes the pods through CNI DEL and stops everything.
MSG
wait
