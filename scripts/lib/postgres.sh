# Sourced by scripts/test and scripts/bench: starts a private PostgreSQL
# cluster on loopback in a temporary folder, exports MINIBOT_TEST_POSTGRES_URL
# (a superuser, so tests can create databases) and stops it on exit.

start_private_postgres() {
    local pg_bin
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$pg_bin/initdb" ] || { echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; return 1; }
    PG_DIR=$(mktemp -d /tmp/minibot-pg.XXXXXX)
    PG_BIN=$pg_bin
    PG_AS=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PG_DIR"
        PG_AS=(runuser -u postgres --)
    fi
    trap stop_private_postgres EXIT
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "minibot" > "$PG_DIR/password"
    "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U minibot --pwfile="$PG_DIR/password" \
        --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=200 ${PG_EXTRA_OPTIONS:-}" start >/dev/null \
        || { cat "$PG_DIR/server.log" >&2; return 1; }
    export MINIBOT_TEST_POSTGRES_URL="postgres://minibot:minibot@127.0.0.1:$port/postgres?sslmode=disable"
    echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (private, removed on exit)" >&2
}

stop_private_postgres() {
    [ -n "${PG_DIR:-}" ] || return 0
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
