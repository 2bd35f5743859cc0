#!/bin/sh
# inject.sh - what the disk and the system say is believed: a failing
# write, fsync, close, rename or temporary file (injected by the LD_PRELOAD
# shim tests/inject/libinject.so) ends the run with status 6, a message
# naming the path and the error, nothing published and nothing left
# behind; standard output's errors count too; a thread that cannot be
# started fails the run.
. "$TESTS_SRCDIR/integration/setup.sh"

SHIM=${INJECT_SO:-$(dirname "$INVDUMP")/../tests/inject/libinject.so}
if [ ! -f "$SHIM" ]; then
	echo "1..0 # SKIP no $SHIM (make check builds it)"
	exit 0
fi
SHIM=$(cd "$(dirname "$SHIM")" && pwd)/$(basename "$SHIM")
# An ASan build wants its runtime first among the libraries; the shim
# comes before it and passes every call on to it (dlsym RTLD_NEXT).
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# inj FAIL ARGS...: run_invdump with INJECT_FAIL=FAIL preloaded; the
# caller may set INJECT_PATH, INJECT_FD and INJECT_SLEEP for this one run.
# Under valgrind the shim is loaded into valgrind's launcher too, where it
# does nothing (INJECT_PROG), and into invdump, where it acts.
inj() {
	INJECT_FAIL=$1
	shift
	LD_PRELOAD=$SHIM
	export LD_PRELOAD INJECT_FAIL
	[ -z "${INJECT_PATH:-}" ] || export INJECT_PATH
	[ -z "${INJECT_FD:-}" ] || export INJECT_FD
	run_invdump "$@"
	unset LD_PRELOAD INJECT_FAIL INJECT_PATH INJECT_FD
}

start_mock --items 1037
fetch "$BASE/truth" "$T/truth"
mkdir "$T/d"
OUT=$T/d/out.ndjson.gz
URL=$BASE/offset/items
# The directory, but for the destination: the temporary files.
temps() { ls -A "$T/d" | grep -v '^out\.ndjson\.gz$' | wc -l; }
listing() { diag "$T/d holds:" "$(ls -lA "$T/d")"; }
nothing_left() { [ "$(temps)" -eq 0 ] || { listing; return 1; }; }
exact() { gzip -dc "$OUT" | cmp -s - "$T/truth"; }
untouched() { [ "$(cat "$OUT")" = "old content" ]; }

inj "" -q -o "$OUT" "$URL"
check "the shim alone changes nothing: status 0" status_is 0
check "the shim alone changes nothing: output exact" exact
rm -f "$OUT"

# CALL:ERRNO[:N] and the text strerror gives for ERRNO.
for case in "write:ENOSPC:No space left on device" \
	"write:ENOSPC:3:No space left on device" \
	"write:EIO:Input/output error" \
	"fsync:EIO:Input/output error" \
	"close:EIO:Input/output error" \
	"rename:EXDEV:Invalid cross-device link" \
	"rename:EIO:Input/output error" \
	"mkostemp:ENOSPC:No space left on device" \
	"mkostemp:EDQUOT:Disk quota exceeded"; do
	text=${case##*:}
	fail=${case%:*}
	for old in no yes; do
		what="$fail"
		rm -f "$OUT"
		if [ "$old" = yes ]; then
			echo "old content" >"$OUT"
			what="$fail over an older file"
		fi
		INJECT_PATH=out.ndjson.gz inj "$fail" -q -o "$OUT" "$URL"
		check "$what: status 6" status_is 6
		check "$what: names the destination" err_has "$OUT:"
		check "$what: says why" err_has "$text"
		check "$what: no temporary file left" nothing_left
		if [ "$old" = yes ]; then
			check "$what: the older file is untouched" untouched
		else
			check "$what: nothing at the destination" test ! -e "$OUT"
		fi
	done
done

# The directory's fsync comes after the rename: the file is in place (and
# whole), but the run must not say all is well.
rm -f "$OUT"
INJECT_PATH=$T/d inj fsync:EIO:1 -q -o "$OUT" "$URL"
check "fsync of the directory: status 6" status_is 6
check "fsync of the directory: says the file is already published" \
	err_has "$OUT: published, but the fsync of its directory $T/d failed"
check "fsync of the directory: says why" err_has "Input/output error"
check "fsync of the directory: the file is whole" exact
check "fsync of the directory: no temporary file left" nothing_left
rm -f "$OUT"

# Threads: the first worker, and a later one (the signal thread is the
# first thread; the shim does not count ThreadSanitizer's own).
for case in "1:the first worker" "3:a later worker"; do
	n=${case%%:*}
	what="pthread_create fails for ${case#*:}"
	echo "old content" >"$OUT"
	inj "pthread_create:EAGAIN:$n" -q -w 4 -o "$OUT" "$URL"
	check "$what: status 1" status_is 1
	check "$what: says so" grep -qi "thread" "$T/err"
	check "$what: the older file is untouched" untouched
	check "$what: no temporary file left" nothing_left
done
rm -f "$OUT"

# Standard output.
run_invdump -q -o - "$URL" >/dev/full
check "stdout on /dev/full: status 6" status_is 6
check "stdout on /dev/full: says why" err_has "standard output: write failed: No space left on device"
INJECT_FD=1 inj close:EIO -q -o - "$URL" >"$T/stdout"
check "stdout's close fails: status 6" status_is 6
check "stdout's close fails: says so" err_has "standard output: close failed: Input/output error"
INJECT_FD=1 inj write:EIO:2 -q -o - "$URL" >"$T/stdout"
check "stdout's third write fails: status 6" status_is 6
check "stdout's third write fails: says so" err_has "standard output: write failed: Input/output error"
# A reader that goes away early is not an error (EPIPE).
{ run_invdump -q -o - "$URL"; echo "$rc" >"$T/rc"; } | head -c 100 >"$T/head"
rc=$(cat "$T/rc")
check "| head -c 100: status 0" status_is 0
check "| head -c 100: quiet" test ! -s "$T/err"
check "| head -c 100: got its bytes" test "$(wc -c <"$T/head")" -eq 100

done_testing
