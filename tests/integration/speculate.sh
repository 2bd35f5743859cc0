#!/bin/sh
# speculate.sh - the first round: pages 1..W-1 are asked together with page
# 0, before the total is known.  Nothing past the end is written, at most
# W - 1 requests are wasted (and said with -v), a page size the server
# clamps makes the early pages be asked again (their items never written),
# the checks every page passes still apply, and --rate, --no-total and one
# worker ask nothing early.
#
# Where a check counts what was asked early, the server holds page 0's
# answer until it has counted W requests, page 0's and the W - 1 early
# ones (--hold-first W): a worker slow to start (valgrind, a loaded
# machine) still asks early, and a client that does not ask early waits
# out the hold (its 60 s, or invdump's 30 s stall limit, then page 0
# again) and fails the count.  Those runs say --no-hedge: a second request
# for page 0 while it is held would be counted (and could end the hold).
# Elsewhere a latency makes page 0 slow enough for the other workers to
# start their early pages before it returns.
. "$TESTS_SRCDIR/integration/setup.sh"

exact() {
	desc=$1; shift
	run_invdump -v -o "$T/out.gz" "$@"
	if status_is 0 && gzip -dc "$T/out.gz" >"$T/got" && same "$T/got" "$T/truth"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}
requests() { curl -s "$BASE/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
# requests_are N: the server counted N list requests; else says what it
# counted and invdump's last lines.
requests_are() {
	n=$(requests)
	if [ "$n" = "$1" ]; then return 0; fi
	diag "the server counted '$n' requests, not $1; invdump said:" "$(grep -v '^==' "$T/err" | tail -n 4)"
	return 1
}

# 250 items, pages of 100, 10 workers: 3 pages, 7 asked past the end.
start_mock --items 250 --hold-first 10
fetch "$BASE/truth" "$T/truth"
exact "250 items, 10 workers: exact" -w 10 --no-hedge "$BASE/offset/items"
check "... 7 requests past the end, said with -v" err_has "7 speculative requests past the end"
check "... 10 requests in all: page 0 and the 9 asked with it" requests_are 10
check "... and no second read of the total (every page carries it)" sh -c "! grep -q 'offset=0&limit=1:' '$T/err'"

# A server of its own for each: the hold is the first page 0's only.
for p in softlayer range drf odata scim page; do
	case $p in softlayer) u="softlayer/SoftLayer_Account/getVirtualGuests.json";;
		range) u=range/items;; drf) u=drf/items;; odata) u=odata/items;;
		scim) u=scim/Users;; page) u=page/items;; esac
	start_mock --items 250 --hold-first 6
	exact "$p: 250 items, 6 workers: exact" -p $p -l 100 -w 6 --no-hedge "$BASE/$u"
	check "... $p: 3 requests past the end" err_has "3 speculative requests past the end"
done

# A clamped page size: the early pages were asked for 100 items at offsets
# 100, 200, ...: the wrong items for pages of 30.
start_mock --items 2000 --max-limit 30 --hold-first 10
fetch "$BASE/truth" "$T/truth"
exact "a server clamping 100 to 30, 10 workers: exact" -w 10 --no-hedge "$BASE/offset/items"
check "... the 9 early pages are asked again with the right size" err_has "9 speculative requests asked for 100 items where the server pages by 30: asked again"
check "... 67 pages and the 9 asked again" requests_are 76
start_mock --items 2000 --max-limit 30 --latency-ms 300
for p in range drf odata scim page; do
	case $p in range) u=range/items;; drf) u=drf/items;; odata) u=odata/items;;
		scim) u=scim/Users;; page) u=page/items;; esac
	exact "$p: a server clamping 100 to 30, 4 workers: exact" -p $p -l 100 -w 4 "$BASE/$u"
done

# No early pages under --rate, --no-total, or with one worker.  (No hold
# here: page 0 would wait out its 60 s.)
start_mock --items 250 --latency-ms 300
fetch "$BASE/truth" "$T/truth"
exact "--rate: exact" -w 10 --rate 100 --no-hedge "$BASE/offset/items"
check "... nothing asked early" requests_are 3
start_mock --items 250 --latency-ms 300
exact "-w 1: exact" -w 1 --no-hedge "$BASE/offset/items"
check "... nothing asked early" requests_are 3
start_mock --items 250 --latency-ms 300
fetch "$BASE/truth" "$T/truth"
exact "--no-total: exact" -w 10 --no-total "$BASE/nototal/items"
check "... no page past the end but the probing's" sh -c "! grep -q speculative '$T/err'"

# The checks apply to the early pages: a server that ignores the offset
# (every page is page 0) is caught on them too.
start_mock --items 1000 --latency-ms 300
run_invdump -w 10 -o "$T/ign.gz" "$BASE/ignore/items"
check "a server ignoring the offset, with early pages: status 7" status_is 7
check "... and says so" err_has "starts with the same item as offset 0"
check "... nothing published" test ! -e "$T/ign.gz"

# A failure on an early page past the end is not the run's: the page is
# dropped unseen.  (404 on every page from offset 300 on.)
start_mock --items 250 --hold-first 10 --fault 404:1:0@300-
fetch "$BASE/truth" "$T/truth"
exact "404 past the end on the early pages: exact" -w 10 --no-hedge "$BASE/offset/items"
check "... the 7 past the end were asked early" err_has "7 speculative requests past the end"

# A failure of page 0 is said once, as the run's.
start_mock --items 250 --latency-ms 300 --fault errorobj:1:0
run_invdump -w 10 -o "$T/e.gz" "$BASE/offset/items"
check "every page a 200 error object: status 7" status_is 7
check "... said once" test "$(grep -c 'error' "$T/err")" -eq 1

# While the first requests wait for their answers (20 ms and more), every
# worker faults in its compressor and NDJSON buffer once (fetch.c,
# fetcher_warm): the pages written into that buffer afterwards are the
# pages, with and without compression, with --key (lines kept for the
# emitter), and with --no-hedge (no such wait is seen: nothing warmed).
start_mock --items 3000 --latency-ms 40
fetch "$BASE/truth" "$T/truth"
exact "first answers after 40 ms, 8 workers: exact" -w 8 "$BASE/offset/items"
run_invdump -w 8 --compress none -o "$T/plain" "$BASE/offset/items"
if status_is 0 && same "$T/plain" "$T/truth"; then ok "... --compress none: exact"
else not_ok "... --compress none: exact"; fi
exact "... --key id: exact" -w 8 --key id "$BASE/offset/items"
exact "... --no-hedge: exact" -w 8 --no-hedge "$BASE/offset/items"
exact "... pages of 7 items, 16 workers: exact" -w 16 -l 7 "$BASE/offset/items"

done_testing
