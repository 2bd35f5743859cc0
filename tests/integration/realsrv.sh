#!/bin/sh
# realsrv.sh - incremental exports (--state, --bookmark) and the sanity
# limits against real servers that this script starts on loopback, whose
# data it changes between runs through their own APIs:
#   - json-server 0.17.4 (from the npm registry, installed once under the
#     build tree, tests/.npm-cache, or the one INVDUMP_JSON_SERVER names:
#     a directory holding node_modules/json-server): _start/_limit,
#     X-Total-Count, updated_at_gte={since}; a filter on a field no item
#     has (a typo) answers an empty list;
#   - Django REST Framework with django-filter (Debian's python3-django,
#     python3-djangorestframework, python3-django-filters), the one-file
#     app tests/integration/drfapp.py: -p drf, whose updated_at__gte= is
#     invdump's own; its page-number listing's "Invalid page." 404.
# Each incremental run must export exactly the items at or after the
# bookmark (>=, inclusive: the bookmark's own instant and second too), and
# the runs' union must hold every version of every item there was at a run.
. "$TESTS_SRCDIR/integration/setup.sh"

LC_ALL=C
export LC_ALL
unset LANG

JS_VERSION=0.17.4
# Debian's python3 first: its dist-packages hold Django (a python3 earlier
# on PATH, such as pyenv's, does not see them).
DRF_PY=
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import django, rest_framework, django_filters' 2>/dev/null; then
		DRF_PY=$p
		break
	fi
done
DRF_WHY="python3-django, python3-djangorestframework and python3-django-filters \
are not installed (apt-get install them)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"

# --- json-server: found or installed ------------------------------------
JS_DIR=
JS_WHY=
if [ -n "${INVDUMP_JSON_SERVER:-}" ]; then
	JS_DIR=$INVDUMP_JSON_SERVER
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	JS_WHY="node and npm are needed for json-server $JS_VERSION"
else
	# The build tree's own copy, installed once (the test's cwd is the
	# build directory); a temporary directory renamed, so that a run
	# killed half-way leaves none half installed.
	JS_DIR=$PWD/tests/.npm-cache/json-server-$JS_VERSION
	if [ ! -f "$JS_DIR/node_modules/json-server/package.json" ]; then
		mkdir -p "$PWD/tests/.npm-cache"
		rm -rf "$JS_DIR.tmp$$"
		if timeout 300 npm install --prefix "$JS_DIR.tmp$$" --no-audit \
			--no-fund --loglevel=error "json-server@$JS_VERSION" \
			>"$T/npm.log" 2>&1; then
			mv "$JS_DIR.tmp$$" "$JS_DIR" 2>/dev/null || rm -rf "$JS_DIR.tmp$$"
		else
			rm -rf "$JS_DIR.tmp$$"
			JS_WHY="npm could not install json-server@$JS_VERSION: \
$(grep -m 1 -i 'err' "$T/npm.log")"
		fi
	fi
fi
if [ -z "$JS_WHY" ]; then
	v=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
		"$JS_DIR/node_modules/json-server/package.json" 2>/dev/null | head -n 1)
	case $v in
	0.17.*) ;;
	*) JS_WHY="no json-server 0.17.x in $JS_DIR (found '$v')" ;;
	esac
fi
[ -n "$JS_WHY" ] && [ -z "$DRF_PY" ] && skip_all "$JS_WHY; $DRF_WHY"

# --- helpers --------------------------------------------------------------
cat >"$T/h.py" <<'EOF'
"""realsrv.sh's helpers: items compared as JSON, times as instants."""
import datetime, json, sys, urllib.request

def inst(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))

def canon(line):
    return json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))

def lines(path):
    with open(path, encoding="utf-8") as f:
        return [l for l in f.read().split("\n") if l]

def since(out, truth, before, lookback=0):
    """out is exactly truth's items at or after before - lookback seconds,
    each once."""
    frm = inst(before) - datetime.timedelta(seconds=int(lookback))
    want = sorted(canon(l) for l in lines(truth)
                  if inst(json.loads(l)["updated_at"]) >= frm)
    got = sorted(canon(l) for l in lines(out))
    if got == want:
        return 0
    print("# %d exported, %d wanted from %s" % (len(got), len(want), frm))
    for l in sorted(set(want) - set(got))[:3]:
        print("# missing: " + l)
    for l in sorted(set(got) - set(want))[:3]:
        print("# not wanted: " + l)
    if len(set(got)) != len(got):
        print("# an item twice")
    return 1

def covered(union, truth, missing):
    """Every item of truth, as it is now, is in union."""
    have = set(canon(l) for l in lines(union))
    lost = [l for l in lines(truth) if canon(l) not in have]
    with open(missing, "w") as f:
        f.write("".join(l + "\n" for l in lost))
    return 1 if lost else 0

def truth(url, path):
    """json-server's whole list, one item a line."""
    with urllib.request.urlopen(url, timeout=60) as r:
        items = json.load(r)
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(json.dumps(i) + "\n" for i in items))
    return 0

def seed(path, n):
    """n items over the first hour of 2026-12-01, as JavaScript's
    toISOString() writes times (milliseconds, Z), some sharing an instant."""
    t0 = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    ms = [(i * 7919) % 3600000 for i in range(int(n) + 1)]
    items = [{"id": i, "name": "item-%d" % i, "status": "active",
              "updated_at": js_time(t0 + datetime.timedelta(
                  milliseconds=ms[i - 1 if i % 10 == 0 else i]))}
             for i in range(1, int(n) + 1)]
    with open(path, "w") as f:
        json.dump({"items": items}, f)
    return 0

def js_time(t):
    return t.astimezone(datetime.timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")

def mutate(base, seed, *spec):
    """Changes through json-server's REST API, as drfapp.py's mutate():
    insert=N (POST), update=N (PATCH: a new name, a second after the latest
    time there is), same=N (PATCH to the latest time itself), second=N
    (later in its second), late=N (5 minutes before it), delete=N."""
    import http.client, random, urllib.parse
    rnd = random.Random(int(seed))
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    def call(method, path, body=None):
        conn.request(method, u.path + path,
                     body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status >= 300:
            sys.exit("%s %s: %d %s" % (method, path, r.status, data[:200]))
        return data
    items = json.loads(call("GET", "/items"))
    latest = max(inst(i["updated_at"]) for i in items)
    ids = [i["id"] for i in items]
    later = latest + datetime.timedelta(milliseconds=1000 + rnd.randrange(1000))
    for what, n in (a.split("=") for a in spec):
        n = int(n)
        if what == "insert":
            for _ in range(n):
                new = json.loads(call("POST", "/items", {
                    "name": "new", "status": "active", "updated_at": js_time(later)}))
                ids.append(new["id"])
            continue
        chosen = rnd.sample(ids, n)
        for i in chosen:
            if what == "delete":
                call("DELETE", "/items/%d" % i)
                ids.remove(i)
                continue
            if what == "update":
                t = later
            elif what == "same":
                t = latest
            elif what == "second":
                t = latest + datetime.timedelta(milliseconds=rnd.randrange(
                    1000 - latest.microsecond // 1000))
            elif what == "late":
                t = latest - datetime.timedelta(minutes=5)
            else:
                sys.exit("no such change: " + what)
            call("PATCH", "/items/%d" % i, {
                "name": "v%d-%d" % (rnd.randrange(10**6), i), "updated_at": js_time(t)})
    return 0

def state(path, key):
    with open(path) as f:
        return str(json.load(f)["targets"][""][key])

def manifest(path, key):
    with open(path) as f:
        return str(json.load(f)["bookmark"][key])

if __name__ == "__main__":
    r = globals()[sys.argv[1]](*sys.argv[2:])
    if isinstance(r, int):
        sys.exit(r)
    print(r)
EOF
# Debian's python3 when there is one: a pyenv shim on PATH costs a quarter
# of a second a call.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
h() { "$PY" "$T/h.py" "$@"; }
lines() { gzip -dc "$1" | wc -l | tr -d ' '; }
# since OUT.gz BEFORE [LOOKBACK]: the run wrote exactly the truth's items
# at or after BEFORE (less LOOKBACK seconds).
since() {
	gzip -dc "$1" >"$T/since.out"
	h since "$T/since.out" "$T/truth" "$2" "${3:-0}"
}
# covered: the union of the runs holds every item of the truth now.
covered() {
	h covered "$T/union" "$T/truth" "$T/missing" && return 0
	diag "$(wc -l <"$T/missing") versions never exported, e.g.:" \
		"$(head -n 3 "$T/missing")"
	return 1
}
union_add() { gzip -dc "$1" >>"$T/union"; }

# ===================================================== json-server 0.17
if [ -n "$JS_WHY" ]; then
	skip "json-server: $JS_WHY"
else
	cat >"$T/jsonserver.js" <<'EOF'
// json-server's router and middlewares, mounted as its CLI mounts them, on
// 127.0.0.1 and a port the kernel picks (written to argv[4] once
// listening: no other process can take it between a pick and the bind).
const path = require('path');
const fs = require('fs');
const js = require(path.join(process.argv[2], 'node_modules', 'json-server'));
const app = js.create();
app.use(js.defaults({ logger: false }));
app.use(js.router(process.argv[3]));
const srv = app.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(process.argv[4] + '.tmp', srv.address().port + '\n');
	fs.renameSync(process.argv[4] + '.tmp', process.argv[4]);
});
EOF
	h seed "$T/db.json" 3000
	node "$T/jsonserver.js" "$JS_DIR" "$T/db.json" "$T/js.port" \
		>"$T/js.out" 2>"$T/js.err" &
	js_pid=$!
	MOCK_PIDS="$MOCK_PIDS $js_pid"
	wait_port_file "$T/js.port" "$js_pid" "$T/js.err" "json-server did not start"
	B="http://127.0.0.1:$(cat "$T/js.port")"
	# 3000 items, 100 a page: 30 pages a full run.
	J="-p offset --offset-param _start --limit-param _limit -l 100 -w 4"
	U="$B/items?updated_at_gte={since}"
	: >"$T/union"

	run_invdump $J -o "$T/j0.gz" --state "$T/js.json" --bookmark updated_at "$U"
	check "json-server: the first run, no state: exit 0" status_is 0
	h truth "$B/items" "$T/truth"
	check "... every item (updated_at_gte left out)" since "$T/j0.gz" 1970-01-01T00:00:00Z
	union_add "$T/j0.gz"
	check "... the bookmark kept: the latest updated_at, as the server wrote it" \
		test "$(h state "$T/js.json" bookmark)" = 2026-12-01T00:59:59.887Z

	# Nights of changes made through json-server's API; same= and second=
	# stamp the bookmark's own instant and second.
	night=1
	for change in "insert=30 update=120 delete=20" "same=5 second=5 insert=2" \
		"update=150 delete=40 same=1" "same=1"; do
		before=$(h state "$T/js.json" bookmark)
		# shellcheck disable=SC2086 # the change: one argument a word
		h mutate "$B" "$night" $change
		run_invdump $J -o "$T/j$night.gz" --state "$T/js.json" \
			--bookmark updated_at --manifest "$T/jm$night.json" "$U"
		check "json-server night $night ($change): exit 0" status_is 0
		h truth "$B/items" "$T/truth"
		check "... exactly the $(lines "$T/j$night.gz") items at or after \
$before" since "$T/j$night.gz" "$before"
		check "... the manifest says where it asked from" \
			test "$(h manifest "$T/jm$night.json" before)" = "$before"
		union_add "$T/j$night.gz"
		check "... the union of the runs holds every version" covered
		night=$((night + 1))
	done

	# Late commits (stamped 5 minutes before the bookmark, after a run saw
	# it) with --lookback 10m: asked for again, the time written as
	# json-server compares it (as text: milliseconds and Z kept).
	before=$(h state "$T/js.json" bookmark)
	h mutate "$B" 5 late=10 update=5
	run_invdump $J -o "$T/j5.gz" --state "$T/js.json" --bookmark updated_at \
		--lookback 10m "$U"
	check "json-server, late commits and --lookback 10m: exit 0" status_is 0
	h truth "$B/items" "$T/truth"
	check "... exactly the items at or after $before less 10 minutes" \
		since "$T/j5.gz" "$before" 600
	union_add "$T/j5.gz"
	check "... the union of the runs holds every version" covered

	# Without --lookback the late ones are lost: the union check sees it.
	before=$(h state "$T/js.json" bookmark)
	h mutate "$B" 6 late=7
	run_invdump $J -o "$T/j6.gz" --state "$T/js.json" --bookmark updated_at "$U"
	h truth "$B/items" "$T/truth"
	check "late commits without --lookback: exactly the items at or after \
the bookmark" since "$T/j6.gz" "$before"
	union_add "$T/j6.gz"
	if covered >/dev/null; then
		not_ok "... and their loss not seen by the union check"
	else
		ok "... $(wc -l <"$T/missing") late versions lost: seen by the union check"
	fi

	# --full: every item as it is, the deleted ones gone.
	run_invdump $J -o "$T/jf.gz" --state "$T/js.json" --bookmark updated_at \
		--full --manifest "$T/jmf.json" "$U"
	check "json-server --full: exit 0" status_is 0
	check "... the whole list, as the server has it" \
		since "$T/jf.gz" 1970-01-01T00:00:00Z
	check "... the state's full count: $(h state "$T/js.json" items_full)" \
		test "$(h state "$T/js.json" items_full)" = "$(wc -l <"$T/truth" | tr -d ' ')"

	# --- a filter on a field no item has: json-server answers [] --------
	# (it drops an unknown plain parameter, but keeps FIELD_gte and the
	# like as filters). A full nightly export of the active items:
	A="$B/items?status=active"
	run_invdump $J -o "$T/jt.gz" --state "$T/jt.json" --max-drop 50% "$A"
	check "json-server, a full run of the active items: exit 0" status_is 0
	cp "$T/jt.gz" "$T/jt.kept"
	cp "$T/jt.json" "$T/jt.before"
	run_invdump $J -o "$T/jt.gz" --state "$T/jt.json" --max-drop 50% \
		"$B/items?status=active&updated_on_gte=2026-01-01"
	check "a filter on a field no item has, --max-drop 50%: exit 3" status_is 3
	check "... the numbers in the message" \
		err_has "0 items where the previous run had $(lines "$T/jt.kept")"
	check "... nothing published: the night before's file" same "$T/jt.gz" "$T/jt.kept"
	check "... the state as it was" same "$T/jt.json" "$T/jt.before"
	run_invdump $J -o "$T/jt0.gz" "$B/items?status=active&updated_on_gte=2026-01-01"
	check "the same without limits: exit 0" status_is 0
	check "... 0 items" test "$(lines "$T/jt0.gz")" = 0
	check "... a warning in the summary" err_has "(warning: 0 items)"

	# An incremental run with the typo: the filter is inclusive, so a run
	# that asks from the bookmark gets the bookmark's own items again at
	# least; --min-items 1 catches the empty answer.
	cp "$T/js.json" "$T/js.before"
	run_invdump $J -o "$T/jx.gz" --state "$T/js.json" --bookmark updated_at \
		--min-items 1 "$B/items?updatedAt_gte={since}"
	check "an incremental run with the typo, --min-items 1: exit 3" status_is 3
	check "... nothing published" test ! -e "$T/jx.gz"
	check "... the state as it was" same "$T/js.json" "$T/js.before"
	run_invdump $J -o "$T/jx.gz" --state "$T/js.json" --bookmark updated_at \
		"$B/items?updatedAt_gte={since}"
	check "... without it: exit 0" status_is 0
	check "... and the warning" err_has "(warning: 0 items)"
	check "... which does not call it a quiet night" err_has "0 items: not even \
those at the bookmark kept ($(h state "$T/js.before" bookmark)), which the filter \
(>=) asks for again: deleted since, or the API did not apply the filter"
	check "... the bookmark kept" test "$(h state "$T/js.json" bookmark)" = \
		"$(h state "$T/js.before" bookmark)"
	# A first run from --since after every item: a quiet night, truly.
	run_invdump $J -o "$T/jq.gz" --state "$T/jq.json" --bookmark updated_at \
		--since 2030-01-01T00:00:00.000Z "$U"
	check "--since after every item: exit 0" status_is 0
	check "... 0 items: nothing changed since" \
		err_has "0 items: nothing changed since the bookmark"
fi

# ============================= Django REST Framework with django-filter
if [ -z "$DRF_PY" ]; then
	skip "DRF: $DRF_WHY"
else
	APP=$TESTS_SRCDIR/integration/drfapp.py
	DB=$T/drf.sqlite3
	# start_drf ZONE: serves $DB, times written in ZONE (as the dump
	# writes them too); sets D (the base URL) and drf_pid.
	drf_n=0
	start_drf() {
		drf_n=$((drf_n + 1))
		DRFAPP_TZ=$1
		export DRFAPP_TZ
		"$DRF_PY" "$APP" serve "$DB" "$T/drf$drf_n.port" \
			>"$T/drf$drf_n.out" 2>"$T/drf$drf_n.err" &
		drf_pid=$!
		MOCK_PIDS="$MOCK_PIDS $drf_pid"
		wait_port_file "$T/drf$drf_n.port" "$drf_pid" "$T/drf$drf_n.err" \
			"the DRF app did not start"
		D="http://127.0.0.1:$(cat "$T/drf$drf_n.port")"
	}
	# dtruth: the database as the API writes it, one item a line.
	dtruth() { "$DRF_PY" "$APP" dump "$DB" >"$T/truth"; }
	"$DRF_PY" "$APP" seed "$DB" 3000
	start_drf UTC
	# 3000 items, 100 a page: 30 pages a full run.
	R="-p drf -l 100 -w 4"
	: >"$T/union"

	run_invdump $R -o "$T/d0.gz" --state "$T/ds.json" --bookmark updated_at \
		"$D/items/"
	check "DRF: the first run, no state: exit 0" status_is 0
	dtruth
	gzip -dc "$T/d0.gz" >"$T/d0"
	check "... byte for byte what the API writes" same "$T/d0" "$T/truth"
	union_add "$T/d0.gz"
	check "... the bookmark kept as DRF wrote it (a whole second: no fraction)" \
		test "$(h state "$T/ds.json" bookmark)" = 2026-12-01T01:00:00Z

	# Nights of changes: by the ORM (the bookmark's own instant, later in
	# its second, a second later), and through the API (PATCH, POST and
	# DELETE, stamped by the server's clock).
	night=1
	for change in "same=3 second=4 update=5 insert=2 delete=3" \
		"update=150 delete=30 insert=20 same=2" api "same=1"; do
		before=$(h state "$T/ds.json" bookmark)
		if [ "$change" = api ]; then
			for i in 7 8 9; do
				curl -sS -o /dev/null -X PATCH -H 'Content-Type: application/json' \
					-d "{\"name\": \"patched-$i\"}" "$D/items/$i/"
			done
			curl -sS -o /dev/null -X POST -H 'Content-Type: application/json' \
				-d '{"name": "posted"}' "$D/items/"
			curl -sS -o /dev/null -X DELETE "$D/items/10/"
		else
			# shellcheck disable=SC2086 # the change: one argument a word
			"$DRF_PY" "$APP" mutate "$DB" "$night" $change
		fi
		run_invdump $R -o "$T/d$night.gz" --state "$T/ds.json" \
			--bookmark updated_at --manifest "$T/dm$night.json" "$D/items/"
		check "DRF night $night ($change): exit 0" status_is 0
		dtruth
		check "... exactly the $(lines "$T/d$night.gz") items at or after \
$before" since "$T/d$night.gz" "$before"
		check "... the manifest says where it asked from" \
			test "$(h manifest "$T/dm$night.json" before)" = "$before"
		union_add "$T/d$night.gz"
		check "... the union of the runs holds every version" covered
		night=$((night + 1))
	done

	# The server's zone changes (TIME_ZONE: times written +01:00 from now
	# on): the bookmark kept in Z is still an instant; then --lookback 90s
	# from a bookmark with an offset (a '+' in the query: %2B).
	kill "$drf_pid"
	wait "$drf_pid" 2>/dev/null || true
	MOCK_PIDS=$(echo " $MOCK_PIDS " | sed "s/ $drf_pid / /")
	start_drf Europe/Paris
	for lb in 0 90; do
		before=$(h state "$T/ds.json" bookmark)
		"$DRF_PY" "$APP" mutate "$DB" "$night" same=2 second=2 late=3 update=4
		run_invdump $R -o "$T/d$night.gz" --state "$T/ds.json" \
			--bookmark updated_at --lookback "$lb" "$D/items/"
		check "DRF in Europe/Paris, --lookback $lb: exit 0" status_is 0
		dtruth
		check "... exactly the $(lines "$T/d$night.gz") items at or after \
$before less $lb s" since "$T/d$night.gz" "$before" "$lb"
		union_add "$T/d$night.gz"
		night=$((night + 1))
	done
	bm=$(h state "$T/ds.json" bookmark)
	check "... the bookmark kept as DRF writes it now: $bm" test "${bm%+01:00}" != "$bm"

	# --- filters DRF ignores, and its page numbers --------------------
	# A bookmark field no item has: DRF ignores updatd_at__gte and lists
	# every item; invdump finds no value to keep.
	cp "$T/ds.json" "$T/ds.before"
	run_invdump $R -o "$T/dx.gz" --state "$T/ds.json" --bookmark updatd_at \
		"$D/items/"
	check "DRF, --bookmark updatd_at (a filter DRF ignores): exit 7" status_is 7
	check "... saying so" err_has "none of the $(wc -l <"$T/truth" | tr -d ' ') items \
has a time or number there"
	check "... nothing published, the state as it was" \
		sh -c "test ! -e '$T/dx.gz' && cmp -s '$T/ds.json' '$T/ds.before'"
	# A value django-filter cannot read: HTTP 400.
	run_invdump $R -o "$T/dx.gz" "$D/items/?updated_at__gte=yesterday"
	check "DRF, updated_at__gte=yesterday (HTTP 400): exit 1" status_is 1
	check "... DRF's complaint in the message" err_has "Enter a valid date/time."
	check "... nothing published" test ! -e "$T/dx.gz"
	# A name filter no item matches: an empty list.
	run_invdump $R -o "$T/dn.gz" --state "$T/dn.json" --max-drop 50% "$D/items/"
	check "DRF, a full run with --max-drop 50%: exit 0" status_is 0
	cp "$T/dn.gz" "$T/dn.kept"
	run_invdump $R -o "$T/dn.gz" --state "$T/dn.json" --max-drop 50% \
		"$D/items/?name=Item-1"
	check "... a filter no item matches: exit 3" status_is 3
	check "... nothing published" same "$T/dn.gz" "$T/dn.kept"

	# PageNumberPagination (/pitems/): ?page= past the end is a 404,
	# {"detail": "Invalid page."}.
	run_invdump $R -o "$T/dp.gz" "$D/pitems/"
	check "-p drf on page numbers (offset= ignored): exit 7" status_is 7
	check "... the hint names the way" err_has "-p cursor --next-path next"
	check "... nothing published" test ! -e "$T/dp.gz"
	P="--items-path results --total-path count -l 100 -w 4"
	run_invdump -p cursor --next-path next $P -o "$T/dc.gz" "$D/pitems/"
	check "... the hint followed: exit 0" status_is 0
	dtruth
	gzip -dc "$T/dc.gz" >"$T/dc"
	check "... byte for byte what the API writes" same "$T/dc" "$T/truth"
	run_invdump -p page --limit-param page_size $P -o "$T/dg.gz" "$D/pitems/"
	check "-p page on page numbers: exit 0" status_is 0
	gzip -dc "$T/dg.gz" >"$T/dg"
	check "... byte for byte what the API writes" same "$T/dg" "$T/truth"
	before=$(h state "$T/ds.json" bookmark)
	"$DRF_PY" "$APP" mutate "$DB" "$night" update=3
	run_invdump -p page --limit-param page_size $P --state "$T/ds.json" \
		--bookmark updated_at -o "$T/di.gz" \
		"$D/pitems/?updated_at__gte={since}"
	check "-p page, incremental, 4 workers on a page of changes: exit 0" \
		status_is 0
	dtruth
	check "... exactly the $(lines "$T/di.gz") items at or after $before" \
		since "$T/di.gz" "$before"
	run_invdump -p page --limit-param page_size --items-path results \
		--no-total -l 100 -w 4 -o "$T/dz.gz" "$D/pitems/"
	check "-p page --no-total: the 404 past the end fails the run (exit 1)" \
		status_is 1
	check "... with DRF's words" err_has "Invalid page."
	check "... nothing published" test ! -e "$T/dz.gz"
fi

done_testing
