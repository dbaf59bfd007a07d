#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server, then stops the server and deletes it:
#
#   scripts/with-postgres.sh npm test
#   scripts/with-postgres.sh bash          # a shell with DATABASE_URL set
#
# The server listens on 127.0.0.1 on a free port (never assumes 5432), with a password (so that
# the tests exercise real authentication and password redaction), fsync off (tests only: never
# use this cluster for data you keep; WITH_POSTGRES_DURABLE=1 keeps fsync on, for benchmarks).
# TLS is on too (a CA and a server certificate for 127.0.0.1 made here with openssl), for the tests
# that connect with sslmode=verify-full; clients that ask for no TLS connect without it, as before.
# Installs Debian's `postgresql` when `initdb` is missing, and `openssl` when it is missing.
# Exports DATABASE_URL to the command, and DATABASE_TLS_DIR: ca.pem (the CA that signed the
# server's certificate) and other-ca.pem (a CA that signed nothing of this server's). Needs root or the `postgres` user (PostgreSQL refuses to
# run as root, so the server runs as `postgres`).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args…]   (runs the command with DATABASE_URL set)" >&2
  exit 2
fi

find_bin() {
  local name="$1"
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$found" ] && echo "$found"
}

INITDB=$(find_bin initdb || true)
if [ -z "$INITDB" ]; then
  echo "with-postgres: initdb not found; installing Debian's postgresql (about 45 s)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  INITDB=$(find_bin initdb)
fi
PG_CTL=$(find_bin pg_ctl)
if ! command -v openssl >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "with-postgres: openssl not found; installing Debian's openssl (for the TLS tests)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >&2
fi

# Run server commands as `postgres` when we are root; as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    # From / : the caller's directory may be closed to `postgres` (a mktemp clone), and every path here is absolute.
    if command -v runuser >/dev/null 2>&1; then (cd / && runuser -u postgres -- "$@"); else (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")"); fi
  else
    "$@"
  fi
}

DIR=$(mktemp -d -t credly-pg.XXXXXX)
chmod 755 "$DIR"
[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres "$DIR/pwfile"
chmod 600 "$DIR/pwfile"

PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})")

stop() {
  as_pg "$PG_CTL" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT INT TERM

as_pg "$INITDB" -D "$DIR/data" -U postgres --pwfile="$DIR/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
rm -f "$DIR/pwfile"
SETTINGS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${WITH_POSTGRES_DURABLE:-}" = "1" ] && SETTINGS=""

# TLS: a CA of our own, a server certificate it signs for 127.0.0.1, and a second CA that signed
# nothing here (what a client trusting the wrong CA sees). EC P-256 keys: made in milliseconds.
if command -v openssl >/dev/null 2>&1; then
  TLS="$DIR/tls"
  mkdir -p "$TLS"
  newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${newkey[@]}" -days 2 -subj "/CN=credly-microcredentials test CA" -keyout "$TLS/ca.key" -out "$TLS/ca.pem" 2>/dev/null
  openssl req -x509 "${newkey[@]}" -days 2 -subj "/CN=another test CA" -keyout "$TLS/other-ca.key" -out "$TLS/other-ca.pem" 2>/dev/null
  openssl req "${newkey[@]}" -subj "/CN=127.0.0.1" -keyout "$TLS/server.key" -out "$TLS/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$TLS/server.ext"
  openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -set_serial 1 -days 2 -extfile "$TLS/server.ext" -out "$TLS/server.pem" 2>/dev/null
  rm -f "$TLS/ca.key" "$TLS/other-ca.key" "$TLS/server.csr" "$TLS/server.ext"
  # PostgreSQL reads its key only if the server's user owns it and no one else can.
  [ "$(id -u)" -eq 0 ] && chown postgres "$TLS/server.key" "$TLS/server.pem"
  chmod 600 "$TLS/server.key"
  SETTINGS="$SETTINGS -c ssl=on -c ssl_cert_file=$TLS/server.pem -c ssl_key_file=$TLS/server.key"
  export DATABASE_TLS_DIR="$TLS"
else
  echo "with-postgres: openssl not found: TLS is off, and the TLS tests are skipped" >&2
fi
as_pg "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -w start \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200 $SETTINGS" \
  >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres:${PASSWORD}@127.0.0.1:${PORT}/postgres"
echo "with-postgres: PostgreSQL on 127.0.0.1:${PORT}${DATABASE_TLS_DIR:+ (TLS on)} (data in $DIR, removed at exit)" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
