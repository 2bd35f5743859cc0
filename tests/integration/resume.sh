#!/bin/sh
# resume.sh - an export killed part-way (SIGKILL) resumes with --resume:
# it keeps the pages its journal says were synced, cuts off a torn tail,
# fetches only what is missing, and publishes a file byte for byte the
# same as an uninterrupted run's.  A journal for another command is
# refused; a run that fails with --resume keeps its work for the next.
. "$TESTS_SRCDIR/integration/setup.sh"

start_mock --items 40000 --latency-ms 40
fetch "$BASE/truth" "$T/truth"
run_invdump -w 4 -o "$T/full.gz" "$BASE/offset/items"
check "an uninterrupted run, for comparison" status_is 0

# kill_after SECONDS ARGS...: starts invdump --resume, SIGKILLs it after
# SECONDS (if it is still running); sets rc.
kill_after() {
	delay=$1; shift
	set +e
	"$INVDUMP" -q --resume "$@" 2>>"$T/kills.err" &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	set -e
}

# running PID: the process has not ended (a zombie, not yet waited for, has).
running() {
	s=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$s" ] && [ "$s" != Z ]
}

# journal_has JOURNAL REGEX: waits until a line of JOURNAL matches REGEX
# (grep -E), polling every 50 ms for 60 s at most, while $pid runs.  The
# first checkpoint comes no sooner than 1 s after the journal opens (after
# page 0), later on a slow build, so a fixed delay can come too soon.
journal_has() {
	n=0
	while ! grep -qE "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt 1200 ] || ! running "$pid"; then
			diag "$1 has no line matching '$2'" \
				"$(tail -n 5 "$1" 2>/dev/null | cut -c 1-80)"
			return 1
		fi
		sleep 0.05
	done
}

# kill_when JOURNAL REGEX ARGS...: starts invdump --resume, SIGKILLs it once
# its journal JOURNAL has a line matching REGEX (or after 60 s); sets rc.
kill_when() {
	journal=$1; re=$2; shift 2
	set +e
	"$INVDUMP" -q --resume "$@" 2>>"$T/kills.err" &
	pid=$!
	journal_has "$journal" "$re"
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	set -e
}

# Kill at pseudo-random points (seeded, so a failure can be replayed), then
# resume until a run finishes.
seed=${RESUME_SEED:-$$}
diag "seed $seed"
kills=0; grew=0; last=-1; i=0
while [ "$i" -lt 12 ]; do
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	delay=$(( 300 + seed % 2200 ))
	kill_after "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))" \
		-w 4 -o "$T/out.gz" "$BASE/offset/items"
	[ "$rc" -eq 0 ] && break
	kills=$((kills + 1))
	at=$(sed -n 's/^at \([0-9]*\) .*/\1/p' "$T/.out.gz.invdump-journal" 2>/dev/null | tail -n 1)
	if [ -n "$at" ] && [ "$at" -gt "$last" ]; then grew=$((grew + 1)); last=$at; fi
	i=$((i + 1))
done
[ "$rc" -eq 0 ] || run_invdump --resume -w 4 -o "$T/out.gz" "$BASE/offset/items"
check "killed $kills times, then a run finished: status 0" status_is 0
check "... and checkpoints moved on between kills ($grew times)" test "$grew" -ge 1
check "... the result is byte for byte the uninterrupted run's" same "$T/out.gz" "$T/full.gz"
check "... no journal or temporary file left" sh -c "! ls -A '$T' | grep -q '^\\.out\\.gz'"

# A torn tail: bytes after the last checkpoint are cut off.
kill_when "$T/.torn.gz.invdump-journal" '^at ' \
	-w 4 -o "$T/torn.gz" "$BASE/offset/items"
tmp=$(sed -n 's/^tmp //p' "$T/.torn.gz.invdump-journal" 2>/dev/null || :)
check "a killed run left its journal and temporary file" test -f "$tmp"
[ ! -f "$tmp" ] || printf 'garbage after the last checkpoint' >>"$tmp"
run_invdump --resume -w 4 -o "$T/torn.gz" "$BASE/offset/items"
check "a torn tail is cut off: status 0" status_is 0
check "... byte for byte the uninterrupted run's" same "$T/torn.gz" "$T/full.gz"

# A journal written for another command is refused, and kept.
kill_when "$T/.other.gz.invdump-journal" '^at ' \
	-w 4 -o "$T/other.gz" "$BASE/offset/items"
run_invdump --resume -w 4 -l 50 -o "$T/other.gz" "$BASE/offset/items"
check "a journal for another page size: refused with status 2" status_is 2
check "... saying so" err_has "was written for another command"
check "... and the journal is kept" test -f "$T/.other.gz.invdump-journal"
run_invdump -w 4 -o "$T/other.gz" "$BASE/offset/items"
check "without --resume, the run starts afresh: status 0" status_is 0
check "... and removes what the killed run left" sh -c "! ls -A '$T' | grep -q '^\\.other\\.gz'"
check "... byte for byte the uninterrupted run's" same "$T/other.gz" "$T/full.gz"

# --resume with nothing to resume is an ordinary run.
run_invdump --resume -w 4 -o "$T/fresh.gz" "$BASE/offset/items"
check "--resume without a journal: status 0" status_is 0
check "... the whole export" same "$T/fresh.gz" "$T/full.gz"
run_invdump --resume -o - "$BASE/offset/items"
check "--resume to standard output: a usage error" status_is 2

# A run that fails with --resume keeps its work: the server goes away, comes
# back on the same port, and the export goes on from where it stopped.
start_mock --items 40000 --latency-ms 40
port=$PORT; mpid=$MOCK_PID
set +e
"$INVDUMP" -q --resume -w 4 --retries 1 -o "$T/net.gz" "$BASE/offset/items" 2>"$T/err" &
pid=$!
journal_has "$T/.net.gz.invdump-journal" '^at ' || :
kill "$mpid"
wait "$pid"
rc=$?
set -e
check "the server went away: status 1" status_is 1
check "... the partial export is kept for --resume" err_has "is kept for --resume"
check "... journal and temporary file are there" test -f "$T/.net.gz.invdump-journal"
start_mock --items 40000 --port "$port"
run_invdump --resume -w 4 -o "$T/net.gz" "$BASE/offset/items"
check "resumed against the server come back: status 0" status_is 0
check "... byte for byte the uninterrupted run's" same "$T/net.gz" "$T/full.gz"

# A cursor walk resumes from the next page its journal names.
start_mock --items 6000 --latency-ms 40
fetch "$BASE/truth" "$T/truth-c"
kill_when "$T/.cur.gz.invdump-journal" '^at [0-9]* [0-9]* [0-9]* http' \
	-p cursor --items-path data -l 50 -o "$T/cur.gz" "$BASE/cursor/items"
check "a killed cursor walk left a checkpoint with its next page" \
	sh -c "grep -q '^at [0-9]* [0-9]* [0-9]* http' '$T/.cur.gz.invdump-journal'"
run_invdump --resume -p cursor --items-path data -l 50 -o "$T/cur.gz" "$BASE/cursor/items"
check "resumed cursor walk: status 0" status_is 0
check "... every item once, in order" sh -c "gzip -dc '$T/cur.gz' | cmp -s - '$T/truth-c'"

done_testing
