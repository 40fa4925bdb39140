# Sourced by scripts/test and scripts/load: a throwaway PostgreSQL cluster on a free loopback port
# (shared/notes/rust-stack.md §3, option A). pg_start sets PG_URL; pg_stop stops the cluster and
# removes its directory. The caller calls pg_stop from an EXIT trap, so every exit path stops it.
#   pg_available  -> true when Debian's PostgreSQL server binaries are installed
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
pg_available() { [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ]; }
PG_DIR=
PG_URL=
pg_as() {  # initdb and pg_ctl refuse to run as root: run them as the postgres user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_start() {
  local bin port
  bin=$(pg_bin)
  PG_DIR=$(mktemp -d /tmp/cramp-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_as "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # fsync stays on (the default): the durability test kills the server, not PostgreSQL, but the
  # write benchmark should measure durable commits.
  pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/pg.log" -w \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null \
    || { cat "$PG_DIR/pg.log" >&2; return 1; }
  pg_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres cramp_test
  PG_URL="postgres://postgres@127.0.0.1:$port/cramp_test"
}
pg_stop() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    pg_as "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
  PG_DIR=
}
