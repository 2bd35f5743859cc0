#!/bin/sh
# metrics.sh - --metrics FILE: the Prometheus text file a run leaves for
# node_exporter's textfile collector, read back by the Prometheus client's
# own parser and held against what the export really did (the lines in
# the gzip file, the mock's own request counts, the summary line): one
# URL, a failed run (its status, the last success carried over), a jobs
# run of many targets, --shard, label escaping, atomicity (a killed run
# leaves the previous file whole) and what cannot be written.
. "$TESTS_SRCDIR/integration/setup.sh"

# Debian's python3, whose dist-packages hold the client (a python3 on PATH
# may be a pyenv without them).
PY=/usr/bin/python3
if ! "$PY" -c 'import prometheus_client.parser' 2>/dev/null; then
	skip_all "the Prometheus client's parser is missing: apt-get install python3-prometheus-client"
fi
SHIM=$(dirname "$INVDUMP")/../tests/inject/libinject.so
SHIM=$(cd "$(dirname "$SHIM")" && pwd)/$(basename "$SHIM")
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
# Whatever the environment's locale, the file is the same.
unset LANG LANGUAGE
LC_ALL=C
export LC_ALL

# prom.py FILE: parses FILE with text_string_to_metric_families and checks
# the format's rules the parser lets pass (one HELP and one TYPE per family,
# before its samples; names; every family a gauge; no sample twice); prints
# one JSON line per sample: [name, {labels}, value].
cat >"$T/prom.py" <<'EOF'
import json, re, sys
from prometheus_client.parser import text_string_to_metric_families

raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")
if not text.endswith("\n"):
    sys.exit("the file does not end in a newline")
helps = re.findall(r"^# HELP (\S+) ", text, re.M)
types = re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M)
names = [n for n, _ in types]
if len(set(names)) != len(names) or sorted(helps) != sorted(names):
    sys.exit("HELP %r and TYPE %r: want one of each per family" % (helps, names))
seen = set()
for fam in text_string_to_metric_families(text):
    if not re.match(r"^invdump_[a-z_]+[a-z]$", fam.name):
        sys.exit("name %r" % fam.name)
    if fam.type != "gauge":
        sys.exit("%s is a %s" % (fam.name, fam.type))
    for s in fam.samples:
        key = (s.name, tuple(sorted(s.labels.items())))
        if key in seen:
            sys.exit("%r twice" % (key,))
        seen.add(key)
        print(json.dumps([s.name, s.labels, s.value]))
EOF
# get FILE NAME [LABEL=VALUE...]: the value of the one sample of NAME with
# those labels (an integer printed as one), or nothing.
cat >"$T/get.py" <<'EOF'
import json, sys
name, want = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
for line in open(sys.argv[1]):
    n, labels, v = json.loads(line)
    if n == name and all(labels.get(k) == w for k, w in want.items()):
        print(int(v) if v == int(v) else v)
        break
EOF
# parses FILE: FILE parses, its samples into FILE.json; the parser's
# complaint in the diagnostics if not.
parses() {
	"$PY" "$T/prom.py" "$1" >"$1.json" 2>"$T/parse.err" && return 0
	diag "$1:" "$(cat "$T/parse.err")"
	return 1
}
parse() { parses "$1" || true; }
get() { f=$1; shift; "$PY" "$T/get.py" "$f.json" "$@"; }
# v NAME [LABEL=VALUE...]: get from $F, with the labels $L (a target's) when
# none are given.
v() {
	n=$1; shift
	if [ $# -eq 0 ]; then set -- "$L"; fi
	get "$F" "$n" "$@"
}
# py EXPR: a Python expression on S, the samples of $F.json as [name,
# labels, value] lists; true when it is.
py() {
	"$PY" -c "import json, sys
S = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not ($1))" "$F.json"
}
# is WHAT GOT WANT: GOT = WANT, with a diagnostic if not.
is() {
	[ "$2" = "$3" ] && return 0
	diag "$1: got '$2', expected '$3'"
	return 1
}
# stat_requests BASE: the mock's count of list requests.
stat_requests() {
	curl -sS "$1/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["requests"])'
}
# summary N: the summary line's Nth figure of "requests in all: A, B
# retried, C throttled" (1, 2 or 3).
summary() {
	sed -n 's/.*requests in all: \([0-9]*\), \([0-9]*\) retried, \([0-9]*\) throttled.*/\1 \2 \3/p' \
		"$T/err" | tail -n 1 | cut -d' ' -f"$1"
}
lines() { gzip -dc "$1" | wc -l | tr -d ' '; }

# ------------------------------------------------------------- one URL
# 1234 items, 100 a page: 13 pages; one page fails once (503), another is
# throttled once (429): 15 requests, 2 retried, 1 throttled.
start_mock --items 1234 --fault 503:1:1@300 --fault 429:1:1@500
fetch "$BASE/truth" "$T/truth"
B1=$BASE P1=$PORT
mkdir "$T/prom"
M=$T/prom/one.prom
r0=$(stat_requests "$BASE")
t0=$(date +%s)
run_invdump -o "$T/one.ndjson.gz" --metrics "$M" "$BASE/offset/items"
t1=$(date +%s)
r1=$(stat_requests "$BASE")
O=$T/one.ndjson.gz F=$M L="target=127.0.0.1:$PORT/offset/items"
check "one URL: status 0" status_is 0
check "one URL: the export is whole" sh -c "gzip -dc '$O' | cmp -s - '$T/truth'"
check "one URL: the file parses (Prometheus client), one HELP and TYPE a family" parses "$M"
check "one URL: mode 0644 (no secret in it; node_exporter may run as another user)" \
	is mode "$(stat -c %a "$M")" 644
check "one URL: items = the lines in the gzip file" is items "$(v invdump_items)" "$(lines "$O")"
check "one URL: pages = the mock's 13" is pages "$(v invdump_pages)" 13
check "one URL: output bytes = the file's size" \
	is bytes "$(v invdump_output_bytes)" "$(stat -c %s "$O")"
check "one URL: requests = the mock's count ($((r1 - r0)))" \
	is requests "$(v invdump_requests)" "$((r1 - r0))"
check "one URL: retries = the summary's, 2" sh -c \
	"[ '$(v invdump_retries)' = '$(summary 2)' ] && [ '$(summary 2)' = 2 ]"
check "one URL: throttled responses = the summary's, 1" sh -c \
	"[ '$(v invdump_throttled_responses)' = '$(summary 3)' ] && [ '$(summary 3)' = 1 ]"
check "one URL: exit status 0" is status "$(v invdump_exit_status)" 0
ls1=$(v invdump_last_success_timestamp_seconds)
check "one URL: last success is the run's time" sh -c "[ '$ls1' -ge $t0 ] && [ '$ls1' -le $t1 ]"
check "one URL: a duration" py "0 < $(v invdump_duration_seconds) < 60"
check "one URL: the run's line, labelled by the file's name" sh -c \
	"[ '$(v invdump_run_targets run=one)' = 1 ] &&
	 [ '$(v invdump_run_targets_failed run=one)' = 0 ] &&
	 [ '$(v invdump_run_exit_status run=one)' = 0 ]"
lsr=$(v invdump_run_last_success_timestamp_seconds run=one)
check "one URL: the run's last success: when it ended" \
	sh -c "[ '$lsr' -ge $ls1 ] && [ '$lsr' -le $t1 ]"
check "one URL: nothing else in the directory (the temporary file renamed)" \
	is files "$(ls -A "$T/prom" | grep -v '\.json$' | tr '\n' ' ')" "one.prom "

# The default label: the URL's host and path, never its user, password,
# query or fragment.
run_invdump -q -o "$T/cred.ndjson.gz" --metrics "$T/cred.prom" \
	"http://alice:hunter2@127.0.0.1:$PORT/offset/items?api_key=s3cr3t#frag"
F=$T/cred.prom
parse "$F"
check "default label: host and path only" is label "$(v invdump_exit_status)" 0
check "default label: no credential, query or fragment anywhere in the file" \
	sh -c "! grep -E 'alice|hunter2|api_key|s3cr3t|frag' '$F'"

# --metrics-target: a name holding a quote, a backslash, a newline and a
# byte that is not UTF-8 comes back through the parser as given (the
# invalid byte as '?'); no jobs section name can hold these (jobs.c allows
# letters, digits, - _ . and @host), so the single run's label is where
# escaping matters.
odd=$(printf 'inv "a" \\b\nc\377d')
F=$T/odd.prom
run_invdump -q -o "$T/odd.ndjson.gz" --metrics "$F" --metrics-target "$odd" "$BASE/offset/items"
check "odd label: status 0" status_is 0
check "odd label: the file parses" parses "$F"
check "odd label: escaped as the format says" grep -qF 'target="inv \"a\" \\b\nc?d"' "$F"
check "odd label: read back as given" \
	py "[l for n, l, v in S if n == 'invdump_items'] == [{'target': 'inv \"a\" \\\\b\\nc?d'}]"

# ------------------------------------------------------- a failed run
# The same file, the server gone: status 1, the last success carried
# over from the file the run replaces.
hold_dead_port
F=$M
run_invdump -q -o "$O" --metrics "$M" --metrics-target "127.0.0.1:$PORT/offset/items" \
	--retries 0 "$DEAD_BASE/offset/items"
frc=$rc
check "failed run: status 1" status_is 1
check "failed run: the file parses" parses "$M"
check "failed run: exit status metric = the process's (1)" \
	is status "$(v invdump_exit_status)" "$frc"
check "failed run: run exit status 1, one target failed" sh -c \
	"[ '$(v invdump_run_exit_status run=one)' = 1 ] &&
	 [ '$(v invdump_run_targets_failed run=one)' = 1 ]"
check "failed run: last success carried over ($ls1)" \
	is last "$(v invdump_last_success_timestamp_seconds)" "$ls1"
check "failed run: the run's last success carried over" \
	is last "$(v invdump_run_last_success_timestamp_seconds run=one)" "$lsr"
check "failed run: nothing exported, 0 items" is items "$(v invdump_items)" 0
check "failed run: the good export stays published" sh -c "gzip -dc '$O' | cmp -s - '$T/truth'"
run_invdump -q -o "$O" --metrics "$M" --metrics-target "127.0.0.1:$PORT/offset/items" \
	--retries 0 "$DEAD_BASE/offset/items"
parse "$M"
check "a second failed run: carried over again" \
	is last "$(v invdump_last_success_timestamp_seconds)" "$ls1"
F=$T/prom/never.prom
run_invdump -q -o "$T/new.ndjson.gz" --metrics "$F" --retries 0 "$DEAD_BASE/offset/items"
parse "$F"
check "a target that never succeeded: last success 0" \
	py "[v for n, l, v in S if n == 'invdump_last_success_timestamp_seconds'] == [0]"

# ------------------------------------------------ a jobs run: 120 targets
# 119 targets on one server (237 items, 25 a page: 10 pages) and one on
# the dead port: every target in the file, by its section's name.
start_mock --items 237
J=$BASE
mkdir "$T/jobs"
{
	printf '[defaults]\nlimit = 25\n\n'
	i=0
	while [ "$i" -lt 119 ]; do
		printf '[t%03d]\nurl = %s/offset/items?n=%d\noutput = %s/jobs/t%03d.ndjson.gz\n\n' \
			"$i" "$J" "$i" "$T" "$i"
		i=$((i + 1))
	done
	printf '[dead]\nurl = %s/offset/items\noutput = %s/jobs/dead.ndjson.gz\n' "$DEAD_BASE" "$T"
} >"$T/jobs.ini"
chmod 600 "$T/jobs.ini"
F=$T/prom/fleet.prom
r0=$(stat_requests "$J")
run_invdump -q --retries 0 -w 8 --jobs "$T/jobs.ini" --metrics "$F"
r1=$(stat_requests "$J")
check "jobs: status 1 (the dead target)" status_is 1
check "jobs: the file parses" parses "$F"
check "jobs: every target, by its section's name" py "
sorted(l['target'] for n, l, v in S if n == 'invdump_items') ==
sorted(['t%03d' % i for i in range(119)] + ['dead'])"
check "jobs: the run's line: 120 targets, 1 failed, status 1, never all good" py "
[(l, v) for n, l, v in S if n.startswith('invdump_run_') and 'seconds' not in n[-8:]] ==
[({'run': 'fleet'}, 120), ({'run': 'fleet'}, 1), ({'run': 'fleet'}, 1)] and
[v for n, l, v in S if n == 'invdump_run_last_success_timestamp_seconds'] == [0]"
bad=
for i in 000 042 118; do
	got=$(v invdump_items "target=t$i")
	[ "$got" = "$(lines "$T/jobs/t$i.ndjson.gz")" ] || bad="$bad t$i:$got"
	[ "$(v invdump_pages "target=t$i")" = 10 ] || bad="$bad t$i:pages"
done
check "jobs: items = each file's lines, pages = the mock's 10" is mismatches "$bad" ""
check "jobs: requests, summed over the targets, = the mock's count ($((r1 - r0)))" py "
sum(v for n, l, v in S if n == 'invdump_requests' and l['target'] != 'dead') == $((r1 - r0))"
check "jobs: the dead target's exit status is 1, the others' 0" py "
sorted(set((l['target'] == 'dead', v) for n, l, v in S if n == 'invdump_exit_status')) ==
[(False, 0), (True, 1)]"
lsj=$(v invdump_last_success_timestamp_seconds target=t007)
# The next night t007 fails (its server gone): its last success is
# carried over; the others' move on.
sed -i "s|^url = $J/offset/items?n=7\$|url = $DEAD_BASE/offset/items|" "$T/jobs.ini"
sleep 1
run_invdump -q --retries 0 -w 8 --jobs "$T/jobs.ini" --metrics "$F"
parse "$F"
check "jobs, next run: t007's last success carried over" \
	is last "$(v invdump_last_success_timestamp_seconds target=t007)" "$lsj"
check "jobs, next run: t008's is newer" \
	test "$(v invdump_last_success_timestamp_seconds target=t008)" -gt "$lsj"
check "jobs, next run: t007's exit status 1" is status "$(v invdump_exit_status target=t007)" 1
check "jobs, next run: two targets failed" is failed "$(v invdump_run_targets_failed run=fleet)" 2
run_invdump -q --jobs "$T/jobs.ini" --metrics "$F" --metrics-target x
check "jobs: --metrics-target refused (status 2), the sections name the targets" \
	sh -c "[ $rc = 2 ] && grep -q 'section' '$T/err'"

# ------------------------------------------------------------- --shard
for i in 0 1; do
	run_invdump -q -o "$T/shard$i.ndjson.gz" --shard "$i/2" --metrics "$T/prom/shard$i.prom" \
		"$B1/offset/items"
	parse "$T/prom/shard$i.prom"
done
L="target=127.0.0.1:$P1/offset/items"
s0=$(F=$T/prom/shard0.prom v invdump_items shard=0/2 "$L")
s1=$(F=$T/prom/shard1.prom v invdump_items shard=1/2 "$L")
check "--shard: each file's items, labelled by shard, = its part's lines" sh -c \
	"[ '$s0' = '$(lines "$T/shard0.ndjson.gz")' ] && [ '$s1' = '$(lines "$T/shard1.ndjson.gz")' ]"
check "--shard: together, the whole export" is items "$((s0 + s1))" 1234

# ---------------------------------------------------- standard output
run_invdump -q -o "$T/so.ndjson.gz" --metrics - "$B1/offset/items" >"$T/so.prom"
check "--metrics -: the figures on standard output" sh -c \
	"'$PY' '$T/prom.py' '$T/so.prom' >/dev/null && grep -q '^invdump_items{.*} 1234\$' '$T/so.prom'"
run_invdump -q --metrics - "$B1/offset/items" >/dev/null
check "--metrics - with -o - (the data's stdout): refused, status 2" status_is 2
run_invdump -q -o "$T/x.gz" --metrics "$T/x.gz" "$B1/offset/items"
check "--metrics on the output itself: refused, status 2" status_is 2
run_invdump -q -o "$T/x.gz" --manifest "$T/x.json" --metrics "$T/x.json" "$B1/offset/items"
check "--metrics on the manifest: refused, status 2" status_is 2

# ------------------------------------------------------------ atomicity
# A run killed part-way (SIGKILL) leaves the previous file as it was.
start_mock --items 400 --latency-ms 400
cp "$M" "$T/keep"
set +e
"$INVDUMP" -q -w 1 -l 20 -o "$T/slow.ndjson.gz" --metrics "$M" "$BASE/offset/items" 2>/dev/null &
pid=$!
sleep 1
kill -KILL "$pid"
wait "$pid"
set -e
check "killed during the export: the previous metrics file intact" same "$M" "$T/keep"
# A run stopped by SIGTERM still reports: its status, 143, in the file.
F=$T/term.prom
"$INVDUMP" -q -w 1 -l 20 -o "$T/slow.ndjson.gz" --metrics "$F" "$BASE/offset/items" 2>/dev/null &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "SIGTERM: status 143" status_is 143
check "SIGTERM: the file parses" parses "$F"
check "SIGTERM: the target's and the run's exit status 143, last success 0" py "
[v for n, l, v in S if n.endswith('exit_status') or 'last_success' in n] == [143, 0, 143, 0]"
# A jobs run stopped by SIGTERM: the target that had ended says 0, the
# one the signal stopped 143, as the run does.
{
	printf '[fast]\nurl = %s/offset/items\noutput = %s/fast.gz\n\n' "$J" "$T"
	printf '[slow]\nurl = %s/offset/items\nlimit = 20\noutput = %s/slow.gz\n' "$BASE" "$T"
} >"$T/term.ini"
chmod 600 "$T/term.ini"
F=$T/termjobs.prom
"$INVDUMP" -q -w 2 --jobs "$T/term.ini" --metrics "$F" 2>/dev/null &
pid=$!
# The signal once [fast] is published (a slow build may take more than a
# second for it), while [slow] has seconds to go: up to 30 s.  Two
# workers: with one, [slow]'s requests may take the run's one slot again
# and again while [fast] waits for it.
i=0
while [ ! -e "$T/fast.gz" ] && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
diag "[fast] published after $i ticks of 0.1 s"
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
check "jobs, SIGTERM: status 143" status_is 143
check "jobs, SIGTERM: the file parses" parses "$F"
check "jobs, SIGTERM: fast 0, slow 143, the run 143" sh -c \
	"[ '$(v invdump_exit_status target=fast)' = 0 ] &&
	 [ '$(v invdump_exit_status target=slow)' = 143 ] &&
	 [ '$(v invdump_run_exit_status run=termjobs)' = 143 ]"
# Killed while the metrics file itself is being written (its temporary
# file's fsync held 20 s by the shim): the previous file intact, and no
# *.prom file but it for the collector to read.
if [ -f "$SHIM" ]; then
	start_mock --items 300
	set +e
	env LD_PRELOAD="$SHIM" INJECT_SLEEP=fsync:20 INJECT_PATH=one.prom \
		"$INVDUMP" -q -o "$T/k.ndjson.gz" --metrics "$M" "$BASE/offset/items" 2>"$T/err" &
	pid=$!
	i=0
	while ! grep -q "inject: fsync sleeps" "$T/err" && [ "$i" -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL "$pid"
	wait "$pid"
	set -e
	check "killed while the metrics file is written: it was being written" \
		err_has "inject: fsync sleeps"
	check "killed while the metrics file is written: the previous file intact" same "$M" "$T/keep"
	check "... and no other *.prom file in its directory" is proms \
		"$(cd "$T/prom" && ls -- *.prom | tr '\n' ' ')" \
		"fleet.prom never.prom one.prom shard0.prom shard1.prom "
	# The metrics file cannot be published (rename fails): the good
	# export stays published, status 6, said so.
	env LD_PRELOAD="$SHIM" INJECT_FAIL=rename:EACCES INJECT_PATH=one.prom \
		"$INVDUMP" -q -o "$T/r.ndjson.gz" --metrics "$M" "$BASE/offset/items" 2>"$T/err" && rc=0 || rc=$?
	check "metrics not published: status 6" status_is 6
	check "... the message says the export is published all the same" err_has "published all the same"
	check "... and it is" test "$(lines "$T/r.ndjson.gz")" = 300
	check "... the previous metrics file intact" same "$M" "$T/keep"
else
	for _ in 1 2 3 4 5 6 7 8; do skip "the inject shim is not built (make check builds it)"; done
fi

# An unwritable place: said at once, status 6, no request made.
r0=$(stat_requests "$BASE")
run_invdump -q -o "$T/u.ndjson.gz" --metrics "$T/no/such/dir/m.prom" "$BASE/offset/items"
check "a metrics directory that does not exist: status 6" status_is 6
check "... the message names it and the fix" err_has "cannot write in $T/no/such/dir"
check "... before any request" is requests "$(stat_requests "$BASE")" "$r0"
mkdir "$T/isdir.prom"
run_invdump -q -o "$T/u.ndjson.gz" --metrics "$T/isdir.prom" "$BASE/offset/items"
check "--metrics naming a directory: status 6, said" \
	sh -c "[ $rc = 6 ] && grep -q 'is a directory' '$T/err'"

done_testing
