#!/usr/bin/env bash
# Back up a database with pg_dump and prove the backup restores: restore it into a scratch
# database, compare the exact row count of every table and a checksum of the reports with
# the source, then drop the scratch database. Exits non-zero on any difference.
#
#   scripts/restore_check.sh postgres://user@host:5432/assaultlog [scratch_name] [dump_file]
#
# The dump is pg_dump's custom format (compressed; pg_restore can restore it in parallel
# and pick single tables out of it). Run against a live database it is a consistent
# snapshot (one transaction). The FIELD_ENCRYPTION_KEYS are not in the database: back them
# up separately, or the restored free text cannot be read.
set -euo pipefail

source_url=${1:?usage: $0 SOURCE_DATABASE_URL [SCRATCH_DB_NAME] [DUMP_FILE]}
scratch=${2:-assaultlog_restore_check}
dump=${3:-$(mktemp -d)/assaultlog.dump}
scratch_url="${source_url%/*}/${scratch}"
seconds() { date +%s.%N; }
elapsed() { printf '%.1f' "$(echo "$2 - $1" | bc)"; }
export PGOPTIONS='-c client_min_messages=warning'

case "$scratch" in *[!a-z0-9_]*) echo "scratch name must be [a-z0-9_]" >&2; exit 2 ;; esac
if [ "$scratch_url" = "$source_url" ]; then echo "scratch database is the source" >&2; exit 2; fi

started=$(seconds)
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file "$dump" "$source_url"
dumped=$(seconds)
echo "dump: $dump $(du -h "$dump" | cut -f1) in $(elapsed "$started" "$dumped") s"

psql -q "$source_url" -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch"
pg_restore --no-owner --no-privileges --exit-on-error --jobs 2 --dbname "$scratch_url" "$dump"
restored=$(seconds)
echo "restore into $scratch in $(elapsed "$dumped" "$restored") s"

tables=$(psql -At "$source_url" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
failed=0
for table in $tables; do
  want=$(psql -At "$source_url" -c "SELECT count(*) FROM \"$table\"")
  got=$(psql -At "$scratch_url" -c "SELECT count(*) FROM \"$table\"")
  if [ "$want" != "$got" ]; then echo "MISMATCH $table: source $want, restored $got"; failed=1; fi
done
echo "tables compared: $(echo "$tables" | wc -w), rows in source: $(
  for table in $tables; do psql -At "$source_url" -c "SELECT count(*) FROM \"$table\""; done | paste -sd+ | bc)"

checksum="SELECT md5(string_agg(id::text || reference || status || occurred_on || coalesce(narrative, ''), ',' ORDER BY id)) FROM incidents_incident"
if [ "$(psql -At "$source_url" -c "$checksum")" != "$(psql -At "$scratch_url" -c "$checksum")" ]; then
  echo "MISMATCH incidents_incident checksum"; failed=1
fi
latest=$(psql -At "$scratch_url" -c "SELECT max(name) FROM django_migrations WHERE app = 'incidents'")
echo "restored schema: $(psql -At "$scratch_url" -c "SELECT count(*) FROM django_migrations") migrations applied, incidents at $latest"

psql -q "$source_url" -c "DROP DATABASE $scratch"
if [ "$failed" = 0 ]; then echo "RESTORE OK: every table's row count and the reports' checksum match"; else exit 1; fi
