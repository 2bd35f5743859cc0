#!/bin/sh
# jobs.sh - many targets in one run (--jobs FILE): they run side by side,
# a slow one holds up no other, a failing one stops no other, a hosts
# template makes one target per host, and the exit status says whether all
# succeeded (the first failing target's status, in file order).
. "$TESTS_SRCDIR/integration/setup.sh"

start_mock --items 1037
A=$BASE; APORT=$PORT
fetch "$A/truth" "$T/truth"
fetch "$A/truth-object" "$T/truth-object"
start_mock --items 300 --latency-ms 1500
SLOW=$BASE
fetch "$SLOW/truth" "$T/truth-slow"
# A port nothing listens on: held by a socket that does not listen.
hold_dead_port
DEAD=$DEAD_BASE

cat >"$T/jobs.ini" <<INI
# Six targets: four fast, one slow, one dead.
[defaults]
profile = offset
limit = 100

[devices]
url = $A/offset/items
output = $T/out/devices.ndjson.gz

[netbox]
url = $A/drf/items
profile = drf
output = $T/out/netbox.ndjson.gz

[version]
url = $A/f5/mgmt/tm/sys/version
profile = object
output = $T/out/version.ndjson

[pools]
hosts = 127.0.0.1, localhost
url = http://{host}:$APORT/f5/mgmt/tm/ltm/pool
profile = f5
output = $T/out/pools-{host}.ndjson.gz

[slow]
url = $SLOW/offset/items
output = $T/out/slow.ndjson.gz

[dead]
url = $DEAD/offset/items
output = $T/out/dead.ndjson.gz
retries = 0
INI
# "retries" is a run option, not a target's: the file is refused.
chmod 600 "$T/jobs.ini"
mkdir "$T/out"
run_invdump --jobs "$T/jobs.ini"
check "a run option in a target's section: refused (status 2)" status_is 2
check "... naming the file and line" err_has "jobs.ini:"
sed -i '/^retries = 0$/d' "$T/jobs.ini"

set +e
"$INVDUMP" -w 8 --retries 1 --jobs "$T/jobs.ini" 2>"$T/err" &
pid=$!
# The slow target needs at least 3 s (3 pages of 1.5 s, one at a time
# after the first); the fast ones are published long before it is done.
i=0
while [ "$i" -lt 100 ] && [ ! -e "$T/out/pools-localhost.ndjson.gz" -o ! -e "$T/out/devices.ndjson.gz" \
	-o ! -e "$T/out/netbox.ndjson.gz" -o ! -e "$T/out/version.ndjson" ]; do
	sleep 0.05; i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null && [ ! -e "$T/out/slow.ndjson.gz" ]; then early=1; else early=0; fi
wait "$pid"
rc=$?
set -e
check "the fast targets are published while the slow one still runs" test "$early" -eq 1
check "one target failed: the run's status is its status (1)" status_is 1
check "... the failing target is named" err_has "[dead]: exit status 1"
check "... and the count of those that succeeded" err_has "6 of 7 targets succeeded"
check "devices: byte for byte" sh -c "gzip -dc '$T/out/devices.ndjson.gz' | cmp -s - '$T/truth'"
check "netbox (drf): byte for byte" sh -c "gzip -dc '$T/out/netbox.ndjson.gz' | cmp -s - '$T/truth'"
check "version (one object): one line, byte for byte" same "$T/out/version.ndjson" "$T/truth-object"
check "pools, one target per host: 127.0.0.1" sh -c "gzip -dc '$T/out/pools-127.0.0.1.ndjson.gz' | cmp -s - '$T/truth'"
check "pools, one target per host: localhost" sh -c "gzip -dc '$T/out/pools-localhost.ndjson.gz' | cmp -s - '$T/truth'"
check "slow: byte for byte all the same" sh -c "gzip -dc '$T/out/slow.ndjson.gz' | cmp -s - '$T/truth-slow'"
check "dead: nothing published" test ! -e "$T/out/dead.ndjson.gz"
check "every target's summary line names it" sh -c "grep -q '^invdump: \\[pools@localhost\\] 1037 items' '$T/err' && grep -q '^invdump: \\[slow\\] 300 items' '$T/err'"

# All succeed: status 0.
sed -i '/^\[dead\]/,$d' "$T/jobs.ini"
rm -rf "$T/out"; mkdir "$T/out"
run_invdump -w 4 --jobs "$T/jobs.ini"
check "every target succeeds: status 0" status_is 0
check "... 6 of 6" err_has "6 of 6 targets succeeded"

# A URL besides --jobs, an inline secret, a file others may write: refused.
run_invdump --jobs "$T/jobs.ini" "$A/offset/items"
check "--jobs and a URL: status 2" status_is 2
printf '[x]\nurl = %s/offset/items\npassword = hunter2\n' "$A" >"$T/secret.ini"
chmod 600 "$T/secret.ini"
run_invdump --jobs "$T/secret.ini"
check "a secret written in the jobs file: refused (status 2)" status_is 2
check "... without printing it" sh -c "! grep -q hunter2 '$T/err'"
chmod 666 "$T/jobs.ini"
run_invdump --jobs "$T/jobs.ini"
check "a jobs file others may write: refused (status 2)" status_is 2
printf '[ok]\nurl = %s/offset/items\noutput = %s/ok.gz\n\n[bare]\nurl = {host}/items\nhosts = a\noutput = %s/{host}.gz\n' "$A" "$T" "$T" >"$T/bare.ini"
chmod 600 "$T/bare.ini"
run_invdump --jobs "$T/bare.ini"
check "a url without http:// or https://: refused (status 2)" status_is 2
check "... naming the file, line and section, and what a URL needs" err_has "bare.ini:6: [bare@a] url 'a/items' does not start with http:// or https://"

done_testing
