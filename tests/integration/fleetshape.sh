#!/bin/sh
# fleetshape.sh - the fleet as people have it: many appliances, each on an
# address of its own, asked a few small things each (a list that fits in
# one page and two single objects), some of them slow, written as a jobs
# file with [defaults] and one section per call.  What the servers count:
# one request per call, at most one past the end of a list whose size
# nothing tells, only its own tries for a dead appliance; and the run's
# threads stay the same however many targets it has (W + 2).
. "$TESTS_SRCDIR/integration/setup.sh"

# Twelve appliances on 127.0.0.21 .. 127.0.0.32; the last two are slow.
# (dev, not i: start_mock's wait counts with i.)
n=12
dev=0
: >"$T/servers"
while [ "$dev" -lt "$n" ]; do
	lat=0
	[ "$dev" -ge $((n - 2)) ] && lat=1500
	start_mock --address "127.0.0.$((21 + dev))" --items 40 --latency-ms "$lat"
	echo "$dev $BASE" >>"$T/servers"
	dev=$((dev + 1))
done

# jobs.ini: [defaults], then three sections per appliance.
{
	printf '[defaults]\nprofile = f5\nlimit = 100\n'
	while read -r i base; do
		printf '\n[pools-%s]\nurl = %s/f5/mgmt/tm/ltm/pool\n' "$i" "$base"
		printf 'output = %s/out/pools-%s.ndjson.gz\n' "$T" "$i"
		printf '\n[version-%s]\nprofile = object\n' "$i"
		printf 'url = %s/f5/mgmt/tm/sys/version\n' "$base"
		printf 'output = %s/out/version-%s.ndjson\n' "$T" "$i"
		printf '\n[failover-%s]\nprofile = object\n' "$i"
		printf 'url = %s/f5/mgmt/tm/cm/failover-status\n' "$base"
		printf 'output = %s/out/failover-%s.ndjson\n' "$T" "$i"
	done <"$T/servers"
} >"$T/jobs.ini"
chmod 600 "$T/jobs.ini"
mkdir "$T/out"
calls=$((3 * n))

run_invdump -w 8 --jobs "$T/jobs.ini"
[ "$rc" -eq 0 ] || diag "status $rc:" "$(grep -v '\] [0-9]* items, ' "$T/err" | tail -n 20)"
check "$calls calls on $n appliances: status 0" status_is 0
check "... $calls of $calls targets succeeded" err_has "$calls of $calls targets succeeded"

# Every output byte for byte; the servers' request counts, summed.
bad=0 requests=0
while read -r i base; do
	fetch "$base/truth" "$T/truth"
	fetch "$base/truth-object" "$T/truth-version"
	fetch "$base/truth-object?path=/f5/mgmt/tm/cm/failover-status" "$T/truth-failover"
	gzip -dc "$T/out/pools-$i.ndjson.gz" | cmp -s - "$T/truth" || { bad=1; diag "pools-$i differs"; }
	cmp -s "$T/out/version-$i.ndjson" "$T/truth-version" || { bad=1; diag "version-$i differs"; }
	cmp -s "$T/out/failover-$i.ndjson" "$T/truth-failover" || { bad=1; diag "failover-$i differs"; }
	fetch "$base/stats" "$T/stats"
	r=$(sed 's/.*"requests":\([0-9]*\).*/\1/' "$T/stats")
	requests=$((requests + r))
done <"$T/servers"
check "... every output byte for byte its server's truth" test "$bad" -eq 0
check "... one request per call: $calls (the servers counted $requests)" test "$requests" -eq "$calls"

# A list whose size nothing tells (--no-total): 250 items in pages of 100
# take three requests; a target of many asks at most one more.
start_mock --items 250
NT=$BASE
printf '[list]\nprofile = offset\nno-total\nlimit = 100\nurl = %s/offset/items\noutput = %s/out/nt.ndjson.gz\n' \
	"$NT" "$T" >"$T/nt.ini"
printf '[version]\nprofile = object\nurl = %s/f5/mgmt/tm/sys/version\noutput = %s/out/nt-v.ndjson\n' \
	"$NT" "$T" >>"$T/nt.ini"
chmod 600 "$T/nt.ini"
run_invdump -w 8 --jobs "$T/nt.ini"
fetch "$NT/truth" "$T/truth-nt"
fetch "$NT/stats" "$T/stats"
r=$(sed 's/.*"requests":\([0-9]*\).*/\1/' "$T/stats")
check "--no-total in a jobs run: status 0" status_is 0
check "... byte for byte" sh -c "gzip -dc '$T/out/nt.ndjson.gz' | cmp -s - '$T/truth-nt'"
# The three pages, at most one past the end, and the object's one.
check "... at most one request past the end (the server counted $r of at most 5)" \
	test "$r" -ge 4 -a "$r" -le 5

# A dead appliance among live ones: its page 0's own tries, nothing else.
hold_dead_port
printf '[dead]\nprofile = f5\nurl = %s/f5/mgmt/tm/ltm/pool\noutput = %s/out/dead.ndjson.gz\n' \
	"$DEAD_BASE" "$T" >"$T/dead.ini"
printf '[live]\nprofile = object\nurl = %s/f5/mgmt/tm/sys/version\noutput = %s/out/live.ndjson\n' \
	"$NT" "$T" >>"$T/dead.ini"
chmod 600 "$T/dead.ini"
run_invdump -w 8 --retries 2 --jobs "$T/dead.ini"
check "a dead appliance: status 1" status_is 1
check "... the live one is published" test -s "$T/out/live.ndjson"
check "... the dead one cost its three tries, nothing asked early" \
	grep -q '^invdump: \[dead\] 0 items, 0 pages, .*; requests in all: 3, 2 retried' "$T/err"

# What the run before found: with --manifest, a target that had pages
# asks them at once (a first round, on the threads lent to it) instead of
# page 0 alone.  The second server holds page 0's answer until it has
# counted 4 list requests: a run that asks page 0 alone waits out its
# stall limit and asks page 0 again, 11 requests.  Matched by the section's
# name, so the second run may ask another server.
start_mock --items 1000
K1=$BASE
start_mock --items 1000 --hold-first 4
K2=$BASE
fetch "$K1/truth" "$T/truth-k"
known_ini() {
	printf '[big]
profile = offset
limit = 100
url = %s/offset/items
output = %s/out/big.ndjson.gz
' \
		"$1" "$T" >"$T/known.ini"
	chmod 600 "$T/known.ini"
}
known_ini "$K1"
run_invdump -w 4 --no-hedge --manifest "$T/known.json" --jobs "$T/known.ini"
check "a first run with --manifest: status 0" status_is 0
check "... its manifest says the 10 pages" grep -q '"pages":10' "$T/known.json"
known_ini "$K2"
run_invdump -w 4 --no-hedge --manifest "$T/known.json" --jobs "$T/known.ini"
check "the next run: status 0" status_is 0
check "... byte for byte" sh -c "gzip -dc '$T/out/big.ndjson.gz' | cmp -s - '$T/truth-k'"
fetch "$K2/stats" "$T/stats"
r=$(sed 's/.*"requests":\([0-9]*\).*/\1/' "$T/stats")
check "... pages 1-3 asked with page 0: 10 requests (the server counted $r)" test "$r" -eq 10

# Threads: the most a run had at once, sampled from /proc while it runs
# (not under valgrind, whose threads are its own).  A run's threads are the
# crew's W workers, the main thread and the signal thread: W + 2, for one
# target or a thousand, with --expand (two pools and a listing per
# target) or without.  Each run lasts a second or more (slow mocks), so
# that a sampler slowed by a loaded machine still sees it under way.  A
# sanitizer's runtime may add a thread of its own (ThreadSanitizer's
# background thread): a run with -w 1 tells how many, 3 + that.  (setup.sh's
# max_threads.)
# many_ini FILE N BASE [KEY = VALUE]: a jobs file of N one-page lists.
many_ini() {
	{
		printf '[defaults]\nprofile = offset\nlimit = 100\n'
		[ -n "${4:-}" ] && printf '%s\n' "$4"
		i=0
		while [ "$i" -lt "$2" ]; do
			printf '[t%d]\nurl = %s/offset/items?n=%d\noutput = %s/many/t%d.ndjson.gz\n' \
				"$i" "$3" "$i" "$T" "$i"
			i=$((i + 1))
		done
	} >"$1"
	chmod 600 "$1"
}
start_mock --items 40 --latency-ms 5
MANY=$BASE
many_ini "$T/many.ini" 200 "$MANY"
many_ini "$T/k.ini" 1000 "$MANY"
mkdir "$T/many"
max_threads -w 4 --jobs "$T/k.ini"
k_threads=$most
fetch "$MANY/truth" "$T/truth-many"
same_all=0
for f in "$T"/many/t0.ndjson.gz "$T"/many/t500.ndjson.gz "$T"/many/t999.ndjson.gz; do
	gzip -dc "$f" | cmp -s - "$T/truth-many" || same_all=1
done
check "1000 targets on one host: every one published, byte for byte" \
	test "$same_all" -eq 0 -a "$(ls "$T/many" | wc -l)" -eq 1000
fetch "$MANY/stats" "$T/stats"
r=$(sed 's/.*"requests":\([0-9]*\).*/\1/' "$T/stats")
check "... one request each (the server counted $r)" test "$r" -eq 1000
start_mock --items 2000 --latency-ms 200
max_threads -w 1 -l 500 -o "$T/one.ndjson" "$BASE/offset/items"
rt=$((most - 3))
check "one target, -w 1: W + 2 = 3 threads, and at most one of the runtime's (had $most)" \
	test "$rt" -ge 0 -a "$rt" -le 1
want=$((6 + rt))
max_threads -w 4 -l 100 -o "$T/one.ndjson" "$BASE/offset/items"
check "one target of 20 pages, -w 4: W + 2 = 6 threads at most (had $most, runtime's $rt)" \
	test "$most" -eq "$want"
check "... 1000 targets, -w 4: the same (had $k_threads)" test "$k_threads" -eq "$want"

# --expand: the same, one target of 40 items and 1000 of one item each.
start_mock --items 40 --latency-ms 100
max_threads -w 4 -o "$T/one-x.ndjson" --expand "$BASE/items/{id}" "$BASE/offset/items"
check "--expand, one target of 40 details, -w 4: the same (had $most)" \
	test "$most" -eq "$want"
start_mock --items 1 --latency-ms 5
rm -rf "$T/many" && mkdir "$T/many"
many_ini "$T/kx.ini" 1000 "$BASE" "expand = $BASE/items/{id}"
max_threads -w 4 --jobs "$T/kx.ini"
check "... 1000 targets with --expand, -w 4: the same (had $most)" \
	test "$most" -eq "$want"
check "... every one published" test "$(ls "$T/many" | wc -l)" -eq 1000
fetch "$BASE/stats" "$T/stats"
r=$(sed 's/.*"requests":\([0-9]*\).*/\1/' "$T/stats")
check "... a listing and a detail each (the server counted $r)" test "$r" -eq 2000

# With [defaults] and hundreds of sections, under valgrind in that build.
run_invdump -w 4 --jobs "$T/many.ini"
check "the 200 sections again, as the suite runs invdump: status 0" status_is 0

done_testing
