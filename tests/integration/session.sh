#!/bin/sh
# session.sh - --session against mockapi's logins (tests/mockapi/session.c):
# tokens that die after N requests or N seconds and are refused with F5's
# and ServiceNow's 401 bodies; one login for every worker; renewal ahead
# of expiry; a failed, an unusable and a refused login; a token revoked
# mid-run; the logout on success and on failure; the token kept to its
# origin; a fleet's targets sharing one session per appliance.
. "$TESTS_SRCDIR/integration/setup.sh"

SECRET='s3cr"et&=%+PW'
INVDUMP_LOGIN_USER=admin
INVDUMP_LOGIN_SECRET=$SECRET
export INVDUMP_LOGIN_USER INVDUMP_LOGIN_SECRET
F5=f5/mgmt/tm/ltm/pool
SNOW=servicenow/api/now/table/cmdb_ci

# counter NAME: a number from the server's /session/counter.
counter() {
	curl -sS --max-time 10 "$BASE/session/counter" |
		sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# is NAME WANT: the server's counter NAME is WANT.
is() {
	got=$(counter "$1")
	if [ "$got" = "$2" ]; then return 0; fi
	diag "$1: $got, expected $2" "$(curl -sS "$BASE/session/counter")"
	return 1
}

# exact DESC ARGS: a run that exits 0 with the truth in $T/out.gz.
exact() {
	desc=$1; shift
	rm -f "$T/out.gz"
	run_invdump -o "$T/out.gz" "$@"
	if status_is 0 && gzip -dc "$T/out.gz" >"$T/got" && same "$T/got" "$T/truth"
	then ok "$desc"; else not_ok "$desc"; fi
}

no_secret() {
	if grep -qF -e "$SECRET" -e 's3cr' -e 'tok0' "$T/err"; then
		diag "a secret or a token in stderr:" "$(head -n 5 "$T/err")"
		return 1
	fi
}

# 1. F5: a token serves 50 requests; 300 pages with 16 workers in flight,
# so that every expiry is met by many workers at once.
start_mock --items 3000 --latency-ms 20 --session mode=f5,uses=50 --log "$T/f5log"
fetch "$BASE/truth" "$T/truth"
exact "f5: 300 pages on tokens of 50 requests, byte-exact" -v -w 16 -l 10 -p f5 \
	--session f5 "$BASE/$F5"
check "f5: 6 logins for 300 requests (16 workers meeting each expiry: one login)" is logins 6
diag "requests refused with a stale token (then asked again): $(counter refused)"
check "f5: the last token logged out: DELETE /mgmt/shared/authz/tokens/TOKEN" \
	grep -q '^DELETE /mgmt/shared/authz/tokens/tok' "$T/f5log"
check "f5: every token the run got logged out, the 5 a renewal replaced too" is logouts 6
check "f5: no token alive after the run" is live 0
check "f5: neither the password nor a token in stderr (-v)" no_secret
check "f5: the token went in X-F5-Auth-Token, not in Authorization" \
	sh -c "! grep -q 'Authorization' '$T/f5log'"
check "f5: without --cookies, the login's cookie is not sent back" \
	sh -c "! grep -q 'Cookie:' '$T/f5log'"
: >"$T/f5log"
exact "f5: --cookies" -w 4 -l 100 -p f5 --session f5 --cookies "$BASE/$F5"
check "f5: with --cookies, the cookie the login set goes back with the pages" \
	sh -c "grep 'GET /$F5' '$T/f5log' | grep -q 'Cookie: BIGipServer~Common~mgmt='"
kill "$MOCK_PID"

# 1b. F5 tokens of 1 s, a run of about 3 s: every token a renewal
# replaced ahead of its expiry is still alive when the run ends, and the
# logout deletes them all, so that nightly runs pile up no tokens (F5
# allows a user only so many).
start_mock --items 4000 --latency-ms 30 --session mode=f5,ttl=1
fetch "$BASE/truth" "$T/truth"
exact "f5: a run three times the token's life, byte-exact" -w 4 -l 10 -p f5 \
	--session f5 "$BASE/$F5"
logins=$(counter logins)
check "f5: renewed during the run ($logins logins)" test "$logins" -ge 2
check "f5: every token of the run deleted at its end (logouts = logins)" \
	is logouts "$logins"
check "f5: no token of the run alive after it" is live 0
kill "$MOCK_PID"

# 2. IBM Cloud IAM: tokens of 2 s (expires_in: 2), a run of about 6 s:
# renewed ahead of expiry, so that no request meets a dead token.
start_mock --items 4000 --latency-ms 60 --session mode=iam,ttl=2
fetch "$BASE/truth" "$T/truth"
t0=$(date +%s)
exact "ibm-iam: a run three times the token's life, byte-exact" -w 4 -l 10 \
	--session ibm-iam --login-url /identity/token "$BASE/offset/items"
t1=$(date +%s)
logins=$(counter logins)
diag "ibm-iam: $logins logins in $((t1 - t0)) s (tokens of 2 s, renewed at 1.6 s)"
if [ "$INVDUMP_VALGRIND" = 1 ]; then
	# Under valgrind a login can take longer than the token's last 0.4 s:
	# the requests in flight then meet a dead token and go again.
	check "ibm-iam: at most the 4 workers' requests refused a renewal (valgrind)" \
		test "$(counter refused)" -le "$((4 * logins))"
else
	check "ibm-iam: no request refused (renewed before expiry)" is refused 0
fi
check "ibm-iam: at least 3 logins, at most one per 1.6 s of the run and one more" \
	test "$logins" -ge 3 -a "$((logins * 16))" -le "$(((t1 - t0 + 1) * 10 + 16))"
kill "$MOCK_PID"

# 3. A failing login: exit 4, nothing published, no secret in the message,
# and one login tried however many workers wait for it.
start_mock --items 500 --session mode=oauth,deny
rm -f "$T/out.gz"
run_invdump -w 16 -l 10 -p servicenow --session oauth2 --login-url /oauth_token.do \
	-o "$T/out.gz" "$BASE/$SNOW"
check "oauth2: a refused login is exit 4" status_is 4
check "oauth2: the message names the login and the fix" err_has "refused the login (check the credentials"
check "oauth2: nothing published" test ! -e "$T/out.gz"
check "oauth2: no secret in stderr" no_secret
check "oauth2: one login tried (no storm, no loop)" is login_failures 1
kill "$MOCK_PID"

# 4. A token refused at once after a fresh login: exit 4, never a loop.
start_mock --items 500 --session mode=f5,ttl=0.001
run_invdump -w 8 -l 10 -p f5 --session f5 -o "$T/out.gz" "$BASE/$F5"
check "f5: a fresh token refused is exit 4" status_is 4
check "f5: ... said as such" err_has "refused the token its login"
check "f5: ... after one login" is logins 1
kill "$MOCK_PID"

# 5. The login's own retries: two 503s, then a token.
start_mock --items 500 --session mode=f5,fail=2
fetch "$BASE/truth" "$T/truth"
exact "f5: a login that fails twice (503) is tried again" -w 4 -l 10 -p f5 \
	--session f5 "$BASE/$F5"
check "f5: ... one login in the end" is logins 1
kill "$MOCK_PID"

# 5a. A login throttled (429, Retry-After: 1): the wait the server asks.
start_mock --items 500 --session mode=f5,throttle=1
t0=$(date +%s%N)
exact "f5: a login answered 429 is tried again" -w 4 -l 100 -p f5 --session f5 "$BASE/$F5"
t1=$(date +%s%N)
check "f5: ... after the Retry-After (1 s)" test "$(((t1 - t0) / 1000000))" -ge 950
check "f5: ... one login in the end" is logins 1
kill "$MOCK_PID"

# 5b. F5 with another login provider: --login-field replaces the profile's
# loginProviderName (sent once).
start_mock --items 500 --session mode=f5,provider=radius
fetch "$BASE/truth" "$T/truth"
exact "f5: --login-field loginProviderName=radius replaces tmos" -l 100 -p f5 \
	--session f5 --login-field loginProviderName=radius "$BASE/$F5"
kill "$MOCK_PID"

# 6. A token revoked mid-run (F5's 401 body): one renewal, byte-exact.
start_mock --items 2000 --latency-ms 5 --session mode=f5,revoke=100
fetch "$BASE/truth" "$T/truth"
exact "f5: a token revoked after 100 requests" -w 8 -l 10 -p f5 --session f5 "$BASE/$F5"
check "f5: ... two logins" is logins 2
kill "$MOCK_PID"

# 7. Logout on failure: a page that is always 404.
start_mock --items 2000 --session mode=f5 --fault 404:1:0@1500
run_invdump -w 4 -l 100 -p f5 --session f5 -o "$T/out.gz" "$BASE/$F5"
check "f5: a page that fails ends the run" test "$rc" -ne 0
check "f5: ... and the token is logged out all the same" is logouts 1
kill "$MOCK_PID"

# 8. Login answers that carry no usable token.
start_mock --items 100 --session mode=f5,answer=nonjson
run_invdump -p f5 --session f5 -o "$T/out.gz" "$BASE/$F5"
check "a login answer that is not JSON: exit 7" status_is 7
check "... said" err_has "the login answer is not JSON"
kill "$MOCK_PID"
start_mock --items 100 --session mode=f5,answer=notoken
run_invdump -p f5 --session f5 -o "$T/out.gz" "$BASE/$F5"
check "a login answer without a token: exit 7" status_is 7
check "... said, with the path looked at" err_has "no token at token.token"
kill "$MOCK_PID"

# 9. Credentials from a file; a variable not set.
printf '%s\n' "$SECRET" >"$T/secret"
chmod 600 "$T/secret"
start_mock --items 300 --session mode=iam,ttl=60 --log "$T/iamlog"
fetch "$BASE/truth" "$T/truth"
INVDUMP_TOKEN=static-token-of-the-environment
export INVDUMP_TOKEN
exact "ibm-iam: the API key from --login-secret-file" -l 50 --session ibm-iam \
	--login-url /identity/token --login-secret-file "$T/secret" "$BASE/offset/items"
unset INVDUMP_TOKEN
check "ibm-iam: INVDUMP_TOKEN not sent beside the session's token" \
	sh -c "grep -q 'Authorization: Bearer tok' '$T/iamlog' && ! grep -q static-token '$T/iamlog'"
run_invdump --session ibm-iam --login-url /identity/token --login-secret-env NO_SUCH_VAR_X \
	-o "$T/out.gz" "$BASE/offset/items"
check "an unset secret variable: exit 2, named" sh -c "[ $rc -eq 2 ] && grep -q NO_SUCH_VAR_X '$T/err'"

# 10. The token goes to its origin only: details on another server get none.
MAIN=$BASE
start_mock --items 300 --log "$T/otherlog"
OTHER=$BASE
BASE=$MAIN
run_invdump -l 50 --session ibm-iam --login-url /identity/token \
	--expand "$OTHER/items/{id}" -o "$T/out.gz" "$MAIN/offset/items"
check "--expand on another origin works with a session" status_is 0
check "... and its requests carry no token" sh -c "grep -q 'GET /items/' '$T/otherlog' &&
	! grep -q 'Authorization' '$T/otherlog'"

# 11. A fleet: two appliances, three calls each: one login (and one
# logout) per appliance.
start_mock --items 250 --session mode=f5
A=$BASE
start_mock --items 250 --session mode=f5
B=$BASE
cat >"$T/jobs" <<EOF
[defaults]
profile = f5
session = f5
limit = 50

[a-pool]
url = $A/$F5
output = $T/a1.gz
[a-pool2]
url = $A/$F5?expandSubcollections=false
output = $T/a2.gz
[a-pool3]
url = $A/$F5?x=3
output = $T/a3.gz
[b-pool]
url = $B/$F5
output = $T/b1.gz
[b-pool2]
url = $B/$F5?expandSubcollections=false
output = $T/b2.gz
[b-pool3]
url = $B/$F5?x=3
output = $T/b3.gz
EOF
chmod 600 "$T/jobs"
run_invdump -w 4 --jobs "$T/jobs"
check "fleet: six targets succeed" status_is 0
BASE=$A
check "fleet: appliance a, three calls, one login" is logins 1
check "fleet: appliance a, one logout" is logouts 1
BASE=$B
check "fleet: appliance b, three calls, one login" is logins 1
check "fleet: appliance b, one logout" is logouts 1

# 12. Infoblox: the ibapauth cookie the first answer sets replaces Basic
# credentials; written to disk only when asked, mode 0600.
IB=infoblox/wapi/v2.12/network
start_mock --items 1000 --session mode=infoblox --log "$T/iblog"
fetch "$BASE/truth" "$T/truth"
mkdir "$T/ibdir"
cd "$T/ibdir"
exact "infoblox: 20 pages, byte-exact" -l 50 -p infoblox -u "admin:$SECRET" "$BASE/$IB"
cd "$T"
check "infoblox: Basic credentials once, on the first request" is basic 1
check "infoblox: the cookie for the 19 pages after it" is cookie 19
check "infoblox: requests after the first carry no Authorization" \
	test "$(grep -c 'GET /infoblox.*Authorization: Basic' "$T/iblog")" -eq 1
check "infoblox: no cookie file written unless asked" test -z "$(ls -A "$T/ibdir")"
exact "infoblox: --cookie-jar" -l 50 -p infoblox -u "admin:$SECRET" \
	--cookie-jar "$T/jar" "$BASE/$IB"
check "infoblox: the jar holds ibapauth, mode 0600" sh -c "grep -q 'ibapauth' '$T/jar' &&
	[ \"\$(stat -c %a '$T/jar')\" = 600 ]"
kill "$MOCK_PID"

# 13. The cookie expires on the grid: a 401, then Basic once more.
start_mock --items 1000 --latency-ms 60 --session mode=infoblox,ttl=0.4
fetch "$BASE/truth" "$T/truth"
exact "infoblox: cookies that die after 0.4 s, byte-exact" -l 50 -p infoblox \
	-u "admin:$SECRET" "$BASE/$IB"
check "infoblox: Basic again after each refusal, never in a loop" \
	test "$(counter basic)" -eq "$(($(counter refused) + 1))"
kill "$MOCK_PID"

done_testing
