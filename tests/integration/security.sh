#!/bin/sh
# security.sh - credentials from the environment, netrc and files work and
# are never printed; no redirect to another origin is followed; only
# http and https are followed; the secret leaves argv; --insecure is loud.
. "$TESTS_SRCDIR/integration/setup.sh"

start_mock --items 120 --require-user alice:s3cret --log "$T/a.log"
A=$BASE; APORT=$PORT
start_mock --items 50 --log "$T/b.log"
B=$BASE; BPORT=$PORT
fetch "$A/truth" "$T/truth"

exact() { [ "$rc" -eq 0 ] && gzip -dc "$T/out.gz" | cmp -s - "$T/truth"; }
quiet_about_secret() { ! grep -q s3cret "$T/err"; }

# Each source of credentials.
INVDUMP_USER=alice INVDUMP_PASSWORD=s3cret run_invdump -v -o "$T/out.gz" "$A/offset/items"
check "INVDUMP_USER + INVDUMP_PASSWORD" exact
check "... and -v does not print the secret" quiet_about_secret
INVDUMP_USER=alice:s3cret run_invdump -o "$T/out.gz" "$A/offset/items"
check "INVDUMP_USER=user:secret" exact
INVDUMP_USER=alice run_invdump -o "$T/out.gz" "$A/offset/items"
check "INVDUMP_USER without a secret: usage error" status_is 2
printf 'alice:s3cret\n' >"$T/userfile"
chmod 600 "$T/userfile"
run_invdump -o "$T/out.gz" --user-file "$T/userfile" "$A/offset/items"
check "--user-file" exact
check "--user-file 0600: no warning" sh -c "! grep -q 'readable' '$T/err'"
chmod 644 "$T/userfile"
run_invdump -o "$T/out.gz" --user-file "$T/userfile" "$A/offset/items"
check "--user-file readable by others: works, with a warning" sh -c "[ $rc -eq 0 ] && grep -q 'readable by others' '$T/err'"
printf 'machine 127.0.0.1 login alice password s3cret\n' >"$T/netrc"
chmod 600 "$T/netrc"
run_invdump -o "$T/out.gz" --netrc-file "$T/netrc" "$A/offset/items"
check "--netrc-file" exact
run_invdump -o "$T/out.gz" --user-file "$T/nonexistent" "$A/offset/items"
check "--user-file that does not exist: usage error naming it" sh -c "[ $rc -eq 2 ] && grep -q '$T/nonexistent' '$T/err'"

printf '# comment\nX-Api-Key: k-from-file\n\nX-Other: 1\n' >"$T/headers"
chmod 600 "$T/headers"
run_invdump -o "$T/outb.gz" --header-file "$T/headers" "$B/offset/items"
check "--header-file: headers sent" sh -c "grep -q 'X-Api-Key: k-from-file' '$T/b.log'"
INVDUMP_TOKEN=tok-123 run_invdump -o "$T/outb.gz" "$B/offset/items"
check "INVDUMP_TOKEN: sent as a bearer token" grep -q "Authorization: Bearer tok-123" "$T/b.log"

# The secret leaves argv while the export runs.
start_mock --items 3000 --latency-ms 100 --require-user alice:s3cret
"$INVDUMP" -q -w 1 -u alice:s3cret -o "$T/slow.gz" "$BASE/offset/items" 2>/dev/null &
pid=$!
# argv is wiped while the options are parsed, before the first request:
# wait (60 s at most) until the server has seen one.  The run then has
# 30 pages of 100 ms to go, time enough to read its command line.
n=0
until curl -s --max-time 5 "$BASE/stats" | grep -q '"requests":[1-9]'; do
	n=$((n + 1))
	[ "$n" -le 1200 ] || break
	sleep 0.05
done
tr '\0' ' ' 2>/dev/null </proc/$pid/cmdline >"$T/cmdline" || :
kill "$pid"; wait "$pid" 2>/dev/null || true
check "-u: the secret is masked in /proc/PID/cmdline" sh -c "! grep -q s3cret '$T/cmdline' && grep -q 'alice:' '$T/cmdline'"

# Redirects: credentials stay with their host; 127.0.0.1 and localhost
# are different hosts to libcurl.
: >"$T/b.log"
rm -f "$T/outb.gz"
run_invdump -o "$T/outb.gz" -u alice:s3cret "$A/redirect?to=http://localhost:$BPORT/offset/items"
check "a redirect to another origin is refused: status 7" status_is 7
check "... and says which origin rule" err_has "another origin"
check "... nothing reached the other origin" sh -c "! grep -q GET '$T/b.log'"
check "... nothing published" test ! -e "$T/outb.gz"
run_invdump -o "$T/outb.gz" -H "X-Api-Key: secret-key" "$A/redirect?to=http://localhost:$BPORT/offset/items"
check "... an API-key header does not go either" sh -c "! grep -q secret-key '$T/b.log'"
run_invdump -o "$T/outb.gz" -H "X-Api-Key: secret-key" --allow-origin "http://localhost:$BPORT" "$A/redirect?to=http://localhost:$BPORT/offset/items"
check "--allow-origin: the redirect is followed" test "$rc" -eq 0 -o "$rc" -eq 3
check "... with the credentials, as asked" sh -c "grep -q secret-key '$T/b.log'"
run_invdump -o "$T/outb.gz" -l 1000 -u alice:s3cret "$A/redirect?to=$A/offset/items%3Flimit%3D1000"
check "a redirect within the origin is followed, with the credentials" status_is 0
check "... to the page it names" sh -c "gzip -dc '$T/outb.gz' | cmp -s - '$T/truth'"
run_invdump -o "$T/outb.gz" "$A/redirect?to=ftp://127.0.0.1:$BPORT/x"
check "a redirect to ftp:// is refused: status 7" status_is 7
check "... and says so" err_has "ftp"
run_invdump -o "$T/outb.gz" "$A/redirect?to=file:///etc/passwd"
check "a redirect to file:// is refused" status_is 7
run_invdump -o "$T/outb.gz" --max-redirs 0 "$A/redirect?to=$A/offset/items"
check "--max-redirs 0: a redirect is an error" status_is 7
check "--max-redirs 0: says so" err_has "redirect"

run_invdump -o "$T/outb.gz" --insecure "$B/offset/items"
check "--insecure: warns loudly" err_has "NOT verified"

check "output files are mode 0600" test "$(stat -c %a "$T/outb.gz")" = 600

done_testing
