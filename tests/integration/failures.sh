#!/bin/sh
# failures.sh - each failure names the URL (never the secret), exits with
# its documented status, and leaves nothing at the destination.
. "$TESTS_SRCDIR/integration/setup.sh"

nothing_left() {
	if [ -e "$T/out.gz" ] || ls -A "$T/dest" | grep -q .; then
		diag "left behind: $(ls -A "$T/dest")"
		return 1
	fi
	return 0
}
mkdir "$T/dest"

start_mock --items 500 --require-user alice:s3cret-key
AUTHED=$BASE

# Connection refused: a port held by a socket that does not listen.
hold_dead_port
dead=$DEAD_BASE
run_invdump -o "$T/dest/out.gz" --retries 2 "$dead/offset/items"
check "connection refused: status 1" status_is 1
check "connection refused: retried, then given up" err_has "gave up on this page after 3 attempts"
check "connection refused: names the URL" err_has "$dead/offset/items?offset=0&limit=100"
check "connection refused: says so" err_has "onnect"
check "connection refused: nothing left" nothing_left

# DNS failure, in a network namespace of our own so no query leaves (a
# user namespace too, so that it needs no root).  Where user namespaces
# are refused (containers, Ubuntu 24.04 for ordinary users), the four
# checks are skipped.
if unshare_ok -rn; then
	set +e
	unshare -rn "$INVDUMP" --retries 1 -o "$T/dest/out.gz" "http://no-such-host.invalid/items" 2>"$T/err"
	rc=$?
	set -e
	check "DNS failure: status 1" status_is 1
	check "DNS failure: says it could not resolve" err_has "resolve"
	check "DNS failure: names the host" err_has "no-such-host.invalid"
	check "DNS failure: nothing left" nothing_left
else
	for _ in 1 2 3 4; do skip "DNS failure in a private network namespace: $unshare_why"; done
fi

# Authentication.
run_invdump -o "$T/dest/out.gz" "$AUTHED/offset/items"
check "401 without credentials: status 4" status_is 4
check "401: says so" err_has "HTTP 401"
check "401: not retried" sh -c "! grep -q 'gave up' '$T/err'"
run_invdump -o "$T/dest/out.gz" -u alice:wrong-secret "$AUTHED/offset/items"
check "401 with a wrong secret: status 4" status_is 4
check "401: the secret is not printed" sh -c "! grep -q wrong-secret '$T/err'"
check "401: nothing left" nothing_left
run_invdump -q -w 4 -o "$T/dest/ok.gz" -u alice:s3cret-key "$AUTHED/offset/items"
check "right credentials: status 0" status_is 0
check "right credentials: 500 items" test "$(gzip -dc "$T/dest/ok.gz" | wc -l)" -eq 500
rm -f "$T/dest/ok.gz"
run_invdump -v -o "$T/dest/ok.gz" -u alice:s3cret-key "$AUTHED/offset/items"
check "-v: the secret is not printed" sh -c "! grep -q s3cret '$T/err'"
# 10 workers: pages 1..9 may be asked with page 0, before it says there are
# 5 (speculate.sh); each one past the end is counted.
past=$(sed -n 's/.* \([0-9]*\) speculative requests past the end.*/\1/p' "$T/err")
check "-v: one line per page asked" test "$(grep -c 'GET http.*limit=100:' "$T/err")" -eq $((5 + ${past:-0}))
check "-v: every page carries the total: no second read of it" test "$(grep -c 'GET http.*offset=0&limit=1:' "$T/err")" -eq 0
rm -f "$T/dest/ok.gz"
run_invdump -v -w 1 -o "$T/dest/ok.gz" -u alice:s3cret-key "$AUTHED/offset/items"
check "-v -w 1: one line per page, none past the end" test "$(grep -c 'GET http.*limit=100:' "$T/err")" -eq 5
rm -f "$T/dest/ok.gz"

start_mock --items 300
run_invdump -o "$T/dest/out.gz" "$BASE/status/403"
check "403: status 4" status_is 4
check "403: names the URL" err_has "$BASE/status/403"
run_invdump -o "$T/dest/out.gz" "$BASE/status/404"
check "404: status 1" status_is 1
check "404: says HTTP 404" err_has "HTTP 404"
run_invdump -o "$T/dest/out.gz" "$BASE/status/404?api_key=TOPSECRET&x=1"
check "an API key in the URL is redacted" sh -c "! grep -q TOPSECRET '$T/err' && grep -q 'api_key=\*\*\*' '$T/err'"
run_invdump -o "$T/dest/out.gz" "http://bob:hunter2@127.0.0.1:$PORT/status/404"
check "a password in the URL is redacted" sh -c "! grep -q hunter2 '$T/err'"
run_invdump -o "$T/dest/out.gz" "$BASE/html/items"
check "an HTML body: status 7" status_is 7
check "an HTML body: shows its first bytes" err_has "<"
run_invdump -o "$T/dest/out.gz" "$BASE/object/items"
check "an error object where the array belongs: status 7" status_is 7
check "an error object: explained" err_has "expected an array"
check "an error object: shows the body" err_has "something broke"
check "an error object: no array to offer" err_has "and no array in it (at its top or one object down) to try as --items-path"
# An envelope with no --items-path: its array and total named, and the
# options that take them; which work.
run_invdump -o "$T/dest/out.gz" "$BASE/drf/items"
check "an envelope without --items-path: status 7" status_is 7
check "an envelope: names its array and total, and the options" err_has 'found an object with an array at "results" (100 items) and a number at "count": try --items-path results --total-path count'
check "an envelope: nothing left" nothing_left
run_invdump -q -o "$T/dest/ok.gz" --items-path results --total-path count "$BASE/drf/items"
check "an envelope: the options offered export it" sh -c "[ $rc -eq 0 ] && [ \$(gzip -dc '$T/dest/ok.gz' | wc -l) -eq 300 ]"
rm -f "$T/dest/ok.gz"
run_invdump -o "$T/dest/out.gz" --items-path data "$BASE/drf/items"
check "a wrong --items-path: status 7" status_is 7
check "a wrong --items-path: the array the body has" err_has 'no "data" array in the body, but an array at "results" (100 items) and a number at "count": try --items-path results --total-path count'
run_invdump -o "$T/dest/out.gz" "$BASE/nototal/items"
check "no total header: status 7" status_is 7
check "no total header: names the header" err_has "X-Total-Count"
run_invdump -q -o "$T/dest/out.gz" --total-header X-No-Such "$BASE/offset/items"
check "--total-header naming an absent header: status 7" status_is 7
check "all failures: nothing left at the destination" nothing_left

done_testing
