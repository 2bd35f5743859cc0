#!/bin/sh
# nightly.sh - the same export night after night: incremental runs from a
# bookmark (--state, --bookmark) against a dataset that changes between
# them (inserts, updates, deletes, updates in the bookmark's own second),
# whose union must hold every version of every item there was at a run;
# a late commit lost without --lookback and caught with it; the state left
# alone by failed runs; --full; the state file's lock; the
# sanity limits (--min-items, --max-drop against the state and against the
# previous manifest: exit 3, nothing published); the 0-items warning.
. "$TESTS_SRCDIR/integration/setup.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"

start_mock --max-limit 1000
C=$BASE/changing
fetch "$C/reset?n=12000" "$T/reset"
# 12000 items, 50 a page: 240 pages a full run.
L="-p drf -l 50 -w 4"

# union_add FILE: the export's lines join the union of every run.
union_add() { gzip -dc "$1" >>"$T/union"; }
# covered: every line of the server's truth now is in the union.
covered() {
	fetch "$C/truth" "$T/truth"
	sort -u "$T/union" >"$T/union.s"
	sort "$T/truth" >"$T/truth.s"
	comm -23 "$T/truth.s" "$T/union.s" >"$T/missing"
	[ ! -s "$T/missing" ] && return 0
	diag "$(wc -l <"$T/missing") versions never exported, e.g.:" \
		"$(head -n 3 "$T/missing")"
	return 1
}
# json FILE EXPR: prints EXPR (Python, over the document d) of a JSON file.
json() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}
# utc VALUE: an ISO 8601 instant as UTC, YYYY-MM-DDTHH:MM:SSZ.
utc() {
	python3 -c 'import datetime, sys
t = datetime.datetime.strptime(sys.argv[1].replace("Z", "+0000")
    .replace("+00:00", "+0000").replace("-05:00", "-0500")
    .replace("+02:00", "+0200"), "%Y-%m-%dT%H:%M:%S%z")
print(t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$1"
}
lines() { gzip -dc "$1" | wc -l | tr -d ' '; }
mutate() { fetch "$C/mutate?$1" "$T/mutated"; }

# --- the first night: no state yet, so every item ----------------------
run_invdump $L -o "$T/n0.gz" --state "$T/st.json" --bookmark updated_at \
	--manifest "$T/m0.json" "$C/items"
check "first run without state: a full export" status_is 0
fetch "$C/truth" "$T/truth"
gzip -dc "$T/n0.gz" >"$T/n0"
check "... byte for byte the truth" same "$T/n0" "$T/truth"
union_add "$T/n0.gz"
check "... the state file is 0600" \
	test "$(stat -c %a "$T/st.json")" = 600
check "... it keeps the largest updated_at, compared as instants" \
	test "$(utc "$(json "$T/st.json" 'd["targets"][""]["bookmark"]')")" = \
	"2026-12-01T00:19:59Z"
check "... and the count" test "$(json "$T/st.json" \
	'd["targets"][""]["items_full"]')" = 12000
check "... the manifest: no bookmark before, the state's after" test \
	"$(json "$T/m0.json" '(d["bookmark"]["before"], d["bookmark"]["after"])')" \
	= "(None, '$(json "$T/st.json" 'd["targets"][""]["bookmark"]')')"

# --- nights of changes: inserts, updates, deletes; some in the bookmark's
# own second (same=1: the clock does not move) -------------------------
night=1
for change in "insert=40&update=300&delete=20" \
	"insert=5&update=50&same=1" \
	"update=700&delete=100&advance=1" \
	"insert=1&update=1&same=1" \
	"insert=300&update=2000&delete=5&advance=3600" \
	"update=25&same=1" \
	"update=3" "update=4"; do
	mutate "$change"
	run_invdump $L -o "$T/n$night.gz" --state "$T/st.json" \
		--bookmark updated_at --manifest "$T/m$night.json" "$C/items"
	check "night $night ($change): exit 0" status_is 0
	union_add "$T/n$night.gz"
	check "... the union of the runs holds every item's version" covered
	n=$(lines "$T/n$night.gz")
	check "... an incremental run: $n items of $(wc -l <"$T/truth")" \
		test "$n" -lt 6000
	check "... the manifest says where it asked from" test \
		"$(json "$T/m$night.json" 'd["bookmark"]["before"] is not None')" = True
	check "... no page asked before page 0 said how many: $n items, \
$(json "$T/m$night.json" 'd["requests"]') requests" test "$(json "$T/m$night.json" \
		'd["requests"] == d["pages"] or d["requests"] == d["pages"] + 1')" = True
	night=$((night + 1))
done

# The same nights with a bookmark compared with '>' (updated_at__gt): the
# updates in the bookmark's second are lost, as covered must see.
fetch "$C/reset?n=2000" "$T/reset"
: >"$T/union"
U="$C/items?updated_at__gt={since}"
run_invdump $L -o "$T/gt0.gz" --state "$T/gt.json" --bookmark updated_at "$U"
union_add "$T/gt0.gz"
mutate "update=30&same=1"
run_invdump $L -o "$T/gt1.gz" --state "$T/gt.json" --bookmark updated_at "$U"
union_add "$T/gt1.gz"
if covered >/dev/null; then
	not_ok "a '>' bookmark loses the updates of its own second: not seen"
else
	ok "a '>' bookmark loses $(wc -l <"$T/missing") updates of its own second: seen"
fi

# --- {since} in the URL, --lookback, --since ----------------------------
fetch "$C/reset?n=2000" "$T/reset"
S="$C/items?since={since}"
run_invdump $L -o "$T/s0.gz" --state "$T/ss.json" --bookmark updated_at \
	--since 2026-12-01T00:32:30+00:30 "$S"
check "--since: the first run asks from it" status_is 0
check "... (00:02:30Z on: 10 items a second to 00:03:19)" \
	test "$(lines "$T/s0.gz")" = 500
mutate "update=10"
run_invdump $L -o "$T/s1.gz" --state "$T/ss.json" --bookmark updated_at \
	--lookback 10m --manifest "$T/ms.json" "$S"
check "--lookback 10m: exit 0" status_is 0
since=$(json "$T/ms.json" '__import__("urllib.parse").parse.unquote(
	d["source_url"].split("since=")[1])')
check "... asked from 10 minutes before the bookmark (00:03:19Z): $since" \
	test "$(utc "$since")" = 2026-11-30T23:53:19Z

# A late commit: updates stamped 5 minutes before the latest change, after
# a run saw that change.  Without --lookback the next run misses them;
# --lookback 10m asks for them again.
for lb in 0 10m; do
	fetch "$C/reset?n=2000" "$T/reset"
	: >"$T/union"
	run_invdump $L -o "$T/lb0.gz" --state "$T/lb$lb.json" \
		--bookmark updated_at --lookback $lb "$C/items"
	union_add "$T/lb0.gz"
	mutate "update=20&late=300"
	run_invdump $L -o "$T/lb1.gz" --state "$T/lb$lb.json" \
		--bookmark updated_at --lookback $lb "$C/items"
	union_add "$T/lb1.gz"
	if [ "$lb" = 0 ]; then
		if covered >/dev/null; then
			not_ok "a late commit without --lookback: its loss not seen"
		else
			ok "a late commit without --lookback: $(wc -l <"$T/missing") updates lost"
		fi
	else
		check "... with --lookback 10m: none lost" covered
	fi
done

# --- a failed run leaves the state alone -------------------------------
cp "$T/st.json" "$T/st.before"
mutate "update=10"
run_invdump $L -o "$T/f.gz" --state "$T/st.json" --bookmark updated_at \
	--min-items 100000 "$C/items"
check "--min-items 100000: exit 3" status_is 3
check "... the numbers in the message" \
	err_has "items, fewer than --min-items 100000: nothing was published to"
check "... nothing published" test ! -e "$T/f.gz"
check "... the state as it was" same "$T/st.json" "$T/st.before"
hold_dead_port
run_invdump $L --retries 0 -o "$T/f.gz" --state "$T/st.json" \
	--bookmark updated_at "$DEAD_BASE/changing/items"
check "a run that cannot connect: exit 1" status_is 1
check "... the state as it was" same "$T/st.json" "$T/st.before"

# --- --full: every item, deletions seen ---------------------------------
run_invdump $L -o "$T/full.gz" --state "$T/st.json" --bookmark updated_at \
	--manifest "$T/mf.json" --full "$C/items"
check "--full: exit 0" status_is 0
fetch "$C/truth" "$T/truth"
gzip -dc "$T/full.gz" >"$T/full"
check "... the whole truth, deleted items gone" same "$T/full" "$T/truth"
check "... the manifest: asked from no bookmark" \
	test "$(json "$T/mf.json" 'd["bookmark"]["before"]')" = None
check "... the state's full count is the new one" test "$(json "$T/st.json" \
	'd["targets"][""]["items_full"]')" = "$(wc -l <"$T/truth" | tr -d ' ')"

# --- the lock ----------------------------------------------------------
cp "$T/st.json" "$T/st.before"
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(30)' "$T/st.json.lock" "$T/locked" &
locker=$!
MOCK_PIDS="$MOCK_PIDS $locker"
i=0
while [ ! -e "$T/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
run_invdump $L -o "$T/l.gz" --state "$T/st.json" --bookmark updated_at "$C/items"
check "a second run of the job while one holds the lock: exit 6" status_is 6
check "... saying so" err_has "another run of this job holds the lock"
check "... nothing published, the state as it was" \
	sh -c "test ! -e '$T/l.gz' && cmp -s '$T/st.json' '$T/st.before'"
kill "$locker" 2>/dev/null || true
wait "$locker" 2>/dev/null || true

# --- sanity against a server that takes a typo for a filter ------------
# FeathersJS: an unknown parameter filters on a field no item has.
F="-p offset --offset-param \$skip --limit-param \$limit --items-path data \
--total-path total -l 100 -w 4"
run_invdump $F -o "$T/fe.gz" --state "$T/fe.json" --max-drop 50% \
	"$C/feathers"
check "feathers: a full run, its count kept" status_is 0
cp "$T/fe.json" "$T/fe.before"
cp "$T/fe.gz" "$T/fe.kept"
run_invdump $F -o "$T/fe.gz" --state "$T/fe.json" --max-drop 50% \
	"$C/feathers?updatd_at=2026"
check "a typo in a filter (0 items) with --max-drop 50%: exit 3" status_is 3
check "... the numbers in the message" \
	err_has "0 items where the previous run had"
check "... 100% fewer, against the state" err_has "(by the state file"
check "... the summary names the limit" err_has "failed --max-drop (nothing published)"
check "... nothing published: the file of the night before" \
	same "$T/fe.gz" "$T/fe.kept"
check "... the state as it was" same "$T/fe.json" "$T/fe.before"
run_invdump $F -o "$T/fe0.gz" "$C/feathers?updatd_at=2026"
check "the same without limits: exit 0" status_is 0
check "... and a warning in the summary" err_has "(warning: 0 items)"

run_invdump $F -o "$T/fm.gz" --manifest "$T/fm.json" "$C/feathers"
check "a full run with a manifest" status_is 0
run_invdump $F -o "$T/fm.gz" --manifest "$T/fm.json" --max-drop 1000 \
	"$C/feathers?limit=5"
check "--max-drop 1000 against the previous manifest: exit 3" status_is 3
check "... by the manifest" err_has "(by the manifest"
check "... which is the night before's still" \
	test "$(json "$T/fm.json" 'd["items_written"]')" -gt 1000
run_invdump $F -o "$T/fm.gz" --manifest "$T/fm.json" --max-drop 1000 \
	"$C/feathers"
check "... and a run that adds up passes" status_is 0

# --- a jobs file: a state file for two targets --------------------------
fetch "$C/reset?n=3000" "$T/reset"
cat >"$T/jobs.ini" <<INI
[defaults]
profile = drf
limit = 50
state = $T/jobs-state.json
bookmark = updated_at

[drf]
url = $C/items
output = $T/j-drf.ndjson.gz

[since]
url = $C/items?since={since}
output = $T/j-since.ndjson.gz
min-items = 1
INI
run_invdump --jobs "$T/jobs.ini" --manifest "$T/jobs-m.json"
check "jobs: two targets, one state file: exit 0" status_is 0
check "... an entry each" test "$(json "$T/jobs-state.json" \
	'sorted(d["targets"])')" = "['drf', 'since']"
mutate "update=5&same=1"
run_invdump --jobs "$T/jobs.ini" --manifest "$T/jobs-m.json"
check "... the next night: exit 0" status_is 0
check "... one request each, not the 60 pages the manifest says the full \
run found" test "$(grep -c 'requests in all: 1,' "$T/err")" = 2
check "... each target asked from its bookmark: 5 updates and the 10 of \
the bookmark's second" sh -c "test \$(gzip -dc '$T/j-drf.ndjson.gz' | \
wc -l) -le 15 && test \$(gzip -dc '$T/j-since.ndjson.gz' | wc -l) -le 15"

# --- the profiles' own filters reach the server; a field no item has ----
start_mock --items 300 --log "$T/req.log"
run_invdump -p servicenow --state "$T/sn.json" --bookmark sys_updated_on \
	--since '2026-12-01 10:00:05' -o "$T/sn.gz" \
	"$BASE/servicenow/api/now/table/cmdb_ci?sysparm_query=active%3Dtrue"
check "servicenow: the bookmark ANDed to the URL's own sysparm_query" grep -q \
	'sysparm_query=active%3Dtrue%5Esys_updated_on%3[Ee]%3[Dd]2026-12-01%2010%3[Aa]00%3[Aa]05' \
	"$T/req.log"
check "... no item has sys_updated_on: exit 7" status_is 7
check "... saying so" err_has "none of the 300 items has a time or number there"
check "... nothing published, no state written" \
	sh -c "test ! -e '$T/sn.gz' && test ! -e '$T/sn.json'"
run_invdump -p softlayer --state "$T/sl.json" --bookmark modifyDate \
	--since 2026-12-01T10:00:05-06:00 -o "$T/sl.gz" \
	"$BASE/softlayer/SoftLayer_Account/getVirtualGuests.json"
check "softlayer: an objectFilter, greaterThanDate a second before" grep -q \
	'objectFilter=%7[Bb]%22virtualGuests%22%3[Aa]%7[Bb]%22modifyDate%22.*greaterThanDate.*12%2[Ff]01%2[Ff]2026%2010%3[Aa]00%3[Aa]04' \
	"$T/req.log"

# --- usage --------------------------------------------------------------
run_invdump -p offset --state "$T/x.json" --bookmark updated_at -o "$T/x" \
	"$C/items"
check "--bookmark with a profile of no filter and no {since}: exit 2" \
	status_is 2
check "... saying how to give one" err_has "put {since} in the URL"
run_invdump -p drf --max-drop 10% -o "$T/x" "$C/items"
check "--max-drop with neither --state nor --manifest: exit 2" status_is 2
run_invdump -p drf --full -o "$T/x" "$C/items"
check "--full without --bookmark: exit 2" status_is 2

done_testing
