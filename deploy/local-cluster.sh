#!/usr/bin/env bash
# A local kvserve cluster behind nginx, all on 127.0.0.1, sharing one state directory:
#   deploy/local-cluster.sh up N PORT STATE_DIR     N replicas on PORT+1..PORT+N, nginx on PORT
#   deploy/local-cluster.sh down STATE_DIR          stops what `up` started (by its pid files)
#   deploy/local-cluster.sh start-replica STATE_DIR I   (re)starts replica I (1..N), e.g. after a crash
# The model is KVSERVE_MODEL (a path or catalog name) or kvserve's default; every other
# KVSERVE_* setting in the environment reaches the replicas as usual (e.g. KVSERVE_THREADS=1
# when several replicas share few cores). The binary is KVSERVE_BIN, else .build/release/kvserve
# (built when missing). nginx is installed from Debian when missing. Logs and pid files go to
# STATE_DIR/.cluster/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

usage() {
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

ensure_nginx() {
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] && return 0
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "installing nginx from Debian" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx >/dev/null
}

nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

kvserve_bin() {
    local bin="${KVSERVE_BIN:-$root/.build/release/kvserve}"
    if [ ! -x "$bin" ]; then
        echo "building kvserve (release)" >&2
        (cd "$root" && swift build -c release --product kvserve >&2)
    fi
    echo "$bin"
}

wait_health() {  # port, seconds[, pid whose exit ends the wait, log to show]
    local deadline=$((SECONDS + $2))
    until curl -sf -o /dev/null "http://127.0.0.1:$1/health"; do
        [ $SECONDS -lt $deadline ] || { echo "nothing healthy on port $1 after $2 s" >&2; return 1; }
        if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
            echo "the process for port $1 exited:" >&2
            tail -n 20 "$4" >&2
            return 1
        fi
        sleep 0.2
    done
}

# Call as `spawn CMD... &`: runs CMD in that background shell with only descriptors 0-2
# (redirect them at the call), so a replica or nginx keeps no pipe of whoever ran this script.
spawn() {
    for fd in /proc/$BASHPID/fd/*; do
        fd="${fd##*/}"
        if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec "$@"
}

start_replica() {  # state_dir, index
    local state="$1" i="$2" run="$1/.cluster"
    # shellcheck source=/dev/null
    . "$run/cluster.env"
    local model=()
    [ -z "${KVSERVE_MODEL:-}" ] || model=(--model "$KVSERVE_MODEL")
    spawn env -u KVSERVE_CONFIG "$KVSERVE_BIN_PATH" serve "${model[@]}" --host 127.0.0.1 --port $((PORT + i)) \
        --state-dir "$state" --replica-id "replica-$i" </dev/null >>"$run/replica-$i.log" 2>&1 &
    echo $! >"$run/replica-$i.pid"
    wait_health $((PORT + i)) 180 $! "$run/replica-$i.log"
}

render_nginx() {  # run dir, N, PORT
    local run="$1" n="$2" port="$3" servers=""
    for i in $(seq 1 "$n"); do
        servers+="    server 127.0.0.1:$((port + i)) max_fails=1 fail_timeout=5s;\n"
    done
    # The repository's upstream servers and listen address, replaced by this cluster's.
    sed -e '/^    server 127\.0\.0\.1:[0-9]* /d' \
        -e "s|^\(    hash .*\)$|\1\n${servers%\\n}|" \
        -e "s|listen 127\.0\.0\.1:[0-9]*;|listen 127.0.0.1:$port;|" \
        "$root/deploy/nginx/kvserve.conf" >"$run/kvserve.conf"
    cat >"$run/nginx.conf" <<CONF
user $(id -un) $(id -gn);
worker_processes 1;
pid $run/nginx.pid;
error_log $run/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $run/tmp/body;
    proxy_temp_path $run/tmp/proxy;
    fastcgi_temp_path $run/tmp/fastcgi;
    uwsgi_temp_path $run/tmp/uwsgi;
    scgi_temp_path $run/tmp/scgi;
    include $run/kvserve.conf;
}
CONF
}

up() {
    [ $# -eq 3 ] || usage
    local n="$1" port="$2" state="$3"
    [[ "$n" =~ ^[1-9][0-9]*$ && "$port" =~ ^[0-9]+$ ]] || usage
    mkdir -p "$state/.cluster/tmp"
    state="$(cd "$state" && pwd)"
    local run="$state/.cluster"
    ensure_nginx
    printf 'N=%s\nPORT=%s\nKVSERVE_BIN_PATH=%q\n' "$n" "$port" "$(kvserve_bin)" >"$run/cluster.env"
    for i in $(seq 1 "$n"); do start_replica "$state" "$i"; done
    render_nginx "$run" "$n" "$port"
    spawn "$(nginx_bin)" -p "$run" -e "$run/nginx-error.log" -c "$run/nginx.conf" </dev/null >/dev/null 2>>"$run/nginx-error.log" &
    wait $! || { tail -n 20 "$run/nginx-error.log" >&2; return 1; }
    wait_health "$port" 30
    echo "kvserve: $n replicas on 127.0.0.1:$((port + 1))-$((port + n)), nginx on 127.0.0.1:$port, state in $state"
}

stop_pid() {  # pid file
    [ -f "$1" ] || return 0
    local pid
    pid="$(cat "$1")"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

down() {
    [ $# -eq 1 ] || usage
    local run="$1/.cluster"
    [ -d "$run" ] || { echo "no cluster in $1" >&2; return 0; }
    stop_pid "$run/nginx.pid"
    for pidfile in "$run"/replica-*.pid; do [ -e "$pidfile" ] && stop_pid "$pidfile"; done
    echo "kvserve cluster in $1 stopped"
}

case "${1:-}" in
    up) shift; up "$@" ;;
    down) shift; down "$@" ;;
    start-replica)
        [ $# -eq 3 ] || usage
        state="$(cd "$2" && pwd)"
        start_replica "$state" "$3" ;;
    *) usage ;;
esac
