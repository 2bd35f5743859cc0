#!/bin/sh
# contrib.sh - the nightly-job examples in contrib/ are valid and do what
# they say: the Kubernetes manifests parse and have the fields that matter
# (the image of contrib/container/, s3:// destinations, the bucket's
# credentials from the pod's identity, no secret), the systemd units pass
# systemd-analyze, and the invdump command line of each, pointed at the
# mock server (and the Kubernetes ones at s3rver), exports it whole with
# the credentials the way the example passes them.
. "$TESTS_SRCDIR/integration/setup.sh"

C=$TESTS_SRCDIR/../contrib
unit=$C/systemd/invdump-nightly.service
timer=$C/systemd/invdump-nightly.timer
manifest=$C/kubernetes/cronjob.yaml

check "contrib/systemd and contrib/kubernetes have their files" \
	test -f "$unit" -a -f "$timer" -a -f "$manifest" -a -f "$C/systemd/README" -a -f "$C/kubernetes/README" \
	-a -f "$C/kubernetes/indexed-job.yaml" -a -f "$C/kubernetes/serviceaccount.yaml"

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
# The manifests (read by a python3 with the yaml module, python3-yaml):
# the fields that matter, the image of contrib/container/, the bucket's
# credentials from the pod's identity and no secret in them; then each
# pod's arguments, run as the image's entrypoint runs them, against the
# mock, uploading to s3rver (the S3 implementation s3.sh uses) with the
# credentials of a container endpoint, as EKS Pod Identity gives them.
K=$C/kubernetes
# The image name contrib/container/README builds.
image=$(sed -n 's/^ *podman build -t \([^ ]*\) .*/\1/p' "$C/container/README" | head -n 1)
py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then py=$p; break; fi
done
mkdir "$T/k8s"
# k8s_read WHAT: checks serviceaccount.yaml (sa), cronjob.yaml (cron) or
# indexed-job.yaml (ij); writes $T/k8s/WHAT.args (the container's args,
# one a line) and, for ij, $T/k8s/ij.n (the completions).
k8s_read() {
	"$py" - "$1" "$K" "$image" "$T/k8s" >"$T/k8s/$1.err" 2>&1 <<'PY' || { sed 's/^/# /' "$T/k8s/$1.err"; return 1; }
import os, re, sys, yaml

what, K, image, out = sys.argv[1:5]
def fail(msg):
    print(msg)
    sys.exit(1)
def load(name):
    return [d for d in yaml.safe_load_all(open(os.path.join(K, name))) if d]
def strings(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from strings(v)
    elif x is not None:
        yield str(x)
key_like = re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}|aws_secret_access_key|BEGIN [A-Z ]*PRIVATE KEY", re.I)
secret_name = re.compile(r"PASSW|SECRET|TOKEN|KEY|CREDENTIAL", re.I)
aws_keys = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN"}

sa = [d for d in load("serviceaccount.yaml") if d.get("kind") == "ServiceAccount"]
if len(sa) != 1:
    fail("serviceaccount.yaml: want one ServiceAccount")
sa = sa[0]
if what == "sa":
    if any(key_like.search(s) for s in strings(sa)):
        fail("serviceaccount.yaml holds something like a key")
    sys.exit(0)

docs = load({"cron": "cronjob.yaml", "ij": "indexed-job.yaml"}[what])
for d in docs:
    for s in strings(d):
        if key_like.search(s):
            fail("something like a key: %r" % s)
if what == "cron":
    cj = [d for d in docs if d.get("kind") == "CronJob"]
    if len(cj) != 1 or len(docs) != 1:
        fail("kinds %r: want one CronJob" % [d.get("kind") for d in docs])
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
else:
    if len(docs) != 1:
        fail("want one document, the Job")
    job = docs[0]
    if job.get("kind") != "Job" or job.get("apiVersion") != "batch/v1":
        fail("kind %r %r" % (job.get("apiVersion"), job.get("kind")))
    job = job["spec"]
    if job.get("completionMode") != "Indexed":
        fail("completionMode %r" % job.get("completionMode"))
pod = job["template"]["spec"]
if pod.get("restartPolicy") not in ("Never", "OnFailure"):
    fail("restartPolicy %r" % pod.get("restartPolicy"))
if pod.get("serviceAccountName") != sa["metadata"]["name"]:
    fail("serviceAccountName %r: want serviceaccount.yaml's %r"
         % (pod.get("serviceAccountName"), sa["metadata"]["name"]))
if pod.get("automountServiceAccountToken") is False:
    fail("automountServiceAccountToken: false (EKS Pod Identity's token needs it)")
c = pod["containers"]
if len(c) != 1:
    fail("%d containers" % len(c))
c = c[0]
if c.get("image") != image:
    fail("image %r: want %r, the one contrib/container/README builds" % (c.get("image"), image))
if "command" in c:
    fail("command %r: the image's entrypoint is invdump, give args only" % c["command"])
args = [str(a) for a in c.get("args", [])]
if "-o" not in args:
    fail("args %r: want -o s3://..." % args)
o = args[args.index("-o") + 1]
if not o.startswith("s3://"):
    fail("-o %s: want s3://BUCKET/KEY" % o)
bucket = o[5:].split("/", 1)[0]
if "--manifest" not in args or not args[args.index("--manifest") + 1].startswith("s3://%s/" % bucket):
    fail("want --manifest s3://%s/..." % bucket)
if any(a in ("-u", "--user") or a.startswith("--user=") for a in args):
    fail("a credential in the args")
env = {e["name"]: e for e in c.get("env", [])}
for name in ("INVDUMP_USER", "INVDUMP_PASSWORD"):
    if "secretKeyRef" not in env.get(name, {}).get("valueFrom", {}):
        fail("%s does not come from a Secret" % name)
for name, e in env.items():
    if name in aws_keys:
        fail("%s in the env: the bucket's credentials come from the pod's identity" % name)
    if "value" in e and secret_name.search(name):
        fail("%s has its value in the manifest" % name)
mounts = {m["mountPath"].rstrip("/"): m["name"] for m in c.get("volumeMounts", [])}
if "--metrics" in args:
    mdir = args[args.index("--metrics") + 1].rsplit("/", 1)[0]
    if mdir not in mounts:
        fail("the --metrics directory %s is not a mounted volume" % mdir)
if what == "ij":
    n = job["completions"]
    if job.get("parallelism", 1) > n:
        fail("parallelism above completions")
    if "--shard" not in args or args[args.index("--shard") + 1] != "$(JOB_COMPLETION_INDEX)/%d" % n:
        fail("want --shard $(JOB_COMPLETION_INDEX)/%d (the completions)" % n)
    for opt in ("-o", "--manifest"):
        if "$(JOB_COMPLETION_INDEX)" not in args[args.index(opt) + 1]:
            fail("%s names no $(JOB_COMPLETION_INDEX): the pods would write one object" % opt)
    open(os.path.join(out, "ij.n"), "w").write("%d\n" % n)
open(os.path.join(out, what + ".env"), "w").write(
    "".join("%s=%s\n" % (k, e["value"]) for k, e in env.items() if "value" in e))
open(os.path.join(out, what + ".args"), "w").write("".join(a + "\n" for a in args))
open(os.path.join(out, "bucket"), "w").write(bucket + "\n")
PY
}

if [ -z "$py" ]; then
	for _ in 1 2 3; do skip "contrib/kubernetes: no python3 with the yaml module (apt-get install python3-yaml)"; done
	krc=1 irc=1
else
	check "serviceaccount.yaml: one ServiceAccount, no key in it" k8s_read sa
	check "cronjob.yaml: a CronJob of one pod, the image, args to s3://, credentials from a Secret and the pod's identity" k8s_read cron
	krc=0; [ -s "$T/k8s/cron.args" ] || krc=1
	check "indexed-job.yaml: an Indexed Job whose --shard matches its completions, each pod to its own s3:// objects" k8s_read ij
	irc=0; [ -s "$T/k8s/ij.args" ] || irc=1
fi

# The S3 side: s3rver (installed once into the build tree, as s3.sh does),
# s3proxy.py in front of it (s3rver lacks the listing of uploads), and
# credserver.py as the container credentials endpoint, whose token file
# stands for the one Pod Identity mounts.
s3=
if [ "$krc$irc" = 11 ]; then
	s3="the manifests did not pass"
elif ! s3rver_ready; then
	s3=$s3rver_why
else
	bucket=$(cat "$T/k8s/bucket")
	start_s3 "$bucket"
	echo "pod-identity-token" >"$T/podtoken"
	start_credserver cred
	CREDURL="$CRED/creds"
	S3URL=$PX
fi
# Without an S3, the args still go through invdump's option parser: with
# the bucket and the credentials endpoint on a port that refuses, a run
# fails on the network (status 1) or the bucket (6), never on its usage (2).
accepted() {
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then
		diag "status $rc:" "$(cat "$T/err")"
		return 1
	fi
}
if [ -n "$s3" ] && [ "$krc$irc" != 11 ]; then
	hold_dead_port
	CREDURL=$DEAD_BASE/creds S3URL=$DEAD_BASE
fi
# pod ARGFILE ENVFILE: runs the args in ARGFILE (Kubernetes' $(VAR)
# already expanded) as the pod would, with the manifest's plain env
# (ENVFILE), the API's URL pointed at the mock, --metrics into $T/k8s, the
# bucket at s3rver, the credentials from the endpoint; sets rc, stderr in
# $T/err.
pod() {
	envf=$2
	point "$1" "$T/k8s/x.ndjson.gz"
	set --
	while IFS= read -r a; do set -- "$@" "$a"; done <"$envf"
	set -- "$@" "$INVDUMP"
	while IFS= read -r a; do set -- "$@" "$a"; done <"$T/args"
	set +e
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
		-u AWS_ENDPOINT_URL_S3 -u AWS_DEFAULT_REGION HOME="$T" AWS_REGION=us-east-1 \
		AWS_EC2_METADATA_DISABLED=true \
		AWS_CONTAINER_CREDENTIALS_FULL_URI="$CREDURL" \
		AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/podtoken" \
		AWS_ENDPOINT_URL="$S3URL" \
		INVDUMP_USER=alice INVDUMP_PASSWORD=s3cret-key "$@" 2>"$T/err"
	rc=$?
	set -e
}
# get KEY FILE: the object as s3rver keeps it.
get() { curl -sS -f -o "$2" "http://127.0.0.1:$S3PORT/$bucket/$1" 2>/dev/null; }
# key ARG: the key of s3://BUCKET/KEY.
s3key() { printf '%s\n' "${1#s3://*/}"; }
# after OPT ARGFILE: the argument that follows OPT.
after() { sed -n "/^$1\$/{n;p;q;}" "$2"; }

if [ "$krc" -ne 0 ]; then
	skip "cronjob.yaml's args: the manifest did not pass"
elif [ -n "$s3" ]; then
	pod "$T/k8s/cron.args" "$T/k8s/cron.env"
	check "cronjob.yaml's args: invdump takes them (no S3 to reach: status $rc, not 0 nor 2)" accepted
	skip "cronjob.yaml's args, against the mock and an S3: $s3"
else
	pod "$T/k8s/cron.args" "$T/k8s/cron.env"
	check "cronjob.yaml's args, against the mock and s3rver: status 0" status_is 0
	o=$(s3key "$(after -o "$T/k8s/cron.args")")
	m=$(s3key "$(after --manifest "$T/k8s/cron.args")")
	get "$o" "$T/k8s/cron.gz" || true
	gzip -dc "$T/k8s/cron.gz" >"$T/k8s/cron.got" 2>/dev/null || true
	check "cronjob.yaml's args: the object $o holds every item" same "$T/k8s/cron.got" "$T/truth"
	check "cronjob.yaml's args: the manifest $m names the object" \
		sh -c "curl -sS -f 'http://127.0.0.1:$S3PORT/$bucket/$m' | grep -qF '$o'"
	check "cronjob.yaml's args: the bucket's credentials came from the container endpoint, with the pod's token" \
		grep -q "^GET /creds pod-identity-token$" "$T/cred.log"
	check "cronjob.yaml's args: only the summary" sh -c "test \$(grep -vc 'verified against the total' '$T/err') -eq 0"
	check "cronjob.yaml's args: its --metrics file" metrics_ok "$T/k8s"
fi

# Each Indexed Job pod's args, $(JOB_COMPLETION_INDEX) expanded as
# Kubernetes does: the parts, concatenated in index order, are the whole
# export, and each manifest names its shard.
if [ "$irc" -ne 0 ]; then
	skip "indexed-job.yaml's args: the manifest did not pass"
elif [ -n "$s3" ]; then
	sed "s/\$(JOB_COMPLETION_INDEX)/0/g" "$T/k8s/ij.args" >"$T/k8s/ij0.args"
	pod "$T/k8s/ij0.args" "$T/k8s/ij.env"
	check "indexed-job.yaml's args: invdump takes them (no S3 to reach: status $rc, not 0 nor 2)" accepted
	skip "indexed-job.yaml's args, against the mock and an S3: $s3"
else
	n=$(cat "$T/k8s/ij.n")
	i=0; : >"$T/ij.rc"; : >"$T/ij.all"; : >"$T/ij.man"
	while [ "$i" -lt "$n" ]; do
		sed "s/\$(JOB_COMPLETION_INDEX)/$i/g" "$T/k8s/ij.args" >"$T/k8s/ij$i.args"
		pod "$T/k8s/ij$i.args" "$T/k8s/ij.env"
		[ "$rc" -eq 0 ] || { echo "index $i: status $rc"; sed 's/^/  /' "$T/err"; } >>"$T/ij.rc"
		if get "$(s3key "$(after -o "$T/k8s/ij$i.args")")" "$T/k8s/part"; then
			cat "$T/k8s/part" >>"$T/ij.all"
		fi
		get "$(s3key "$(after --manifest "$T/k8s/ij$i.args")")" "$T/k8s/ij$i.manifest.json" || true
		i=$((i + 1))
	done
	check "indexed-job.yaml: every pod's args succeed against the mock and s3rver" \
		sh -c "[ ! -s '$T/ij.rc' ] || { sed 's/^/# /' '$T/ij.rc'; exit 1; }"
	check "indexed-job.yaml: the objects, concatenated in index order, are the whole export" \
		sh -c "gzip -dc '$T/ij.all' | cmp -s - '$T/truth'"
	check "indexed-job.yaml: each pod's manifest object names its shard" \
		"$py" -c "import json,sys; [json.load(open('$T/k8s/ij%d.manifest.json' % i))['shard']['index'] == i or sys.exit(1) for i in range($n)]"
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
# shellcheck disable=SC2086 # split at blanks on purpose, globbing off
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
