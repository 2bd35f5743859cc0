#!/bin/sh
# contrib.sh - the nightly-job examples in contrib/ are valid and do what
# they say: the Kubernetes manifest parses and has the fields that matter,
# the systemd units pass systemd-analyze, and the invdump command line of
# each, pointed at the mock server, exports it whole with the credentials
# the way the example passes them.
. "$TESTS_SRCDIR/integration/setup.sh"

C=$TESTS_SRCDIR/../contrib
unit=$C/systemd/invdump-nightly.service
timer=$C/systemd/invdump-nightly.timer
manifest=$C/kubernetes/cronjob.yaml

check "contrib/systemd and contrib/kubernetes have their files" \
	test -f "$unit" -a -f "$timer" -a -f "$manifest" -a -f "$C/systemd/README" -a -f "$C/kubernetes/README"

start_mock --items 500 --require-user alice:s3cret-key
fetch "$BASE/truth" "$T/truth"

# point ARGFILE OUT: rewrites the example's arguments (one a line) for the
# mock: the SoftLayer URL to the mock's, the -o path to OUT, a --metrics
# file to invdump.prom beside it.  Sets the positional parameters of the
# caller through $T/args.
point() {
	sed -e "s|^https://api.softlayer.com/rest/v3.1/|$BASE/softlayer/|" \
		-e "s|^/.*\.ndjson\.gz$|$2|" -e "s|^/.*\.prom$|${2%/*}/invdump.prom|" "$1" >"$T/args"
}
# metrics_ok DIR: the example's --metrics file in DIR says the run
# succeeded (read by the Prometheus client's parser when Debian's python3
# has it).
metrics_ok() {
	grep -q '^invdump_run_exit_status{run="invdump"} 0$' "$1/invdump.prom" || {
		diag "$1/invdump.prom:" "$(cat "$1/invdump.prom" 2>&1)"
		return 1
	}
	/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || return 0
	/usr/bin/python3 -c 'import sys
from prometheus_client.parser import text_string_to_metric_families as p
list(p(open(sys.argv[1]).read()))' "$1/invdump.prom"
}

# ------------------------------------------------------------ Kubernetes
# A python3 that has the yaml module (python3-yaml): the one on PATH, else
# Debian's.
py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then py=$p; break; fi
done
if [ -z "$py" ]; then
	for _ in 1 2 3 4 5 6; do skip "cronjob.yaml: no python3 with the yaml module (apt-get install python3-yaml)"; done
else
	set +e
	"$py" - "$manifest" >"$T/k8s.args" 2>"$T/err" <<'EOF'
import re, sys, yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
def fail(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)
kinds = [d.get("kind") for d in docs]
cj = [d for d in docs if d.get("kind") == "CronJob"]
if len(cj) != 1:
    fail("kinds %r: want one CronJob" % kinds)
cj = cj[0]
if cj.get("apiVersion") != "batch/v1":
    fail("CronJob apiVersion %r" % cj.get("apiVersion"))
spec = cj["spec"]
fields = spec["schedule"].split()
field = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
if len(fields) != 5 or not all(field.match(f) for f in fields):
    fail("schedule %r is not five cron fields" % spec["schedule"])
if spec.get("concurrencyPolicy") != "Forbid":
    fail("concurrencyPolicy %r" % spec.get("concurrencyPolicy"))
job = spec["jobTemplate"]["spec"]
for k in ("backoffLimit", "activeDeadlineSeconds"):
    if not isinstance(job.get(k), int) or job[k] < 0:
        fail("jobTemplate.spec.%s %r" % (k, job.get(k)))
if job.get("parallelism", 1) != 1 or job.get("completions", 1) != 1:
    fail("a Job of more than one pod exports everything more than once")
pod = job["template"]["spec"]
if pod.get("restartPolicy") not in ("Never", "OnFailure"):
    fail("restartPolicy %r" % pod.get("restartPolicy"))
c = pod["containers"]
if len(c) != 1:
    fail("%d containers" % len(c))
c = c[0]
cmd = [str(a) for a in c.get("command", [])]
if not cmd or cmd[0].rsplit("/", 1)[-1] != "invdump" or "-o" not in cmd:
    fail("command %r: want invdump ... -o FILE" % cmd)
out = cmd[cmd.index("-o") + 1]
env = {e["name"]: e for e in c.get("env", [])}
for name in ("INVDUMP_USER", "INVDUMP_PASSWORD"):
    if "secretKeyRef" not in env.get(name, {}).get("valueFrom", {}):
        fail("%s does not come from a Secret" % name)
if any("secret" in a.lower() or a.startswith("-u") for a in cmd):
    fail("a credential in the command line")
mounts = {m["mountPath"].rstrip("/"): m["name"] for m in c.get("volumeMounts", [])}
outdir = out.rsplit("/", 1)[0]
if outdir not in mounts:
    fail("the output directory %s is not a mounted volume" % outdir)
if "--metrics" in cmd:
    mdir = cmd[cmd.index("--metrics") + 1].rsplit("/", 1)[0]
    if mdir not in mounts:
        fail("the --metrics directory %s is not a mounted volume" % mdir)
vol = {v["name"]: v for v in pod.get("volumes", [])}[mounts[outdir]]
if "persistentVolumeClaim" in vol:
    claim = vol["persistentVolumeClaim"]["claimName"]
    pvcs = [d["metadata"]["name"] for d in docs if d.get("kind") == "PersistentVolumeClaim"]
    if claim not in pvcs:
        fail("claim %s is not defined here (%r)" % (claim, pvcs))
elif "emptyDir" not in vol:
    fail("the output volume is neither a claim nor an emptyDir")
print("\n".join(cmd[1:]))
EOF
	krc=$?
	set -e
	check "cronjob.yaml: parses and has the fields that matter" sh -c "[ $krc -eq 0 ] || { sed 's/^/# /' '$T/err'; exit 1; }"
	if [ "$krc" -eq 0 ]; then
		mkdir "$T/k8s"
		point "$T/k8s.args" "$T/k8s/devices.ndjson.gz"
		set --
		while IFS= read -r a; do set -- "$@" "$a"; done <"$T/args"
		INVDUMP_USER=alice INVDUMP_PASSWORD=s3cret-key
		export INVDUMP_USER INVDUMP_PASSWORD
		run_invdump "$@"
		unset INVDUMP_USER INVDUMP_PASSWORD
		check "cronjob.yaml's command, against the mock: status 0" status_is 0
		gzip -dc "$T/k8s/devices.ndjson.gz" >"$T/k8s.got" 2>/dev/null || true
		check "cronjob.yaml's command, against the mock: every item" same "$T/k8s.got" "$T/truth"
		check "cronjob.yaml's command, against the mock: mode 0600" test "$(stat -c %a "$T/k8s/devices.ndjson.gz")" = 600
		check "cronjob.yaml's command, against the mock: only the summary" sh -c "test \$(grep -vc 'verified against the total' '$T/err') -eq 0"
		check "cronjob.yaml's command, against the mock: its --metrics file" metrics_ok "$T/k8s"
	else
		for _ in 1 2 3 4 5; do skip "cronjob.yaml's command: the manifest did not parse"; done
	fi
fi

# ------------------------------------------------- Indexed Job (shards)
# Each pod's command, with JOB_COMPLETION_INDEX set, against the mock: the
# parts, concatenated in index order, are the whole export.
ij=$C/kubernetes/indexed-job.yaml
if [ -n "$py" ]; then
	set +e
	"$py" - "$ij" >"$T/ij.cmd" 2>"$T/err" <<'PY'
import re, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["kind"] == "Job" and d["apiVersion"] == "batch/v1", "kind"
s = d["spec"]
assert s["completionMode"] == "Indexed", "completionMode"
n = s["completions"]
c = s["template"]["spec"]["containers"][0]
assert s["template"]["spec"]["restartPolicy"] == "Never", "restartPolicy"
cmd = c["command"]
assert cmd[:2] == ["sh", "-c"], "sh -c"
script = cmd[2]
assert '--shard "$JOB_COMPLETION_INDEX/%d"' % n in script, "--shard I/N matches completions"
assert "-o " in script and "--manifest" in script, "-o and --manifest"
envs = {e["name"] for e in c["env"]}
assert {"INVDUMP_USER", "INVDUMP_PASSWORD"} <= envs, "credentials from a Secret"
print(n)
print(script)
PY
	irc=$?
	set -e
	check "indexed-job.yaml: an Indexed Job whose --shard matches its completions" \
		sh -c "[ $irc -eq 0 ] || { sed 's/^/# /' '$T/err'; exit 1; }"
	if [ "$irc" -eq 0 ]; then
		n=$(head -n 1 "$T/ij.cmd")
		script=$(sed 1d "$T/ij.cmd" | sed -e "s|https://api.softlayer.com/rest/v3.1|$BASE/softlayer|" \
			-e "s|/out/|$T/ij/|g" -e "s|exec invdump |exec \"$INVDUMP\" |")
		mkdir -p "$T/ij"
		i=0; : >"$T/ij.rc"
		while [ "$i" -lt "$n" ]; do
			JOB_COMPLETION_INDEX=$i INVDUMP_USER=alice INVDUMP_PASSWORD=s3cret-key \
				sh -c "$script" 2>>"$T/ij.err" || echo "index $i failed" >>"$T/ij.rc"
			i=$((i + 1))
		done
		check "indexed-job.yaml: every pod's command succeeds against the mock" \
			sh -c "[ ! -s '$T/ij.rc' ] || { cat '$T/ij.rc' '$T/ij.err' | sed 's/^/# /'; exit 1; }"
		i=0; : >"$T/ij.all"
		while [ "$i" -lt "$n" ]; do
			cat "$T/ij/devices-$i.ndjson.gz" >>"$T/ij.all" 2>/dev/null || true
			i=$((i + 1))
		done
		check "indexed-job.yaml: the parts, concatenated, are the whole export" \
			sh -c "gzip -dc '$T/ij.all' | cmp -s - '$T/truth'"
		check "indexed-job.yaml: each pod wrote a manifest naming its shard" \
			"$py" -c "import json,sys; [json.load(open('$T/ij/devices-%d.manifest.json' % i))['shard']['index'] == i or sys.exit(1) for i in range($n)]"
	else
		for _ in 1 2 3; do skip "indexed-job.yaml did not parse"; done
	fi
else
	for _ in 1 2 3 4; do skip "indexed-job.yaml: no python3 with the yaml module"; done
fi

# ------------------------------------------------------------ systemd
# key FILE KEY: the values of KEY= in a unit file, continuation lines joined.
key() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" | sed -n "s/^$2=//p"
}
check "service: Type=oneshot" test "$(key "$unit" Type)" = oneshot
check "service: credentials by LoadCredential= or an EnvironmentFile=" \
	sh -c "grep -q '^LoadCredential=' '$unit' || grep -q '^EnvironmentFile=' '$unit'"
for k in ProtectSystem=strict PrivateTmp=yes NoNewPrivileges=yes; do
	check "service: $k" test "$(key "$unit" "${k%%=*}")" = "${k#*=}"
done
exec_start=$(key "$unit" ExecStart)
# The arguments, split at blanks as systemd does for a line without quotes
# (the URL's brackets are no pattern here).
set -f
printf '%s\n' $exec_start >"$T/unit.argv"
set +f
out=$(sed -n '/^-o$/{n;p;}' "$T/unit.argv")
check "service: ExecStart runs invdump ... -o FILE" \
	sh -c "head -n 1 '$T/unit.argv' | grep -q '/invdump$' && [ -n '$out' ]"
rw_has() {
	for p in $(key "$unit" ReadWritePaths); do [ "$p" = "$1" ] && return 0; done
	return 1
}
check "service: the output directory is in ReadWritePaths=" rw_has "$(dirname "$out")"
metrics=$(sed -n '/^--metrics$/{n;p;}' "$T/unit.argv")
check "service: --metrics, its directory in ReadWritePaths=" \
	rw_has "$(dirname "${metrics:-/no --metrics/x}")"
check "timer: OnCalendar=, RandomizedDelaySec=, Persistent=" \
	sh -c "grep -q '^OnCalendar=' '$timer' && grep -q '^RandomizedDelaySec=' '$timer' && grep -q '^Persistent=true' '$timer'"

# The ExecStart line against the mock, %d being the credentials directory.
# The credential's name in LoadCredential=NAME:PATH is the file under %d.
cred=$(key "$unit" LoadCredential | head -n 1 | cut -d: -f1)
mkdir "$T/cred" "$T/unit-out"
(umask 077; echo "alice:s3cret-key" >"$T/cred/${cred:-invdump}")
sed 1d "$T/unit.argv" | sed "s|%d/|$T/cred/|" >"$T/unit.args"
point "$T/unit.args" "$T/unit-out/devices.ndjson.gz"
set --
while IFS= read -r a; do set -- "$@" "$a"; done <"$T/args"
run_invdump "$@"
check "service's ExecStart, against the mock: status 0" status_is 0
gzip -dc "$T/unit-out/devices.ndjson.gz" >"$T/unit.got" 2>/dev/null || true
check "service's ExecStart, against the mock: every item" same "$T/unit.got" "$T/truth"
check "service's ExecStart, against the mock: only the summary" sh -c "test \$(grep -vc 'verified against the total' '$T/err') -eq 0"
check "service's ExecStart, against the mock: its --metrics file" metrics_ok "$T/unit-out"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	skip "systemd-analyze verify: systemd-analyze is not installed (apt-get install systemd)"
	skip "systemd-analyze security: systemd-analyze is not installed (apt-get install systemd)"
else
	# verify wants the binary in ExecStart to exist: the one just built.
	mkdir "$T/units"
	sed "s|/usr/local/bin/invdump|$INVDUMP|" "$unit" >"$T/units/invdump-nightly.service"
	cp "$timer" "$T/units/invdump-nightly.timer"
	set +e
	systemd-analyze verify --man=no "$T/units/invdump-nightly.service" \
		"$T/units/invdump-nightly.timer" >"$T/verify" 2>&1
	vrc=$?
	set -e
	check "systemd-analyze verify: no complaint" \
		sh -c "[ $vrc -eq 0 ] && [ ! -s '$T/verify' ] || { sed 's/^/# /' '$T/verify'; exit 1; }"
	if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
		set +e
		systemd-analyze security --offline=true --threshold=20 \
			"$T/units/invdump-nightly.service" >"$T/security" 2>&1
		src=$?
		set -e
		check "systemd-analyze security: exposure 2.0 or less" \
			sh -c "[ $src -eq 0 ] || { tail -n 3 '$T/security' | sed 's/^/# /'; exit 1; }"
	else
		skip "systemd-analyze security: this systemd has no --offline (it came in systemd 252)"
	fi
fi

done_testing
