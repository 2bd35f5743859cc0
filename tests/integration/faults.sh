#!/bin/sh
# faults.sh - transient faults are ridden out and the output is exactly
# what a run without faults gives; permanent ones fail with their status,
# a message showing the body, and nothing at the destination.
. "$TESTS_SRCDIR/integration/setup.sh"

mkdir "$T/d"
nothing_left() { [ -z "$(ls -A "$T/d")" ]; }
stat_of() { curl -s "$BASE/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# Transient faults on 30% of pages (each page fails once, then succeeds).
for kind in 500 503 429 429date 403rl html502 drop gzip-trunc gzip-half; do
	start_mock --items 2000 --gzip --fault "$kind:0.3"
	fetch "$BASE/truth" "$T/truth"
	run_invdump -w 4 --retries 3 -o "$T/d/out.gz" "$BASE/offset/items"
	faults=$(stat_of faults)
	if status_is 0 && gzip -dc "$T/d/out.gz" | cmp -s - "$T/truth" && [ "$faults" -gt 0 ]; then
		ok "$kind on 30% of pages: retried, output exact ($faults faults)"
	else
		not_ok "$kind on 30% of pages: retried, output exact ($faults faults)"
	fi
	# A gzip body missing only its trailer still holds the whole JSON:
	# the complete parse and the item count accept it without a retry.
	if [ "$kind" != gzip-trunc ]; then
		check "$kind: the retries are reported" err_has "retried"
	fi
	rm -f "$T/d/out.gz"
	kill "$MOCK_PID"
done

# A stalled body: the stall limit ends the transfer and the page is retried.
start_mock --items 500 --fault stall:0.5
fetch "$BASE/truth" "$T/truth"
run_invdump -w 4 --speed-limit 1000 --speed-time 2 -o "$T/d/out.gz" "$BASE/offset/items"
check "a stalled body is cut off and retried: status 0" status_is 0
check "a stalled body: output exact" sh -c "gzip -dc '$T/d/out.gz' | cmp -s - '$T/truth'"
rm -f "$T/d/out.gz"

# A stalled body with a stall limit far away: a second request on another
# connection (a hedge) answers first; the stalled one is dropped.  Hedges
# are at most 5% of the requests (the first one always may go): 6000
# items, 60 pages, leave room for two more than the stalled page's, for
# a request that a slow run (valgrind) sees without a byte for 1 s too.
# Each hedge is said, and the count at the end is theirs.
start_mock --items 6000 --latency-ms 20 --fault stall:1:1@500
fetch "$BASE/truth" "$T/truth"
run_invdump -v -w 4 --speed-time 120 -o "$T/d/out.gz" "$BASE/offset/items"
check "a stalled body, hedged: status 0" status_is 0
check "a stalled body, hedged: output exact" sh -c "gzip -dc '$T/d/out.gz' | cmp -s - '$T/truth'"
check "a stalled body, hedged: said with -v" err_has "offset 500: no byte for"
hedges=$(grep -c "no byte for" "$T/err" || true)
check "a stalled body, hedged: counted ($hedges said)" grep -Eq "invdump: $hedges hedged requests" "$T/err"
rm -f "$T/d/out.gz"
start_mock --items 2000 --latency-ms 20 --fault stall:1:1@500
run_invdump -v --no-hedge -w 4 --speed-time 2 -o "$T/d/out.gz" "$BASE/offset/items"
check "--no-hedge: no hedge, the stall limit and a retry instead" sh -c "[ $rc -eq 0 ] && ! grep -q hedged '$T/err' && grep -q 'retry 1 of' '$T/err'"
rm -f "$T/d/out.gz"

# Faults that never stop: the run gives up with the right status.
start_mock --items 500 --fault 503:1:0 --fault stall:0
run_invdump -w 2 --retries 2 -o "$T/d/out.gz" "$BASE/offset/items"
check "503 for ever: status 1" status_is 1
check "503 for ever: says it gave up" err_has "gave up on this page after 3 attempts"
check "503 for ever: nothing left" nothing_left

start_mock --items 500 --fault 429:1:0
run_invdump -w 2 --retries 2 -o "$T/d/out.gz" "$BASE/offset/items"
check "429 for ever: status 5 (throttled)" status_is 5
check "429 for ever: nothing left" nothing_left

start_mock --items 500 --fault stall:1:0
run_invdump -w 2 --retries 1 --speed-limit 1000 --speed-time 1 -o "$T/d/out.gz" "$BASE/offset/items"
check "a stall for ever: status 1" status_is 1
check "a stall for ever: says why" err_has "too slow"
check "a stall for ever: nothing left" nothing_left

# Hostile bodies: not retried, reported with the first bytes, status 7.
start_mock --items 500 --fault errorobj:1:0
run_invdump -o "$T/d/out.gz" "$BASE/offset/items"
check "200 with an error object: status 7" status_is 7
check "200 with an error object: shows the body" err_has '{\"error\"'
check "200 with an error object: names the URL" err_has "$BASE/offset/items?offset=0&limit=100"
# Page 0 and up to 9 pages asked with it (10 workers), each once.
check "200 with an error object: not retried" sh -c "[ \$(curl -s '$BASE/stats' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"requests\"])') -le 10 ]"

start_mock --items 500 --fault huge:1:0
run_invdump --max-body 10M -o "$T/d/out.gz" "$BASE/offset/items"
check "a huge body: status 7" status_is 7
check "a huge body: over --max-body" err_has "over --max-body"
run_invdump --max-item 1M -o "$T/d/out.gz" "$BASE/offset/items"
check "a huge item: status 7 under --max-item" status_is 7

start_mock --items 500 --fault deep:1:0
run_invdump -o "$T/d/out.gz" "$BASE/offset/items"
check "100000-deep nesting: status 7" status_is 7
check "100000-deep nesting: says so" err_has "deep"

start_mock --items 500 --fault badutf8:0.5:0
run_invdump -o "$T/d/out.gz" "$BASE/offset/items"
check "invalid UTF-8: status 7" status_is 7
check "invalid UTF-8: says so" err_has "UTF"
check "hostile bodies: nothing left" nothing_left

# A server allowing 20 requests/s: the shared limiter keeps 429s few.
start_mock --items 6000 --rate 20
fetch "$BASE/truth" "$T/truth"
run_invdump -w 8 -o "$T/d/rl.gz" "$BASE/offset/items"
n429=$(stat_of status_429)
check "rate-limited server: status 0" status_is 0
check "rate-limited server: output exact" sh -c "gzip -dc '$T/d/rl.gz' | cmp -s - '$T/truth'"
check "rate-limited server: fewer 429s than pages ($n429 < 60)" test "$n429" -lt 60
rm -f "$T/d/rl.gz"

# --rate as a ceiling: a server that would refuse more never sees more.
start_mock --items 3000 --rate 25
run_invdump -w 8 --rate 10 -o "$T/d/rate.gz" "$BASE/offset/items"
check "--rate 10 against a 25/s server: status 0" status_is 0
check "--rate 10 against a 25/s server: no 429 at all" test "$(stat_of status_429)" -eq 0
rm -f "$T/d/rate.gz"

# A server that says its quota (RateLimit-Remaining/-Reset) is not asked
# past it: only the first round, sent before any answer, can be refused.
start_mock --items 3000 --rate 20 --rate-headers
fetch "$BASE/truth" "$T/truth"
run_invdump -w 10 -o "$T/d/quota.gz" "$BASE/offset/items"
check "RateLimit headers from a 20/s server: exact" sh -c "[ $rc -eq 0 ] && gzip -dc '$T/d/quota.gz' | cmp -s - '$T/truth'"
check "RateLimit headers: at most a few 429 (got $(stat_of status_429))" test "$(stat_of status_429)" -le 5
rm -f "$T/d/quota.gz"

# --max-time ends the whole run.
start_mock --items 5000 --latency-ms 300
run_invdump -w 2 --max-time 1 -o "$T/d/mt.gz" "$BASE/offset/items"
check "--max-time 1: status 1" status_is 1
check "--max-time 1: says so" err_has "--max-time 1 s reached"
check "--max-time: nothing left" nothing_left

done_testing
