# Process helpers for the node scripts (sourced; expects $name and die() from the caller).

# alive PID: the process runs and is not a zombie.
alive() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]
}

# daemon_pid PIDFILE PATTERN: the pid in PIDFILE if that process still runs and its command line
# contains PATTERN (so a reused pid is not taken for ours).
daemon_pid() {
    local pid
    [ -f "$1" ] || return 1
    pid=$(cat "$1")
    [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
    echo "$pid"
}

# stop_daemon PIDFILE PATTERN [NOTE]: SIGTERM, up to 5 s, then SIGKILL; says "stopped PATTERN (pid N)NOTE".
stop_daemon() {
    local pid
    if pid=$(daemon_pid "$1" "$2"); then
        kill "$pid"
        for _ in $(seq 50); do
            alive "$pid" || break
            sleep 0.1
        done
        alive "$pid" && kill -KILL "$pid"
        echo "$name: stopped $2 (pid $pid)${3:-}"
    fi
    rm -f "$1"
}

# locate_binary OVERRIDE ENV_NAME PROJECT_DIR BINARY: $OVERRIDE if set, else the newest-configuration
# build output of PROJECT_DIR, else out/BINARY/BINARY (make publish).
locate_binary() {
    local override=$1 env_name=$2 project=$3 binary=$4 candidate
    if [ -n "$override" ]; then
        [ -x "$override" ] || die "$env_name=$override is not an executable file"
        echo "$override"
        return 0
    fi
    for candidate in "$project/bin/${CONFIGURATION:-Release}/net10.0/$binary" "$project/bin/Release/net10.0/$binary" \
        "$project/bin/Debug/net10.0/$binary" "out/$binary/$binary"; do
        if [ -x "$candidate" ]; then
            echo "$PWD/$candidate"
            return 0
        fi
    done
    die "$binary is not built; run make build (or set $env_name)"
}
