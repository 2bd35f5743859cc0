#!/bin/sh
# perhost.sh - what one host gets: --per-host caps the requests at once to
# it (one target, or many targets on it in one --jobs run); each host has
# its own rate limiter, so a host that throttles slows only itself; each
# target trusts its own CA (cacert in a jobs section); messages name their
# target; the run's manifest lists every target's outcome.
. "$TESTS_SRCDIR/integration/setup.sh"

peak() { curl -sS "$1/stats" | sed 's/.*"peak_latency":\([0-9]*\).*/\1/'; }
exact() { [ "$rc" -eq 0 ] && gzip -dc "$1" | cmp -s - "$2"; }

# One target: 20 pages at 150 ms, 8 workers, at most 2 at once.
start_mock --items 2000 --latency-ms 150
A=$BASE
fetch "$A/truth" "$T/truth"
run_invdump -q -w 8 --per-host 2 -o "$T/one.gz" "$A/offset/items"
check "--per-host 2: byte for byte all the same" exact "$T/one.gz" "$T/truth"
p=$(peak "$A")
check "--per-host 2: never more than 2 requests at once (the server saw $p)" test "$p" -le 2
check "... and the cap was reached" test "$p" -eq 2
kill "$MOCK_PID"

# Without it the same run has more than 2 at once: the check above can fail.
start_mock --items 2000 --latency-ms 150
A=$BASE
run_invdump -q -w 8 -o "$T/one.gz" "$A/offset/items"
p=$(peak "$A")
check "without --per-host: 8 workers put more than 2 at once (the server saw $p)" test "$p" -gt 2

# Many targets on one host share its cap; another host has its own.
cat >"$T/same.ini" <<EOF
[defaults]
limit = 50

[offset]
url = $A/offset/items
output = $T/s-offset.ndjson.gz

[f5]
url = $A/f5/mgmt/tm/ltm/pool
profile = f5
output = $T/s-f5.ndjson.gz

[snow]
url = $A/servicenow/api/now/table/cmdb_ci
profile = servicenow
output = $T/s-snow.ndjson.gz
EOF
chmod 600 "$T/same.ini"
kill "$MOCK_PID"
start_mock --items 600 --latency-ms 150
A=$BASE
fetch "$A/truth" "$T/truth600"
sed -i "s|http://127.0.0.1:[0-9]*|$A|" "$T/same.ini"
run_invdump -q -w 9 --per-host 2 --jobs "$T/same.ini"
p=$(peak "$A")
check "three targets on one host, --per-host 2: at most 2 at once in all (the server saw $p)" test "$p" -le 2
check "... every one of them byte for byte" sh -c "
	for n in offset f5 snow; do gzip -dc '$T/s-'\$n.ndjson.gz | cmp -s - '$T/truth600' || exit 1; done"
kill "$MOCK_PID"

# A host that throttles slows only itself: B (100 pages, no limit) is done
# long before A (30 pages at 5 requests a second, 429 past it); with one
# limiter for both, B would be paced at A's rate (20 s).
start_mock --items 1500 --rate 5
A=$BASE
fetch "$A/truth" "$T/truthA"
start_mock --items 10000
B=$BASE
fetch "$B/truth" "$T/truthB"
cat >"$T/two.ini" <<EOF
[throttled]
url = $A/offset/items
limit = 50
output = $T/a.ndjson.gz

[free]
url = $B/offset/items
output = $T/b.ndjson.gz
EOF
chmod 600 "$T/two.ini"
run_invdump -w 8 --jobs "$T/two.ini"
check "throttled and free hosts in one run: both succeed" status_is 0
check "... the throttled one byte for byte" exact "$T/a.ndjson.gz" "$T/truthA"
check "... the free one byte for byte" exact "$T/b.ndjson.gz" "$T/truthB"
ta=$(sed -n 's/^invdump: \[throttled\] .* pages, [^,]*, \([0-9.]*\) s; .*/\1/p' "$T/err")
tb=$(sed -n 's/^invdump: \[free\] .* pages, [^,]*, \([0-9.]*\) s; .*/\1/p' "$T/err")
check "... the throttled host was throttled" grep -q '^invdump: \[throttled\] .*, [1-9][0-9]* throttled' "$T/err"
check "... the free host never was" grep -q '^invdump: \[free\] .*, 0 throttled' "$T/err"
check "... and was not slowed by the other's limiter (free ${tb} s, throttled ${ta} s)" \
	awk -v a="$ta" -v b="$tb" 'BEGIN { exit !(a != "" && b != "" && b < a / 2) }'

# Messages name their target; --manifest with --jobs is the run's: every
# target, failed or not.
cat >"$T/mixed.ini" <<EOF
[good]
url = $B/offset/items
output = $T/good.ndjson.gz

[missing]
url = $B/no/such/path
output = $T/missing.ndjson.gz
EOF
chmod 600 "$T/mixed.ini"
run_invdump -w 4 --jobs "$T/mixed.ini" --manifest "$T/run.json"
check "a failing target: the run's status is 1" status_is 1
check "its error line names it" grep -q '^invdump: \[missing\] offset 0: GET .*HTTP 404' "$T/err"
check "the run's manifest is written, mode 0600" sh -c "[ \"\$(stat -c %a '$T/run.json')\" = 600 ]"
if command -v python3 >/dev/null 2>&1; then
	check "the run's manifest: both targets, their statuses, files and error" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
t = {x["target"]: x for x in m["targets"]}
assert m["targets_total"] == 2 and m["targets_ok"] == 1 and m["exit_status"] == 1
assert [x["target"] for x in m["targets"]] == ["good", "missing"]
assert t["good"]["exit_status"] == 0 and t["good"]["error"] is None
assert t["good"]["items_written"] == 10000 and len(t["good"]["files"]) == 1
assert t["missing"]["exit_status"] == 1 and t["missing"]["files"] == []
assert "404" in t["missing"]["error"] and t["missing"]["verified"] is False
' "$T/run.json"
else
	skip "python3 is not installed"
fi
run_invdump -w 4 -l 10 --jobs "$T/mixed.ini"
check "a target's option on the command line with --jobs: status 2" status_is 2
check "... it says where it belongs" err_has "--limit is a target's option: with --jobs, set it in"

# Each target trusts its own CA: cacert in a section is that target's.
if make_test_ca; then
	start_mock --items 300 --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
	S="https://127.0.0.1:$PORT"
	curl -sS --cacert "$T/ca.pem" -o "$T/truthS" "$S/truth"
	cat >"$T/tls.ini" <<EOF
[trusted]
url = $S/offset/items
cacert = $T/ca.pem
output = $T/trusted.ndjson.gz

[untrusted]
url = $S/offset/items
output = $T/untrusted.ndjson.gz
EOF
	chmod 600 "$T/tls.ini"
	run_invdump -w 4 --jobs "$T/tls.ini"
	check "cacert in one section: that target trusts the CA" \
		sh -c "gzip -dc '$T/trusted.ndjson.gz' | cmp -s - '$T/truthS'"
	check "... the other does not (status 4)" sh -c "[ $rc -eq 4 ] && grep -q '^invdump: \[untrusted\] .*certificate' '$T/err'"
	check "... and published nothing" test ! -e "$T/untrusted.ndjson.gz"
else
	skip "openssl cannot make a test CA here"
	skip "openssl cannot make a test CA here"
	skip "openssl cannot make a test CA here"
fi

# Flags of this file are in --help.
"$INVDUMP" --help >"$T/help"
for f in per-host window-bytes no-hedge; do
	check "--help lists --$f" grep -q -- "--$f" "$T/help"
done

done_testing
