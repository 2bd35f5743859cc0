#!/bin/sh
# publish.sh - the destination changes only when a run succeeds: old
# content survives failures and signals, files are 0600, symlinks are
# replaced rather than followed, output errors have their own status.
. "$TESTS_SRCDIR/integration/setup.sh"

start_mock --items 1000
fetch "$BASE/truth" "$T/truth"
mkdir "$T/d"
temps() { ls -A "$T/d" | grep -c '^\.' || true; }

echo "old content" >"$T/d/inv.gz"
run_invdump -q -o "$T/d/inv.gz" "$BASE/status/500"
check "failure: status 1" status_is 1
check "failure: the old file is untouched" grep -qx "old content" "$T/d/inv.gz"
check "failure: no temporary file left" test "$(temps)" -eq 0

run_invdump -q -o "$T/d/inv.gz" "$BASE/offset/items"
check "success: replaces the old file" sh -c "gzip -dc '$T/d/inv.gz' | cmp -s - '$T/truth'"
check "success: mode 0600" test "$(stat -c %a "$T/d/inv.gz")" = 600
check "success: no temporary file left" test "$(temps)" -eq 0

echo "target" >"$T/target"
ln -s "$T/target" "$T/d/link.gz"
run_invdump -q -o "$T/d/link.gz" "$BASE/offset/items"
check "a symlink at the destination is replaced, not followed" \
	sh -c "[ ! -L '$T/d/link.gz' ] && grep -qx target '$T/target'"

# Signals: a slow export interrupted half way.
start_mock --items 3000 --latency-ms 200
for sig in INT TERM; do
	echo "old content" >"$T/d/slow.gz"
	"$INVDUMP" -q -w 2 -o "$T/d/slow.gz" "$BASE/offset/items" 2>"$T/err" &
	pid=$!
	sleep 1
	kill -s "$sig" "$pid"
	set +e; wait "$pid"; rc=$?; set -e
	want=130; [ "$sig" = TERM ] && want=143
	check "SIG$sig: status $want" status_is "$want"
	check "SIG$sig: says so" err_has "interrupted by SIG$sig"
	check "SIG$sig: the old file is untouched" grep -qx "old content" "$T/d/slow.gz"
	check "SIG$sig: no temporary file left" test "$(temps)" -eq 0
done

# Output errors.
run_invdump -q -o "$T/no/such/dir/x.gz" "$BASE/offset/items"
check "a missing directory: status 6" status_is 6
check "a missing directory: named" err_has "$T/no/such/dir"
run_invdump -q -o "$T/d" "$BASE/offset/items"
check "a directory as destination: status 6" status_is 6
# An unwritable directory: a read-only bind mount in a mount namespace of
# our own, inside a user namespace (permission bits do not stop root, and
# an ordinary user may do this in a namespace of their own).
# The probe makes the same mounts, since some refuse them but not unshare.
mkdir "$T/ro"
if unshare_ok -rm sh -c "mount --bind '$T/ro' '$T/ro' && mount -o remount,bind,ro '$T/ro'"; then
	set +e
	unshare -rm sh -c "mount --bind '$T/ro' '$T/ro' && mount -o remount,bind,ro '$T/ro' &&
		exec '$INVDUMP' -q -o '$T/ro/x.gz' '$BASE/offset/items'" 2>"$T/err"
	rc=$?
	set -e
	check "an unwritable directory: status 6" status_is 6
	check "an unwritable directory: says why, before any request" err_has "Read-only file system"
else
	for _ in 1 2; do skip "a read-only bind mount in a private mount namespace: $unshare_why"; done
fi
run_invdump -q -o - "$BASE/offset/items" >/dev/full
check "standard output on /dev/full: status 6" status_is 6
check "standard output on /dev/full: says why" err_has "No space left"

# A reader that goes away early is not an error.
set +e
"$INVDUMP" -q -o - "$BASE/offset/items" 2>"$T/err" | head -n 3 >"$T/head"
rc=$?
set -e
check "| head -n 3: three lines" test "$(wc -l <"$T/head")" -eq 3
check "| head -n 3: quiet" test ! -s "$T/err"

# A device or a FIFO at the destination is written in place: renaming a
# file over it would replace /dev/null itself for the whole machine.
fetch "$BASE/truth" "$T/truth-now"
mkfifo "$T/fifo"
gzip -dc <"$T/fifo" >"$T/fromfifo" &
reader=$!
run_invdump -q --compress gzip -o "$T/fifo" "$BASE/offset/items"
wait "$reader" || true
check "-o FIFO: status 0" status_is 0
check "-o FIFO: still a FIFO" test -p "$T/fifo"
check "-o FIFO: the reader got every item" same "$T/fromfifo" "$T/truth-now"
check "-o FIFO: no temporary file beside it" sh -c "! ls -a '$T' | grep -q '^\.fifo\.'"
run_invdump -q -o /dev/null "$BASE/offset/items"
check "-o /dev/null: status 0, and /dev/null is still a device" sh -c "[ $rc -eq 0 ] && [ -c /dev/null ]"

done_testing
