#!/bin/sh
# The part of the official postgres image's entrypoint that docker-compose.yml relies on. On the
# first start of an empty $PGDATA: initdb with POSTGRES_USER (default postgres) and
# POSTGRES_PASSWORD (required), trust on the socket and loopback, scram-sha-256 from anywhere
# else; create POSTGRES_DB (default: POSTGRES_USER); run /docker-entrypoint-initdb.d/*.sql
# (psql, ON_ERROR_STOP, as POSTGRES_USER in POSTGRES_DB) and *.sh, in name order, while the
# server listens on its socket only. Then the server, listening on every address.
set -eu

if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_USER:=postgres}"
    : "${POSTGRES_DB:=$POSTGRES_USER}"
    export POSTGRES_USER POSTGRES_DB
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of arguments, as upstream
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
        ${POSTGRES_INITDB_ARGS:-} >/dev/null
    rm -f "$pwfile"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

    pg_ctl -D "$PGDATA" -w -o "-c listen_addresses=''" start >/dev/null
    psql="psql -X -q -v ON_ERROR_STOP=1 --username=$POSTGRES_USER --no-password"
    if [ "$POSTGRES_DB" != postgres ]; then
        $psql --dbname=postgres -v db="$POSTGRES_DB" <<'SQL'
CREATE DATABASE :"db";
SQL
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sql) echo "running $f"; $psql --dbname="$POSTGRES_DB" -f "$f" ;;
            *.sh)
                echo "running $f"
                # shellcheck disable=SC1090  # the scripts are the user's
                if [ -x "$f" ]; then "$f"; else . "$f"; fi
                ;;
            *) if [ -e "$f" ]; then echo "ignoring $f"; fi ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
