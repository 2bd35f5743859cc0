#!/bin/sh
# bench.sh BUILDDIR [SCENARIO...] - invdump against the scripts it replaces.
#
# Run through "make bench".  SCENARIO is one of latency cpu memory
# connections ratelimit faults shell (default: all).  Every run gets a
# fresh tests/mockapi server on 127.0.0.1 (so the fault picks, the rate
# bucket and the /stats counters start equal for every tool), the tools
# take turns round by round (invdump, seed_export.py, curl+jq, invdump, ...),
# each under /usr/bin/time, and every output is checked against the
# server's /truth.  The tables (report.py) give figures and say whether
# each target of the issue is met; nothing here fails on a time.
#
# Environment: BENCH_ROUNDS (default 3), BENCH_KEEP=1 keeps the work
# directory, BENCH_TIMEOUT seconds allowed per run (default 300),
# BENCH_QUIET=S waits up to S seconds before each run for the machine to
# be idle (default 0: no wait; the "other CPU s" column shows what else ran).
#
# What the columns mean is in report.py; the method is in RESULTS.md.

# bash for arrays, PIPESTATUS and EPOCHREALTIME; make runs us with /bin/sh.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -eu -o pipefail

if [ $# -lt 1 ]; then
	echo "usage: bench.sh BUILDDIR [latency|cpu|memory|connections|ratelimit|faults|shell]..." >&2
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
python3 -c 'import requests' 2>/dev/null ||
	{ echo "bench.sh: needs python3-requests" >&2; exit 2; }

all="latency cpu memory connections ratelimit faults shell"
# shellcheck disable=SC2086 # a list of words
[ $# -gt 0 ] || set -- $all
for s in "$@"; do
	case " $all " in *" $s "*) ;; *) echo "bench.sh: unknown scenario '$s'" >&2; exit 2 ;; esac
done

T=$(mktemp -d "${TMPDIR:-/tmp}/invdump-bench.XXXXXX")
spid=
cpid=
# Private copies: a rebuild of the tree during the run must not change or
# remove the binaries under test half-way.
cp "$inv" "$T/invdump"; cp "$mock" "$T/mockapi"
inv=$T/invdump mock=$T/mockapi
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
	if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench.sh: kept $T" >&2; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "# invdump benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "# machine: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), Linux $(uname -r)"
echo "# invdump: $("$inv" --version 2>&1 | head -n 1) ($(git -C "$here" describe --always --dirty 2>/dev/null || echo 'no git')); $("$inv" --version 2>&1 | sed -n 2p | grep -o 'libcurl/[^ ]*\|yajl/[^ ]*\|zlib/[^ ]*' | sort -u | tr '\n' ' ')$("$inv" --version 2>&1 | sed -n 's/^gzip members: */; gzip members: /p')"
echo "# binaries under test: invdump sha256 $(sha256sum "$inv" | cut -c1-16), built $(date -u -r "$b/src/invdump" '+%H:%M:%S' 2>/dev/null); mockapi sha256 $(sha256sum "$mock" | cut -c1-16)"
echo "# python $(python3 -c 'import sys, requests; print(sys.version.split()[0], "requests", requests.__version__)'); $(curl --version | head -n 1 | cut -d' ' -f1-2); $(jq --version); $(gzip --version | head -n 1)"
echo "# scenarios: $*; rounds: $rounds"

res=$T/results.tsv      # one line per run, read by report.py
sh_res=$T/shell.tsv     # the shell scenario's runs
fail_log=$T/failures.txt
: >"$res"; : >"$sh_res"; : >"$fail_log"

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
quiet_wait() {
	local limit=${BENCH_QUIET:-0} waited=0 b0 b1
	[ "$limit" -gt 0 ] || return 0
	while [ "$waited" -lt "$limit" ]; do
		b0=$(busy_ticks); sleep 0.5; b1=$(busy_ticks)
		[ $(( (b1 - b0) * 20 )) -lt "$hz" ] && return 0
		sleep 0.5; waited=$((waited + 1))
	done
	echo "bench.sh: machine still busy after ${limit}s; running anyway" >&2
}

# ---------------------------------------------------------------- runs
# A run spec is "LABEL|KIND|EXTRA INVDUMP ARGS"; KIND is invdump, python,
# curljq or floor (curl fetching every page to /dev/null: what moving the
# bytes alone costs on this machine).
#
# bench_set SCEN KEY ITEMS LIMIT WORKERS LATENCY_MS RATE "SERVER ARGS" SPEC...
# runs every spec once per round, in turns, each against a fresh server.
bench_set() {
	local scen=$1 key=$2 items=$3 limit=$4 w=$5 lat=$6 rate=$7 sargs=$8
	shift 8
	local pages=$(( (items + limit - 1) / limit ))
	[ "$pages" -gt 0 ] || pages=1
	# shellcheck disable=SC2086
	truth "$key" $sargs
	local r spec label kind extra out rc wall user sys rss stats conns n429 verdict
	local b0 b1 sticks other
	for r in $(seq 1 "$rounds"); do
		for spec in "$@"; do
			IFS='|' read -r label kind extra <<<"$spec"
			out=$T/out.ndjson.gz
			rm -f "$out"
			# shellcheck disable=SC2086
			server_start $sargs
			local url=$base/offset/items
			local -a cmd
			# shellcheck disable=SC2206 # EXTRA is words, split on purpose
			case $kind in
			invdump) cmd=("$inv" -w "$w" -l "$limit" $extra -o "$out" "$url") ;;
			python) cmd=(python3 "$here/seed_export.py" -w "$w" -l "$limit" -o "$out" "$url") ;;
			curljq) cmd=(bash "$here/curl_jq.sh" "$url" "$w" "$limit" "$out") ;;
			floor)
				local off=0
				while [ $off -lt "$items" ] || [ $off -eq 0 ]; do
					printf 'url = "%s?offset=%d&limit=%d"\noutput = "/dev/null"\n' "$url" $off "$limit"
					off=$((off + limit))
				done >"$T/floor.cfg"
				cmd=(curl -f --no-progress-meter -Z --parallel-immediate --parallel-max "$w" -K "$T/floor.cfg") ;;
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
				timeout -k 5 "$tmo" "${cmd[@]}" >"$T/run.out" 2>"$T/run.err" &
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
			if [ $rc -ne 0 ]; then
				verdict="FAILED (exit $rc)"
				[ $rc -eq 124 ] && verdict="FAILED (timeout ${tmo}s)"
				{
					printf '[%s] %s, round %d: exit %d\n$ %s\n' "$scen" "$label" "$r" $rc "${cmd[*]}"
					tail -n 4 "$T/run.err" | cut -c1-300
					echo
				} >>"$fail_log"
			elif [ "$kind" = floor ]; then
				verdict="(no output)"
			else
				verdict=$(check_output "$out")
			fi
			printf '%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n' \
				"$scen" "$label" "$r" $rc "$wall" "$user" "$sys" "$rss" \
				"$conns" "$n429" "$items" "$pages" "$w" "$lat" "$rate" "$verdict" "$other" >>"$res"
			printf '  %-40s round %d: %6.2f s  (other CPU %s s)  %s\n' "$label" "$r" "$wall" "$other" "$verdict" >&2
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
		"invdump|invdump|" "seed_export.py|python|" "curl+jq+gzip|curljq|"
}

sc_faults() {
	bench_set faults faults20k 20000 100 16 0 0 \
		"--items 20000 --fault 503:0.02 --fault drop:0.01" \
		"invdump|invdump|" "seed_export.py|python|" "curl+jq+gzip|curljq|"
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

report() {
	python3 "$here/report.py" "$res" "$sh_res" "$@"
}

ran=
for s in "$@"; do
	case $s in
	connections)
		# Covered by the connections column of every other table; run the
		# latency scenario for it when it is asked for alone.
		case " $* " in *" latency "*|*" cpu "*|*" memory "*|*" ratelimit "*|*" faults "*)
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
if [ -s "$fail_log" ]; then
	echo
	echo "Failed runs (last lines of their standard error):"
	cat "$fail_log"
fi
