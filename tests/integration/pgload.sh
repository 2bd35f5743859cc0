#!/bin/sh
# pgload.sh - the README's PostgreSQL lines, run for real: a throwaway
# cluster (initdb and pg_ctl in the test's temp dir, a private Unix socket,
# no TCP), an export of the mock dataset with every awkward string in it
# (\" \\ \n \t \u0001 \u0000, emoji, U+2028), and the rows it loads compared
# with the server's ground truth.  The commands are read from the README
# itself, so the README cannot drift from what is tested.
. "$TESTS_SRCDIR/integration/setup.sh"

README=$TESTS_SRCDIR/../README

# The server binaries: Debian keeps them in /usr/lib/postgresql/VERSION/bin
# (the newest wins); elsewhere they are on PATH.
pgbin=
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
	if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then pgbin=$d; fi
done
if [ -z "$pgbin" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
	pgbin=$(dirname "$(command -v initdb)")
fi
[ -n "$pgbin" ] || skip_all "the PostgreSQL server (initdb, pg_ctl) is not installed; apt-get install postgresql"
PATH=$pgbin:$PATH
command -v psql >/dev/null 2>&1 || skip_all "psql is not installed; apt-get install postgresql-client"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

# initdb refuses to run as root: then the server runs as nobody, and the
# temp dir must let nobody through.
as_pg=
mkdir "$T/pg"
if [ "$(id -u)" = 0 ]; then
	getent passwd nobody >/dev/null 2>&1 ||
		skip_all "running as root (initdb refuses root) and there is no user nobody to run PostgreSQL as"
	if command -v runuser >/dev/null 2>&1; then
		as_pg="runuser -u nobody --"
	elif command -v setpriv >/dev/null 2>&1; then
		as_pg="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups --"
	else
		skip_all "running as root (initdb refuses root) and neither runuser nor setpriv is there to drop to nobody"
	fi
	chmod 711 "$T"
	chown nobody "$T/pg"
	$as_pg test -w "$T/pg" ||
		skip_all "running as root (initdb refuses root) and user nobody cannot reach $T (set TMPDIR to a directory others may pass through)"
fi
# A Unix socket's path has room for about 100 bytes.
sock=$T/pg/sock
if [ ${#sock} -gt 80 ]; then
	sock=$(mktemp -d /tmp/invdump-pg.XXXXXX)
	chmod 755 "$sock"
	[ -z "$as_pg" ] || chown nobody "$sock"
else
	mkdir "$sock"
	[ -z "$as_pg" ] || chown nobody "$sock"
fi

pg_started=
pg_stop() {
	if [ -n "$pg_started" ]; then
		(cd "$T/pg" && $as_pg pg_ctl -D "$T/pg/data" -m immediate -w stop) >/dev/null 2>&1 || true
	fi
	case $sock in "$T"/*) ;; *) rm -rf "$sock" ;; esac
}
trap 'pg_stop; cleanup' EXIT

if ! (cd "$T/pg" && $as_pg initdb -D "$T/pg/data" -U postgres -A trust -E UTF8 --locale=C --no-sync) \
	>"$T/pg/initdb.log" 2>&1; then
	echo "Bail out! initdb failed: $(tail -n 3 "$T/pg/initdb.log" | tr '\n' ' ')"
	exit 1
fi
cat >>"$T/pg/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$sock'
fsync = off
EOF
pg_started=1
if ! (cd "$T/pg" && $as_pg pg_ctl -D "$T/pg/data" -l "$T/pg/server.log" -w -t 60 start) >/dev/null 2>&1; then
	echo "Bail out! the PostgreSQL server did not start: $(tail -n 3 "$T/pg/server.log" | tr '\n' ' ')"
	exit 1
fi

# psql and the README's lines talk to that server only.
unset PGPORT PGOPTIONS PGSERVICE PGSERVICEFILE PGPASSFILE PGCLIENTENCODING PGSSLMODE || true
PGHOST=$sock PGUSER=postgres PGDATABASE=postgres PSQLRC=/dev/null
export PGHOST PGUSER PGDATABASE PSQLRC
# sql DB QUERY: one query's rows, unaligned.
sql() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
# in_db DB DIR COMMAND: COMMAND run by sh in DIR against database DB; sets
# rc, leaves stderr in $T/err.
in_db() {
	set +e
	(cd "$2" && PGDATABASE=$1 && export PGDATABASE && sh -c "$3") >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}

# readme_line TEXT: the README's one indented line containing TEXT, without
# its indent.
readme_line() {
	grep -F -- "$1" "$README" | grep '^    ' | sed 's/^    //' >"$T/line"
	if [ "$(wc -l <"$T/line")" -ne 1 ]; then
		echo "Bail out! the README has no single indented line with: $1"
		exit 1
	fi
	cat "$T/line"
}
create=$(readme_line "psql -c 'CREATE TABLE devices (doc jsonb)'")
load=$(readme_line 'zcat devices.ndjson.gz | psql -c "COPY devices (doc) FROM STDIN')
server=$(readme_line 'psql -c "COPY devices (doc) FROM PROGRAM')
diag "README: $create" "README: $load" "README: $server"

# The export: 1000 items in pages of 37 (so gzip members of odd sizes).
start_mock --items 1000
fetch "$BASE/truth" "$T/truth"
mkdir "$T/full" "$T/nonul"
run_invdump -q -l 37 -w 4 -o "$T/full/devices.ndjson.gz" "$BASE/offset/items"
check "the export succeeds" status_is 0
gzip -dc "$T/full/devices.ndjson.gz" >"$T/full.ndjson"
check "the export equals the ground truth" same "$T/full.ndjson" "$T/truth"
# jsonb cannot hold \u0000 (PostgreSQL's text cannot): a copy without those
# items, as an API without them would give.
grep -v '\\u0000' "$T/full.ndjson" | gzip >"$T/nonul/devices.ndjson.gz"
grep -v '\\u0000' "$T/truth" >"$T/truth-nonul"
all=$(wc -l <"$T/truth")
nonul=$(wc -l <"$T/truth-nonul")
check "the dataset has escaped quotes, backslashes, LF, TAB, U+0001, U+0000, an emoji and U+2028" python3 -c '
import sys
t = open(sys.argv[1], encoding="utf-8").read()
need = [r"\"", "\\\\", r"\n", r"\t", r"\u0001", r"\u0000", "\U0001F600", "\u2028"]
missing = [n for n in need if n not in t]
print("# missing:", missing) if missing else None
sys.exit(1 if missing else 0)' "$T/truth"

# rows DB FILE: the loaded documents as text, in the order loaded (a table
# that COPY alone filled keeps its rows in that order).
rows() {
	sql "$1" "SELECT doc::text FROM devices ORDER BY ctid" >"$2" || true
}
# ids DB FILE / truth_ids TRUTH FILE: the sorted ids, digit for digit.  (On
# a json column, ->> fails on a document with \u0000 anywhere in it, so the
# id is cut out of the text.)
ids() {
	sql "$1" "SELECT id FROM (SELECT substring(doc::text FROM '\"id\": *([0-9]+)') AS id FROM devices) d ORDER BY id COLLATE \"C\"" >"$2" || true
}
truth_ids() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    print(json.loads(line, parse_int=str)["id"])' "$1" | LC_ALL=C sort >"$2"
}
truth_ids "$T/truth" "$T/ids-all"
truth_ids "$T/truth-nonul" "$T/ids-nonul"

# same_json TRUTH GOT: the same documents as JSON values, in the same order:
# numbers compared exactly as decimals (jsonb writes 1E+2 as 100), objects
# whatever their key order (jsonb sorts keys), strings exactly.
same_json() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
from decimal import Decimal

def norm(v):
    if v is None or isinstance(v, bool):
        return ("lit", v)
    if isinstance(v, (int, Decimal)):
        return ("num", Decimal(v))
    if isinstance(v, str):
        return ("str", v)
    if isinstance(v, list):
        return ("arr", tuple(norm(x) for x in v))
    return ("obj", {k: norm(x) for k, x in v.items()})

def load(path):
    return [norm(json.loads(line, parse_float=Decimal))
            for line in open(path, encoding="utf-8")]

want, got = load(sys.argv[1]), load(sys.argv[2])
if len(want) != len(got):
    print("# %d documents expected, %d loaded" % (len(want), len(got)))
    sys.exit(1)
bad = [i for i in range(len(want)) if want[i] != got[i]]
for i in bad[:3]:
    print("# document %d differs" % i)
sys.exit(1 if bad else 0)
EOF
}

# 1. The README's lines, as they are, on items without \u0000: jsonb holds
# every one of them, equal to the source.
sql postgres "CREATE DATABASE nonul"
in_db nonul "$T/nonul" "$create && $load"
check "README lines, jsonb: status 0" status_is 0
check "README lines, jsonb: $nonul rows" test "$(sql nonul 'SELECT count(*) FROM devices')" -eq "$nonul"
ids nonul "$T/got-ids"
check "README lines, jsonb: the ids are the ground truth's" same "$T/got-ids" "$T/ids-nonul"
rows nonul "$T/got-nonul"
check "README lines, jsonb: every document equals the ground truth's" same_json "$T/truth-nonul" "$T/got-nonul"
check "README lines, jsonb: the string with quote, backslash, LF and TAB came through" test \
	"$(sql nonul "SELECT doc->>'note' = E'quote\" backslash\\\\ slash/ \\b\\f\\n\\r\\t' FROM devices WHERE doc->>'seq' = '3'")" = t
check "README lines, jsonb: the emoji came through" test \
	"$(sql nonul "SELECT doc->>'note' = U&'\\+01F600 emoji' FROM devices WHERE doc->>'seq' = '1'")" = t

# 2. The same under another client encoding: ENCODING 'UTF8' in the COPY
# keeps the emoji an emoji.
sql postgres "CREATE DATABASE latin"
PGCLIENTENCODING=LATIN1; export PGCLIENTENCODING
in_db latin "$T/nonul" "$create && $load"
unset PGCLIENTENCODING
check "README lines, client encoding LATIN1: status 0" status_is 0
rows latin "$T/got-latin"
check "README lines, client encoding LATIN1: every document equals the ground truth's" same "$T/got-latin" "$T/got-nonul"

# 3. Items with \u0000 into jsonb: COPY refuses, as the README says, and
# loads nothing (rather than something else).
sql postgres "CREATE DATABASE withnul"
in_db withnul "$T/full" "$create && $load"
check "README lines, jsonb, U+0000 in the data: fails" test "$rc" -ne 0
check "README lines, jsonb, U+0000 in the data: says why" err_has "unsupported Unicode escape sequence"
check "README lines, jsonb, U+0000 in the data: nothing loaded" test "$(sql withnul 'SELECT count(*) FROM devices')" -eq 0

# 4. The README's load line into a json column: every line byte for byte,
# \u0000 and all.
sql postgres "CREATE DATABASE json"
sql json "CREATE TABLE devices (doc json)"
in_db json "$T/full" "$load"
check "README load line, json column: status 0" status_is 0
check "README load line, json column: $all rows" test "$(sql json 'SELECT count(*) FROM devices')" -eq "$all"
ids json "$T/got-ids"
check "README load line, json column: the ids are the ground truth's" same "$T/got-ids" "$T/ids-all"
rows json "$T/got-json"
check "README load line, json column: byte for byte the ground truth" same "$T/got-json" "$T/truth"

# 5. The server-side line, with the README's path pointed at a copy the
# server's user can read.
mkdir "$T/pg/srv"
cp "$T/full/devices.ndjson.gz" "$T/pg/srv/devices.ndjson.gz"
chmod 755 "$T/pg/srv"
chmod 644 "$T/pg/srv/devices.ndjson.gz"
sql postgres "CREATE DATABASE server"
sql server "CREATE TABLE devices (doc json)"
server_here=$(printf '%s\n' "$server" | sed "s|/srv/inventory/devices.ndjson.gz|$T/pg/srv/devices.ndjson.gz|")
in_db server "$T/full" "$server_here"
check "README server-side line: status 0" status_is 0
rows server "$T/got-server"
check "README server-side line: byte for byte the ground truth" same "$T/got-server" "$T/truth"

# 6. Why not COPY's default (text) format, as the README once had it: it
# takes backslashes for its own escapes and fails or changes the data.
sql postgres "CREATE DATABASE text"
sql text "CREATE TABLE devices (doc json)"
set +e
gzip -dc "$T/full/devices.ndjson.gz" | psql -X -q -d text -c "COPY devices (doc) FROM STDIN" >/dev/null 2>"$T/err"
set -e
rows text "$T/got-text"
check "COPY's text format would not load this faithfully" sh -c "! cmp -s '$T/got-text' '$T/truth'"

done_testing
