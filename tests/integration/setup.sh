# setup.sh - sourced by every integration test.
#
# Gives each test a private temp directory (removed on exit), TAP helpers,
# and start_mock, which runs tests/mockapi on a free loopback port for the
# test's lifetime (and never longer than --lifetime).  INVDUMP, MOCKAPI and
# INVDUMP_VALGRIND come from Makefile.am's AM_TESTS_ENVIRONMENT.
set -eu

: "${INVDUMP:?INVDUMP must name the invdump binary}"
: "${MOCKAPI:?MOCKAPI must name the mockapi binary}"
INVDUMP_VALGRIND=${INVDUMP_VALGRIND:-0}

T=$(mktemp -d "${TMPDIR:-/tmp}/invdump-test.XXXXXX")
MOCK_PIDS=""

cleanup() {
	for p in $MOCK_PIDS; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check "description" command...: one TAP line from a command's status.
check() {
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# wait_port_file FILE PID ERRFILE WHAT: waits until the process PID has
# written its port to FILE (30 s at most: a loaded machine starts node and
# Django slowly); bails out saying WHAT and ERRFILE if it does not, or dies
# first.
wait_port_file() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		if [ "$i" -gt 300 ] || ! kill -0 "$2" 2>/dev/null; then
			echo "Bail out! $4: $(cat "$3")"
			exit 1
		fi
		sleep 0.1
	done
}

# start_mock [mockapi options]: sets PORT, BASE and MOCK_PID (BASE on the
# --address given, if one is).
mock_n=0
# Long enough for a script that uses one server throughout (s3.sh's large
# export), under valgrind too; a safety net, the script stops them first.
if [ "${INVDUMP_VALGRIND:-0}" = 1 ]; then mock_lifetime=2400; else mock_lifetime=600; fi
start_mock() {
	mock_host=127.0.0.1 prev=
	for a in "$@"; do
		[ "$prev" = --address ] && mock_host=$a
		prev=$a
	done
	mock_n=$((mock_n + 1))
	pf="$T/mock$mock_n.port"
	"$MOCKAPI" --port-file "$pf" --lifetime "$mock_lifetime" "$@" >"$T/mock$mock_n.out" \
		2>"$T/mock$mock_n.err" &
	MOCK_PID=$!
	MOCK_PIDS="$MOCK_PIDS $MOCK_PID"
	wait_port_file "$pf" "$MOCK_PID" "$T/mock$mock_n.err" "mockapi did not start"
	PORT=$(cat "$pf")
	BASE="http://$mock_host:$PORT"
}

# hold_dead_port: sets DEAD_PORT and DEAD_BASE to a loopback port that
# refuses connections.  A socket bound to it that never listens (connecting
# to it is refused) holds it for the test's lifetime, so no server started
# meanwhile, this test's or another's, can take it, as one could take the
# port of a server killed to free it.  Needs python3.
dead_n=0
hold_dead_port() {
	dead_n=$((dead_n + 1))
	pf="$T/dead$dead_n.port"
	python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(int(sys.argv[1]))' 600 >"$pf" 2>"$T/dead$dead_n.err" &
	dead_pid=$!
	MOCK_PIDS="$MOCK_PIDS $dead_pid"
	wait_port_file "$pf" "$dead_pid" "$T/dead$dead_n.err" "no port held"
	DEAD_PORT=$(cat "$pf")
	DEAD_BASE="http://127.0.0.1:$DEAD_PORT"
}

# make_test_ca: a private CA ($T/ca.pem) and a server certificate for
# 127.0.0.1 signed by it ($T/srv.pem, $T/srv.key), made with openssl(1);
# fails when openssl cannot make them.
make_test_ca() {
	command -v openssl >/dev/null 2>&1 || return 1
	(
		cd "$T" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key \
			-out ca.pem -days 2 -subj "/CN=invdump test CA" &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
			-subj "/CN=127.0.0.1" &&
		printf 'subjectAltName=IP:127.0.0.1\n' >ext &&
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out srv.pem -days 2 -extfile ext
	) >/dev/null 2>&1
}

# fetch URL FILE: a plain GET with curl(1), for the server's ground truth.
fetch() { curl -sS --max-time 60 -o "$2" "$1"; }

# run_invdump ARGS...: runs invdump (under valgrind when asked), never
# failing the script; sets rc, and leaves stderr in $T/err.
run_invdump() {
	set +e
	if [ "$INVDUMP_VALGRIND" = 1 ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			--track-fds=no "$INVDUMP" "$@" 2>"$T/err"
	else
		"$INVDUMP" "$@" 2>"$T/err"
	fi
	rc=$?
	set -e
	return 0
}

# same FILE1 FILE2: byte-identical, with a diff in the TAP diagnostics if not.
same() {
	if cmp -s "$1" "$2"; then return 0; fi
	diag "$1 and $2 differ:" "$(diff "$1" "$2" | head -n 10)"
	return 1
}

# status_is WANT: compares $rc, showing stderr when it differs.
status_is() {
	if [ "$rc" -eq "$1" ]; then return 0; fi
	diag "exit status $rc, expected $1; stderr:" "$(head -n 5 "$T/err")"
	return 1
}

# err_has TEXT: stderr contains TEXT.
err_has() {
	if grep -qF -- "$1" "$T/err"; then return 0; fi
	diag "stderr lacks '$1':" "$(head -n 5 "$T/err")"
	return 1
}

# skip "reason": one TAP check that could not run here, reported as SKIP
# (ok, with a SKIP directive) so that it neither passes nor fails silently.
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }

# skip_all "reason": the whole script cannot run here.  The TAP driver
# reports SKIP for a "1..0 # SKIP" plan (it treats exit status 77 as an
# error, unlike Automake's plain driver), so this prints that and exits 0.
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# unshare_ok FLAGS [COMMAND...]: whether unshare(1) with exactly these flags
# runs COMMAND (default: true) here.  Containers and some distributions
# (Ubuntu 24.04's AppArmor default, for ordinary users) refuse user
# namespaces; then this fails and sets unshare_why to unshare's complaint.
unshare_ok() {
	unshare_why=""
	if ! command -v unshare >/dev/null 2>&1; then
		unshare_why="unshare(1) is not installed"
		return 1
	fi
	_flags=$1; shift
	[ $# -gt 0 ] || set -- true
	if unshare "$_flags" "$@" >/dev/null 2>"$T/unshare.err"; then
		return 0
	fi
	unshare_why="unshare $_flags refused here: $(head -n 1 "$T/unshare.err")"
	return 1
}

# max_threads ARGS...: runs invdump ARGS (never under valgrind, whose
# threads are its own) and sets most to the most threads it had at once,
# sampled from /proc every 10 ms; 9999 when it failed.
max_threads() {
	"$INVDUMP" "$@" 2>"$T/err-threads" &
	tp=$!
	most=0
	while kill -0 "$tp" 2>/dev/null; do
		t=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$tp/status" 2>/dev/null || true)
		[ -n "$t" ] && [ "$t" -gt "$most" ] && most=$t
		sleep 0.01
	done
	wait "$tp" || { diag "$(tail -n 3 "$T/err-threads")"; most=9999; }
}

# s3rver_ready: sets S3RVER, the S3 implementation of s3.sh and contrib.sh
# (s3rver, from the npm registry), installing it into the build tree the
# first time; returns 1 with s3rver_why set when it cannot.  Two scripts
# may ask at once: each installs into a directory of its own and renames
# it into place, the first one to finish winning.
s3rver_ready() {
	_s3d=$(cd "$(dirname "$INVDUMP")/.." && pwd)/tests
	S3RVER=$_s3d/s3rver/node_modules/.bin/s3rver
	[ -x "$S3RVER" ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		s3rver_why="npm is not installed (Debian: npm): s3rver cannot be installed"
		return 1
	fi
	rm -rf "$_s3d/s3rver.tmp$$" && mkdir -p "$_s3d/s3rver.tmp$$"
	if ! timeout 300 npm install --prefix "$_s3d/s3rver.tmp$$" --no-audit --no-fund \
	    --loglevel=error s3rver@3.7.1 >"$T/npm.log" 2>&1; then
		rm -rf "$_s3d/s3rver.tmp$$"
		s3rver_why="npm install s3rver failed: $(tail -n 1 "$T/npm.log")"
		return 1
	fi
	mv -T "$_s3d/s3rver.tmp$$" "$_s3d/s3rver" 2>/dev/null || rm -rf "$_s3d/s3rver.tmp$$"
	[ -x "$S3RVER" ] || { s3rver_why="npm installed no $S3RVER"; return 1; }
}

# start_s3 BUCKET: s3rver serving BUCKET on S3PORT, and s3proxy.py in
# front of it (PX, its URL; s3.sh says what it adds); bails out when
# either does not start.
start_s3() {
	mkdir "$T/s3"
	"$S3RVER" -d "$T/s3" -a 127.0.0.1 -p 0 --configure-bucket "$1" >"$T/s3rver.out" 2>&1 &
	MOCK_PIDS="$MOCK_PIDS $!"
	i=0
	until grep -q 'listening on' "$T/s3rver.out"; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { echo "Bail out! s3rver did not start: $(cat "$T/s3rver.out")"; exit 1; }
		sleep 0.1
	done
	S3PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/s3rver.out" | head -n 1)
	python3 "$TESTS_SRCDIR/integration/s3proxy.py" "$S3PORT" "$T/proxy.port" "$T/proxy.log" \
		2>"$T/proxy.err" &
	px=$!
	MOCK_PIDS="$MOCK_PIDS $px"
	wait_port_file "$T/proxy.port" "$px" "$T/proxy.err" "s3proxy.py did not start"
	PX="http://127.0.0.1:$(cat "$T/proxy.port")"
}

# start_credserver NAME [TTL]: credserver.py, the container credentials
# endpoint and IMDS of s3.sh and contrib.sh, with the token file
# $T/podtoken and its log in $T/NAME.log (TTL: credentials that expire);
# CRED is its URL.
start_credserver() {
	python3 "$TESTS_SRCDIR/integration/credserver.py" "$T/podtoken" "$T/$1.port" \
		"$T/$1.log" ${2:+"$2"} 2>"$T/$1.err" &
	_cp=$!
	MOCK_PIDS="$MOCK_PIDS $_cp"
	wait_port_file "$T/$1.port" "$_cp" "$T/$1.err" "credserver.py did not start"
	CRED="http://127.0.0.1:$(cat "$T/$1.port")"
}
