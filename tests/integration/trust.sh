#!/bin/sh
# trust.sh - trust nothing the server says: servers that ignore the paging
# parameters, return more than asked, name the next page in other fields
# or on another origin, announce absurd totals, change under the run,
# dress errors as 200, throttle with a 403, hang, or reset the handshake.
# Each must end in the documented failure (or an exact file), never in
# status 0 with a wrong file, and never in a run that does not end.
# (Issue "Trust nothing the server says"; the mock's side is documented at
# the top of tests/mockapi/main.c.)
. "$TESTS_SRCDIR/integration/setup.sh"

# Time limits are stretched under valgrind.
slow=1
if [ "$INVDUMP_VALGRIND" = 1 ]; then slow=5; fi

# run_within SECS ARGS...: run_invdump, but killed after SECS seconds (then
# rc is 124, or 137 if it had to be killed hard); the time taken in $ms.
run_within() {
	lim=$(($1 * slow)); shift
	t0=$(date +%s%N)
	set +e
	if [ "$INVDUMP_VALGRIND" = 1 ]; then
		timeout -k 5 "$lim" valgrind -q --error-exitcode=99 \
			--leak-check=full --errors-for-leak-kinds=definite \
			--show-leak-kinds=definite --track-fds=no \
			"$INVDUMP" "$@" 2>"$T/err"
	else
		timeout -k 5 "$lim" "$INVDUMP" "$@" 2>"$T/err"
	fi
	rc=$?
	set -e
	ms=$((($(date +%s%N) - t0) / 1000000))
}

# took_under SECS: the last run_within ended within SECS seconds.
took_under() {
	if [ "$ms" -le $(($1 * slow * 1000)) ]; then return 0; fi
	diag "took ${ms} ms, more than $(($1 * slow)) s (status $rc)"
	return 1
}

# status_in A B...: $rc is one of them.
status_in() {
	for s in "$@"; do [ "$rc" -eq "$s" ] && return 0; done
	diag "exit status $rc, expected one of $*; stderr:" "$(head -n 5 "$T/err")"
	return 1
}

# unpublished FILE: a failed run left nothing at its destination.
unpublished() {
	if [ ! -e "$1" ]; then return 0; fi
	diag "$1 exists after a run that ended in status $rc"
	return 1
}

# exact_out: status 0 and $T/out.gz equals the ground truth in $T/truth.
exact_out() {
	status_is 0 && gzip -dc "$T/out.gz" >"$T/got" && same "$T/got" "$T/truth"
}

# stat_of NAME: a counter from the current mock's /stats.
stat_of() {
	curl -sS --max-time 10 "$BASE/stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# fewer_than N NAME: the current mock's counter NAME is below N.
fewer_than() {
	v=$(stat_of "$2")
	if [ "${v:-999999999}" -lt "$1" ]; then return 0; fi
	diag "$2 is ${v:-unknown}, expected fewer than $1"
	return 1
}

# counter_is N NAME: the current mock's counter NAME is exactly N.
counter_is() {
	v=$(stat_of "$2")
	if [ "${v:-x}" = "$1" ]; then return 0; fi
	diag "$2 is ${v:-unknown}, expected $1"
	return 1
}

# no_secret_to HOSTPAT LOG PATTERN: no request logged with a Host matching
# HOSTPAT carries PATTERN (an extended regex).
no_secret_to() {
	if ! grep -E "\| Host: $1" "$2" | grep -qE -- "$3"; then return 0; fi
	diag "sent to $1:" "$(grep -E "\| Host: $1" "$2" | grep -E -- "$3" | head -n 3)"
	return 1
}

# err_names WORD: stderr has WORD outside the "offset N:" that labels a
# page's messages (which would name the offset parameter by accident).
err_names() {
	if sed -E 's/offset [0-9]+:/@/g' "$T/err" | grep -qF -- "$1"; then return 0; fi
	diag "stderr does not name '$1':" "$(head -n 5 "$T/err")"
	return 1
}

rm_out() { rm -f "$T/out.gz"; }
stop_mock() { kill "$MOCK_PID" 2>/dev/null || true; }

# --- servers that ignore the offset ------------------------------------

start_mock --items 250
fetch "$BASE/truth" "$T/truth"
cp "$T/truth" "$T/truth250"     # the same for every mock of 250 items
rm_out
run_within 60 -o "$T/out.gz" "$BASE/ignore/items"
check "offset ignored (same page every time): status 7" status_is 7
check "... names the offset parameter it sent" err_names "offset"
check "... nothing published" unpublished "$T/out.gz"

rm_out
run_within 60 -o "$T/out.gz" --offset-param skip "$BASE/offset/items"
check "--offset-param the server does not know: status 7" status_is 7
check "... names it" err_has "skip"
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# The same without a total: the pages never run out, the file must not
# grow for ever.  (Latency and two workers keep a run that does not stop
# from filling the disk before the time limit.)
start_mock --items 250 --latency-ms 20
rm_out
run_within 60 -w 2 --no-total -o "$T/out.gz" "$BASE/ignore-nototal/items"
check "offset ignored, --no-total: status 7" status_is 7
check "... within 60 s" took_under 60
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# --- json-server 0.17 -----------------------------------------------------

start_mock --items 250
fetch "$BASE/truth" "$T/truth"
rm_out
run_within 60 -o "$T/out.gz" "$BASE/jsonserver/items"
check "json-server, no flags (no total, every item): status 7" status_is 7
check "... the hint names json-server's parameters" err_has "--offset-param _start"
check "... nothing published" unpublished "$T/out.gz"
rm_out
run_within 60 -o "$T/out.gz" --limit-param _limit "$BASE/jsonserver/items"
check "json-server, --limit-param _limit (a total, offset ignored): status 7" status_is 7
check "... nothing published" unpublished "$T/out.gz"
rm_out
run_within 60 -o "$T/out.gz" --offset-param _start --limit-param _limit "$BASE/jsonserver/items"
check "json-server, --offset-param _start --limit-param _limit: exact" exact_out
stop_mock

start_mock --items 250 --latency-ms 20
rm_out
run_within 60 -w 2 -o "$T/out.gz" --limit-param _limit --no-total "$BASE/jsonserver/items"
check "json-server, --limit-param _limit --no-total: status 7" status_is 7
check "... within 60 s" took_under 60
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# --- DRF PageNumberPagination, and a page bigger than asked --------------

start_mock --items 250
fetch "$BASE/truth" "$T/truth"
rm_out
run_within 60 -p drf -o "$T/out.gz" "$BASE/drf-page/items"
check "drf profile on ?page= pagination: status 7" status_is 7
check "... says the next link pages with page=" err_has "page="
check "... nothing published" unpublished "$T/out.gz"
rm_out
run_within 60 -p cursor --next-path next --items-path results -o "$T/out.gz" "$BASE/drf-page/items"
check "?page= pagination followed by its next links: exact" exact_out

rm_out
run_within 60 -l 50 -o "$T/out.gz" "$BASE/biglimit/items"
check "pages of 3 x limit: status 7" status_is 7
check "... names the limit" err_has "limit"
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# --- the next page in other fields, found without --next-path ----------

start_mock --items 2100
fetch "$BASE/truth" "$T/truth"
for e in "cursor-url results" "next-page items" "odata-next value" "links-next data"; do
	set -- $e
	rm_out
	run_within 60 -p cursor --items-path "$2" -o "$T/out.gz" "$BASE/$1/items"
	check "cursor, no --next-path, /$1 (next in the body): exact, 2100 items" exact_out
done
rm_out
run_within 60 -p cursor --items-path data -o "$T/out.gz" "$BASE/has-more/items"
check "has_more true but no next page named: status 7" status_is 7
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# --- a page-numbered API that changes during the run -------------------

start_mock --items 1000 --drift-after 2 --drift-insert 5
rm_out
run_within 60 -p page -w 1 -o "$T/out.gz" "$BASE/page/items"
check "page: 5 items inserted during the run: status 3" status_is 3
check "... nothing published" unpublished "$T/out.gz"
stop_mock
start_mock --items 1000 --drift-after 2 --drift-delete 5
rm_out
run_within 60 -p page -w 1 -o "$T/out.gz" "$BASE/page/items"
check "page: 5 items deleted during the run: status 3" status_is 3
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# --- absurd totals --------------------------------------------------------

start_mock --items 250 --fake-pages 9223372036854775807
rm_out
run_within 30 -p page -o "$T/out.gz" "$BASE/page/items"
check "page: 2^63-1 pages announced: status 7" status_is 7
check "... at once (within 10 s)" took_under 10
check "... nothing published" unpublished "$T/out.gz"
stop_mock

start_mock --items 250 --fake-total 9223372036854775800
rm_out
run_within 30 -o "$T/out.gz" "$BASE/offset/items"
check "a total of 9223372036854775800: status 3 or 7 (no crash, no hang)" status_in 3 7
check "... within 30 s" took_under 30
stop_mock

start_mock --items 250 --fake-total 1000000000000
rm_out
run_within 30 -o "$T/out.gz" "$BASE/offset/items"
check "a total of 10^12 over 250 items: status 3" status_is 3
check "... within 30 s" took_under 30
check "... stops at the first empty page (under 100 requests)" fewer_than 100 requests
stop_mock

# --- next links to another origin, redirects -----------------------------

# B is the other origin (localhost, another port); A's next links and
# redirects lead there.  Both serve the same dataset.
start_mock --items 250 --log "$T/b.log"
B=$BASE; BPORT=$PORT
start_mock --items 250 --log "$T/a.log" --next-origin "http://localhost:$BPORT"
A=$BASE
fetch "$A/truth" "$T/truth"
cursor="-p cursor --next-path next --items-path results"

rm_out
run_within 60 $cursor -u user:pw -o "$T/out.gz" "$A/cursor-url/items"
check "a next link to another origin, with -u: status 7" status_is 7
check "... names the other origin" err_has "localhost:$BPORT"
check "... nothing published" unpublished "$T/out.gz"
check "... the credentials never reach it" no_secret_to localhost "$T/b.log" "Authorization"
rm_out
run_within 60 $cursor -H "X-Api-Key: sekret" -o "$T/out.gz" "$A/cursor-url/items"
check "a next link to another origin, with -H X-Api-Key: status 7" status_is 7
check "... names the other origin" err_has "localhost:$BPORT"
check "... the key never reaches it" no_secret_to localhost "$T/b.log" "sekret"
rm_out
run_within 60 -p cursor --items-path data -H "X-Api-Key: sekret" -o "$T/out.gz" "$A/cursor/items"
check "a Link rel=next to another origin, with -H X-Api-Key: status 7" status_is 7
check "... the key never reaches it" no_secret_to localhost "$T/b.log" "sekret"
rm_out
: >"$T/b.log"
run_within 60 $cursor --allow-origin "http://localhost:$BPORT" -o "$T/out.gz" "$A/cursor-url/items"
check "--allow-origin the other origin: followed, exact" exact_out
check "... the pages after the first came from it" grep -q "GET /cursor-url/items?limit=100&after=100 .*Host: localhost:$BPORT" "$T/b.log"

# Redirects to another origin with credentials are refused outright.
# (/redirect-keep passes the paging parameters on, so that following it
# would give an exact file: only the credentials make it an error.)
: >"$T/b.log"
rm_out
run_within 60 -u user:pw -o "$T/out.gz" "$A/redirect-keep?to=http://localhost:$BPORT/offset/items"
check "a redirect to another origin, with -u: status 7" status_is 7
check "... nothing published" unpublished "$T/out.gz"
check "... the credentials never reach it" no_secret_to localhost "$T/b.log" "Authorization"
rm_out
run_within 60 -H "X-Api-Key: sekret" -o "$T/out.gz" "$A/redirect-keep?to=http://localhost:$BPORT/offset/items"
check "a redirect to another origin, with -H X-Api-Key: status 7" status_is 7
check "... the key never reaches it" no_secret_to localhost "$T/b.log" "sekret"

# https to http: a private CA as in tls.sh; C serves TLS, its next links
# point to plain http on B (another origin, and a downgrade).
make_test_ca
start_mock --items 250 --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" \
	--next-origin "http://127.0.0.1:$BPORT"
C="https://127.0.0.1:$PORT"
: >"$T/b.log"
rm_out
run_within 60 $cursor --cacert "$T/ca.pem" -u user:pw -o "$T/out.gz" "$C/cursor-url/items"
check "https to an http next link: status 7" status_is 7
check "... the credentials never go over plain http" no_secret_to 127.0.0.1 "$T/b.log" Authorization
: >"$T/b.log"
rm_out
run_within 60 $cursor --cacert "$T/ca.pem" -u user:pw --allow-origin "http://127.0.0.1:$BPORT" \
	-o "$T/out.gz" "$C/cursor-url/items"
check "https to an http next link, even with --allow-origin: status 7" status_is 7
check "... the credentials never go over plain http" no_secret_to 127.0.0.1 "$T/b.log" Authorization
stop_mock

# --- errors dressed as 200, throttles, hangs -----------------------------

start_mock --items 250
rm_out
run_within 60 -o "$T/out.gz" "$BASE/detail-error/items"
check "200 {\"detail\":\"Invalid page.\"}: status 7" status_is 7
# page 0 and up to 9 pages asked with it (10 workers), each once
check "... asked once, not retried" sh -c "[ $(stat_of requests) -le 10 ]"
stop_mock

start_mock --items 1037 --fault 403ra:0.3
fetch "$BASE/truth" "$T/truth"
rm_out
run_within 60 --retries 5 -o "$T/out.gz" "$BASE/offset/items"
check "403 with Retry-After (a secondary rate limit), on some pages: exact" exact_out
check "... (the fault was injected)" test "$(stat_of faults)" -gt 0
stop_mock
start_mock --items 250 --fault 403ra:1:0
rm_out
run_within 60 --retries 1 -o "$T/out.gz" "$BASE/offset/items"
check "403 with Retry-After for ever: status 5 (rate-limited)" status_is 5
stop_mock

start_mock --items 1037 --fault 503ra0:0.3
fetch "$BASE/truth" "$T/truth"
rm_out
run_within 60 --retries 5 -o "$T/out.gz" "$BASE/offset/items"
check "503 with Retry-After: 0 on some pages: exact" exact_out
check "... (the fault was injected)" test "$(stat_of faults)" -gt 0
check "... one retry per fault, no more" fewer_than $((11 + $(stat_of faults) + 2)) requests
stop_mock
start_mock --items 250 --fault 503ra0:1:0@100
rm_out
run_within 60 -w 1 --retries 3 -o "$T/out.gz" "$BASE/offset/items"
check "503 with Retry-After: 0 for ever on one page: status 1" status_is 1
# 4 requests for that page; the others (0, 2 and the total's re-read) may be
# asked while it waits for its retries.
check "... not a hot loop: 3 retries of that page, no more" sh -c "[ $(stat_of faults) -eq 4 ] && [ $(stat_of requests) -le 7 ]"
stop_mock

start_mock --items 250 --hang
rm_out
run_within 20 --speed-time 2 --retries 1 --connect-timeout 5 -o "$T/out.gz" "$BASE/offset/items"
check "a server that never answers, --speed-time 2 --retries 1: status 1" status_is 1
check "... within 20 s" took_under 20
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# One page fails for good (404) while the others stall: the run ends at
# once instead of waiting out its siblings' stalls and retries.  Page 0 is
# fetched alone first; then the 4 workers take the pages at 100, 200, 300
# (which stall for 60 s, every time) before the one at 400 (404, every
# time), so three transfers are under way when the 404 comes.
start_mock --items 1000 --fault stall:1:0@100-300 --fault 404:1:0@400
rm_out
run_within 30 -w 4 -o "$T/out.gz" "$BASE/offset/items"
check "a 404 on one page, stalls on the others: status 1" status_is 1
check "... within 10 s" took_under 10
check "... nothing published" unpublished "$T/out.gz"
stop_mock

# --- a reset during the handshake is transient ----------------------------

# (The first connection is the one reset: /truth is taken from an earlier
# mock of the same size.)
start_mock --items 250 --reset-first 1
cp "$T/truth250" "$T/truth"
rm_out
run_within 60 -o "$T/out.gz" "$BASE/offset/items"
check "http: the first connection reset: retried, exact" exact_out
check "... (it was reset)" counter_is 1 resets
stop_mock

start_mock --items 250 --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --reset-first 1
S="https://127.0.0.1:$PORT"
cp "$T/truth250" "$T/truth"
rm_out
run_within 60 --cacert "$T/ca.pem" -o "$T/out.gz" "$S/offset/items"
check "https: the first connection reset in the TLS handshake: retried, exact" exact_out
check "... (it was reset)" sh -c "curl -sS --cacert '$T/ca.pem' '$S/stats' | grep -q '\"resets\":1'"
stop_mock

done_testing
