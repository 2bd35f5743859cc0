#!/bin/sh
# profile.sh BUILDDIR [RUNS] - where invdump's CPU goes in the CPU-bound case.
#
# Starts tests/mockapi with the "cpu" scenario's dataset (200,000 items of
# 300 bytes, 1,000 per page), runs invdump -w 2 -l 1000 (gzip, default
# level) RUNS times (default 3) under perf record, and prints the top
# functions by self time plus a summary by kind of work.  Only invdump is
# recorded, not the server.
#
# Debian's libyajl2, libdeflate0 and zlib1g are stripped, so their static
# functions (the lexer, the match finders ...) show as bare addresses.
# PROFILE_LIBDIR=DIR puts DIR first on LD_LIBRARY_PATH: build yajl 2.1.0,
# libdeflate 1.14 and zlib 1.2.13 (Debian 12's versions) from upstream
# source with -O2 -g there to get names (see RESULTS.md).  Where the machine has no PMU (a VM) perf samples the
# cpu-clock timer, so the shares are of CPU time, not of cycles.
set -eu
b=$(cd "$1" && pwd)
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
command -v perf >/dev/null || { echo "profile.sh: needs perf (linux-perf)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/invdump-prof.XXXXXX")
spid=
trap 'if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; fi; rm -rf "$T"' EXIT

"$b/tests/mockapi/mockapi" --items 200000 --item-size 300 --lifetime 600 \
	--port-file "$T/port" >/dev/null &
spid=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/port" ] || { echo "profile.sh: mockapi did not start" >&2; exit 1; }
url=http://127.0.0.1:$(cat "$T/port")/offset/items

cat >"$T/runs.sh" <<EOF
i=0
while [ \$i -lt $runs ]; do
	"$b/src/invdump" -q -w 2 -l 1000 -o "$T/out.ndjson.gz" "$url" || exit 1
	i=\$((i + 1))
done
EOF
LD_LIBRARY_PATH=${PROFILE_LIBDIR:+$PROFILE_LIBDIR:}${LD_LIBRARY_PATH:-} \
	perf record -q -F 5000 -g -o "$T/perf.data" -- sh "$T/runs.sh" 2>/dev/null
echo "libraries: $(LD_LIBRARY_PATH=${PROFILE_LIBDIR:+$PROFILE_LIBDIR:} ldd "$b/src/invdump" |
	awk '/yajl|libz|deflate|libcurl/ { printf "%s ", $3 }')"
echo "event: $(perf report -i "$T/perf.data" --header-only 2>/dev/null |
	sed -n 's/^# event : name = \([^,]*\),.*/\1/p' | head -n 1)"
perf report -i "$T/perf.data" --comm invdump --no-children --sort dso,symbol \
	--stdio -g none --percent-limit 0 2>/dev/null >"$T/report.txt"
python3 "$here/profile_summary.py" "$T/report.txt"
