#!/bin/sh
# bench.sh BUILDDIR [SCENARIO...] - invdump against the scripts it replaces.
#
# Run through "make bench".  SCENARIO is one of latency cpu memory
# connections ratelimit faults shell, one of the "at the limit when the
# API misbehaves" scenarios a c d e stall, one of the fleet scenarios
# fleet f5fleet onepage, session, or s3 (default: all).  Every run gets a fresh
# tests/mockapi server on 127.0.0.1 (so the fault picks, the rate bucket
# and the /stats counters start equal for every tool; six of them in the
# fleet scenario, 24 on addresses of their own in f5fleet), the tools
# take turns round by round (invdump, seed_export.py, curl+jq, invdump,
# ...), each under /usr/bin/time, and every output is checked against the
# server's /truth.
# The tables (report.py) give figures and say whether each target of the
# issue is met; nothing here fails on a time.
#
#   a      20,000 items, 200 pages, 50 ms, W=16: wall vs ceil(P/W) x latency
#          (and vs the floor: curl -Z fetching every page to /dev/null, W
#          at once, the least any libcurl client takes on this machine)
#   c      20,000 items, 200 pages, --rate 20 (burst 20), 20 ms, W=10: wall
#          and 429s vs (P - R)/R + latency
#   d      2,000 items, 20 pages, 200 ms, W=10: wall vs ceil(P/W) x latency
#          (and vs the same floor)
#   e      20,000 items, 200 pages, 50 ms, W=10, 2 % 503 with Retry-After
#          and 1 % dropped connections: wall vs the same tool's fault-free
#          wall (run in the same rounds) + the longest Retry-After.  Needs a
#          503 that carries Retry-After (probed first; skipped otherwise)
#   stall  20,000 items, 200 pages, 50 ms, W=16, 3 % of bodies stall
#          (mockapi stall: ~100 bytes, then 60 s of nothing): wall vs the
#          same tool's stall-free wall (run in the same rounds)
#   fleet  six devices (six mockapis, six origins), 2,000 items each at
#          20 ms, one of them (the slow appliance) at 2,000 ms; three paths
#          each (F5 pools -p f5, /offset/items, the F5 version object -p
#          object): invdump --jobs (18 targets, W=16) against invdump once
#          per target one after another, seed_export.py per device (offset
#          path only) and fleet_pool.py (one ThreadPoolExecutor over
#          targets x pages); and when the five fast devices' outputs were
#          all published, with the slow one in the jobs file and without it
#          (also for a jobs file of the offset path alone: 6 targets)
#   f5fleet  24 appliances (24 mockapis on 127.0.0.11 .. 127.0.0.34), three
#          calls each (an F5 pool list of 40 items, the version and the
#          failover status objects), 20 at 30 ms and 4 at 1,500 ms: 72
#          calls; onepage  200 lists of one page on one mockapi at 20 ms.
#          A jobs file of [defaults] and one section per call, invdump
#          --jobs -w 16 against fleet_pool.py's 16 threads (urllib, and
#          --session: a requests.Session per thread); requests per call
#          beside the wall time (details above sc_f5fleet)
#   session  20,000 items, 200 pages, 50 ms, W=4, --session ibm-iam against
#          mockapi's IAM login: one token for the whole run beside tokens
#          of 1 s, renewed at 0.8 s while the requests go on (invdump only;
#          the logins and refusals each run made are in its stderr line)
#   s3     1,000,000 items, 10,000 pages of 100, W=16, no latency: invdump to a
#          local file beside invdump to s3:// on s3rver (loopback, one
#          s3rver for the scenario, from the build tree's npm install that
#          tests/integration/s3.sh makes; skipped when there is none): wall
#          of each, their ratio (target: s3 <= 1.10x local) and peak RSS,
#          in 5 rounds at least.  The 16 MiB object is under the default
#          --s3-upload-cutoff: held, then one PUT; beside it, the same
#          object uploaded in 8M parts as the export runs
#          (--s3-upload-cutoff 8M), for information.
#          s3rver has no ListMultipartUploads: each s3 run says so once on
#          its standard error, and goes on
# Peers: seed_export.py (no retries), seed_retry_export.py (the same with a
# urllib3 Retry adapter), curl+jq+gzip, and aria2c fetching the raw pages
# without parsing them (a, d; skipped when aria2c is not installed);
# fleet_pool.py, one ThreadPoolExecutor over many targets (fleet, f5fleet,
# onepage).
#
# Environment: BENCH_ROUNDS (default 3), BENCH_KEEP=1 keeps the work
# directory, BENCH_TIMEOUT seconds allowed per run (default 300),
# BENCH_STALL_TIMEOUT the same for the stall scenario (default 180: three
# stall periods), BENCH_QUIET=S waits up to S seconds before each run for
# the machine to be idle (default 0: no wait; the "other CPU s" column
# shows what else ran), BENCH_ONLY="c e" runs only these scenarios (when
# no SCENARIO is given), BENCH_E_FAULT=KIND the mockapi fault kind that
# answers 503 with Retry-After for scenario e (default 503).  A tool whose
# run times out is not run again in the later rounds of that scenario.
#
# What the columns mean is in report.py; the method is in RESULTS.md.

# bash for arrays, PIPESTATUS and EPOCHREALTIME; make runs us with /bin/sh.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu -o pipefail

if [ $# -lt 1 ]; then
	echo "usage: bench.sh BUILDDIR [latency|cpu|memory|connections|ratelimit|faults|shell|a|c|d|e|stall|fleet|f5fleet|onepage|session|s3]..." >&2
	exit 2
fi
b=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
inv=$b/src/invdump
mock=$b/tests/mockapi/mockapi
rounds=${BENCH_ROUNDS:-3}
tmo=${BENCH_TIMEOUT:-300}
for f in "$inv" "$mock"; do
	[ -x "$f" ] || { echo "bench.sh: $f is missing; run make first" >&2; exit 2; }
done
for t in /usr/bin/time python3 jq curl gzip timeout; do
	command -v "$t" >/dev/null || { echo "bench.sh: needs $t" >&2; exit 2; }
done
python3 -c 'import requests, urllib3' 2>/dev/null ||
	{ echo "bench.sh: needs python3-requests and python3-urllib3" >&2; exit 2; }
have_aria2=0
command -v aria2c >/dev/null && have_aria2=1

all="latency cpu memory connections ratelimit faults shell a c d e stall fleet f5fleet onepage session s3"
# shellcheck disable=SC2086 # a list of words
[ $# -gt 0 ] || set -- ${BENCH_ONLY:-$all}
[ $# -gt 0 ] || { echo "bench.sh: BENCH_ONLY names no scenario" >&2; exit 2; }
for s in "$@"; do
	case " $all " in *" $s "*) ;; *) echo "bench.sh: unknown scenario '$s'" >&2; exit 2 ;; esac
done

T=$(mktemp -d "${TMPDIR:-/tmp}/invdump-bench.XXXXXX")
spid=
cpid=
fleet_pids=()   # the fleet scenario's servers
fleet_stop() {
	local p
	for p in "${fleet_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${fleet_pids[@]}"; do wait "$p" 2>/dev/null || true; done
	fleet_pids=()
}
# Private copies: a rebuild of the tree during the run must not change or
# remove the binaries under test half-way.
cp "$inv" "$T/invdump"; cp "$mock" "$T/mockapi"
inv=$T/invdump mock=$T/mockapi
s3pid=          # the s3 scenario's s3rver
s3rver_stop() {
	if [ -n "$s3pid" ]; then kill "$s3pid" 2>/dev/null || true; wait "$s3pid" 2>/dev/null || true; fi
	s3pid=
}
cleanup() {
	# A run in progress: timeout(1) leads its own process group (the tool
	# and the tool's children); it is the only child of GNU time.
	if [ -n "$cpid" ]; then
		local t kids=()
		read -r -a kids <"/proc/$cpid/task/$cpid/children" 2>/dev/null || true
		for t in "${kids[@]}"; do
			kill -TERM -- "-$t" 2>/dev/null || true
		done
		wait "$cpid" 2>/dev/null || true
	fi
	if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi
	s3rver_stop
	fleet_stop
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench.sh: kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "# invdump benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "# machine: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), Linux $(uname -r)"
echo "# invdump: $("$inv" --version 2>&1 | head -n 1) ($(git -C "$here" describe --always --dirty 2>/dev/null || echo 'no git')); $("$inv" --version 2>&1 | sed -n 2p | grep -o 'libcurl/[^ ]*\|yajl/[^ ]*\|zlib/[^ ]*' | sort -u | tr '\n' ' ')$("$inv" --version 2>&1 | sed -n 's/^gzip members: */; gzip members: /p')"
echo "# binaries under test: invdump sha256 $(sha256sum "$inv" | cut -c1-16), built $(date -u -r "$b/src/invdump" '+%H:%M:%S' 2>/dev/null); mockapi sha256 $(sha256sum "$mock" | cut -c1-16)"
echo "# python $(python3 -c 'import sys, requests, urllib3; print(sys.version.split()[0], "requests", requests.__version__, "urllib3", urllib3.__version__)'); $(curl --version | head -n 1 | cut -d' ' -f1-2); $(jq --version); $(gzip --version | head -n 1); $(if [ $have_aria2 = 1 ]; then aria2c --version | head -n 1; else echo 'no aria2c'; fi)"
echo "# scenarios: $*; rounds: $rounds"

res=$T/results.tsv      # one line per run, read by report.py
sh_res=$T/shell.tsv     # the shell scenario's runs
info=$T/info.tsv        # per scenario facts for report.py: SCEN KEY VALUE
fail_log=$T/failures.txt
: >"$res"; : >"$sh_res"; : >"$info"; : >"$fail_log"

# ---------------------------------------------------------------- server
# server_start ARGS...: a fresh mockapi; sets spid and base.
server_start() {
	rm -f "$T/port"
	"$mock" --lifetime 900 --port-file "$T/port" "$@" >/dev/null 2>"$T/mock.err" &
	spid=$!
	local i=0
	while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.05; i=$((i + 1))
	done
	if [ ! -s "$T/port" ]; then
		echo "bench.sh: mockapi did not start: $(cat "$T/mock.err")" >&2
		exit 1
	fi
	base=http://127.0.0.1:$(cat "$T/port")
}

server_stop() {
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	spid=
}

# truth KEY ARGS...: the dataset's canonical NDJSON, fetched once per KEY.
truth() {
	local key=$1; shift
	if [ ! -s "$T/truth.$key" ]; then
		server_start "$@"
		curl -sf --max-time 120 -o "$T/truth.$key" "$base/truth"
		server_stop
	fi
	truth_file=$T/truth.$key
}

# check_output OUT: the verdict of ndjson_check.py, cached by the output's
# content (the Python and jq outputs are the same every round, and a parsed
# comparison of 200,000 lines takes seconds).
check_output() {
	local h
	h=$(gzip -dcf "$1" | sha256sum | cut -c1-32)
	if [ ! -s "$T/verdict.$h" ]; then
		python3 "$here/ndjson_check.py" "$truth_file" "$1" >"$T/verdict.$h" || true
	fi
	cat "$T/verdict.$h"
}

# busy_ticks: CPU ticks the whole machine spent busy so far (/proc/stat);
# proc_ticks PID: user+sys ticks of PID so far.  Together with the tool's
# own CPU time they give "other CPU": what processes other than the tool
# and the server used during a run, i.e. how disturbed the figure is.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }
proc_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0; }
hz=$(getconf CLK_TCK)

# quiet_wait: with BENCH_QUIET=S, wait up to S seconds for the machine to
# be idle (under a tenth of a CPU busy over half a second) before a run.
# quiet_s counts the seconds spent here, for the total at the end.
quiet_s=0
quiet_wait() {
	local limit=${BENCH_QUIET:-0} waited=0 b0 b1 t0=$SECONDS
	[ "$limit" -gt 0 ] || return 0
	while [ "$waited" -lt "$limit" ]; do
		b0=$(busy_ticks); sleep 0.5; b1=$(busy_ticks)
		if [ $(( (b1 - b0) * 20 )) -lt "$hz" ]; then
			quiet_s=$((quiet_s + SECONDS - t0))
			return 0
		fi
		sleep 0.5; waited=$((waited + 1))
	done
	quiet_s=$((quiet_s + SECONDS - t0))
	echo "bench.sh: machine still busy after ${limit}s; running anyway" >&2
}

# ---------------------------------------------------------------- runs
# A run spec is "LABEL|KIND|EXTRA INVDUMP ARGS[|FAULT ARGS[|ROLE]]"; KIND is
# invdump, python (seed_export.py), pyretry (seed_retry_export.py), curljq,
# aria2 (aria2c fetching every page to a file, unparsed) or floor (curl
# fetching every page to /dev/null: what moving the bytes alone costs on
# this machine).  FAULT ARGS are added to the scenario's server options for
# this spec only; ROLE "clean" marks the fault-free twin of a tool's run
# (scenarios e and stall compare each tool with its own twin).
#
# bench_set SCEN KEY ITEMS LIMIT WORKERS LATENCY_MS RATE "SERVER ARGS" SPEC...
# runs every spec once per round, in turns, each against a fresh server.
# run_tmo (when set) overrides BENCH_TIMEOUT for these runs.
bench_set() {
	local scen=$1 key=$2 items=$3 limit=$4 w=$5 lat=$6 rate=$7 sargs=$8
	shift 8
	local pages=$(( (items + limit - 1) / limit ))
	[ "$pages" -gt 0 ] || pages=1
	local rtmo=${run_tmo:-$tmo}
	# shellcheck disable=SC2086
	truth "$key" $sargs
	local r spec label kind extra fargs role out rc wall user sys rss stats conns n429 verdict
	local n5xx nfaults nreq b0 b1 sticks other
	local -A dead=()
	for r in $(seq 1 "$rounds"); do
		for spec in "$@"; do
			IFS='|' read -r label kind extra fargs role <<<"$spec"
			if [ "$kind" = aria2 ] && [ "$have_aria2" = 0 ]; then
				[ "$r" -gt 1 ] || echo "  $label: skipped, aria2c is not installed (apt-get install aria2)" >&2
				continue
			fi
			if [ -n "${dead[$label|$role]:-}" ]; then
				printf '  %-40s round %d: not run, it timed out in round %s\n' \
					"$label${role:+ [$role]}" "$r" "${dead[$label|$role]}" >&2
				continue
			fi
			out=$T/out.ndjson.gz
			rm -rf "$out" "$T/pages"
			# shellcheck disable=SC2086
			server_start $sargs $fargs
			local url=$base/offset/items
			local -a cmd
			# shellcheck disable=SC2206 # EXTRA is words, split on purpose
			case $kind in
			invdump) cmd=("$inv" -w "$w" -l "$limit" $extra -o "$out" "$url") ;;
			s3) cmd=("$inv" -w "$w" -l "$limit" $extra -o s3://bkt/bench.ndjson.gz "$url") ;;
			python) cmd=(python3 "$here/seed_export.py" -w "$w" -l "$limit" -o "$out" "$url") ;;
			pyretry) cmd=(python3 "$here/seed_retry_export.py" -w "$w" -l "$limit" -o "$out" "$url") ;;
			curljq) cmd=(bash "$here/curl_jq.sh" "$url" "$w" "$limit" "$out") ;;
			floor)
				local off=0
				while [ $off -lt "$items" ] || [ $off -eq 0 ]; do
					printf 'url = "%s?offset=%d&limit=%d"\noutput = "/dev/null"\n' "$url" $off "$limit"
					off=$((off + limit))
				done >"$T/floor.cfg"
				cmd=(curl -f --no-progress-meter -Z --parallel-immediate --parallel-max "$w" -K "$T/floor.cfg") ;;
			aria2)
				# Every page URL is known up front (no first request for
				# the total); one file per page, in aria2c's defaults
				# otherwise (5 tries per page, no wait between them).
				local off=0 page=0
				while [ $off -lt "$items" ] || [ $off -eq 0 ]; do
					printf '%s?offset=%d&limit=%d\n  out=p.%07d\n' "$url" $off "$limit" $page
					off=$((off + limit)); page=$((page + 1))
				done >"$T/aria2.in"
				mkdir -p "$T/pages"
				cmd=(aria2c -i "$T/aria2.in" -d "$T/pages" -j "$w"
					--console-log-level=error --summary-interval=0
					--show-console-readout=false --download-result=hide
					--allow-overwrite=true --auto-file-renaming=false
					--file-allocation=none) ;;
			esac
			quiet_wait
			# invdump fsyncs its output; without this its fsync would also
			# pay for writing back what the previous run left dirty.
			sync
			b0=$(busy_ticks)
			# In the background and waited for, so that an interrupt is
			# handled at once (cleanup stops the run's process group).
			set +e
			/usr/bin/time -f '%e %U %S %M' -o "$T/time" \
				timeout -k 5 "$rtmo" "${cmd[@]}" >"$T/run.out" 2>"$T/run.err" &
			cpid=$!
			wait "$cpid"
			rc=$?
			cpid=
			set -e
			b1=$(busy_ticks)
			sticks=$(proc_ticks "$spid")
			stats=$(curl -sf --max-time 10 "$base/stats" || echo '{}')
			server_stop
			read -r wall user sys rss < <(tail -n 1 "$T/time")
			other=$(awk -v b="$((b1 - b0 - sticks))" -v hz="$hz" -v u="$user" -v s="$sys" \
				'BEGIN { o = b / hz - u - s; printf "%.2f", o < 0 ? 0 : o }')
			# The /stats request is itself a connection.
			conns=$(jq -r '(.connections // 0) - 1' <<<"$stats")
			n429=$(jq -r '.status_429 // 0' <<<"$stats")
			n5xx=$(jq -r '.status_5xx // 0' <<<"$stats")
			nfaults=$(jq -r '.faults // 0' <<<"$stats")
			nreq=$(jq -r '.requests // 0' <<<"$stats")
			if [ "$rc" -ne 0 ]; then
				verdict="FAILED (exit $rc)"
				if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
					verdict="FAILED (timeout ${rtmo}s)"
					dead[$label|$role]=$r
				fi
				{
					printf '[%s] %s%s, round %d: exit %d\n$ %s\n' "$scen" "$label" \
						"${role:+ [$role]}" "$r" "$rc" "${cmd[*]}"
					tail -n 4 "$T/run.err" | cut -c1-300
					echo
				} >>"$fail_log"
			elif [ "$kind" = s3 ]; then
				# The object as s3rver stores it, against /truth.
				curl -sf --max-time 120 -o "$out" "$s3url/bkt/bench.ndjson.gz" ||
					rm -f "$out"
				verdict=$(if [ -s "$out" ]; then check_output "$out"; else echo "no object"; fi)
			elif [ "$kind" = floor ]; then
				verdict="(no output)"
			elif [ "$kind" = aria2 ]; then
				# Not timed: the raw pages, parsed and written one item a
				# line the way the Python exporter does, against /truth.
				python3 "$here/pages_ndjson.py" "$T/pages" "$out"
				verdict="pages: $(check_output "$out")"
			else
				verdict=$(check_output "$out")
			fi
			printf '%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
				"$scen" "$label" "$r" $rc "$wall" "$user" "$sys" "$rss" \
				"$conns" "$n429" "$items" "$pages" "$w" "$lat" "$rate" "$verdict" "$other" \
				"$role" "$n5xx" "$nfaults" "$nreq" >>"$res"
			printf '  %-40s round %d: %6.2f s  (other CPU %s s)  %s\n' \
				"$label${role:+ [$role]}" "$r" "$wall" "$other" "$verdict" >&2
		done
	done
}

# ---------------------------------------------------------------- scenarios
sc_latency() {
	bench_set latency lat20k 20000 100 16 50 0 "--items 20000 --latency-ms 50" \
		"invdump|invdump|" "seed_export.py|python|" "curl+jq+gzip|curljq|"
}

# The default gzip level and the deflate engine are read from invdump
# itself (--help, --version), so the rows say what was measured.
sc_cpu() {
	local dlev engine l
	local -a more=()
	# "level 1..9 (default 6)" or "level 1 (fastest, the default) .. 9"
	dlev=$("$inv" --help 2>&1 | grep -e '--level' | sed -n \
		-e 's/.*(default \([0-9]\)).*/\1/p' -e 's/.*\([0-9]\) ([^)]*default).*/\1/p' | head -n 1)
	engine=$("$inv" --version 2>&1 | sed -n 's/^gzip members: *//p')
	for l in 1 6 9; do
		[ "$l" = "${dlev:-6}" ] || more+=("invdump --level $l|invdump|--level $l")
	done
	bench_set cpu cpu200k 200000 1000 2 0 0 "--items 200000 --item-size 300" \
		"invdump (default: level ${dlev:-?}, ${engine:-zlib})|invdump|" \
		"seed_export.py|python|" \
		"curl+jq+gzip|curljq|" \
		"invdump --compress none|invdump|--compress none" \
		"${more[@]}" \
		"floor: curl -Z to /dev/null|floor|"
}

sc_memory() {
	bench_set memory mem1m 1000000 100 16 0 0 "--items 1000000" \
		"invdump, 1,000,000 items|invdump|"
	bench_set memory mem10k 10000 100 16 0 0 "--items 10000" \
		"invdump, 10,000 items|invdump|"
}

sc_ratelimit() {
	bench_set ratelimit rate20k 20000 100 16 0 20 "--items 20000 --rate 20" \
		"invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|" "curl+jq+gzip|curljq|"
}

sc_faults() {
	bench_set faults faults20k 20000 100 16 0 0 \
		"--items 20000 --fault 503:0.02 --fault drop:0.01" \
		"invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|" "curl+jq+gzip|curljq|"
}

# A long run whose tokens expire, beside the same run on one token: what
# renewal costs (a login round trip now and then, no request held).
sc_session() {
	local login='--session ibm-iam --login-url /identity/token'
	INVDUMP_LOGIN_SECRET='s3cr"et&=%+PW'
	export INVDUMP_LOGIN_SECRET
	bench_set session sess20k 20000 100 4 50 0 "--items 20000 --latency-ms 50" \
		"invdump, one token for the run|invdump|$login|--session mode=iam" \
		"invdump, tokens of 1 s (renewed)|invdump|$login|--session mode=iam,ttl=1"
}

# s3: the same export to a local file and to s3:// on s3rver, side by side
# in every round.  One s3rver for the scenario (its own directory, its
# objects overwritten each round); its CPU is in "other CPU s".  Five
# rounds at least: the target compares two walls some 5% apart, on a
# machine whose walls wander by as much from one run to the next.
sc_s3() {
	local s3rver=$b/tests/s3rver/node_modules/.bin/s3rver i=0
	local rounds=$((rounds > 5 ? rounds : 5))   # bench_set reads it
	if [ ! -x "$s3rver" ]; then
		printf 's3\tskipped\t%s\n' "no s3rver in $b/tests/s3rver (make check TESTS=tests/integration/s3.sh installs it from npm)" >>"$info"
		echo "  skipped: no s3rver under $b/tests/s3rver" >&2
		return 0
	fi
	mkdir -p "$T/s3"
	"$s3rver" -d "$T/s3" -a 127.0.0.1 -p 0 --configure-bucket bkt >"$T/s3rver.out" 2>&1 &
	s3pid=$!
	until grep -q 'listening on' "$T/s3rver.out"; do
		i=$((i + 1))
		if [ "$i" -ge 200 ] || ! kill -0 "$s3pid" 2>/dev/null; then
			printf 's3\tskipped\t%s\n' "s3rver did not start: $(tail -n 1 "$T/s3rver.out")" >>"$info"
			echo "  skipped: s3rver did not start" >&2
			s3rver_stop
			return 0
		fi
		sleep 0.1
	done
	s3url=http://127.0.0.1:$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/s3rver.out" | head -n 1)
	# s3rver's one key (it does not check SigV4 signatures; s3sign.sh
	# compares them with botocore's).  HOME: no ~/.aws of the person
	# running the bench.
	AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
	AWS_ENDPOINT_URL=$s3url HOME=$T \
		bench_set s3 mem1m 1000000 100 16 0 0 "--items 1000000" \
			"invdump to a local file|invdump|" \
			"invdump to s3:// (s3rver)|s3|" \
			"invdump, s3:// in 8M parts as it runs|s3|--s3-upload-cutoff 8M"
	s3rver_stop
}

# ------------------------------------------- at the limit when the API misbehaves
# The bounds each table compares with are in report.py (DESCR, BOUND).
sc_a() {
	bench_set a lat20k 20000 100 16 50 0 "--items 20000 --latency-ms 50" \
		"invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|" "curl+jq+gzip|curljq|" \
		"aria2c (raw pages, not parsed)|aria2|" \
		"floor: curl -Z to /dev/null|floor|"
}

sc_c() {
	bench_set c lat20k 20000 100 10 20 20 "--items 20000 --latency-ms 20 --rate 20" \
		"invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|" "curl+jq+gzip|curljq|"
}

sc_d() {
	bench_set d d2k 2000 100 10 200 0 "--items 2000 --latency-ms 200" \
		"invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|" "curl+jq+gzip|curljq|" \
		"aria2c (raw pages, not parsed)|aria2|" \
		"floor: curl -Z to /dev/null|floor|"
}

# probe_503 KIND: whether mockapi's fault KIND answers 503 with a
# Retry-After; prints the Retry-After in seconds, or a reason on failure.
probe_503() {
	local kind=$1 i=0 pp ppid hdr st ra d
	pp=$T/probe.port
	rm -f "$pp"
	"$mock" --lifetime 30 --port-file "$pp" --items 10 --fault "$kind" \
		>/dev/null 2>"$T/probe.err" &
	ppid=$!
	while [ ! -s "$pp" ] && [ $i -lt 100 ]; do
		kill -0 "$ppid" 2>/dev/null || break
		sleep 0.05; i=$((i + 1))
	done
	if [ ! -s "$pp" ]; then
		wait "$ppid" 2>/dev/null || true
		echo "mockapi does not accept --fault $kind ($(head -c 200 "$T/probe.err" | tr '\n' ' '))"
		return 1
	fi
	hdr=$(curl -s --max-time 10 -D - -o /dev/null \
		"http://127.0.0.1:$(cat "$pp")/offset/items?offset=0&limit=1" | tr -d '\r')
	kill "$ppid" 2>/dev/null || true
	wait "$ppid" 2>/dev/null || true
	st=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<<"$hdr")
	ra=$(awk -F': *' 'tolower($1) == "retry-after" { print $2; exit }' <<<"$hdr")
	if [ "$st" != 503 ]; then
		echo "mockapi's --fault $kind answers ${st:-nothing}, not 503"
		return 1
	fi
	if [ -z "$ra" ]; then
		echo "mockapi's --fault $kind answers 503 without a Retry-After header"
		return 1
	fi
	case $ra in
	*[!0-9]*)       # an HTTP date: seconds after the answer's Date
		d=$(awk -F': *' 'tolower($1) == "date" { print $2; exit }' <<<"$hdr")
		ra=$(( $(date -d "$ra" +%s) - $(date -d "${d:-now}" +%s) )) ||
			{ echo "unreadable Retry-After"; return 1; } ;;
	esac
	echo "$ra"
}

# e: each tool twice per round, fault-free and faulty, in turns.
sc_e() {
	local kind=${BENCH_E_FAULT:-503} ra
	if ! ra=$(probe_503 "$kind"); then
		printf 'e\tskipped\t%s\n' "$ra; scenario e needs 2 % of pages answered 503 with Retry-After: 1 (set BENCH_E_FAULT=KIND once mockapi has such a fault kind)" >>"$info"
		echo "  skipped: $ra" >&2
		return 0
	fi
	printf 'e\tretry_after\t%s\n' "$ra" >>"$info"
	printf 'e\tfault\t%s\n' "--fault $kind:0.02 --fault drop:0.01" >>"$info"
	local f="--fault $kind:0.02 --fault drop:0.01" t spec
	local -a specs=()
	for t in "invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|" "curl+jq+gzip|curljq|"; do
		specs+=("$t||clean" "$t|$f|")
	done
	bench_set e lat20k 20000 100 10 50 0 "--items 20000 --latency-ms 50" "${specs[@]}"
}

# stall: mockapi's stall fault sends ~100 bytes of the body, then nothing
# for 60 s (STALL_MS in tests/mockapi/faults.c; no option sets it), then
# the rest.  invdump runs with its default --speed-limit/--speed-time
# (1000 B/s for 60 s), the Python scripts with their timeout=60.
sc_stall() {
	local t
	local -a specs=()
	printf 'stall\tstall_s\t60\n' >>"$info"
	for t in "invdump|invdump|" "seed_export.py|python|" \
		"seed_retry_export.py|pyretry|"; do
		specs+=("$t||clean" "$t|--fault stall:0.03|")
	done
	run_tmo=${BENCH_STALL_TIMEOUT:-180} \
		bench_set stall lat20k 20000 100 16 50 0 "--items 20000 --latency-ms 50" "${specs[@]}"
}

# shell: "invdump -o - | head -n 3" must end at once with status 0 (a
# 200,000-item export at 50 ms per page would take 6.3 s at best); and the
# first line must come about one request latency after the start.
sc_shell() {
	local sargs="--items 200000 --latency-ms 50" r t0 t1 st line stats
	# shellcheck disable=SC2086 # $sargs is a list of server options
	truth shell200k $sargs
	head -n 3 "$truth_file" >"$T/truth3"
	for r in $(seq 1 "$rounds"); do
		# shellcheck disable=SC2086
		server_start $sargs
		t0=$EPOCHREALTIME
		set +e
		timeout -k 5 60 "$inv" -w 16 -o - "$base/offset/items" 2>"$T/run.err" |
			head -n 3 >"$T/head3"
		st=("${PIPESTATUS[@]}")
		set -e
		t1=$EPOCHREALTIME
		stats=$(curl -sf --max-time 10 "$base/stats" || echo '{}')
		server_stop
		if cmp -s "$T/head3" "$T/truth3"; then line=ok; else line=WRONG; fi
		printf 'head\t%d\t%s\t%s\t%s\t%s\t%s\n' "$r" \
			"$(python3 -c "print(round($t1 - $t0, 4))")" "${st[0]}/${st[1]}" \
			"$(jq -r '.requests // 0' <<<"$stats")" \
			"$(jq -r '(.connections // 0) - 1' <<<"$stats")" "$line" >>"$sh_res"
		if [ "${st[0]}" -ne 0 ]; then
			{
				printf '[shell] invdump -o - | head -n 3, round %d: invdump exit %s\n' "$r" "${st[0]}"
				printf '$ %s -w 16 -o - %s | head -n 3\n' "$inv" "$base/offset/items"
				tail -n 4 "$T/run.err" | cut -c1-300
				echo
			} >>"$fail_log"
		fi
		printf '  %-40s round %d: %s s  exit %s\n' "invdump -o - | head -n 3" "$r" \
			"$(tail -n 1 "$sh_res" | cut -f3)" "${st[0]}" >&2

		# shellcheck disable=SC2086
		server_start $sargs
		read -r t1 st < <(python3 "$here/first_line.py" timeout -k 5 60 \
			"$inv" -w 16 -o - "$base/offset/items" 2>/dev/null)
		server_stop
		printf 'first\t%d\t%s\t%s\t\t\t\n' "$r" "$t1" "$st" >>"$sh_res"
		printf '  %-40s round %d: %s s  exit %s\n' "first line on stdout" "$r" "$t1" "$st" >&2
	done
}

# ---------------------------------------------------------------- fleet
# Six devices, each a mockapi of its own (its own origin, 127.0.0.1:PORT),
# the first of them the slow appliance; three paths on each.  A target is
# one path of one device: "DEV NAME PROFILE URL OUTPUT" in
# $T/fleet.targets, in the jobs file's order (path by path, device by
# device within each), and every tool writes the same output names, so
# one check serves all.
fleet_items=2000 fleet_limit=100 fleet_w=16 fleet_lat=20 fleet_slow_ms=2000
fleet_paths=("pools|f5|/f5/mgmt/tm/ltm/pool|ndjson.gz"
	"items|offset|/offset/items|ndjson.gz"
	"version|object|/f5/mgmt/tm/sys/version|ndjson")
fleet_ports=()

# fleet_start LATENCY_MS...: a fresh mockapi per argument, side by side;
# device i answers on fleet_ports[i].
fleet_start() {
	local i=0 lat
	fleet_pids=(); fleet_ports=()
	rm -rf "$T/fleet.port"; mkdir "$T/fleet.port"
	for lat in "$@"; do
		"$mock" --lifetime 900 --port-file "$T/fleet.port/$i" --items "$fleet_items" \
			--latency-ms "$lat" >/dev/null 2>"$T/mock.err.$i" &
		fleet_pids+=($!)
		i=$((i + 1))
	done
	ports_wait "$T/fleet.port"
	fleet_ports=("${ports_got[@]}")
}

# ports_wait DIR: waits (10 s each at most) until every server of
# fleet_pids has written its port to DIR/INDEX, into ports_got[INDEX];
# exits when one does not start.
ports_wait() {
	local dir=$1 i k
	ports_got=()
	for i in "${!fleet_pids[@]}"; do
		k=0
		while [ ! -s "$dir/$i" ] && [ $k -lt 200 ]; do
			kill -0 "${fleet_pids[$i]}" 2>/dev/null || break
			sleep 0.05; k=$((k + 1))
		done
		if [ ! -s "$dir/$i" ]; then
			echo "bench.sh: mockapi $i did not start: $(cat "$T/mock.err.$i")" >&2
			exit 1
		fi
		ports_got[i]=$(cat "$dir/$i")
	done
}

# fleet_plan SCOPE: the targets into $T/fleet.targets, and the same as a
# jobs file, $T/fleet.ini.  SCOPE all: every path of every device; fast:
# of every device but the slow one (device 0); items: every device's
# /offset/items alone (one target per device, as in the issue's "6-target
# run"); itemsfast: the same without the slow device.
fleet_plan() {
	local scope=$1 p name prof path ext d hosts=''
	local -a devs=("${!fleet_ports[@]}")
	case $scope in *fast) devs=("${devs[@]:1}") ;; esac
	for d in "${devs[@]}"; do hosts="$hosts${hosts:+, }127.0.0.1:${fleet_ports[d]}"; done
	: >"$T/fleet.targets"
	printf '# %s\n[defaults]\nlimit = %d\n' "$scope" "$fleet_limit" >"$T/fleet.ini"
	for p in "${fleet_paths[@]}"; do
		IFS='|' read -r name prof path ext <<<"$p"
		case $scope in items*) [ "$name" = items ] || continue ;; esac
		printf '\n[%s]\nhosts = %s\nurl = http://{host}%s\nprofile = %s\noutput = %s/{host}-%s.%s\n' \
			"$name" "$hosts" "$path" "$prof" "$T/fleet.out" "$name" "$ext" >>"$T/fleet.ini"
		for d in "${devs[@]}"; do
			printf '%d\t%s\t%s\thttp://127.0.0.1:%s%s\t%s/127.0.0.1:%s-%s.%s\n' "$d" "$name" \
				"$prof" "${fleet_ports[d]}" "$path" "$T/fleet.out" "${fleet_ports[d]}" \
				"$name" "$ext" >>"$T/fleet.targets"
		done
	done
	chmod 600 "$T/fleet.ini"
}

# fleet_script KIND: one command per target, one after another, as a shell
# loop over the devices does it (a failing target does not stop the
# others; the status is the last failure's).
fleet_script() {
	local kind=$1 d name prof url out
	echo 'rc=0'
	while IFS=$'\t' read -r d name prof url out; do
		case $kind in
		invdump) printf '%q ' "$inv" -w "$fleet_w" -l "$fleet_limit" -p "$prof" -o "$out" "$url" ;;
		python) printf '%q ' python3 "$here/seed_export.py" -w "$fleet_w" -l "$fleet_limit" -o "$out" "$url" ;;
		esac
		# shellcheck disable=SC2016 # for the script, not for us
		echo '|| rc=$?'
	done <"$T/fleet.targets"
	# shellcheck disable=SC2016
	echo 'exit $rc'
}

# fleet_check: every target's output against its own device's /truth (or
# /truth-object; or the file a sixth column of $T/fleet.targets names), by
# one ndjson_check.py --batch; sets fleet_verdict ("ok (18 of 18)", or
# each distinct verdict with its count) and fleet_fast, fleet_slow: when
# the last output of the fast devices, and of the slow ones (the devices
# fleet_slowdevs lists, default device 0), appeared (its ctime: the rename
# that published it, or its last write), in s after fleet_t0 ("-" when one
# is missing; empty when there is none).  Few processes whatever the
# number of targets: a fleet of 200 must not take minutes to check.
fleet_slowdevs=0
fleet_check() {
	local d name prof url out truth v isslow i fast slow
	local -A count=()
	local -a outs=() slows=() verdicts=()
	local n=0 fmiss='' smiss=''
	: >"$T/check.list"
	while IFS=$'\t' read -r d name prof url out truth; do
		n=$((n + 1))
		if [ -z "$truth" ]; then
			truth=$T/fleet.truth.$d
			[ "$prof" != object ] || truth=$T/fleet.truthobj.$d
		fi
		case " $fleet_slowdevs " in *" $d "*) isslow=1 ;; *) isslow=0 ;; esac
		if [ ! -e "$out" ]; then
			v="WRONG: no output"
			count[$v]=$(( ${count[$v]:-0} + 1 ))
			if [ $isslow = 1 ]; then smiss=1; else fmiss=1; fi
		else
			printf '%s\t%s\n' "$truth" "$out" >>"$T/check.list"
			outs+=("$out"); slows+=("$isslow")
		fi
	done <"$T/fleet.targets"
	fast='' slow=''
	if [ ${#outs[@]} -gt 0 ]; then
		# One checker for all the outputs, its verdicts cached in $T.
		mapfile -t verdicts < <(python3 "$here/ndjson_check.py" --batch "$T/check.list" "$T")
		for i in "${!outs[@]}"; do
			v=${verdicts[i]:-WRONG: not checked (ndjson_check.py failed)}
			count[$v]=$(( ${count[$v]:-0} + 1 ))
		done
		# Each output's ctime: the rename that published it, or its
		# last write; the latest of the fast devices' and the slow ones'.
		read -r fast slow < <(paste -d' ' <(printf '%s\n' "${slows[@]}") \
			<(stat -c %.9Z -- "${outs[@]}") | awk -v t0="$fleet_t0" '
				$1 == 1 { if (s == "" || $2 > s) s = $2; next }
				{ if (f == "" || $2 > f) f = $2 }
				END { printf "%s %s\n", f == "" ? "x" : sprintf("%.3f", f - t0),
					s == "" ? "x" : sprintf("%.3f", s - t0) }')
		[ "$fast" != x ] || fast=''
		[ "$slow" != x ] || slow=''
	fi
	if [ ${#count[@]} -eq 1 ]; then
		for v in "${!count[@]}"; do fleet_verdict="$v ($n of $n)"; done
	else
		fleet_verdict=
		for v in "${!count[@]}"; do fleet_verdict="$fleet_verdict${fleet_verdict:+; }$v x${count[$v]}"; done
	fi
	fleet_fast=$fast fleet_slow=$slow
	[ -z "$fmiss" ] || fleet_fast=-
	[ -z "$smiss" ] || fleet_slow=-
}

# timed_run CMD...: CMD as a fleet's timed runs are run (once the machine
# is quiet, after sync, under /usr/bin/time and timeout "$tmo"), its output
# in $T/run.out and $T/run.err; sets rc, fleet_t0 (when it began), b0 and
# b1 (the machine's busy ticks before and after).
timed_run() {
	quiet_wait
	sync
	b0=$(busy_ticks)
	set +e
	fleet_t0=$EPOCHREALTIME
	/usr/bin/time -f '%e %U %S %M' -o "$T/time" \
		timeout -k 5 "$tmo" "$@" >"$T/run.out" 2>"$T/run.err" &
	cpid=$!
	wait "$cpid"
	rc=$?
	cpid=
	set -e
	b1=$(busy_ticks)
}

# run_verdict SCEN: after a fleet's timed run (timed_run, then the
# servers' ticks in sticks): wall, user, sys and rss from /usr/bin/time,
# other (the CPU seconds others used meanwhile), and verdict (fleet_check's,
# or why the run failed; a timeout marks the label dead for later rounds);
# a failed run's command and last lines go to the failure log.
run_verdict() {
	read -r wall user sys rss < <(tail -n 1 "$T/time")
	other=$(awk -v b="$((b1 - b0 - sticks))" -v hz="$hz" -v u="$user" -v s="$sys" \
		'BEGIN { o = b / hz - u - s; printf "%.2f", o < 0 ? 0 : o }')
	fleet_check
	verdict=$fleet_verdict
	[ "$rc" -ne 0 ] || return 0
	verdict="FAILED (exit $rc); $verdict"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		verdict="FAILED (timeout ${tmo}s)"
		dead[$label]=$r
	fi
	{
		printf '[%s] %s, round %d: exit %d\n$ %s\n' "$1" "$label" "$r" "$rc" "${cmd[*]}"
		tail -n 4 "$T/run.err" | cut -c1-300
		echo
	} >>"$fail_log"
}

# A fleet spec is "LABEL|KIND|SCOPE[|ROLE]": KIND jobs (invdump --jobs),
# seq (invdump per target), python (seed_export.py per target), pool
# (fleet_pool.py); SCOPE as for fleet_plan; ROLE baseline marks a run
# without the slow device, labelled as the run it is the baseline of +
# ", the five fast devices alone" (report.py pairs them by the label).
sc_fleet() {
	local r spec label kind scope role rc wall user sys rss verdict b0 b1 sticks other
	local i d stats conns nreq n429 n5xx ntg s a b
	local -a lats=() cmd
	local -A dead=()
	for i in 0 1 2 3 4 5; do lats+=("$([ $i = 0 ] && echo $fleet_slow_ms || echo $fleet_lat)"); done
	{
		printf 'fleet\tslow_ms\t%s\n' "$fleet_slow_ms"
		printf 'fleet\tdevices\t%s\n' "${#lats[@]}"
		printf 'fleet\tpaths\t%s\n' "$(printf '%s\n' "${fleet_paths[@]}" | cut -d'|' -f3 | paste -sd' ')"
	} >>"$info"
	local -a specs=(
		"invdump --jobs|jobs|all"
		"invdump --jobs, the five fast devices alone|jobs|fast|baseline"
		"invdump --jobs, /offset/items only|jobs|items"
		"invdump --jobs, /offset/items only, the five fast devices alone|jobs|itemsfast|baseline"
		"invdump, one target after another|seq|all"
		"seed_export.py, one device after another|python|items"
		"fleet_pool.py, one pool over targets x pages|pool|all")
	for r in $(seq 1 "$rounds"); do
		for spec in "${specs[@]}"; do
			IFS='|' read -r label kind scope role <<<"$spec"
			if [ -n "${dead[$label]:-}" ]; then
				printf '  %-46s round %d: not run, it timed out in round %s\n' "$label" "$r" "${dead[$label]}" >&2
				continue
			fi
			fleet_start "${lats[@]}"
			for i in "${!fleet_ports[@]}"; do
				curl -sf --max-time 60 -o "$T/fleet.truth.$i" "http://127.0.0.1:${fleet_ports[i]}/truth"
				curl -sf --max-time 60 -o "$T/fleet.truthobj.$i" "http://127.0.0.1:${fleet_ports[i]}/truth-object"
			done
			fleet_plan "$scope"
			ntg=$(wc -l <"$T/fleet.targets")
			rm -rf "$T/fleet.out"; mkdir "$T/fleet.out"
			case $kind in
			jobs) cmd=("$inv" -w "$fleet_w" --jobs "$T/fleet.ini") ;;
			seq) fleet_script invdump >"$T/fleet.sh"; cmd=(bash "$T/fleet.sh") ;;
			python) fleet_script python >"$T/fleet.sh"; cmd=(bash "$T/fleet.sh") ;;
			pool)
				cut -f3- "$T/fleet.targets" >"$T/fleet.pool"
				cmd=(python3 "$here/fleet_pool.py" -w "$fleet_w" -l "$fleet_limit" "$T/fleet.pool") ;;
			esac
			timed_run "${cmd[@]}"
			sticks=0 conns=0 nreq=0 n429=0 n5xx=0
			for i in "${!fleet_ports[@]}"; do
				sticks=$((sticks + $(proc_ticks "${fleet_pids[i]}")))
				stats=$(curl -sf --max-time 10 "http://127.0.0.1:${fleet_ports[i]}/stats" || echo '{}')
				read -r s d a b < <(jq -r '"\((.connections // 0) - 1) \(.requests // 0) \(.status_429 // 0) \(.status_5xx // 0)"' <<<"$stats")
				conns=$((conns + s)); nreq=$((nreq + d)); n429=$((n429 + a)); n5xx=$((n5xx + b))
			done
			fleet_stop
			run_verdict fleet
			printf '%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
				fleet "$label" "$r" "$rc" "$wall" "$user" "$sys" "$rss" \
				"$conns" "$n429" "$fleet_items" $(( (fleet_items + fleet_limit - 1) / fleet_limit )) \
				"$fleet_w" "$fleet_lat" 0 "$verdict" "$other" "$role" "$n5xx" 0 "$nreq" \
				"$fleet_fast" "$fleet_slow" "$ntg" >>"$res"
			printf '  %-46s round %d: %6.2f s  five fast %s s, slow %s s  (other CPU %s s)  %s\n' \
				"$label" "$r" "$wall" "${fleet_fast:--}" "${fleet_slow:--}" "$other" "$verdict" >&2
		done
	done
}

# ------------------------------------------------ the fleet as people have it
# f5fleet and onepage: many small calls, written the way people write a
# jobs file: a [defaults] section and one section per call (no hosts =),
# each with its own url and output.  invdump --jobs -w 16 runs against
# fleet_pool.py's 16 threads, with urllib (a new connection per request)
# and with --session (a requests.Session per thread: keep-alive).  Every
# run gets fresh servers.  "requests" is the list requests the servers
# counted during the run, summed over them; requests per call is that over
# the calls (1.0 when every call is one request).
#
#   f5fleet  24 appliances, each a mockapi on its own loopback address
#            (127.0.0.11 .. 127.0.0.34), three calls on each: the pool
#            list (-p f5, 40 items: one page) and two objects (-p object:
#            sys/version, cm/failover-status); 20 appliances answer in
#            30 ms, 4 (every sixth) in 1,500 ms: 72 calls
#   onepage  one mockapi at 20 ms, 200 calls of one page each:
#            /offset/items?site=N (25 items), N = 1..200
calls_w=16
f5_n=24 f5_items=40 f5_lat=30 f5_slow=1500 f5_slowdevs="5 11 17 23"
op_n=200 op_items=25 op_lat=20
calls_addrs=()
calls_ports=()
declare -A calls_seen=()        # the truths calls.truths has

# calls_start "ADDRESS LATENCY_MS ITEMS"...: a fresh mockapi per argument,
# each on its own loopback address; server i answers on
# calls_addrs[i]:calls_ports[i] (fleet_pids, fleet_stop as for the fleet).
calls_start() {
	local i=0 spec addr lat items
	fleet_pids=(); calls_addrs=(); calls_ports=()
	rm -rf "$T/calls.port"; mkdir "$T/calls.port"
	for spec in "$@"; do
		read -r addr lat items <<<"$spec"
		"$mock" --lifetime 900 --address "$addr" --port-file "$T/calls.port/$i" \
			--items "$items" --latency-ms "$lat" >/dev/null 2>"$T/mock.err.$i" &
		fleet_pids+=($!)
		calls_addrs+=("$addr")
		i=$((i + 1))
	done
	ports_wait "$T/calls.port"
	calls_ports=("${ports_got[@]}")
}

# calls_stats: "CONNECTIONS REQUESTS 429S 5XXS" summed over the servers'
# /stats, all read by one curl (each /stats request is a connection of its
# own, counted).
calls_stats() {
	local i
	local -a urls=()
	for i in "${!calls_ports[@]}"; do
		urls+=("http://${calls_addrs[i]}:${calls_ports[i]}/stats")
	done
	{ curl -sf --max-time 10 -w '\n' "${urls[@]}" || true; } | jq -s -r \
		'"\(map(.connections // 0) | add // 0) \(map(.requests // 0) | add // 0) \(map(.status_429 // 0) | add // 0) \(map(.status_5xx // 0) | add // 0)"'
}

# calls_target D NAME PROFILE PATH OUTNAME TRUTHPATH: one call on server
# D: a section of the jobs file $T/calls.ini, a line of $T/fleet.targets
# (DEV NAME PROFILE URL OUTPUT TRUTH, as fleet_check reads them) and the
# truth to fetch ("FILE URL" in $T/calls.truths).
calls_target() {
	local d=$1 name=$2 prof=$3 path=$4 oname=$5 tpath=$6 origin tfile
	origin=http://${calls_addrs[d]}:${calls_ports[d]}
	tfile=$T/calls.truth.$d.${tpath//[^a-z0-9]/_}
	printf '\n[%s]\n' "$name" >>"$T/calls.ini"
	[ -z "$prof" ] || printf 'profile = %s\n' "$prof" >>"$T/calls.ini"
	printf 'url = %s%s\noutput = %s/%s\n' "$origin" "$path" "$T/calls.out" "$oname" >>"$T/calls.ini"
	printf '%d\t%s\t%s\t%s%s\t%s/%s\t%s\n' "$d" "$name" "${prof:-$calls_defprof}" \
		"$origin" "$path" "$T/calls.out" "$oname" "$tfile" >>"$T/fleet.targets"
	if [ -z "${calls_seen[$tfile]:-}" ]; then
		calls_seen[$tfile]=1
		printf '%s %s\n' "$tfile" "$origin$tpath" >>"$T/calls.truths"
	fi
}

# calls_plan_SCEN: the scenario's servers' calls (after calls_start).
calls_plan_f5fleet() {
	local d h
	calls_defprof=f5
	printf '# %d BIG-IPs, three calls each\n[defaults]\nprofile = f5\n' "$f5_n" >"$T/calls.ini"
	for d in "${!calls_ports[@]}"; do
		h=bigip$(printf '%02d' $((d + 1)))
		calls_target "$d" "$h-pools" "" /f5/mgmt/tm/ltm/pool "$h-pools.ndjson.gz" /truth
		calls_target "$d" "$h-version" object /f5/mgmt/tm/sys/version "$h-version.ndjson.gz" \
			"/truth-object?path=/f5/mgmt/tm/sys/version"
		calls_target "$d" "$h-failover" object /f5/mgmt/tm/cm/failover-status \
			"$h-failover.ndjson.gz" "/truth-object?path=/f5/mgmt/tm/cm/failover-status"
	done
}

calls_plan_onepage() {
	local n s
	calls_defprof=offset
	printf '# %d lists of one page on one host\n[defaults]\nprofile = offset\nlimit = 100\n' "$op_n" >"$T/calls.ini"
	for n in $(seq 1 "$op_n"); do
		s=site-$(printf '%03d' "$n")
		calls_target 0 "$s" "" "/offset/items?site=$n" "$s.ndjson.gz" /truth
	done
}

# calls_run SCEN "SERVER SPEC"... : every tool once per round, in turns,
# each against fresh servers; a row per run in results.tsv (the fleet's
# columns: the calls are the targets).
calls_run() {
	local scen=$1; shift
	local -a servers=("$@") cmd fetch
	local -A dead=()
	local r spec label kind rc wall user sys rss verdict b0 b1 sticks other
	local i ntg file url c0 q0 a0 x0 c1 q1 a1 x1 items lat
	local -a specs=(
		"invdump --jobs|jobs"
		"fleet_pool.py --session (a requests.Session per thread)|session"
		"fleet_pool.py (urllib, a connection per request)|pool")
	read -r _ lat items <<<"${servers[0]}"
	for r in $(seq 1 "$rounds"); do
		for spec in "${specs[@]}"; do
			IFS='|' read -r label kind <<<"$spec"
			if [ -n "${dead[$label]:-}" ]; then
				printf '  %-58s round %d: not run, it timed out in round %s\n' "$label" "$r" "${dead[$label]}" >&2
				continue
			fi
			calls_start "${servers[@]}"
			: >"$T/fleet.targets"; : >"$T/calls.truths"
			calls_seen=()
			"calls_plan_$scen"
			chmod 600 "$T/calls.ini"
			# Every truth by one curl: -o FILE URL for each.
			fetch=()
			while read -r file url; do fetch+=(-o "$file" "$url"); done <"$T/calls.truths"
			rm -f "$T"/calls.truth.*
			curl -sf --max-time 60 "${fetch[@]}"
			ntg=$(wc -l <"$T/fleet.targets")
			rm -rf "$T/calls.out"; mkdir "$T/calls.out"
			case $kind in
			jobs) cmd=("$inv" -w "$calls_w" --jobs "$T/calls.ini") ;;
			session|pool)
				cut -f3-5 "$T/fleet.targets" >"$T/calls.pool"
				cmd=(python3 "$here/fleet_pool.py" -w "$calls_w" "$T/calls.pool")
				[ "$kind" = pool ] || cmd+=(--session) ;;
			esac
			read -r c0 q0 a0 x0 < <(calls_stats)
			timed_run "${cmd[@]}"
			sticks=0
			for i in "${!fleet_pids[@]}"; do
				sticks=$((sticks + $(proc_ticks "${fleet_pids[i]}")))
			done
			read -r c1 q1 a1 x1 < <(calls_stats)
			fleet_stop
			run_verdict "$scen"
			# The connections of the run: the second /stats round's own
			# (one per server) are not the tool's.
			printf '%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
				"$scen" "$label" "$r" "$rc" "$wall" "$user" "$sys" "$rss" \
				$((c1 - c0 - ${#calls_ports[@]})) $((a1 - a0)) "$items" 1 "$calls_w" "$lat" 0 \
				"$verdict" "$other" "" $((x1 - x0)) 0 $((q1 - q0)) \
				"$fleet_fast" "$fleet_slow" "$ntg" >>"$res"
			printf '  %-58s round %d: %6.2f s  %4d requests for %d calls  %5.1f MiB  (other CPU %s s)  %s\n' \
				"$label" "$r" "$wall" $((q1 - q0)) "$ntg" \
				"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$other" "$verdict" >&2
		done
	done
}

sc_f5fleet() {
	local d lat
	local -a servers=()
	for d in $(seq 0 $((f5_n - 1))); do
		lat=$f5_lat
		case " $f5_slowdevs " in *" $d "*) lat=$f5_slow ;; esac
		servers+=("127.0.0.$((11 + d)) $lat $f5_items")
	done
	{
		printf 'f5fleet\tdevices\t%s\n' "$f5_n"
		printf 'f5fleet\tslow\t%s\n' "$(wc -w <<<"$f5_slowdevs")"
		printf 'f5fleet\tslow_ms\t%s\n' "$f5_slow"
		printf 'f5fleet\tcalls\t%s\n' $((3 * f5_n))
	} >>"$info"
	fleet_slowdevs=$f5_slowdevs
	calls_run f5fleet "${servers[@]}"
	fleet_slowdevs=0
}

sc_onepage() {
	printf 'onepage\tcalls\t%s\n' "$op_n" >>"$info"
	fleet_slowdevs=
	calls_run onepage "127.0.0.1 $op_lat $op_items"
	fleet_slowdevs=0
}

report() {
	python3 "$here/report.py" "$res" "$sh_res" --info "$info" "$@"
}

ran=
for s in "$@"; do
	case $s in
	connections)
		# Covered by the connections column of every other table; run the
		# latency scenario for it when it is asked for alone.
		case " $* " in *" latency "*|*" cpu "*|*" memory "*|*" ratelimit "*|*" faults "*|\
			*" a "*|*" c "*|*" d "*|*" e "*|*" stall "*)
			echo "== connections: the conns column of every table" >&2
			continue ;;
		esac
		s=latency ;;
	esac
	case " $ran " in *" $s "*) continue ;; esac
	echo "== $s" >&2
	"sc_$s"
	ran="$ran $s"
	report --scenario "$s"
done
report --targets
echo
echo "# the whole run took $((SECONDS / 60)) min $((SECONDS % 60)) s, of which about $((quiet_s / 60)) min $((quiet_s % 60)) s waiting for a quiet machine (BENCH_QUIET=${BENCH_QUIET:-0})"
if [ -s "$fail_log" ]; then
	echo
	echo "Failed runs (last lines of their standard error):"
	cat "$fail_log"
fi
